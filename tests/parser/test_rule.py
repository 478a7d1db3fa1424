"""rule-/rule6- parser: one behaviour per case, VDSM's own files, fuzzing, ip rule itself."""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import unicodedata
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifcfg2nm.findings import Severity
from ifcfg2nm.parser.documents import FileKind, Owner, RuleFile
from ifcfg2nm.parser.rule import parse_rule_file

R4, R6 = FileKind.RULE, FileKind.RULE6
E, W, INF = Severity.ERROR, Severity.WARNING, Severity.INFO
UNS, FORM, NOPRIO = "RULE_UNSUPPORTED_BY_NM", "RULE_ADDRESS_FORM", "RULE_NO_PRIORITY"
SYN, BAD, FAM = "RULE_SYNTAX", "RULE_BAD_VALUE", "RULE_FAMILY_MISMATCH"


def parse(text: str, kind: FileKind = R4) -> RuleFile:
    return parse_rule_file(text.encode(), "rule-x", kind)


# (id, kind, line, expected fields of RuleEntry.to_json(), expected finding codes)
ACCEPTED: list[tuple[str, FileKind, str, dict[str, Any], set[str]]] = [
    ("from-prefix", R4, "from 192.168.1.0/24 pref 5", {"source": "192.168.1.0/24"}, set()),
    ("from-host", R4, "from 10.1.2.3 pref 5", {"source": "10.1.2.3/32"}, set()),
    (
        "from-host-ipv6",
        R6,
        "from 2001:db8::5 pref 5",
        {"source": "2001:db8::5/128", "family": 6},
        set(),
    ),
    ("from-all", R4, "from all pref 5 table 5", {"source": None}, set()),
    ("from-any", R4, "from any pref 5 table 5", {"source": None}, set()),
    ("to-prefix", R4, "to 10.0.0.0/8 pref 5", {"destination": "10.0.0.0/8"}, set()),
    ("to-all", R4, "from 1.1.1.1 to all pref 5", {"destination": None}, set()),
    ("priority", R4, "from all priority 100", {"priority": 100}, set()),
    ("preference", R4, "from all preference 100", {"priority": 100}, set()),
    ("pref", R4, "from all pref 100", {"priority": 100}, set()),
    ("prio", R4, "from all prio 100", {"priority": 100}, set()),
    ("order", R4, "from all order 100", {"priority": 100}, set()),
    ("priority-hex", R4, "from all prio 0x20", {"priority": 32}, {FORM}),
    ("table", R4, "from all pref 5 table 100", {"table": 100}, set()),
    ("lookup", R4, "from all pref 5 lookup 100", {"table": 100}, set()),
    ("table-main", R4, "from all pref 5 lookup main", {"table": 254}, set()),
    ("table-local", R4, "from all pref 5 lookup local", {"table": 255}, set()),
    ("table-default", R4, "from all pref 5 lookup default", {"table": 253}, set()),
    ("table-name", R4, "from all pref 5 lookup vpn", {"table_name": "vpn"}, {"RULE_TABLE_NAME"}),
    ("iif", R4, "iif eth0 pref 5 table 5", {"iif": "eth0"}, set()),
    ("dev-is-iif", R4, "dev ovirtmgmt pref 5 table 5", {"iif": "ovirtmgmt"}, set()),
    ("oif", R4, "oif eth1 pref 5 table 5", {"oif": "eth1"}, set()),
    ("fwmark", R4, "fwmark 10 pref 5 table 5", {"fwmark": 10, "fwmask": None}, set()),
    (
        "fwmark-mask-hex",
        R4,
        "fwmark 0x10/0xff pref 5 table 5",
        {"fwmark": 16, "fwmask": 255},
        set(),
    ),
    ("tos-hex", R4, "tos 0x10 pref 5 table 5", {"tos": 16}, set()),
    ("dsfield-hex-without-0x", R4, "dsfield 10 pref 5 table 5", {"tos": 16}, set()),
    ("not", R4, "not from 10.0.0.0/8 pref 5 table 5", {"invert": True}, set()),
    ("not-at-end", R4, "from 10.0.0.0/8 pref 5 table 5 not", {"invert": True}, set()),
    ("blackhole", R4, "from 10.0.0.0/8 pref 5 blackhole", {"action": "blackhole"}, set()),
    ("unreachable", R4, "from 10.0.0.0/8 pref 5 unreachable", {"action": "unreachable"}, set()),
    ("prohibit", R4, "from 10.0.0.0/8 pref 5 prohibit", {"action": "prohibit"}, set()),
    ("type-word", R4, "from 10.0.0.0/8 pref 5 type blackhole", {"action": "blackhole"}, set()),
    ("unicast-is-lookup", R4, "from 10.0.0.0/8 pref 5 table 5 unicast", {"action": None}, set()),
    (
        "goto",
        R4,
        "from 10.0.0.0/8 pref 5 goto 100",
        {"action": "goto", "options": [["goto", "100"]]},
        {UNS},
    ),
    ("nop", R4, "from 10.0.0.0/8 pref 5 nop", {"action": "nop"}, {UNS}),
    ("ipproto-name", R4, "ipproto tcp pref 5 table 5", {"options": [["ipproto", "tcp"]]}, set()),
    ("ipproto-number", R4, "ipproto 6 pref 5 table 5", {"options": [["ipproto", "6"]]}, set()),
    ("sport", R4, "sport 80 pref 5 table 5", {"options": [["sport", "80"]]}, set()),
    (
        "dport-range",
        R4,
        "dport 1000-2000 pref 5 table 5",
        {"options": [["dport", "1000-2000"]]},
        set(),
    ),
    (
        "uidrange",
        R4,
        "uidrange 100-200 pref 5 table 5",
        {"options": [["uidrange", "100-200"]]},
        set(),
    ),
    (
        "suppress_prefixlength",
        R4,
        "pref 5 table main suppress_prefixlength 0",
        {"options": [["suppress_prefixlength", "0"]]},
        set(),
    ),
    (
        "suppress_ifgroup",
        R4,
        "pref 5 table 5 suppress_ifgroup 5",
        {"options": [["suppress_ifgroup", "5"]]},
        {UNS},
    ),
    (
        "sup_group",
        R4,
        "pref 5 table 5 sup_group 5",
        {"options": [["suppress_ifgroup", "5"]]},
        {UNS},
    ),
    ("realms", R4, "pref 5 table 5 realms 3/4", {"options": [["realms", "3/4"]]}, {UNS}),
    ("realm", R4, "pref 5 table 5 realm 3", {"options": [["realms", "3"]]}, {UNS}),
    (
        "nat",
        R4,
        "from 10.0.0.0/8 pref 5 nat 1.1.1.1",
        {"options": [["nat", "1.1.1.1"]]},
        {"RULE_OBSOLETE"},
    ),
    (
        "map-to",
        R4,
        "from 10.0.0.0/8 pref 5 map-to 1.1.1.1",
        {"options": [["nat", "1.1.1.1"]]},
        {"RULE_OBSOLETE"},
    ),
    ("l3mdev", R4, "pref 1000 l3mdev", {"options": [["l3mdev", ""]]}, set()),
    (
        "protocol",
        R4,
        "pref 5 table 5 protocol static",
        {"options": [["protocol", "static"]]},
        {UNS},
    ),
    ("proto-number", R4, "pref 5 table 5 proto 4", {"options": [["protocol", "4"]]}, {UNS}),
    ("tun_id", R4, "pref 5 table 5 tun_id 5", {"options": [["tun_id", "5"]]}, {UNS}),
    ("no-priority", R4, "from 10.0.0.0/8 table 5", {"priority": None}, {NOPRIO}),
    ("no-table-means-main-left-unset", R4, "from 10.0.0.0/8 pref 5", {"table": None}, set()),
    (
        "host-bits",
        R4,
        "from 192.168.1.5/24 pref 5",
        {"source": "192.168.1.0/24"},
        {"RULE_HOST_BITS"},
    ),
    ("short-form", R4, "to 10/8 pref 5", {"destination": "10.0.0.0/8"}, {FORM}),
    (
        "duplicate-keeps-last",
        R4,
        "from 1.1.1.1 from 1.1.1.2 pref 5",
        {"source": "1.1.1.2/32"},
        {"RULE_DUPLICATE_OPTION"},
    ),
    ("duplicate-alias", R4, "pref 5 table 5 lookup 6", {"table": 6}, {"RULE_DUPLICATE_OPTION"}),
    ("blanks-and-tabs", R4, "\t from 10.0.0.0/8 \tpref 5  ", {"source": "10.0.0.0/8"}, set()),
    ("empty-line-arguments", R4, "pref 5", {"priority": 5}, set()),
]


