"""VDSM's networks recovered from the ifcfg files VDSM wrote (spec/vdsm-formats.md §1.12).

A host's VDSM-owned files are read back into VDSM's own terms (networks and
bonds), and those are lowered exactly as persisted networks are
(:func:`ifcfg2nm.model.lower.lower_vdsm`). Both sources therefore meet in one
translation, with VDSM's nmstate-era routing tables and rule priorities, and
the audit can compare the files with the JSON by name.

A bridged network is named after its bridge; a bridgeless one only in the
persisted config or libvirt's ``vdsm-<net>`` definitions, passed in as
``network_names`` (top device → network).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model.host import (
    Interface,
    InterfaceType,
    IpConfig,
    PortType,
    Route,
    RoutingRule,
    VdsmBond,
    VdsmNetwork,
)
from ifcfg2nm.model.lower import SOURCE_ROUTE_PRIORITY, lower_vdsm, route_table
from ifcfg2nm.model.values import prefix_to_netmask
from ifcfg2nm.parser.documents import ShellFile

MAIN_TABLE = 254

VDSM_BRIDGELESS_UNNAMED = define(
    "VDSM_BRIDGELESS_UNNAMED", Severity.INFO,
    "a VDSM bridgeless network whose name is recorded nowhere (no persisted config, no libvirt network)",
    "Nothing to do for the conversion; the audit cannot compare it with VDSM's records by name.",
)
VDSM_SOURCE_ROUTE_RENUMBERED = define(
    "VDSM_SOURCE_ROUTE_RENUMBERED", Severity.INFO,
    "VDSM source routing moves from the ifcfg era's table and priority to the nmstate era's",
    "Nothing to do: VDSM recognises the new numbering after the move.",
)

VDSM_IFCFG_NO_NAMESERVERS = define(
    "VDSM_IFCFG_NO_NAMESERVERS", Severity.WARNING,
    "the static default-route VDSM network names no DNS server (no DNS1..DNS3 in any ifcfg file)",
    "initscripts left /etc/resolv.conf alone, but NetworkManager writes it from its profiles, here without "
    "a name server: add DNS1= (DNS2=, DNS3=) to the file before the upgrade (VDSM >= 4.19 wrote them), or "
    "the servers to the profile afterwards.",
)
VDSM_IFCFG_EXTRA_ADDRESSES = define(
    "VDSM_IFCFG_EXTRA_ADDRESSES", Severity.WARNING,
    "a VDSM network's file gives more addresses than VDSM's model holds (one IPv4, one IPv6)",
    "A hook or an edit added them and initscripts applied them; VDSM's translation, and so the converted "
    "profile, keeps only the first of each family. Add the others to the profile by hand if they are needed.",
)
VDSM_IFCFG_SETTING_DROPPED = define(
    "VDSM_IFCFG_SETTING_DROPPED", Severity.WARNING,
    "an IP setting of a VDSM file that VDSM's network model cannot hold is not converted",
    "Pass-through keys of VDSM < 4.18, hooks or edits put it there and initscripts applied it (DOMAIN, "
    "DHCP_HOSTNAME, PEERDNS=no, a route metric …); VDSM's translation, and so the converted profile, has no "
    "place for it. Set it on the profile by hand after the upgrade if it is still needed.",
)

_FILE_ONLY_IP = (
    ("route_metric", "route-metric"), ("dns_search", "dns-search"), ("dns_options", "dns-options"),
    ("dhcp_hostname", "dhcp-hostname"), ("ignore_auto_dns", "ignore-auto-dns"),
    ("ignore_auto_routes", "ignore-auto-routes"),
)
"""IpConfig attributes only an ifcfg file gives a VDSM device (attribute, NetworkManager property)."""


@dataclass(frozen=True)
class VdsmView:
    """What VDSM's files say, in VDSM's terms, and their lowering."""


    networks: tuple[VdsmNetwork, ...]
    """Named networks only (the unnamed bridgeless ones are lowered but not listed)."""
    bonds: tuple[VdsmBond, ...]
    interfaces: tuple[Interface, ...]
    """The lowered interfaces of VDSM's networks and bonds."""
    routes: tuple[Route, ...]
    """The tree's routes, VDSM's source routing renumbered to the nmstate era."""
    rules: tuple[RoutingRule, ...]
    findings: tuple[Finding, ...]


