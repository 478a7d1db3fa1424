"""route-<name> and route6-<name> files: both syntaxes, read as the host read them.

initscripts ran each line as ``ip -4|-6 route add <line>`` (the ``ADDRESSn=``
form it turned into such lines itself), so what iproute2 accepts decides what
the host had. NetworkManager's ifcfg-rh reader accepts a slightly different
set; where the two disagree the finding says so, and the entry keeps iproute2's
meaning. A line neither reads is skipped with an error, the rest of the file is
kept (both readers do that).

Options keep iproute2's keyword as name (``metric``/``priority``/``preference``
all become the ``metric`` field, ``dsfield`` becomes ``tos``, ``oif`` becomes
``dev``) and a normalized value (numbers in decimal, addresses canonical). A
locked metric is named ``lock <name>`` (``("lock mtu", "1400")``); a flag has
the value ``""``; each multipath next hop is one ``("nexthop", "via A dev D
weight W")`` option.

Fast path: most lines are VDSM's (``<prefix> via <addr> dev <name> table <n>``).
An IPv4 line made only of a plain destination (dotted quad with an optional
decimal length and no host bits, or ``default``) followed by ``via``, ``src``,
``dev``, ``table``, ``metric`` with plain values (dotted quads, decimals up to
2**32-1, printable ASCII names without ``/``), each at most once, reads without
any finding, so one regular expression recognizes it and the entry is built
directly. Anything else goes through the grammar; tests/parser/test_route_rule_fastpath.py
checks that both give the same entry.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from lark import Lark, Token, Tree

from ifcfg2nm.findings import Finding, FindingCode, Position, Severity, define
from ifcfg2nm.parser.documents import (
    Assignment,
    FileKind,
    RouteEntry,
    RouteFile,
    ShellFile,
)
from ifcfg2nm.parser.iproute import (
    PLAIN_IFNAME,
    PLAIN_IPV4,
    PLAIN_NUMBER,
    PLAIN_PREFIX4,
    U32_MAX,
    Prefix,
    SyntaxProblem,
    netmask_length,
    one_line,
    parse_address,
    parse_hex,
    parse_prefix,
    parse_uint,
    parse_words,
    plain_decimal,
    plain_prefix4,
    split_lines,
    valid_ifname,
)
from ifcfg2nm.parser.ownership import detect_ownership
from ifcfg2nm.parser.shell import parse_shell_file

ROUTE_SYNTAX = define(
    "ROUTE_SYNTAX", Severity.ERROR,
    "a route line that neither ip route nor NetworkManager can read",
    "Fix or delete the line: the route was never installed, and is not migrated.",
)
ROUTE_BAD_VALUE = define(
    "ROUTE_BAD_VALUE", Severity.ERROR,
    "a route attribute has a value ip route (or the kernel) rejects",
    "Fix the value: the route was never installed, and is not migrated.",
)
ROUTE_FAMILY_MISMATCH = define(
    "ROUTE_FAMILY_MISMATCH", Severity.ERROR,
    "an address of the other IP family (IPv6 in route-, IPv4 in route6-)",
    "Move the route to the file of its family (route- for IPv4, route6- for IPv6).",
)
ROUTE_HOST_BITS = define(
    "ROUTE_HOST_BITS", Severity.ERROR,
    "the destination has bits set beyond its prefix length",
    "Write the network address (e.g. 192.168.1.0/24): the kernel refuses such IPv4 routes.",
)
ROUTE_DUPLICATE_OPTION = define(
    "ROUTE_DUPLICATE_OPTION", Severity.WARNING,
    "an option is given twice on one route line",
    "Remove one: ip route used the last value, NetworkManager's reader drops the whole line.",
)
ROUTE_IP_REJECTS = define(
    "ROUTE_IP_REJECTS", Severity.WARNING,
    "NetworkManager's reader accepts this line but ip route rejects it",
    "initscripts never installed this route; migrating it adds a route the host did not have.",
)
ROUTE_NM_READER_DIFFERS = define(
    "ROUTE_NM_READER_DIFFERS", Severity.INFO,
    "ip route reads this line, NetworkManager's ifcfg-rh reader would not (or differently)",
    "ifcfg2nm converts it as ip route read it; this matters only if NetworkManager reads the file.",
)
ROUTE_UNSUPPORTED_BY_NM = define(
    "ROUTE_UNSUPPORTED_BY_NM", Severity.WARNING,
    "a route attribute or type NetworkManager cannot express",
    "It is dropped on migration; recreate it with a dispatcher script if it matters.",
)
ROUTE_MULTIPATH = define(
    "ROUTE_MULTIPATH", Severity.ERROR,
    "a multipath route (nexthop …)",
    "NetworkManager cannot take nexthop lists; for IPv4 ECMP, write one route per next hop "
    "with the same destination, table and metric and a weight.",
)
ROUTE_OBSOLETE = define(
    "ROUTE_OBSOLETE", Severity.ERROR,
    "route NAT (type nat, as …) is no longer supported by the kernel",
    "Delete the line: the kernel refused it, so the route never existed.",
)
ROUTE_NO_EFFECT = define(
    "ROUTE_NO_EFFECT", Severity.WARNING,
    "an attribute the kernel accepted but ignored",
    "Delete it: it never had an effect, and is not migrated.",
)
ROUTE_TABLE_NAME = define(
    "ROUTE_TABLE_NAME", Severity.WARNING,
    "the route table is given by a name from /etc/iproute2/rt_tables",
    "The name must be resolved through the host's rt_tables; NetworkManager takes numbers only.",
)
ROUTE_ADDRESS_FORM = define(
    "ROUTE_ADDRESS_FORM", Severity.INFO,
    "an address or number written in a form only iproute2 reads (10/8, 010.0.0.1, 0x1a)",
    "Write it as a plain dotted quad and decimal numbers; ifcfg2nm uses iproute2's reading.",
)
ROUTE_CRLF = define(
    "ROUTE_CRLF", Severity.WARNING,
    "the file has CRLF line ends",
    "ip route saw a trailing \\r in the last word of each line and rejected it; convert the "
    "file to LF line ends. ifcfg2nm reads the lines without \\r.",
)
ROUTE_NOT_UTF8 = define(
    "ROUTE_NOT_UTF8", Severity.WARNING,
    "the file is not valid UTF-8",
    "Fix the encoding; undecodable bytes were read as U+FFFD.",
)
ROUTE_KEYS_GAP = define(
    "ROUTE_KEYS_GAP", Severity.WARNING,
    "an ADDRESSn route after a gap in the numbering is ignored",
    "Number the routes from 0 without gaps: initscripts and NetworkManager stop at the first gap.",
)
ROUTE_KEYS_NO_ADDRESS0 = define(
    "ROUTE_KEYS_NO_ADDRESS0", Severity.WARNING,
    "a key-form route file without ADDRESS0 installs no route at all",
    "Renumber the routes from 0: initscripts and NetworkManager read nothing from this file.",
)
ROUTE_KEYS_NO_NETMASK = define(
    "ROUTE_KEYS_NO_NETMASK", Severity.WARNING,
    "ADDRESSn has no NETMASKn",
    "Add NETMASKn: initscripts used the classful default (ipcalc), NetworkManager skips the route.",
)
ROUTE_BAD_NETMASK = define(
    "ROUTE_BAD_NETMASK", Severity.ERROR,
    "NETMASKn is not a contiguous IPv4 netmask",
    "Fix the netmask (e.g. 255.255.255.0); the route was not installed and is not migrated.",
)
ROUTE_KEYS_UNKNOWN = define(
    "ROUTE_KEYS_UNKNOWN", Severity.INFO,
    "a key in a key-form route file that is not ADDRESSn/NETMASKn/GATEWAYn/METRICn/OPTIONSn",
    "Nothing reads it; delete it.",
)

_TABLES = {"main": 254, "local": 255, "default": 253, "unspec": 0}
_SCOPES = {"host", "link", "global", "universe", "site", "nowhere"}
_NM_TYPES = {"unicast", "local", "throw", "unreachable", "prohibit", "blackhole"}
_NM_METRICS = {"mtu", "advmss", "window", "cwnd", "initcwnd", "initrwnd", "rto_min"}
_TIME = re.compile(r"([0-9]+(?:\.[0-9]*)?)(s|sec|secs|ms|msec|msecs)?\Z")
_ALIASES = {
    "priority": "metric", "preference": "metric", "dsfield": "tos", "oif": "dev",
    "protocol": "proto", "realm": "realms",
}
_NAME = re.compile(r"[A-Za-z0-9_.-]+\Z")
_KEY_LINE = re.compile(rb"^[ \t\r\f\v]*ADDRESS[0-9]+=", re.M)
_KEY = re.compile(r"(ADDRESS|NETMASK|GATEWAY|METRIC|OPTIONS)(0|[1-9][0-9]*)\Z")
_UNSUPPORTED_WORDS = {
    "encap": "lightweight tunnel encapsulation (`encap`) is not supported",
    "mpath": "the multipath algorithm (`mpath`) is not supported",
    "equalize": "`equalize` is not supported",
}
_NOT_IN_OPTIONS = {"to", "via", "metric", "priority", "preference"}
_FAST_LINE = re.compile(
    rf"[ \t]*(default|{PLAIN_PREFIX4})"
    rf"((?:[ \t]+(?:(?:via|src)[ \t]+{PLAIN_IPV4}|dev[ \t]+{PLAIN_IFNAME}|(?:table|metric)[ \t]+{PLAIN_NUMBER}))*)"
    r"[ \t]*"
)


@functools.cache
def _parser() -> Lark:
    return Lark.open("route.lark", rel_to=__file__, parser="lalr", lexer="contextual",
                     keep_all_tokens=True)


def _tokens(item: Tree[Token]) -> list[Token]:
    return [c for c in item.children if isinstance(c, Token)]


@dataclass
class _Line:
    """One route being read: its fields so far and its findings."""

    path: str
    line: int
    family: int
    column_offset: int = 0
    """Added to token columns (an OPTIONSn value starts inside its line)."""
    findings: list[Finding] = field(default_factory=list)
    failed: bool = False
    destination: Prefix | None = None
    dest_token: Token | None = None
    gateway: str | None = None
    device: str | None = None
    metric: int | None = None
    table: int | None = None
    table_name: str | None = None
    source: str | None = None
    rtype: str = "unicast"
    options: list[tuple[str, str]] = field(default_factory=list)
    seen: dict[str, Token] = field(default_factory=dict)
    nm_note: str | None = None

    def at(self, token: Token | None) -> Position:
        column = token.column if token is not None and isinstance(token.column, int) else 1
        return Position(self.path, self.line, column + self.column_offset)

    def report(self, code: FindingCode, token: Token | None, message: str,
               severity: Severity | None = None) -> None:
        self.findings.append(code(self.at(token), one_line(message), severity=severity))

    def fail(self, code: FindingCode, token: Token | None, message: str) -> None:
        """The route is lost: only the first reason is reported, always as an error."""
        if not self.failed:
            self.report(code, token, message, Severity.ERROR)
        self.failed = True

    def nm_differs(self, why: str) -> None:
        if self.nm_note is None:
            self.nm_note = why

    def once(self, name: str, token: Token) -> None:
        old = self.seen.get(name)
        if old is not None:
            self.report(ROUTE_DUPLICATE_OPTION, token,
                        f"`{token}` repeats `{old}` of column {old.column}; ip route used the last"
                        " one")
            self.options = [o for o in self.options if o[0] not in (name, f"lock {name}")]
        self.seen[name] = token

    def option(self, name: str, value: str) -> None:
        self.options.append((name, value))


def _kv(key: str, value: object) -> str:
    """``key value`` as on an ip line, ``KEYn=value`` for the key form."""
    return f"{key}{value}" if key.endswith("=") else f"{key} {value}"


def _number(ln: _Line, key: str, token: Token, limit: int = 0xFFFF_FFFF) -> int | None:
    value = parse_uint(str(token), limit)
    if value is None:
        ln.fail(ROUTE_BAD_VALUE, token, f"`{_kv(key, token)}`: not a number from 0 to {limit}")
    elif not plain_decimal(str(token)):
        ln.nm_differs(f"`{_kv(key, token)}` is not a plain decimal number (ip route read {value})")
    return value


def _address(ln: _Line, key: str, token: Token, family: int | None = None) -> str | None:
    want = family or ln.family
    parsed = parse_address(str(token))
    if parsed is None:
        ln.fail(ROUTE_BAD_VALUE, token, f"`{_kv(key, token)}`: not an IPv{want} address")
        return None
    address, plain = parsed
    if address.version != want:
        ln.fail(ROUTE_FAMILY_MISMATCH, token,
                f"`{_kv(key, token)}`: an IPv{address.version} address in an IPv{want} route")
        return None
    if not plain:
        ln.report(ROUTE_ADDRESS_FORM, token, f"`{token}` means {address} to ip route")
        ln.nm_differs(f"`{token}` is not a plain address")
    return str(address)


def _prefix(ln: _Line, token: Token) -> Prefix | None:
    text = str(token)
    p = parse_prefix(text, ln.family)
    if p is None:
        ln.fail(ROUTE_BAD_VALUE, token, f"`{text}`: not an IPv{ln.family} prefix")
        return None
    if p.family != ln.family:
        ln.fail(ROUTE_FAMILY_MISMATCH, token,
                f"`{text}`: an IPv{p.family} prefix in an IPv{ln.family} route file")
        return None
    if text == "all":
        ln.nm_differs("destination `all` (NetworkManager's reader knows only `default`)")
    elif not p.plain and text != "default":
        ln.report(ROUTE_ADDRESS_FORM, token, f"`{text}` means {p.network} to ip route")
        ln.nm_differs(f"`{text}` is not written as address/decimal length")
    return p


def _destination(ln: _Line, token: Token) -> None:
    word = str(token)
    if ln.dest_token is not None:
        if word.startswith("#"):
            why = "a comment may only start a line (ip route took it as a second destination)"
        elif word in _UNSUPPORTED_WORDS:
            why = _UNSUPPORTED_WORDS[word]
        elif "=" in word:
            why = "a KEY=value word in an ip-form line (the ADDRESSn= form is for route- files)"
        else:
            why = f"a second destination after `{ln.dest_token}`, or an unknown keyword"
        ln.fail(ROUTE_SYNTAX, token, f"`{word}`: {why}")
        return
    ln.dest_token = token
    if word in _UNSUPPORTED_WORDS:
        ln.fail(ROUTE_SYNTAX, token, f"`{word}`: {_UNSUPPORTED_WORDS[word]}")
        return
    ln.destination = _prefix(ln, token)


def _route_type(ln: _Line, token: Token) -> None:
    ln.once("type", token)
    name = str(token)
    if name == "nat":
        ln.fail(ROUTE_OBSOLETE, token, "route type `nat`: the kernel refuses route NAT")
        return
    if name not in _NM_TYPES:
        ln.report(ROUTE_UNSUPPORTED_BY_NM, token, f"route type `{name}`")
    ln.rtype = name


def _table(ln: _Line, key: Token, token: Token) -> None:
    text = str(token)
    if text in _TABLES:
        ln.table = _TABLES[text]
        ln.nm_differs(f"table name `{text}` (NetworkManager's reader takes numbers)")
        return
    number = parse_uint(text)
    if number is not None:
        ln.table = number
        if not plain_decimal(text):
            ln.nm_differs(f"`table {text}` is not decimal (ip route read {number})")
        return
    if not _NAME.match(text) or text[0].isdigit():
        ln.fail(ROUTE_BAD_VALUE, token, f"`{key} {text}`: not a 32-bit table number or a name")
        return
    ln.table_name = text
    ln.report(ROUTE_TABLE_NAME, token, f"`{key} {text}`: a table named in /etc/iproute2/rt_tables")


def _time_ms(text: str) -> int | None:
    """iproute2's ``get_time_rtt``: seconds with an ``s`` unit, else milliseconds."""
    m = _TIME.match(text)
    if not m:
        return None
    value = float(m.group(1))
    unit = m.group(2) or "ms"
    ms = int(value * 1000 if unit.startswith("s") else value)
    return ms if ms <= 0xFFFF_FFFF else None


