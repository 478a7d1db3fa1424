"""VDSM persisted JSON → canonical :class:`VdsmNetwork` / :class:`VdsmBond`.

Canonicalization follows VDSM ≥ 4.20 (spec/vdsm-formats.md §2.4/§2.5): defaults
applied, legacy types converted (string ``mtu``/``vlan``, ``bridged: "true"``,
``STP``, ``defaultRoute: "True"``, ``prefix`` → ``netmask``), volatile keys
dropped. Every conversion that changes meaning is reported with the JSON
member's file:line, and severity is ``error`` only when the network would be
lost or come up wrong.

Policies where VDSM's own behaviour is a quirk (spec §7: "make the quirks
opt-in rather than silent"):

* **Bare IPv6 address** (``ipv6addr`` without ``/len``): ``/64``, what
  initscripts applied on the ifcfg-era host being migrated; VDSM ≥ 4.40 would
  canonicalize it to ``/128`` (no on-link prefix route). Reported either way;
  callers may pass ``bare_ipv6_prefix=128`` for VDSM's behaviour.
* **``bridged: "yes"``** (or ``"on"``, ``"y"``): read as **False**, exactly as
  VDSM's ``tobool`` did, both when the network was created and at every
  restore. The host therefore ran the network bridgeless, and migrating must not
  change its topology. A warning says the author probably meant true, so the
  operator can fix the JSON deliberately.
* **Upper-case ifcfg keys** (``IPADDR``, ``NETMASK``, ``PREFIX``, ``GATEWAY``,
  ``BOOTPROTO``, ``DEFROUTE``, ``MTU``, ``IPV6ADDR`` …, ``DNS1..3``, ``STP``):
  mapped to their lower-case meaning when the lower-case key is absent
  (pre-4.18 VDSM wrote them into the ifcfg files, so initscripts applied them;
  netupgrade would have dropped them instead). With the lower-case key present,
  or without a meaning in VDSM's model (``UUID``, ``NAME``, ``PEERDNS`` …), they
  are dropped with a warning.
* **Missing ``defaultRoute``**: ``name in ("ovirtmgmt", "rhevm")``, as
  netupgrade filled it in, reported as info.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model.bonding import format_bond_options, parse_bond_options, valid_ifname
from ifcfg2nm.model.host import Pairs, VdsmBond, VdsmNetwork
from ifcfg2nm.parser.documents import PersistedFile
from ifcfg2nm.parser.netconf import PersistedConfig
from ifcfg2nm.parser.resolv import ResolvConf

BARE_IPV6_PREFIX = 64
"""Prefix length given to an ``ipv6addr`` without one (see the module docstring)."""

DEFAULT_ROUTE_NAMES = ("ovirtmgmt", "rhevm")
MAX_NAMESERVERS = 3

# --- finding codes -------------------------------------------------------------------------

VDSM_NETWORK_SKIPPED = define(
    "VDSM_NETWORK_SKIPPED", Severity.ERROR, "persisted network cannot be used",
    "VDSM would have refused this network too; fix the persisted JSON before migrating.",
)
VDSM_BAD_NAME = define(
    "VDSM_BAD_NAME", Severity.ERROR, "invalid interface or network name",
    "Interface names are 1-15 bytes without '/', ':' or whitespace; bridge (network) names "
    "also without '.'.",
)
VDSM_BAD_VALUE = define(
    "VDSM_BAD_VALUE", Severity.ERROR, "invalid value in a persisted network",
    "VDSM would have rejected the value; the attribute is not applied.",
)
VDSM_BAD_ADDRESS = define(
    "VDSM_BAD_ADDRESS", Severity.ERROR, "invalid address, netmask or gateway",
    "Fix the address in the persisted JSON; it is not applied.",
)
VDSM_LEGACY_VALUE = define(
    "VDSM_LEGACY_VALUE", Severity.INFO, "legacy value type converted to the canonical one",
    "Older VDSM stored this as a string; the meaning is unchanged.",
)
VDSM_BRIDGED_NOT_TRUE = define(
    "VDSM_BRIDGED_NOT_TRUE", Severity.WARNING, "bridged is a word VDSM reads as false",
    "VDSM's tobool() accepts only true/false and numbers; the network ran bridgeless. "
    "Set \"bridged\": true in the JSON if a bridge was meant.",
)
VDSM_UPPERCASE_MAPPED = define(
    "VDSM_UPPERCASE_MAPPED", Severity.INFO, "upper-case ifcfg key mapped to its VDSM attribute",
    "Pre-4.18 VDSM passed such keys through to the ifcfg files, where initscripts applied them.",
)
VDSM_UPPERCASE_DROPPED = define(
    "VDSM_UPPERCASE_DROPPED", Severity.WARNING, "upper-case ifcfg key dropped",
    "The key has no meaning in VDSM's network model or is overridden by the lower-case one.",
)
VDSM_KEY_DROPPED = define(
    "VDSM_KEY_DROPPED", Severity.INFO, "volatile or obsolete key dropped",
    "VDSM itself drops this key (blockingdhcp, bondingOptions, API call parameters).",
)
VDSM_UNKNOWN_KEY = define(
    "VDSM_UNKNOWN_KEY", Severity.WARNING, "unknown key in a persisted network or bond",
    "Kept for the audit but not applied; remove it or check which tool wrote it.",
)
VDSM_QOS_OUTBOUND = define(
    "VDSM_QOS_OUTBOUND", Severity.WARNING, "legacy qosOutbound converted to hostQos",
    "libvirt average/peak (KiB/s) became hostQos out.ls.m2/out.ul.m2 (bit/s); check the rates.",
)
VDSM_PREFIX_IGNORED = define(
    "VDSM_PREFIX_IGNORED", Severity.WARNING, "falsy prefix ignored",
    "VDSM silently ignores prefix 0 or \"\"; the network has no netmask from it.",
)
VDSM_PREFIX_AND_NETMASK = define(
    "VDSM_PREFIX_AND_NETMASK", Severity.ERROR, "both prefix and netmask given",
    "VDSM refuses this network; keep only one of them.",
)
VDSM_IPV6_PREFIX_CHOSEN = define(
    "VDSM_IPV6_PREFIX_CHOSEN", Severity.WARNING, "IPv6 address without prefix length",
    "initscripts used /64 and VDSM >= 4.40 uses /128; the chosen length is stated in the message.",
)
VDSM_IP_CONFLICT = define(
    "VDSM_IP_CONFLICT", Severity.WARNING, "static and dynamic addressing both requested",
    "The static address wins, as in VDSM's ifcfg writer and nmstate translation.",
)
VDSM_DEFAULT_ROUTE_INFERRED = define(
    "VDSM_DEFAULT_ROUTE_INFERRED", Severity.INFO, "defaultRoute missing, inferred from the name",
    "netupgrade set defaultRoute = name in (ovirtmgmt, rhevm) where it was missing.",
)
VDSM_DEFAULT_ROUTE_CUSTOM = define(
    "VDSM_DEFAULT_ROUTE_CUSTOM", Severity.INFO, "custom.default_route overrides defaultRoute",
    "The deprecated custom property still decides, as in VDSM's canonicalization.",
)
VDSM_TWO_DEFAULT_ROUTES = define(
    "VDSM_TWO_DEFAULT_ROUTES", Severity.ERROR, "more than one default-route network",
    "VDSM keeps a single default-route network; set defaultRoute false on all but one.",
)
VDSM_NAMESERVERS_TRUNCATED = define(
    "VDSM_NAMESERVERS_TRUNCATED", Severity.WARNING, "more than three name servers",
    "Only the first three are used, as by VDSM and the resolver.",
)
VDSM_NAMESERVERS_MISSING = define(
    "VDSM_NAMESERVERS_MISSING", Severity.WARNING,
    "static default-route network without nameservers",
    "VDSM took /etc/resolv.conf at setup time, and the host's has none; without the key DNS would be cleared. "
    "Add \"nameservers\" to the JSON.",
)
VDSM_NAMESERVERS_FROM_HOST = define(
    "VDSM_NAMESERVERS_FROM_HOST", Severity.INFO,
    "a static default-route network persisted without nameservers takes the host's resolv.conf servers",
    "Nothing to do: VDSM's canonicalization did the same at setup time. Add \"nameservers\" to the JSON "
    "to decide explicitly.",
)
VDSM_NAMESERVERS_UNUSED = define(
    "VDSM_NAMESERVERS_UNUSED", Severity.INFO, "name servers on a non-default-route network",
    "VDSM applies only the default-route network's name servers.",
)
VDSM_UNTAGGED_CONFLICT = define(
    "VDSM_UNTAGGED_CONFLICT", Severity.ERROR, "two networks on the same device and VLAN",
    "A NIC or bond carries at most one untagged network and one network per VLAN id.",
)
VDSM_DEVICE_CONFLICT = define(
    "VDSM_DEVICE_CONFLICT", Severity.ERROR, "a device is used in two incompatible roles",
    "A NIC is either a bond port or carries networks itself, and belongs to one bond only.",
)
VDSM_SWITCH_MIX = define(
    "VDSM_SWITCH_MIX", Severity.ERROR, "legacy and OVS networks share a device",
    "VDSM cannot mix linux-bridge and OVS networks on one NIC or bond.",
)
VDSM_BOND_NO_NICS = define(
    "VDSM_BOND_NO_NICS", Severity.ERROR, "persisted bond has no NICs",
    "VDSM skips such a bond and every network on it at restore.",
)
VDSM_SRIOV_NUMVFS = define(
    "VDSM_SRIOV_NUMVFS", Severity.INFO, "SR-IOV VF count persisted for a PF",
    "The number of VFs is restored by ifcfg2nm's upgrade before the networks, not by a "
    "NetworkManager profile.",
)

_UPPERCASE = re.compile(r"^[A-Z0-9_]+$")
_TAP = re.compile(r"^(vnet|tap)[0-9]+$")

KNOWN_NET_KEYS = frozenset({
    "nic", "bonding", "vlan", "bridged", "stp", "mtu", "bootproto", "ipaddr", "netmask",
    "prefix", "gateway", "dhcpv6", "ipv6autoconf", "ipv6addr", "ipv6gateway", "defaultRoute",
    "nameservers", "switch", "custom", "hostQos",
})
DROPPED_NET_KEYS = {
    "blockingdhcp": "volatile DHCP blocking flag (stripped by VDSM on read and write)",
    "bondingOptions": "ignored by VDSM since 4.16.20; bond options live in bonds/",
    "force": "setupNetworks call parameter",
    "implicitBonding": "setupNetworks call parameter",
    "connectivityCheck": "setupNetworks call parameter",
    "connectivityTimeout": "setupNetworks call parameter",
    "configurator": "internal VDSM parameter",
    "_netinfo": "internal VDSM parameter",
    "onboot": "pre-4.14 API parameter (VDSM forced ONBOOT=yes)",
    "delay": "pre-4.14 API parameter (bridge DELAY was always 0)",
    "forward_delay": "pre-4.14 API parameter",
    "qosInbound": "libvirt-era inbound QoS with no counterpart",
}
_NET_ATTRIBUTES = (
    "nic", "bonding", "vlan", "bridged", "stp", "mtu", "bootproto", "ipaddr", "netmask",
    "gateway", "ipv6addr", "ipv6gateway", "ipv6autoconf", "dhcpv6", "defaultRoute", "nameservers",
    "switch", "hostQos",
)
KNOWN_BOND_KEYS = frozenset({"nics", "options", "switch", "hwaddr"})


# Upper-case (ifcfg pass-through) key → the lower-case attribute it means.
_UPPER_MAP: Mapping[str, str] = {
    "IPADDR": "ipaddr", "IPADDR0": "ipaddr", "NETMASK": "netmask", "NETMASK0": "netmask",
    "PREFIX": "prefix", "PREFIX0": "prefix", "GATEWAY": "gateway", "GATEWAY0": "gateway",
    "BOOTPROTO": "bootproto", "DEFROUTE": "defaultRoute", "MTU": "mtu",
    "IPV6ADDR": "ipv6addr", "IPV6_DEFAULTGW": "ipv6gateway", "DHCPV6C": "dhcpv6",
    "IPV6_AUTOCONF": "ipv6autoconf",
}
_UPPER_BOOL = frozenset({"DEFROUTE", "DHCPV6C", "IPV6_AUTOCONF"})
_TRUE_WORDS = frozenset({"y", "yes", "t", "true", "on", "1"})
_FALSE_WORDS = frozenset({"n", "no", "f", "false", "off", "0"})


@dataclass(frozen=True)
class VdsmDevice:
    """A ``devices/<ifname>`` entry: the SR-IOV VF count of a PF."""

    name: str
    """The PF's interface name (a PCI address for pre-4.30 ``virtual_functions/`` entries)."""
    numvfs: int
    source: Position = field(default_factory=lambda: Position(""))