def vdsm_view(
    interfaces: Sequence[Interface],
    routes: Sequence[Route],
    rules: Sequence[RoutingRule],
    vdsm_files: Mapping[str, ShellFile],
    network_names: Mapping[str, str],
) -> VdsmView:
    """VDSM's networks and bonds from its own files, lowered as persisted networks are.

    ``routes`` and ``rules`` are the tree's; in the result, the ifcfg-era source
    routing of VDSM's networks is replaced by the nmstate era's.
    """
    findings: list[Finding] = []
    by_name = {i.name: i for i in interfaces}
    networks: list[VdsmNetwork] = []
    unnamed: dict[str, str] = {}
    vlan_parents = {i.vlan.parent for i in interfaces if i.vlan is not None}
    for iface in interfaces:
        if iface.name not in vdsm_files or iface.controller is not None:
            continue
        if iface.type is InterfaceType.BRIDGE:
            port = next((i for i in interfaces if i.controller == iface.name), None)
            networks.append(_network(iface.name, iface, port, by_name, routes, vdsm_files[iface.name], True))
            continue
        name = network_names.get(iface.name)
        if name is None and not _carries_network(iface, vdsm_files[iface.name], vlan_parents):
            continue
        if name is None:
            findings.append(VDSM_BRIDGELESS_UNNAMED(
                iface.source, f"{iface.name} carries a VDSM network whose name is not recorded anywhere"))
            name = iface.name
            unnamed[name] = iface.name
        networks.append(_network(name, iface, iface, by_name, routes, vdsm_files[iface.name], False))
    bonds = [_bond(i, interfaces, vdsm_files[i.name]) for i in interfaces
             if i.type is InterfaceType.BOND and i.name in vdsm_files]
    findings.extend(_dns_missing(networks, interfaces))
    for net in networks:
        top = by_name.get(net.top_device)
        extra = [a for c in ((top.ipv4, top.ipv6) if top else ()) for a in c.addresses[1:]]
        if top is not None and extra:
            findings.append(VDSM_IFCFG_EXTRA_ADDRESSES(
                top.source, f"network {net.name}: {', '.join(f'{a.address}/{a.prefix}' for a in extra)} on "
                            f"{top.name} not converted (VDSM keeps one address per family)"))
    lowered = lower_vdsm(networks, bonds)
    findings.extend(_settings_dropped(interfaces, lowered.interfaces, vdsm_files))
    kept_routes, kept_rules = list(routes), list(rules)
    for net in networks:
        old_routes, old_rules, renumbered = ifcfg_era_source_routing(net, kept_routes, kept_rules)
        kept_routes = [r for r in kept_routes if r not in old_routes]
        kept_rules = [r for r in kept_rules if r not in old_rules]
        findings.extend(renumbered)
    lowered_ifaces = tuple(
        replace(i, network=None) if i.network in unnamed else i for i in lowered.interfaces
    )
    return VdsmView(
        networks=tuple(n for n in lowered.networks if n.name not in unnamed),
        bonds=tuple(bonds),
        interfaces=lowered_ifaces,
        routes=tuple(kept_routes) + lowered.routes,
        rules=tuple(kept_rules) + lowered.rules,
        findings=tuple(findings) + lowered.findings,
    )