def _choice(ln: _Line, key: str, token: Token, allowed: Sequence[str]) -> bool:
    if str(token) in allowed:
        return True
    ln.fail(ROUTE_BAD_VALUE, token, f"`{key} {token}`: not one of {', '.join(allowed)}")
    return False


def _attr(ln: _Line, key_token: Token, token: Token) -> None:
    key = str(key_token)
    name = _ALIASES.get(key, key)
    value = str(token)
    ln.once(name, key_token)
    if key in _ALIASES and name in ("metric", "tos", "dev"):
        ln.nm_differs(f"`{key}` (NetworkManager's reader knows only `{name}`)")
    if name == "metric":
        ln.metric = _number(ln, key, token)
    elif name == "table":
        _table(ln, key_token, token)
    elif name == "src":
        ln.source = _address(ln, key, token)
    elif name == "from":
        p = parse_prefix(value, ln.family)
        if p is None or p.family != ln.family:
            ln.fail(ROUTE_BAD_VALUE if p is None else ROUTE_FAMILY_MISMATCH, token,
                    f"`from {value}`: not an IPv{ln.family} prefix")
            return
        ln.option("from", str(p.network))
        if ln.family == 4:
            ln.report(ROUTE_NO_EFFECT, key_token,
                      f"`from {value}`: IPv4 routes have no source prefix, the kernel ignored it")
    elif name == "tos":
        tos = parse_hex(value)
        if tos is None:
            ln.fail(ROUTE_BAD_VALUE, token, f"`{key} {value}`: not a hexadecimal TOS from 00 to ff")
        elif tos & 3:
            ln.fail(ROUTE_BAD_VALUE, token, f"`{key} {value}`: ECN bits set, the kernel refuses it")
        elif ln.family == 6:
            ln.fail(ROUTE_BAD_VALUE, key_token, f"`{key}`: the kernel refuses a TOS on IPv6 routes")
        else:
            ln.option("tos", str(tos))
    elif name == "scope":
        number = parse_uint(value, 255)
        if value not in _SCOPES and number is None:
            ln.fail(ROUTE_BAD_VALUE, token,
                    f"`scope {value}`: not host, link, global, site, nowhere or 0-255")
            return
        ln.option("scope", value if number is None else str(number))
        if ln.family == 6:
            ln.report(ROUTE_UNSUPPORTED_BY_NM, key_token, "`scope` on an IPv6 route", Severity.INFO)
    elif name in ("dev", "vrf"):
        if not valid_ifname(value):
            ln.fail(ROUTE_BAD_VALUE, token, f"`{key} {value}`: not a valid device name")
        elif name == "dev":
            ln.device = value
        else:
            ln.option("vrf", value)
            ln.report(ROUTE_UNSUPPORTED_BY_NM, key_token,
                      f"`vrf {value}`: put the route in the VRF's profile instead")
    elif name in ("proto", "realms"):
        parts = [value] if name == "proto" else value.split("/", 1)
        if not all(_NAME.match(p) for p in parts):
            ln.fail(ROUTE_BAD_VALUE, token, f"`{key} {value}`: not a {name} number or name")
            return
        ln.option(name, value)
        ln.report(ROUTE_UNSUPPORTED_BY_NM, key_token, f"`{key} {value}`",
                  Severity.INFO if name == "proto" else None)
    elif name in ("expires", "nhid"):
        if _number(ln, key, token) is not None:
            ln.option(name, str(parse_uint(value)))
            if name == "expires":
                ln.report(ROUTE_UNSUPPORTED_BY_NM, key_token, f"`expires {value}`")
            else:
                ln.report(ROUTE_UNSUPPORTED_BY_NM, key_token,
                          f"`nhid {value}`: the next hop is a nexthop object defined elsewhere",
                          Severity.ERROR)
    elif name == "pref":
        if _choice(ln, key, token, ("low", "medium", "high")):
            ln.option(name, value)
            ln.report(ROUTE_UNSUPPORTED_BY_NM, key_token, f"`pref {value}` (router preference)")
    elif name in ("quickack", "fastopen_no_cookie"):
        if _choice(ln, key, token, ("0", "1")):
            ln.option(name, value)
            if name != "quickack":
                ln.report(ROUTE_UNSUPPORTED_BY_NM, key_token, f"`{key} {value}`")
    elif name in ("features", "ttl-propagate"):
        allowed = ("ecn",) if name == "features" else ("enabled", "disabled")
        if _choice(ln, key, token, allowed):
            ln.option(name, value)
            ln.report(ROUTE_UNSUPPORTED_BY_NM, key_token, f"`{key} {value}`")
    elif name == "weight":
        weight = parse_uint(value, 256)
        if not weight:
            ln.fail(ROUTE_BAD_VALUE, token, f"`weight {value}`: not a number from 1 to 256")
            return
        ln.option(name, str(weight))
        ln.report(ROUTE_IP_REJECTS, key_token,
                  "`weight` outside `nexthop`: ip route rejected the line, the route never existed")


