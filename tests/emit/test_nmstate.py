"""The nmstate emitter: VDSM's translation (spec/vdsm-formats.md §5) from hand-built models,
what nmstate 1.2 cannot express as findings, and the output formats."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import nmstate_models as m
import pytest
import yaml

from ifcfg2nm.emit.nmstate import dump_state, nmstate_state
from ifcfg2nm.findings import Finding
from ifcfg2nm.model.host import HostConfig, IpConfig, Route, RoutingRule


def state_of(host: HostConfig) -> dict[str, Any]:
    return nmstate_state(host)[0]


def codes(host: HostConfig) -> list[str]:
    return [f.code for f in nmstate_state(host)[1]]


def findings_of(host: HostConfig, code: str) -> list[Finding]:
    return [f for f in nmstate_state(host)[1] if f.code == code]


def interface(state: dict[str, Any], name: str) -> dict[str, Any]:
    return next(i for i in state["interfaces"] if i["name"] == name)


# -- VDSM's worked examples (§5.10) -------------------------------------------------

OVIRTMGMT = f"""
interfaces:
- {{name: eth0, state: up, mtu: 1500, ipv4: {{enabled: false}}, ipv6: {{enabled: false}}}}
- name: ovirtmgmt
  type: linux-bridge
  state: up
  mtu: 1500
  mac-address: "{m.MGMT_MAC}"
  bridge: {{port: [{{name: eth0}}], options: {{stp: {{enabled: false}}}}}}
  ipv4: {{enabled: true, dhcp: false, address: [{{ip: 192.168.1.10, prefix-length: 24}}]}}
  ipv6: {{enabled: false}}
routes:
  config:
  - {{destination: 0.0.0.0/0, next-hop-address: 192.168.1.1, next-hop-interface: ovirtmgmt, table-id: 0}}
  - {{destination: 0.0.0.0/0, next-hop-address: 192.168.1.1, next-hop-interface: ovirtmgmt, table-id: 329647082}}
  - {{destination: 192.168.1.0/24, next-hop-address: 0.0.0.0, next-hop-interface: ovirtmgmt, table-id: 329647082}}
route-rules:
  config:
  - {{route-table: 329647082, priority: 3200, ip-from: 192.168.1.0/24}}
  - {{route-table: 329647082, priority: 3200, ip-to: 192.168.1.0/24}}
dns-resolver: {{config: {{server: [192.168.1.2, 8.8.8.8]}}}}
"""


def test_static_management_bridge_is_vdsm_first_example() -> None:
    state, findings = nmstate_state(m.ovirtmgmt_host())
    assert state == yaml.safe_load(OVIRTMGMT)
    assert findings == ()


def test_static_management_bridge_keeps_vdsm_key_order() -> None:
    state = state_of(m.ovirtmgmt_host())
    assert list(state) == ["interfaces", "routes", "route-rules", "dns-resolver"]
    assert list(interface(state, "ovirtmgmt")) == [
        "name", "type", "state", "mtu", "mac-address", "bridge", "ipv4", "ipv6"]
    assert list(state["routes"]["config"][0]) == [
        "destination", "next-hop-address", "next-hop-interface", "table-id"]


VMNET = """
interfaces:
- name: bond0
  type: bond
  state: up
  mtu: 9000
  link-aggregation: {mode: 802.3ad, port: [eth1, eth2], options: {miimon: '100'}}
  ipv4: {enabled: false}
  ipv6: {enabled: false}
- name: bond0.100
  type: vlan
  state: up
  mtu: 9000
  vlan: {id: 100, base-iface: bond0}
  ipv4: {enabled: false}
  ipv6: {enabled: false}
- {name: eth1, state: up, mtu: 9000, ipv4: {enabled: false}, ipv6: {enabled: false}}
- {name: eth2, state: up, mtu: 9000, ipv4: {enabled: false}, ipv6: {enabled: false}}
- name: vmnet
  type: linux-bridge
  state: up
  mtu: 9000
  bridge: {port: [{name: bond0.100}], options: {stp: {enabled: false}}}
  ipv4: {enabled: false}
  ipv6: {enabled: false}
