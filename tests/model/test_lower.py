"""Lowering canonical VDSM networks the way VDSM's nmstate translation does (spec §5)."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace
from typing import Any

from ifcfg2nm.findings import Position, Severity
from ifcfg2nm.model.host import (
    IPV4_DISABLED,
    IPV6_DISABLED,
    NOWHERE,
    BondSettings,
    BridgeSettings,
    DnsConfig,
    HostConfig,
    Interface,
    InterfaceType,
    IpAddress,
    IpConfig,
    OvsSettings,
    PortType,
    Route,
    RoutingRule,
    VdsmBond,
    VdsmNetwork,
    VlanSettings,
)
from ifcfg2nm.model.identity import stable_uuid
from ifcfg2nm.model.lower import (
    bridge_settings,
    lower_vdsm,
    ovs_bridge_name,
    route_table,
)
from ifcfg2nm.model.vdsm import canonicalize_bond, canonicalize_network
from ifcfg2nm.parser.persisted import parse_persisted_file


def net(name: str, value: dict[str, Any]) -> VdsmNetwork:
    doc = parse_persisted_file(json.dumps(value, indent=4).encode(), f"nets/{name}", "net", name)
    network, _ = canonicalize_network(doc)
    assert network is not None
    return network


def bond(name: str, value: dict[str, Any]) -> VdsmBond:
    doc = parse_persisted_file(json.dumps(value, indent=4).encode(), f"bonds/{name}", "bond",
                               name)
    result, _ = canonicalize_bond(doc)
    assert result is not None
    return result


def strip(host: HostConfig) -> list[Interface]:
    """Interfaces without provenance, for exact comparison."""
    return [replace(i, source=NOWHERE) for i in host.interfaces]


def iface(name: str, itype: InterfaceType, **kw: Any) -> Interface:
    return Interface(name=name, type=itype, profile_id=name, uuid=stable_uuid(name), **kw)


# spec §2.7, the canonical JSON of the §1.8 examples
OVIRTMGMT = {
    "nic": "eth0", "ipaddr": "192.168.1.10", "netmask": "255.255.255.0",
    "gateway": "192.168.1.1", "defaultRoute": True, "bridged": True, "stp": False, "mtu": 1500,
    "bootproto": "none", "dhcpv6": False, "ipv6autoconf": False,
    "nameservers": ["192.168.1.2", "8.8.8.8"], "switch": "legacy",
}
VMNET = {
    "bonding": "bond0", "vlan": 100, "bridged": True, "stp": False, "mtu": 9000,
    "bootproto": "none", "dhcpv6": False, "ipv6autoconf": False, "defaultRoute": False,
    "nameservers": [], "switch": "legacy",
    "custom": {"bridge_opts": "multicast_router=0 multicast_snooping=1"},
}
BOND0 = {"nics": ["eth1", "eth2"], "options": "mode=4 miimon=100", "switch": "legacy"}


def test_source_route_tables_are_adler32_of_the_next_hop() -> None:
    assert route_table("ovirtmgmt") == 329647082
    assert route_table("eth2.20") == 158335492
    assert route_table("x") == zlib.adler32(b"x")


# --- §5.10 example 1 ------------------------------------------------------------------------


def test_example_ovirtmgmt_interfaces() -> None:
    host = lower_vdsm([net("ovirtmgmt", OVIRTMGMT)], [])
    assert host.origin == "persisted"
    assert strip(host) == [
        iface("eth0", InterfaceType.ETHERNET, mtu=1500, controller="ovirtmgmt",
              port_type=PortType.BRIDGE, network="ovirtmgmt"),
        iface("ovirtmgmt", InterfaceType.BRIDGE, mtu=1500,
              ipv4=IpConfig(4, "manual", (IpAddress("192.168.1.10", 24),),
                            gateway="192.168.1.1", dns=("192.168.1.2", "8.8.8.8")),
              ipv6=IPV6_DISABLED, bridge=BridgeSettings(stp=False), network="ovirtmgmt"),
    ]


def test_example_ovirtmgmt_routes_rules_and_dns() -> None:
    host = lower_vdsm([net("ovirtmgmt", OVIRTMGMT)], [])
    table = 329647082
    assert [(r.destination, r.interface, r.gateway, r.table, r.absent) for r in host.routes] == [
        ("0.0.0.0/0", "ovirtmgmt", "192.168.1.1", table, False),
        ("192.168.1.0/24", "ovirtmgmt", None, table, False),
    ]
    assert [(r.family, r.priority, r.table, r.source_prefix, r.destination_prefix, r.interface)
            for r in host.rules] == [
        (4, 3200, table, "192.168.1.0/24", None, "ovirtmgmt"),
        (4, 3200, table, None, "192.168.1.0/24", "ovirtmgmt"),
    ]
    assert host.dns == DnsConfig(servers=("192.168.1.2", "8.8.8.8"))
    assert host.findings == ()


def test_example_routes_carry_the_gateway_position() -> None:
    host = lower_vdsm([net("ovirtmgmt", OVIRTMGMT)], [])
    assert all(r.source.file == "nets/ovirtmgmt" and r.source.line == 5 for r in host.routes)


# --- §5.10 example 2 ------------------------------------------------------------------------


def test_example_vmnet_on_bond_vlan_interfaces() -> None:
    host = lower_vdsm([net("vmnet", VMNET)], [bond("bond0", BOND0)])
    assert strip(host) == [
        iface("bond0", InterfaceType.BOND, mtu=9000, network="vmnet",
              bond=BondSettings("802.3ad", (("miimon", "100"),))),
        iface("bond0.100", InterfaceType.VLAN, mtu=9000, controller="vmnet",
              port_type=PortType.BRIDGE, vlan=VlanSettings(100, "bond0"), network="vmnet"),
        iface("eth1", InterfaceType.ETHERNET, mtu=9000, controller="bond0",
              port_type=PortType.BOND),
        iface("eth2", InterfaceType.ETHERNET, mtu=9000, controller="bond0",
              port_type=PortType.BOND),
        iface("vmnet", InterfaceType.BRIDGE, mtu=9000,
              bridge=BridgeSettings(stp=False, options=(("multicast-router", "disabled"),
                                                        ("multicast-snooping", "true"))),
              network="vmnet"),
    ]


def test_example_vmnet_has_no_routes_or_dns() -> None:
    host = lower_vdsm([net("vmnet", VMNET)], [bond("bond0", BOND0)])
    assert (host.routes, host.rules, host.dns) == ((), (), DnsConfig())


def test_example_vmnet_bridge_opts_mapping_is_reported_at_the_json_line() -> None:
    host = lower_vdsm([net("vmnet", VMNET)], [bond("bond0", BOND0)])
    assert {f.code for f in host.findings} == {"VDSM_BRIDGE_OPT_MAPPED"}
    assert all(f.position.line == 14 for f in host.findings)


# --- other shapes ------------------------------------------------------------------------------


STORAGE = {
    "nic": "eth2", "vlan": 20, "bridged": False, "ipaddr": "10.0.20.5",
    "netmask": "255.255.255.0", "gateway": "10.0.20.1", "ipv6addr": "fd00:20::5/64",
    "ipv6gateway": "fd00:20::1", "defaultRoute": False, "nameservers": [],
}


def test_bridgeless_vlan_carries_the_ip_and_its_base_none() -> None:
    host = lower_vdsm([net("storage", STORAGE)], [])
    assert strip(host) == [
        iface("eth2", InterfaceType.ETHERNET, mtu=1500, network="storage"),
        iface("eth2.20", InterfaceType.VLAN, mtu=1500,
              ipv4=IpConfig(4, "manual", (IpAddress("10.0.20.5", 24),)),
              ipv6=IpConfig(6, "manual", (IpAddress("fd00:20::5", 64),)),
              vlan=VlanSettings(20, "eth2"), network="storage"),
    ]


def test_non_default_gateways_become_absent_main_table_routes() -> None:
    host = lower_vdsm([net("storage", STORAGE)], [])
    absent = [(r.destination, r.gateway, r.table) for r in host.routes if r.absent]
    assert absent == [("0.0.0.0/0", "10.0.20.1", None), ("::/0", "fd00:20::1", None)]


def test_non_default_static_network_gets_source_routing_on_adler32_of_vlan_device() -> None:
    host = lower_vdsm([net("storage", STORAGE)], [])
    table = 158335492
    assert [(r.destination, r.gateway, r.table) for r in host.routes if not r.absent] == [
        ("0.0.0.0/0", "10.0.20.1", table), ("10.0.20.0/24", None, table)]
    assert host.rules == (
        RoutingRule(4, priority=3200, table=table, source_prefix="10.0.20.0/24",
                    interface="eth2.20", source=host.rules[0].source),
        RoutingRule(4, priority=3200, table=table, destination_prefix="10.0.20.0/24",
                    interface="eth2.20", source=host.rules[1].source),
    )


def test_dhcp_default_route_network_uses_main_table_and_auto_dns() -> None:
    host = lower_vdsm([net("ovirtmgmt", {"nic": "eth0", "bootproto": "dhcp", "dhcpv6": True,
                                         "ipv6autoconf": True, "defaultRoute": True,
                                         "nameservers": []})], [])
    bridge = host.interface("ovirtmgmt")
    assert bridge is not None
    assert bridge.ipv4 == IpConfig(4, "auto", route_table=254, dhcp_client_id="mac")
    assert bridge.ipv6 == IpConfig(6, "auto", route_table=254)
    assert host.routes == () and host.rules == () and host.dns == DnsConfig()


def test_dhcp_non_default_network_routes_into_its_own_table_without_dns() -> None:
    host = lower_vdsm([net("display", {"nic": "eth1", "bridged": False, "bootproto": "dhcp",
                                       "defaultRoute": False})], [])
    nic = host.interface("eth1")
    assert nic is not None
    assert nic.ipv4 == IpConfig(4, "auto", route_table=zlib.adler32(b"eth1"),
                                ignore_auto_dns=True, dhcp_client_id="mac")
    assert nic.ipv6 == IPV6_DISABLED


def test_dhcpv6_only_is_method_dhcp() -> None:
    host = lower_vdsm([net("n", {"nic": "eth1", "dhcpv6": True, "defaultRoute": False})], [])
    bridge = host.interface("n")
    assert bridge is not None and bridge.ipv6.method == "dhcp"


def test_dhcp_default_route_with_explicit_nameservers_ignores_dhcp_dns() -> None:
    host = lower_vdsm([net("m", {"nic": "eth0", "bootproto": "dhcp", "defaultRoute": True,
                                 "nameservers": ["192.0.2.53"]})], [])
    bridge = host.interface("m")
    assert bridge is not None
    assert bridge.ipv4 == IpConfig(4, "auto", route_table=254, dns=("192.0.2.53",),
                                   ignore_auto_dns=True, dhcp_client_id="mac")
    assert host.dns.servers == ("192.0.2.53",)


def test_ipv6_nameserver_on_ipv4_only_network_is_reported() -> None:
    host = lower_vdsm([net("m", dict(OVIRTMGMT, nameservers=["2001:db8::53"]))], [])
    assert [f.code for f in host.findings] == ["VDSM_DNS_FAMILY_DISABLED"]
    assert host.dns.servers == ("2001:db8::53",)


def test_mtu_of_shared_base_is_the_largest_and_ports_follow_the_bond() -> None:
    host = lower_vdsm([
        net("big", {"bonding": "bond0", "vlan": 10, "mtu": 9000, "defaultRoute": False}),
        net("small", {"bonding": "bond0", "vlan": 20, "mtu": 1500, "defaultRoute": False}),
        net("mgmt", {"bonding": "bond0", "bridged": False, "ipaddr": "10.0.0.2",
                     "netmask": "255.255.255.0", "mtu": 1500, "defaultRoute": False}),
    ], [bond("bond0", BOND0)])
    mtus = {i.name: i.mtu for i in host.interfaces}
    assert mtus == {"bond0": 9000, "bond0.10": 9000, "bond0.20": 1500, "big": 9000,
                    "small": 1500, "eth1": 9000, "eth2": 9000}
    base = host.interface("bond0")
    assert base is not None and base.network == "mgmt"
    assert base.ipv4 == IpConfig(4, "manual", (IpAddress("10.0.0.2", 24),))


def test_bond_hwaddr_becomes_cloned_mac() -> None:
    host = lower_vdsm([], [bond("bond0", dict(BOND0, hwaddr="52:54:00:00:00:01"))])
    b = host.interface("bond0")
    assert b is not None and b.cloned_mac_address == "52:54:00:00:00:01".upper()
    assert b.mtu == 1500 and b.ipv4 == IPV4_DISABLED


def test_network_on_unpersisted_bond_is_skipped_with_error() -> None:
    host = lower_vdsm([net("vmnet", VMNET)], [])
    assert host.interfaces == () and host.networks == ()
    assert [(f.code, f.severity) for f in host.findings] == [("VDSM_BOND_MISSING", Severity.ERROR)]
    assert host.findings[0].position.line == 2


def test_network_on_bond_without_nics_is_skipped() -> None:
    host = lower_vdsm([net("vmnet", VMNET)], [bond("bond0", {"nics": []})])
    assert host.interfaces == ()
    assert [f.code for f in host.findings] == ["VDSM_BOND_UNUSABLE"]


def test_nicless_bridge_has_no_ports() -> None:
    host = lower_vdsm([net("internal", {"defaultRoute": False})], [])
    assert strip(host) == [iface("internal", InterfaceType.BRIDGE, mtu=1500,
                                 bridge=BridgeSettings(stp=False), network="internal")]


def test_stp_is_explicit_when_on() -> None:
    host = lower_vdsm([net("n", {"nic": "eth0", "stp": True, "defaultRoute": False})], [])
    bridge = host.interface("n")
    assert bridge is not None and bridge.bridge == BridgeSettings(stp=True)


def test_vlan_zero_device() -> None:
    host = lower_vdsm([net("n", {"nic": "eth0", "vlan": 0, "defaultRoute": False})], [])
    vlan = host.interface("eth0.0")
    assert vlan is not None and vlan.vlan == VlanSettings(0, "eth0")


def test_custom_ethtool_opts_and_qos_are_reported_not_migrated() -> None:
    host = lower_vdsm([net("n", {"nic": "eth0", "defaultRoute": False,
                                 "custom": {"ethtool_opts": "-K eth0 tso off", "hook": "x"},
                                 "hostQos": {"out": {"ls": {"m2": 1000}}}})], [])
    assert sorted(f.code for f in host.findings) == [
        "VDSM_CUSTOM_PROPERTY", "VDSM_ETHTOOL_OPTS", "VDSM_HOST_QOS"]


def test_interfaces_sorted_and_uuids_deterministic() -> None:
    first = lower_vdsm([net("vmnet", VMNET), net("ovirtmgmt", OVIRTMGMT)], [bond("bond0", BOND0)])
    second = lower_vdsm([net("ovirtmgmt", OVIRTMGMT), net("vmnet", VMNET)],
                        [bond("bond0", BOND0)])
    names = [i.name for i in first.interfaces]
    assert names == sorted(names)
    assert first == second
    assert all(i.uuid == stable_uuid(i.name) for i in first.interfaces)


# --- OVS ----------------------------------------------------------------------------------------


def test_ovs_network_on_nic() -> None:
    host = lower_vdsm([net("ovirtmgmt", dict(OVIRTMGMT, switch="ovs"))], [])
    br = ovs_bridge_name("eth0")
    assert br.startswith("vdsmbr_") and len(br) == 15
    mappings = (("ovn-bridge-mappings", f"ovirtmgmt:{br}"),)
    assert strip(host) == [
        iface("eth0", InterfaceType.ETHERNET, mtu=1500, controller="ovs-port-eth0",
              port_type=PortType.OVS_PORT, network="ovirtmgmt"),
        iface("ovirtmgmt", InterfaceType.OVS_INTERFACE, mtu=1500, controller="ovs-port-ovirtmgmt",
              port_type=PortType.OVS_PORT,
              ipv4=IpConfig(4, "manual", (IpAddress("192.168.1.10", 24),),
                            gateway="192.168.1.1", dns=("192.168.1.2", "8.8.8.8")),
              network="ovirtmgmt"),
        iface("ovs-port-eth0", InterfaceType.OVS_PORT, controller=br,
              port_type=PortType.OVS_BRIDGE, ovs=OvsSettings(bridge=br), network="ovirtmgmt"),
        iface("ovs-port-ovirtmgmt", InterfaceType.OVS_PORT, controller=br,
              port_type=PortType.OVS_BRIDGE, ovs=OvsSettings(bridge=br), network="ovirtmgmt"),
        iface(br, InterfaceType.OVS_BRIDGE, ovs=OvsSettings(external_ids=mappings),
              network="ovirtmgmt"),
    ]
    assert [r.table for r in host.routes] == [329647082, 329647082]


def test_ovs_vlan_is_an_access_tag_and_mappings_are_sorted() -> None:
    host = lower_vdsm([
        net("vmnet", {"bonding": "bond0", "vlan": 100, "switch": "ovs", "mtu": 9000,
                      "defaultRoute": False}),
        net("alpha", {"bonding": "bond0", "vlan": 200, "switch": "ovs", "defaultRoute": False}),
    ], [bond("bond0", dict(BOND0, switch="ovs"))])
    br = ovs_bridge_name("bond0")
    port = host.interface("ovs-port-vmnet")
    assert port is not None and port.ovs == OvsSettings(bridge=br, vlan_tag=100)
    bridge = host.interface(br)
    assert bridge is not None and bridge.ovs == OvsSettings(
        external_ids=(("ovn-bridge-mappings", f"alpha:{br},vmnet:{br}"),))
    bond0 = host.interface("bond0")
    assert bond0 is not None
    assert (bond0.mtu, bond0.controller, bond0.ipv4) == (9000, "ovs-port-bond0", IPV4_DISABLED)
    assert host.interface("bond0.100") is None
    assert "VDSM_OVS_LINUX_BOND" in {f.code for f in host.findings}


# --- bridge options --------------------------------------------------------------------------


def test_bridge_timers_convert_sysfs_centiseconds_to_seconds() -> None:
    settings, findings = bridge_settings(
        True, "forward_delay=1500 hello_time=200 max_age=2000 ageing_time=30000 priority=100",
        Position("f"), "br")
    assert (settings.forward_delay, settings.hello_time, settings.max_age, settings.ageing_time,
            settings.priority) == (15, 2, 20, 300, 100)
    assert {f.code for f in findings} == {"VDSM_BRIDGE_OPT_MAPPED"}


def test_bridge_option_without_nm_property_is_reported() -> None:
    settings, findings = bridge_settings(False, "nf_call_iptables=1 forward_delay=0",
                                         Position("f", 3), "br")
    assert settings == BridgeSettings(stp=False)
    assert [f.code for f in findings] == ["VDSM_BRIDGE_OPT_UNMAPPED"] * 2
    assert all(f.position == Position("f", 3) for f in findings)


def test_multicast_router_values() -> None:
    for value, name in (("0", "disabled"), ("1", "auto"), ("2", "enabled")):
        settings, _ = bridge_settings(False, f"multicast_router={value}", Position("f"), "br")
        assert settings.options == (("multicast-router", name),)


def test_absent_routes_use_the_model_route_type() -> None:
    host = lower_vdsm([net("storage", STORAGE)], [])
    assert isinstance(host.routes[0], Route) and host.routes[0].absent


def test_dhcp_non_default_network_reports_the_lease_time_rules_vdsm_added() -> None:
    host = lower_vdsm([net("display", {"nic": "eth1", "bridged": False, "bootproto": "dhcp",
                                       "defaultRoute": False})], [])
    assert [(f.code, f.severity) for f in host.findings] == [
        ("VDSM_DHCP_SOURCE_ROUTING", Severity.WARNING)]
    assert str(zlib.adler32(b"eth1")) in host.findings[0].message