def _metric(ln: _Line, key_token: Token, locked: Token | None, token: Token) -> None:
    key = str(key_token)
    value = str(token)
    ln.once(key, key_token)
    if key == "congctl":
        if not _NAME.match(value):
            ln.fail(ROUTE_BAD_VALUE, token, f"`congctl {value}`: not a congestion control name")
            return
        normalized = value
    elif key in ("rto_min", "rtt", "rttvar"):
        ms = _time_ms(value)
        if ms is None:
            ln.fail(ROUTE_BAD_VALUE, token, f"`{key} {value}`: not a time (N, Nms or Ns)")
            return
        if key == "rto_min" and locked is not None:
            ln.fail(ROUTE_SYNTAX, locked, "`rto_min lock`: ip route takes no `lock` here")
            return
        if key == "rto_min" and not plain_decimal(value):
            ln.nm_differs(f"`rto_min {value}` has a unit (NetworkManager's reader takes a number)")
        normalized = str(ms)
    else:
        number = _number(ln, key, token)
        if number is None:
            return
        normalized = str(number)
    ln.option(f"lock {key}" if locked is not None else key, normalized)
    if key not in _NM_METRICS:
        ln.report(ROUTE_UNSUPPORTED_BY_NM, key_token, f"`{key}`")


def _via(ln: _Line, tokens: list[Token]) -> str | None:
    """``via [inet|inet6] ADDRESS``; returns the canonical gateway."""
    value = tokens[-1]
    want = ln.family
    if len(tokens) == 3:
        family = tokens[1]
        want = 6 if str(family) == "inet6" else 4
        ln.nm_differs(f"`via {family}` (NetworkManager's reader takes no family word)")
        if want != ln.family:
            ln.report(ROUTE_UNSUPPORTED_BY_NM, family,
                      f"`via {family} {value}`: a next hop of the other family")
    return _address(ln, "via", value, want)


