"""Build the host model from ifcfg files, with the semantics the host actually ran.

The files were sourced by initscripts; where NetworkManager's ifcfg reader
would read them differently, the model keeps initscripts' meaning and a
finding says what would change (design.md, "Semantics to preserve"). Every key
of every file is consumed here or reported: nothing is dropped silently.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model import ifcfg_keys
from ifcfg2nm.model.bonding import parse_bond_options
from ifcfg2nm.model.ethtool import parse_ethtool_opts
from ifcfg2nm.model.host import (
    IPV4_DISABLED,
    IPV6_DISABLED,
    BondSettings,
    BridgePortSettings,
    BridgeSettings,
    DnsConfig,
    EthernetSettings,
    HostConfig,
    Interface,
    InterfaceType,
    Pairs,
    PortType,
    VlanSettings,
)
from ifcfg2nm.model.identity import legacy_ifcfg_uuid, stable_uuid
from ifcfg2nm.model.ifcfg_ip import GlobalNetwork, ip_configs, ipv4_addresses
from ifcfg2nm.model.keys import Keys
from ifcfg2nm.model.lower import bridge_settings
from ifcfg2nm.model.routing import attach_routes_and_rules
from ifcfg2nm.model.values import ifname_problem, parse_int, parse_mac
from ifcfg2nm.model.vdsm_ifcfg import vdsm_view
from ifcfg2nm.parser.documents import RouteFile, RuleFile, ShellFile

IFCFG_MISSING_TYPE = define(
    "IFCFG_MISSING_TYPE", Severity.INFO, "no TYPE key: the type is inferred as initscripts did",
    "Nothing to do; ifcfg2nm writes the type explicitly (leapp treats a missing TYPE as unsupported).",
)
IFCFG_UNSUPPORTED_TYPE = define(
    "IFCFG_UNSUPPORTED_TYPE", Severity.ERROR, "a device type ifcfg2nm does not convert",
    "Migrate this profile by hand (nmcli connection add) before removing the ifcfg file.",
)
IFCFG_NO_DEVICE = define(
    "IFCFG_NO_DEVICE", Severity.WARNING, "no DEVICE key: the device name is taken from the file name",
    "Add DEVICE= so the profile is bound to an explicit interface name.",
)
IFCFG_DUPLICATE_DEVICE = define(
    "IFCFG_DUPLICATE_DEVICE", Severity.ERROR, "two ifcfg files configure the same device",
    "Remove the stale file; initscripts applied both in turn, NetworkManager would pick one.",
)
IFCFG_LOOPBACK = define(
    "IFCFG_LOOPBACK", Severity.INFO, "the loopback file is ignored",
    "Nothing to do; NetworkManager configures lo itself.",
)
IFCFG_ALIAS_FILE = define(
    "IFCFG_ALIAS_FILE", Severity.WARNING, "alias file addresses become extra addresses of the parent",
    "Check the parent profile: the alias label (eth0:1) is not kept.",
)
IFCFG_RANGE_FILE = define(
    "IFCFG_RANGE_FILE", Severity.ERROR, "range files (IPADDR_START…IPADDR_END) are not converted",
    "List the addresses explicitly in the parent profile before migrating.",
)
IFCFG_MASTER_WITHOUT_SLAVE = define(
    "IFCFG_MASTER_WITHOUT_SLAVE", Severity.WARNING,
    "MASTER= without SLAVE=yes: initscripts did not enslave the device, NetworkManager would",
    "Add SLAVE=yes if the device belongs in the bond, or remove MASTER=.",
)
IFCFG_PORT_HAS_IP = define(
    "IFCFG_PORT_HAS_IP", Severity.WARNING, "a bridge or bond port has IP settings that were never applied",
    "Move the addresses to the bridge or bond; ports carry no IP configuration.",
)
IFCFG_NM_CONTROLLED_NO = define(
    "IFCFG_NM_CONTROLLED_NO", Severity.WARNING,
    "NM_CONTROLLED=no: NetworkManager left this device alone; the converted profile is managed",
    "Make sure NetworkManager should manage this device after the migration.",
)
IFCFG_VDSM_UNMANAGED = define(
    "IFCFG_VDSM_UNMANAGED", Severity.INFO,
    "VDSM marked its devices NM_CONTROLLED=no; after the migration NetworkManager manages them",
    "Nothing to do: that is the purpose of the migration.",
)
IFCFG_VDSM_ONBOOT_NO = define(
    "IFCFG_VDSM_ONBOOT_NO", Severity.INFO,
    "ONBOOT=no in a VDSM file (4.15-4.16 era): VDSM brought the device up anyway",
    "Nothing to do: the profile is written with autoconnect on, as VDSM restored it.",
)
IFCFG_HWADDR_RENAME = define(
    "IFCFG_HWADDR_RENAME", Severity.WARNING,
    "HWADDR with DEVICE: the udev rename to this name disappears with the ifcfg files",
    "Pin the name with a systemd .link file (MACAddress= / Name=) before removing the ifcfg files.",
)
IFCFG_STP_ON_PORT = define(
    "IFCFG_STP_ON_PORT", Severity.INFO, "STP on a port file (VDSM ≤ 4.14 pass-through) has no effect",
    "Nothing to do; STP is a bridge setting.",
)
IFCFG_BAD_VALUE = define(
    "IFCFG_BAD_VALUE", Severity.ERROR, "a value cannot be interpreted",
    "Fix the value; initscripts and NetworkManager would both reject or misread it.",
)
IFCFG_BAD_IFNAME = define(
    "IFCFG_BAD_IFNAME", Severity.ERROR, "an invalid interface name (over 15 bytes, or with '/', ':' or spaces)",
    "Rename the device; the kernel refuses such names.",
)
IFCFG_VLAN_NO_PARENT = define(
    "IFCFG_VLAN_NO_PARENT", Severity.ERROR, "a VLAN whose parent device cannot be determined",
    "Add PHYSDEV= (or name the device <parent>.<id>).",
)
IFCFG_BRIDGING_OPT_UNSUPPORTED = define(
    "IFCFG_BRIDGING_OPT_UNSUPPORTED", Severity.WARNING, "a BRIDGING_OPTS option with no NetworkManager equivalent",
    "Set it after the migration with a dispatcher script, or drop it.",
)
IFCFG_INITSCRIPTS_ONLY_KEY = define(
    "IFCFG_INITSCRIPTS_ONLY_KEY", Severity.WARNING, "a key only initscripts honoured: its effect is lost",
    "Decide whether the behaviour still matters; NetworkManager has no equivalent key.",
)
IFCFG_NO_EFFECT_KEY = define(
    "IFCFG_NO_EFFECT_KEY", Severity.INFO, "a key that configures nothing a profile holds",
    "Nothing to do.",
)
IFCFG_KEY_NOT_CONVERTED = define(
    "IFCFG_KEY_NOT_CONVERTED", Severity.WARNING, "a key NetworkManager knows but ifcfg2nm does not convert",
    "Set the equivalent property by hand after the migration.",
)
IFCFG_KEY_WITHOUT_EFFECT = define(
    "IFCFG_KEY_WITHOUT_EFFECT", Severity.INFO, "a known key that had no effect in this file",
    "Nothing to do (for example PREFIX without IPADDR, DHCP_HOSTNAME with static addressing).",
)
IFCFG_UNKNOWN_KEY = define(
    "IFCFG_UNKNOWN_KEY", Severity.WARNING, "a key neither initscripts nor NetworkManager knows",
    "Probably a leftover (VDSM pass-through, a hook, a typo): check nothing relied on it.",
)
MODEL_MISSING_CONTROLLER = define(
    "MODEL_MISSING_CONTROLLER", Severity.ERROR, "a port names a bridge or bond that no file defines",
    "Add the controller's ifcfg file or remove the BRIDGE=/MASTER= key.",
)
MODEL_BOND_WITHOUT_PORTS = define(
    "MODEL_BOND_WITHOUT_PORTS", Severity.WARNING, "a bond has no ports",
    "Add MASTER=<bond> and SLAVE=yes to its NICs' files, or remove the bond.",
)
MODEL_VLAN_PARENT_MISSING = define(
    "MODEL_VLAN_PARENT_MISSING", Severity.WARNING, "a VLAN's parent has no ifcfg file",
    "Fine for a plain NIC; otherwise add the parent's file.",
)

UNSUPPORTED_TYPES = {
    "team": "Team", "teamport": "TeamPort", "wireless": "Wireless", "ipip": "IPIP",
    "gre": "GRE", "sit": "SIT", "ipip6": "IPIP6", "ovsbridge": "OVSBridge", "ovsport": "OVSPort",
    "ovsintport": "OVSIntPort", "ovsbond": "OVSBond", "ovsuserbridge": "OVSUserBridge",
    "ovspatchport": "OVSPatchPort", "ovstunnel": "OVSTunnel", "ovsdpdkport": "OVSDPDKPort",
    "ovsdpdkbond": "OVSDPDKBond", "macvlan": "MACVLAN", "ipoib": "IPoIB",
}
KNOWN_TYPES = {
    "ethernet": InterfaceType.ETHERNET, "ctc": InterfaceType.ETHERNET,
    "bridge": InterfaceType.BRIDGE, "bond": InterfaceType.BOND, "vlan": InterfaceType.VLAN,
    "infiniband": InterfaceType.INFINIBAND,
}

@dataclass
class _Profile:
    """One ifcfg file on its way to becoming an Interface (private, mutable while building)."""

    doc: ShellFile
    keys: Keys
    suffix: str
    device: str
    type: InterfaceType
    vdsm: bool
    findings: list[Finding] = field(default_factory=list)


def build_from_ifcfg(
    ifcfg: Sequence[ShellFile],
    routes: Sequence[RouteFile] = (),
    rules: Sequence[RuleFile] = (),
    network: Optional[ShellFile] = None,
    *,
    network_names: Mapping[str, str] = {},
) -> HostConfig:
    """The host model of an ifcfg tree.

    ``network_names`` maps a bridgeless network's top device to its VDSM
    network name (known only from persisted JSON or libvirt; §1.12).
    """
    findings: list[Finding] = []
    global_keys = Keys(network) if network is not None else None
    glob = GlobalNetwork.from_keys(global_keys)
    profiles: list[_Profile] = []
    aliases: list[ShellFile] = []
    unconverted: set[str] = set()
    for doc in sorted(ifcfg, key=lambda d: d.path):
        suffix = _suffix(doc)
        pos = Position(doc.path, 1)
        if ":" in suffix:
            aliases.append(doc)
            continue
        if "-range" in suffix:
            findings.append(IFCFG_RANGE_FILE(pos, "address range files are not converted"))
            continue
        profile = _profile(doc, suffix, findings)
        if profile is not None:
            profiles.append(profile)
        else:
            unconverted.update(name for name in (suffix, doc.get("DEVICE")) if name)
    profiles = _drop_duplicate_devices(profiles, findings)
    by_device = {p.device: p for p in profiles}
    by_uuid = {p.keys.peek("UUID"): p for p in profiles if p.keys.peek("UUID")}

    interfaces = [_interface(p, by_uuid, glob) for p in profiles]
    interfaces = _merge_aliases(interfaces, aliases, findings)
    host_routes, host_rules, route_findings = attach_routes_and_rules(
        interfaces, {p.device: p.suffix for p in profiles}, routes, rules, frozenset(unconverted)
    )
    findings.extend(route_findings)
    _validate_references(interfaces, by_device, findings)
    for p in profiles:
        p.findings.extend(_unconsumed_key_findings(p.keys, p.vdsm))
        findings.extend(p.findings)
    if global_keys is not None:
        findings.extend(glob.findings)
        findings.extend(glob.global_gateway_findings(
            sum(1 for i in interfaces if i.controller is None and i.ipv4.enabled)))
        findings.extend(_unconsumed_key_findings(global_keys, vdsm=False))
    vdsm_files = {p.device: p.doc for p in profiles if p.vdsm}
    view = vdsm_view(interfaces, host_routes, host_rules, vdsm_files, network_names)
    findings.extend(view.findings)
    interfaces = _with_vdsm_lowering(interfaces, view.interfaces, vdsm_files)
    return HostConfig(
        origin="ifcfg",
        interfaces=tuple(sorted(interfaces, key=lambda i: i.name)),
        routes=view.routes,
        rules=view.rules,
        dns=DnsConfig(servers=_host_dns(interfaces)),
        networks=view.networks,
        bonds=view.bonds,
        findings=tuple(findings),
    )


def _with_vdsm_lowering(
    built: Sequence[Interface], lowered: Sequence[Interface], vdsm_files: Mapping[str, ShellFile]
) -> list[Interface]:
    """VDSM-owned interfaces as VDSM's translation makes them, keeping what only the files say.

    A foreign file for an interface VDSM's translation also makes wins: the
    file is what the host ran, and foreign files are never flushed.
    """
    by_name = {i.name: i for i in lowered}
    out: list[Interface] = []
    for iface in built:
        low = by_name.pop(iface.name, None)
        if low is None or iface.name not in vdsm_files:
            out.append(iface)
            continue
        out.append(replace(
            low,
            mac_address=iface.mac_address,
            cloned_mac_address=low.cloned_mac_address or iface.cloned_mac_address,
            ethernet=iface.ethernet,
            ethtool=iface.ethtool,
        ))
    out.extend(by_name.values())
    return out


def _host_dns(interfaces: Sequence[Interface]) -> tuple[str, ...]:
    """The resolver servers: those of the profile holding the default route, else the first found."""
    ranked = sorted(
        (i for i in interfaces if i.ipv4.dns or i.ipv6.dns),
        key=lambda i: (i.ipv4.never_default or not (i.ipv4.gateway or i.ipv4.method == "auto"), i.name),
    )
    return (ranked[0].ipv4.dns + ranked[0].ipv6.dns) if ranked else ()


def _text(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept as surrogate escapes) become U+FFFD.

    A profile id is UTF-8 in a keyfile and on D-Bus; the file's own bytes still name the file.
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _suffix(doc: ShellFile) -> str:
    name = os.path.basename(doc.host_path or doc.path)
    return name[len("ifcfg-"):] if name.startswith("ifcfg-") else name


def _profile(doc: ShellFile, suffix: str, host_findings: list[Finding]) -> Optional[_Profile]:
    """The profile this file describes; None (reported in ``host_findings``) for loopback and unconverted types.

    A file of a type ifcfg2nm does not convert (team, wireless, OVS …) yields no
    profile at all: an ethernet profile in its place would claim the device with
    a different meaning.
    """
    keys = Keys(doc)
    findings: list[Finding] = []
    device = keys.get("DEVICE") or ""
    if not device:
        device = _vlan_name_without_device(keys) or suffix
        findings.append(IFCFG_NO_DEVICE(keys.pos(), f"no DEVICE=; the device is '{device}'"))
    if device == "lo":
        keys.consume_all()
        host_findings.append(IFCFG_LOOPBACK(Position(doc.path, 1), "loopback configuration is ignored"))
        return None
    problem = ifname_problem(device)
    if problem:
        findings.append(IFCFG_BAD_IFNAME(keys.pos("DEVICE"), problem))
    itype, type_findings = _detect_type(keys, device)
    findings.extend(type_findings)
    if itype is None:
        keys.consume_all()
        host_findings.extend(findings)
        return None
    vdsm = doc.ownership.vdsm_like
    return _Profile(doc, keys, suffix, device, itype, vdsm, findings)


def _vlan_name_without_device(keys: Keys) -> Optional[str]:
    physdev, vid = keys.peek("PHYSDEV"), keys.peek("VLAN_ID")
    if physdev and vid:
        return f"{physdev}.{vid}"
    return None


def _detect_type(keys: Keys, device: str) -> tuple[Optional[InterfaceType], list[Finding]]:
    """NetworkManager's detection order, which agrees with initscripts for supported types (None: not converted)."""
    findings: list[Finding] = []
    type_text = keys.get("TYPE")
    devicetype = keys.get("DEVICETYPE")
    if devicetype and devicetype.lower() in ("team", "teamport"):
        findings.append(IFCFG_UNSUPPORTED_TYPE(keys.pos("DEVICETYPE"), f"{device}: team devices are not converted"))
        return None, findings
    if keys.peek("TEAM_CONFIG"):
        findings.append(IFCFG_UNSUPPORTED_TYPE(keys.pos("TEAM_CONFIG"), f"{device}: team devices are not converted"))
        return None, findings
    if type_text:
        lowered = type_text.lower()
        if lowered in UNSUPPORTED_TYPES:
            findings.append(IFCFG_UNSUPPORTED_TYPE(
                keys.pos("TYPE"), f"{device}: TYPE={type_text} is not converted"))
            return None, findings
        if lowered not in KNOWN_TYPES:
            findings.append(IFCFG_UNSUPPORTED_TYPE(
                keys.pos("TYPE"), f"{device}: unknown TYPE={type_text}"))
            return None, findings
        itype = KNOWN_TYPES[lowered]
        if itype is InterfaceType.ETHERNET and keys.peek("BONDING_OPTS"):
            return InterfaceType.BOND, findings
        if itype is InterfaceType.ETHERNET and _flag(keys, "VLAN"):
            return InterfaceType.VLAN, findings
        return itype, findings
    if _flag(keys, "BONDING_MASTER"):
        itype = InterfaceType.BOND
    elif _flag(keys, "VLAN"):
        itype = InterfaceType.VLAN
    elif keys.peek("BONDING_OPTS") is not None:
        itype = InterfaceType.BOND
    else:
        itype = InterfaceType.ETHERNET
    findings.append(IFCFG_MISSING_TYPE(
        keys.pos(), f"no TYPE=; {device} is {_article(itype.value)} device, as initscripts inferred"))
    return itype, findings