@dataclass(frozen=True)
class CanonicalConfig:
    """A whole persisted config in canonical form, sorted by name, with every finding."""

    networks: tuple[VdsmNetwork, ...] = ()
    bonds: tuple[VdsmBond, ...] = ()
    devices: tuple[VdsmDevice, ...] = ()
    findings: tuple[Finding, ...] = field(default=(), compare=False)


def canonicalize_config(
    config: PersistedConfig, *, bare_ipv6_prefix: int = BARE_IPV6_PREFIX, resolv: Optional[ResolvConf] = None
) -> CanonicalConfig:
    """Canonicalize every entity of a config and check the networks against each other.

    ``resolv`` is the host's resolv.conf: VDSM gave its servers to a static
    default-route network persisted without ``nameservers``.
    """
    findings: list[Finding] = []
    networks: list[VdsmNetwork] = []
    bonds: list[VdsmBond] = []
    devices: list[VdsmDevice] = []
    for doc in config.nets:
        net, found = canonicalize_network(doc, bare_ipv6_prefix=bare_ipv6_prefix, resolv=resolv)
        findings.extend(found)
        if net is not None:
            networks.append(net)
    for doc in config.bonds:
        bond, found = canonicalize_bond(doc)
        findings.extend(found)
        if bond is not None:
            bonds.append(bond)
    for doc in config.devices:
        device, found = canonicalize_device(doc)
        findings.extend(found)
        if device is not None:
            devices.append(device)
    networks.sort(key=lambda n: n.name)
    bonds.sort(key=lambda b: b.name)
    findings.extend(validate_networks(networks, bonds))
    return CanonicalConfig(tuple(networks), tuple(bonds), tuple(devices), tuple(findings))