def _nexthop(ln: _Line, item: Tree[Token]) -> None:
    words: list[str] = []
    for sub in item.children:
        if not isinstance(sub, Tree):
            continue
        tokens = _tokens(sub)
        if sub.data == "via":
            gateway = _via(ln, tokens)
            words += ["via", gateway or str(tokens[-1])]
        elif sub.data == "flag":
            words.append(str(tokens[0]))
        else:
            key, value = tokens
            if str(key) == "dev" and not valid_ifname(str(value)):
                ln.fail(ROUTE_BAD_VALUE, value, f"`dev {value}`: not a valid device name")
            elif str(key) == "weight" and not parse_uint(str(value), 256):
                ln.fail(ROUTE_BAD_VALUE, value, f"`weight {value}`: not a number from 1 to 256")
            words += [str(key), str(value)]
    ln.option("nexthop", " ".join(words))


def _read_items(ln: _Line, tree: Tree[Token], options_only: bool = False) -> None:
    items = [c for c in tree.children if isinstance(c, Tree)]
    nexthops: list[Token] = []
    for index, item in enumerate(items):
        tokens = _tokens(item)
        kind = item.data
        if options_only and (kind == "bare_dest" or str(tokens[0]) in _NOT_IN_OPTIONS):
            ln.fail(ROUTE_SYNTAX, tokens[0],
                    f"`{tokens[0]}` in OPTIONSn: destination, gateway and metric have own keys")
            continue
        if kind == "bare_dest":
            _destination(ln, tokens[0])
        elif kind == "to_dest":
            if len(tokens) == 3:
                _route_type(ln, tokens[1])
                ln.nm_differs(f"a route type after `to` (`{tokens[1]}`)")
            _destination(ln, tokens[-1])
        elif kind == "route_type":
            _route_type(ln, tokens[0])
            following = items[index + 1].data if index + 1 < len(items) else None
            if following != "bare_dest" or ln.dest_token is not None:
                ln.report(ROUTE_IP_REJECTS, tokens[0],
                          f"`{tokens[0]}`: ip route takes a route type only just before the"
                          " destination")
        elif kind == "via":
            ln.once("via", tokens[0])
            if str(tokens[-1]) == "(null)":
                ln.report(ROUTE_IP_REJECTS, tokens[-1],
                          "`via (null)`: NetworkManager reads no gateway, ip route rejected it")
                ln.gateway = None
            else:
                ln.gateway = _via(ln, tokens)
        elif kind == "attr":
            _attr(ln, tokens[0], tokens[1])
        elif kind == "metric":
            _metric(ln, tokens[0], tokens[1] if len(tokens) == 3 else None, tokens[-1])
        elif kind == "lock_first":
            lock, key, value = tokens
            ln.report(ROUTE_IP_REJECTS, lock,
                      f"`lock {key}`: ip route takes `{key} lock N` and rejected the line")
            _metric(ln, key, lock, value)
        elif kind == "flag":
            ln.once(str(tokens[0]), tokens[0])
            ln.option(str(tokens[0]), "")
            if str(tokens[0]) == "pervasive":
                ln.report(ROUTE_IP_REJECTS, tokens[0],
                          "`pervasive` outside `nexthop`: ip route rejected the line")
                ln.report(ROUTE_UNSUPPORTED_BY_NM, tokens[0], "`pervasive`")
        elif kind == "nat_as":
            ln.fail(ROUTE_OBSOLETE, tokens[0], "`as`: the kernel refuses route NAT")
        elif kind == "nexthop":
            nexthops.append(tokens[0])
            _nexthop(ln, item)
    if nexthops and not ln.failed:
        ln.report(ROUTE_MULTIPATH, nexthops[0],
                  f"a multipath route with {len(nexthops)} `nexthop`(s): no single gateway")


