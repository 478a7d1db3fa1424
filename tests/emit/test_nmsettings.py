"""nmsettings: what NetworkManager 1.42 cannot hold becomes a finding, and the profile stays valid.

Every case builds a small host the way a model builder could, checks the finding
(code, severity, what it names), and has libnm accept the resulting keyfiles.
Also: the plain settings are D-Bus shaped and accepted by the D-Bus converter.
"""

from __future__ import annotations

from typing import Any

import pytest
from keyfile_checks import libnm_checked, requires_libnm
from keyfile_models import kitchen_sink

from ifcfg2nm.emit.nmsettings import Profile, profiles
from ifcfg2nm.findings import Finding, Position, Severity
from ifcfg2nm.model.host import (
    BondSettings,
    BridgeSettings,
    DnsConfig,
    EthernetSettings,
    HostConfig,
    Interface,
    InterfaceType,
    IpAddress,
    IpConfig,
    OvsSettings,
    PortType,
    Route,
    RoutingRule,
    VlanSettings,
)
from ifcfg2nm.model.identity import stable_uuid

ETH = InterfaceType.ETHERNET
HERE = Position("ifcfg-x", 3)


def iface(name: str, kind: InterfaceType = ETH, **kwargs: Any) -> Interface:
    return Interface(name, kind, name, stable_uuid(name), source=HERE, **kwargs)


def static(address: str = "192.0.2.5", prefix: int = 24, **kwargs: Any) -> IpConfig:
    return IpConfig(4, "manual", (IpAddress(address, prefix),), **kwargs)


def emit(*interfaces: Interface, **kwargs: Any) -> tuple[dict[str, Profile], list[Finding]]:
    host = HostConfig("ifcfg", interfaces=interfaces, **kwargs)
    profs, findings = profiles(host)
    return {p.interface: p for p in profs}, list(findings)


def only(findings: list[Finding], code: str) -> Finding:
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, [str(f) for f in findings]
    return matching[0]


# -- bonds ---------------------------------------------------------------------------


def test_bond_option_unknown_to_nm_142_is_a_warning_unless_it_is_the_kernel_default() -> None:
    by_name, findings = emit(iface("bond0", InterfaceType.BOND, bond=BondSettings(
        "802.3ad", (("lacp_active", "off"), ("miimon", "100"), ("ns_ip6_target", "2001:db8::1")))))
    assert by_name["bond0"].settings["bond"]["options"] == {"mode": "802.3ad", "miimon": "100"}
    codes = [(f.code, f.severity) for f in findings]
    assert codes == [("EMIT_BOND_OPTION_UNSUPPORTED", Severity.WARNING)] * 2
    _, findings = emit(iface("bond0", InterfaceType.BOND, bond=BondSettings(
        "802.3ad", (("lacp_active", "on"),))))
    assert only(findings, "EMIT_BOND_OPTION_UNSUPPORTED").severity is Severity.INFO


@pytest.mark.parametrize(("mode", "options", "dropped"), [
    ("802.3ad", {"primary": "eth1"}, "primary"),
    ("active-backup", {"lacp_rate": "fast"}, "lacp_rate"),
    ("balance-alb", {"arp_interval": "100", "arp_ip_target": "192.0.2.1"}, "arp_interval"),
    ("active-backup", {"arp_interval": "100"}, "arp_interval"),
    ("active-backup", {"arp_ip_target": "192.0.2.1"}, "arp_ip_target"),
    ("active-backup", {"miimon": "0", "updelay": "100"}, "updelay"),
    ("active-backup", {"miimon": "100", "peer_notif_delay": "150"}, "peer_notif_delay"),
    ("active-backup", {"num_grat_arp": "3", "num_unsol_na": "5"}, "num_unsol_na"),
])
def test_bond_combinations_nm_refuses_are_left_out(mode: str, options: dict[str, str],
                                                   dropped: str) -> None:
    by_name, findings = emit(iface("bond0", InterfaceType.BOND,
                                   bond=BondSettings(mode, tuple(sorted(options.items())))))
    written = by_name["bond0"].settings["bond"]["options"]
    assert dropped not in written and written["mode"] == mode
    assert any(dropped in f.message for f in findings if f.code == "EMIT_BOND_OPTION_REJECTED")


