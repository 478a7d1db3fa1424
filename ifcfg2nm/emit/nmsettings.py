"""NetworkManager connection profiles as settings (setting → property → value), built once.

Both ways a profile reaches NetworkManager start here: :mod:`ifcfg2nm.emit.keyfile`
serializes these settings as ``.nmconnection`` text, and
:mod:`ifcfg2nm.emit.dbus_settings` turns them into the variants
``AddConnection2``/``Update2`` take. This module is the one place that knows
NetworkManager's property names, defaults and the combinations NetworkManager
1.42 refuses (each rule here was checked against libnm 1.42's ``verify()``);
whatever the model holds that a profile cannot hold becomes a finding here, so
no serializer ever drops something silently.

Conventions of :attr:`Profile.settings` (plain values in D-Bus names and shapes):

* setting names as on D-Bus (``802-3-ethernet``, not the keyfile's ``ethernet``);
  ``connection.type`` likewise;
* values are ``str``, ``int``, ``bool``, ``list`` or ``dict`` only; a property that
  is not set is absent (never ``None``); ``[]`` and ``{}`` are never written,
  except that a setting may be an empty dict (the profile has the setting with
  all defaults, as NetworkManager itself writes it);
* MAC addresses as upper-case ``"52:54:00:AB:CD:EF"`` text;
* ``ipv4.dns``/``ipv6.dns``, ``dns-search``, ``dns-options`` as lists of text;
* ``address-data``: ``[{"address": "192.0.2.1", "prefix": 24}]``; ``gateway`` text;
* ``route-data``: ``[{"dest", "prefix", "next-hop"?, "metric"?, "table"?, attributes…}]``
  with attributes by NetworkManager name and D-Bus type (``onlink``/``lock-*`` bool,
  ``src``/``from``/``type`` text, the rest int);
* ``routing-rules``: ``[{"family": 2|10, "priority", "from"?, "from-len"?, "to"?,
  "to-len"?, "invert"?, "tos"?, "fwmark"?, "fwmask"?, "iifname"?, "oifname"?,
  "action"? (6 blackhole, 7 unreachable, 8 prohibit; absent = 1, to table),
  "table"?}]``;
* ``bond.options`` and ``ovs-external-ids.data`` as ``{name: text}``;
* ``ipv6.addr-gen-mode`` by keyfile name (``eui64``…), ``ipv6.ip6-privacy``,
  ``vlan.flags`` and ``802-3-ethernet.wake-on-lan`` as ints;
* ``ethtool`` options by NetworkManager name (``feature-*``/``pause-*`` bool,
  ``ring-*``/``coalesce-*`` int).

Pure: no I/O, no clock, no randomness; identical input gives identical output.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model.bonding import OPTIONS as KERNEL_BOND_OPTIONS
from ifcfg2nm.model.ethtool import COALESCE, NM_FEATURES, PAUSE, RINGS
from ifcfg2nm.model.host import (
    NOWHERE,
    BridgePortSettings,
    BridgeSettings,
    HostConfig,
    Interface,
    InterfaceType,
    IpConfig,
    PortType,
    Route,
    RoutingRule,
)

Settings = dict[str, dict[str, Any]]
"""``{setting: {property: value}}`` in the conventions of the module docstring."""

EMIT_NOT_EXPRESSIBLE = define(
    "EMIT_NOT_EXPRESSIBLE", Severity.WARNING,
    "a setting of the host that a NetworkManager 1.42 profile cannot hold",
    "It is left out of the profile; re-create it by other means after the migration "
    "(e.g. a NetworkManager dispatcher script) or confirm it is not needed.",
)
EMIT_BOND_OPTION_UNSUPPORTED = define(
    "EMIT_BOND_OPTION_UNSUPPORTED", Severity.WARNING,
    "a bonding option NetworkManager 1.42 does not know",
    "NetworkManager 1.42 cannot set it; the bond runs with the kernel default instead.",
)
EMIT_BOND_OPTION_REJECTED = define(
    "EMIT_BOND_OPTION_REJECTED", Severity.WARNING,
    "a bonding option NetworkManager refuses in this combination",
    "The kernel ignored or refused it as well in this mode or combination; "
    "it is left out so that NetworkManager accepts the profile.",
)
EMIT_RULE_PRIORITY_ASSIGNED = define(
    "EMIT_RULE_PRIORITY_ASSIGNED", Severity.WARNING,
    "a routing rule without priority gets an explicit one",
    "NetworkManager requires a priority; the one the kernel assigned at boot "
    "(32765, 32764, … in the order the rules were added) is written. Check it.",
)
EMIT_NO_PROFILE = define(
    "EMIT_NO_PROFILE", Severity.ERROR,
    "a route or rule has no profile that can carry it",
    "NetworkManager keeps routes and rules in the profile of a device with IP "
    "configuration; attach it to one before migrating, or it is lost.",
)
EMIT_GATEWAY_AS_ROUTE = define(
    "EMIT_GATEWAY_AS_ROUTE", Severity.INFO,
    "a default gateway without static addresses becomes a static default route",
    "NetworkManager allows ipvX.gateway only with static addresses; the same route "
    "is written as a route instead.",
)
EMIT_GLOBAL_DNS_PLACED = define(
    "EMIT_GLOBAL_DNS_PLACED", Severity.INFO,
    "host-wide DNS settings are attached to the profile that has the default gateway",
    "NetworkManager keeps DNS per profile (as nmstate does, on the default-route profile).",
)
EMIT_UNKNOWN_PROPERTY = define(
    "EMIT_UNKNOWN_PROPERTY", Severity.WARNING,
    "an extra NetworkManager property ifcfg2nm does not know how to write",
    "It is left out; set it by hand with nmcli after the migration if it is needed.",
)
EMIT_INVALID_PROFILE = define(
    "EMIT_INVALID_PROFILE", Severity.ERROR,
    "an interface that cannot become a NetworkManager profile at all",
    "Fix the interface name or identity in the source configuration before migrating.",
)


@dataclass(frozen=True)
class Profile:
    """One NetworkManager connection profile, ready for any serializer."""

    id: str
    uuid: str
    interface: str
    """The model interface (device name) the profile configures."""
    settings: Settings

    @property
    def type(self) -> str:
        """``connection.type`` (D-Bus name)."""
        return str(self.settings["connection"]["type"])


# -- NetworkManager vocabulary -----------------------------------------------------

CONNECTION_TYPES: Mapping[InterfaceType, str] = {
    InterfaceType.ETHERNET: "802-3-ethernet",
    InterfaceType.BOND: "bond",
    InterfaceType.BRIDGE: "bridge",
    InterfaceType.VLAN: "vlan",
    InterfaceType.INFINIBAND: "infiniband",
    InterfaceType.OVS_BRIDGE: "ovs-bridge",
    InterfaceType.OVS_PORT: "ovs-port",
    InterfaceType.OVS_INTERFACE: "ovs-interface",
}

PORT_TYPES: Mapping[InterfaceType, PortType] = {
    InterfaceType.BOND: PortType.BOND,
    InterfaceType.BRIDGE: PortType.BRIDGE,
    InterfaceType.OVS_PORT: PortType.OVS_PORT,
    InterfaceType.OVS_BRIDGE: PortType.OVS_BRIDGE,
}
"""The port type a port of a controller of this type has."""

WIRED_TYPES = frozenset({InterfaceType.ETHERNET, InterfaceType.BOND, InterfaceType.BRIDGE,
                         InterfaceType.VLAN, InterfaceType.OVS_INTERFACE})
"""Types whose MTU and cloned MAC live in the ``802-3-ethernet`` setting."""

NO_DEVICE_TYPES = frozenset({InterfaceType.OVS_BRIDGE, InterfaceType.OVS_PORT})
"""OVS bridges and ports are database records, not kernel devices: no IP, MTU, MAC or ethtool."""

IP_METHODS: Mapping[int, tuple[str, ...]] = {
    4: ("disabled", "manual", "auto", "link-local", "shared"),
    6: ("ignore", "disabled", "manual", "auto", "dhcp", "link-local", "shared"),
}
NO_ADDRESS_METHODS = frozenset({"disabled", "ignore", "link-local"})
"""NetworkManager refuses addresses, gateway, DNS servers and search domains with these."""

AF_INET = 2
AF_INET6 = 10

ADDR_GEN_MODES = ("eui64", "stable-privacy", "default-or-eui64", "default")
IP6_PRIVACY = {"unknown": -1, "disabled": 0, "prefer-public-addr": 1, "prefer-temp-addr": 2}

WOL_FLAGS: Mapping[str, int] = {
    "none": 0x0, "default": 0x1, "phy": 0x2, "unicast": 0x4, "multicast": 0x8, "broadcast": 0x10,
    "arp": 0x20, "magic": 0x40, "ignore": 0x8000,
}
VLAN_FLAGS: Mapping[str, int] = {
    "reorder-headers": 0x1, "gvrp": 0x2, "loose-binding": 0x4, "mvrp": 0x8,
}

RULE_ACTIONS: Mapping[str, int] = {"table": 1, "blackhole": 6, "unreachable": 7, "prohibit": 8}
ROUTE_TYPES = frozenset({"unicast", "local", "blackhole", "unreachable", "prohibit", "throw"})

ROUTE_ATTRIBUTES: Mapping[str, tuple[str, tuple[int, ...]]] = {
    "advmss": ("u", (4, 6)), "cwnd": ("u", (4, 6)), "initcwnd": ("u", (4, 6)),
    "initrwnd": ("u", (4, 6)), "mtu": ("u", (4, 6)), "rto_min": ("u", (4, 6)),
    "window": ("u", (4, 6)), "weight": ("u", (4,)),
    "scope": ("y", (4,)), "tos": ("y", (4,)),
    "lock-advmss": ("b", (4, 6)), "lock-cwnd": ("b", (4, 6)), "lock-initcwnd": ("b", (4, 6)),
    "lock-initrwnd": ("b", (4, 6)), "lock-mtu": ("b", (4, 6)), "lock-window": ("b", (4, 6)),
    "quickack": ("b", (4, 6)), "onlink": ("b", (4, 6)),
    "src": ("s", (4, 6)), "from": ("s", (6,)),
}
"""Route attributes libnm 1.42 keeps (kind, families); its reader drops others without a warning."""

U32 = 0xFFFFFFFF

BRIDGE_RANGES: Mapping[str, tuple[int, int]] = {
    "priority": (0, 65535), "ageing-time": (0, 1000000),
    "forward-delay": (2, 30), "hello-time": (1, 10), "max-age": (6, 40),
}
"""NetworkManager's ranges; for the STP timers ``verify()`` also allows 0 while STP is off."""
STP_TIMERS = frozenset({"forward-delay", "hello-time", "max-age"})