def _entry(ln: _Line) -> RouteEntry | None:
    """The route, or None when the line was lost; reports what the whole line shows."""
    if ln.failed:
        return None
    if ln.destination is None or ln.dest_token is None:
        ln.fail(ROUTE_SYNTAX, None, "no destination (a prefix, `to PREFIX` or `default`)")
        return None
    network = ln.destination.network
    if ln.destination.host_bits:
        if ln.family == 4:
            ln.report(ROUTE_HOST_BITS, ln.dest_token,
                      f"`{ln.dest_token}`: ip route rejected it (\"Invalid prefix for given prefix "
                      f"length\"), the host never had it; read as {network}")
        else:
            ln.report(ROUTE_HOST_BITS, ln.dest_token,
                      f"`{ln.dest_token}`: the kernel installed {network}", Severity.INFO)
    if ln.nm_note is not None:
        ln.report(ROUTE_NM_READER_DIFFERS, ln.dest_token,
                  f"NetworkManager's reader would skip it: {ln.nm_note}")
    return RouteEntry(
        family=ln.family,
        destination=str(network),
        position=ln.at(ln.dest_token),
        gateway=ln.gateway,
        device=ln.device,
        metric=ln.metric,
        table=ln.table,
        table_name=ln.table_name,
        source_address=ln.source,
        type=ln.rtype,
        options=tuple(ln.options),
    )