class _Reader:
    """Collects findings and positions while one entity is canonicalized."""

    def __init__(self, doc: PersistedFile) -> None:
        self.doc = doc
        self.findings: list[Finding] = []
        self.origin: dict[str, tuple[str, ...]] = {}
        """Canonical key → JSON key path it was read from."""

    def pos(self, key: str) -> Position:
        path = self.origin.get(key, tuple(key.split(".")))
        return self.doc.position_of(*path)

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def positions(self, keys: Iterable[str]) -> tuple[tuple[str, Position], ...]:
        return tuple((k, self.pos(k)) for k in sorted(set(keys)))


def canonicalize_network(
    doc: PersistedFile, *, bare_ipv6_prefix: int = BARE_IPV6_PREFIX, resolv: Optional[ResolvConf] = None
) -> tuple[Optional[VdsmNetwork], tuple[Finding, ...]]:
    """One ``nets/<name>`` file in canonical form, or None when VDSM could not use it."""
    r = _Reader(doc)
    if not isinstance(doc.value, dict):
        return None, ()  # the parser already reported why
    name = doc.name
    data: dict[str, Any] = dict(doc.value)
    _map_uppercase(data, r)
    extras = _drop_unknown(data, r)

    def skip(message: str, key: str = "") -> tuple[Optional[VdsmNetwork], tuple[Finding, ...]]:
        r.add(VDSM_NETWORK_SKIPPED(r.pos(key) if key else Position(doc.path),
                                   f"network {name}: {message}"))
        return None, tuple(r.findings)

    # southbound
    nic = data.get("nic")
    bonding = data.get("bonding")
    for key, value in (("nic", nic), ("bonding", bonding)):
        if value is not None and not isinstance(value, str):
            return skip(f"{key} must be a string, not {json.dumps(value)}", key)
    if nic == "":
        r.add(VDSM_LEGACY_VALUE(r.pos("nic"), f"network {name}: empty nic means no NIC"))
        nic = None
    if bonding == "":
        bonding = None
    if nic is not None and bonding is not None:
        return skip("both nic and bonding are set; VDSM requires exactly one", "bonding")
    for key, device in (("nic", nic), ("bonding", bonding)):
        if device is not None and not valid_ifname(device):
            r.add(VDSM_BAD_NAME(r.pos(key), f"network {name}: {key} {device!r} is not a valid "
                                            "interface name"))
            return skip(f"invalid {key} name", key)
    if nic is not None and _TAP.match(nic):
        return skip(f"nic {nic!r} is a VM tap device (a VDSM 4.14 upgrade bug recorded it); the "
                    "real NIC is unknown", "nic")
    southbound = nic or bonding

    bridged = _read_bridged(data, r, name)
    switch = _read_switch(data, r, name)
    if switch is None:
        return skip("unknown switch type", "switch")
    if southbound is None and not bridged:
        return skip("a bridgeless network needs a nic or bonding")

    vlan = _read_vlan(data, r, name)
    if vlan == "bad":
        return skip("invalid vlan", "vlan")
    vlan_id = vlan if isinstance(vlan, int) else None
    if vlan_id is not None and southbound is None:
        return skip("a VLAN needs a nic or bonding", "vlan")
    vlan_device = f"{southbound}.{vlan_id}"
    if vlan_id is not None and not valid_ifname(vlan_device):
        r.add(VDSM_BAD_NAME(r.pos("vlan"), f"network {name}: VLAN device {vlan_device} is longer "
                                           "than 15 bytes"))
        return skip("VLAN device name too long", "vlan")

    if (bridged or switch == "ovs") and not _valid_bridge_name(name):
        r.add(VDSM_BAD_NAME(Position(doc.path), f"network {name!r} names a bridge or OVS "
                            "interface and must be 1-15 bytes without '.', ':', '/', whitespace "
                            "or a leading '-'"))
        return skip("invalid bridge name")

    stp = _read_stp(data, r, name, bridged)
    mtu = _read_mtu(data, r, name)
    bootproto = _read_bootproto(data, r, name)
    ipaddr, netmask, gateway, bootproto = _read_ipv4(data, r, name, bootproto)
    ipv6addr, ipv6gateway, dhcpv6, autoconf = _read_ipv6(data, r, name, bare_ipv6_prefix)
    custom = _read_custom(data, r, name)
    default_route = _read_default_route(data, r, name, custom)
    nameservers = _read_nameservers(data, r, name, default_route, bootproto, resolv)
    host_qos = _read_host_qos(data, r, name)

    keys: list[str] = [k for k in _NET_ATTRIBUTES if k in data or k in r.origin]
    keys += [f"custom.{k}" for k, _ in custom]
    keys += [k for k, _ in extras]
    network = VdsmNetwork(
        name=name, nic=nic, bonding=bonding, vlan=vlan_id, bridged=bridged,
        stp=stp, mtu=mtu, bootproto=bootproto, ipaddr=ipaddr, netmask=netmask, gateway=gateway,
        ipv6addr=ipv6addr, ipv6gateway=ipv6gateway, ipv6autoconf=autoconf, dhcpv6=dhcpv6,
        default_route=default_route, nameservers=nameservers, switch=switch, custom=custom,
        source=Position(doc.path), host_qos=host_qos, extras=extras,
        positions=r.positions(keys),
    )
    return network, tuple(r.findings)


