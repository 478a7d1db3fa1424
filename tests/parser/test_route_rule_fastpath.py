"""The route-/rule- readers' fast path gives exactly what the grammar gives, or declines.

The fast path (one regular expression per line, see the docstrings of
``ifcfg2nm.parser.route`` and ``ifcfg2nm.parser.rule``) exists for speed
(``scripts/bench-audit``); the Lark grammar stays the reference. Each check
parses a file twice, with the fast path and with it switched off, and wants
the same RouteFile/RuleFile (entries, positions, findings); a line the fast
path takes must also read without any finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Union

import pytest
import test_route
import test_rule
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifcfg2nm.parser import route, rule
from ifcfg2nm.parser.documents import FileKind, RouteFile, RuleFile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hosts"
ROUTE_KINDS = (FileKind.ROUTE, FileKind.ROUTE6)
RULE_KINDS = (FileKind.RULE, FileKind.RULE6)

Parsed = Union[RouteFile, RuleFile]


def both(data: bytes, kind: FileKind) -> tuple[Parsed, Parsed]:
    """(fast path on, fast path off) readings of one file."""
    module: Any = route if kind in ROUTE_KINDS else rule
    parse: Callable[[bytes, str, FileKind], Parsed] = (
        route.parse_route_file if kind in ROUTE_KINDS else rule.parse_rule_file
    )
    fast = parse(data, "f", kind)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(module, "_fast_entry", lambda text, path, number: None)
        slow = parse(data, "f", kind)
    return fast, slow


def check_line(line: str, kind: FileKind) -> bool:
    """Both readings of ``line`` (as line 3, after a comment and a blank line) agree; whether the fast path took it."""
    module: Any = route if kind in ROUTE_KINDS else rule
    fast, slow = both(f"# x\n\n{line}\n".encode(), kind)
    assert fast == slow, line
    taken = kind in (FileKind.ROUTE, FileKind.RULE) and module._fast_entry(line, "f", 3) is not None
    if taken:
        assert slow.findings == (), line
    return taken


def fixture_lines() -> Iterator[tuple[FileKind, str]]:
    for path in sorted(FIXTURES.rglob("*")):
        kind = {"route": FileKind.ROUTE, "route6": FileKind.ROUTE6,
                "rule": FileKind.RULE, "rule6": FileKind.RULE6}.get(path.name.split("-", 1)[0])
        if kind is not None and path.is_file():
            for line in path.read_text(errors="replace").splitlines():
                yield kind, line


def table_lines() -> Iterator[tuple[FileKind, str]]:
    """Every line of the route/rule tests' tables and VDSM samples, in both families."""
    texts: list[str] = []
    for module in (test_route, test_rule):
        texts += [case[2] for case in module.ACCEPTED + module.REJECTED]
        texts += module.ORACLE_LINES + getattr(module, "ORACLE_LINES6", [])
        texts += [value for name, value in vars(module).items() if name.startswith("VDSM_")]
    for text in texts:
        for line in text.splitlines():
            for kind in (*ROUTE_KINDS, *RULE_KINDS):
                yield kind, line


def test_fixture_lines_read_the_same() -> None:
    lines = list(fixture_lines())
    taken = [check_line(line, kind) for kind, line in lines]
    assert sum(taken) >= 20, "the fixtures' VDSM lines take the fast path"


def test_table_lines_read_the_same() -> None:
    taken = [check_line(line, kind) for kind, line in table_lines()]
    assert any(taken)


@pytest.mark.parametrize("kind", [*ROUTE_KINDS, *RULE_KINDS])
def test_fixture_files_read_the_same(kind: FileKind) -> None:
    for path in sorted(FIXTURES.rglob(f"{kind.value}-*")):
        fast, slow = both(path.read_bytes(), kind)
        assert fast == slow, path


@pytest.mark.parametrize(("line", "kind"), [
    ("0.0.0.0/0 via 192.0.2.1 dev ovirtmgmt table 3221225985", FileKind.ROUTE),
    ("192.0.2.0/24 via 192.0.2.5 dev ovirtmgmt table 3221225985", FileKind.ROUTE),
    ("\t default via 10.0.0.1 dev bond0.4001 metric 0 src 10.0.0.7\t", FileKind.ROUTE),
    ("10.0.0.9 dev eth0 table 4294967295", FileKind.ROUTE),
    ("from 192.0.2.0/24 prio 32000 table 3221225985", FileKind.RULE),
    ("from all to 192.0.2.0/24 dev ovirtmgmt prio 32000 table 3221225985", FileKind.RULE),
    ("  to 10.1.2.3 lookup main oif eth1 order 0", FileKind.RULE),
])
def test_vdsm_shapes_take_the_fast_path(line: str, kind: FileKind) -> None:
    assert check_line(line, kind)