def _flag(keys: Keys, key: str) -> bool:
    value = keys.get(key)
    return value is not None and value.strip().lower() in ("yes", "true", "y", "t", "1", "on")


def _drop_duplicate_devices(profiles: list[_Profile], findings: list[Finding]) -> list[_Profile]:
    """One profile per device; prefer the file named after the device, as ``ifup DEVICE`` did."""
    by_device: dict[str, list[_Profile]] = {}
    for p in profiles:
        by_device.setdefault(p.device, []).append(p)
    kept: list[_Profile] = []
    for device, group in by_device.items():
        if len(group) == 1:
            kept.append(group[0])
            continue
        group.sort(key=lambda p: (p.suffix != device, p.doc.path))
        winner = group[0]
        kept.append(winner)
        for loser in group[1:]:
            loser.keys.consume_all()
            findings.append(IFCFG_DUPLICATE_DEVICE(
                Position(loser.doc.path, 1),
                f"{loser.doc.path} and {winner.doc.path} both configure {device}; "
                f"{winner.doc.path} is converted",
            ))
    return kept


def _interface(p: _Profile, by_uuid: Mapping[Optional[str], _Profile], glob: GlobalNetwork) -> Interface:
    keys = p.keys
    controller, port_type = _controller(p, by_uuid)
    uuid = keys.get("UUID")
    if p.vdsm:
        uuid = stable_uuid(p.device)
    elif not uuid:
        uuid = legacy_ifcfg_uuid(p.doc.host_path or p.doc.path)
    name_key = keys.get("NAME")
    profile_id = p.device if p.vdsm else (name_key or f"System {_text(p.suffix)}")
    autoconnect = _autoconnect(p)
    mtu = _mtu(p)
    mac, cloned, ethernet, ethtool = _common_ethernet(p)
    bond = _bond(p) if p.type is InterfaceType.BOND else None
    bridge = _bridge(p) if p.type is InterfaceType.BRIDGE else None
    vlan = _vlan(p) if p.type is InterfaceType.VLAN else None
    bridge_port = None
    if port_type is PortType.BRIDGE:
        bridge_port = _bridge_port(p)
    elif p.type is not InterfaceType.BRIDGE and keys.peek("STP") is not None:
        keys.get("STP")
        p.findings.append(IFCFG_STP_ON_PORT(keys.pos("STP"), f"{p.device}: STP on a non-bridge file is ignored"))
    extra = _infiniband_mode(p) if p.type is InterfaceType.INFINIBAND else ()
    ipv4, ipv6 = IPV4_DISABLED, IPV6_DISABLED
    if controller is None:
        ipv4, ipv6, ip_findings = ip_configs(keys, p.device, glob)
        p.findings.extend(ip_findings)
    else:
        _consume_port_ip_keys(p)
    _managed(p)
    return Interface(
        name=p.device,
        type=p.type,
        profile_id=profile_id,
        uuid=uuid,
        autoconnect=autoconnect,
        mtu=mtu,
        controller=controller,
        port_type=port_type,
        mac_address=mac,
        cloned_mac_address=cloned,
        ipv4=ipv4,
        ipv6=ipv6,
        bond=bond,
        bridge=bridge,
        bridge_port=bridge_port,
        vlan=vlan,
        ethernet=ethernet,
        ethtool=ethtool,
        source=Position(p.doc.path, 1),
        extra=extra,
    )