def _fast_entry(text: str, path: str, number: int) -> RouteEntry | None:
    """The route of a plain IPv4 line (see the module docstring); None when the grammar must read it."""
    m = _FAST_LINE.fullmatch(text)
    if m is None:
        return None
    dest = m.group(1)
    destination = "0.0.0.0/0" if dest == "default" else plain_prefix4(dest)
    if destination is None:
        return None
    words = m.group(2).split()
    values = dict(zip(words[::2], words[1::2]))
    if 2 * len(values) != len(words):
        return None  # an option given twice
    metric, table = values.get("metric"), values.get("table")
    if (metric is not None and int(metric) > U32_MAX) or (table is not None and int(table) > U32_MAX):
        return None
    return RouteEntry(
        family=4,
        destination=destination,
        position=Position(path, number, m.start(1) + 1),
        gateway=values.get("via"),
        device=values.get("dev"),
        metric=None if metric is None else int(metric),
        table=None if table is None else int(table),
        source_address=values.get("src"),
    )


def _describe(word: str, previous: str) -> str:
    if not word:
        return f"`{previous}` needs a value" if previous else "nothing to read"
    if previous == "lock":
        return f"`lock {word}`: `lock` goes with mtu, advmss, window, cwnd, initcwnd, initrwnd, …"
    return (f"`{word}` cannot follow `{previous}`: after `nexthop` only via, dev, weight, onlink "
            "and further `nexthop` may follow")


