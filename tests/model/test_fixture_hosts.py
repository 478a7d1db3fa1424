"""Every fixture host through the model: no tracebacks, consistent sources agree, broken input is named.

The expectations come from fixtures/README.md, which describes what a correct
tool must conclude from each host.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ifcfg2nm.findings import Severity
from ifcfg2nm.hosttree import load_host
from ifcfg2nm.model.build import build_host
from ifcfg2nm.model.host import HostConfig, Interface

from fixturehosts import FIXTURES, fixture_hosts

CONSISTENT = ["mgmt-bridge-static", "bond-vlans", "dhcp-ipv6", "source-routing"]
"""Hosts whose ifcfg files and persisted JSON describe the same networks (fixtures/README.md)."""


def both(host: str) -> tuple[HostConfig, HostConfig]:
    tree = load_host(str(FIXTURES / host))
    return build_host(tree, "ifcfg"), build_host(tree, "persisted")


def comparable(iface: Interface) -> Interface:
    from dataclasses import replace

    return replace(iface, source=iface.source.__class__(""))


@pytest.mark.parametrize("host", fixture_hosts())
@pytest.mark.parametrize("source", ["auto", "ifcfg", "persisted"])
def test_every_fixture_builds_a_model(host: str, source: str) -> None:
    model = build_host(load_host(str(FIXTURES / host)), source)
    assert model.origin in ("ifcfg", "persisted")
    for finding in model.findings:
        assert finding.position.file, finding
        assert Path(finding.position.file).exists() or Path(finding.position.file).is_symlink(), finding


@pytest.mark.parametrize("host", fixture_hosts())
def test_building_twice_gives_the_same_model(host: str) -> None:
    tree = load_host(str(FIXTURES / host))
    assert build_host(tree, "auto") == build_host(load_host(str(FIXTURES / host)), "auto")


@pytest.mark.parametrize("host", CONSISTENT)
def test_both_sources_give_the_same_interfaces(host: str) -> None:
    ifcfg, persisted = both(host)
    vdsm = {i.name for i in persisted.interfaces}
    from_files = {i.name: comparable(i) for i in ifcfg.interfaces if i.name in vdsm}
    assert from_files == {i.name: comparable(i) for i in persisted.interfaces}


@pytest.mark.parametrize("host", CONSISTENT)
def test_both_sources_give_the_same_vdsm_routes_and_rules(host: str) -> None:
    ifcfg, persisted = both(host)
    vdsm = {i.name for i in persisted.interfaces}

    def key(items):
        return sorted(repr({k: v for k, v in vars(x).items() if k != "source"}) for x in items
                      if (x.interface in vdsm))

    assert key(ifcfg.routes) == key(persisted.routes)
    assert key(ifcfg.rules) == key(persisted.rules)
    assert ifcfg.dns == persisted.dns


@pytest.mark.parametrize("host", CONSISTENT)
def test_both_sources_name_the_same_networks(host: str) -> None:
    ifcfg, persisted = both(host)
    assert [n.name for n in ifcfg.networks] == [n.name for n in persisted.networks]
    for a, b in zip(ifcfg.networks, persisted.networks):
        differing = {k for k in vars(a) if k not in ("source", "positions") and getattr(a, k) != getattr(b, k)}
        if a.nic or a.bonding:
            # an untagged network on a shared bond or NIC: the file holds the largest MTU
            # of the device's networks, not the network's own (spec §1.6)
            differing -= {"mtu"} if (a.vlan is None and not a.bridged) else set()
        assert not differing, (a.name, differing)


def test_shared_base_mtu_is_the_one_ambiguity() -> None:
    ifcfg, persisted = both("bond-vlans")
    a = next(n for n in ifcfg.networks if n.name == "migration")
    b = next(n for n in persisted.networks if n.name == "migration")
    assert (a.mtu, b.mtu) == (9000, 1500)


BROKEN = [
    ("ifcfg-eth0", 4, {"IFCFG_UNTERMINATED_QUOTE"}),
    ("ifcfg-eth1", 4, {"IFCFG_SHELL_EXPANSION"}),
    ("ifcfg-eth1", 6, {"IFCFG_SHELL_EXPANSION"}),
    ("ifcfg-eth1", 7, {"IFCFG_SHELL_EXPANSION"}),
    ("ifcfg-eth2", 3, {"IFCFG_EXPORT"}),
    ("ifcfg-eth3", 3, {"IFCFG_LINE_CONTINUATION"}),
    ("ifcfg-eth4", 4, {"IFCFG_SHELL_COMMAND"}),
    ("ifcfg-eth5", 6, {"IFCFG_DUPLICATE_KEY"}),
    ("ifcfg-eth6", 4, {"IFCFG_NON_UTF8"}),
    ("ifcfg-eth7", 1, {"IFCFG_CRLF"}),
    ("ifcfg-eth8", 5, {"IFCFG_BOOL_ON_OFF"}),
    ("ifcfg-bond1", 1, {"MODEL_BOND_WITHOUT_PORTS"}),
    ("ifcfg-eth9", 2, {"MODEL_MISSING_CONTROLLER"}),
    ("ifcfg-vlan42", 1, {"IFCFG_VLAN_NO_PARENT"}),
    ("ifcfg-averyveryverylongname0", 1, {"IFCFG_BAD_IFNAME"}),
    ("ifcfg-slashy", 1, {"IFCFG_BAD_IFNAME"}),
    ("ifcfg-eth10", 3, {"IFCFG_BAD_ADDRESS"}),
    ("ifcfg-eth11", 4, {"IFCFG_BAD_NETMASK"}),
    ("ifcfg-bond2", 4, {"BOND_OPTION_UNKNOWN"}),
    ("route-eth8", 2, {"ROUTE_BAD_VALUE"}),
    ("route-eth8", 3, {"ROUTE_BAD_VALUE"}),
    ("route-eth8", 4, {"ROUTE_BAD_VALUE", "ROUTE_SYNTAX"}),
    ("rule-eth8", 2, {"RULE_SYNTAX"}),
    ("netconf/nets/netb", 4, {"VDSM_UNTAGGED_CONFLICT"}),
    ("netconf/nets/trunc", 9, {"PERSISTED_JSON_SYNTAX"}),
    ("netconf/bonds/bond9", None, {"PERSISTED_EMPTY"}),
]


@pytest.fixture(scope="module")
def broken_findings():
    tree = load_host(str(FIXTURES / "broken"))
    return set(build_host(tree, "ifcfg").findings) | set(build_host(tree, "persisted").findings)


@pytest.mark.parametrize(("name", "line", "codes"), BROKEN, ids=[f"{n}:{line}" for n, line, _ in BROKEN])
def test_broken_input_is_named_with_file_and_line(broken_findings, name, line, codes) -> None:
    matches = [f for f in broken_findings
               if f.position.file.endswith("/" + name) and (line is None or f.position.line == line)
               and f.code in codes]
    assert matches, sorted(f"{f.position} {f.code}" for f in broken_findings if f.position.file.endswith(name))
    assert all(f.severity in (Severity.WARNING, Severity.ERROR) for f in matches)


def test_broken_host_keeps_its_valid_parts() -> None:
    model = build_host(load_host(str(FIXTURES / "broken")), "ifcfg")
    assert [(r.destination, r.gateway) for r in model.routes if r.interface == "eth8"] == [
        ("10.8.0.0/16", "192.0.2.254")]
    assert [(r.table, r.priority) for r in model.rules if r.interface == "eth8"] == [(180, 180)]
    assert model.interface("eth12") is not None and model.interface("eth12").controller == "bond2"


def test_orphan_netconf_directories_are_never_read() -> None:
    model = build_host(load_host(str(FIXTURES / "broken")), "persisted")
    assert all(n.name != "oldnet" for n in model.networks)
    assert model.interface("eth15") is None
