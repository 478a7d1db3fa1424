"""Keyfiles of hand-built hosts that use every model feature, judged by libnm.

Each keyfile must be read by ``NM.keyfile_read`` with zero warnings, pass
``verify()``, read back exactly the settings we meant, equal NetworkManager's own
writer output (explicit defaults aside), and here, property by property through
libnm's getters, say what the model says.
"""

from __future__ import annotations

import nmstate_models
import pytest
from keyfile_checks import libnm_checked, model_differences, oracle, requires_libnm
from keyfile_models import MGMT, kitchen_sink
from keyfile_models import iface as make_iface

from ifcfg2nm.model.host import EthernetSettings, HostConfig
from ifcfg2nm.model.identity import legacy_ifcfg_uuid

pytestmark = requires_libnm
NM = oracle.NM


@pytest.fixture(scope="module")
def emitted():  # type: ignore[no-untyped-def]
    return libnm_checked(kitchen_sink())


def test_kitchen_sink_keeps_every_model_property(emitted) -> None:  # type: ignore[no-untyped-def]
    assert model_differences(emitted) == []
    assert [f.code for f in emitted.findings] == []


def test_ethernet_identity_link_and_ethtool(emitted) -> None:  # type: ignore[no-untyped-def]
    conn = emitted.connection("eth0")
    s_con = conn.get_setting_connection()
    assert (s_con.get_id(), s_con.get_uuid()) == (
        "System eth0", legacy_ifcfg_uuid("/etc/sysconfig/network-scripts/ifcfg-eth0"))
    assert s_con.get_zone() == "trusted" and s_con.get_autoconnect_priority() == 10
    wired = conn.get_setting_wired()
    assert wired.get_mac_address() == "52:54:00:AB:CD:EF"
    assert wired.get_cloned_mac_address() == "52:54:00:12:34:56"
    assert wired.get_mtu() == 9000
    assert (wired.get_auto_negotiate(), wired.get_speed(), wired.get_duplex()) == (
        False, 1000, "full")
    assert wired.get_wake_on_lan() == (NM.SettingWiredWakeOnLan.PHY
                                       | NM.SettingWiredWakeOnLan.MAGIC)
    ethtool = conn.get_setting(NM.SettingEthtool)
    assert ethtool.option_get_boolean("feature-tso") == (True, False)
    assert ethtool.option_get_boolean("feature-gro") == (True, True)
    assert ethtool.option_get_boolean("pause-rx") == (True, True)
    assert ethtool.option_get_uint32("ring-rx") == (True, 4096)
    assert ethtool.option_get_uint32("coalesce-rx-usecs") == (True, 30)


def test_static_ipv4_and_ipv6(emitted) -> None:  # type: ignore[no-untyped-def]
    conn = emitted.connection("eth0")
    ip4 = conn.get_setting_ip4_config()
    assert ip4.get_method() == "manual"
    assert [str(ip4.get_address(i).get_address()) for i in range(ip4.get_num_addresses())] == [
        "198.51.100.7", "198.51.100.8"]
    assert ip4.get_gateway() == "198.51.100.1"
    assert (ip4.get_may_fail(), ip4.get_never_default()) == (False, False)
    assert (ip4.get_route_metric(), ip4.get_route_table()) == (100, 200)
    assert [ip4.get_dns(i) for i in range(ip4.get_num_dns())] == ["198.51.100.53",
                                                                  "198.51.100.54"]
    assert [ip4.get_dns_search(i) for i in range(ip4.get_num_dns_searches())] == [
        "example.org", "lab.example.org"]
    assert [ip4.get_dns_option(i) for i in range(ip4.get_num_dns_options())] == [
        "rotate", "timeout:2"]
    ip6 = conn.get_setting_ip6_config()
    assert ip6.get_method() == "manual" and ip6.get_gateway() == "2001:db8:7::1"
    assert ip6.get_addr_gen_mode() == NM.SettingIP6ConfigAddrGenMode.EUI64
    assert ip6.get_ip6_privacy() == NM.SettingIP6ConfigPrivacy.PREFER_TEMP_ADDR
    assert ip6.get_token() == "::7"