def _infiniband_mode(p: _Profile) -> Pairs:
    """CONNECTED_MODE: ifup-ib wrote connected or datagram to the device's sysfs mode; NM's reader agrees."""
    if p.keys.peek("CONNECTED_MODE") is None:
        return ()
    connected = p.keys.boolean("CONNECTED_MODE", default=False, findings=p.findings)
    return (("infiniband.transport-mode", "connected" if connected else "datagram"),)


def _controller(p: _Profile, by_uuid: Mapping[Optional[str], _Profile]) -> tuple[Optional[str], Optional[PortType]]:
    keys = p.keys
    bridge = keys.get("BRIDGE") or _by_uuid(keys.get("BRIDGE_UUID"), by_uuid)
    master = keys.get("MASTER") or _by_uuid(keys.get("MASTER_UUID"), by_uuid)
    slave = keys.get("SLAVE")
    if master:
        if slave is not None and slave.strip().lower() in ("yes",):
            return master, PortType.BOND
        if keys.peek("MASTER_UUID"):
            return master, PortType.BOND
        p.findings.append(IFCFG_MASTER_WITHOUT_SLAVE(
            keys.pos("MASTER"),
            f"{p.device}: MASTER={master} without SLAVE=yes; initscripts kept it out of the bond, "
            "and so does the converted profile",
        ))
    if bridge:
        return bridge, PortType.BRIDGE
    return None, None