# --- network attribute readers ----------------------------------------------------------------


def _map_uppercase(data: dict[str, Any], r: _Reader) -> None:
    """Upper-case (ifcfg pass-through) keys → lower-case attributes; the rest dropped."""
    name = r.doc.name
    dns: list[tuple[int, str, str]] = []
    for key in list(data):
        if not _UPPERCASE.match(key) or key == "STP":
            continue  # STP is VDSM's own legacy spelling, handled with stp
        value = data.pop(key)
        text = value if isinstance(value, str) else json.dumps(value)
        dns_match = re.fullmatch(r"DNS([1-9])", key)
        if dns_match:
            dns.append((int(dns_match.group(1)), key, text))
            continue
        target = _UPPER_MAP.get(key)
        if target is None:
            if key in ("BONDING_OPTS",):
                r.add(VDSM_KEY_DROPPED(r.doc.position_of(key), f"network {name}: {key} dropped "
                                                               "(bond options live in bonds/)"))
                continue
            r.add(VDSM_UPPERCASE_DROPPED(r.doc.position_of(key),
                                         f"network {name}: {key}={text!r} has no meaning in "
                                         "VDSM's network model; dropped"))
            continue
        if target in data:
            r.add(VDSM_UPPERCASE_DROPPED(r.doc.position_of(key),
                                         f"network {name}: {key}={text!r} dropped; {target} is "
                                         "set"))
            continue
        converted: Any = text
        if key in _UPPER_BOOL:
            word = text.strip().lower()
            if word not in _TRUE_WORDS | _FALSE_WORDS:
                r.add(VDSM_UPPERCASE_DROPPED(r.doc.position_of(key),
                                             f"network {name}: {key}={text!r} is not a boolean; "
                                             "dropped"))
                continue
            converted = word in _TRUE_WORDS
        elif key == "BOOTPROTO":
            word = text.strip().lower()
            converted = "dhcp" if word in ("dhcp", "bootp") else "none" if word in (
                "", "none", "static") else text
        data[target] = converted
        r.origin[target] = (key,)
        r.add(VDSM_UPPERCASE_MAPPED(r.doc.position_of(key),
                                    f"network {name}: {key}={text!r} read as {target}"))
    if dns:
        dns.sort()
        if "nameservers" in data:
            for _, key, text in dns:
                r.add(VDSM_UPPERCASE_DROPPED(r.doc.position_of(key),
                                             f"network {name}: {key}={text!r} dropped; "
                                             "nameservers is set"))
        else:
            data["nameservers"] = [text for _, _, text in dns]
            r.origin["nameservers"] = (dns[0][1],)
            r.add(VDSM_UPPERCASE_MAPPED(r.doc.position_of(dns[0][1]),
                                        f"network {name}: {', '.join(k for _, k, _ in dns)} read "
                                        "as nameservers"))


def _drop_unknown(data: dict[str, Any], r: _Reader) -> Pairs:
    extras: list[tuple[str, str]] = []
    for key in list(data):
        if key in KNOWN_NET_KEYS or key == "STP":
            continue
        if key == "qosOutbound":
            continue  # converted by _read_host_qos
        value = data.pop(key)
        if key in DROPPED_NET_KEYS:
            why = DROPPED_NET_KEYS[key]
            r.add(VDSM_KEY_DROPPED(r.doc.position_of(key),
                                   f"network {r.doc.name}: {key} dropped ({why})"))
            continue
        r.add(VDSM_UNKNOWN_KEY(r.doc.position_of(key),
                               f"network {r.doc.name}: unknown key {key!r} kept but not applied"))
        extras.append((key, json.dumps(value, sort_keys=True)))
    return tuple(sorted(extras))