@pytest.mark.parametrize(
    ("kind", "line", "fields", "expected_codes"),
    [c[1:] for c in ACCEPTED],
    ids=[c[0] for c in ACCEPTED],
)
def test_accepted(
    kind: FileKind, line: str, fields: dict[str, Any], expected_codes: set[str]
) -> None:
    rf = parse(line + "\n", kind)
    assert len(rf.rules) == 1, [str(f) for f in rf.findings]
    got = rf.rules[0].to_json()
    for name, value in fields.items():
        assert got.get(name) == value, (name, got)
    assert {f.code for f in rf.findings} == expected_codes, [str(f) for f in rf.findings]


# (id, kind, text, code, line, column, severity, rules kept)
REJECTED: list[tuple[str, FileKind, str, str, int, int, Severity, int]] = [
    ("unknown-keyword", R4, "from all flowlabel 5", SYN, 1, 10, E, 0),
    ("trailing-comment", R4, "from all table 5 # x", SYN, 1, 18, E, 0),
    ("missing-value", R4, "from 1.1.1.1 lookup", SYN, 1, 20, E, 0),
    ("bare-address", R4, "1.1.1.1 table 5", SYN, 1, 1, E, 0),
    ("type-local", R4, "from all type local", SYN, 1, 15, E, 0),
    ("ipv6-in-rule", R4, "from 2001:db8::/64 table 5", FAM, 1, 6, E, 0),
    ("ipv4-in-rule6", R6, "to 10.0.0.0/8 table 5", FAM, 1, 4, E, 0),
    ("bad-prefix", R4, "from 10.0.0.0/33 table 5", BAD, 1, 6, E, 0),
    ("bad-priority", R4, "from all prio high", BAD, 1, 15, E, 0),
    ("priority-overflow", R4, "from all prio 4294967296", BAD, 1, 15, E, 0),
    ("bad-fwmark", R4, "fwmark 0x10/ table 5", BAD, 1, 8, E, 0),
    ("bad-tos", R4, "tos 0x100 table 5", BAD, 1, 5, E, 0),
    ("uidrange-reversed", R4, "uidrange 200-100 table 5", BAD, 1, 10, E, 0),
    ("uidrange-single", R4, "uidrange 200 table 5", BAD, 1, 10, E, 0),
    ("port-too-big", R4, "sport 70000 table 5", BAD, 1, 7, E, 0),
    ("suppress-negative", R4, "table 5 suppress_prefixlength -1", BAD, 1, 31, E, 0),
    ("bad-iif", R4, "iif a/b table 5", BAD, 1, 5, E, 0),
    ("bad-table", R4, "from all table a:b", BAD, 1, 16, E, 0),
    ("table-overflow", R4, "from all table 4294967296", BAD, 1, 16, E, 0),
    ("nat-ipv6", R4, "from all nat ::1", BAD, 1, 14, E, 0),
    ("bad-ipproto", R4, "ipproto t/cp table 5", BAD, 1, 9, E, 0),
    ("table-name-warning", R4, "from all lookup vpn pref 5", "RULE_TABLE_NAME", 1, 17, W, 1),
    ("duplicate-info", R4, "pref 5 pref 6", "RULE_DUPLICATE_OPTION", 1, 8, INF, 1),
    ("no-priority-info", R4, "  from all table 5", NOPRIO, 1, 3, INF, 1),
    ("crlf", R4, "from all pref 5\r\n", "RULE_CRLF", 1, 0, W, 1),
    (
        "bad-line-among-good",
        R4,
        "# x\nfrom all pref 5\n\nfrom all lookup\npref 6",
        SYN,
        4,
        16,
        E,
        2,
    ),
]