def _by_uuid(uuid: Optional[str], by_uuid: Mapping[Optional[str], _Profile]) -> Optional[str]:
    if not uuid:
        return None
    target = by_uuid.get(uuid)
    return target.device if target is not None else None


def _autoconnect(p: _Profile) -> bool:
    text = p.keys.get("ONBOOT")
    if text is None:
        return True
    b = p.keys.boolean("ONBOOT", default=True, findings=p.findings)
    if not b and p.vdsm:
        p.findings.append(IFCFG_VDSM_ONBOOT_NO(
            p.keys.pos("ONBOOT"), f"{p.device}: ONBOOT=no in a VDSM file; the profile autoconnects"))
        return True
    return b


def _mtu(p: _Profile) -> Optional[int]:
    text = p.keys.get("MTU")
    if text is None or text == "":
        return None
    mtu = parse_int(text, 68, 65535)
    if mtu is None:
        p.findings.append(IFCFG_BAD_VALUE(p.keys.pos("MTU"), f"{p.device}: MTU={text} is not a number in 68..65535"))
    return mtu


def _common_ethernet(p: _Profile) -> tuple[Optional[str], Optional[str], Optional[EthernetSettings], Pairs]:
    """MAC, cloned MAC, ethernet settings and ethtool properties."""
    keys = p.keys
    hwaddr_text = keys.get("HWADDR")
    mac = None
    if hwaddr_text:
        mac = parse_mac(hwaddr_text)
        if mac is None:
            p.findings.append(IFCFG_BAD_VALUE(
                keys.pos("HWADDR"), f"{p.device}: HWADDR={hwaddr_text} is not a MAC address"))
        elif keys.peek("DEVICE") and p.type in (InterfaceType.ETHERNET, InterfaceType.INFINIBAND):
            p.findings.append(IFCFG_HWADDR_RENAME(
                keys.pos("HWADDR"),
                f"{p.device}: the NIC with MAC {mac} was renamed to {p.device} by initscripts' udev rule",
            ))
    cloned = None
    cloned_text = keys.get("MACADDR") or (keys.get("BRIDGE_MACADDR") if p.type is InterfaceType.BRIDGE else None)
    if cloned_text:
        cloned = parse_mac(cloned_text)
        if cloned is None:
            p.findings.append(IFCFG_BAD_VALUE(
                keys.pos("MACADDR"), f"{p.device}: MACADDR={cloned_text} is not a MAC address"))
    ethernet, ethtool, eth_findings = parse_ethtool_opts(keys.get("ETHTOOL_OPTS"), p.device, keys.pos("ETHTOOL_OPTS"))
    p.findings.extend(eth_findings)
    return mac, cloned, ethernet, ethtool