BRIDGE_OPTION_CHECKS: Mapping[str, Callable[[Any], bool]] = {
    "group-forward-mask": lambda v: 0 <= v <= 0xFFFF and not v & 7,
    "multicast-router": lambda v: v in ("auto", "disabled", "enabled"),
    "multicast-hash-max": lambda v: 0 < v <= U32 and not v & (v - 1),
    "vlan-protocol": lambda v: v in ("802.1Q", "802.1ad"),
    "vlan-default-pvid": lambda v: 0 <= v <= 4094,
    "group-address": lambda v: re.fullmatch(r"01:80:C2:00:00:0[0-9A-F]", v) is not None,
    "multicast-last-member-count": lambda v: 0 <= v <= U32,
    "multicast-startup-query-count": lambda v: 0 <= v <= U32,
    **{name: (lambda v: 0 <= v < 2**64) for name in (
        "multicast-last-member-interval", "multicast-membership-interval",
        "multicast-querier-interval", "multicast-query-interval",
        "multicast-query-response-interval", "multicast-startup-query-interval")},
}
"""Values NetworkManager 1.42's bridge ``verify()`` (or property range) accepts."""

NM_BOND_OPTIONS = frozenset({
    "mode", "miimon", "downdelay", "updelay", "arp_interval", "arp_ip_target", "arp_validate",
    "primary", "primary_reselect", "fail_over_mac", "use_carrier", "ad_select",
    "xmit_hash_policy", "resend_igmp", "lacp_rate", "active_slave", "ad_actor_sys_prio",
    "ad_actor_system", "ad_user_port_key", "all_slaves_active", "arp_all_targets", "min_links",
    "num_grat_arp", "num_unsol_na", "packets_per_slave", "tlb_dynamic_lb", "lp_interval",
    "peer_notif_delay",
})
"""Bond options NetworkManager 1.42 knows (``NM.SettingBond.get_valid_options``)."""
NM_BOND_BOOLEAN_OPTIONS = frozenset({"all_slaves_active", "tlb_dynamic_lb", "use_carrier"})
"""Options NetworkManager 1.42 accepts only as 0/1 (the kernel also takes off/on)."""
NM_BOND_REFUSED_VALUES: Mapping[str, frozenset[str]] = {"ad_select": frozenset({"actor_port_prio"})}

# Property kinds for extra properties given as keyfile text (Interface.extra, IpConfig.extra).
# b bool, i int, s text, as list of text, mac MAC text, plus the enums below.
_KINDS: Mapping[str, Mapping[str, str]] = {
    "connection": {
        "autoconnect-priority": "i", "autoconnect-retries": "i", "autoconnect-slaves": "i",
        "zone": "s", "lldp": "i", "mdns": "i", "llmnr": "i", "metered": "i",
        "multi-connect": "i", "wait-device-timeout": "i", "stable-id": "s",
        "gateway-ping-timeout": "i", "auth-retries": "i", "secondaries": "as",
        "permissions": "as",
    },
    "802-3-ethernet": {
        "generate-mac-address-mask": "s", "mac-address-blacklist": "as",
        "accept-all-mac-addresses": "i",
    },
    "infiniband": {"transport-mode": "s", "p-key": "i", "parent": "s"},
    "bond-port": {"queue-id": "i"},
    "bridge": {
        "group-forward-mask": "i", "multicast-snooping": "b", "multicast-router": "s",
        "multicast-querier": "b", "multicast-hash-max": "i", "vlan-filtering": "b",
        "vlan-default-pvid": "i", "vlan-protocol": "s", "vlan-stats-enabled": "b",
        "multicast-last-member-count": "i", "multicast-last-member-interval": "i",
        "multicast-membership-interval": "i", "multicast-querier-interval": "i",
        "multicast-query-interval": "i", "multicast-query-response-interval": "i",
        "multicast-query-use-ifaddr": "b", "multicast-startup-query-count": "i",
        "multicast-startup-query-interval": "i", "group-address": "mac",
    },
    "ovs-bridge": {"stp-enable": "b", "rstp-enable": "b", "mcast-snooping-enable": "b",
                   "fail-mode": "s", "datapath-type": "s"},
    "ovs-port": {"vlan-mode": "s", "lacp": "s", "bond-mode": "s", "bond-updelay": "i",
                 "bond-downdelay": "i"},
    "ipv4": {
        "dns-priority": "i", "dhcp-timeout": "i", "dhcp-iaid": "s", "dhcp-fqdn": "s",
        "dhcp-vendor-class-identifier": "s", "dad-timeout": "i", "required-timeout": "i",
        "dhcp-hostname-flags": "i", "dhcp-reject-servers": "as",
    },
    "ipv6": {
        "dns-priority": "i", "dhcp-timeout": "i", "dhcp-iaid": "s", "dhcp-duid": "s",
        "ra-timeout": "i", "mtu": "i", "required-timeout": "i", "dhcp-hostname-flags": "i",
        "addr-gen-mode": "addr-gen-mode", "ip6-privacy": "ip6-privacy", "token": "s",
    },
}