@pytest.mark.parametrize(
    ("kind", "text", "code", "line", "column", "severity", "kept"),
    [c[1:] for c in REJECTED],
    ids=[c[0] for c in REJECTED],
)
def test_findings(
    kind: FileKind, text: str, code: str, line: int, column: int, severity: Severity, kept: int
) -> None:
    rf = parse(text, kind)
    matching = [f for f in rf.findings if f.code == code]
    assert matching, [str(f) for f in rf.findings]
    f = matching[0]
    assert (f.position.file, f.position.line, f.position.column) == ("rule-x", line, column), str(f)
    assert f.severity is severity
    assert len(rf.rules) == kept
    assert "`" in f.message or code == "RULE_CRLF"
    if severity is E:
        assert sum(x.severity is E for x in rf.findings) == 1, "one error per lost line"


def test_not_utf8() -> None:
    rf = parse_rule_file(b"iif \xe9th0 pref 5\n", "rule-x", R4)
    assert [f.code for f in rf.findings] == ["RULE_NOT_UTF8"]
    assert rf.rules[0].iif == "\ufffdth0"


def test_empty_file() -> None:
    rf = parse("# only a comment\n\n")
    assert rf.rules == () and rf.findings == ()


# --- VDSM's own files (spec/vdsm-formats.md §1.7) ---------------------------------------------

