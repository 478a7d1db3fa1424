"""route-/route6- parser: one behaviour per case, VDSM's own files, fuzzing, ip itself."""

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
from ifcfg2nm.parser.documents import FileKind, Owner, RouteFile
from ifcfg2nm.parser.route import parse_route_file

R4, R6 = FileKind.ROUTE, FileKind.ROUTE6
E, W, INF = Severity.ERROR, Severity.WARNING, Severity.INFO
NMD, UNS, IPR = "ROUTE_NM_READER_DIFFERS", "ROUTE_UNSUPPORTED_BY_NM", "ROUTE_IP_REJECTS"
FORM, DUP, SYN = "ROUTE_ADDRESS_FORM", "ROUTE_DUPLICATE_OPTION", "ROUTE_SYNTAX"
BAD, FAM, HOST = "ROUTE_BAD_VALUE", "ROUTE_FAMILY_MISMATCH", "ROUTE_HOST_BITS"


def parse(text: str, kind: FileKind = R4) -> RouteFile:
    return parse_route_file(text.encode(), "route-x", kind)


def codes(rf: RouteFile) -> set[str]:
    return {f.code for f in rf.findings}


# (id, kind, line, expected fields of RouteEntry.to_json(), expected finding codes)
ACCEPTED: list[tuple[str, FileKind, str, dict[str, Any], set[str]]] = [
    (
        "bare-destination",
        R4,
        "10.0.0.0/8 via 192.168.1.1",
        {"destination": "10.0.0.0/8", "gateway": "192.168.1.1"},
        set(),
    ),
    ("to-destination", R4, "to 10.0.0.0/8 via 192.168.1.1", {"destination": "10.0.0.0/8"}, set()),
    ("host-ipv4-is-32", R4, "192.168.1.7 dev eth0", {"destination": "192.168.1.7/32"}, set()),
    ("host-ipv6-is-128", R6, "2001:db8::7 dev eth0", {"destination": "2001:db8::7/128"}, set()),
    (
        "ipv6-compressed",
        R6,
        "2001:0db8:0000::/48 via fe80::1",
        {"destination": "2001:db8::/48", "gateway": "fe80::1", "family": 6},
        set(),
    ),
    ("default-ipv4", R4, "default via 192.168.1.1", {"destination": "0.0.0.0/0"}, set()),
    ("default-ipv6", R6, "default via fe80::1 dev eth0", {"destination": "::/0"}, set()),
    ("to-default", R4, "to default via 192.168.1.1", {"destination": "0.0.0.0/0"}, set()),
    ("all-is-default", R4, "all via 192.168.1.1", {"destination": "0.0.0.0/0"}, {NMD}),
    (
        "via-null",
        R4,
        "10.0.0.0/8 via (null) dev eth0",
        {"destination": "10.0.0.0/8", "gateway": None},
        {IPR},
    ),
    ("via-family-word", R4, "10.0.0.0/8 via inet 192.168.1.1", {"gateway": "192.168.1.1"}, {NMD}),
    (
        "via-other-family",
        R4,
        "10.0.0.0/8 via inet6 fe80::1 dev eth0",
        {"gateway": "fe80::1"},
        {NMD, UNS},
    ),
    ("metric", R4, "10.0.0.0/8 dev eth0 metric 100", {"metric": 100}, set()),
    ("metric-max", R4, "10.0.0.0/8 dev eth0 metric 4294967295", {"metric": 4294967295}, set()),
    ("metric-alias-priority", R4, "10.0.0.0/8 dev eth0 priority 7", {"metric": 7}, {NMD}),
    ("metric-alias-preference", R4, "10.0.0.0/8 dev eth0 preference 7", {"metric": 7}, {NMD}),
    ("metric-hex", R4, "10.0.0.0/8 dev eth0 metric 0x10", {"metric": 16}, {NMD}),
    ("metric-octal", R4, "10.0.0.0/8 dev eth0 metric 010", {"metric": 8}, {NMD}),
    ("type-unicast", R4, "unicast 10.0.0.0/8 via 192.168.1.1", {"type": None}, set()),
    ("type-local", R4, "local 10.0.0.0/8 dev eth0", {"type": "local"}, set()),
    ("type-throw", R4, "throw 10.0.0.0/8", {"type": "throw"}, set()),
    ("type-unreachable", R4, "unreachable 10.0.0.0/8", {"type": "unreachable"}, set()),
    ("type-prohibit", R4, "prohibit 10.0.0.0/8", {"type": "prohibit"}, set()),
    ("type-blackhole", R4, "blackhole 10.0.0.0/8", {"type": "blackhole"}, set()),
    ("type-after-to", R4, "to blackhole 10.0.0.0/8", {"type": "blackhole"}, {NMD}),
    ("type-broadcast", R4, "broadcast 10.255.255.255 dev eth0", {"type": "broadcast"}, {UNS}),
    ("type-multicast", R4, "multicast 224.0.0.0/4 dev eth0", {"type": "multicast"}, {UNS}),
    ("type-anycast", R6, "anycast 2001:db8::/64 dev eth0", {"type": "anycast"}, {UNS}),
    ("type-after-destination", R4, "10.0.0.0/8 blackhole", {"type": "blackhole"}, {IPR}),
    ("table-number", R4, "10.0.0.0/8 dev eth0 table 100", {"table": 100}, set()),
    (
        "table-vdsm-ip-integer",
        R4,
        "10.0.0.0/8 dev eth0 table 3232235786",
        {"table": 3232235786},
        set(),
    ),
    ("table-main", R4, "10.0.0.0/8 dev eth0 table main", {"table": 254}, {NMD}),
    ("table-local", R4, "10.0.0.0/8 dev eth0 table local", {"table": 255}, {NMD}),
    ("table-default", R4, "10.0.0.0/8 dev eth0 table default", {"table": 253}, {NMD}),
    ("table-hex", R4, "10.0.0.0/8 dev eth0 table 0x20", {"table": 32}, {NMD}),
    (
        "table-name",
        R4,
        "10.0.0.0/8 dev eth0 table storage",
        {"table": None, "table_name": "storage"},
        {"ROUTE_TABLE_NAME"},
    ),
    ("src", R4, "10.0.0.0/8 dev eth0 src 192.168.1.10", {"source_address": "192.168.1.10"}, set()),
    (
        "src-ipv6",
        R6,
        "2001:db8::/64 dev eth0 src 2001:db8::10",
        {"source_address": "2001:db8::10"},
        set(),
    ),
    (
        "from-ipv6",
        R6,
        "2001:db8::/64 dev eth0 from 2001:db8:1::5/48",
        {"options": [["from", "2001:db8:1::/48"]]},
        set(),
    ),
    (
        "from-ipv4-ignored",
        R4,
        "10.0.0.0/8 dev eth0 from 1.2.3.4",
        {"options": [["from", "1.2.3.4/32"]]},
        {"ROUTE_NO_EFFECT"},
    ),
    ("tos-hex", R4, "10.0.0.0/8 dev eth0 tos 0x10", {"options": [["tos", "16"]]}, set()),
    ("tos-hex-without-0x", R4, "10.0.0.0/8 dev eth0 tos 10", {"options": [["tos", "16"]]}, set()),
    ("dsfield-alias", R4, "10.0.0.0/8 dev eth0 dsfield 10", {"options": [["tos", "16"]]}, {NMD}),
    ("scope-name", R4, "10.0.0.0/8 dev eth0 scope link", {"options": [["scope", "link"]]}, set()),
    ("scope-number", R4, "10.0.0.0/8 dev eth0 scope 0xc8", {"options": [["scope", "200"]]}, set()),
    (
        "scope-ipv6",
        R6,
        "2001:db8::/64 dev eth0 scope link",
        {"options": [["scope", "link"]]},
        {UNS},
    ),
    ("onlink", R4, "10.0.0.0/8 via 1.1.1.1 dev eth0 onlink", {"options": [["onlink", ""]]}, set()),
    *[
        (f"metric-{m}", R4, f"10.0.0.0/8 dev eth0 {m} 1400", {"options": [[m, "1400"]]}, set())
        for m in ("window", "cwnd", "initcwnd", "initrwnd", "mtu", "advmss")
    ],
    *[
        (
            f"metric-{m}-lock",
            R4,
            f"10.0.0.0/8 dev eth0 {m} lock 1400",
            {"options": [[f"lock {m}", "1400"]]},
            set(),
        )
        for m in ("window", "cwnd", "initcwnd", "initrwnd", "mtu", "advmss")
    ],
    ("mtu-hex", R4, "10.0.0.0/8 dev eth0 mtu 0x500", {"options": [["mtu", "1280"]]}, {NMD}),
    (
        "lock-before-key",
        R4,
        "10.0.0.0/8 dev eth0 lock mtu 1400",
        {"options": [["lock mtu", "1400"]]},
        {IPR},
    ),
    ("rto_min-ms", R4, "10.0.0.0/8 dev eth0 rto_min 200", {"options": [["rto_min", "200"]]}, set()),
    (
        "rto_min-unit-ms",
        R4,
        "10.0.0.0/8 dev eth0 rto_min 200ms",
        {"options": [["rto_min", "200"]]},
        {NMD},
    ),
    (
        "rto_min-unit-s",
        R4,
        "10.0.0.0/8 dev eth0 rto_min 1s",
        {"options": [["rto_min", "1000"]]},
        {NMD},
    ),
    ("quickack", R4, "10.0.0.0/8 dev eth0 quickack 1", {"options": [["quickack", "1"]]}, set()),
    (
        "weight-outside-nexthop",
        R4,
        "10.0.0.0/8 via 1.1.1.1 weight 5",
        {"options": [["weight", "5"]]},
        {IPR},
    ),
    ("dev-kept", R4, "10.0.0.0/8 dev ovirtmgmt", {"device": "ovirtmgmt"}, set()),
    ("dev-named-like-keyword", R4, "10.0.0.0/8 dev table", {"device": "table"}, set()),
    ("oif-alias", R4, "10.0.0.0/8 oif eth0", {"device": "eth0"}, {NMD}),
    ("proto", R4, "10.0.0.0/8 dev eth0 proto static", {"options": [["proto", "static"]]}, {UNS}),
    (
        "protocol-number",
        R4,
        "10.0.0.0/8 dev eth0 protocol 250",
        {"options": [["proto", "250"]]},
        {UNS},
    ),
    ("realm", R4, "10.0.0.0/8 dev eth0 realm 5", {"options": [["realms", "5"]]}, {UNS}),
    ("realms-pair", R4, "10.0.0.0/8 dev eth0 realms 1/2", {"options": [["realms", "1/2"]]}, {UNS}),
    ("expires", R6, "2001:db8::/64 dev eth0 expires 100", {"options": [["expires", "100"]]}, {UNS}),
    ("pref", R6, "2001:db8::/64 dev eth0 pref high", {"options": [["pref", "high"]]}, {UNS}),
    *[
        (f"metric-{m}", R4, f"10.0.0.0/8 dev eth0 {m} 5", {"options": [[m, "5"]]}, {UNS})
        for m in ("hoplimit", "reordering", "rtt", "rttvar", "ssthresh")
    ],
    (
        "congctl-lock",
        R4,
        "10.0.0.0/8 dev eth0 congctl lock cubic",
        {"options": [["lock congctl", "cubic"]]},
        {UNS},
    ),
    (
        "features-ecn",
        R4,
        "10.0.0.0/8 dev eth0 features ecn",
        {"options": [["features", "ecn"]]},
        {UNS},
    ),
    (
        "fastopen_no_cookie",
        R4,
        "10.0.0.0/8 dev eth0 fastopen_no_cookie 1",
        {"options": [["fastopen_no_cookie", "1"]]},
        {UNS},
    ),
    (
        "ttl-propagate",
        R4,
        "10.0.0.0/8 dev eth0 ttl-propagate disabled",
        {"options": [["ttl-propagate", "disabled"]]},
        {UNS},
    ),
    ("vrf", R4, "10.0.0.0/8 dev eth0 vrf blue", {"options": [["vrf", "blue"]]}, {UNS}),
    (
        "pervasive",
        R4,
        "10.0.0.0/8 via 1.1.1.1 pervasive",
        {"options": [["pervasive", ""]]},
        {IPR, UNS},
    ),
    ("nhid", R4, "10.0.0.0/8 nhid 5", {"options": [["nhid", "5"]]}, {UNS}),
    (
        "multipath",
        R4,
        "10.0.0.0/8 nexthop via 1.1.1.1 dev eth0 weight 1 nexthop via 1.1.1.2 onlink",
        {
            "gateway": None,
            "options": [
                ["nexthop", "via 1.1.1.1 dev eth0 weight 1"],
                ["nexthop", "via 1.1.1.2 onlink"],
            ],
        },
        {"ROUTE_MULTIPATH"},
    ),
    ("short-ipv4-prefix", R4, "10/8 via 1.1.1.1", {"destination": "10.0.0.0/8"}, {FORM, NMD}),
    ("short-ipv4-host", R4, "1.2.3 dev eth0", {"destination": "1.2.3.0/32"}, {FORM, NMD}),
    ("octal-octet", R4, "010.1.0.0/16 dev eth0", {"destination": "8.1.0.0/16"}, {FORM, NMD}),
    ("hex-octet", R4, "0x1a.0.0.0/8 dev eth0", {"destination": "26.0.0.0/8"}, {FORM, NMD}),
    (
        "dotted-mask-length",
        R4,
        "11.0.0.0/255.0.0.0 dev eth0",
        {"destination": "11.0.0.0/8"},
        {FORM, NMD},
    ),
    ("blanks-and-tabs", R4, "\t 10.0.0.0/8\t\tvia  1.1.1.1 \t", {"gateway": "1.1.1.1"}, set()),
    (
        "ipv6-host-bits-masked",
        R6,
        "2001:db8::5/64 dev eth0",
        {"destination": "2001:db8::/64"},
        {HOST},
    ),
    ("duplicate-keeps-last", R4, "10.0.0.0/8 dev eth0 metric 5 metric 6", {"metric": 6}, {DUP}),
    ("duplicate-alias", R4, "10.0.0.0/8 dev eth0 metric 5 priority 6", {"metric": 6}, {DUP, NMD}),
    (
        "duplicate-option-replaced",
        R4,
        "10.0.0.0/8 dev eth0 mtu 1400 mtu lock 1300",
        {"options": [["lock mtu", "1300"]]},
        {DUP},
    ),
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
    assert len(rf.routes) == 1, rf.findings
    got = rf.routes[0].to_json()
    for name, value in fields.items():
        assert got.get(name) == value, (name, got)
    assert codes(rf) == expected_codes, [str(f) for f in rf.findings]
    assert rf.syntax == "ip"


# (id, kind, text, code, line, column, severity, routes kept)
REJECTED: list[tuple[str, FileKind, str, str, int, int, Severity, int]] = [
    ("trailing-comment", R4, "10.0.0.0/8 via 1.1.1.1 # note", SYN, 1, 24, E, 0),
    ("missing-value", R4, "10.0.0.0/8 dev eth0 mtu", SYN, 1, 24, E, 0),
    ("missing-via-address", R4, "10.0.0.0/8 via", SYN, 1, 15, E, 0),
    ("no-destination", R4, "via 1.1.1.1 dev eth0", SYN, 1, 1, E, 0),
    ("second-destination", R4, "10.0.0.0/8 11.0.0.0/8", SYN, 1, 12, E, 0),
    ("to-twice", R4, "to 10.0.0.0/8 to 11.0.0.0/8", SYN, 1, 18, E, 0),
    ("unknown-keyword", R4, "10.0.0.0/8 bogus 5", SYN, 1, 12, E, 0),
    ("type-keyword", R4, "10.0.0.0/8 dev lo type local", SYN, 1, 19, E, 0),
    ("encap", R4, "10.0.0.0/8 encap mpls 100 via 1.1.1.1", SYN, 1, 12, E, 0),
    ("key-word-in-ip-line", R6, "ADDRESS0=2001:db8::", BAD, 1, 1, E, 0),
    ("metric-after-nexthop", R4, "10.0.0.0/8 nexthop via 1.1.1.1 metric 5", SYN, 1, 32, E, 0),
    ("lock-without-metric", R4, "10.0.0.0/8 lock 5", SYN, 1, 17, E, 0),
    ("rto_min-lock", R4, "10.0.0.0/8 dev eth0 rto_min lock 5", SYN, 1, 29, E, 0),
    ("bad-gateway", R4, "10.0.0.0/8 via 1.2.3.300", BAD, 1, 16, E, 0),
    ("bad-destination", R4, "this is not a route", BAD, 1, 1, E, 0),
    ("prefix-too-long", R4, "10.0.0.0/33 dev eth0", BAD, 1, 1, E, 0),
    ("prefix-octal-8", R4, "10.0.0.0/08 dev eth0", BAD, 1, 1, E, 0),
    ("ipv6-scope-id", R6, "fe80::/64 via fe80::1%eth0", BAD, 1, 15, E, 0),
    ("metric-negative", R4, "10.0.0.0/8 dev eth0 metric -1", BAD, 1, 28, E, 0),
    ("metric-garbage", R4, "10.0.0.0/8 dev eth0 metric 1x", BAD, 1, 28, E, 0),
    ("metric-overflow", R4, "10.0.0.0/8 dev eth0 metric 4294967296", BAD, 1, 28, E, 0),
    ("table-overflow", R4, "10.0.0.0/8 dev eth0 table 4294967296", BAD, 1, 27, E, 0),
    ("table-bad-name", R4, "10.0.0.0/8 dev eth0 table a/b", BAD, 1, 27, E, 0),
    ("tos-too-big", R4, "10.0.0.0/8 dev eth0 tos 0x100", BAD, 1, 25, E, 0),
    ("tos-ecn-bits", R4, "10.0.0.0/8 dev eth0 dsfield ff", BAD, 1, 29, E, 0),
    ("tos-ipv6", R6, "2001:db8::/64 dev eth0 tos 0x10", BAD, 1, 24, E, 0),
    ("quickack-2", R4, "10.0.0.0/8 dev eth0 quickack 2", BAD, 1, 30, E, 0),
    ("pref-bad", R6, "2001:db8::/64 dev eth0 pref urgent", BAD, 1, 29, E, 0),
    ("features-bad", R4, "10.0.0.0/8 dev eth0 features fast", BAD, 1, 30, E, 0),
    ("ttl-propagate-bad", R4, "10.0.0.0/8 dev eth0 ttl-propagate on", BAD, 1, 35, E, 0),
    ("scope-bad", R4, "10.0.0.0/8 dev eth0 scope galaxy", BAD, 1, 27, E, 0),
    ("scope-too-big", R4, "10.0.0.0/8 dev eth0 scope 256", BAD, 1, 27, E, 0),
    ("weight-zero", R4, "10.0.0.0/8 via 1.1.1.1 weight 0", BAD, 1, 31, E, 0),
    ("dev-too-long", R4, "10.0.0.0/8 dev abcdefghijklmnop", BAD, 1, 16, E, 0),
    ("rto_min-bad", R4, "10.0.0.0/8 dev eth0 rto_min soon", BAD, 1, 29, E, 0),
    ("nexthop-bad-weight", R4, "10.0.0.0/8 nexthop via 1.1.1.1 weight 300", BAD, 1, 39, E, 0),
    ("ipv6-in-route", R4, "2001:db8::/64 via 2001:db8::1", FAM, 1, 1, E, 0),
    ("ipv4-in-route6", R6, "10.0.0.0/8 via 1.1.1.1", FAM, 1, 1, E, 0),
    ("ipv6-gateway", R4, "10.0.0.0/8 via 2001:db8::1", FAM, 1, 16, E, 0),
    ("ipv6-src", R4, "10.0.0.0/8 dev eth0 src ::1", FAM, 1, 25, E, 0),
    ("ipv4-from-in-route6", R6, "2001:db8::/64 dev eth0 from 10.0.0.0/8", FAM, 1, 29, E, 0),
    ("host-bits-ipv4", R4, "192.168.1.5/24 via 1.1.1.1", HOST, 1, 1, E, 1),
    ("nat-type", R4, "nat 10.0.0.0/8 via 1.1.1.1", "ROUTE_OBSOLETE", 1, 1, E, 0),
    ("nat-as", R4, "10.0.0.0/8 dev eth0 as to 1.2.3.4", "ROUTE_OBSOLETE", 1, 21, E, 0),
    ("nhid-is-error", R4, "10.0.0.0/8 nhid 5", UNS, 1, 12, E, 1),
    ("multipath-is-error", R4, "10.0.0.0/8 nexthop via 1.1.1.1", "ROUTE_MULTIPATH", 1, 12, E, 1),
    ("duplicate-is-warning", R4, "10.0.0.0/8 via 1.1.1.1 via 1.1.1.2", DUP, 1, 24, W, 1),
    ("table-name-is-warning", R4, "10.0.0.0/8 dev eth0 table vpn", "ROUTE_TABLE_NAME", 1, 27, W, 1),
    ("crlf", R4, "10.0.0.0/8 dev eth0\r\n", "ROUTE_CRLF", 1, 0, W, 1),
    (
        "bad-line-among-good",
        R4,
        "# c\n10.0.0.0/8 dev eth0\n\n11.0.0.0/8 mtu\n12.0.0.0/8 dev eth0",
        SYN,
        4,
        15,
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
    assert (f.position.file, f.position.line, f.position.column) == ("route-x", line, column), str(
        f
    )
    assert f.severity is severity
    assert len(rf.routes) == kept
    assert "`" in f.message or code == "ROUTE_CRLF"
    if f.severity is Severity.ERROR and kept == 0:
        assert sum(x.severity is Severity.ERROR for x in rf.findings) == 1, (
            "one error per lost line"
        )


def test_not_utf8_is_reported_and_the_rest_read() -> None:
    rf = parse_route_file(b"10.0.0.0/8 dev eth0\n11.0.0.0/8 dev \xe9th0\n", "route-x", R4)
    assert [f.code for f in rf.findings] == ["ROUTE_NOT_UTF8"]
    assert rf.findings[0].position.line == 2
    assert [r.device for r in rf.routes] == ["eth0", "\ufffdth0"]


def test_line_numbers_count_comments_and_blank_lines() -> None:
    rf = parse("# a\n\n   # b\n10.0.0.0/8 dev eth0\n\t\n11.0.0.0/8 dev eth0")
    assert [(r.position.line, r.position.column) for r in rf.routes] == [(4, 1), (6, 1)]
    assert rf.findings == ()


def test_empty_file() -> None:
    rf = parse("")
    assert rf.routes == () and rf.findings == () and rf.syntax == "ip"


# --- VDSM's own files (spec/vdsm-formats.md §1.7, §1.8) --------------------------------------

VDSM_ROUTE_OVIRTMGMT = (
    "# Generated by VDSM version 4.30.46.1\n"
    "0.0.0.0/0 via 192.168.1.1 dev ovirtmgmt table 3232235786\n"
    "192.168.1.0/24 via 192.168.1.10 dev ovirtmgmt table 3232235786\n"
)
VDSM_ROUTE_ETH2_20 = (
    "# Generated by VDSM version 4.30.46.1\n"
    "0.0.0.0/0 via 10.0.20.1 dev eth2.20 table 167777285\n"
    "10.0.20.0/24 via 10.0.20.5 dev eth2.20 table 167777285\n"
)


def test_vdsm_route_ovirtmgmt() -> None:
    rf = parse(VDSM_ROUTE_OVIRTMGMT)
    assert rf.ownership.owner is Owner.VDSM
    assert rf.ownership.vdsm_version == "4.30.46.1"
    assert rf.findings == ()
    assert [r.to_json() for r in rf.routes] == [
        {
            "family": 4,
            "destination": "0.0.0.0/0",
            "gateway": "192.168.1.1",
            "device": "ovirtmgmt",
            "table": 3232235786,
            "line": 2,
        },
        {
            "family": 4,
            "destination": "192.168.1.0/24",
            "gateway": "192.168.1.10",
            "device": "ovirtmgmt",
            "table": 3232235786,
            "line": 3,
        },
    ]


def test_vdsm_route_bridgeless_vlan() -> None:
    rf = parse(VDSM_ROUTE_ETH2_20)
    assert rf.findings == ()
    assert [(r.destination, r.gateway, r.device, r.table) for r in rf.routes] == [
        ("0.0.0.0/0", "10.0.20.1", "eth2.20", 167777285),
        ("10.0.20.0/24", "10.0.20.5", "eth2.20", 167777285),
    ]


def test_vdsm_route_before_4_15_has_no_header() -> None:
    rf = parse(VDSM_ROUTE_OVIRTMGMT.split("\n", 1)[1])
    assert rf.ownership.owner is Owner.FOREIGN
    assert len(rf.routes) == 2


def test_header_after_a_blank_line_is_foreign() -> None:
    assert parse("\n" + VDSM_ROUTE_OVIRTMGMT).ownership.owner is Owner.FOREIGN


def test_legacy_vdsm_header() -> None:
    assert parse("# automatically generated by vdsm\n").ownership.owner is Owner.VDSM


# --- the ADDRESSn= form ----------------------------------------------------------------------

def keys(text: str) -> RouteFile:
    rf = parse(text)
    assert rf.syntax == "keys"
    return rf


def test_keys_basic() -> None:
    rf = keys(
        "ADDRESS0=10.10.0.0\nNETMASK0=255.255.0.0\nGATEWAY0=192.168.1.1\nMETRIC0=5\n"
        "OPTIONS0='table 100 mtu lock 1400 onlink'\n"
        "ADDRESS1=10.20.0.0\nNETMASK1=255.255.255.0\n"
    )
    assert rf.findings == ()
    assert [r.to_json() for r in rf.routes] == [
        {
            "family": 4,
            "destination": "10.10.0.0/16",
            "gateway": "192.168.1.1",
            "metric": 5,
            "table": 100,
            "options": [["lock mtu", "1400"], ["onlink", ""]],
            "line": 1,
        },
        {"family": 4, "destination": "10.20.0.0/24", "line": 6},
    ]
    assert rf.routes[0].position.column == 10


def test_keys_selected_by_any_address_line_even_with_leading_blanks() -> None:
    assert (
        keys("# routes\n  ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\n").routes[0].destination
        == "10.0.0.0/8"
    )


def test_keys_not_selected_in_route6() -> None:
    rf = parse("ADDRESS0=2001:db8::\n", R6)
    assert rf.syntax == "ip" and rf.routes == ()


# (id, text, code, line, column, severity, routes kept)
KEY_FINDINGS: list[tuple[str, str, str, int, int, Severity, int]] = [
    (
        "gap",
        "ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nADDRESS2=11.0.0.0\nNETMASK2=255.0.0.0\n",
        "ROUTE_KEYS_GAP",
        3,
        1,
        W,
        1,
    ),
    (
        "empty-address-is-a-gap",
        "ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nADDRESS1=\nADDRESS2=11.0.0.0\n",
        "ROUTE_KEYS_GAP",
        4,
        1,
        W,
        1,
    ),
    (
        "no-address0",
        "ADDRESS1=10.0.0.0\nNETMASK1=255.0.0.0\n",
        "ROUTE_KEYS_NO_ADDRESS0",
        1,
        1,
        W,
        0,
    ),
    ("no-netmask-classful-a", "ADDRESS0=10.0.0.0\n", "ROUTE_KEYS_NO_NETMASK", 1, 10, W, 1),
    ("no-netmask-no-class", "ADDRESS0=240.0.0.0\n", "ROUTE_KEYS_NO_NETMASK", 1, 10, E, 0),
    (
        "non-contiguous-netmask",
        "ADDRESS0=10.0.0.0\nNETMASK0=255.0.255.0\n",
        "ROUTE_BAD_NETMASK",
        2,
        10,
        E,
        0,
    ),
    (
        "netmask-not-an-address",
        "ADDRESS0=10.0.0.0\nNETMASK0=24\n",
        "ROUTE_BAD_NETMASK",
        2,
        10,
        E,
        0,
    ),
    ("host-bits", "ADDRESS0=10.1.0.0\nNETMASK0=255.0.0.0\n", HOST, 1, 10, E, 1),
    ("prefix-in-address", "ADDRESS0=10.0.0.0/8\n", BAD, 1, 10, E, 0),
    ("ipv6-address", "ADDRESS0=2001:db8::\nNETMASK0=255.0.0.0\n", FAM, 1, 10, E, 0),
    ("bad-gateway", "ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nGATEWAY0=gw\n", BAD, 3, 10, E, 0),
    ("bad-metric", "ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nMETRIC0=high\n", BAD, 3, 9, E, 0),
    (
        "options-syntax",
        'ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nOPTIONS0="table"\n',
        SYN,
        3,
        16,
        E,
        0,
    ),
    (
        "options-via",
        "ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nOPTIONS0='mtu 1400 via 1.1.1.1'\n",
        SYN,
        3,
        20,
        E,
        0,
    ),
    (
        "options-destination",
        "ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nOPTIONS0=11.0.0.0/8\n",
        SYN,
        3,
        10,
        E,
        0,
    ),
    (
        "options-value",
        "ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nOPTIONS0='mtu big'\n",
        BAD,
        3,
        15,
        E,
        0,
    ),
    (
        "options-duplicate",
        "ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nOPTIONS0='mtu 1 mtu 2'\n",
        DUP,
        3,
        17,
        W,
        1,
    ),
    (
        "unknown-key",
        "ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nDEVICE=eth0\n",
        "ROUTE_KEYS_UNKNOWN",
        3,
        1,
        INF,
        1,
    ),
    (
        "shell-finding-carried",
        "ADDRESS0=10.0.0.0\nNETMASK0=$MASK\n",
        "IFCFG_SHELL_EXPANSION",
        2,
        10,
        E,
        1,
    ),
]


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "severity", "kept"),
    [c[1:] for c in KEY_FINDINGS],
    ids=[c[0] for c in KEY_FINDINGS],
)
def test_key_findings(
    text: str, code: str, line: int, column: int, severity: Severity, kept: int
) -> None:
    rf = keys(text)
    matching = [f for f in rf.findings if f.code == code]
    assert matching, [str(f) for f in rf.findings]
    f = matching[0]
    assert (f.position.line, f.position.column) == (line, column), str(f)
    assert f.severity is severity
    assert len(rf.routes) == kept


def test_keys_orphans_each_reported() -> None:
    rf = keys("ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nADDRESS3=11.0.0.0\nADDRESS7=12.0.0.0\n")
    assert [f.position.line for f in rf.findings if f.code == "ROUTE_KEYS_GAP"] == [3, 4]


def test_keys_last_assignment_wins() -> None:
    rf = keys("ADDRESS0=10.0.0.0\nNETMASK0=255.0.0.0\nADDRESS0=11.0.0.0\n")
    assert [r.destination for r in rf.routes] == ["11.0.0.0/8"]


# --- robustness -------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "to",
        "via",
        "dev",
        "metric",
        "table",
        "src",
        "from",
        "tos",
        "scope",
        "onlink",
        "mtu",
        "lock",
        "window",
        "rto_min",
        "quickack",
        "weight",
        "nexthop",
        "proto",
        "realm",
        "expires",
        "pref",
        "unicast",
        "blackhole",
        "nat",
        "as",
        "inet",
        "inet6",
        "default",
        "all",
        "main",
        "(null)",
        "10.0.0.0/8",
        "10/8",
        "1.2.3.4",
        "192.168.1.5/24",
        "2001:db8::/64",
        "::1",
        "fe80::1%x",
        "0x10",
        "010",
        "4294967296",
        "-1",
        "eth0",
        "#",
        "ADDRESS0=1",
        "encap",
        "\u00e9",
        "1.2.3.4/255.0.255.0",
    ]
)
_LINES = st.lists(_WORDS, max_size=10).map(" ".join)
_TEXT = st.lists(_LINES, max_size=6).map("\n".join)
_KEYS = st.lists(
    st.tuples(
        st.sampled_from(["ADDRESS", "NETMASK", "GATEWAY", "METRIC", "OPTIONS", "X"]),
        st.integers(0, 3),
        _WORDS,
    ),
    max_size=8,
).map(lambda kv: "".join(f"{k}{n}='{v}'\n" for k, n, v in kv))


