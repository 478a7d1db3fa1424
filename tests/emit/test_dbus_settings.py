"""ifcfg2nm.emit.dbus_settings without a daemon: signatures, conversions, errors.

That the table matches NetworkManager 1.42 itself is checked against the real
daemon in tests/upgrade/test_nm_dbus.py; here: the converter's own rules.
"""

from __future__ import annotations

import ipaddress
import sys
from typing import Any

import pytest
from dbus_next.signature import Variant
from hypothesis import given
from hypothesis import strategies as st

from ifcfg2nm.emit.dbus_settings import (
    PROPERTIES,
    SettingsError,
    from_dbus,
    property_to_dbus,
    to_dbus,
)

BRIDGE: dict[str, dict[str, Any]] = {
    "connection": {
        "id": "ovirtmgmt",
        "uuid": "6f1c2b1e-0000-4000-8000-000000000001",
        "type": "bridge",
        "interface-name": "ovirtmgmt",
        "autoconnect": True,
    },
    "bridge": {"stp": False, "forward-delay": 0},
    "ipv4": {
        "method": "manual",
        "address-data": [{"address": "192.0.2.10", "prefix": 24}],
        "gateway": "192.0.2.1",
        "dns": ["192.0.2.53"],
        "route-metric": 425,
        "route-data": [{"dest": "0.0.0.0", "prefix": 0, "next-hop": "192.0.2.1", "table": 7}],
        "routing-rules": [{"family": 2, "priority": 3200, "from": "192.0.2.0", "from-len": 24, "table": 7}],
    },
    "ipv6": {"method": "disabled", "addr-gen-mode": "eui64", "dns": ["2001:db8::53"]},
}


def sigs(settings: dict[str, dict[str, Variant]]) -> dict[str, dict[str, str]]:
    return {s: {p: v.signature for p, v in props.items()} for s, props in settings.items()}


def test_signatures_follow_the_table() -> None:
    out = to_dbus(BRIDGE)
    assert sigs(out) == {
        "connection": {
            "id": "s",
            "uuid": "s",
            "type": "s",
            "interface-name": "s",
            "autoconnect": "b",
        },
        "bridge": {"stp": "b", "forward-delay": "u"},
        "ipv4": {
            "method": "s",
            "address-data": "aa{sv}",
            "gateway": "s",
            "dns": "au",
            "route-metric": "x",
            "route-data": "aa{sv}",
            "routing-rules": "aa{sv}",
        },
        "ipv6": {"method": "s", "addr-gen-mode": "i", "dns": "aay"},
    }
    (rule,) = out["ipv4"]["routing-rules"].value
    assert {k: v.signature for k, v in rule.items()} == {
        "family": "i",
        "priority": "u",
        "from": "s",
        "from-len": "y",
        "table": "u",
    }
    (route,) = out["ipv4"]["route-data"].value
    assert {k: v.signature for k, v in route.items()} == {
        "dest": "s",
        "prefix": "u",
        "next-hop": "s",
        "table": "u",
    }


def test_ipv4_dns_is_network_byte_order() -> None:
    (value,) = to_dbus({"ipv4": {"dns": ["192.0.2.53"]}})["ipv4"]["dns"].value
    assert value.to_bytes(4, sys.byteorder) == bytes([192, 0, 2, 53])
    if sys.byteorder == "little":
        assert value == 0x350200C0


def test_ipv6_dns_is_bytes() -> None:
    assert to_dbus({"ipv6": {"dns": ["2001:db8::53"]}})["ipv6"]["dns"].value == [
        ipaddress.IPv6Address("2001:db8::53").packed
    ]


def test_ethernet_alias_and_type() -> None:
    out = to_dbus({"connection": {"type": "ethernet"}, "ethernet": {"mtu": 9000}})
    assert out["connection"]["type"].value == "802-3-ethernet"
    assert "802-3-ethernet" in out and "ethernet" not in out


def test_macs_and_cloned_mac_keywords() -> None:
    out = to_dbus({"ethernet": {"mac-address": "52:54:00:AB:cd:01", "cloned-mac-address": "preserve"}})
    eth = out["802-3-ethernet"]
    assert eth["mac-address"].signature == "ay"
    assert eth["mac-address"].value == bytes([0x52, 0x54, 0x00, 0xAB, 0xCD, 0x01])
    assert "cloned-mac-address" not in eth
    assert (eth["assigned-mac-address"].signature, eth["assigned-mac-address"].value) == (
        "s",
        "preserve",
    )
    cloned = to_dbus({"ethernet": {"cloned-mac-address": "52:54:00:00:00:02"}})
    assert cloned["802-3-ethernet"]["cloned-mac-address"].signature == "ay"


def test_enums_by_name_or_number() -> None:
    assert property_to_dbus("ipv6", "addr-gen-mode", "stable-privacy").value == 1
    assert property_to_dbus("ipv6", "addr-gen-mode", 0).value == 0
    assert property_to_dbus("ipv6", "ip6-privacy", "prefer-temp-addr").value == 2