SETTING_ALIASES: Mapping[str, str] = {"ethernet": "802-3-ethernet"}


# -- small helpers -----------------------------------------------------------------

def _mac(text: str) -> Optional[str]:
    parts = text.split(":")
    if len(parts) not in (6, 20) or not all(re.fullmatch(r"[0-9A-Fa-f]{2}", p) for p in parts):
        return None
    return text.upper()


def _ifname_ok(name: str, ovs_record: bool = False) -> bool:
    """NetworkManager's interface-name check: a kernel name, or for OVS bridges and ports
    (database records, not kernel devices) any printable ASCII without slashes."""
    if ovs_record:
        return bool(name) and all(33 <= ord(c) <= 126 and c not in "/\\" for c in name)
    raw = name.encode("utf-8", "surrogateescape")
    return (0 < len(raw) <= 15 and name not in (".", "..")
            and not any(c in name for c in "/:") and not any(c.isspace() for c in name))


def _bool_text(text: str) -> Optional[bool]:
    low = text.strip().lower()
    if low in ("true", "yes", "on", "1", "y", "t"):
        return True
    if low in ("false", "no", "off", "0", "n", "f"):
        return False
    return None


def _int_text(text: str) -> Optional[int]:
    try:
        return int(text.strip(), 0)
    except ValueError:
        return None


def _typed(kind: str, text: str) -> Optional[Any]:
    """Keyfile text of a property → its plain value, None if the text is invalid."""
    if kind == "b":
        return _bool_text(text)
    if kind in ("i", "u", "y"):
        return _int_text(text)
    if kind == "s":
        return text
    if kind == "as":
        return [part for part in text.split(";") if part]
    if kind == "mac":
        return _mac(text)
    if kind == "addr-gen-mode":
        number = _int_text(text)
        if number is not None and 0 <= number < len(ADDR_GEN_MODES):
            return ADDR_GEN_MODES[number]
        return text if text in ADDR_GEN_MODES else None
    if kind == "ip6-privacy":
        number = _int_text(text)
        if number is None:
            number = IP6_PRIVACY.get(text)
        return number if number in IP6_PRIVACY.values() else None
    raise AssertionError(kind)  # pragma: no cover