def test_bond_on_off_options_become_numbers_for_nm() -> None:
    by_name, findings = emit(iface("bond0", InterfaceType.BOND, bond=BondSettings(
        "balance-alb", (("all_slaves_active", "on"), ("tlb_dynamic_lb", "off"),
                        ("use_carrier", "off")))))
    assert by_name["bond0"].settings["bond"]["options"] == {
        "mode": "balance-alb", "all_slaves_active": "1", "tlb_dynamic_lb": "0", "use_carrier": "0"}
    assert findings == []


# -- bridges and VLANs -------------------------------------------------------------------


def test_bridge_stp_is_always_written_and_timers_outside_nm_ranges_are_findings() -> None:
    by_name, findings = emit(
        iface("br0", InterfaceType.BRIDGE, bridge=BridgeSettings(stp=True, forward_delay=0)),
        iface("br1", InterfaceType.BRIDGE, bridge=BridgeSettings(stp=False, forward_delay=0,
                                                                  max_age=4)),
        iface("br2", InterfaceType.BRIDGE))
    assert by_name["br0"].settings["bridge"] == {"stp": True}
    assert by_name["br1"].settings["bridge"] == {"forward-delay": 0, "stp": False}
    assert by_name["br2"].settings["bridge"] == {"stp": False}
    assert sorted(f.message.split(":")[0] for f in findings) == ["br0", "br1"]


@pytest.mark.parametrize(("option", "value"), [
    ("group-forward-mask", "1"), ("multicast-router", "2"), ("multicast-hash-max", "1000"),
    ("vlan-protocol", "802.1q"), ("no-such-option", "1"),
])
def test_bridge_options_nm_refuses(option: str, value: str) -> None:
    by_name, findings = emit(iface("br0", InterfaceType.BRIDGE, bridge=BridgeSettings(
        stp=False, options=((option, value),))))
    assert option not in by_name["br0"].settings["bridge"]
    assert option in only(findings, "EMIT_NOT_EXPRESSIBLE").message


def test_vlan_flags_are_explicit_and_priority_maps_in_kernel_order() -> None:
    by_name, findings = emit(iface("eth0"), iface("eth0.5", InterfaceType.VLAN, vlan=VlanSettings(
        5, "eth0", (), ingress_priority_map=("3:1", "1:2", "3:4", "9:1"))))
    vlan = by_name["eth0.5"].settings["vlan"]
    assert vlan["flags"] == 0
    assert vlan["ingress-priority-map"] == ["1:2", "3:4"]
    assert "9:1" in only(findings, "EMIT_NOT_EXPRESSIBLE").message


def test_vlan_without_parent_is_no_profile() -> None:
    by_name, findings = emit(iface("vlan42", InterfaceType.VLAN))
    assert by_name == {}
    assert only(findings, "EMIT_INVALID_PROFILE").severity is Severity.ERROR


# -- IP ----------------------------------------------------------------------------


def test_gateway_without_static_address_becomes_a_default_route() -> None:
    by_name, findings = emit(iface("eth0", ipv4=IpConfig(4, "auto", gateway="192.0.2.1")))
    ip4 = by_name["eth0"].settings["ipv4"]
    assert "gateway" not in ip4
    assert ip4["route-data"] == [{"dest": "0.0.0.0", "prefix": 0, "next-hop": "192.0.2.1"}]
    assert only(findings, "EMIT_GATEWAY_AS_ROUTE").severity is Severity.INFO


def test_gateway_with_never_default_is_left_out() -> None:
    by_name, findings = emit(iface("eth0", ipv4=static(gateway="192.0.2.1", never_default=True)))
    assert "gateway" not in by_name["eth0"].settings["ipv4"]
    assert by_name["eth0"].settings["ipv4"]["never-default"] is True
    assert only(findings, "EMIT_NOT_EXPRESSIBLE").severity is Severity.INFO