"""


def test_bond_vlan_vm_bridge_is_vdsm_second_example() -> None:
    state, findings = nmstate_state(m.vmnet_host())
    assert state == yaml.safe_load(VMNET)
    assert findings == ()


# -- VDSM scenarios -------------------------------------------------------------------


def test_bridgeless_vlan_carries_static_ipv4_and_ipv6() -> None:
    vlan = interface(state_of(m.storage_vlan_host()), "eth2.20")
    assert vlan["vlan"] == {"id": 20, "base-iface": "eth2"}
    assert vlan["ipv4"] == {"enabled": True, "dhcp": False,
                            "address": [{"ip": "10.0.20.5", "prefix-length": 24}]}
    assert vlan["ipv6"] == {"enabled": True, "dhcp": False, "autoconf": False,
                            "address": [{"ip": "fd00:20::5", "prefix-length": 64}]}


def test_non_default_network_gateways_are_absent_main_table_routes() -> None:
    routes = state_of(m.storage_vlan_host())["routes"]["config"]
    assert routes[:2] == [
        {"destination": "0.0.0.0/0", "next-hop-address": "10.0.20.1",
         "next-hop-interface": "eth2.20", "table-id": 0, "state": "absent"},
        {"destination": "::/0", "next-hop-address": "fd00:20::1",
         "next-hop-interface": "eth2.20", "table-id": 0, "state": "absent"},
    ]


def test_non_default_network_source_routes_in_its_adler32_table() -> None:
    state = state_of(m.storage_vlan_host())
    assert [r["table-id"] for r in state["routes"]["config"][2:]] == [158335492, 158335492]
    assert {r["route-table"] for r in state["route-rules"]["config"]} == {158335492}


def test_non_default_network_sets_no_dns() -> None:
    assert "dns-resolver" not in state_of(m.storage_vlan_host())


def test_dhcp_default_route_network_uses_main_table_and_auto_dns() -> None:
    bridge = interface(state_of(m.dhcp_default_host()), "ovirtmgmt")
    assert bridge["ipv4"] == {"enabled": True, "dhcp": True, "auto-dns": True,
                              "auto-gateway": True, "auto-routes": True,
                              "auto-route-table-id": 254}
    assert bridge["ipv6"] == {"enabled": True, "dhcp": True, "autoconf": True, "auto-dns": True,
                              "auto-gateway": True, "auto-routes": True,
                              "auto-route-table-id": 254}


def test_dhcp_default_route_network_clears_static_dns() -> None:
    assert state_of(m.dhcp_default_host())["dns-resolver"] == {"config": {"server": []}}


def test_dhcp_other_network_gets_its_own_table_without_dns() -> None:
    state = state_of(m.dhcp_other_host())
    assert interface(state, "backup")["ipv4"] == {
        "enabled": True, "dhcp": True, "auto-dns": False, "auto-gateway": True,
        "auto-routes": True, "auto-route-table-id": m.table("backup")}
    assert "dns-resolver" not in state and "routes" not in state


def test_stp_is_always_explicit() -> None:
    bridge = interface(state_of(m.dhcp_other_host()), "backup")
    assert bridge["bridge"]["options"] == {"stp": {"enabled": True}}


def test_ipv6_autoconf_without_dhcpv6_asks_for_both_with_a_finding() -> None:
    host = m.ipv6_autoconf_host()
    ipv6 = interface(state_of(host), "eth4")["ipv6"]
    assert (ipv6["dhcp"], ipv6["autoconf"]) == (True, True)
    assert codes(host) == ["NMSTATE_VDSM_DEVIATION"]


OVS = f"""
interfaces:
- {{name: eth0, state: up, mtu: 1500, ipv4: {{enabled: false}}, ipv6: {{enabled: false}}}}
- name: ovirtmgmt
  type: ovs-interface
  state: up
  mtu: 1500
  mac-address: "{m.MGMT_MAC}"
  ipv4: {{enabled: true, dhcp: false, address: [{{ip: 192.0.2.90, prefix-length: 24}}]}}
  ipv6: {{enabled: false}}
- name: storage
  type: ovs-interface
  state: up
  mtu: 1500
  ipv4: {{enabled: true, dhcp: false, address: [{{ip: 10.0.200.90, prefix-length: 24}}]}}
  ipv6: {{enabled: false}}