@pytest.mark.parametrize(("line", "kind"), [
    ("192.0.2.5/24 via 192.0.2.1", FileKind.ROUTE),  # host bits
    ("10.0.0.0/8 dev eth0 dev eth1", FileKind.ROUTE),  # repeated
    ("10.0.0.0/8 dev eth0 table 4294967296", FileKind.ROUTE),  # over 32 bits
    ("10.0.0.0/8 via 010.0.0.1", FileKind.ROUTE),  # iproute2-only form
    ("10.0.0.0/8 dev abcdefghijklmnop", FileKind.ROUTE),  # 16 bytes
    ("all via 10.0.0.1", FileKind.ROUTE),  # NetworkManager reads it differently
    ("10.0.0.0/8 via 10.0.0.1\r", FileKind.ROUTE),
    ("from 192.0.2.0/24 table 5", FileKind.RULE),  # no priority
    ("from 192.0.2.0/24 prio 5 pref 6 table 5", FileKind.RULE),  # repeated under an alias
    ("from 192.0.2.0/24 dev eth0 iif eth1 prio 5", FileKind.RULE),
    ("from 192.0.2.1/24 prio 5", FileKind.RULE),  # host bits
    ("from 192.0.2.0/24 prio 5 lookup other", FileKind.RULE),  # a named table
])
def test_the_fast_path_declines(line: str, kind: FileKind) -> None:
    assert not check_line(line, kind)


# --- generated lines, biased towards what the fast path reads ------------------------------------

def _network(value: int, length: int) -> str:
    value &= ~((1 << (32 - length)) - 1) & 0xFFFF_FFFF
    return ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0)) + f"/{length}"