def test_methods_that_refuse_addresses_and_dns() -> None:
    by_name, findings = emit(
        iface("eth0", ipv4=IpConfig(4, "link-local", (IpAddress("192.0.2.5", 24),),
                                    dns=("192.0.2.53",)),
              ipv6=IpConfig(6, "ignore", dns=("2001:db8::53",), dns_search=("example.org",))),
        iface("eth1", ipv4=IpConfig(4, "manual")),
        iface("eth2", ipv4=IpConfig(4, "shared", (IpAddress("10.0.0.1", 24),
                                                  IpAddress("10.0.1.1", 24)))))
    assert by_name["eth0"].settings["ipv4"] == {"method": "link-local"}
    assert by_name["eth0"].settings["ipv6"] == {"method": "ignore"}
    assert by_name["eth1"].settings["ipv4"] == {"method": "disabled"}
    assert by_name["eth2"].settings["ipv4"]["address-data"] == [
        {"address": "10.0.0.1", "prefix": 24}]
    assert [f.code for f in findings] == ["EMIT_NOT_EXPRESSIBLE"] * 6


def test_ports_and_ovs_records_carry_no_ip() -> None:
    by_name, findings = emit(
        iface("br0", InterfaceType.BRIDGE, bridge=BridgeSettings(stp=False)),
        iface("eth0", controller="br0", port_type=PortType.BRIDGE, ipv4=static()),
        iface("ovsbr0", InterfaceType.OVS_BRIDGE, mtu=1500, ipv4=IpConfig(4, "auto")))
    assert "ipv4" not in by_name["eth0"].settings and "ipv4" not in by_name["ovsbr0"].settings
    assert by_name["eth0"].settings["bridge-port"] == {}
    assert len([f for f in findings if f.code == "EMIT_NOT_EXPRESSIBLE"]) == 3


def test_token_needs_eui64() -> None:
    by_name, findings = emit(iface("eth0", ipv6=IpConfig(6, "auto", extra=(
        ("addr-gen-mode", "stable-privacy"), ("token", "::1")))))
    assert "token" not in by_name["eth0"].settings["ipv6"]
    assert "token" in only(findings, "EMIT_NOT_EXPRESSIBLE").message


def test_unknown_extra_properties_are_findings() -> None:
    by_name, findings = emit(iface("eth0", extra=(("connection.no-such", "1"),
                                                  ("ethernet.accept-all-mac-addresses", "1")),
                                   ipv4=IpConfig(4, "auto", extra=(("bogus", "x"),))))
    assert by_name["eth0"].settings["802-3-ethernet"] == {"accept-all-mac-addresses": 1}
    assert [f.code for f in findings] == ["EMIT_UNKNOWN_PROPERTY"] * 2


def test_host_wide_dns_goes_to_the_default_gateway_profile() -> None:
    by_name, findings = emit(
        iface("eth0", ipv4=static(gateway="192.0.2.1")),
        iface("eth1", ipv4=static("198.51.100.5")),
        dns=DnsConfig(servers=("192.0.2.53", "2001:db8::53"), search=("example.org",)))
    assert by_name["eth0"].settings["ipv4"]["dns"] == ["192.0.2.53"]
    assert by_name["eth0"].settings["ipv4"]["dns-search"] == ["example.org"]
    assert "dns" not in by_name["eth1"].settings["ipv4"]
    assert sorted(f.code for f in findings) == ["EMIT_GLOBAL_DNS_PLACED", "EMIT_NOT_EXPRESSIBLE"]


# -- routes and rules -----------------------------------------------------------------


def test_routes_and_rules_without_a_carrier_are_errors() -> None:
    _, findings = emit(
        iface("br0", InterfaceType.BRIDGE, bridge=BridgeSettings(stp=False), ipv4=static()),
        iface("eth0", controller="br0", port_type=PortType.BRIDGE),
        routes=(Route("10.0.0.0/8", "eth0", gateway="192.0.2.1", source=HERE),
                Route("10.1.0.0/16", "eth9", source=HERE)),
        rules=(RoutingRule(4, 100, 5, "192.0.2.0/24", interface="eth0", source=HERE),))
    assert [(f.code, f.severity) for f in findings] == [("EMIT_NO_PROFILE", Severity.ERROR)] * 3


