"""libnm as the oracle for the live path: our D-Bus settings are what libnm itself would send.

The keyfile path is proven by libnm's reader; the D-Bus path (AddConnection2)
must carry the same profile. For every profile of every fixture host, libnm
reads our keyfile and serializes the connection to D-Bus (``to_dbus``); our
:func:`to_dbus` of the same settings must agree on every property both carry,
signature and value. The signature table itself is checked against libnm's
``get_dbus_property_type`` for every entry.
"""

from __future__ import annotations

from typing import Any

import pytest
from dbus_next.signature import Variant
from hypothesis import HealthCheck, given, settings

from ifcfg2nm.emit import dbus_settings
from ifcfg2nm.emit.keyfile import serialize
from ifcfg2nm.emit.nmsettings import profiles
from ifcfg2nm.hosttree import load_host
from ifcfg2nm.model.build import build_host

import strategies
from fixturehosts import FIXTURES, fixture_hosts
from oracles.libnm_oracle import NM, SKIP_REASON, GLib, GObject

pytestmark = pytest.mark.skipif(SKIP_REASON is not None, reason=SKIP_REASON or "")

SPECIAL_SIGNATURES = {
    "mac": "ay", "cloned-mac": "ay", "dns4": "au", "dns6": "aay", "addr-gen-mode": "i",
    "ip6-privacy": "i", "address-data": "aa{sv}", "route-data": "aa{sv}", "routing-rules": "aa{sv}",
}
NOT_GOBJECT_PROPERTIES = {("802-3-ethernet", "assigned-mac-address")}
"""D-Bus-only names libnm's property lookup does not know."""


def table_entries() -> list[tuple[str, str, str]]:
    return [(s, p, k) for s, props in dbus_settings.PROPERTIES.items() for p, k in props.items()
            if (s, p) not in NOT_GOBJECT_PROPERTIES]


@pytest.mark.parametrize(("setting", "prop", "kind"), table_entries(), ids=lambda v: str(v))
def test_signature_table_matches_libnm(setting: str, prop: str, kind: str) -> None:
    instance = GObject.new(NM.Setting.lookup_type(setting))
    expected = instance.get_dbus_property_type(prop)
    assert expected is not None, f"libnm has no {setting}.{prop}"
    assert SPECIAL_SIGNATURES.get(kind, kind) == expected.dup_string()


def plain(value: Any) -> Any:
    """A dbus-next or GLib value as comparable Python (bytes as lists of ints)."""
    if isinstance(value, Variant):
        return plain(value.value)
    if isinstance(value, GLib.Variant):
        return plain(value.unpack())
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def libnm_dbus(text: str) -> dict[tuple[str, str], tuple[str, Any]]:
    keyfile = GLib.KeyFile()
    keyfile.load_from_data(text, len(text.encode()), GLib.KeyFileFlags.NONE)
    conn = NM.keyfile_read(keyfile, "/etc/NetworkManager/system-connections", NM.KeyfileHandlerFlags.NONE,
                           None, None)
    variant = conn.to_dbus(NM.ConnectionSerializationFlags.ALL)
    out = {}
    for i in range(variant.n_children()):
        entry = variant.get_child_value(i)
        setting, props = entry.get_child_value(0).get_string(), entry.get_child_value(1)
        for j in range(props.n_children()):
            pair = props.get_child_value(j)
            value = pair.get_child_value(1).get_variant()
            out[(setting, pair.get_child_value(0).get_string())] = (value.get_type_string(), plain(value))
    return out


def fixture_profiles() -> list[Any]:
    out = []
    for host in fixture_hosts():
        for source in ("persisted", "ifcfg"):
            profs, _ = profiles(build_host(load_host(str(FIXTURES / host)), source))
            out.extend(pytest.param(p, id=f"{host}-{source}-{p.id}") for p in profs)
    return out


@pytest.mark.parametrize("profile", fixture_profiles())
def test_dbus_settings_equal_libnms_own_serialization(profile: Any) -> None:
    ours = dbus_settings.to_dbus({s: dict(p) for s, p in profile.settings.items()})
    theirs = libnm_dbus(serialize(profile.settings))
    compared = 0
    for setting, props in ours.items():
        for prop, variant in props.items():
            if (setting, prop) not in theirs:
                continue  # libnm leaves out properties equal to its defaults
            signature, value = theirs[(setting, prop)]
            assert variant.signature == signature, (setting, prop)
            assert plain(variant) == value, (setting, prop)
            compared += 1
    assert compared >= 4


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.hosts())
def test_generated_hosts_go_over_dbus_as_libnm_would(host: Any) -> None:
    profs, _ = profiles(host)
    for profile in profs:
        ours = dbus_settings.to_dbus({s: dict(p) for s, p in profile.settings.items()})
        theirs = libnm_dbus(serialize(profile.settings))
        for setting, props in ours.items():
            for prop, variant in props.items():
                if (setting, prop) in theirs:
                    assert (variant.signature, plain(variant)) == theirs[(setting, prop)], (setting, prop)