def _words(text: str) -> Tree[Token] | SyntaxProblem:
    return parse_words(_parser(), text, _describe)


def parse_route_file(data: bytes, path: str, kind: FileKind, host_path: str = "") -> RouteFile:
    """Parse a route- or route6- file (``kind`` ROUTE or ROUTE6); never raises for any input."""
    ownership = detect_ownership(data)
    if kind is not FileKind.ROUTE6 and _KEY_LINE.search(data):
        routes, findings = _parse_keys(data, path, host_path)
        return RouteFile(path, kind, tuple(routes), ownership, tuple(findings), host_path, "keys")
    family = 6 if kind is FileKind.ROUTE6 else 4
    split = split_lines(data)
    found: list[Finding] = []
    if split.crlf_line:
        found.append(ROUTE_CRLF(Position(path, split.crlf_line), "the line ends in \\r\\n (CRLF)"))
    if split.bad_utf8_line:
        found.append(ROUTE_NOT_UTF8(Position(path, split.bad_utf8_line), "bytes not in UTF-8"))
    entries: list[RouteEntry] = []
    for line in split.lines:
        fast = _fast_entry(line.text, path, line.number) if family == 4 else None
        if fast is not None:
            entries.append(fast)
            continue
        tree = _words(line.text)
        if isinstance(tree, SyntaxProblem):
            found.append(ROUTE_SYNTAX(Position(path, line.number, tree.column), tree.message))
            continue
        ln = _Line(path, line.number, family)
        _read_items(ln, tree)
        entry = _entry(ln)
        found.extend(ln.findings)
        if entry is not None:
            entries.append(entry)
    return RouteFile(path, kind, tuple(entries), ownership, tuple(found), host_path, "ip")


# --- the ADDRESSn= form ------------------------------------------------------------------------


def _value_column(a: Assignment) -> int:
    """Where the value starts, when its raw text makes it knowable (else the key's column)."""
    start = a.position.column + len(a.key) + 1
    raw = a.raw
    if raw == a.value:
        return start
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == a.value:
        return start + 1
    return a.position.column