def _bond(p: _Profile) -> BondSettings:
    keys = p.keys
    keys.get("BONDING_MASTER")
    settings, bond_findings = parse_bond_options(keys.get("BONDING_OPTS") or "", keys.pos("BONDING_OPTS"))
    p.findings.extend(bond_findings)
    return settings


def _bridge(p: _Profile) -> BridgeSettings:
    """STP, DELAY and BRIDGING_OPTS; the options are sysfs names and units, as initscripts wrote them."""
    keys = p.keys
    stp = keys.boolean("STP", default=False, findings=p.findings, nm_accepts_on_off=True)
    settings, found = bridge_settings(stp, keys.get("BRIDGING_OPTS") or "", keys.pos("BRIDGING_OPTS"), p.device)
    p.findings.extend(found)
    delay_text = keys.get("DELAY")
    if delay_text:
        delay = parse_int(delay_text, 0, 30)
        if delay is None:
            p.findings.append(IFCFG_BAD_VALUE(
                keys.pos("DELAY"), f"{p.device}: DELAY={delay_text} is not 0..30 seconds"))
        elif stp:
            settings = replace(settings, forward_delay=max(delay, 2))
    priority = _bridge_number(p, "PRIO", 65535, "a bridge priority")
    if priority is not None and settings.priority is None:
        settings = replace(settings, priority=priority)
    ageing = _bridge_number(p, "AGEING", 1000000, "whole seconds")
    if ageing is not None and settings.ageing_time is None:
        settings = replace(settings, ageing_time=ageing)
    return settings