def test_absent_routes_are_nmstate_only() -> None:
    by_name, findings = emit(iface("eth0", ipv4=static()),
                             routes=(Route("0.0.0.0/0", "eth0", "192.0.2.1", absent=True),))
    assert "route-data" not in by_name["eth0"].settings["ipv4"] and findings == []


def test_routes_nm_cannot_hold() -> None:
    by_name, findings = emit(iface("eth0", ipv4=static()), routes=(
        Route("10.0.0.0/8", "eth0", type="nat"),
        Route("10.1.0.0/16", "eth0", gateway="192.0.2.1", options=(("realms", "5"),
                                                                   ("from", "10.0.0.0/8")))))
    assert by_name["eth0"].settings["ipv4"]["route-data"] == [
        {"dest": "10.1.0.0", "prefix": 16, "next-hop": "192.0.2.1"}]
    assert [f.code for f in findings] == ["EMIT_NOT_EXPRESSIBLE"] * 3


def test_rules_without_priority_get_the_kernels() -> None:
    by_name, findings = emit(iface("eth0", ipv4=static()), rules=(
        RoutingRule(4, None, 100, "192.0.2.0/24", interface="eth0"),
        RoutingRule(4, None, 100, None, "192.0.2.0/24", interface="eth0")))
    rules = by_name["eth0"].settings["ipv4"]["routing-rules"]
    assert [r["priority"] for r in rules] == [32765, 32764]
    assert [f.code for f in findings] == ["EMIT_RULE_PRIORITY_ASSIGNED"] * 2


def test_rules_nm_cannot_hold() -> None:
    by_name, findings = emit(iface("eth0", ipv4=static()), rules=(
        RoutingRule(4, 10, None, "192.0.2.0/24", action="goto", interface="eth0"),
        RoutingRule(4, 11, 100, iif="averyveryverylongname", interface="eth0"),
        RoutingRule(4, 12, None, interface="eth0"),
        RoutingRule(4, 13, 100, "192.0.2.0/24", interface="eth0")))
    assert [r["priority"] for r in by_name["eth0"].settings["ipv4"]["routing-rules"]] == [13]
    assert [(f.code, f.severity) for f in findings] == [
        ("EMIT_NOT_EXPRESSIBLE", Severity.ERROR)] * 3


def test_a_rule_without_profile_goes_where_its_table_is_routed() -> None:
    by_name, findings = emit(
        iface("eth0", ipv4=static()), iface("eth1", ipv4=static("198.51.100.5")),
        routes=(Route("0.0.0.0/0", "eth1", "198.51.100.1", table=77),),
        rules=(RoutingRule(4, 500, 77, "198.51.100.0/24"),))
    assert by_name["eth1"].settings["ipv4"]["routing-rules"][0]["table"] == 77
    assert findings == []


# -- identity and links ---------------------------------------------------------------


def test_invalid_interface_names_and_duplicate_uuids() -> None:
    by_name, findings = emit(
        iface("averyveryverylongname0"),
        Interface("eth0", ETH, "a", stable_uuid("x")),
        Interface("eth1", ETH, "b", stable_uuid("x")),
        iface("ovs-port-averyverylongname", InterfaceType.OVS_PORT, controller="ovsbr0",
              port_type=PortType.OVS_BRIDGE),
        iface("ovsbr0", InterfaceType.OVS_BRIDGE))
    assert sorted(by_name) == ["eth0", "ovs-port-averyverylongname", "ovsbr0"]
    assert [f.code for f in findings] == ["EMIT_INVALID_PROFILE"] * 2


def test_link_settings_where_nm_has_no_place_for_them() -> None:
    by_name, findings = emit(
        iface("bond0", InterfaceType.BOND, mac_address="52:54:00:00:00:01",
              ethernet=EthernetSettings(speed=100, duplex="full")),
        iface("eth0", ethernet=EthernetSettings(auto_negotiate=False, wake_on_lan="ignore,magic"),
              ethtool=(("feature-bogus", "on"), ("pause-autoneg", "true"), ("pause-rx", "true"),
                       ("coalesce-adaptive-rx", "5"))),
        iface("ovsbr0", InterfaceType.OVS_BRIDGE, mtu=9000,
              ovs=OvsSettings(external_ids=(("NM.reserved", "x"),))),
        iface("eth1", ovs=OvsSettings(external_ids=(("a", "b"),))))
    assert by_name["eth0"].settings["ethtool"] == {"pause-autoneg": True}
    assert "802-3-ethernet" not in by_name["bond0"].settings
    assert by_name["eth0"].settings["802-3-ethernet"] == {}
    assert [f.code for f in findings] == ["EMIT_NOT_EXPRESSIBLE"] * 10