def test_dhcp_knobs(emitted) -> None:  # type: ignore[no-untyped-def]
    ip4 = emitted.connection("bond0").get_setting_ip4_config()
    assert ip4.get_method() == "auto"
    assert (ip4.get_never_default(), ip4.get_ignore_auto_dns(),
            ip4.get_ignore_auto_routes()) == (True, True, True)
    assert (ip4.get_dhcp_hostname(), ip4.get_dhcp_send_hostname(),
            ip4.get_dhcp_client_id(), ip4.get_dns_priority()) == ("hv1", False, "mac", 50)
    ip6 = emitted.connection("bond0").get_setting_ip6_config()
    assert ip6.get_method() == "dhcp"
    assert ip6.get_addr_gen_mode() == NM.SettingIP6ConfigAddrGenMode.STABLE_PRIVACY


@pytest.mark.parametrize(("name", "v4", "v6"), [
    ("bond0.200", "link-local", "ignore"),
    ("br1", "shared", "shared"),
    ("eth4", "disabled", "link-local"),
    ("ovirtmgmt", "manual", "auto"),
])
def test_every_ip_method(emitted, name: str, v4: str, v6: str) -> None:  # type: ignore[no-untyped-def]
    conn = emitted.connection(name)
    assert conn.get_setting_ip4_config().get_method() == v4
    assert conn.get_setting_ip6_config().get_method() == v6


def test_routes_with_every_attribute(emitted) -> None:  # type: ignore[no-untyped-def]
    ip4 = emitted.connection("eth0").get_setting_ip4_config()
    routes = {f"{r.get_dest()}/{r.get_prefix()}": r
              for r in (ip4.get_route(i) for i in range(ip4.get_num_routes()))}
    assert sorted(routes) == ["10.10.0.0/16", "10.11.0.0/16", "10.12.0.0/16", "10.13.0.0/16"]
    r = routes["10.10.0.0/16"]
    assert (r.get_next_hop(), r.get_metric()) == ("198.51.100.254", 50)
    attrs = {n: r.get_attribute(n).unpack() for n in r.get_attribute_names()}
    assert attrs == {"lock-mtu": True, "mtu": 1400, "onlink": True, "src": "198.51.100.7",
                     "window": 65535}
    assert routes["10.11.0.0/16"].get_attribute("type").unpack() == "blackhole"
    assert routes["10.12.0.0/16"].get_attribute("table").unpack() == 300
    assert routes["10.13.0.0/16"].get_attribute("tos").unpack() == 16
    ip6 = emitted.connection("eth0").get_setting_ip6_config()
    r6 = [ip6.get_route(i) for i in range(ip6.get_num_routes())]
    assert [(r.get_dest(), r.get_metric()) for r in r6] == [("2001:db8:99::", 1024),
                                                           ("2001:db8:98::", -1)]
    assert r6[0].get_attribute("from").unpack() == "2001:db8:7::/64"
    assert r6[1].get_attribute("type").unpack() == "prohibit"


def test_vdsm_source_routing(emitted) -> None:  # type: ignore[no-untyped-def]
    ip4 = emitted.connection("ovirtmgmt").get_setting_ip4_config()
    rules = [ip4.get_routing_rule(i) for i in range(ip4.get_num_routing_rules())]
    assert [r.to_string(0, None) for r in rules] == [
        "priority 3200 from 192.0.2.0/24 table 329647082",
        "priority 3200 to 192.0.2.0/24 table 329647082",
    ]
    routes = [ip4.get_route(i) for i in range(ip4.get_num_routes())]
    assert [(r.get_dest(), r.get_prefix(), r.get_next_hop(), r.get_attribute("table").unpack())
            for r in routes] == [("0.0.0.0", 0, "192.0.2.1", MGMT), ("192.0.2.0", 24, None, MGMT)]


def test_policy_rules_with_selectors_and_actions(emitted) -> None:  # type: ignore[no-untyped-def]
    conn = emitted.connection("eth0")
    ip4 = conn.get_setting_ip4_config()
    assert [ip4.get_routing_rule(i).to_string(0, None) for i in range(2)] == [
        "priority 100 from 198.51.100.7 tos 0x10 fwmark 0x10/0xff iif eth0 table 300",
        "priority 101 not to 10.66.0.0/16 oif eth0 type prohibit",
    ]
    ip6 = conn.get_setting_ip6_config()
    assert ip6.get_routing_rule(0).to_string(0, None) == (
        "priority 102 from 2001:db8:7::/64 table 300")