def _bridge_number(p: _Profile, key: str, high: int, unit: str) -> Optional[int]:
    """``PRIO``, ``AGEING``: ifup ran ``brctl setbridgeprio``/``setageing``; BRIDGING_OPTS, applied later, wins."""
    text = p.keys.get(key)
    if not text:
        return None
    value = parse_int(text, 0, high)
    if value is None:
        p.findings.append(IFCFG_BAD_VALUE(p.keys.pos(key), f"{p.device}: {key}={text} is not 0..{high} ({unit})"))
    return value


def _bridge_port(p: _Profile) -> BridgePortSettings:
    keys = p.keys
    priority = path_cost = None
    hairpin = None
    for word in (keys.get("BRIDGING_OPTS") or "").split():
        name, _, value = word.partition("=")
        if name == "priority":
            priority = parse_int(value, 0, 63)
        elif name == "path_cost":
            path_cost = parse_int(value, 1, 65535)
        elif name == "hairpin_mode":
            hairpin = value.lower() in ("1", "yes", "on", "true")
        else:
            p.findings.append(IFCFG_BRIDGING_OPT_UNSUPPORTED(
                keys.pos("BRIDGING_OPTS"), f"{p.device}: bridge port option {word} is not converted"))
    return BridgePortSettings(priority=priority, path_cost=path_cost, hairpin_mode=hairpin)