def check_invariants(rf: RouteFile, kind: FileKind) -> None:
    for r in rf.routes:
        net = ipaddress.ip_network(r.destination, strict=True)
        assert str(net) == r.destination
        assert r.family == net.version
        if r.gateway is not None:
            assert str(ipaddress.ip_address(r.gateway)) == r.gateway
        assert r.position.line >= 1 and r.position.column >= 1
    for f in rf.findings:
        assert f.position.line >= 0 and f.position.column >= 0 and f.message
        if f.code.startswith("ROUTE_"):
            assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in f.message)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.binary(max_size=300), kind=st.sampled_from([R4, R6]))
def test_fuzz_bytes(data: bytes, kind: FileKind) -> None:
    check_invariants(parse_route_file(data, "route-x", kind), kind)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=st.one_of(st.text(max_size=200), _TEXT), kind=st.sampled_from([R4, R6]))
def test_fuzz_words(text: str, kind: FileKind) -> None:
    check_invariants(parse(text, kind), kind)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(text=_KEYS)
def test_fuzz_keys(text: str) -> None:
    check_invariants(parse(text, R4), R4)


# --- ip route itself, in a throw-away network namespace ---------------------------------------

ORACLE_LINES = [
    "10.0.0.0/8 via 192.168.1.1",
    "to 10.1.0.0/16 via 192.168.1.1",
    "10.2.0.1 dev v0",
    "default via 192.168.1.1 table 100",
    "all via 192.168.1.1 table 101",
    "10.3.0.0/16 dev v0 metric 5 metric 6",
    "10.4.0.0/16 via 192.168.1.1 weight 5",
    "10.5.0.0/16 via 192.168.1.1 lock mtu 1400",
    "10.6.0.0/16 via 192.168.1.1 mtu lock 1400",
    "10.7.0.0/16 via (null)",
    "192.168.5.5/24 via 192.168.1.1",
    "10/8 via 192.168.1.1 table 102",
    "010.1.0.0/16 dev v0",
    "unreachable 10.8.0.0/16",
    "10.9.0.0/16 blackhole",
    "10.10.0.0/16 dev v0 table main",
    "10.11.0.0/16 dev v0 table 0x20",
    "10.12.0.0/16 dev v0 tos 0x10",
    "10.13.0.0/16 dev v0 tos ff",
    "10.14.0.0/16 dev v0 scope link",
    "10.15.0.0/16 via 192.0.2.1 dev v0 onlink",
    "10.16.0.0/16 dev v0 window lock 5 cwnd 3 advmss 1400 initrwnd 4 initcwnd 10",
    "10.17.0.0/16 dev v0 rto_min 200ms quickack 1",
    "10.18.0.0/16 dev v0 quickack 2",
    "10.19.0.0/16 dev v0 proto static realm 5",
    "10.20.0.0/16 dev v0 metric -1",
    "10.21.0.0/33 dev v0",
    "10.22.0.0/16 dev v0 # c",
    "10.23.0.0/16 dev v0 pervasive",
    "nat 10.24.0.0/16 via 192.168.1.1",
    "10.25.0.0/16 dev v0 from 1.2.3.4",
    "10.26.0.0/16 nexthop via 192.168.1.1 weight 1 nexthop via 192.168.1.2 weight 2",
    "2001:db8::/64 dev v0",
    "10.27.0.0/16 dev v0 src 192.168.1.10",
    "10.28.0.0/16 dev v0 hoplimit 3 reordering 2 ssthresh 5 features ecn congctl lock cubic",
    "10.29.0.0/16 dev v0 ttl-propagate disabled fastopen_no_cookie 1",
    "to unicast 10.30.0.0/16 dev v0",
    "10.31.0.0/16 dev v0 type local",
    "local 10.32.0.0/16 dev v0",
    "10.33.0.0/16 dev v0 expires 100",
    "10.34.0.0/16 via inet 192.168.1.1",
    "10.35.0.0/16 dev v0 table 4294967296",
    "broadcast 10.36.0.255 dev v0",
    "10.37.0.0/16 dev v0 table 4294967295",
    "10.38.0.0/16 dev v0 scope 256",
    "throw 10.39.0.0/16 table 5",
    "prohibit 10.40.0.0/16 metric 0x10",
    "10.41.0.0/16 via 192.168.1.1 dsfield 0x08 dev v0",
    "1.2.3 dev v0",
]
ORACLE_LINES6 = [
    "2001:db8:1::/64 dev v0",
    "2001:db8:2::5/64 dev v0",
    "2001:db8:3::/64 dev v0 from 2001:db8::/64",
    "2001:db8:4::/64 dev v0 tos 0x10",
    "2001:db8:5::/64 dev v0 pref high expires 100",
    "10.0.0.0/8 dev v0",
    "default via fe80::1 dev v0 table 7",
    "2001:db8:6::/64 via 2001:db8::1 metric 9",
    "unreachable 2001:db8:7::/64",
    "2001:db8:8::/129 dev v0",
]
_LOST = {
    "ROUTE_SYNTAX",
    "ROUTE_BAD_VALUE",
    "ROUTE_FAMILY_MISMATCH",
    "ROUTE_OBSOLETE",
    "ROUTE_IP_REJECTS",
}


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10, check=False)