def test_none_is_left_out_and_variants_pass_through() -> None:
    raw = Variant("s", "raw")
    out = to_dbus({"connection": {"id": None, "zone": raw}, "bond": {"options": {"mode": "4"}}})
    assert out == {
        "connection": {"zone": raw},
        "bond": {"options": Variant("a{ss}", {"mode": "4"})},
    }


def test_empty_settings_stay() -> None:
    """``bridge-port: {}`` marks a bridge port even without properties."""
    assert to_dbus({"bridge-port": {}, "dummy": {}}) == {"bridge-port": {}, "dummy": {}}


@pytest.mark.parametrize(
    ("settings", "where"),
    [
        ({"nosuch": {}}, "nosuch: unknown setting"),
        ({"bridge": {"nosuch": 1}}, "bridge.nosuch: unknown property"),
        ({"bridge": {"stp": 1}}, "bridge.stp: expected a boolean"),
        ({"bridge": {"forward-delay": True}}, "bridge.forward-delay: expected an integer"),
        ({"bridge": {"forward-delay": -1}}, "bridge.forward-delay: -1 out of range"),
        ({"802-3-ethernet": {"mtu": 2**32}}, "802-3-ethernet.mtu: 4294967296 out of range"),
        ({"connection": {"id": 5}}, "connection.id: expected a string"),
        ({"ipv4": {"dns-search": "example.com"}}, "ipv4.dns-search: expected a list of strings"),
        ({"ipv4": {"dns": ["2001:db8::1"]}}, "ipv4.dns: invalid IPv4 address"),
        ({"ipv6": {"dns": ["192.0.2.1"]}}, "ipv6.dns: invalid IPv6 address"),
        ({"ethernet": {"mac-address": "52:54:00:zz:00:01"}}, "802-3-ethernet.mac-address: invalid"),
        ({"ethernet": {"mac-address": "52:54:00:00:01"}}, "802-3-ethernet.mac-address: invalid"),
        ({"bond": {"options": {"miimon": 100}}}, "bond.options: expected a string->string"),
        ({"ipv6": {"addr-gen-mode": "random"}}, "ipv6.addr-gen-mode: unknown value 'random'"),
        (
            {"ipv4": {"address-data": [{"address": "192.0.2.1", "len": 24}]}},
            "address-data[0]: unknown key",
        ),
        (
            {"ipv4": {"routing-rules": [{"priority": 3200, "from-len": 300}]}},
            "routing-rules[0].from-len",
        ),
        ({"ipv4": {"route-data": ["192.0.2.0/24"]}}, "route-data[0]: expected a mapping"),
        ({"ethernet": {"mtu": 1500}, "802-3-ethernet": {}}, "given twice"),
        ({"bridge": ["stp"]}, "bridge: expected a mapping"),
    ],
)
def test_bad_values_name_setting_and_property(settings: dict[str, Any], where: str) -> None:
    with pytest.raises(SettingsError) as err:
        to_dbus(settings)
    assert where in str(err.value)


def test_from_dbus_inverts_to_dbus() -> None:
    back = from_dbus(to_dbus(BRIDGE))
    assert back == BRIDGE


def test_from_dbus_drops_deprecated_and_unwraps_unknown() -> None:
    got = from_dbus(
        {
            "ipv4": {
                "addresses": Variant("aau", [[1, 24, 0]]),
                "dns-data": Variant("as", ["192.0.2.53"]),
                "method": Variant("s", "manual"),
            },
            "802-3-ethernet": {"mac-address": Variant("ay", bytes([0x52, 0x54, 0, 0, 0, 1]))},
            "ipv6": {"addr-gen-mode": Variant("i", 3), "ip6-privacy": Variant("i", 7)},
        }
    )
    assert got == {
        "ipv4": {"dns-data": ["192.0.2.53"], "method": "manual"},
        "802-3-ethernet": {"mac-address": "52:54:00:00:00:01"},
        "ipv6": {"addr-gen-mode": "default", "ip6-privacy": 7},
    }


def test_table_uses_only_known_signatures() -> None:
    known = {"b", "y", "q", "u", "i", "x", "t", "s", "as", "a{ss}"}
    special = {"mac", "cloned-mac", "dns4", "dns6", "addr-gen-mode", "ip6-privacy"}
    special |= {"address-data", "route-data", "routing-rules"}
    for setting, props in PROPERTIES.items():
        for prop, kind in props.items():
            assert kind in known | special, f"{setting}.{prop}: {kind}"


@given(st.lists(st.ip_addresses(v=4).map(str), max_size=4))
def test_ipv4_dns_round_trip(servers: list[str]) -> None:
    assert from_dbus(to_dbus({"ipv4": {"dns": servers}}))["ipv4"]["dns"] == servers


@given(st.lists(st.ip_addresses(v=6).map(str), max_size=4))
def test_ipv6_dns_round_trip(servers: list[str]) -> None:
    assert from_dbus(to_dbus({"ipv6": {"dns": servers}}))["ipv6"]["dns"] == servers