def ip_text(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """An address as NetworkManager prints it (glibc's ``inet_ntop``).

    Python and glibc agree except on IPv6 addresses with an IPv4 tail: glibc
    writes ``::0.1.0.0`` and ``::ffff:192.0.2.1`` where Python writes ``::1:0``
    and ``::ffff:c000:201``.
    """
    if addr.version == 4:
        return str(addr)
    words = [int.from_bytes(addr.packed[i:i + 2], "big") for i in range(0, 16, 2)]
    best_base, best_len, base, length = -1, 0, -1, 0
    for i, word in enumerate([*words, 1]):
        if word == 0:
            base, length = (i, 1) if base < 0 else (base, length + 1)
        elif base >= 0:
            if length > best_len:
                best_base, best_len = base, length
            base, length = -1, 0
    if best_base == 0 and (best_len == 6 or (best_len == 5 and words[5] == 0xFFFF)):
        tail = ".".join(str(b) for b in addr.packed[12:])
        return ("::ffff:" if best_len == 5 else "::") + tail
    return str(addr)


@functools.lru_cache(maxsize=4096)
def _network(text: str, family: int) -> Optional[tuple[str, int]]:
    """``(address, prefix)`` of a CIDR (host bits cleared), or None if invalid.

    This and the other address readers here are pure and cached: a fleet repeats its addresses.
    """
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    if net.version != family:
        return None
    return ip_text(net.network_address), net.prefixlen


@functools.lru_cache(maxsize=4096)
def _address(text: Optional[str], family: int) -> Optional[str]:
    if text is None:
        return None
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    return ip_text(addr) if addr.version == family else None


def _unspecified(addr: Optional[str]) -> bool:
    return addr in ("0.0.0.0", "::")


# -- the builder -------------------------------------------------------------------


class _Builder:
    """Builds every profile of one host, collecting findings on the way."""

    def __init__(self, host: HostConfig) -> None:
        self.host = host
        self.findings: list[Finding] = []
        self.by_name: dict[str, list[Interface]] = {}
        for iface in host.interfaces:
            self.by_name.setdefault(iface.name, []).append(iface)
        self.rules_without_priority = 0

    def report(self, finding: Finding) -> None:
        self.findings.append(finding)

    def not_expressible(self, where: Position, message: str,
                        severity: Optional[Severity] = None) -> None:
        self.report(EMIT_NOT_EXPRESSIBLE(where, message, severity=severity))

    # -- whole host

    def build(self) -> tuple[tuple[Profile, ...], tuple[Finding, ...]]:
        carriers = {i.name: i for i in self.host.interfaces if self._carries_ip(i)}
        routes = self._routes_by_profile(carriers)
        rules = self._rules_by_profile(carriers)
        profiles: list[Profile] = []
        seen_uuids: dict[str, str] = {}
        for iface in self.host.interfaces:
            key = (iface.name, iface.type)
            settings = self._profile(iface, routes.get(key, ()), rules.get(key, ()))
            if settings is None:
                continue
            other = seen_uuids.get(iface.uuid)
            if other is not None:
                self.report(EMIT_INVALID_PROFILE(
                    iface.source, f"{iface.name}: UUID {iface.uuid} is also the UUID of "
                                  f"{other}'s profile; NetworkManager would keep only one"))
                continue
            seen_uuids[iface.uuid] = iface.name
            profiles.append(Profile(iface.profile_id, iface.uuid, iface.name, settings))
        self._place_global_dns(profiles)
        return tuple(profiles), tuple(self.findings)

    @staticmethod
    def _carries_ip(iface: Interface) -> bool:
        if iface.type in NO_DEVICE_TYPES:
            return False
        return not iface.is_port or iface.type is InterfaceType.OVS_INTERFACE

    @staticmethod
    def _lookup(name: Optional[str], carriers: Mapping[str, Interface]) -> Optional[Interface]:
        return carriers.get(name) if name is not None else None

    def _routes_by_profile(
        self, carriers: Mapping[str, Interface]
    ) -> dict[tuple[str, InterfaceType], tuple[Route, ...]]:
        out: dict[tuple[str, InterfaceType], list[Route]] = {}
        for route in self.host.routes:
            if route.absent:
                continue  # nmstate-only: VDSM's translation removes it; a profile never had it
            iface = self._lookup(route.interface, carriers)
            if iface is None:
                self.report(EMIT_NO_PROFILE(
                    route.source, f"route to {route.destination} via device {route.interface}: "
                                  "no profile with IP configuration for that device"))
                continue
            out.setdefault((iface.name, iface.type), []).append(route)
        return {k: tuple(v) for k, v in out.items()}

    def _rules_by_profile(
        self, carriers: Mapping[str, Interface]
    ) -> dict[tuple[str, InterfaceType], tuple[RoutingRule, ...]]:
        out: dict[tuple[str, InterfaceType], list[RoutingRule]] = {}
        for rule in self.host.rules:
            iface = self._rule_carrier(rule, carriers)
            if iface is None:
                self.report(EMIT_NO_PROFILE(
                    rule.source, f"routing rule {_rule_summary(rule)}: no profile with IP "
                                 "configuration can carry it"))
                continue
            out.setdefault((iface.name, iface.type), []).append(rule)
        return {k: tuple(v) for k, v in out.items()}

    def _rule_carrier(self, rule: RoutingRule,
                      carriers: Mapping[str, Interface]) -> Optional[Interface]:
        """The profile that keeps a rule: the named one, else the one routing its table."""
        if rule.interface is not None:
            return self._lookup(rule.interface, carriers)
        if rule.table is not None:
            names = sorted({r.interface for r in self.host.routes
                            if r.table == rule.table and not r.absent})
            if len(names) == 1:
                return self._lookup(names[0], carriers)
        return None

    # -- one profile

    def _profile(self, iface: Interface, routes: Sequence[Route],
                 rules: Sequence[RoutingRule]) -> Optional[Settings]:
        where = iface.source
        ctype = CONNECTION_TYPES.get(iface.type)
        if ctype is None:  # pragma: no cover - every InterfaceType is mapped
            self.report(EMIT_INVALID_PROFILE(where, f"{iface.name}: type {iface.type} unknown"))
            return None
        if not _ifname_ok(iface.name, iface.type in NO_DEVICE_TYPES):
            self.report(EMIT_INVALID_PROFILE(
                where, f"{iface.name!r} is not a valid interface name "
                       f"(type {iface.type.value})"))
            return None
        if iface.type is InterfaceType.VLAN and (
                iface.vlan is None or not 0 <= iface.vlan.id <= 4094):
            self.report(EMIT_INVALID_PROFILE(where, f"{iface.name}: a VLAN without a parent and an id "
                                                    "in 0..4094 cannot become a profile"))
            return None
        if not iface.profile_id or "\0" in iface.profile_id:
            self.report(EMIT_INVALID_PROFILE(where, f"{iface.name}: empty or invalid profile id"))
            return None
        settings: Settings = {}
        con: dict[str, Any] = {"id": iface.profile_id, "uuid": iface.uuid, "type": ctype,
                               "interface-name": iface.name}
        if not iface.autoconnect:
            con["autoconnect"] = False
        settings["connection"] = con
        self._port(iface, con)
        self._link(iface, settings)
        self._type_settings(iface, settings)
        self._port_settings(iface, settings)
        self._ip(iface, settings, routes, rules)
        self._extra(iface, settings)
        if iface.type is InterfaceType.INFINIBAND and "transport-mode" not in settings["infiniband"]:
            # required by NetworkManager; ifcfg's default (CONNECTED_MODE=no) is datagram
            settings["infiniband"] = dict(sorted({**settings["infiniband"],
                                                  "transport-mode": "datagram"}.items()))
        return settings

    def _port(self, iface: Interface, con: dict[str, Any]) -> None:
        if iface.controller is None:
            if iface.port_type is not None:
                self.not_expressible(iface.source, f"{iface.name}: port type "
                                     f"{iface.port_type.value} without a controller is ignored")
            return
        port_type = iface.port_type
        if port_type is None:
            for controller in self.by_name.get(iface.controller, ()):
                port_type = PORT_TYPES.get(controller.type)
                if port_type is not None:
                    break
        if port_type is None:
            self.not_expressible(
                iface.source, f"{iface.name}: the kind of its controller {iface.controller} "
                              "is unknown; it is not attached", Severity.ERROR)
            return
        con["master"] = iface.controller
        con["slave-type"] = port_type.value

    def _link(self, iface: Interface, settings: Settings) -> None:
        """MTU, MACs, link settings and ethtool: where NetworkManager keeps them per type."""
        where = iface.source
        holder = "802-3-ethernet" if iface.type in WIRED_TYPES else "infiniband"
        wired: dict[str, Any] = {}
        if iface.type in (InterfaceType.ETHERNET, InterfaceType.INFINIBAND):
            settings[holder] = wired  # required by NetworkManager, even when empty
        if iface.mtu is not None:
            if iface.type in NO_DEVICE_TYPES:
                self.not_expressible(where, f"{iface.name}: an {iface.type.value} has no MTU; "
                                            f"MTU {iface.mtu} is not written")
            elif not 0 < iface.mtu <= U32:
                self.not_expressible(where, f"{iface.name}: MTU {iface.mtu} is out of range")
            else:
                wired["mtu"] = iface.mtu
        if iface.mac_address is not None:
            mac = _mac(iface.mac_address)
            if iface.type not in (InterfaceType.ETHERNET, InterfaceType.INFINIBAND):
                self.not_expressible(
                    where, f"{iface.name}: a {iface.type.value} has no permanent MAC to bind the "
                           f"profile to; HWADDR {iface.mac_address} is not written")
            elif mac is None or (len(mac) == 17) != (holder == "802-3-ethernet"):
                self.not_expressible(where, f"{iface.name}: MAC {iface.mac_address} is invalid")
            else:
                wired["mac-address"] = mac
        if iface.cloned_mac_address is not None:
            cloned = _mac(iface.cloned_mac_address)
            if iface.type not in WIRED_TYPES:
                self.not_expressible(where, f"{iface.name}: a {iface.type.value} cannot have its "
                                            f"MAC set; {iface.cloned_mac_address} is not written")
            elif cloned is None or len(cloned) != 17:
                self.not_expressible(where, f"{iface.name}: MAC {iface.cloned_mac_address} "
                                            "is invalid")
            else:
                wired["cloned-mac-address"] = cloned
        if wired and iface.type in WIRED_TYPES:
            settings["802-3-ethernet"] = dict(sorted(wired.items()))
        self._ethernet(iface, settings)
        self._ethtool(iface, settings)

    def _ethernet(self, iface: Interface, settings: Settings) -> None:
        eth = iface.ethernet
        if eth is None:
            return
        where = iface.source
        if iface.type is not InterfaceType.ETHERNET:
            if any(v is not None for v in (eth.auto_negotiate, eth.speed, eth.duplex,
                                           eth.wake_on_lan)):
                self.not_expressible(where, f"{iface.name}: link settings (autoneg, speed, duplex, "
                                            f"wake-on-lan) apply to Ethernet NICs only")
            return
        wired = settings["802-3-ethernet"]
        if eth.auto_negotiate is False and (eth.speed is None or eth.duplex is None):
            self.not_expressible(
                where, f"{iface.name}: 'autoneg off' without both speed and duplex means "
                       "'leave the link alone' in NetworkManager; the link is not forced")
        elif eth.auto_negotiate:
            wired["auto-negotiate"] = True
        if eth.speed is not None:
            wired["speed"] = eth.speed
        if eth.duplex is not None:
            if eth.duplex in ("half", "full"):
                wired["duplex"] = eth.duplex
            else:
                self.not_expressible(where, f"{iface.name}: duplex {eth.duplex!r} is invalid")
        if eth.wake_on_lan is not None:
            flags = [f.strip() for f in eth.wake_on_lan.split(",") if f.strip()]
            unknown = [f for f in flags if f not in WOL_FLAGS]
            exclusive = {"none", "default", "ignore"} & set(flags)
            if unknown or not flags or (exclusive and len(flags) > 1):
                self.not_expressible(where, f"{iface.name}: wake-on-lan {eth.wake_on_lan!r} is "
                                            "not a valid NetworkManager flag combination")
            else:
                value = 0
                for flag in flags:
                    value |= WOL_FLAGS[flag]
                wired["wake-on-lan"] = value
        settings["802-3-ethernet"] = dict(sorted(wired.items()))

    def _ethtool(self, iface: Interface, settings: Settings) -> None:
        if not iface.ethtool:
            return
        if iface.type in NO_DEVICE_TYPES:
            self.not_expressible(iface.source, f"{iface.name}: an {iface.type.value} has no "
                                               "device for ethtool settings")
            return
        out: dict[str, Any] = {}
        for name, text in iface.ethtool:
            kind = _ethtool_kind(name)
            value = _typed(kind, text) if kind else None
            if kind == "i" and isinstance(value, int) and not 0 <= value <= U32:
                value = None
            if name in ("coalesce-adaptive-rx", "coalesce-adaptive-tx") and value not in (0, 1):
                value = None
            if value is None:
                self.not_expressible(iface.source, f"{iface.name}: ethtool {name}={text} is not "
                                                   "a NetworkManager 1.42 ethtool setting")
                continue
            out[name] = value
        if out.get("pause-autoneg") is True:
            for name in ("pause-rx", "pause-tx"):
                if name in out:
                    value = "true" if out.pop(name) else "false"
                    self.not_expressible(
                        iface.source, f"{iface.name}: ethtool {name}={value} is not "
                                      "written: NetworkManager refuses it with pause-autoneg on")
        if out:
            settings["ethtool"] = dict(sorted(out.items()))

    def _type_settings(self, iface: Interface, settings: Settings) -> None:
        where = iface.source
        for attr, types in (("bond", (InterfaceType.BOND,)), ("bridge", (InterfaceType.BRIDGE,)),
                            ("vlan", (InterfaceType.VLAN,))):
            if getattr(iface, attr) is not None and iface.type not in types:
                self.not_expressible(where, f"{iface.name}: {attr} settings on a "
                                            f"{iface.type.value} are ignored")
        if iface.type is InterfaceType.BOND:
            settings["bond"] = {"options": self._bond_options(iface)}
        elif iface.type is InterfaceType.BRIDGE:
            settings["bridge"] = self._bridge(iface, iface.bridge or BridgeSettings(stp=False))
        elif iface.type is InterfaceType.VLAN:
            assert iface.vlan is not None  # checked in _profile
            settings["vlan"] = self._vlan(iface)
        elif iface.type is InterfaceType.OVS_BRIDGE:
            settings["ovs-bridge"] = {}
        elif iface.type is InterfaceType.OVS_PORT:
            port: dict[str, Any] = {}
            tag = iface.ovs.vlan_tag if iface.ovs else None
            if tag is not None:
                if 0 <= tag <= 4095:
                    port["tag"] = tag
                    port["vlan-mode"] = "access"
                else:
                    self.not_expressible(where, f"{iface.name}: OVS VLAN tag {tag} out of range")
            settings["ovs-port"] = port
        elif iface.type is InterfaceType.OVS_INTERFACE:
            settings["ovs-interface"] = {"type": "internal"}
        if (iface.type is not InterfaceType.OVS_INTERFACE
                and settings["connection"].get("slave-type") == PortType.OVS_PORT.value):
            settings["ovs-interface"] = {"type": "system"}  # required for a kernel device port
        if iface.ovs is not None and iface.ovs.external_ids:
            if iface.type in (InterfaceType.OVS_BRIDGE, InterfaceType.OVS_PORT,
                              InterfaceType.OVS_INTERFACE) or "ovs-interface" in settings:
                data: dict[str, str] = {}
                for key, value in iface.ovs.external_ids:
                    if re.fullmatch(r"[A-Za-z0-9_.:+-]{1,255}", key) and not key.startswith("NM."):
                        data[key] = value
                    else:
                        self.not_expressible(where, f"{iface.name}: OVS external id {key!r} "
                                                    "cannot be stored by NetworkManager")
                if data:
                    settings["ovs-external-ids"] = {"data": dict(sorted(data.items()))}
            else:
                self.not_expressible(where, f"{iface.name}: OVS external ids on a device that "
                                            "is not part of an OVS bridge")

    def _bond_options(self, iface: Interface) -> dict[str, str]:
        """The bond options NetworkManager 1.42 accepts, checked like its ``verify()``."""
        where = iface.source
        if iface.bond is None:
            return {"mode": "balance-rr"}  # the kernel's default, explicit
        mode = iface.bond.mode
        options: dict[str, str] = {}
        for name, value in iface.bond.options:
            kernel = KERNEL_BOND_OPTIONS.get(name)
            if name not in NM_BOND_OPTIONS or value in NM_BOND_REFUSED_VALUES.get(name, ()):
                default = kernel.default if kernel else None
                harmless = default is not None and value == default
                self.report(EMIT_BOND_OPTION_UNSUPPORTED(
                    where, f"{iface.name}: NetworkManager 1.42 cannot set bonding option "
                           f"{name}={value}" + (" (the kernel default, so nothing changes)"
                                                if harmless else ""),
                    severity=Severity.INFO if harmless else None))
                continue
            if name in NM_BOND_BOOLEAN_OPTIONS:
                value = {"on": "1", "off": "0"}.get(value, value)
            options[name] = value

        for name, why in nm_bond_refusals(mode, options):
            self.report(EMIT_BOND_OPTION_REJECTED(
                where, f"{iface.name}: bonding option {name}={options.pop(name)} {why}"))
        return {"mode": mode, **dict(sorted(options.items()))}

    def _bridge(self, iface: Interface, br: BridgeSettings) -> dict[str, Any]:
        out: dict[str, Any] = {"stp": br.stp}
        for prop, value in (("forward-delay", br.forward_delay), ("hello-time", br.hello_time),
                            ("max-age", br.max_age), ("priority", br.priority),
                            ("ageing-time", br.ageing_time)):
            if value is None:
                continue
            low, high = BRIDGE_RANGES[prop]
            zero_ok = not br.stp and prop in STP_TIMERS
            if not (low <= value <= high or (zero_ok and value == 0)):
                self.not_expressible(
                    iface.source, f"{iface.name}: bridge {prop} {value} is outside "
                                  f"NetworkManager's range {low}..{high}"
                                  + (" (or 0 with STP off)" if zero_ok else "")
                                  + "; NetworkManager's default is used")
                continue
            out[prop] = value
        kinds = _KINDS["bridge"]
        for prop, text in br.options:
            kind = kinds.get(prop)
            value = _typed(kind, text) if kind else None
            check = BRIDGE_OPTION_CHECKS.get(prop)
            if value is not None and check is not None and not check(value):
                value = None
            if value is None:
                self.not_expressible(iface.source, f"{iface.name}: bridge option {prop}={text} "
                                                   "is not a NetworkManager 1.42 bridge property")
                continue
            out[prop] = value
        return dict(sorted(out.items()))

    def _vlan(self, iface: Interface) -> dict[str, Any]:
        assert iface.vlan is not None
        vlan = iface.vlan
        out: dict[str, Any] = {}
        flags = 0
        for flag in vlan.flags:
            if flag in VLAN_FLAGS:
                flags |= VLAN_FLAGS[flag]
            else:
                self.not_expressible(iface.source, f"{iface.name}: unknown VLAN flag {flag!r}")
        egress = self._priority_map(iface, "egress", vlan.egress_priority_map)
        if egress:
            out["egress-priority-map"] = egress
        out["flags"] = flags
        out["id"] = vlan.id
        ingress = self._priority_map(iface, "ingress", vlan.ingress_priority_map)
        if ingress:
            out["ingress-priority-map"] = ingress
        out["parent"] = vlan.parent
        if vlan.protocol in ("802.1Q", "802.1ad"):
            out["protocol"] = vlan.protocol
        elif vlan.protocol is not None:
            self.not_expressible(iface.source, f"{iface.name}: VLAN protocol {vlan.protocol!r} "
                                               "is neither 802.1Q nor 802.1ad")
        return out

    def _priority_map(self, iface: Interface, direction: str,
                      entries: Sequence[str]) -> list[str]:
        """``from:to`` pairs by ``from`` (as the kernel and NetworkManager keep them);
        the 802.1p side (ingress from, egress to) must be 0..7."""
        mapping: dict[int, int] = {}
        for entry in entries:
            match = re.fullmatch(r"(\d+):(\d+)", entry.strip())
            pcp = int(match.group(1 if direction == "ingress" else 2)) if match else -1
            other = int(match.group(2 if direction == "ingress" else 1)) if match else -1
            if match is None or not (0 <= pcp <= 7 and 0 <= other <= U32):
                self.not_expressible(iface.source, f"{iface.name}: VLAN {direction} priority "
                                                   f"mapping {entry!r} is invalid")
                continue
            mapping[int(match.group(1))] = int(match.group(2))  # a later mapping replaces one
        return [f"{k}:{v}" for k, v in sorted(mapping.items())]  # NetworkManager's order

    def _port_settings(self, iface: Interface, settings: Settings) -> None:
        """``bridge-port`` for every Linux bridge port: NetworkManager requires the setting."""
        bp = iface.bridge_port or BridgePortSettings()
        if settings["connection"].get("slave-type") != PortType.BRIDGE.value:
            if bp != BridgePortSettings():
                self.not_expressible(iface.source, f"{iface.name}: bridge port settings on a "
                                                   "device that is not a Linux bridge port")
            return
        out: dict[str, Any] = {}
        if bp.hairpin_mode is not None:
            out["hairpin-mode"] = bp.hairpin_mode
        for prop, value, high in (("path-cost", bp.path_cost, 65535),
                                  ("priority", bp.priority, 63)):
            if value is None:
                continue
            if 0 <= value <= high:
                out[prop] = value
            else:
                self.not_expressible(iface.source, f"{iface.name}: bridge port {prop} {value} "
                                                   f"is outside 0..{high}")
        settings["bridge-port"] = out

    # -- IP

    def _ip(self, iface: Interface, settings: Settings, routes: Sequence[Route],
            rules: Sequence[RoutingRule]) -> None:
        if not self._carries_ip(iface):
            for ip in (iface.ipv4, iface.ipv6):
                if ip.enabled or ip.addresses or ip.dns:
                    what = "a port" if iface.is_port else f"an {iface.type.value}"
                    self.not_expressible(
                        iface.source, f"{iface.name}: {what} has no IP configuration of its own; "
                                      f"its IPv{ip.family} settings (method {ip.method}) are "
                                      "not written")
            return
        for ip in (iface.ipv4, iface.ipv6):
            family = ip.family
            settings[f"ipv{family}"] = self._ip_setting(
                iface, ip,
                [r for r in routes if r.family == family],
                [r for r in rules if r.family == family],
            )

    def _ip_setting(self, iface: Interface, ip: IpConfig, routes: Sequence[Route],
                    rules: Sequence[RoutingRule]) -> dict[str, Any]:
        family = ip.family
        name = f"{iface.name}: ipv{family}"
        where = iface.source
        method = ip.method
        if method not in IP_METHODS[family]:
            fallback = "disabled"
            self.not_expressible(where, f"{name}.method {method!r} is unknown; "
                                        f"'{fallback}' is written", Severity.ERROR)
            method = fallback
        addresses: list[dict[str, Any]] = []
        for addr in ip.addresses:
            text = _address(addr.address, family)
            if text is None or not 0 <= addr.prefix <= (32 if family == 4 else 128):
                self.not_expressible(where, f"{name}: {addr} is not a valid IPv{family} address")
                continue
            addresses.append({"address": text, "prefix": addr.prefix})
        if method == "manual" and not addresses:
            method = "disabled" if family == 4 else "link-local"
            self.not_expressible(where, f"{name}: static method without addresses becomes "
                                        f"'{method}' (NetworkManager requires an address)",
                                 Severity.INFO)
        if method in NO_ADDRESS_METHODS and addresses:
            self.not_expressible(where, f"{name}: NetworkManager refuses addresses with method "
                                        f"{method}: {', '.join(str(a) for a in ip.addresses)} "
                                        "are not written")
            addresses = []
        if method == "shared" and family == 4 and len(addresses) > 1:
            self.not_expressible(where, f"{name}: NetworkManager allows one address with method "
                                        f"shared; {', '.join(str(a) for a in ip.addresses[1:])} "
                                        "not written")
            addresses = addresses[:1]
        out: dict[str, Any] = {}
        extra_routes: list[dict[str, Any]] = []
        if ip.extra:
            self._ip_extra(iface, ip, out)
        if addresses:
            out["address-data"] = addresses
        gateway = _address(ip.gateway, family)
        if ip.gateway is not None and gateway is None:
            self.not_expressible(where, f"{name}: gateway {ip.gateway} is not an IPv{family} "
                                        "address")
        elif gateway is not None and ip.never_default:
            self.not_expressible(where, f"{name}: gateway {gateway} is not written: with "
                                        "never-default there is no default route to use it "
                                        "(NetworkManager refuses the combination)",
                                 Severity.INFO)
        elif gateway is not None and addresses:
            out["gateway"] = gateway
        elif gateway is not None:
            self.report(EMIT_GATEWAY_AS_ROUTE(
                where, f"{name}: gateway {gateway} without static addresses is written as a "
                       f"static default route (method {method})"))
            extra_routes.append({"dest": "0.0.0.0" if family == 4 else "::", "prefix": 0,
                                 "next-hop": gateway})
        dns_allowed = method not in NO_ADDRESS_METHODS and not (family == 4 and method == "shared")
        dns = [a for a in (_address(d, family) for d in ip.dns) if a is not None]
        foreign = [d for d in ip.dns if _address(d, family) is None]
        if foreign:
            self.not_expressible(where, f"{name}: DNS servers that are not IPv{family} addresses "
                                        f"are not written: {', '.join(foreign)}")
        for prop, values in (("dns", dns), ("dns-options", list(ip.dns_options)),
                             ("dns-search", list(ip.dns_search))):
            if not values:
                continue
            if prop != "dns-options" and not dns_allowed:
                self.not_expressible(where, f"{name}: NetworkManager refuses {prop} with method "
                                            f"{method}: {', '.join(values)} not written")
                continue
            out[prop] = values
        if ip.ignore_auto_dns:
            out["ignore-auto-dns"] = True
        if ip.ignore_auto_routes:
            out["ignore-auto-routes"] = True
        if ip.dhcp_hostname is not None:
            out["dhcp-hostname"] = ip.dhcp_hostname
        if ip.dhcp_send_hostname is False:
            out["dhcp-send-hostname"] = False
        if ip.dhcp_client_id is not None:
            if family == 4:
                out["dhcp-client-id"] = ip.dhcp_client_id
            else:
                self.not_expressible(where, f"{name}: a DHCP client id has no IPv6 equivalent "
                                            "(NetworkManager uses ipv6.dhcp-duid)")
        if not ip.may_fail:
            out["may-fail"] = False
        out["method"] = method
        if ip.never_default:
            out["never-default"] = True
        if ip.route_metric is not None:
            if -1 <= ip.route_metric <= U32:
                out["route-metric"] = ip.route_metric
            else:
                self.not_expressible(where, f"{name}: route metric {ip.route_metric} out of range")
        if ip.route_table is not None:
            if 0 <= ip.route_table <= U32:
                out["route-table"] = ip.route_table
            else:
                self.not_expressible(where, f"{name}: route table {ip.route_table} out of range")
        route_data = extra_routes + [r for r in (self._route(iface, r) for r in routes) if r]
        if route_data:
            out["route-data"] = route_data
        rule_data = [r for r in (self._rule(r) for r in rules) if r]
        if rule_data:
            out["routing-rules"] = rule_data
        token = out.get("token")
        if token is not None and out.get("addr-gen-mode", "eui64") != "eui64":
            del out["token"]
            self.not_expressible(where, f"{name}: token {token} needs addr-gen-mode eui64, not "
                                        f"{out['addr-gen-mode']}; it is not written")
        return dict(sorted(out.items()))

    def _ip_extra(self, iface: Interface, ip: IpConfig, out: dict[str, Any]) -> None:
        setting = f"ipv{ip.family}"
        for prop, text in ip.extra:
            kind = _KINDS[setting].get(prop)
            if kind is None:
                self.report(EMIT_UNKNOWN_PROPERTY(iface.source, f"{iface.name}: {setting}.{prop}="
                                                                f"{text} is not written"))
                continue
            value = _typed(kind, text)
            if value is None:
                self.not_expressible(iface.source, f"{iface.name}: {setting}.{prop}={text} is "
                                                   "not a valid value")
                continue
            out[prop] = value

    def _route(self, iface: Interface, route: Route) -> Optional[dict[str, Any]]:
        family = route.family
        where = route.source
        desc = f"{iface.name}: route to {route.destination}"
        dest = _network(route.destination, family)
        if dest is None:
            self.not_expressible(where, f"{desc}: not a valid IPv{family} destination")
            return None
        if route.type not in ROUTE_TYPES:
            self.not_expressible(where, f"{desc}: route type {route.type} is not supported by "
                                        "NetworkManager 1.42; the route is not written")
            return None
        out: dict[str, Any] = {"dest": dest[0], "prefix": dest[1]}
        if route.gateway is not None and not _unspecified(route.gateway):
            gateway = _address(route.gateway, family)
            if gateway is None:
                self.not_expressible(where, f"{desc}: gateway {route.gateway} is not an "
                                            f"IPv{family} address; the route is not written")
                return None
            out["next-hop"] = gateway
        if route.metric is not None:
            if 0 <= route.metric <= U32:
                out["metric"] = route.metric
            else:
                self.not_expressible(where, f"{desc}: metric {route.metric} out of range")
        attrs: dict[str, Any] = {}
        if route.table is not None:
            if 0 < route.table <= U32:
                attrs["table"] = route.table
            else:
                self.not_expressible(where, f"{desc}: table {route.table} out of range")
        if route.type != "unicast":
            attrs["type"] = route.type
        if route.onlink:
            attrs["onlink"] = True
        if route.source_address is not None:
            src = _address(route.source_address, family)
            if src is None:
                self.not_expressible(where, f"{desc}: src {route.source_address} is invalid")
            else:
                attrs["src"] = src
        for name, text in route.options:
            spec = ROUTE_ATTRIBUTES.get(name)
            value: Optional[Any] = None
            if spec is not None and family in spec[1]:
                value = _typed(spec[0], text)
                limit = {"u": U32, "y": 0xFF}.get(spec[0])
                if limit is not None and isinstance(value, int) and not 0 <= value <= limit:
                    value = None
                if name == "from" and value is not None and _network(str(value), 6) is None:
                    value = None
            if value is None:
                self.not_expressible(where, f"{desc}: attribute {name} {text} is not supported "
                                            f"for IPv{family} routes by NetworkManager 1.42")
                continue
            attrs[name] = value
        out.update(sorted(attrs.items()))
        return out

    def _rule(self, rule: RoutingRule) -> Optional[dict[str, Any]]:
        family = rule.family
        where = rule.source
        desc = f"routing rule {_rule_summary(rule)}"
        action = RULE_ACTIONS.get(rule.action)
        if action is None:
            self.not_expressible(where, f"{desc}: action {rule.action} is not supported by "
                                        "NetworkManager; the rule is not written", Severity.ERROR)
            return None
        out: dict[str, Any] = {"family": AF_INET if family == 4 else AF_INET6}
        priority = rule.priority
        if priority is None:
            priority = self._kernel_priority()
            self.report(EMIT_RULE_PRIORITY_ASSIGNED(
                where, f"{desc}: written with priority {priority}, the one the kernel gave the "
                       "first rule added without one"))
        if not 0 <= priority <= U32:
            self.not_expressible(where, f"{desc}: priority out of range", Severity.ERROR)
            return None
        out["priority"] = priority
        if rule.invert:
            out["invert"] = True
        for key, prefix in (("from", rule.source_prefix), ("to", rule.destination_prefix)):
            if prefix is None:
                continue
            parsed = _prefix(prefix, family)
            if parsed is None:
                self.not_expressible(where, f"{desc}: {key} {prefix} is not an IPv{family} "
                                            "prefix; the rule is not written", Severity.ERROR)
                return None
            if parsed[1] > 0:
                out[key] = parsed[0]
                out[f"{key}-len"] = parsed[1]
        if rule.tos is not None:
            if 0 <= rule.tos <= 0xFF:
                out["tos"] = rule.tos
            else:
                self.not_expressible(where, f"{desc}: tos {rule.tos} out of range")
        if rule.fwmark is not None or rule.fwmask is not None:
            fwmask = U32 if rule.fwmask is None else rule.fwmask  # ip rule's default mask
            if rule.fwmark:
                out["fwmark"] = rule.fwmark
            if fwmask:
                out["fwmask"] = fwmask
        for key, ifname in (("iifname", rule.iif), ("oifname", rule.oif)):
            if ifname is None:
                continue
            if not _ifname_ok(ifname):
                self.not_expressible(where, f"{desc}: {ifname!r} is not a kernel interface name; "
                                            "the rule is not written", Severity.ERROR)
                return None
            out[key] = ifname
        if action == RULE_ACTIONS["table"]:
            if rule.table is None or not 0 < rule.table <= U32:
                self.not_expressible(where, f"{desc}: a rule that looks up a table needs a table "
                                            "number in 1..4294967295; not written",
                                     Severity.ERROR)
                return None
            out["table"] = rule.table
        else:
            out["action"] = action
        return out

    def _kernel_priority(self) -> int:
        """What the kernel gives the n-th rule added without priority: 32765, 32764, …"""
        self.rules_without_priority += 1
        return 32766 - self.rules_without_priority

    # -- extras and DNS

    def _extra(self, iface: Interface, settings: Settings) -> None:
        for key, text in iface.extra:
            setting, _, prop = key.partition(".")
            setting = SETTING_ALIASES.get(setting, setting)
            kind = _KINDS.get(setting, {}).get(prop)
            if kind is None:
                self.report(EMIT_UNKNOWN_PROPERTY(iface.source, f"{iface.name}: {key}={text} "
                                                                "is not written"))
                continue
            value = _typed(kind, text)
            if value is None:
                self.not_expressible(iface.source, f"{iface.name}: {key}={text} is not a valid "
                                                   "value")
                continue
            if setting not in settings:
                if setting.startswith("ipv") or setting in (
                    "802-3-ethernet", "infiniband", "bridge", "ovs-bridge", "ovs-port"
                ) or (setting == "bond-port" and iface.port_type is not PortType.BOND):
                    self.not_expressible(iface.source, f"{iface.name}: {key} does not apply to "
                                                       f"this {iface.type.value} profile")
                    continue
                settings[setting] = {}
            current = settings[setting].get(prop)
            if current is not None and current != value:
                self.not_expressible(iface.source, f"{iface.name}: {key}={text} conflicts with "
                                                   f"{current!r}; {current!r} is kept")
                continue
            settings[setting][prop] = value
            settings[setting] = dict(sorted(settings[setting].items()))

    def _place_global_dns(self, profiles: list[Profile]) -> None:
        """Host-wide DNS no profile carries goes to the default-gateway profile, as nmstate does."""
        dns = self.host.dns
        if not (dns.servers or dns.search):
            return
        carried: dict[int, set[str]] = {4: set(), 6: set()}
        searched: set[str] = set()
        for p in profiles:
            for family in (4, 6):
                ip = p.settings.get(f"ipv{family}", {})
                carried[family].update(ip.get("dns", ()))
                searched.update(ip.get("dns-search", ()))
        search = [s for s in dns.search if s not in searched]
        for family in (4, 6):
            key = f"ipv{family}"
            servers = [a for a in (_address(s, family) for s in dns.servers)
                       if a is not None and a not in carried[family]]
            if not servers and not search:
                continue
            target = next((p for p in profiles if _has_default_route(p.settings.get(key, {}))),
                          None)
            if target is None:
                if servers:
                    self.not_expressible(NOWHERE, f"host-wide DNS servers {', '.join(servers)}: "
                                                  f"no profile has an IPv{family} default route "
                                                  "to carry them")
                continue
            ip = dict(target.settings[key])
            if servers:
                ip["dns"] = list(ip.get("dns", [])) + servers
            if search:
                ip["dns-search"] = list(ip.get("dns-search", [])) + search
            target.settings[key] = dict(sorted(ip.items()))
            self.report(EMIT_GLOBAL_DNS_PLACED(
                NOWHERE, f"host-wide DNS {', '.join(servers + search)} written to "
                         f"{target.interface}'s {key} settings"))
            search = []
        if search:
            self.not_expressible(NOWHERE, f"host-wide DNS search domains {', '.join(search)}: "
                                          "no profile has a default route to carry them")


def _has_default_route(ip: Mapping[str, Any]) -> bool:
    """A profile NetworkManager may put DNS on that has a static main-table default route."""
    if ip.get("method") in NO_ADDRESS_METHODS:
        return False
    if "gateway" in ip:
        return True
    return any(r["prefix"] == 0 and "table" not in r for r in ip.get("route-data", ()))


@functools.lru_cache(maxsize=4096)
def _prefix(text: str, family: int) -> Optional[tuple[str, int]]:
    """A rule's ``from``/``to`` as written (host bits kept, as ``ip rule`` does)."""
    try:
        iface = ipaddress.ip_interface(text)
    except ValueError:
        return None
    if iface.version != family:
        return None
    return ip_text(iface.ip), iface.network.prefixlen


def _ethtool_kind(name: str) -> Optional[str]:
    group, _, option = name.partition("-")
    if group == "feature" and option in NM_FEATURES:
        return "b"
    if group == "pause" and option in PAUSE:
        return "b"
    if group == "ring" and option in RINGS:
        return "i"
    if group == "coalesce" and option in COALESCE:
        return "i"
    return None


def _rule_summary(rule: RoutingRule) -> str:
    parts = []
    if rule.priority is not None:
        parts.append(f"priority {rule.priority}")
    if rule.source_prefix:
        parts.append(f"from {rule.source_prefix}")
    if rule.destination_prefix:
        parts.append(f"to {rule.destination_prefix}")
    parts.append(f"table {rule.table}" if rule.action == "table" else rule.action)
    return "'" + " ".join(parts) + "'"


def profiles(host: HostConfig) -> tuple[tuple[Profile, ...], tuple[Finding, ...]]:
    """Every NetworkManager profile of the host, in model order, and what could not be kept."""
    return _Builder(host).build()


def nm_bond_refusals(mode: str, options: Mapping[str, str]) -> list[tuple[str, str]]:
    """Options NetworkManager 1.42's ``verify()`` refuses in this combination, with the reason.

    Checked in order, each on what the earlier checks left, as ``verify()`` does;
    the nmstate emitter applies the same rules (nmstate fails where NetworkManager would).
    """
    left = dict(options)
    out: list[tuple[str, str]] = []

    def number(name: str, default: int) -> int:
        text = left.get(name)
        return int(text) if text is not None and text.isdigit() else default

    def refuse(name: str, why: str) -> None:
        if name in left:
            del left[name]
            out.append((name, why))

    if mode not in ("active-backup", "balance-tlb", "balance-alb"):
        refuse("primary", f"has no effect in mode {mode}")
    if mode != "802.3ad" and left.get("lacp_rate") not in (None, "slow", "0"):
        refuse("lacp_rate", f"has no effect in mode {mode}")
    if mode in ("balance-tlb", "balance-alb") and number("arp_interval", 0) > 0:
        refuse("arp_interval", f"is refused in mode {mode}")
    if number("arp_interval", 0) > 0 and "arp_ip_target" not in left:
        refuse("arp_interval", "has no effect without arp_ip_target")
    if "arp_ip_target" in left and number("arp_interval", 0) == 0:
        refuse("arp_ip_target", "has no effect without arp_interval")
    if "num_grat_arp" in left and "num_unsol_na" in left and left["num_grat_arp"] != left["num_unsol_na"]:
        refuse("num_unsol_na", f"is the kernel's alias of num_grat_arp={left['num_grat_arp']}; "
                               "NetworkManager wants them equal")
    miimon = number("miimon", 100)
    if miimon == 0:
        for name in ("updelay", "downdelay"):
            if number(name, 0) > 0:
                refuse(name, "has no effect without miimon")
    if number("arp_interval", 0) == 0 and number("peer_notif_delay", 0) > 0 and (
            miimon == 0 or number("peer_notif_delay", 0) % miimon):
        refuse("peer_notif_delay", "must be a multiple of miimon for NetworkManager")
    return out
