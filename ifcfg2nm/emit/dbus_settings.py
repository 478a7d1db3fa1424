"""NetworkManager settings as D-Bus takes them (``a{sa{sv}}``), from plain values.

The emitter builds each profile once as plain NetworkManager settings
(setting -> property -> JSON-like value, the same names the keyfile uses) and
serializes it either as keyfile text or, here, as the D-Bus variant dict that
``AddConnection2``/``Update2`` accept. D-Bus needs the exact signature of every
property (``u`` vs ``i`` vs ``x``, ``ay`` MACs, ``au`` IPv4 DNS in network byte
order), and NetworkManager rejects a wrong one, so the signatures are an explicit
table checked against NetworkManager 1.42 (tests/upgrade/test_nm_dbus.py sends
every entry to a real daemon). Pure: no I/O.

Plain-value conventions (what :func:`to_dbus` accepts and :func:`from_dbus` returns):

* setting names as NetworkManager spells them on D-Bus; the keyfile alias
  ``ethernet`` is accepted for ``802-3-ethernet`` (also as ``connection.type``);
* ``None`` means "not set" and is left out;
* MAC addresses (``mac-address``, ``cloned-mac-address``) as ``"52:54:00:12:34:56"``;
  a ``cloned-mac-address`` keyword (``preserve``, ``permanent``, ``random``,
  ``stable``) becomes ``assigned-mac-address``, which is how D-Bus carries it;
* ``ipv4.dns`` / ``ipv6.dns`` as lists of address strings;
* ``ipv6.addr-gen-mode`` (and ``ip6-privacy``) as their keyfile names or integers;
* ``address-data`` / ``route-data`` / ``routing-rules`` as lists of dicts with the
  D-Bus keys (``{"address": "192.0.2.1", "prefix": 24}``, ``{"dest": ...,
  "prefix": ..., "next-hop": ..., "metric": ..., "table": ...}``, rules with
  ``priority``, ``from``/``from-len``, ``to``/``to-len``, ``table``, ``family``, ...);
* a value that already is a ``dbus_next.Variant`` passes through unchanged.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Mapping
from typing import Any, Callable, Union

from ifcfg2nm.dbusnext import Variant

DBusSettings = dict[str, dict[str, Variant]]
"""``a{sa{sv}}`` as dbus-next marshals it."""

PlainSettings = dict[str, dict[str, Any]]


class SettingsError(ValueError):
    """A plain value that cannot be sent as a NetworkManager property.

    Always names ``setting.property`` so an emitter bug points at its source.
    """


SETTING_ALIASES: Mapping[str, str] = {"ethernet": "802-3-ethernet"}

# -- nested dict tables (aa{sv}) ---------------------------------------------------

ADDRESS_DATA: Mapping[str, str] = {"address": "s", "prefix": "u"}

ROUTE_DATA: Mapping[str, str] = {
    "dest": "s",
    "prefix": "u",
    "next-hop": "s",
    "metric": "u",
    # route attributes (NM_IP_ROUTE_ATTRIBUTE_*, 1.42)
    "table": "u",
    "src": "s",
    "from": "s",
    "tos": "y",
    "scope": "y",
    "type": "s",
    "onlink": "b",
    "mtu": "u",
    "window": "u",
    "cwnd": "u",
    "initcwnd": "u",
    "initrwnd": "u",
    "advmss": "u",
    "rto_min": "u",
    "quickack": "b",
    "weight": "u",
    "lock-mtu": "b",
    "lock-window": "b",
    "lock-cwnd": "b",
    "lock-initcwnd": "b",
    "lock-initrwnd": "b",
    "lock-advmss": "b",
}

ROUTING_RULE: Mapping[str, str] = {
    "family": "i",
    "priority": "u",
    "invert": "b",
    "action": "y",
    "table": "u",
    "from": "s",
    "from-len": "y",
    "to": "s",
    "to-len": "y",
    "tos": "y",
    "ipproto": "y",
    "iifname": "s",
    "oifname": "s",
    "fwmark": "u",
    "fwmask": "u",
    "sport-start": "q",
    "sport-end": "q",
    "dport-start": "q",
    "dport-end": "q",
    "suppress-prefixlength": "i",
    "uid-range-start": "u",
    "uid-range-end": "u",
}

# Special (non-signature) kinds; each maps to a converter below.
_MAC = "mac"  # "aa:bb:..." <-> ay
_CLONED_MAC = "cloned-mac"  # MAC -> ay, keyword -> assigned-mac-address (s)
_DNS4 = "dns4"  # ["192.0.2.1"] <-> au, network byte order
_DNS6 = "dns6"  # ["2001:db8::1"] <-> aay
_ADDR_GEN_MODE = "addr-gen-mode"  # "eui64" / int <-> i
_IP6_PRIVACY = "ip6-privacy"  # "disabled"/... / int <-> i
_ADDRESSES = "address-data"
_ROUTES = "route-data"
_RULES = "routing-rules"

_IP_COMMON: Mapping[str, str] = {
    "method": "s",
    "address-data": _ADDRESSES,
    "gateway": "s",
    "dns-search": "as",
    "dns-options": "as",
    "dns-priority": "i",
    "never-default": "b",
    "may-fail": "b",
    "route-metric": "x",
    "route-table": "u",
    "route-data": _ROUTES,
    "routing-rules": _RULES,
    "ignore-auto-dns": "b",
    "ignore-auto-routes": "b",
    "dhcp-hostname": "s",
    "dhcp-send-hostname": "b",
    "dhcp-timeout": "i",
    "dhcp-iaid": "s",
    "dhcp-hostname-flags": "u",
    "required-timeout": "i",
}

PROPERTIES: Mapping[str, Mapping[str, str]] = {
    "connection": {
        "id": "s",
        "uuid": "s",
        "type": "s",
        "interface-name": "s",
        "autoconnect": "b",
        "autoconnect-priority": "i",
        "autoconnect-retries": "i",
        "autoconnect-slaves": "i",
        "master": "s",
        "slave-type": "s",
        "zone": "s",
        "lldp": "i",
        "multi-connect": "i",
        "wait-device-timeout": "i",
        "stable-id": "s",
        "permissions": "as",
        "secondaries": "as",
        "auth-retries": "i",
        "mdns": "i",
        "llmnr": "i",
        "metered": "i",
        "gateway-ping-timeout": "u",
    },
    "802-3-ethernet": {
        "mtu": "u",
        "mac-address": _MAC,
        "cloned-mac-address": _CLONED_MAC,
        "assigned-mac-address": "s",
        "generate-mac-address-mask": "s",
        "mac-address-blacklist": "as",
        "auto-negotiate": "b",
        "speed": "u",
        "duplex": "s",
        "wake-on-lan": "u",
        "accept-all-mac-addresses": "i",
    },
    "bridge": {
        "stp": "b",
        "priority": "u",
        "forward-delay": "u",
        "hello-time": "u",
        "max-age": "u",
        "ageing-time": "u",
        "group-forward-mask": "u",
        "multicast-snooping": "b",
        "multicast-router": "s",
        "multicast-querier": "b",
        "multicast-hash-max": "u",
        "multicast-last-member-count": "u",
        "multicast-last-member-interval": "t",
        "multicast-membership-interval": "t",
        "multicast-querier-interval": "t",
        "multicast-query-interval": "t",
        "multicast-query-response-interval": "t",
        "multicast-query-use-ifaddr": "b",
        "multicast-startup-query-count": "u",
        "multicast-startup-query-interval": "t",
        "group-address": _MAC,
        "vlan-filtering": "b",
        "vlan-default-pvid": "u",
        "vlan-protocol": "s",
        "vlan-stats-enabled": "b",
        "mac-address": _MAC,
    },
    "bridge-port": {
        "priority": "u",
        "path-cost": "u",
        "hairpin-mode": "b",
    },
    "bond": {"options": "a{ss}"},
    "bond-port": {"queue-id": "u"},
    "vlan": {
        "id": "u",
        "parent": "s",
        "flags": "u",
        "ingress-priority-map": "as",
        "egress-priority-map": "as",
        "protocol": "s",
    },
    "infiniband": {
        "mtu": "u",
        "transport-mode": "s",
        "p-key": "i",
        "parent": "s",
        "mac-address": _MAC,
    },
    "ovs-external-ids": {"data": "a{ss}"},
    "ethtool": {},
    "dummy": {},
    "ipv4": {
        **_IP_COMMON,
        "dns": _DNS4,
        "dhcp-client-id": "s",
        "dhcp-fqdn": "s",
        "dhcp-vendor-class-identifier": "s",
        "dad-timeout": "i",
    },
    "ipv6": {
        **_IP_COMMON,
        "dns": _DNS6,
        "addr-gen-mode": _ADDR_GEN_MODE,
        "ip6-privacy": _IP6_PRIVACY,
        "token": "s",
        "dhcp-duid": "s",
        "ra-timeout": "i",
        "mtu": "u",
    },
    "ovs-bridge": {
        "stp-enable": "b",
        "rstp-enable": "b",
        "mcast-snooping-enable": "b",
        "fail-mode": "s",
        "datapath-type": "s",
    },
    "ovs-port": {
        "vlan-mode": "s",
        "tag": "u",
        "lacp": "s",
        "bond-mode": "s",
        "bond-updelay": "u",
        "bond-downdelay": "u",
    },
    "ovs-interface": {"type": "s"},
}
"""setting -> property -> D-Bus signature (or a special kind) for everything ifcfg2nm writes."""

ETHTOOL_PREFIXES: Mapping[str, str] = {"feature-": "b", "pause-": "b", "ring-": "u", "coalesce-": "u"}
"""``ethtool`` options are generic data on D-Bus: their signature follows their name's prefix."""