def _often(common: st.SearchStrategy[str], rare: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``common`` about four times in five."""
    return st.one_of(common, common, common, common, rare)


_OCTETS = _often(st.integers(0, 255).map(str),
                 st.sampled_from(["256", "01", "00", "1000", "0x1", "", "-1"]))
_ADDRESS = _often(st.integers(0, 0xFFFF_FFFF).map(lambda v: _network(v, 32)[:-3]),
                  st.lists(_OCTETS, min_size=1, max_size=5).map(".".join))
_LENGTH = st.sampled_from(["0", "1", "8", "16", "24", "29", "30", "32", "33", "08", "", "255.255.255.0", "0x8"])
_PREFIX = st.one_of(
    _ADDRESS,
    st.builds(_network, st.integers(0, 0xFFFF_FFFF), st.integers(0, 32)),
    st.builds(_network, st.integers(0, 0xFFFF_FFFF), st.integers(0, 32)),
    st.tuples(_ADDRESS, _LENGTH).map("/".join),
)
_NUMBER = _often(st.integers(0, 0xFFFF_FFFF).map(str),
                 st.sampled_from(["4294967296", "9999999999", "10000000000", "007", "0x10", "-1", "1.5", "\uff10"]))
_NAME = _often(st.sampled_from(["eth0", "ovirtmgmt", "bond0.4001", "table", "via", "dev", "abcdefghijklmno", "lo:1"]),
               st.sampled_from(["a/b", "abcdefghijklmnop", "é", "e\u00a0x", "#x", "!", "-", "prio"]))
_BLANK = _often(st.sampled_from([" ", " ", " ", "\t"]),
                st.sampled_from(["\t", "  ", " \t ", "\v", "\u00a0", "\r", "\f"]))
_EDGE = _often(st.just(""), st.sampled_from([" ", "\t", "\r", " #", "\v"]))

_VIA = st.tuples(st.sampled_from(["via", "src"]), _ADDRESS).map(list)
_DEV = st.tuples(st.just("dev"), _NAME).map(list)
_NUMBERED = st.tuples(st.sampled_from(["table", "metric"]), _often(_NUMBER, st.sampled_from(["main", "x"]))).map(list)
_ROUTE_WORDS = st.one_of(
    _VIA, _VIA, _DEV, _DEV, _NUMBERED, _NUMBERED,
    st.sampled_from([["onlink"], ["proto", "static"], ["scope", "link"], ["priority", "5"], ["to"], ["via"]]),
)
_SELECTOR = st.tuples(st.sampled_from(["from", "to"]),
                      _often(_PREFIX, st.sampled_from(["all", "any", "default"]))).map(list)
_PRIORITY = st.tuples(st.sampled_from(["priority", "preference", "pref", "prio", "order"]), _NUMBER).map(list)
_TABLE = st.tuples(st.sampled_from(["table", "lookup"]),
                   _often(_NUMBER, st.sampled_from(["main", "local", "default", "unspec", "other"]))).map(list)
_IIF = st.tuples(st.sampled_from(["iif", "dev", "oif"]), _NAME).map(list)
_RULE_WORDS = st.one_of(
    _SELECTOR, _SELECTOR, _TABLE, _TABLE, _IIF, _IIF, _PRIORITY,
    st.sampled_from([["not"], ["fwmark", "5"], ["nop"], ["type", "unicast"], ["from"]]),
)


def _join(head: list[str], items: list[list[str]], blanks: list[str], lead: str, tail: str) -> str:
    words = head + [w for item in items for w in item]
    out = lead
    for i, word in enumerate(words):
        out += (blanks[i % len(blanks)] if i else "") + word
    return out + tail


_ROUTE_LINES = st.builds(
    _join, _often(_PREFIX, st.sampled_from(["default", "all"])).map(lambda p: [p]),
    st.lists(_ROUTE_WORDS, max_size=5), st.lists(_BLANK, min_size=1, max_size=2), _EDGE, _EDGE,
)
_RULE_ITEMS = st.one_of(
    st.lists(_RULE_WORDS, min_size=1, max_size=5),
    st.tuples(st.lists(_RULE_WORDS, max_size=4), _PRIORITY).flatmap(lambda t: st.permutations([*t[0], t[1]])),
)
_RULE_LINES = st.builds(_join, st.just([]), _RULE_ITEMS, st.lists(_BLANK, min_size=1, max_size=2), _EDGE, _EDGE)


# Lines in the fast path's own shapes: what still sends one to the grammar is a repeated option, host bits,
# a number over 32 bits, a missing priority.
_QUAD = st.integers(0, 0xFFFF_FFFF).map(lambda v: _network(v, 32)[:-3])
_PLAIN_PREFIX = st.one_of(_QUAD, st.builds(_network, st.integers(0, 0xFFFF_FFFF), st.integers(0, 32)),
                          st.tuples(_QUAD, st.integers(0, 32).map(str)).map("/".join))
_PLAIN_NUMBER = st.integers(0, 0xFFFF_FFFF + 2).map(str)
_PLAIN_NAME = st.sampled_from(["eth0", "ovirtmgmt", "bond0.4001", "table", "via", "prio", "abcdefghijklmno", "lo:1",
                               "#x", "!", "-"])
_PLAIN_BLANKS = st.lists(st.sampled_from([" ", "\t", "  ", " \t"]), min_size=1, max_size=2)
_PLAIN_EDGE = st.sampled_from(["", "", " ", "\t"])
_PLAIN_ROUTE_LINES = st.builds(
    _join, st.one_of(_PLAIN_PREFIX, st.just("default")).map(lambda p: [p]),
    st.lists(st.one_of(st.tuples(st.sampled_from(["via", "src"]), _QUAD).map(list),
                       st.tuples(st.just("dev"), _PLAIN_NAME).map(list),
                       st.tuples(st.sampled_from(["table", "metric"]), _PLAIN_NUMBER).map(list)), max_size=5),
    _PLAIN_BLANKS, _PLAIN_EDGE, _PLAIN_EDGE,
)
_PLAIN_RULE_WORDS = st.one_of(
    st.tuples(st.sampled_from(["from", "to"]), st.one_of(_PLAIN_PREFIX, st.sampled_from(["all", "any", "default"]))
              ).map(list),
    st.tuples(st.sampled_from(["table", "lookup"]),
              st.one_of(_PLAIN_NUMBER, st.sampled_from(["main", "local", "default", "unspec"]))).map(list),
    st.tuples(st.sampled_from(["iif", "dev", "oif"]), _PLAIN_NAME).map(list),
)
_PLAIN_RULE_LINES = st.builds(
    _join, st.just([]),
    st.tuples(st.lists(_PLAIN_RULE_WORDS, max_size=4),
              st.tuples(st.sampled_from(["priority", "preference", "pref", "prio", "order"]), _PLAIN_NUMBER).map(list),
              st.booleans(),
              ).flatmap(lambda t: st.permutations([*t[0], t[1]] if t[2] else t[0] or [t[1]])),
    _PLAIN_BLANKS, _PLAIN_EDGE, _PLAIN_EDGE,
)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(line=_PLAIN_ROUTE_LINES, kind=st.sampled_from(ROUTE_KINDS))
def test_generated_plain_route_lines_read_the_same(line: str, kind: FileKind) -> None:
    check_line(line, kind)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(line=_PLAIN_RULE_LINES, kind=st.sampled_from(RULE_KINDS))
def test_generated_plain_rule_lines_read_the_same(line: str, kind: FileKind) -> None:
    check_line(line, kind)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(line=_ROUTE_LINES, kind=st.sampled_from(ROUTE_KINDS))
def test_generated_route_lines_read_the_same(line: str, kind: FileKind) -> None:
    check_line(line, kind)


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(line=_RULE_LINES, kind=st.sampled_from(RULE_KINDS))
def test_generated_rule_lines_read_the_same(line: str, kind: FileKind) -> None:
    check_line(line, kind)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=st.one_of(test_route._TEXT, test_rule._TEXT, st.text(max_size=120)),
       kind=st.sampled_from([*ROUTE_KINDS, *RULE_KINDS]))
def test_generated_files_read_the_same(text: str, kind: FileKind) -> None:
    fast, slow = both(text.encode("utf-8", "surrogatepass"), kind)
    assert fast == slow