def ifcfg_era_source_routing(
    network: VdsmNetwork, routes: Sequence[Route], rules: Sequence[RoutingRule]
) -> tuple[list[Route], list[RoutingRule], list[Finding]]:
    """The ifcfg-era source routes and rules of a network (table = the integer of its IPv4).

    They are replaced by the nmstate-era ones; the finding records the renumbering.
    """
    if network.ipaddr is None:
        return [], [], []
    old_table = int(ipaddress.IPv4Address(network.ipaddr))
    top = network.top_device
    old_routes = [r for r in routes if r.interface == top and r.table == old_table]
    old_rules = [r for r in rules if r.table == old_table]
    if not old_routes and not old_rules:
        return [], [], []
    priorities = sorted({r.priority for r in old_rules}, key=lambda p: (p is None, p or 0))
    old_prio = ", ".join("none" if p is None else str(p) for p in priorities) or "none"
    where = (old_rules or old_routes)[0].source if (old_rules or old_routes) else Position("")
    finding = VDSM_SOURCE_ROUTE_RENUMBERED(
        Position(where.file, 1),
        f"network {network.name}: source routing table {old_table} with rule priority {old_prio} "
        f"becomes table {route_table(top)} with priority {SOURCE_ROUTE_PRIORITY}",
    )
    return old_routes, old_rules, [finding]


def _settings_dropped(
    built: Sequence[Interface], lowered: Sequence[Interface], vdsm_files: Mapping[str, ShellFile]
) -> list[Finding]:
    """What the files set on an IP-carrying VDSM device beyond VDSM's model, and the lowering drops."""
    findings: list[Finding] = []
    by_name = {i.name: i for i in lowered}
    for iface in built:
        low = by_name.get(iface.name)
        if low is None or iface.name not in vdsm_files:
            continue
        dropped = []
        for family, mine, theirs in (("ipv4", iface.ipv4, low.ipv4), ("ipv6", iface.ipv6, low.ipv6)):
            if not (mine.enabled and theirs.enabled):
                continue
            default = IpConfig(mine.family, mine.method)
            for attribute, prop in _FILE_ONLY_IP:
                value = getattr(mine, attribute)
                if value != getattr(default, attribute) and value != getattr(theirs, attribute):
                    text = ",".join(value) if isinstance(value, tuple) else str(value).lower()
                    dropped.append(f"{family}.{prop}={text}")
        if dropped:
            findings.append(VDSM_IFCFG_SETTING_DROPPED(
                iface.source, f"{iface.name}: {', '.join(dropped)} not converted (not in VDSM's network model)"))
    return findings


def _dns_missing(networks: Sequence[VdsmNetwork], interfaces: Sequence[Interface]) -> list[Finding]:
    """Pre-4.19 VDSM files carry no DNSn: the static default-route network would clear resolv.conf.

    VDSM's nmstate translation sets the default-route network's name servers as
    the host's, and a static network without any learns none; under
    initscripts the host kept whatever resolv.conf held.
    """
    if any(i.ipv4.dns or i.ipv6.dns for i in interfaces):
        return []
    return [
        VDSM_IFCFG_NO_NAMESERVERS(
            Position(net.source.file, 1),
            f"network {net.name}: {os.path.basename(net.source.file)} has no DNS1..DNS3; NetworkManager would "
            "leave the host without a name server")
        for net in networks
        if net.default_route and net.ipaddr is not None and not net.nameservers
        and not (net.dhcpv6 or net.ipv6autoconf)
    ]


def _carries_network(iface: Interface, doc: ShellFile, vlan_parents: set[str]) -> bool:
    """An IP, or E4's DEFROUTE=/IPV6INIT= pair on a device that is not a VLAN base.

    E4 writes that pair on every file of a network, VLAN bases included; a
    released-NIC stub never has it. An IP-less untagged network on a VLAN
    base cannot be told apart from the base itself, and is recovered only
    when the persisted config or libvirt names it.
    """
    if iface.ipv4.enabled or iface.ipv6.method not in ("disabled", "ignore"):
        return True
    if iface.type is InterfaceType.BOND or iface.name in vlan_parents:
        return False
    return doc.last("DEFROUTE") is not None and doc.last("IPV6INIT") is not None