def _vlan(p: _Profile) -> Optional[VlanSettings]:
    keys = p.keys
    keys.get("VLAN")
    vid: Optional[int] = None
    parent = keys.get("PHYSDEV") or None
    vid_text = keys.get("VLAN_ID")
    if vid_text:
        vid = parse_int(vid_text, 0, 4094)
        if vid is None:
            p.findings.append(IFCFG_BAD_VALUE(keys.pos("VLAN_ID"), f"{p.device}: VLAN_ID={vid_text} is not 0..4094"))
    base, dot, tail = p.device.rpartition(".")
    if dot and tail.isdigit():
        vid = vid if vid is not None else parse_int(tail, 0, 4094)
        parent = parent or base
    elif p.device.startswith("vlan") and p.device[4:].isdigit():
        vid = vid if vid is not None else parse_int(p.device[4:], 0, 4094)
    if parent and parent.startswith("vlan") and "." not in p.device:
        parent = keys.get("PHYSDEV") or None
    if vid is None or not parent:
        p.findings.append(IFCFG_VLAN_NO_PARENT(
            keys.pos("DEVICE"), f"{p.device}: cannot tell the VLAN's parent and id (set PHYSDEV= and VLAN_ID=)"))
        return None
    flags: list[str] = []
    reorder = keys.get("REORDER_HDR")
    if reorder is None or keys.boolean("REORDER_HDR", default=True, findings=p.findings):
        flags.append("reorder-headers")
    vlan_flags = (keys.get("VLAN_FLAGS") or "").replace(",", " ").upper().split()
    if "GVRP" in vlan_flags or (keys.peek("GVRP") and keys.boolean("GVRP", default=False, findings=p.findings)):
        flags.append("gvrp")
    if "MVRP" in vlan_flags or (keys.peek("MVRP") and keys.boolean("MVRP", default=False, findings=p.findings)):
        flags.append("mvrp")
    if "LOOSE_BINDING" in vlan_flags:
        flags.append("loose-binding")
    if "NO_REORDER_HDR" in vlan_flags and "reorder-headers" in flags:
        flags.remove("reorder-headers")
    ingress = tuple(x for x in (keys.get("VLAN_INGRESS_PRIORITY_MAP") or "").split(",") if x)
    egress = tuple(x for x in (keys.get("VLAN_EGRESS_PRIORITY_MAP") or "").split(",") if x)
    protocol = keys.get("VLAN_PROTOCOL") or None
    return VlanSettings(id=vid, parent=parent, flags=tuple(sorted(flags)), protocol=protocol,
                        ingress_priority_map=ingress, egress_priority_map=egress)


PORT_IP_KEYS = ("BOOTPROTO", "IPADDR", "NETMASK", "PREFIX", "GATEWAY", "IPV6ADDR", "DHCPV6C")


def _consume_port_ip_keys(p: _Profile) -> None:
    """Ports carry no IP: VDSM's DEFROUTE=no/IPV6INIT=no are no-ops; real settings are reported."""
    keys = p.keys
    for key in ("DEFROUTE", "IPV6INIT", "IPV6_AUTOCONF", "IPV6_DEFROUTE", "PEERDNS", "PEERROUTES",
                "IPV4_FAILURE_FATAL", "IPV6_FAILURE_FATAL", "NOZEROCONF"):
        keys.get(key)
    ip_keys = [k for k in keys.names() if ifcfg_keys.family_of(k) in PORT_IP_KEYS and k != "BOOTPROTO"]
    if p.keys.get("BOOTPROTO") in ("dhcp", "bootp"):
        ip_keys.append("BOOTPROTO")
    if keys.get("DHCPV6C") and keys.boolean("DHCPV6C", default=False, findings=[]):
        ip_keys.append("DHCPV6C")
    for key in ip_keys:
        keys.get(key)
    if ip_keys:
        p.findings.append(IFCFG_PORT_HAS_IP(
            keys.pos(ip_keys[0]),
            f"{p.device} is a port of {keys.peek('BRIDGE') or keys.peek('MASTER')}; "
            f"its {', '.join(sorted(set(ip_keys)))} never took effect",
        ))


def _managed(p: _Profile) -> None:
    text = p.keys.get("NM_CONTROLLED")
    if text is None or p.keys.boolean("NM_CONTROLLED", default=True, findings=p.findings):
        return
    pos = p.keys.pos("NM_CONTROLLED")
    if p.vdsm:
        p.findings.append(IFCFG_VDSM_UNMANAGED(pos, f"{p.device} was kept away from NetworkManager by VDSM"))
    else:
        p.findings.append(IFCFG_NM_CONTROLLED_NO(
            pos, f"{p.device}: NM_CONTROLLED=no; the converted profile lets NetworkManager manage it"))