def _kind(setting: str, prop: str) -> Union[str, None]:
    if setting == "ethtool":
        return next((sig for prefix, sig in ETHTOOL_PREFIXES.items() if prop.startswith(prefix)), None)
    return PROPERTIES.get(setting, {}).get(prop)

# Properties GetSettings returns only for old clients; sending them makes
# NetworkManager ignore address-data/route-data, so from_dbus drops them.
DEPRECATED: Mapping[str, frozenset[str]] = {
    "ipv4": frozenset({"addresses", "routes"}),
    "ipv6": frozenset({"addresses", "routes"}),
}

ADDR_GEN_MODES: Mapping[str, int] = {
    "eui64": 0,
    "stable-privacy": 1,
    "default-or-eui64": 2,
    "default": 3,
}
IP6_PRIVACY: Mapping[str, int] = {
    "unknown": -1,
    "disabled": 0,
    "prefer-public-addr": 1,
    "prefer-temp-addr": 2,
}
CLONED_MAC_KEYWORDS = frozenset({"preserve", "permanent", "random", "stable"})

_INT_RANGES: Mapping[str, tuple[int, int]] = {
    "y": (0, 0xFF),
    "q": (0, 0xFFFF),
    "u": (0, 0xFFFFFFFF),
    "i": (-(2**31), 2**31 - 1),
    "x": (-(2**63), 2**63 - 1),
    "t": (0, 2**64 - 1),
}