def test_bond_and_ports(emitted) -> None:  # type: ignore[no-untyped-def]
    bond = emitted.connection("bond0").get_setting_bond()
    options = {bond.get_option(i)[1]: bond.get_option(i)[2] for i in range(bond.get_num_options())}
    assert options == {"ad_select": "bandwidth", "lacp_rate": "fast", "miimon": "100",
                       "mode": "802.3ad", "updelay": "200", "use_carrier": "1",
                       "xmit_hash_policy": "layer3+4"}
    for port in ("eth1", "eth2"):
        s_con = emitted.connection(port).get_setting_connection()
        assert (s_con.get_master(), s_con.get_slave_type()) == ("bond0", "bond")
        assert emitted.connection(port).get_setting_ip4_config() is None


def test_bridges_stp_and_ports(emitted) -> None:  # type: ignore[no-untyped-def]
    mgmt = emitted.connection("ovirtmgmt").get_setting_bridge()
    assert mgmt.get_stp() is False and mgmt.get_multicast_snooping() is False
    br1 = emitted.connection("br1").get_setting_bridge()
    assert br1.get_stp() is True
    assert (br1.get_forward_delay(), br1.get_hello_time(), br1.get_max_age(),
            br1.get_priority(), br1.get_ageing_time()) == (4, 1, 10, 4096, 600)
    assert (br1.get_group_forward_mask(), br1.get_multicast_querier(),
            br1.get_multicast_router(), br1.get_vlan_filtering()) == (8, True, "enabled", True)
    port = emitted.connection("bond0.100").get_setting_bridge_port()
    assert (port.get_priority(), port.get_path_cost(), port.get_hairpin_mode()) == (16, 50, True)
    assert emitted.connection("eth3").get_setting_bridge_port() is not None


def test_vlan_flags_protocol_and_maps(emitted) -> None:  # type: ignore[no-untyped-def]
    vlan = emitted.connection("bond0.100").get_setting_vlan()
    assert (vlan.get_id(), vlan.get_parent(), vlan.get_protocol()) == (100, "bond0", "802.1Q")
    assert vlan.get_flags() == (NM.VlanFlags.GVRP | NM.VlanFlags.LOOSE_BINDING
                                | NM.VlanFlags.MVRP)
    ingress = [vlan.get_priority(NM.VlanPriorityMap.INGRESS_MAP, i)[1:]
               for i in range(vlan.get_num_priorities(NM.VlanPriorityMap.INGRESS_MAP))]
    assert ingress == [(1, 2), (3, 4)]
    plain = emitted.connection("bond0.200").get_setting_vlan()
    assert plain.get_flags() == 0  # reorder-headers off, although NetworkManager's default is on


def test_ovs_bridge_port_interface(emitted) -> None:  # type: ignore[no-untyped-def]
    port = emitted.connection("ovs-port-vmnet")
    assert (port.get_setting_ovs_port().get_tag(),
            port.get_setting_ovs_port().get_vlan_mode()) == (300, "access")
    assert port.get_setting(NM.SettingOvsExternalIDs).get_data("vdsm-network") == "vmnet"
    bridge = emitted.connection("ovsbr0")
    assert bridge.get_setting(NM.SettingOvsExternalIDs).get_data(
        "ovn-bridge-mappings") == "vmnet:ovsbr0"
    assert bridge.get_setting_ip4_config() is None
    internal = emitted.connection("vmnet")
    assert internal.get_setting_ovs_interface().get_interface_type() == "internal"
    assert internal.get_setting_ip4_config().get_method() == "manual"
    system = emitted.connection("eth5")
    assert system.get_setting_ovs_interface().get_interface_type() == "system"
    assert system.get_setting_ip4_config() is None


def test_infiniband(emitted) -> None:  # type: ignore[no-untyped-def]
    ib = emitted.connection("ib0").get_setting_infiniband()
    assert (ib.get_mtu(), ib.get_transport_mode()) == (2044, "datagram")


@pytest.mark.parametrize("scenario", sorted(nmstate_models.ALL))
def test_nmstate_emitter_scenarios(scenario: str) -> None:
    """The hand-built VDSM and ifcfg scenarios of the nmstate emitter tests, as keyfiles."""
    emitted = libnm_checked(nmstate_models.ALL[scenario]())
    assert model_differences(emitted) == []


def test_wake_on_lan_none_is_disabled_not_ignored() -> None:
    """'none' (ifcfg 'wol d') is written as 0, which libnm reads as WoL off; 'ignore' would be 0x8000."""
    emitted = libnm_checked(HostConfig(origin="ifcfg", interfaces=(
        make_iface("eth0", ethernet=EthernetSettings(wake_on_lan="none")),)))
    wired = emitted.connection("eth0").get_setting_wired()
    assert wired.get_wake_on_lan() == NM.SettingWiredWakeOnLan(0)