def _merge_aliases(
    interfaces: list[Interface], aliases: Sequence[ShellFile], findings: list[Finding]
) -> list[Interface]:
    """Alias files' addresses become the parent's; ONPARENT and other leftovers are reported."""
    by_name = {i.name: n for n, i in enumerate(interfaces)}
    for doc in aliases:
        keys = Keys(doc)
        parent = _suffix(doc).split(":", 1)[0]
        index = by_name.get(parent)
        pos = Position(doc.path, 1)
        if index is None:
            findings.append(MODEL_MISSING_CONTROLLER(pos, f"alias of {parent}, which has no ifcfg file"))
            keys.consume_all()
            continue
        iface = interfaces[index]
        keys.get("DEVICE")
        addresses = ipv4_addresses(keys, parent, findings)
        for key in ("NM_CONTROLLED", "ONBOOT", "BOOTPROTO"):
            keys.get(key)
        added = tuple(a for a in addresses if a not in iface.ipv4.addresses)
        if added:
            method = "manual" if iface.ipv4.method == "disabled" else iface.ipv4.method
            iface = replace(iface, ipv4=replace(iface.ipv4, method=method, addresses=iface.ipv4.addresses + added))
            interfaces[index] = iface
        findings.append(IFCFG_ALIAS_FILE(
            pos, f"{', '.join(str(a) for a in added) or 'no address'} added to {parent}"))
        findings.extend(_unconsumed_key_findings(keys, doc.ownership.vdsm_like))
    return interfaces


def _validate_references(
    interfaces: Sequence[Interface], by_device: Mapping[str, _Profile], findings: list[Finding]
) -> None:
    names = {i.name: i for i in interfaces}
    ports: dict[str, int] = {}
    for iface in interfaces:
        if iface.controller is not None:
            controller = names.get(iface.controller)
            expected = InterfaceType.BOND if iface.port_type is PortType.BOND else InterfaceType.BRIDGE
            if controller is None or controller.type is not expected:
                what = "bond" if expected is InterfaceType.BOND else "bridge"
                findings.append(MODEL_MISSING_CONTROLLER(
                    by_device[iface.name].keys.pos("MASTER" if expected is InterfaceType.BOND else "BRIDGE"),
                    f"{iface.name} is a port of {what} {iface.controller}, which no ifcfg file defines",
                ))
            ports[iface.controller] = ports.get(iface.controller, 0) + 1
        if iface.vlan is not None and iface.vlan.parent not in names:
            findings.append(MODEL_VLAN_PARENT_MISSING(
                iface.source, f"{iface.name}: parent {iface.vlan.parent} has no ifcfg file"))
    for iface in interfaces:
        if iface.type is InterfaceType.BOND and not ports.get(iface.name):
            findings.append(MODEL_BOND_WITHOUT_PORTS(iface.source, f"bond {iface.name} has no ports"))


def _unconsumed_key_findings(keys: Keys, vdsm: bool) -> list[Finding]:
    out: list[Finding] = []
    for key in keys.unconsumed():
        pos = keys.pos(key)
        family = ifcfg_keys.family_of(key)
        value = keys.peek(key)
        if family in ifcfg_keys.INITSCRIPTS_ONLY:
            out.append(IFCFG_INITSCRIPTS_ONLY_KEY(
                pos, f"{key}={value}: {ifcfg_keys.INITSCRIPTS_ONLY[family]} is lost under NetworkManager"))
        elif family in ifcfg_keys.NO_EFFECT:
            out.append(IFCFG_NO_EFFECT_KEY(pos, f"{key}={value}: {ifcfg_keys.NO_EFFECT[family]}; not converted"))
        elif family in ifcfg_keys.HANDLED:
            out.append(IFCFG_KEY_WITHOUT_EFFECT(pos, f"{key}={value} has no effect in this file"))
        elif family in ifcfg_keys.NM_KNOWN_NOT_CONVERTED or family.startswith("ROUTING_RULE"):
            if (value or "").strip().lower() in ifcfg_keys.NM_DEFAULT_VALUES.get(family, ()):
                continue
            out.append(IFCFG_KEY_NOT_CONVERTED(pos, f"{key}={value} is not converted"))
        else:
            out.append(IFCFG_UNKNOWN_KEY(
                pos, f"{key}={value} is not an ifcfg key"
                + (" (VDSM pass-through or hook key)" if vdsm else "")))
    return out



def _article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word