def vdsm_tobool(value: Any) -> bool:
    """VDSM's ``conv.tobool``: True, ``"true"`` (any case) and non-zero number strings."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return False  # VDSM's bare except turned the AttributeError into False
    if value.lower() == "true":
        return True
    try:
        return bool(int(value))
    except ValueError:
        return False


def _read_bridged(data: dict[str, Any], r: _Reader, name: str) -> bool:
    if "bridged" not in data:
        return True
    value = data["bridged"]
    result = vdsm_tobool(value)
    if isinstance(value, bool):
        return result
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS and not result:
        r.add(VDSM_BRIDGED_NOT_TRUE(r.pos("bridged"),
                                    f"network {name}: bridged {value!r} is read as false, as VDSM "
                                    "did; the network stays bridgeless"))
    elif isinstance(value, str) and value.strip().lower() in ("true", "false", "0", "1"):
        r.add(VDSM_LEGACY_VALUE(r.pos("bridged"),
                                f"network {name}: bridged {value!r} read as {str(result).lower()}"))
    else:
        r.add(VDSM_BRIDGED_NOT_TRUE(r.pos("bridged"),
                                    f"network {name}: bridged {json.dumps(value)} is read as "
                                    f"{str(result).lower()}, as VDSM's tobool did"))
    return result


def _read_switch(data: dict[str, Any], r: _Reader, name: str) -> Optional[str]:
    custom = data.get("custom")
    if isinstance(custom, dict) and vdsm_tobool(custom.get("ovs")):
        return "ovs"
    value = data.get("switch", "legacy")
    if value in ("legacy", "ovs"):
        return str(value)
    r.add(VDSM_BAD_VALUE(r.pos("switch"),
                         f"network {name}: switch {json.dumps(value)} is not legacy or ovs"))
    return None


def _read_vlan(data: dict[str, Any], r: _Reader, name: str) -> Any:
    """The VLAN id, None for none, or ``"bad"``."""
    value = data.get("vlan")
    if value is None or value == "":
        return None
    number: Optional[int] = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        number = int(value)
        r.add(VDSM_LEGACY_VALUE(r.pos("vlan"), f"network {name}: vlan {value!r} read as {number}"))
    if number is None or not 0 <= number <= 4094:
        r.add(VDSM_BAD_VALUE(r.pos("vlan"),
                             f"network {name}: vlan {json.dumps(value)} is not an id in 0-4094"))
        return "bad"
    return number


def _valid_bridge_name(name: str) -> bool:
    return valid_ifname(name) and not any(c in name for c in ".:") and not name.startswith("-")


_STP_WORDS = {"true": True, "on": True, "yes": True, "false": False, "off": False, "no": False}


def _read_stp(data: dict[str, Any], r: _Reader, name: str, bridged: bool) -> bool:
    key = "stp" if "stp" in data else "STP" if "STP" in data else None
    if key is None:
        return False
    if not bridged:
        r.add(VDSM_KEY_DROPPED(r.doc.position_of(key),
                               f"network {name}: {key} ignored on a bridgeless network"))
        return False
    if key == "stp" and "STP" in data:
        r.add(VDSM_UPPERCASE_DROPPED(r.doc.position_of("STP"),
                                     f"network {name}: STP dropped; stp is set"))
    value = data[key]
    r.origin["stp"] = (key,)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _STP_WORDS:
        result = _STP_WORDS[value.strip().lower()]
        r.add(VDSM_LEGACY_VALUE(r.pos("stp"), f"network {name}: {key} {value!r} read as "
                                              f"stp {str(result).lower()}"))
        return result
    r.add(VDSM_BAD_VALUE(r.pos("stp"), f"network {name}: {key} {json.dumps(value)} is not an STP "
                                       "value VDSM accepts (on/off, yes/no, true/false); STP off"))
    return False


def _read_int(value: Any) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value):
        return int(value)
    return None


def _read_mtu(data: dict[str, Any], r: _Reader, name: str) -> int:
    if "mtu" not in data:
        return 1500
    value = data["mtu"]
    mtu = _read_int(value)
    if mtu is None or not 68 <= mtu <= 65535:
        r.add(VDSM_BAD_VALUE(r.pos("mtu"), f"network {name}: mtu {json.dumps(value)} is not "
                                           "68-65535; 1500 used"))
        return 1500
    if not isinstance(value, int):
        r.add(VDSM_LEGACY_VALUE(r.pos("mtu"), f"network {name}: mtu {value!r} read as {mtu}"))
    return mtu


def _read_bootproto(data: dict[str, Any], r: _Reader, name: str) -> str:
    value = data.get("bootproto", "none")
    if value in ("none", "dhcp"):
        return str(value)
    if isinstance(value, str) and value.lower() in ("static", "", "none"):
        r.add(VDSM_LEGACY_VALUE(r.pos("bootproto"), f"network {name}: bootproto {value!r} read "
                                                    "as none"))
        return "none"
    if isinstance(value, str) and value.lower() in ("dhcp", "bootp"):
        r.add(VDSM_LEGACY_VALUE(r.pos("bootproto"), f"network {name}: bootproto {value!r} read "
                                                    "as dhcp"))
        return "dhcp"
    r.add(VDSM_BAD_VALUE(r.pos("bootproto"), f"network {name}: bootproto {json.dumps(value)} is "
                                             "not none or dhcp; none used"))
    return "none"


def _ipv4(value: Any) -> Optional[str]:
    return _ipv4_text(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=4096)
def _ipv4_text(value: str) -> Optional[str]:
    """Cached: the same addresses come back in the persistent and running configs."""
    try:
        return str(ipaddress.IPv4Address(value.strip()))
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def netmask_prefix(netmask: str) -> Optional[int]:
    """The prefix length of a contiguous dotted netmask, else None."""
    try:
        bits = int(ipaddress.IPv4Address(netmask))
    except ValueError:
        return None
    inverted = bits ^ 0xFFFFFFFF
    if inverted & (inverted + 1):
        return None
    return 32 - inverted.bit_length()


def _read_ipv4(
    data: dict[str, Any], r: _Reader, name: str, bootproto: str
) -> tuple[Optional[str], Optional[str], Optional[str], str]:
    netmask: Optional[str] = None
    if "prefix" in data:
        prefix = data["prefix"]
        if prefix == 0 or prefix == "" or prefix is None or prefix is False:
            r.add(VDSM_PREFIX_IGNORED(
                r.pos("prefix"),
                f"network {name}: prefix {json.dumps(prefix)} ignored, as VDSM did"))
        elif "netmask" in data:
            r.add(VDSM_PREFIX_AND_NETMASK(
                r.pos("prefix"),
                f"network {name}: prefix {json.dumps(prefix)} and netmask both given; "
                "netmask used"))
        else:
            length = _read_int(prefix)
            if length is None or not 0 <= length <= 32:
                r.add(VDSM_BAD_ADDRESS(r.pos("prefix"), f"network {name}: prefix "
                                                        f"{json.dumps(prefix)} is not 0-32"))
            else:
                netmask = str(ipaddress.IPv4Network(f"0.0.0.0/{length}").netmask)
                r.origin["netmask"] = r.origin.get("prefix", ("prefix",))
                r.add(VDSM_LEGACY_VALUE(r.pos("prefix"), f"network {name}: prefix "
                                                         f"{json.dumps(prefix)} read as netmask "
                                                         f"{netmask}"))
    # VDSM tested the address and netmask for truth (``if address:``), so "" means none (pre-4.18
    # JSON kept the API call's arguments as given, empty strings included)
    if "netmask" in data and data["netmask"] not in (None, ""):
        raw = data["netmask"]
        netmask = _ipv4(raw)
        if netmask is None or netmask_prefix(netmask) is None:
            r.add(VDSM_BAD_ADDRESS(
                r.pos("netmask"),
                f"network {name}: netmask {json.dumps(raw)} is not a contiguous dotted netmask"))
            netmask = None
    ipaddr: Optional[str] = None
    if "ipaddr" in data and data["ipaddr"] not in (None, ""):
        raw = data["ipaddr"]
        ipaddr = _ipv4(raw)
        if ipaddr is None:
            r.add(VDSM_BAD_ADDRESS(r.pos("ipaddr"), f"network {name}: ipaddr {json.dumps(raw)} is "
                                                    "not an IPv4 address"))
        elif ipaddr == "0.0.0.0":
            ipaddr = None
    if ipaddr is not None and netmask is None:
        r.add(VDSM_BAD_ADDRESS(r.pos("ipaddr"), f"network {name}: ipaddr {ipaddr} has no valid "
                                                "netmask; the address is not applied"))
        ipaddr = None
    elif ipaddr is None:
        netmask = None
    gateway: Optional[str] = None
    if "gateway" in data and data["gateway"] not in (None, ""):
        raw = data["gateway"]
        gateway = _ipv4(raw)
        if gateway is None:
            r.add(VDSM_BAD_ADDRESS(r.pos("gateway"), f"network {name}: gateway {json.dumps(raw)} "
                                                     "is not an IPv4 address"))
        elif gateway == "0.0.0.0":
            gateway = None
    if ipaddr is not None and bootproto == "dhcp":
        r.add(VDSM_IP_CONFLICT(r.pos("bootproto"), f"network {name}: bootproto dhcp and ipaddr "
                                                   f"{ipaddr}; the static address is used"))
        bootproto = "none"
    if gateway is not None and ipaddr is None:
        r.add(VDSM_BAD_VALUE(r.pos("gateway"), f"network {name}: gateway {gateway} without a "
                                               "static address is ignored",
                             severity=Severity.WARNING))
        gateway = None
    return ipaddr, netmask, gateway, bootproto


def _read_bool(data: dict[str, Any], r: _Reader, name: str, key: str) -> bool:
    value = data.get(key, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        result = value.strip().lower() in _TRUE_WORDS
        r.add(VDSM_LEGACY_VALUE(r.pos(key), f"network {name}: {key} {value!r} read as "
                                            f"{str(result).lower()}"))
        return result
    if isinstance(value, int) and value in (0, 1):
        r.add(VDSM_LEGACY_VALUE(r.pos(key), f"network {name}: {key} {value} read as "
                                            f"{str(bool(value)).lower()}"))
        return bool(value)
    r.add(VDSM_BAD_VALUE(r.pos(key), f"network {name}: {key} {json.dumps(value)} is not a "
                                     "boolean; false used"))
    return False


def _read_ipv6(
    data: dict[str, Any], r: _Reader, name: str, bare_prefix: int
) -> tuple[Optional[str], Optional[str], bool, bool]:
    dhcpv6 = _read_bool(data, r, name, "dhcpv6")
    autoconf = _read_bool(data, r, name, "ipv6autoconf")
    address: Optional[str] = None
    raw = data.get("ipv6addr")
    if isinstance(raw, list):
        if raw:
            r.add(VDSM_BAD_VALUE(r.pos("ipv6addr"), f"network {name}: ipv6addr is a list; only "
                                                    f"{raw[0]!r} is used",
                                 severity=Severity.WARNING))
            raw = raw[0]
        else:
            raw = None
    if raw not in (None, ""):
        try:
            if not isinstance(raw, str):
                raise ValueError(raw)
            text = raw.strip()
            if "/" not in text:
                ipaddress.IPv6Address(text)
                why = ("as initscripts did; VDSM >= 4.40 would use /128" if bare_prefix == 64
                       else "as VDSM >= 4.40 does; initscripts used /64")
                r.add(VDSM_IPV6_PREFIX_CHOSEN(
                    r.pos("ipv6addr"),
                    f"network {name}: ipv6addr {text} has no prefix length; /{bare_prefix} used "
                    f"({why})"))
                text = f"{text}/{bare_prefix}"
            iface = ipaddress.IPv6Interface(text)
            address = f"{iface.ip.compressed}/{iface.network.prefixlen}"
            if address != raw:
                r.add(VDSM_LEGACY_VALUE(r.pos("ipv6addr"), f"network {name}: ipv6addr {raw!r} "
                                                           f"written as {address}"))
        except ValueError:
            r.add(VDSM_BAD_ADDRESS(r.pos("ipv6addr"), f"network {name}: ipv6addr "
                                                      f"{json.dumps(raw)} is not an IPv6 address"))
    gateway: Optional[str] = None
    raw_gw = data.get("ipv6gateway")
    if raw_gw not in (None, "", "::"):
        try:
            if not isinstance(raw_gw, str):
                raise ValueError(raw_gw)
            gateway = ipaddress.IPv6Address(raw_gw.strip()).compressed
        except ValueError:
            r.add(VDSM_BAD_ADDRESS(r.pos("ipv6gateway"), f"network {name}: ipv6gateway "
                                                         f"{json.dumps(raw_gw)} is not an IPv6 "
                                                         "address"))
    if address is not None and (dhcpv6 or autoconf):
        r.add(VDSM_IP_CONFLICT(r.pos("ipv6addr"), f"network {name}: static ipv6addr {address} "
                                                  "with dhcpv6/ipv6autoconf; the static address "
                                                  "is used"))
        dhcpv6 = autoconf = False
    return address, gateway, dhcpv6, autoconf


def _read_custom(data: dict[str, Any], r: _Reader, name: str) -> Pairs:
    raw = data.get("custom")
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        r.add(VDSM_BAD_VALUE(r.pos("custom"), f"network {name}: custom {json.dumps(raw)} is not "
                                              "an object; ignored", severity=Severity.WARNING))
        return ()
    out: list[tuple[str, str]] = []
    for key, value in raw.items():
        text = value if isinstance(value, str) else json.dumps(value)
        if key == "bridge_opts":
            text = " ".join(sorted(text.split()))
        out.append((key, text))
    return tuple(sorted(out))


def _read_default_route(data: dict[str, Any], r: _Reader, name: str, custom: Pairs) -> bool:
    override = dict(custom).get("default_route")
    if override is not None:
        result = vdsm_tobool(override)
        r.add(VDSM_DEFAULT_ROUTE_CUSTOM(r.doc.position_of("custom", "default_route"),
                                        f"network {name}: custom.default_route {override!r} sets "
                                        f"defaultRoute {str(result).lower()}"))
        r.origin["defaultRoute"] = ("custom", "default_route")
        return result
    if "defaultRoute" not in data:
        result = name in DEFAULT_ROUTE_NAMES
        r.add(VDSM_DEFAULT_ROUTE_INFERRED(Position(r.doc.path),
                                          f"network {name}: no defaultRoute; "
                                          f"{str(result).lower()} inferred from the name"))
        return result
    value = data["defaultRoute"]
    if isinstance(value, bool):
        return value
    result = vdsm_tobool(value)
    r.add(VDSM_LEGACY_VALUE(r.pos("defaultRoute"), f"network {name}: defaultRoute "
                                                   f"{json.dumps(value)} read as "
                                                   f"{str(result).lower()}"))
    return result


def _read_nameservers(
    data: dict[str, Any], r: _Reader, name: str, default_route: bool, bootproto: str,
    resolv: Optional[ResolvConf],
) -> tuple[str, ...]:
    if "nameservers" not in data:
        if not default_route or bootproto == "dhcp":
            return ()
        if resolv is None or not resolv.nameservers:
            r.add(VDSM_NAMESERVERS_MISSING(Position(r.doc.path),
                                           f"network {name}: default-route network without "
                                           "nameservers, and none in the host's resolv.conf; DNS would be cleared"))
            return ()
        taken = tuple(address for address, _ in resolv.nameservers[:MAX_NAMESERVERS])
        r.add(VDSM_NAMESERVERS_FROM_HOST(Position(resolv.path, resolv.nameservers[0][1]),
                                         f"network {name}: no nameservers in its config; the host's "
                                         f"{', '.join(taken)} are used, as VDSM took them at setup time"))
        return taken
    raw = data["nameservers"]
    if not isinstance(raw, list):
        r.add(VDSM_BAD_VALUE(r.pos("nameservers"), f"network {name}: nameservers "
                                                   f"{json.dumps(raw)} is not a list"))
        return ()
    servers: list[str] = []
    for item in raw:
        try:
            if not isinstance(item, str):
                raise ValueError(item)
            servers.append(ipaddress.ip_address(item.strip()).compressed)
        except ValueError:
            r.add(VDSM_BAD_ADDRESS(r.pos("nameservers"), f"network {name}: name server "
                                                         f"{json.dumps(item)} is not an IP "
                                                         "address; dropped"))
    if len(servers) > MAX_NAMESERVERS:
        r.add(VDSM_NAMESERVERS_TRUNCATED(r.pos("nameservers"),
                                         f"network {name}: {len(servers)} name servers; only "
                                         f"{', '.join(servers[:MAX_NAMESERVERS])} are used"))
        servers = servers[:MAX_NAMESERVERS]
    if servers and not default_route:
        r.add(VDSM_NAMESERVERS_UNUSED(r.pos("nameservers"),
                                      f"network {name}: name servers of a non-default-route "
                                      "network are not applied"))
    return tuple(servers)


def _read_host_qos(data: dict[str, Any], r: _Reader, name: str) -> Pairs:
    qos = data.get("hostQos")
    if qos is None and isinstance(data.get("qosOutbound"), dict):
        old = data["qosOutbound"]
        converted: dict[str, Any] = {}
        average, peak = _read_int(old.get("average")), _read_int(old.get("peak"))
        if average is not None:
            converted["ls"] = {"m2": average * 8 * 1024}
        if peak is not None or average is not None:
            converted["ul"] = {"m2": (peak if peak is not None else average or 0) * 8 * 1024}
        qos = {"out": converted}
        r.origin["hostQos"] = ("qosOutbound",)
        r.add(VDSM_QOS_OUTBOUND(r.doc.position_of("qosOutbound"),
                                f"network {name}: qosOutbound {json.dumps(old, sort_keys=True)} "
                                f"converted to hostQos {json.dumps(qos, sort_keys=True)}"))
    elif "qosOutbound" in data:
        r.add(VDSM_KEY_DROPPED(r.doc.position_of("qosOutbound"),
                               f"network {name}: qosOutbound dropped"
                               + ("; hostQos is set" if qos is not None else "")))
    if qos is None:
        return ()
    if not isinstance(qos, dict):
        r.add(VDSM_BAD_VALUE(r.pos("hostQos"), f"network {name}: hostQos is not an object",
                             severity=Severity.WARNING))
        return ()
    flat: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", qos)]
    while stack:
        prefix, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((f"{prefix}.{k}" if prefix else str(k), v) for k, v in node.items())
        else:
            flat.append((prefix, node if isinstance(node, str) else json.dumps(node)))
    return tuple(sorted(flat))


# --- bonds and devices --------------------------------------------------------------------------


def canonicalize_bond(doc: PersistedFile) -> tuple[Optional[VdsmBond], tuple[Finding, ...]]:
    """One ``bonds/<name>`` file in canonical form (options normalized), or None."""
    r = _Reader(doc)
    if not isinstance(doc.value, dict):
        return None, ()
    name = doc.name
    data = doc.value
    if not valid_ifname(name):
        r.add(VDSM_BAD_NAME(Position(doc.path),
                            f"bond name {name!r} is not a valid interface name"))
        r.add(VDSM_NETWORK_SKIPPED(Position(doc.path), f"bond {name} cannot be created"))
        return None, tuple(r.findings)
    for key in data:
        if key not in KNOWN_BOND_KEYS:
            r.add(VDSM_UNKNOWN_KEY(doc.position_of(key), f"bond {name}: unknown key {key!r} "
                                                         "ignored"))
    nics: list[str] = []
    raw_nics = data.get("nics", [])
    if not isinstance(raw_nics, list):
        r.add(VDSM_BAD_VALUE(r.pos("nics"), f"bond {name}: nics {json.dumps(raw_nics)} is not a "
                                            "list"))
        raw_nics = []
    for nic in raw_nics:
        if not isinstance(nic, str) or not valid_ifname(nic):
            r.add(VDSM_BAD_NAME(r.pos("nics"), f"bond {name}: NIC {json.dumps(nic)} is not a "
                                               "valid interface name; left out"))
        elif nic not in nics:
            nics.append(nic)
    if not nics:
        r.add(VDSM_BOND_NO_NICS(r.pos("nics"), f"bond {name} has no NICs"))
    raw_options = data.get("options", "")
    if not isinstance(raw_options, str):
        r.add(VDSM_BAD_VALUE(r.pos("options"), f"bond {name}: options "
                                               f"{json.dumps(raw_options)} is not a string"))
        raw_options = ""
    settings, found = parse_bond_options(raw_options, r.pos("options"))
    r.findings.extend(found)
    switch = data.get("switch", "legacy")
    if switch not in ("legacy", "ovs"):
        r.add(VDSM_BAD_VALUE(r.pos("switch"), f"bond {name}: switch {json.dumps(switch)} is not "
                                              "legacy or ovs; legacy used"))
        switch = "legacy"
    hwaddr: Optional[str] = None
    raw_mac = data.get("hwaddr")
    if raw_mac not in (None, ""):
        if isinstance(raw_mac, str) and re.fullmatch(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}",
                                                     raw_mac.strip()):
            hwaddr = raw_mac.strip().upper()
        else:
            r.add(VDSM_BAD_VALUE(r.pos("hwaddr"), f"bond {name}: hwaddr {json.dumps(raw_mac)} is "
                                                  "not a MAC address; not applied"))
    bond = VdsmBond(
        name=name, nics=tuple(sorted(nics)), options=format_bond_options(settings),
        hwaddr=hwaddr, switch=str(switch), source=Position(doc.path),
        positions=r.positions(k for k in ("nics", "options", "switch", "hwaddr") if k in data),
    )
    return bond, tuple(r.findings)


def canonicalize_device(doc: PersistedFile) -> tuple[Optional[VdsmDevice], tuple[Finding, ...]]:
    """One ``devices/<ifname>`` entry (SR-IOV VF count)."""
    if not isinstance(doc.value, dict):
        return None, ()
    findings: list[Finding] = []
    for key in doc.value:
        if key != "sriov":
            findings.append(VDSM_UNKNOWN_KEY(doc.position_of(key),
                                             f"device {doc.name}: unknown key {key!r} ignored"))
    sriov = doc.value.get("sriov")
    numvfs = _read_int(sriov.get("numvfs")) if isinstance(sriov, dict) else None
    if numvfs is None:
        if sriov is not None:
            findings.append(VDSM_BAD_VALUE(doc.position_of("sriov"),
                                           f"device {doc.name}: sriov.numvfs is not a number"))
        return None, tuple(findings)
    findings.append(VDSM_SRIOV_NUMVFS(doc.position_of("sriov", "numvfs"),
                                      f"device {doc.name}: {numvfs} SR-IOV VFs"))
    return VdsmDevice(doc.name, numvfs, Position(doc.path)), tuple(findings)


# --- cross checks ------------------------------------------------------------------------------


def validate_networks(
    networks: Iterable[VdsmNetwork], bonds: Iterable[VdsmBond]
) -> tuple[Finding, ...]:
    """Invariants between networks and bonds that VDSM enforced at setup."""
    nets = sorted(networks, key=lambda n: n.name)
    bond_list = sorted(bonds, key=lambda b: b.name)
    findings: list[Finding] = []
    defaults = [n for n in nets if n.default_route]
    for net in defaults[1:]:
        findings.append(VDSM_TWO_DEFAULT_ROUTES(
            net.position_of("defaultRoute"),
            f"networks {', '.join(n.name for n in defaults)} all have defaultRoute true"))
    seen: dict[tuple[str, Optional[int]], VdsmNetwork] = {}
    switches: dict[str, VdsmNetwork] = {}
    for net in nets:
        base = net.southbound
        if base is None:
            continue
        key = (base, net.vlan)
        other = seen.get(key)
        if other is not None:
            where = "untagged" if net.vlan is None else f"VLAN {net.vlan}"
            findings.append(VDSM_UNTAGGED_CONFLICT(
                net.position_of("vlan" if net.vlan is not None else ("nic" if net.nic else
                                                                      "bonding")),
                f"networks {other.name} and {net.name} are both {where} on {base}"))
        else:
            seen[key] = net
        first = switches.setdefault(base, net)
        if first.switch != net.switch:
            findings.append(VDSM_SWITCH_MIX(
                net.position_of("switch"),
                f"network {net.name} ({net.switch}) and {first.name} ({first.switch}) "
                f"share {base}"))
    owner: dict[str, str] = {}
    for bond in bond_list:
        for nic in bond.nics:
            if nic in owner:
                findings.append(VDSM_DEVICE_CONFLICT(
                    bond.position_of("nics"),
                    f"NIC {nic} is in bonds {owner[nic]} and {bond.name}"))
            else:
                owner[nic] = bond.name
    bond_names = {b.name for b in bond_list}
    bond_switch = {b.name: b.switch for b in bond_list}
    for net in nets:
        if net.bonding in bond_switch and bond_switch[net.bonding] != net.switch:
            findings.append(VDSM_SWITCH_MIX(
                net.position_of("switch"),
                f"network {net.name} ({net.switch}) sits on bond {net.bonding} "
                f"({bond_switch[net.bonding]})"))
        if net.nic is not None and net.nic in owner:
            findings.append(VDSM_DEVICE_CONFLICT(
                net.position_of("nic"),
                f"network {net.name} uses NIC {net.nic}, which is a port of bond {owner[net.nic]}"))
        if net.nic is not None and net.nic in bond_names:
            findings.append(VDSM_DEVICE_CONFLICT(
                net.position_of("nic"), f"network {net.name} uses bond {net.nic} as a nic"))
    device_names = set(owner) | bond_names | {n.southbound for n in nets if n.southbound}
    device_names |= {n.vlan_device for n in nets if n.vlan_device}
    for net in nets:
        if (net.bridged or net.switch == "ovs") and net.name in device_names:
            findings.append(VDSM_DEVICE_CONFLICT(
                net.source, f"network {net.name} is named like one of the host's devices"))
    return tuple(findings)
