"""Bond options: the kernel table and the parser shared by BONDING_OPTS and bonds/ options."""

from __future__ import annotations

import pytest

from ifcfg2nm.findings import Position, Severity
from ifcfg2nm.model.bonding import (
    MODES,
    OPTIONS,
    format_bond_options,
    mode_name,
    mode_number,
    parse_bond_options,
)
from ifcfg2nm.model.host import BondSettings

WHERE = Position("bonds/bond0", 3, 5)


def parse(text: str) -> tuple[BondSettings, list[str]]:
    settings, findings = parse_bond_options(text, WHERE)
    assert all(f.position == WHERE for f in findings)
    return settings, [f.code for f in findings]


@pytest.mark.parametrize("number,name", list(enumerate(MODES)))
def test_mode_numbers_and_names_round_trip(number: int, name: str) -> None:
    assert mode_name(str(number)) == name
    assert mode_name(name) == name
    assert mode_number(name) == number


def test_empty_options_mean_balance_rr() -> None:
    assert parse("") == (BondSettings("balance-rr"), [])


def test_mode_by_number_becomes_its_name() -> None:
    assert parse("mode=4 miimon=100") == (BondSettings("802.3ad", (("miimon", "100"),)), [])


def test_option_order_does_not_matter_and_output_is_sorted() -> None:
    settings, _ = parse("xmit_hash_policy=layer3+4 miimon=100 mode=802.3ad lacp_rate=1")
    assert settings.options == (("lacp_rate", "fast"), ("miimon", "100"),
                                ("xmit_hash_policy", "layer3+4"))


def test_ifcfg_era_storage_order_mode_first_then_sorted() -> None:
    settings, _ = parse("miimon=100 mode=4")
    assert format_bond_options(settings) == "mode=802.3ad miimon=100"


def test_custom_pseudo_option_is_stripped_with_info() -> None:
    settings, codes = parse("mode=4 custom=ovs:true miimon=100")
    assert settings == BondSettings("802.3ad", (("miimon", "100"),))
    assert codes == ["BOND_OPTION_CUSTOM"]


def test_double_space_is_tolerated() -> None:
    settings, codes = parse("mode=4  miimon=100")
    assert settings == BondSettings("802.3ad", (("miimon", "100"),))
    assert codes == ["BOND_OPTION_SPACING"]


def test_arp_ip_target_quotes_and_prefixes_removed_and_comma_joined() -> None:
    settings, codes = parse("mode=1 arp_interval=1000 arp_ip_target='+192.0.2.1,-192.0.2.2'")
    assert dict(settings.options)["arp_ip_target"] == "192.0.2.1,192.0.2.2"
    assert codes == []


def test_repeated_arp_ip_target_accumulates() -> None:
    settings, _ = parse("mode=1 arp_interval=100 arp_ip_target=192.0.2.1 arp_ip_target=+192.0.2.2")
    assert dict(settings.options)["arp_ip_target"] == "192.0.2.1,192.0.2.2"


def test_arp_ip_target_rejects_ipv6_and_garbage() -> None:
    settings, codes = parse("mode=1 arp_ip_target=2001:db8::1")
    assert "arp_ip_target" not in dict(settings.options)
    assert codes == ["BOND_OPTION_BAD_VALUE"]


def test_unknown_option_is_a_blocking_error_and_left_out() -> None:
    settings, findings = parse_bond_options("mode=4 miimon=100 foo=1", WHERE)
    assert settings == BondSettings("802.3ad", (("miimon", "100"),))
    assert [(f.code, f.severity) for f in findings] == [("BOND_OPTION_UNKNOWN", Severity.ERROR)]


def test_option_invalid_for_mode_is_a_warning_and_kept() -> None:
    settings, findings = parse_bond_options("mode=active-backup lacp_rate=fast", WHERE)
    assert dict(settings.options) == {"lacp_rate": "fast"}
    assert [(f.code, f.severity) for f in findings] == [
        ("BOND_OPTION_MODE_MISMATCH", Severity.WARNING)]


@pytest.mark.parametrize("text", [
    "miimon=-1", "miimon=abc", "packets_per_slave=70000", "lacp_rate=medium", "mode=7",
    "mode=round-robin", "ad_actor_system=01:00:5e:00:00:01", "primary=a/b", "resend_igmp=256",
    "ad_user_port_key=1024",
])
def test_bad_values_are_errors(text: str) -> None:
    _, codes = parse(text)
    assert "BOND_OPTION_BAD_VALUE" in codes


def test_token_without_equals_is_a_syntax_error() -> None:
    _, codes = parse("mode=4 miimon")
    assert codes == ["BOND_OPTION_SYNTAX"]


def test_bad_mode_falls_back_to_kernel_default() -> None:
    settings, codes = parse("mode=9")
    assert settings.mode == "balance-rr" and codes == ["BOND_OPTION_BAD_VALUE"]


def test_duplicate_option_last_wins_with_warning() -> None:
    settings, codes = parse("miimon=100 miimon=200")
    assert dict(settings.options) == {"miimon": "200"} and codes == ["BOND_OPTION_DUPLICATE"]


@pytest.mark.parametrize("option,number,name", [
    ("xmit_hash_policy", "2", "layer2+3"), ("ad_select", "1", "bandwidth"),
    ("arp_validate", "3", "all"), ("fail_over_mac", "1", "active"),
    ("primary_reselect", "2", "failure"), ("arp_all_targets", "1", "all"),
    ("lacp_rate", "0", "slow"),
])
def test_named_values_given_as_numbers_become_names(option: str, number: str, name: str) -> None:
    assert OPTIONS[option].named(number) == name
    assert OPTIONS[option].number(name) == int(number)


def test_mac_values_are_lower_cased() -> None:
    settings, codes = parse("mode=4 ad_actor_system=02:AB:CD:00:00:01")
    assert dict(settings.options)["ad_actor_system"] == "02:ab:cd:00:00:01" and codes == []


def test_every_option_has_modes_and_a_kind() -> None:
    kinds = {"enum", "int", "mac", "ifname", "ip4list", "ip6list"}
    for option in OPTIONS.values():
        assert option.kind in kinds and option.modes and option.modes <= set(MODES)