- name: {m.OVS_BRIDGE}
  type: ovs-bridge
  state: up
  bridge:
    port:
    - {{name: eth0}}
    - {{name: ovirtmgmt}}
    - {{name: storage, vlan: {{mode: access, tag: 200}}}}
"""


def test_ovs_networks_are_internal_interfaces_on_one_bridge() -> None:
    state, findings = nmstate_state(m.ovs_host())
    assert state["interfaces"] == yaml.safe_load(OVS)["interfaces"]
    assert findings == ()


def test_ovs_bridge_mappings_are_global_external_ids() -> None:
    state = state_of(m.ovs_host())
    assert state["ovs-db"] == {"external_ids": {
        "ovn-bridge-mappings": f"ovirtmgmt:{m.OVS_BRIDGE},storage:{m.OVS_BRIDGE}"}}
    assert "ovs-db" not in interface(state, m.OVS_BRIDGE)


def test_ovs_routes_and_dns_work_as_with_linux_bridges() -> None:
    state = state_of(m.ovs_host())
    assert state["routes"]["config"][0]["next-hop-interface"] == "ovirtmgmt"
    assert state["dns-resolver"] == {"config": {"server": ["192.0.2.2"]}}


# -- general model features -------------------------------------------------------------


def test_ifcfg_hosts_name_the_ethernet_type() -> None:
    state = state_of(m.ifcfg_kitchen_sink_host())
    assert interface(state, "eth6")["type"] == "ethernet"


def test_bridge_options_timers_and_port_settings() -> None:
    bridge = interface(state_of(m.ifcfg_kitchen_sink_host()), "br0")["bridge"]
    assert bridge["options"] == {
        "stp": {"enabled": True, "priority": 4096, "forward-delay": 4, "hello-time": 2,
                "max-age": 20},
        "mac-ageing-time": 600, "multicast-snooping": False, "multicast-querier": True}
    assert bridge["port"] == [{"name": "eth5", "stp-priority": 40, "stp-path-cost": 100,
                               "stp-hairpin-mode": False}]


def test_link_and_ethtool_settings() -> None:
    eth5 = interface(state_of(m.ifcfg_kitchen_sink_host()), "eth5")
    assert eth5["ethernet"] == {"auto-negotiation": False, "speed": 1000, "duplex": "full"}
    assert eth5["ethtool"] == {"pause": {"autoneg": False, "rx": True, "tx": False},
                               "feature": {"tx-tcp-segmentation": False},
                               "ring": {"rx": 1024}, "coalesce": {"rx-usecs": 30}}


def test_bond_on_off_options_are_numbers_nmstate_keeps() -> None:
    bond = interface(state_of(m.ifcfg_kitchen_sink_host()), "bond1")
    assert bond["link-aggregation"]["options"] == {"miimon": "100", "primary": "eth7",
                                                   "use_carrier": 0}


def test_cloned_mac_is_the_nmstate_mac_address() -> None:
    bond = interface(state_of(m.ifcfg_kitchen_sink_host()), "bond1")
    assert bond["mac-address"] == "52:54:00:0b:00:01"


def test_ipv6_gateway_is_a_main_table_default_route() -> None:
    routes = state_of(m.ifcfg_kitchen_sink_host())["routes"]["config"]
    assert {"destination": "::/0", "next-hop-address": "2001:db8:5::1",
            "next-hop-interface": "br0", "table-id": 0} in routes


def test_static_routes_keep_metric_and_table() -> None:
    routes = state_of(m.ifcfg_kitchen_sink_host())["routes"]["config"]
    assert {"destination": "10.10.0.0/16", "next-hop-address": "203.0.113.254",
            "next-hop-interface": "eth6", "table-id": 0, "metric": 50} in routes
    assert {"destination": "10.20.0.0/16", "next-hop-address": "198.51.100.254",
            "next-hop-interface": "br0", "table-id": 100} in routes


def test_dns_servers_of_both_families_and_search() -> None:
    dns = state_of(m.ifcfg_kitchen_sink_host())["dns-resolver"]["config"]
    assert dns == {"server": ["198.51.100.53", "2001:db8:5::53"], "search": ["example.org"]}


def test_ipv6_link_local_method() -> None:
    eth6 = interface(state_of(m.ifcfg_kitchen_sink_host()), "eth6")
    assert eth6["ipv6"] == {"enabled": True, "dhcp": False, "autoconf": False}


def test_dhcp_without_default_gateway() -> None:
    bond = interface(state_of(m.ifcfg_kitchen_sink_host()), "bond1")
    assert bond["ipv4"]["auto-gateway"] is False
    assert bond["ipv6"]["autoconf"] is False


def test_route_metric_of_the_profile_moves_onto_its_routes() -> None:
    host = m.ovirtmgmt_host()
    bridge = host.interfaces[1]
    host = replace(host, interfaces=(host.interfaces[0],
                                     replace(bridge, ipv4=replace(bridge.ipv4, route_metric=425))))
    routes = state_of(host)["routes"]["config"]
    assert [r.get("metric") for r in routes] == [425, 425, 425]
    assert "NMSTATE_UNSUPPORTED" in codes(host)


def test_every_kitchen_sink_setting_is_expressible() -> None:
    assert codes(m.ifcfg_kitchen_sink_host()) == []


# -- what nmstate 1.2 cannot express ----------------------------------------------------


@pytest.mark.parametrize("fragment", [
    "autoconnect=no",
    "binding the profile to MAC",
    "wake-on-lan=magic",
    "IPv4 method link-local",
    "IPv6 method ignore",
    "ethtool.feature-tx-tcp-segmentation is written by nmstate as ethtool.feature-tso",
    "connection.zone=trusted",
    "ipv4.dhcp-hostname=h1",
    "ipv4.route-metric=300",
    "VLAN flags gvrp",
    "bond option lacp_active=on",
    "route 10.1.0.0/16 via 192.0.2.254 dev eth1: left out, eth1 is dynamic",
    "route type blackhole",
    "attribute src 192.0.2.7",
    "nothing routes in table 200",
    "fwmark has no nmstate 1.2 field",
    "action prohibit",
    "DNS options rotate",
    "DNS server 192.0.2.53: left out",
])
def test_unsupported_settings_become_findings(fragment: str) -> None:
    messages = [f.message for f in nmstate_state(m.unsupported_host())[1]]
    assert any(fragment in message for message in messages), messages


def test_unsupported_settings_are_left_out_of_the_state() -> None:
    state = state_of(m.unsupported_host())
    assert [r["destination"] for r in state["routes"]["config"]] == ["10.3.0.0/16"]
    assert "route-rules" not in state and "dns-resolver" not in state
    assert interface(state, "bond2")["link-aggregation"]["options"] == {"miimon": "100"}


def test_findings_name_their_prefix_and_are_sorted() -> None:
    findings = nmstate_state(m.unsupported_host())[1]
    assert all(f.code.startswith("NMSTATE_") for f in findings)
    assert list(findings) == sorted(findings, key=lambda f: f.sort_key)


def test_port_with_ip_is_disabled_with_a_finding() -> None:
    host = m.ovirtmgmt_host()
    eth0 = replace(host.interfaces[0], ipv4=m.static4("192.0.2.9", 24))
    host = replace(host, interfaces=(eth0, host.interfaces[1]))
    assert interface(state_of(host), "eth0")["ipv4"] == {"enabled": False}
    assert "NMSTATE_CONFLICT" in codes(host)


def test_rule_without_priority_is_pinned_by_nmstate() -> None:
    host = m.ovirtmgmt_host()
    host = replace(host, rules=(replace(host.rules[0], priority=None),))
    assert state_of(host)["route-rules"]["config"] == [
        {"route-table": m.table("ovirtmgmt"), "ip-from": "192.168.1.0/24"}]
    assert codes(host) == ["NMSTATE_PINNED"]


def test_rule_from_all_is_left_out() -> None:
    host = replace(m.ovirtmgmt_host(), rules=(RoutingRule(4, priority=5, table=254),))
    assert "route-rules" not in state_of(host)
    assert codes(host) == ["NMSTATE_RULE"]


def test_interleaved_dns_families_are_regrouped() -> None:
    host = m.ifcfg_kitchen_sink_host()
    br0 = host.interfaces[0]
    br0 = replace(br0, ipv4=replace(br0.ipv4, dns=("198.51.100.53", "2001:db8:5::53", "198.51.100.54")),
                  ipv6=replace(br0.ipv6, dns=()))
    host = replace(host, interfaces=(br0, *host.interfaces[1:]), dns=replace(host.dns, servers=()))
    dns = state_of(host)["dns-resolver"]["config"]["server"]
    assert dns == ["198.51.100.53", "198.51.100.54", "2001:db8:5::53"]
    assert "NMSTATE_DNS" in codes(host)


def test_dynamic_ipv6_with_static_addresses_reports_the_dropped_addresses() -> None:
    host = m.dhcp_default_host()
    bridge = host.interfaces[1]
    bridge = replace(bridge, ipv6=replace(bridge.ipv6, addresses=m.static4("1.2.3.4", 8).addresses))
    host = replace(host, interfaces=(host.interfaces[0], bridge))
    assert "address" not in interface(state_of(host), "ovirtmgmt")["ipv6"]
    assert "NMSTATE_IP_METHOD" in codes(host)


def test_absent_route_is_kept_even_on_a_dynamic_interface() -> None:
    host = replace(m.dhcp_other_host(), routes=(
        Route("0.0.0.0/0", "backup", gateway="10.9.9.1", absent=True),))
    assert state_of(host)["routes"]["config"] == [
        {"destination": "0.0.0.0/0", "next-hop-address": "10.9.9.1",
         "next-hop-interface": "backup", "table-id": 0, "state": "absent"}]
    assert codes(host) == []


def test_static_profile_without_addresses_is_disabled() -> None:
    host = replace(m.dhcp_other_host(), interfaces=(
        m.iface("eth3", ipv4=IpConfig(4, "manual")),))
    assert interface(state_of(host), "eth3")["ipv4"] == {"enabled": False}
    assert codes(host) == ["NMSTATE_IP_METHOD"]


# -- output ------------------------------------------------------------------------------


def test_yaml_is_block_style_in_emission_order() -> None:
    text = dump_state(state_of(m.ovirtmgmt_host()), "yaml")
    assert text.startswith("interfaces:\n- name: eth0\n  state: up\n  mtu: 1500\n")
    assert "{" not in text
    assert yaml.safe_load(text) == state_of(m.ovirtmgmt_host())


def test_yaml_quotes_macs_that_yaml_1_1_would_read_as_numbers() -> None:
    state = {"interfaces": [{"name": "br0", "mac-address": "52:54:00:12:34:56"}]}
    text = dump_state(state, "yaml")
    assert yaml.safe_load(text) == state


def test_json_has_indent_two_and_a_final_newline() -> None:
    state = state_of(m.vmnet_host())
    text = dump_state(state, "json")
    assert text.endswith("}\n") and text.startswith('{\n  "interfaces": [\n')
    assert json.loads(text) == state


@pytest.mark.parametrize("name", sorted(m.ALL))
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_output_is_byte_identical_on_a_second_run(name: str, fmt: str) -> None:
    first = dump_state(nmstate_state(m.ALL[name]())[0], fmt)
    assert dump_state(nmstate_state(m.ALL[name]())[0], fmt) == first


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="toml"):
        dump_state({}, "toml")


# -- through VDSM's lowering (ifcfg2nm.model.lower) --------------------------------------


def _lower() -> Any:
    lower = pytest.importorskip("ifcfg2nm.model.lower")
    return lower.lower_vdsm


def test_lowered_management_network_is_vdsm_first_example_without_live_mac() -> None:
    host = _lower()([m.ovirtmgmt_host().networks[0]], [])
    expected = yaml.safe_load(OVIRTMGMT)
    del interface(expected, "ovirtmgmt")["mac-address"]  # the live port MAC is the upgrade's
    assert state_of(host) == expected


def test_lowered_vm_network_is_vdsm_second_example() -> None:
    vmnet = m.vmnet_host()
    host = _lower()(vmnet.networks, vmnet.bonds)
    expected = yaml.safe_load(VMNET)
    # VDSM wrote bridge_opts to sysfs after nmstate (§5.9); the lowering keeps what
    # NetworkManager can hold, so it is in the state (multicast_router has no nmstate field).
    interface(expected, "vmnet")["bridge"]["options"]["multicast-snooping"] = True
    state, findings = nmstate_state(host)
    assert state == expected
    assert any("multicast-router" in f.message for f in findings)