def _at_value(ln: _Line, a: Assignment) -> Token:
    """Point the line at an assignment; its value becomes a token with the right column."""
    ln.line = a.position.line
    ln.column_offset = _value_column(a) - 1
    return Token("WORD", a.value, line=1, column=1)


def _parse_keys(data: bytes, path: str, host_path: str) -> tuple[list[RouteEntry], list[Finding]]:
    shell: ShellFile = parse_shell_file(data, path, FileKind.ROUTE, host_path)
    findings: list[Finding] = list(shell.findings)
    last: dict[str, Assignment] = {}
    for a in shell.assignments:
        last[a.key] = a
        if not _KEY.match(a.key):
            findings.append(ROUTE_KEYS_UNKNOWN(a.position, f"`{a.key}` is not a route key"))
    present = {key for key, a in last.items() if a.value != ""}
    numbered = sorted(int(k[7:]) for k in present if k.startswith("ADDRESS") and _KEY.match(k))
    routes: list[RouteEntry] = []
    n = 0
    while f"ADDRESS{n}" in present:
        ln = _Line(path, 0, 4)
        _key_route(ln, n, last)
        entry = _entry(ln)
        findings.extend(ln.findings)
        if entry is not None:
            routes.append(entry)
        n += 1
    orphans = [i for i in numbered if i > n]
    if orphans and n == 0:
        a = last[f"ADDRESS{orphans[0]}"]
        findings.append(ROUTE_KEYS_NO_ADDRESS0(
            a.position, f"no ADDRESS0: `{a.key}` and the other routes are never read"))
    else:
        for i in orphans:
            a = last[f"ADDRESS{i}"]
            findings.append(ROUTE_KEYS_GAP(
                a.position, f"`{a.key}` comes after the gap at ADDRESS{n}: never read"))
    return routes, findings


def _key_route(ln: _Line, n: int, last: dict[str, Assignment]) -> None:
    """Fill ``ln`` from ADDRESSn, NETMASKn, GATEWAYn, METRICn and OPTIONSn."""
    address_a = last[f"ADDRESS{n}"]
    address_token = _at_value(ln, address_a)
    address: str | None = None
    if "/" in address_a.value:
        ln.fail(ROUTE_BAD_VALUE, address_token,
                f"`{address_a.key}={address_a.value}`: the prefix length belongs in NETMASK{n}")
    else:
        address = _address(ln, f"{address_a.key}=", address_token)
    base_offset = ln.column_offset
    length: int | None = None
    mask_a = last.get(f"NETMASK{n}")
    if mask_a is not None and mask_a.value != "":
        mask_token = _at_value(ln, mask_a)
        parsed = parse_address(mask_a.value)
        if parsed is not None and parsed[0].version == 4:
            length = netmask_length(int(parsed[0]))
        if length is None:
            ln.fail(ROUTE_BAD_NETMASK, mask_token,
                    f"`{mask_a.key}={mask_a.value}`: not a contiguous IPv4 netmask")
    elif address is not None:
        first = int(address.split(".")[0])
        length = 8 if first < 128 else 16 if first < 192 else 24 if first < 224 else None
        _at_value(ln, address_a)
        if length is None:
            ln.fail(ROUTE_KEYS_NO_NETMASK, address_token,
                    f"`{address_a.key}={address_a.value}`: no NETMASK{n}, and no classful default")
        else:
            ln.report(ROUTE_KEYS_NO_NETMASK, address_token,
                      f"`{address_a.key}` has no NETMASK{n}: initscripts used /{length},"
                      " NetworkManager skips the route")
    gateway_a = last.get(f"GATEWAY{n}")
    if gateway_a is not None and gateway_a.value != "":
        ln.gateway = _address(ln, f"{gateway_a.key}=", _at_value(ln, gateway_a))
    metric_a = last.get(f"METRIC{n}")
    if metric_a is not None and metric_a.value != "":
        ln.metric = _number(ln, f"{metric_a.key}=", _at_value(ln, metric_a))
    options_a = last.get(f"OPTIONS{n}")
    if options_a is not None and options_a.value.strip(" \t"):
        _at_value(ln, options_a)
        tree = _words(options_a.value)
        if isinstance(tree, SyntaxProblem):
            ln.fail(ROUTE_SYNTAX, Token("WORD", tree.word, line=1, column=tree.column),
                    f"{options_a.key}: {tree.message}")
        else:
            _read_items(ln, tree, options_only=True)
    ln.line = address_a.position.line
    ln.column_offset = base_offset
    if address is not None and length is not None:
        ln.dest_token = address_token
        ln.destination = parse_prefix(f"{address}/{length}", 4)