def _network(
    name: str,
    top: Interface,
    port: Optional[Interface],
    by_name: Mapping[str, Interface],
    routes: Sequence[Route],
    doc: ShellFile,
    bridged: bool,
) -> VdsmNetwork:
    nic = bonding = None
    vlan = None
    if port is not None:
        base_name = port.name
        if port.vlan is not None:
            vlan = port.vlan.id
            base_name = port.vlan.parent
        base = by_name.get(base_name)
        if base is not None and base.type is InterfaceType.BOND:
            bonding = base_name
        else:
            nic = base_name
    ipv4, ipv6 = top.ipv4, top.ipv6
    address = ipv4.addresses[0] if ipv4.addresses else None
    v6 = ipv6.addresses[0] if ipv6.addresses else None
    custom: tuple[tuple[str, str], ...] = ()
    bridge_opts = doc.get("BRIDGING_OPTS") if bridged else None
    if bridge_opts:
        custom = (("bridge_opts", " ".join(sorted(bridge_opts.split()))),)
    return VdsmNetwork(
        name=name,
        nic=nic,
        bonding=bonding,
        vlan=vlan,
        bridged=bridged,
        stp=bool(top.bridge and top.bridge.stp),
        mtu=top.mtu or 1500,
        bootproto="dhcp" if ipv4.method == "auto" else "none",
        ipaddr=address.address if address else None,
        netmask=prefix_to_netmask(address.prefix) if address else None,
        gateway=ipv4.gateway or _source_route_gateway(top.name, address.address if address else None, routes),
        ipv6addr=f"{v6.address}/{v6.prefix}" if v6 else None,
        ipv6gateway=ipv6.gateway,
        ipv6autoconf=ipv6.method == "auto",
        # DHCPV6C=yes beside IPV6_AUTOCONF=yes reads as method auto; with IPv6 off it means nothing
        dhcpv6=ipv6.method == "dhcp" or (ipv6.method == "auto" and (doc.get("DHCPV6C") or "").lower() == "yes"),
        default_route=not ipv4.never_default and (ipv4.gateway is not None or ipv4.method == "auto"),
        nameservers=ipv4.dns + ipv6.dns,
        custom=custom,
        source=top.source,
        positions=_positions(doc),
    )


_KEYS = (("ipaddr", "IPADDR"), ("netmask", "NETMASK"), ("gateway", "GATEWAY"), ("bootproto", "BOOTPROTO"),
         ("mtu", "MTU"), ("stp", "STP"), ("ipv6addr", "IPV6ADDR"), ("ipv6gateway", "IPV6_DEFAULTGW"),
         ("ipv6autoconf", "IPV6_AUTOCONF"), ("dhcpv6", "DHCPV6C"), ("defaultRoute", "DEFROUTE"),
         ("nameservers", "DNS1"), ("custom.bridge_opts", "BRIDGING_OPTS"))


def _positions(doc: ShellFile) -> tuple[tuple[str, Position], ...]:
    """Where the top device's file says each attribute, so findings about a network name the line."""
    out = []
    for attribute, key in _KEYS:
        assignment = doc.last(key)
        if assignment is not None:
            out.append((attribute, assignment.position))
    return tuple(out)


def _bond(iface: Interface, interfaces: Sequence[Interface], doc: ShellFile) -> VdsmBond:
    nics = tuple(sorted(i.name for i in interfaces if i.controller == iface.name
                        and i.port_type is PortType.BOND))
    return VdsmBond(
        name=iface.name,
        nics=nics,
        options=doc.get("BONDING_OPTS") or "",
        hwaddr=iface.cloned_mac_address,
        source=iface.source,
    )


def _source_route_gateway(top: str, address: Optional[str], routes: Sequence[Route]) -> Optional[str]:
    """A non-default network's gateway lives only in its ifcfg-era source-routing table (§1.7)."""
    table = int(ipaddress.IPv4Address(address)) if address else None
    candidates = [r for r in routes if r.interface == top and r.destination == "0.0.0.0/0"
                  and r.table not in (None, MAIN_TABLE)]
    exact = [r for r in candidates if r.table == table]
    chosen = exact or candidates
    return chosen[0].gateway if chosen else None