@pytest.fixture(scope="module")
def netns() -> Iterator[str]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2")
    name = f"i2nm-route-{uuid.uuid4().hex[:8]}"
    if _ip("netns", "add", name).returncode != 0:
        pytest.skip("cannot create a network namespace")
    try:
        if _ip("-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1").returncode:
            pytest.skip("cannot create a veth pair")
        for dev in ("lo", "v0", "v1"):
            _ip("-n", name, "link", "set", dev, "up")
        _ip("-n", name, "addr", "add", "192.168.1.10/24", "dev", "v0")
        _ip("-n", name, "-6", "addr", "add", "2001:db8::10/64", "dev", "v0", "nodad")
        yield name
    finally:
        _ip("netns", "del", name)


def _predicted_ok(rf: RouteFile) -> bool:
    return not any(
        f.code in _LOST or (f.code == "ROUTE_HOST_BITS" and f.severity is Severity.ERROR)
        for f in rf.findings
    )


@pytest.mark.parametrize(
    ("family", "line"), [(4, line) for line in ORACLE_LINES] + [(6, line) for line in ORACLE_LINES6]
)
def test_ip_route_agrees(netns: str, family: int, line: str) -> None:
    rf = parse(line, R6 if family == 6 else R4)
    result = _ip("-n", netns, f"-{family}", "route", "add", *line.split())
    assert (result.returncode == 0) == _predicted_ok(rf), (
        result.stderr,
        [str(f) for f in rf.findings],
    )