VDSM_RULE_OVIRTMGMT = (
    "# Generated by VDSM version 4.30.46.1\n"
    "from 192.168.1.0/24 prio 32000 table 3232235786\n"
    "from all to 192.168.1.0/24 dev ovirtmgmt prio 32000 table 3232235786\n"
)


def test_vdsm_rule_file() -> None:
    rf = parse(VDSM_RULE_OVIRTMGMT)
    assert rf.ownership.owner is Owner.VDSM
    assert rf.ownership.vdsm_version == "4.30.46.1"
    assert rf.findings == ()
    assert [r.to_json() for r in rf.rules] == [
        {
            "family": 4,
            "priority": 32000,
            "source": "192.168.1.0/24",
            "table": 3232235786,
            "line": 2,
        },
        {
            "family": 4,
            "priority": 32000,
            "destination": "192.168.1.0/24",
            "table": 3232235786,
            "iif": "ovirtmgmt",
            "line": 3,
        },
    ]


def test_vdsm_rule_file_before_4_30_has_no_priority() -> None:
    text = VDSM_RULE_OVIRTMGMT.replace(" prio 32000", "")
    rf = parse(text)
    assert [r.priority for r in rf.rules] == [None, None]
    assert [(f.code, f.position.line) for f in rf.findings] == [(NOPRIO, 2), (NOPRIO, 3)]


def test_vdsm_rule_file_before_4_15_has_no_header() -> None:
    assert parse(VDSM_RULE_OVIRTMGMT.split("\n", 1)[1]).ownership.owner is Owner.FOREIGN


# --- robustness -------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "from",
        "to",
        "all",
        "any",
        "not",
        "pref",
        "prio",
        "table",
        "lookup",
        "main",
        "iif",
        "dev",
        "oif",
        "fwmark",
        "tos",
        "goto",
        "nop",
        "type",
        "blackhole",
        "unicast",
        "nat",
        "uidrange",
        "sport",
        "dport",
        "ipproto",
        "l3mdev",
        "realms",
        "10.0.0.0/8",
        "10/8",
        "1.2.3.4",
        "192.168.1.5/24",
        "2001:db8::/64",
        "0x10/0xff",
        "100-200",
        "-1",
        "4294967296",
        "eth0",
        "#",
        "\u00e9",
        "a/b",
    ]
)
_TEXT = st.lists(st.lists(_WORDS, max_size=10).map(" ".join), max_size=6).map("\n".join)