def setting_name(name: str) -> str:
    """The D-Bus setting name for a keyfile/nmcli alias (``ethernet``)."""
    return SETTING_ALIASES.get(name, name)


# -- plain -> D-Bus ----------------------------------------------------------------


def _simple(where: str, sig: str, value: Any) -> Variant:
    if sig == "b":
        if not isinstance(value, bool):
            raise SettingsError(f"{where}: expected a boolean, got {value!r}")
        return Variant("b", value)
    if sig in _INT_RANGES:
        lo, hi = _INT_RANGES[sig]
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{where}: expected an integer, got {value!r}")
        if not lo <= value <= hi:
            raise SettingsError(f"{where}: {value} out of range for D-Bus type '{sig}'")
        return Variant(sig, value)
    if sig == "s":
        if not isinstance(value, str):
            raise SettingsError(f"{where}: expected a string, got {value!r}")
        return Variant("s", value)
    if sig == "as":
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise SettingsError(f"{where}: expected a list of strings, got {value!r}")
        if not all(isinstance(v, str) for v in value):
            raise SettingsError(f"{where}: expected a list of strings, got {value!r}")
        return Variant("as", list(value))
    if sig == "a{ss}":
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise SettingsError(f"{where}: expected a string->string mapping, got {value!r}")
        return Variant("a{ss}", dict(value))
    raise SettingsError(f"{where}: no converter for D-Bus type '{sig}'")  # pragma: no cover


