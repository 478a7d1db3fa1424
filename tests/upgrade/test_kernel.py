"""ifcfg2nm.upgrade.kernel: parsing recorded ``ip -j`` output, and the ``ip`` runner.

The JSON in data/ was recorded with iproute2 6.1 in an nm-sandbox namespace
(bridge br0 with port veth0 managed by NetworkManager, routes in table
329647082 and rules at priority 3200 from NetworkManager, plus hand-made
rules, a blackhole, an onlink route with a locked MTU and a multipath route).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.kernel import KernelError, Nexthop

DATA = Path(__file__).resolve().parent / "data"
VDSM_TABLE = 329647082


def data(name: str) -> str:
    return (DATA / name).read_text()


# -- links / addresses -------------------------------------------------------------


def test_links() -> None:
    links = {x.name: x for x in kernel.parse_links(data("ip-link.json"))}
    assert sorted(links) == ["br0", "lo", "veth0", "veth0p", "veth5", "veth5p"]
    br, port = links["br0"], links["veth0"]
    assert (br.kind, br.master, br.mtu, br.state, br.up) == ("bridge", "", 1500, "UP", True)
    assert br.info_data["stp_state"] == 0 and br.info_data["forward_delay"] == 1500
    assert (port.kind, port.slave_kind, port.master, port.link) == (
        "veth",
        "bridge",
        "br0",
        "veth0p",
    )
    assert port.mac == br.mac  # a bridge takes its first port's MAC
    assert links["lo"].kind == "" and links["lo"].state == "UNKNOWN"


def test_addresses() -> None:
    addrs = kernel.parse_addresses(data("ip-addr.json"))
    by_if = {(a.ifname, a.cidr): a for a in addrs}
    assert by_if["br0", "198.51.100.1/24"].flags == ("noprefixroute",)  # NetworkManager's
    assert by_if["br0", "198.51.100.9/24"].flags == ("secondary",)
    v6 = by_if["veth5", "2001:db8:5::1/64"]
    assert (v6.family, v6.scope, v6.flags) == (6, "global", ("nodad",))
    assert by_if["lo", "127.0.0.1/8"].scope == "host"
    assert {a.ifname for a in addrs} == {"lo", "br0", "veth5"}


def test_kernel_state_helpers() -> None:
    state = kernel.KernelState(
        links=tuple(kernel.parse_links(data("ip-link.json"))),
        addresses=tuple(kernel.parse_addresses(data("ip-addr.json"))),
        routes=tuple(kernel.parse_routes(data("ip-route4-numeric.json"), 4)),
        rules=tuple(kernel.parse_rules(data("ip-rule4-numeric.json"), 4)),
    )
    link = state.link("veth0")
    assert link is not None and link.master == "br0"
    assert state.link("nosuch") is None
    assert state.ports_of("br0") == ["veth0"]
    assert [a.cidr for a in state.addresses_of("veth5", 6)] == ["2001:db8:5::1/64"]
    assert [r.dst for r in state.routes_in(VDSM_TABLE)] == ["203.0.113.0/24"]


# -- routes ------------------------------------------------------------------------


def test_routes_numeric() -> None:
    routes = kernel.parse_routes(data("ip-route4-numeric.json"), 4)
    by_dst = {(r.table, r.dst): r for r in routes}

    default = by_dst[254, "0.0.0.0/0"]
    assert default.is_default
    assert (default.gateway, default.dev, default.metric, default.protocol) == (
        "198.51.100.254",
        "br0",
        425,
        "static",
    )
    vdsm = by_dst[VDSM_TABLE, "203.0.113.0/24"]
    assert (vdsm.gateway, vdsm.metric, vdsm.type, vdsm.scope) == (
        "198.51.100.2",
        5,
        "unicast",
        "global",
    )

    connected = by_dst[254, "198.51.100.0/24"]
    assert (connected.protocol, connected.scope, connected.prefsrc) == (
        "kernel",
        "link",
        "198.51.100.1",
    )

    onlink = by_dst[77, "10.8.0.0/16"]
    assert onlink.flags == ("onlink",) and onlink.metrics == {"mtu": 1300}
    assert onlink.protocol == "boot" and onlink.metric == 0  # what ip leaves out
    assert by_dst[77, "10.9.0.0/16"].type == "blackhole"

    multipath = by_dst[254, "10.7.0.0/16"]
    assert multipath.nexthops == (
        Nexthop("198.51.100.3", "br0", 2),
        Nexthop("192.0.2.4", "veth5", 1),
    )
    assert by_dst[255, "127.0.0.1/32"].type == "local"  # host routes get their /32
    assert by_dst[255, "127.255.255.255/32"].type == "broadcast"


def test_routes_named_and_numeric_output_parse_the_same() -> None:
    named = kernel.parse_routes(data("ip-route4-named.json"), 4)
    numeric = kernel.parse_routes(data("ip-route4-numeric.json"), 4)
    assert named == numeric


def test_routes_ipv6() -> None:
    routes = kernel.parse_routes(data("ip-route6-numeric.json"), 6)
    by_dst = {(r.table, r.dst): r for r in routes}
    custom = by_dst[88, "2001:db8:5::/64"]
    assert (custom.family, custom.dev, custom.metric) == (6, "veth5", 10)
    assert by_dst[255, "::1/128"].type == "local"
    assert {r.type for r in routes if r.dst == "ff00::/8"} == {"multicast"}


def test_default_route_ipv6_is_normalized() -> None:
    (route,) = kernel.parse_routes('[{"dst":"default","gateway":"fe80::1","dev":"br0"}]', 6)
    assert route.dst == "::/0" and route.is_default and route.table == 254


# -- rules -------------------------------------------------------------------------


def test_rules_numeric() -> None:
    rules = {r.priority: r for r in kernel.parse_rules(data("ip-rule4-numeric.json"), 4)}
    assert (rules[0].table, rules[32766].table, rules[32767].table) == (255, 254, 253)

    full = rules[100]
    assert full.invert  # "not": null
    assert (full.src, full.dst, full.iif, full.oif, full.table) == (
        "10.1.0.0/16",
        "10.2.0.0/16",
        "veth0",
        "br0",
        77,
    )
    assert (full.fwmark, full.fwmask, full.tos, full.ipproto) == (5, 0xFF, 0x10, 6)
    assert (full.sport, full.dport) == ((10, 20), (30, 30))

    assert (rules[101].action, rules[101].table) == ("unreachable", 0)
    assert rules[102].suppress_prefixlength == 0 and rules[0].suppress_prefixlength == -1
    assert (rules[103].action, rules[103].fwmark, rules[103].fwmask) == ("prohibit", 7, 0xFFFFFFFF)
    assert (rules[105].action, rules[105].goto) == ("goto", 32766)
    assert (rules[106].uid_range, rules[106].dport, rules[106].table) == ((100, 200), (50, 60), 5)


def test_rules_vdsm_source_routing() -> None:
    rules = [r for r in kernel.parse_rules(data("ip-rule4-numeric.json"), 4) if r.priority == 3200]
    assert {(r.src, r.dst, r.table, r.protocol) for r in rules} == {
        ("198.51.100.0/24", "", VDSM_TABLE, "static"),
        ("", "198.51.100.0/24", VDSM_TABLE, "static"),
    }


def test_rules_named_and_numeric_output_parse_the_same() -> None:
    named = kernel.parse_rules(data("ip-rule4-named.json"), 4)
    numeric = kernel.parse_rules(data("ip-rule4-numeric.json"), 4)
    assert named == numeric


def test_rules_ipv6() -> None:
    rules = {r.priority: r for r in kernel.parse_rules(data("ip-rule6-numeric.json"), 6)}
    assert (rules[104].family, rules[104].src, rules[104].table) == (6, "2001:db8::/64", 88)


# -- malformed input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["not json", '{"ifname": "x"}', "[1, 2]", '[{"ifindex": "many", "ifname": "x"}]'],
    ids=["not-json", "object", "not-objects", "bad-number"],
)
def test_malformed_json_is_a_kernel_error(text: str) -> None:
    with pytest.raises(KernelError):
        kernel.parse_links(text)


def test_empty_output_is_empty() -> None:
    assert kernel.parse_rules("", 6) == []
    assert kernel.parse_routes("[]\n", 4) == []
    assert kernel.parse_addresses(b"") == []


def test_unknown_route_table_name_is_a_kernel_error() -> None:
    with pytest.raises(KernelError):
        kernel.parse_routes('[{"dst":"default","table":"vdsm-net"}]', 4)


# -- running ip --------------------------------------------------------------------


def _fake_run(result: Any) -> Any:
    def run(*args: Any, **kwargs: Any) -> Any:
        if isinstance(result, BaseException):
            raise result
        return result

    return run


def test_run_ip_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "run", _fake_run(subprocess.TimeoutExpired(["ip"], 5)))
    with pytest.raises(KernelError, match="no answer within"):
        kernel.read_links(timeout=5)


def test_run_ip_missing_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "run", _fake_run(FileNotFoundError(2, "No such file", "ip")))
    with pytest.raises(KernelError):
        kernel.read_addresses()


def test_run_ip_failure_carries_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    failed = subprocess.CompletedProcess(["ip"], 1, "", 'Cannot open network namespace "x"\n')
    monkeypatch.setattr(subprocess, "run", _fake_run(failed))
    with pytest.raises(KernelError, match="Cannot open network namespace"):
        kernel.read_rules(netns="x")


def test_missing_ipv6_stack_reads_as_no_ipv6(monkeypatch: pytest.MonkeyPatch) -> None:
    def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        if "-6" in cmd:
            return subprocess.CompletedProcess(
                cmd, 2, "", "RTNETLINK answers: Address family not supported by protocol\n"
            )
        return subprocess.CompletedProcess(cmd, 0, data("ip-rule4-numeric.json"), "")

    monkeypatch.setattr(subprocess, "run", run)
    rules = kernel.read_rules()
    assert rules and {r.family for r in rules} == {4}


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("ip") is None, reason="needs root and iproute2")
def test_read_state_of_a_scratch_namespace() -> None:
    """The real ``ip`` against a namespace this test creates (and deletes)."""
    ns = f"i2nm-kt{os.getpid()}"

    def ip(*args: str) -> None:
        subprocess.run(["ip", "-n", ns, *args], check=True, capture_output=True, timeout=10)

    subprocess.run(["ip", "netns", "add", ns], check=True, timeout=10)
    try:
        ip("link", "add", "kbr0", "type", "bridge")
        ip("link", "add", "kv0", "mtu", "1400", "type", "veth", "peer", "name", "kv0p")
        ip("link", "set", "kv0", "master", "kbr0")
        ip("addr", "add", "192.0.2.7/24", "dev", "kbr0")
        ip("link", "set", "kbr0", "up")
        ip("route", "add", "198.51.100.0/24", "dev", "kbr0", "table", str(VDSM_TABLE))
        ip("rule", "add", "from", "192.0.2.0/24", "table", str(VDSM_TABLE), "priority", "3200")
        state = kernel.read_state(ns)
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False, timeout=10)
    link = state.link("kv0")
    assert link is not None and (link.master, link.mtu) == ("kbr0", 1400)
    assert [a.cidr for a in state.addresses_of("kbr0", 4)] == ["192.0.2.7/24"]
    assert [r.dst for r in state.routes_in(VDSM_TABLE, 4)] == ["198.51.100.0/24"]
    assert any(r.priority == 3200 and r.src == "192.0.2.0/24" for r in state.rules)