def check_invariants(rf: RuleFile) -> None:
    for r in rf.rules:
        for prefix in (r.source, r.destination):
            if prefix is not None:
                net = ipaddress.ip_network(prefix, strict=True)
                assert str(net) == prefix and net.version == r.family
        assert r.position.line >= 1 and r.position.column >= 1
    for f in rf.findings:
        assert f.position.line >= 0 and f.position.column >= 0 and f.message
        if f.code.startswith("RULE_"):
            assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in f.message)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.binary(max_size=300), kind=st.sampled_from([R4, R6]))
def test_fuzz_bytes(data: bytes, kind: FileKind) -> None:
    check_invariants(parse_rule_file(data, "rule-x", kind))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=st.one_of(st.text(max_size=200), _TEXT), kind=st.sampled_from([R4, R6]))
def test_fuzz_words(text: str, kind: FileKind) -> None:
    check_invariants(parse(text, kind))


# --- ip rule itself, in a throw-away network namespace ----------------------------------------

ORACLE_LINES = [
    "from 192.168.1.0/24 prio 32000 table 3232235786",
    "from all to 192.168.1.0/24 dev ovirtmgmt prio 32000 table 3232235786",
    "from 192.168.1.5/24 table 5",
    "to 10/8 lookup 7",
    "fwmark 0x10/0xff table 8 pref 100",
    "not from 1.2.3.4 table 9 order 102",
    "from 1.2.3.0/24 blackhole",
    "from 1.2.6.0/24 type prohibit",
    "from 1.2.7.0/24 goto 32766 pref 10",
    "from 1.2.8.0/24 nop",
    "from 1.2.9.0/24 nat 1.1.1.1",
    "ipproto tcp sport 80 dport 1000-2000 table 10",
    "uidrange 100-200 table 11",
    "table 12 suppress_prefixlength 0",
    "table 13 suppress_ifgroup 5",
    "realms 3/4 table 14",
    "l3mdev pref 1000",
    "iif lo oif eth0 table 15 protocol static",
    "dsfield 10 table 17",
    "from 2001:db8::/64 table 18",
    "from 1.1.1.1 table main",
    "from 1.1.1.3 table 5 table 6",
    "tun_id 5 table 19",
    "from 1.1.1.7 lookup 21 prio 0x20",
    "from 1.1.1.9 table 23 # x",
    "from 1.1.1.10 flowlabel 5 table 1",
    "uidrange 200-100 table 26",
    "suppress_prefixlength -1 table 27",
    "from all table 29 not",
    "from all table 4294967296",
    "from 1.1.1.11 type local",
    "iif abcdefghijklmnopq table 5",
    "fwmark 0x10/ table 5",
    "tos 0x100 table 5",
    "from 10.0.0.0/33 table 5",
    "uidrange 5 table 5",
    "from any table 30",
]
ORACLE_LINES6 = [
    "from 2001:db8::5/64 table 30",
    "from 2001:db8::/64 tos 0x10 table 31",
    "from 10.0.0.0/8 table 5",
    "to all iif eth0 lookup main pref 7",
]


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10, check=False)


@pytest.fixture(scope="module")
def netns() -> Iterator[str]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2")
    name = f"i2nm-rule-{uuid.uuid4().hex[:8]}"
    if _ip("netns", "add", name).returncode != 0:
        pytest.skip("cannot create a network namespace")
    try:
        yield name
    finally:
        _ip("netns", "del", name)


@pytest.mark.parametrize(
    ("family", "line"),
    [(4, line) for line in ORACLE_LINES] + [(6, line) for line in ORACLE_LINES6],
)
def test_ip_rule_agrees(netns: str, family: int, line: str) -> None:
    rf = parse(line, R6 if family == 6 else R4)
    result = _ip("-n", netns, f"-{family}", "rule", "add", *line.split())
    predicted = not any(f.severity is E for f in rf.findings)
    assert (result.returncode == 0) == predicted, (result.stderr, [str(f) for f in rf.findings])