def test_ovs_system_ports_get_their_ovs_interface_setting() -> None:
    by_name, _ = emit(
        iface("ovsbr0", InterfaceType.OVS_BRIDGE),
        iface("ovs-port-bond0", InterfaceType.OVS_PORT, controller="ovsbr0"),
        iface("bond0", InterfaceType.BOND, controller="ovs-port-bond0",
              bond=BondSettings("active-backup")),
        iface("eth0", controller="bond0"))
    bond = by_name["bond0"].settings
    assert bond["connection"]["slave-type"] == "ovs-port"
    assert bond["ovs-interface"] == {"type": "system"}
    assert by_name["ovs-port-bond0"].settings["connection"]["slave-type"] == "ovs-bridge"
    assert by_name["eth0"].settings["connection"]["slave-type"] == "bond"


# -- the settings themselves ----------------------------------------------------------


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, (str, int, bool))


def test_settings_are_plain_and_deterministic() -> None:
    first, _ = profiles(kitchen_sink())
    again, _ = profiles(kitchen_sink())
    assert first == again
    for profile in first:
        assert _plain(profile.settings)
        assert next(iter(profile.settings)) == "connection"


KNOWN_DBUS_GAPS: set[str] = set()
"""Settings nmsettings writes that dbus_settings' signature table does not have yet."""


def test_dbus_converter_takes_every_profile() -> None:
    """The live path (AddConnection2) must accept what the keyfile path writes."""
    dbus_settings = pytest.importorskip("ifcfg2nm.emit.dbus_settings")
    profs, _ = profiles(kitchen_sink())
    gaps: set[str] = set()
    for profile in profs:
        settings = {s: dict(p) for s, p in profile.settings.items()}
        while True:
            try:
                dbus_settings.to_dbus(settings)
                break
            except dbus_settings.SettingsError as exc:
                where = str(exc).split(":")[0]
                gaps.add(where)
                setting, _, prop = where.partition(".")
                if prop:
                    settings[setting].pop(prop)
                else:
                    settings.pop(setting)
    assert gaps <= KNOWN_DBUS_GAPS


@requires_libnm
def test_what_nm_refuses_leaves_valid_keyfiles() -> None:
    """A host with a bit of everything above, as a whole through libnm."""
    libnm_checked(HostConfig("ifcfg", interfaces=(
        iface("eth0", ipv4=IpConfig(4, "auto", gateway="192.0.2.1")),
        iface("eth1", ipv4=IpConfig(4, "link-local", (IpAddress("192.0.2.5", 24),),
                                    dns=("192.0.2.53",))),
        iface("br0", InterfaceType.BRIDGE, bridge=BridgeSettings(stp=True, forward_delay=0,
                                                                  options=(("group-forward-mask",
                                                                            "1"),))),
        iface("bond0", InterfaceType.BOND, bond=BondSettings(
            "balance-alb", (("arp_interval", "100"), ("arp_ip_target", "192.0.2.1"),
                            ("lacp_active", "off"), ("num_grat_arp", "2"),
                            ("num_unsol_na", "3"), ("use_carrier", "off")))),
        iface("eth0.5", InterfaceType.VLAN, vlan=VlanSettings(5, "eth0", (), "802.1q",
                                                              ("9:1", "1:1"))),
        iface("eth2", ethernet=EthernetSettings(wake_on_lan="ignore,magic"),
              ethtool=(("pause-autoneg", "true"), ("pause-rx", "true"))),
        iface("eth3", ipv6=IpConfig(6, "auto", extra=(("addr-gen-mode", "default"),
                                                      ("token", "::1")))),
    ), rules=(RoutingRule(4, None, 100, "192.0.2.0/24", interface="eth0"),
              RoutingRule(4, 5, 100, iif="averyveryverylongname", interface="eth0"))))
