"""Persisted JSON → canonical VDSM networks (spec/vdsm-formats.md §2.4-2.7, §6 scenarios)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from ifcfg2nm.findings import Finding, Severity
from ifcfg2nm.model.host import VdsmBond, VdsmNetwork
from ifcfg2nm.model.lower import lower_vdsm
from ifcfg2nm.model.vdsm import (
    canonicalize_bond,
    canonicalize_config,
    canonicalize_device,
    canonicalize_network,
    netmask_prefix,
    validate_networks,
    vdsm_tobool,
)
from ifcfg2nm.parser.documents import PersistedFile
from ifcfg2nm.parser.netconf import PersistedConfig, read_netconf
from ifcfg2nm.parser.persisted import parse_persisted_file


def doc(name: str, value: Any, entity: str = "net") -> PersistedFile:
    folder = {"net": "nets", "bond": "bonds", "device": "devices"}[entity]
    data = json.dumps(value, indent=4).encode()
    return parse_persisted_file(data, f"{folder}/{name}", entity, name)


def net(value: dict[str, Any], name: str = "testnet", **kw: Any
        ) -> tuple[Optional[VdsmNetwork], list[Finding]]:
    network, findings = canonicalize_network(doc(name, value), **kw)
    return network, list(findings)


def ok(value: dict[str, Any], name: str = "testnet", **kw: Any) -> VdsmNetwork:
    network, _ = net(value, name, **kw)
    assert network is not None
    return network


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


CANONICAL_MGMT = {
    "nic": "eth0", "ipaddr": "192.168.1.10", "netmask": "255.255.255.0",
    "gateway": "192.168.1.1", "defaultRoute": True, "bridged": True, "stp": False, "mtu": 1500,
    "bootproto": "none", "dhcpv6": False, "ipv6autoconf": False,
    "nameservers": ["192.168.1.2", "8.8.8.8"], "switch": "legacy",
}


# --- canonical input -----------------------------------------------------------------------


def test_canonical_management_network_needs_no_conversion() -> None:
    network, findings = net(CANONICAL_MGMT, "ovirtmgmt")
    assert findings == []
    assert network == VdsmNetwork(
        name="ovirtmgmt", nic="eth0", bridged=True, stp=False, mtu=1500, bootproto="none",
        ipaddr="192.168.1.10", netmask="255.255.255.0", gateway="192.168.1.1",
        default_route=True, nameservers=("192.168.1.2", "8.8.8.8"), source=network.source)


def test_attribute_positions_name_the_json_line() -> None:
    network = ok(CANONICAL_MGMT, "ovirtmgmt")
    assert network.position_of("ipaddr").line == 3
    assert network.position_of("nameservers").line == 13
    assert network.position_of("nothing") == network.source


def test_defaults_fill_a_minimal_network() -> None:
    network = ok({"nic": "eth1", "defaultRoute": False})
    assert (network.bridged, network.stp, network.mtu, network.bootproto, network.switch) == (
        True, False, 1500, "none", "legacy")


# --- scenario 10: legacy JSON types ------------------------------------------------------


def test_s10_string_mtu_becomes_int() -> None:
    network, findings = net({"nic": "eth0", "mtu": "9000", "defaultRoute": False})
    assert network is not None and network.mtu == 9000
    assert codes(findings) == ["VDSM_LEGACY_VALUE"]


def test_s10_string_vlan_becomes_int() -> None:
    assert ok({"nic": "eth0", "vlan": "100", "defaultRoute": False}).vlan == 100


def test_s10_bridged_string_true() -> None:
    assert ok({"nic": "eth0", "bridged": "true", "defaultRoute": False}).bridged is True


def test_s10_upper_case_stp_no_means_stp_false() -> None:
    network, findings = net({"nic": "eth0", "STP": "no", "defaultRoute": False})
    assert network is not None and network.stp is False
    assert "VDSM_LEGACY_VALUE" in codes(findings)


def test_s10_upper_case_stp_on_is_kept_not_lost_like_netupgrade() -> None:
    assert ok({"nic": "eth0", "STP": "on", "defaultRoute": False}).stp is True


def test_s10_invalid_stp_is_an_error() -> None:
    network, findings = net({"nic": "eth0", "stp": "maybe", "defaultRoute": False})
    assert network is not None and network.stp is False
    assert codes(findings) == ["VDSM_BAD_VALUE"]


def test_s10_default_route_string_true() -> None:
    assert ok({"nic": "eth0", "defaultRoute": "True", "nameservers": []}).default_route is True


def test_s10_qos_outbound_becomes_host_qos_with_warning() -> None:
    network, findings = net({"nic": "eth0", "defaultRoute": False,
                             "qosOutbound": {"average": "1024", "peak": "2048", "burst": "10"}})
    assert network is not None
    assert dict(network.host_qos) == {"out.ls.m2": "8388608", "out.ul.m2": "16777216"}
    assert codes(findings) == ["VDSM_QOS_OUTBOUND"]


def test_s10_bridged_yes_is_false_like_vdsm_with_warning() -> None:
    network, findings = net({"nic": "eth0", "bridged": "yes", "defaultRoute": False})
    assert network is not None and network.bridged is False
    assert [(f.code, f.severity) for f in findings] == [("VDSM_BRIDGED_NOT_TRUE", Severity.WARNING)]


def test_s10_stp_on_a_bridgeless_network_is_ignored() -> None:
    network, findings = net({"nic": "eth0", "bridged": False, "STP": "on", "defaultRoute": False})
    assert network is not None and network.stp is False
    assert codes(findings) == ["VDSM_KEY_DROPPED"]


# --- scenario 11: upper-case keys -----------------------------------------------------------


def test_s11_upper_case_ip_keys_map_when_lower_case_absent() -> None:
    network, findings = net({"nic": "eth0", "IPADDR": "10.1.1.5", "NETMASK": "255.255.0.0",
                             "GATEWAY": "10.1.0.1", "defaultRoute": True, "nameservers": []})
    assert network is not None
    assert (network.ipaddr, network.netmask, network.gateway) == ("10.1.1.5", "255.255.0.0",
                                                                  "10.1.0.1")
    assert codes(findings).count("VDSM_UPPERCASE_MAPPED") == 3


def test_s11_upper_case_prefix_becomes_netmask() -> None:
    network = ok({"nic": "eth0", "IPADDR": "10.1.1.5", "PREFIX": "16", "defaultRoute": False})
    assert network.netmask == "255.255.0.0"


def test_s11_upper_case_bootproto_dhcp() -> None:
    assert ok({"nic": "eth0", "BOOTPROTO": "dhcp", "defaultRoute": False}).bootproto == "dhcp"


def test_s11_upper_case_key_dropped_when_lower_case_present() -> None:
    network, findings = net({"nic": "eth0", "bootproto": "none", "BOOTPROTO": "dhcp",
                             "defaultRoute": False})
    assert network is not None and network.bootproto == "none"
    assert [(f.code, f.severity) for f in findings] == [
        ("VDSM_UPPERCASE_DROPPED", Severity.WARNING)]


def test_s11_meaningless_upper_case_keys_dropped_with_warning() -> None:
    network, findings = net({"nic": "eth0", "PEERDNS": "no", "UUID": "x", "NAME": "System eth0",
                             "ONBOOT": "yes", "defaultRoute": False})
    assert network is not None and network.extras == ()
    assert codes(findings) == ["VDSM_UPPERCASE_DROPPED"] * 4


def test_s11_dns_keys_become_nameservers() -> None:
    network = ok({"nic": "eth0", "DNS2": "192.0.2.3", "DNS1": "192.0.2.2", "defaultRoute": True})
    assert network.nameservers == ("192.0.2.2", "192.0.2.3")


def test_s11_upper_case_finding_names_the_json_line() -> None:
    _, findings = net({"nic": "eth0", "UUID": "x", "defaultRoute": False})
    assert findings[0].position.line == 3


# --- scenario 12: prefix, netmask, IPv6 ---------------------------------------------------


def test_s12_string_prefix_becomes_netmask() -> None:
    network = ok({"nic": "eth0", "ipaddr": "10.0.0.5", "prefix": "24", "defaultRoute": False})
    assert network.netmask == "255.255.255.0"


def test_s12_prefix_with_netmask_is_an_error() -> None:
    network, findings = net({"nic": "eth0", "ipaddr": "10.0.0.5", "prefix": "24",
                             "netmask": "255.255.0.0", "defaultRoute": False})
    assert network is not None and network.netmask == "255.255.0.0"
    assert [(f.code, f.severity) for f in findings] == [
        ("VDSM_PREFIX_AND_NETMASK", Severity.ERROR)]


def test_s12_integer_prefix_zero_is_dropped_like_vdsm() -> None:
    network, findings = net({"nic": "eth0", "prefix": 0, "defaultRoute": False})
    assert network is not None and network.netmask is None
    assert codes(findings) == ["VDSM_PREFIX_IGNORED"]


def test_s12_string_prefix_zero_is_a_netmask_of_zero() -> None:
    network = ok({"nic": "eth0", "ipaddr": "10.0.0.5", "prefix": "0", "defaultRoute": False})
    assert network.netmask == "0.0.0.0"


def test_s12_negative_prefix_is_a_bad_address_not_a_crash() -> None:
    network, findings = net({"nic": "eth0", "ipaddr": "10.0.0.5", "prefix": -1, "defaultRoute": False})
    assert network is not None and network.ipaddr is None
    assert "VDSM_BAD_ADDRESS" in codes(findings)


def test_s12_empty_address_and_netmask_mean_no_address_as_vdsm_read_them() -> None:
    # pre-4.18 JSON kept the API call's arguments as sent; VDSM tested them for truth
    network, findings = net({"nic": "eth0", "ipaddr": "", "netmask": "", "gateway": "",
                             "bootproto": "none", "defaultRoute": False})
    assert network is not None
    assert (network.ipaddr, network.netmask, network.gateway) == (None, None, None)
    assert findings == []


def test_s12_non_contiguous_netmask_is_an_error() -> None:
    network, findings = net({"nic": "eth0", "ipaddr": "10.0.0.5", "netmask": "255.0.255.0",
                             "defaultRoute": False})
    assert network is not None and network.ipaddr is None
    assert set(codes(findings)) == {"VDSM_BAD_ADDRESS"}
    assert findings[0].position.line == 4


def test_s12_bad_ipv4_address_is_an_error() -> None:
    network, findings = net({"nic": "eth0", "ipaddr": "10.0.0.300", "netmask": "255.0.0.0",
                             "defaultRoute": False})
    assert network is not None and network.ipaddr is None
    assert "VDSM_BAD_ADDRESS" in codes(findings)


def test_s12_bare_ipv6_gets_64_and_says_so() -> None:
    network, findings = net({"nic": "eth0", "ipv6addr": "2001:db8::5", "defaultRoute": False})
    assert network is not None and network.ipv6addr == "2001:db8::5/64"
    assert "VDSM_IPV6_PREFIX_CHOSEN" in codes(findings)
    assert "/64" in findings[codes(findings).index("VDSM_IPV6_PREFIX_CHOSEN")].message


def test_s12_bare_ipv6_can_follow_vdsm_128() -> None:
    network = ok({"nic": "eth0", "ipv6addr": "2001:db8::5", "defaultRoute": False},
                 bare_ipv6_prefix=128)
    assert network.ipv6addr == "2001:db8::5/128"


def test_s12_ipv6_is_compressed() -> None:
    network = ok({"nic": "eth0", "ipv6addr": "2001:0db8:0000:0000:0000:0000:0000:0005/64",
                  "ipv6gateway": "2001:0DB8::1", "defaultRoute": False})
    assert (network.ipv6addr, network.ipv6gateway) == ("2001:db8::5/64", "2001:db8::1")


def test_s12_netmask_prefix_helper() -> None:
    assert netmask_prefix("255.255.255.0") == 24
    assert netmask_prefix("0.0.0.0") == 0
    assert netmask_prefix("255.255.255.255") == 32
    assert netmask_prefix("255.0.255.0") is None


def test_static_and_dhcp_static_wins() -> None:
    network, findings = net({"nic": "eth0", "ipaddr": "10.0.0.5", "netmask": "255.0.0.0",
                             "bootproto": "dhcp", "defaultRoute": False})
    assert network is not None and network.bootproto == "none"
    assert codes(findings) == ["VDSM_IP_CONFLICT"]


# --- scenario 13: default route ---------------------------------------------------------------


def test_s13_missing_default_route_inferred_true_for_ovirtmgmt() -> None:
    network, findings = net({"nic": "eth0", "nameservers": []}, "ovirtmgmt")
    assert network is not None and network.default_route is True
    assert codes(findings) == ["VDSM_DEFAULT_ROUTE_INFERRED"]


def test_s13_missing_default_route_inferred_true_for_rhevm() -> None:
    assert ok({"nic": "eth0", "nameservers": []}, "rhevm").default_route is True


def test_s13_missing_default_route_inferred_false_for_others() -> None:
    assert ok({"nic": "eth0"}, "vmnet").default_route is False


def test_s13_custom_default_route_overrides() -> None:
    network, findings = net({"nic": "eth0", "defaultRoute": False, "nameservers": [],
                             "custom": {"default_route": "true"}})
    assert network is not None and network.default_route is True
    assert codes(findings) == ["VDSM_DEFAULT_ROUTE_CUSTOM"]


def test_s13_two_default_route_networks_are_an_error() -> None:
    a = ok({"nic": "eth0", "defaultRoute": True, "nameservers": []}, "a")
    b = ok({"nic": "eth1", "defaultRoute": True, "nameservers": []}, "b")
    findings = validate_networks([a, b], [])
    assert [(f.code, f.severity) for f in findings] == [("VDSM_TWO_DEFAULT_ROUTES", Severity.ERROR)]


# --- scenario 14: name servers -----------------------------------------------------------------


def test_s14_four_nameservers_truncated_to_three() -> None:
    network, findings = net({"nic": "eth0", "defaultRoute": True,
                             "nameservers": ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]})
    assert network is not None and network.nameservers == ("192.0.2.1", "192.0.2.2", "192.0.2.3")
    assert codes(findings) == ["VDSM_NAMESERVERS_TRUNCATED"]


def test_s14_static_default_route_network_without_key_warns() -> None:
    network, findings = net({"nic": "eth0", "defaultRoute": True, "ipaddr": "10.0.0.5",
                             "netmask": "255.0.0.0"})
    assert network is not None and network.nameservers == ()
    assert codes(findings) == ["VDSM_NAMESERVERS_MISSING"]


def test_s14_dhcp_default_route_network_without_key_is_fine() -> None:
    network, findings = net({"nic": "eth0", "defaultRoute": True, "bootproto": "dhcp"})
    assert network is not None and findings == []


def test_s14_nameservers_on_non_default_network_reported_unused() -> None:
    _, findings = net({"nic": "eth0", "defaultRoute": False, "nameservers": ["192.0.2.1"]})
    assert codes(findings) == ["VDSM_NAMESERVERS_UNUSED"]


def test_s14_ipv6_nameserver_is_kept_compressed() -> None:
    network = ok({"nic": "eth0", "defaultRoute": True, "nameservers": ["2001:db8:0::53"]})
    assert network.nameservers == ("2001:db8::53",)


# --- scenario 15: bonds -------------------------------------------------------------------------


def bond(value: dict[str, Any], name: str = "bond0") -> tuple[Optional[VdsmBond], list[str]]:
    result, findings = canonicalize_bond(doc(name, value, "bond"))
    return result, codes(list(findings))


def test_s15_bond_options_normalized_mode_first() -> None:
    result, found = bond({"nics": ["eth2", "eth1"], "options": "miimon=100 mode=4"})
    assert result is not None and found == []
    assert (result.nics, result.options) == (("eth1", "eth2"), "mode=802.3ad miimon=100")


def test_s15_custom_option_removed() -> None:
    result, found = bond({"nics": ["eth1"], "options": "mode=4 custom=ovs:true"})
    assert result is not None and result.options == "mode=802.3ad"
    assert found == ["BOND_OPTION_CUSTOM"]


def test_s15_empty_options_mean_balance_rr() -> None:
    result, _ = bond({"nics": ["eth1"], "options": ""})
    assert result is not None and result.options == "mode=balance-rr"


def test_s15_bond_option_finding_names_the_options_line() -> None:
    _, findings = canonicalize_bond(doc("bond0", {"nics": ["eth1"], "options": "foo=1"},
                                             "bond"))
    assert findings[0].code == "BOND_OPTION_UNKNOWN" and findings[0].position.line == 5


def test_s15_bond_without_nics_is_an_error() -> None:
    result, found = bond({"nics": [], "options": "mode=1"})
    assert result is not None and result.nics == ()
    assert found == ["VDSM_BOND_NO_NICS"]


def test_s16_bond_hwaddr_kept_upper_case() -> None:
    result, _ = bond({"nics": ["eth1"], "hwaddr": "52:54:00:ab:cd:ef"})
    assert result is not None and result.hwaddr == "52:54:00:AB:CD:EF"


def test_nic_in_two_bonds_is_a_conflict() -> None:
    a, _ = bond({"nics": ["eth1"]}, "bond0")
    b, _ = bond({"nics": ["eth1"]}, "bond1")
    assert a is not None and b is not None
    assert codes(list(validate_networks([], [a, b]))) == ["VDSM_DEVICE_CONFLICT"]


# --- scenario 23: VLAN 0 and names ---------------------------------------------------------


def test_s23_vlan_zero_is_a_vlan() -> None:
    network = ok({"nic": "eth0", "vlan": 0, "defaultRoute": False})
    assert network.vlan == 0 and network.vlan_device == "eth0.0"


def test_s23_vlan_out_of_range_skips_the_network() -> None:
    network, findings = net({"nic": "eth0", "vlan": 4095, "defaultRoute": False})
    assert network is None
    assert codes(findings) == ["VDSM_BAD_VALUE", "VDSM_NETWORK_SKIPPED"]
    assert findings[0].position.line == 3


def test_s23_sixteen_byte_bridged_name_is_invalid() -> None:
    network, findings = net({"nic": "eth0", "defaultRoute": False}, "a" * 16)
    assert network is None
    assert codes(findings) == ["VDSM_BAD_NAME", "VDSM_NETWORK_SKIPPED"]


def test_s23_bridged_name_with_dot_colon_or_space_is_invalid() -> None:
    for name in ("vm.net", "vm:net", "vm net"):
        network, findings = net({"nic": "eth0", "defaultRoute": False}, name)
        assert network is None and "VDSM_BAD_NAME" in codes(findings)


def test_s23_bridgeless_names_are_not_validated() -> None:
    network = ok({"nic": "eth0", "bridged": False, "defaultRoute": False}, "storage.net:1-long-x")
    assert network.name == "storage.net:1-long-x"


def test_s23_vlan_device_name_too_long() -> None:
    network, findings = net({"bonding": "bond_storage1", "vlan": 4000, "defaultRoute": False})
    assert network is None and "VDSM_BAD_NAME" in codes(findings)


def test_nic_name_with_slash_is_invalid() -> None:
    network, findings = net({"nic": "eth/0", "defaultRoute": False})
    assert network is None and "VDSM_BAD_NAME" in codes(findings)


def test_two_untagged_networks_on_one_nic_are_an_error() -> None:
    a = ok({"nic": "eth0", "defaultRoute": False}, "a")
    b = ok({"nic": "eth0", "bridged": False, "defaultRoute": False}, "b")
    findings = validate_networks([a, b], [])
    assert [(f.code, f.severity) for f in findings] == [("VDSM_UNTAGGED_CONFLICT", Severity.ERROR)]


def test_vlans_on_one_nic_do_not_conflict() -> None:
    a = ok({"nic": "eth0", "vlan": 10, "defaultRoute": False}, "a")
    b = ok({"nic": "eth0", "vlan": 20, "defaultRoute": False}, "b")
    c = ok({"nic": "eth0", "bridged": False, "defaultRoute": False}, "c")
    assert validate_networks([a, b, c], []) == ()


# --- structure and other keys --------------------------------------------------------------------


def test_nic_and_bonding_together_skip_the_network() -> None:
    network, findings = net({"nic": "eth0", "bonding": "bond0", "defaultRoute": False})
    assert network is None and codes(findings) == ["VDSM_NETWORK_SKIPPED"]


def test_nicless_bridgeless_network_is_skipped() -> None:
    network, findings = net({"bridged": False, "defaultRoute": False})
    assert network is None and codes(findings) == ["VDSM_NETWORK_SKIPPED"]


def test_nicless_bridged_network_is_fine() -> None:
    assert ok({"defaultRoute": False}).southbound is None


def test_tap_device_as_nic_skips_the_network() -> None:
    network, findings = net({"nic": "vnet0", "defaultRoute": False})
    assert network is None and codes(findings) == ["VDSM_NETWORK_SKIPPED"]


def test_blockingdhcp_and_bonding_options_are_dropped_quietly() -> None:
    network, findings = net({"nic": "eth0", "blockingdhcp": "true", "bondingOptions": "mode=4",
                             "defaultRoute": False})
    assert network is not None and network.extras == ()
    assert codes(findings) == ["VDSM_KEY_DROPPED", "VDSM_KEY_DROPPED"]
    assert all(f.severity is Severity.INFO for f in findings)


def test_unknown_key_is_kept_in_extras_with_warning() -> None:
    network, findings = net({"nic": "eth0", "hookdata": {"a": 1}, "defaultRoute": False})
    assert network is not None and network.extras == (("hookdata", '{"a": 1}'),)
    assert [(f.code, f.severity) for f in findings] == [("VDSM_UNKNOWN_KEY", Severity.WARNING)]


def test_custom_bridge_opts_are_sorted() -> None:
    network = ok({"nic": "eth0", "defaultRoute": False,
                  "custom": {"bridge_opts": "multicast_snooping=1 multicast_router=0"}})
    assert dict(network.custom)["bridge_opts"] == "multicast_router=0 multicast_snooping=1"
    assert network.position_of("custom.bridge_opts").line == 5


def test_custom_ovs_means_ovs_switch() -> None:
    assert ok({"nic": "eth0", "defaultRoute": False, "custom": {"ovs": "true"}}).switch == "ovs"


def test_unknown_switch_skips_the_network() -> None:
    network, findings = net({"nic": "eth0", "defaultRoute": False, "switch": "sriov"})
    assert network is None and codes(findings) == ["VDSM_BAD_VALUE", "VDSM_NETWORK_SKIPPED"]


def test_empty_nic_string_means_nicless() -> None:
    assert ok({"nic": "", "defaultRoute": False}).nic is None


def test_undecodable_file_gives_no_network_and_no_duplicate_finding() -> None:
    broken = parse_persisted_file(b"", "nets/x", "net", "x")
    assert canonicalize_network(broken) == (None, ())


def test_tobool_matches_vdsm() -> None:
    assert [vdsm_tobool(v) for v in (True, "TRUE", "1", "2", "0", "yes", "on", None, 1)] == [
        True, True, True, True, False, False, False, False, False]


# --- scenario 25: SR-IOV ---------------------------------------------------------------------


def test_s25_device_entry_gives_numvfs_and_says_where_it_is_restored() -> None:
    device, findings = canonicalize_device(doc("ens1f0", {"sriov": {"numvfs": 8}}, "device"))
    assert device is not None and (device.name, device.numvfs) == ("ens1f0", 8)
    assert codes(list(findings)) == ["VDSM_SRIOV_NUMVFS"]


def test_s25_old_virtual_functions_file_becomes_a_device(tmp_path: Path) -> None:
    base = tmp_path / "var/lib/vdsm/persistence/netconf"
    (base / "nets").mkdir(parents=True)
    (base / "virtual_functions").mkdir()
    (base / "virtual_functions" / "0000:3b:00.0").write_text("8")
    config = read_netconf(str(tmp_path), "persistent")
    assert config is not None
    canonical = canonicalize_config(config)
    assert [(d.name, d.numvfs) for d in canonical.devices] == [("0000:3b:00.0", 8)]


# --- scenario 19: atomic-swap layout, end to end -------------------------------------------


def test_s19_layout_with_leftovers_and_a_corrupt_file(tmp_path: Path) -> None:
    persist = tmp_path / "var/lib/vdsm/persistence"
    live = persist / "netconf.Ab3dEf9x"
    (live / "nets").mkdir(parents=True)
    (live / "nets" / "ovirtmgmt").write_text(json.dumps(CANONICAL_MGMT, indent=4))
    (live / "nets" / "broken").write_text("")
    (persist / "netconf.ZZZZZZZZ" / "nets").mkdir(parents=True)
    (persist / "netconf").symlink_to("/var/lib/vdsm/persistence/netconf.Ab3dEf9x")
    (persist / "netconf.Q1w2E3r4.ln").symlink_to("/var/lib/vdsm/persistence/netconf.Q1w2E3r4")
    config = read_netconf(str(tmp_path), "persistent")
    assert isinstance(config, PersistedConfig)
    canonical = canonicalize_config(config)
    assert [n.name for n in canonical.networks] == ["ovirtmgmt"]
    assert [f.code for f in config.nets[0].findings] == ["PERSISTED_EMPTY"]


# --- robustness ------------------------------------------------------------------------------

_scalars = (st.none() | st.booleans() | st.integers(-5, 70000) | st.text(max_size=12)
            | st.sampled_from(["eth0", "bond0", "10.0.0.1", "255.255.255.0", "24", "dhcp",
                               "2001:db8::1", "yes", "True", "ovs", "100", ""]))
_values = st.recursive(_scalars, lambda c: st.lists(c, max_size=3)
                       | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=6)
_keys = st.sampled_from([
    "nic", "bonding", "vlan", "bridged", "stp", "STP", "mtu", "bootproto", "ipaddr", "netmask",
    "prefix", "gateway", "dhcpv6", "ipv6autoconf", "ipv6addr", "ipv6gateway", "defaultRoute",
    "nameservers", "switch", "custom", "hostQos", "qosOutbound", "IPADDR", "PREFIX", "DNS1",
    "BOOTPROTO", "blockingdhcp", "other",
])


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=8), st.dictionaries(
    st.sampled_from(["nics", "options", "switch", "hwaddr", "x"]), _values, max_size=4))
def test_any_json_network_and_bond_canonicalize_and_lower_without_raising(
    value: dict[str, Any], bond_value: dict[str, Any]
) -> None:
    network, _ = canonicalize_network(doc("n", value))
    b, _ = canonicalize_bond(doc("bond0", bond_value, "bond"))
    lower_vdsm([network] if network else [], [b] if b else [])


def test_legacy_network_on_ovs_bond_is_a_switch_mix() -> None:
    b, _ = bond({"nics": ["eth1"], "switch": "ovs"})
    n = ok({"bonding": "bond0", "defaultRoute": False})
    assert b is not None
    assert codes(list(validate_networks([n], [b]))) == ["VDSM_SWITCH_MIX"]