def _mac_bytes(where: str, value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if not isinstance(value, str):
        raise SettingsError(f"{where}: expected a MAC address string, got {value!r}")
    parts = value.split(":")
    try:
        raw = bytes(int(p, 16) for p in parts)
    except ValueError:
        raise SettingsError(f"{where}: invalid MAC address {value!r}") from None
    if len(parts) not in (6, 20) or not all(len(p) == 2 for p in parts):
        raise SettingsError(f"{where}: invalid MAC address {value!r}")
    return raw


def mac_string(raw: bytes) -> str:
    """``b"\\x52\\x54..."`` -> ``"52:54:..."`` (upper case, like NetworkManager)."""
    return ":".join(f"{b:02X}" for b in raw)


def _dns4(where: str, value: Any) -> Variant:
    out: list[int] = []
    for item in _list_of_str(where, value):
        try:
            addr = ipaddress.IPv4Address(item)
        except ValueError:
            raise SettingsError(f"{where}: invalid IPv4 address {item!r}") from None
        # in_addr_t as a host integer: the packed (network order) bytes read natively
        out.append(int.from_bytes(addr.packed, sys.byteorder))
    return Variant("au", out)


def _dns6(where: str, value: Any) -> Variant:
    out: list[bytes] = []
    for item in _list_of_str(where, value):
        try:
            out.append(ipaddress.IPv6Address(item).packed)
        except ValueError:
            raise SettingsError(f"{where}: invalid IPv6 address {item!r}") from None
    return Variant("aay", out)


def _list_of_str(where: str, value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise SettingsError(f"{where}: expected a list of strings, got {value!r}")
    if not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{where}: expected a list of strings, got {value!r}")
    return list(value)


def _enum(where: str, names: Mapping[str, int], value: Any) -> Variant:
    if isinstance(value, str):
        if value not in names:
            raise SettingsError(f"{where}: unknown value {value!r} (one of {', '.join(names)})")
        return Variant("i", names[value])
    return _simple(where, "i", value)


def _dict_list(where: str, table: Mapping[str, str], value: Any) -> Variant:
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f"{where}: expected a list of mappings, got {value!r}")
    out: list[dict[str, Variant]] = []
    for n, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise SettingsError(f"{where}[{n}]: expected a mapping, got {item!r}")
        entry: dict[str, Variant] = {}
        for key, val in item.items():
            if val is None:
                continue
            if isinstance(val, Variant):
                entry[key] = val
                continue
            sig = table.get(key)
            if sig is None:
                raise SettingsError(f"{where}[{n}]: unknown key {key!r}")
            entry[key] = _simple(f"{where}[{n}].{key}", sig, val)
        out.append(entry)
    return Variant("aa{sv}", out)


_SPECIAL: Mapping[str, Callable[[str, Any], Variant]] = {
    _MAC: lambda where, v: Variant("ay", _mac_bytes(where, v)),
    _DNS4: _dns4,
    _DNS6: _dns6,
    _ADDR_GEN_MODE: lambda where, v: _enum(where, ADDR_GEN_MODES, v),
    _IP6_PRIVACY: lambda where, v: _enum(where, IP6_PRIVACY, v),
    _ADDRESSES: lambda where, v: _dict_list(where, ADDRESS_DATA, v),
    _ROUTES: lambda where, v: _dict_list(where, ROUTE_DATA, v),
    _RULES: lambda where, v: _dict_list(where, ROUTING_RULE, v),
}


def property_to_dbus(setting: str, prop: str, value: Any) -> Variant:
    """One property as a Variant, by the signature table (raises SettingsError)."""
    setting = setting_name(setting)
    where = f"{setting}.{prop}"
    if isinstance(value, Variant):
        return value
    if setting not in PROPERTIES:
        raise SettingsError(f"{setting}: unknown setting")
    kind = _kind(setting, prop)
    if kind is None:
        raise SettingsError(f"{where}: unknown property")
    if setting == "connection" and prop == "type" and isinstance(value, str):
        value = setting_name(value)
    if kind == _CLONED_MAC:
        return Variant("ay", _mac_bytes(where, value))
    special = _SPECIAL.get(kind)
    if special is not None:
        return special(where, value)
    return _simple(where, kind, value)


def to_dbus(settings: Mapping[str, Mapping[str, Any]]) -> DBusSettings:
    """Plain settings -> ``a{sa{sv}}`` for AddConnection2/Update2.

    Every property must be in :data:`PROPERTIES` (or already a Variant): an
    unknown name is an emitter bug, not something to pass on and have
    NetworkManager reject later with a less precise message.
    """
    out: DBusSettings = {}
    for raw_setting, props in settings.items():
        setting = setting_name(raw_setting)
        if setting not in PROPERTIES:
            raise SettingsError(f"{setting}: unknown setting")
        if not isinstance(props, Mapping):
            raise SettingsError(f"{setting}: expected a mapping of properties, got {props!r}")
        if setting in out:
            raise SettingsError(f"{setting}: given twice (as {raw_setting!r} and its alias)")
        dest = out.setdefault(setting, {})
        for prop, value in props.items():
            if value is None:
                continue
            if prop == "cloned-mac-address" and value in CLONED_MAC_KEYWORDS:
                dest["assigned-mac-address"] = Variant("s", value)
                continue
            dest[prop] = property_to_dbus(setting, prop, value)
    return out


# -- D-Bus -> plain ----------------------------------------------------------------


def unwrap(value: Any) -> Any:
    """Recursively strip Variants: D-Bus values as plain Python values."""
    if isinstance(value, Variant):
        return unwrap(value.value)
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def _dns4_plain(values: list[int]) -> list[str]:
    return [str(ipaddress.IPv4Address(int(v).to_bytes(4, sys.byteorder))) for v in values]


def _dns6_plain(values: list[bytes]) -> list[str]:
    return [str(ipaddress.IPv6Address(bytes(v))) for v in values]


def _enum_name(names: Mapping[str, int], value: int) -> Union[str, int]:
    for name, number in names.items():
        if number == value:
            return name
    return value


def from_dbus(settings: Mapping[str, Mapping[str, Any]]) -> PlainSettings:
    """``a{sa{sv}}`` (e.g. from GetSettings) -> plain settings in :func:`to_dbus` form.

    Deprecated ``addresses``/``routes`` are dropped (``address-data``/``route-data``
    carry the same); properties not in the table are unwrapped as they are.
    """
    out: PlainSettings = {}
    for setting, props in settings.items():
        dest: dict[str, Any] = {}
        dropped = DEPRECATED.get(setting, frozenset())
        for prop, variant in props.items():
            if prop in dropped:
                continue
            value = unwrap(variant)
            kind = _kind(setting, prop)
            if kind in (_MAC, _CLONED_MAC) and isinstance(value, (bytes, bytearray)):
                value = mac_string(bytes(value))
            elif kind == _DNS4:
                value = _dns4_plain(value)
            elif kind == _DNS6:
                value = _dns6_plain(value)
            elif kind == _ADDR_GEN_MODE and isinstance(value, int):
                value = _enum_name(ADDR_GEN_MODES, value)
            elif kind == _IP6_PRIVACY and isinstance(value, int):
                value = _enum_name(IP6_PRIVACY, value)
            dest[prop] = value
        out[setting] = dest
    return out
