"""Canonical VDSM networks and bonds → interfaces, routes, rules and DNS (a HostConfig).

This reproduces what VDSM's nmstate-era translation (``lib/vdsm/network/
nmstate/``, spec/vdsm-formats.md §5) applies to a host with no prior network
configuration, expressed as NetworkManager-shaped profiles:

* southbound NIC or bond: ``up``, the largest MTU of its networks, IP disabled
  unless an untagged bridgeless network puts its IP there; bond ports get the
  bond's MTU; bond ``hwaddr`` becomes the cloned MAC;
* VLAN ``<base>.<vid>``, bridge named after the network with explicit STP,
  MTU on every layer;
* IP on the bridge (ports IP-less) or on the top device when bridgeless;
  DHCP uses route table 254 for the default-route network, else
  ``adler32(next hop)``;
* the default-route network's gateway in the main table (``IpConfig.gateway``),
  any other network's gateway as an *absent* main-table route;
* DNS only from the default-route network;
* source routing for static networks with a gateway: table
  ``zlib.adler32(next_hop)``, rules ``from``/``to`` the subnet at priority
  3200, subnet route with next hop 0.0.0.0 (v4.50.6.1+);
* OVS flavour for ``switch: ovs`` (§5.8).

Live state (current MACs to pin, present NICs, current MTUs) is the upgrade's
business; only pure-data availability rules are applied here (a network whose
bond is not persisted is skipped, as VDSM's restore did).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model.bonding import parse_bond_options
from ifcfg2nm.model.host import (
    IPV4_DISABLED,
    IPV6_DISABLED,
    BridgeSettings,
    DnsConfig,
    HostConfig,
    Interface,
    InterfaceType,
    IpAddress,
    IpConfig,
    OvsSettings,
    PortType,
    Route,
    RoutingRule,
    VdsmBond,
    VdsmNetwork,
    VlanSettings,
)
from ifcfg2nm.model.identity import stable_uuid

SOURCE_ROUTE_PRIORITY = 3200
MAIN_TABLE = 254
OVS_BRIDGE_PREFIX = "vdsmbr_"
OVS_PORT_PREFIX = "ovs-port-"
"""nmstate's name for the ovs-port profile of an interface."""

VDSM_BOND_MISSING = define(
    "VDSM_BOND_MISSING", Severity.ERROR, "network on a bond that is not persisted",
    "VDSM's restore skipped such a network; persist the bond (bonds/<name>) or move the network.",
)
VDSM_BOND_UNUSABLE = define(
    "VDSM_BOND_UNUSABLE", Severity.ERROR, "network on a bond without NICs",
    "VDSM's restore skipped the bond and its networks; give the bond its NICs.",
)
VDSM_DUPLICATE_INTERFACE = define(
    "VDSM_DUPLICATE_INTERFACE", Severity.ERROR, "two networks need the same interface differently",
    "Only the first definition is kept; fix the conflicting networks.",
)
VDSM_BRIDGE_OPT_UNMAPPED = define(
    "VDSM_BRIDGE_OPT_UNMAPPED", Severity.WARNING,
    "bridge option with no NetworkManager property",
    "VDSM wrote it to sysfs after every restore; NetworkManager will not apply it.",
)
VDSM_BRIDGE_OPT_MAPPED = define(
    "VDSM_BRIDGE_OPT_MAPPED", Severity.INFO,
    "bridge sysfs option mapped to a NetworkManager property",
    "VDSM applied bridge_opts through sysfs, outside nmstate; NetworkManager now keeps them.",
)
VDSM_BRIDGE_OPTS_BRIDGELESS = define(
    "VDSM_BRIDGE_OPTS_BRIDGELESS", Severity.INFO, "bridge_opts on a network without a bridge",
    "VDSM applied bridge options only to bridges; they are ignored here too.",
)
VDSM_ETHTOOL_OPTS = define(
    "VDSM_ETHTOOL_OPTS", Severity.WARNING, "custom.ethtool_opts is not migrated",
    "VDSM's ethtool hook applied it; express it as NetworkManager ethtool settings by hand.",
)
VDSM_CUSTOM_PROPERTY = define(
    "VDSM_CUSTOM_PROPERTY", Severity.INFO, "custom network property for VDSM hooks",
    "Hooks do not run under NetworkManager; check whether the hook's effect is still needed.",
)
VDSM_HOST_QOS = define(
    "VDSM_HOST_QOS", Severity.WARNING, "host QoS is not migrated",
    "VDSM shaped traffic with tc (hfsc) outside NetworkManager; re-create it by other means.",
)
VDSM_DNS_FAMILY_DISABLED = define(
    "VDSM_DNS_FAMILY_DISABLED", Severity.WARNING,
    "name server of an IP family the default-route network does not enable",
    "NetworkManager keeps name servers per IP family of a profile; this one stays global only.",
)
VDSM_DHCP_SOURCE_ROUTING = define(
    "VDSM_DHCP_SOURCE_ROUTING", Severity.WARNING,
    "DHCP routes of a non-default-route network go to its own table",
    "VDSM's DHCP monitor added the from/to rules for that table after each lease; "
    "NetworkManager will not, so add routing rules for the leased subnet if they are needed.",
)
VDSM_IPV6_DEFAULT_ROUTE_DROPPED = define(
    "VDSM_IPV6_DEFAULT_ROUTE_DROPPED", Severity.WARNING,
    "the IPv6 gateway of a network that is not the default-route network installs no default route",
    "initscripts installed an IPv6 default route through it (IPV6_DEFAULTGW); VDSM's nmstate translation, "
    "and so the converted profile, does not. Make it the default-route network, or add the route by hand.",
)
VDSM_OVS_LINUX_BOND = define(
    "VDSM_OVS_LINUX_BOND", Severity.INFO, "bond under an OVS bridge is a kernel bond",
    "VDSM attached its bonds to OVS bridges as ports; the same is done here.",
)


def lower_vdsm(
    networks: Iterable[VdsmNetwork],
    bonds: Iterable[VdsmBond],
    findings: Iterable[Finding] = (),
) -> HostConfig:
    """The whole HostConfig (origin ``persisted``) VDSM's translation would apply."""
    out: list[Finding] = list(findings)
    bond_by_name = {b.name: b for b in bonds}
    nets: list[VdsmNetwork] = []
    for net in sorted(networks, key=lambda n: n.name):
        if net.bonding is not None:
            bond = bond_by_name.get(net.bonding)
            if bond is None:
                out.append(VDSM_BOND_MISSING(
                    net.position_of("bonding"),
                    f"network {net.name} is skipped: bond {net.bonding} has no bonds/ entry"))
                continue
            if not bond.nics:
                out.append(VDSM_BOND_UNUSABLE(
                    net.position_of("bonding"),
                    f"network {net.name} is skipped: bond {net.bonding} has no NICs"))
                continue
        nets.append(net)
    used_bonds = [b for b in sorted(bond_by_name.values(), key=lambda b: b.name) if b.nics]

    ifaces: dict[str, Interface] = {}

    def put(iface: Interface) -> None:
        if iface.name in ifaces:
            out.append(VDSM_DUPLICATE_INTERFACE(
                iface.source, f"interface {iface.name} is defined twice; the first is kept"))
            return
        ifaces[iface.name] = iface

    users: dict[str, list[VdsmNetwork]] = {}
    for net in nets:
        if net.southbound is not None:
            users.setdefault(net.southbound, []).append(net)

    dns_servers: list[str] = []
    routes: list[Route] = []
    rules: list[RoutingRule] = []
    blocks: dict[str, tuple[IpConfig, IpConfig]] = {}
    for net in nets:
        v4, v6 = ip_configs(net)
        if net.default_route:
            v4, v6, dns_found = _with_dns(net, v4, v6)
            out.extend(dns_found)
            dns_servers.extend(net.nameservers)
        blocks[net.name] = (v4, v6)

    # bonds (and their ports), whether or not networks use them
    for bond in used_bonds:
        bond_settings, found = parse_bond_options(bond.options, bond.position_of("options"))
        out.extend(found)
        nets_on = users.get(bond.name, [])
        mtu = max((n.mtu for n in nets_on), default=1500)
        if any(n.switch == "ovs" for n in nets_on):
            out.append(VDSM_OVS_LINUX_BOND(bond.source, f"bond {bond.name} is a port of an "
                                                         "OVS bridge"))
        put(replace(_base(bond.name, InterfaceType.BOND, mtu, nets_on, blocks, bond.source),
                    bond=bond_settings, cloned_mac_address=bond.hwaddr))
        for nic in bond.nics:
            put(Interface(name=nic, type=InterfaceType.ETHERNET, profile_id=nic,
                          uuid=stable_uuid(nic), mtu=mtu, controller=bond.name,
                          port_type=PortType.BOND, source=bond.position_of("nics")))

    # southbound NICs
    for base, nets_on in sorted(users.items()):
        if base in bond_by_name:
            continue
        mtu = max(n.mtu for n in nets_on)
        put(_base(base, InterfaceType.ETHERNET, mtu, nets_on, blocks,
                  nets_on[0].position_of("nic")))

    # OVS bridges: one per southbound (or per nic-less network)
    ovs_nets = [n for n in nets if n.switch == "ovs"]
    mappings = ",".join(sorted(f"{n.name}:{ovs_bridge_name(n.southbound or n.name)}"
                               for n in ovs_nets))
    for key in sorted({n.southbound or n.name for n in ovs_nets}):
        bridge = ovs_bridge_name(key)
        on_bridge = [n for n in ovs_nets if (n.southbound or n.name) == key]
        only = on_bridge[0].name if len(on_bridge) == 1 else None
        put(Interface(name=bridge, type=InterfaceType.OVS_BRIDGE, profile_id=bridge,
                      uuid=stable_uuid(bridge), ovs=OvsSettings(
                          external_ids=(("ovn-bridge-mappings", mappings),)),
                      network=only, source=on_bridge[0].source))
        if on_bridge[0].southbound is not None:
            port = OVS_PORT_PREFIX + key
            put(Interface(name=port, type=InterfaceType.OVS_PORT, profile_id=port,
                          uuid=stable_uuid(port), controller=bridge,
                          port_type=PortType.OVS_BRIDGE, ovs=OvsSettings(bridge=bridge),
                          network=only, source=on_bridge[0].source))

    for net in nets:
        top = net.top_device
        v4, v6 = blocks[net.name]
        out.extend(_not_migrated(net))
        if net.ipv6gateway is not None and not net.default_route:
            out.append(VDSM_IPV6_DEFAULT_ROUTE_DROPPED(
                net.position_of("ipv6gateway"),
                f"network {net.name}: no IPv6 default route via {net.ipv6gateway} on {top} (not the "
                "default-route network), as in VDSM's nmstate translation; initscripts installed one"))
        tables = {c.route_table for c in (v4, v6) if c.method in ("auto", "dhcp")}
        for table in sorted(t for t in tables if t not in (None, MAIN_TABLE)):
            out.append(VDSM_DHCP_SOURCE_ROUTING(
                net.position_of("bootproto") if v4.method == "auto" else net.source,
                f"network {net.name}: DHCP routes go to table {table} on {top}; no rule "
                "selects that table until VDSM's lease-time rules are recreated"))
        if net.switch == "ovs":
            bridge = ovs_bridge_name(net.southbound or net.name)
            port = OVS_PORT_PREFIX + net.name
            put(Interface(name=port, type=InterfaceType.OVS_PORT, profile_id=port,
                          uuid=stable_uuid(port), controller=bridge,
                          port_type=PortType.OVS_BRIDGE,
                          ovs=OvsSettings(bridge=bridge, vlan_tag=net.vlan), network=net.name,
                          source=net.source))
            put(Interface(name=net.name, type=InterfaceType.OVS_INTERFACE, profile_id=net.name,
                          uuid=stable_uuid(net.name), mtu=net.mtu, controller=port,
                          port_type=PortType.OVS_PORT, ipv4=v4, ipv6=v6, network=net.name,
                          source=net.source))
        else:
            if net.vlan_device is not None and net.southbound is not None:
                assert net.vlan is not None
                put(Interface(
                    name=net.vlan_device, type=InterfaceType.VLAN, profile_id=net.vlan_device,
                    uuid=stable_uuid(net.vlan_device), mtu=net.mtu,
                    controller=net.name if net.bridged else None,
                    port_type=PortType.BRIDGE if net.bridged else None,
                    ipv4=IPV4_DISABLED if net.bridged else v4,
                    ipv6=IPV6_DISABLED if net.bridged else v6,
                    vlan=VlanSettings(id=net.vlan, parent=net.southbound),
                    network=net.name, source=net.position_of("vlan")))
            if net.bridged:
                settings, found = bridge_settings(
                    net.stp, dict(net.custom).get("bridge_opts", ""),
                    net.position_of("custom.bridge_opts"), net.name)
                out.extend(found)
                put(Interface(name=net.name, type=InterfaceType.BRIDGE, profile_id=net.name,
                              uuid=stable_uuid(net.name), mtu=net.mtu, ipv4=v4, ipv6=v6,
                              bridge=settings, network=net.name, source=net.source))
        net_routes, net_rules = routing(net, top)
        routes.extend(net_routes)
        rules.extend(net_rules)

    return HostConfig(
        origin="persisted",
        interfaces=tuple(ifaces[name] for name in sorted(ifaces)),
        routes=tuple(routes),
        rules=tuple(rules),
        dns=DnsConfig(servers=tuple(dns_servers)),
        networks=tuple(nets),
        bonds=tuple(used_bonds),
        findings=tuple(out),
    )


def _base(
    name: str, itype: InterfaceType, mtu: int, nets_on: Sequence[VdsmNetwork],
    blocks: dict[str, tuple[IpConfig, IpConfig]], source: Position,
) -> Interface:
    """A southbound NIC or bond: a bridge or OVS port, the IP carrier, or IP-less under VLANs."""
    untagged = next((n for n in nets_on if n.vlan is None and n.switch != "ovs"), None)
    served = untagged.name if untagged is not None else (
        nets_on[0].name if len(nets_on) == 1 else None)
    iface = Interface(name=name, type=itype, profile_id=name, uuid=stable_uuid(name), mtu=mtu,
                      network=served, source=source)
    if any(n.switch == "ovs" for n in nets_on):
        return replace(iface, controller=OVS_PORT_PREFIX + name, port_type=PortType.OVS_PORT)
    if untagged is not None and untagged.bridged:
        return replace(iface, controller=untagged.name, port_type=PortType.BRIDGE)
    if untagged is not None:
        v4, v6 = blocks[untagged.name]
        return replace(iface, ipv4=v4, ipv6=v6)
    return iface


def ovs_bridge_name(southbound: str) -> str:
    """``vdsmbr_`` + 8 characters derived from the southbound name (VDSM used random ones)."""
    return OVS_BRIDGE_PREFIX + hashlib.sha256(southbound.encode("utf-8")).hexdigest()[:8]


def route_table(next_hop: str) -> int:
    """VDSM's source-routing table id: ``zlib.adler32`` of the next-hop interface name."""
    return zlib.adler32(next_hop.encode("utf-8"))


def _subnet(net: VdsmNetwork) -> Optional[str]:
    if net.ipaddr is None or net.netmask is None:
        return None
    return _network_of(net.ipaddr, net.netmask)


@functools.lru_cache(maxsize=4096)
def _network_of(ipaddr: str, netmask: str) -> str:
    """Cached, as the other address helpers: each host's subnet is computed by several stages."""
    return str(ipaddress.IPv4Interface(f"{ipaddr}/{netmask}").network)


@functools.lru_cache(maxsize=256)
def _netmask_length(netmask: str) -> int:
    return ipaddress.IPv4Network(f"0.0.0.0/{netmask}").prefixlen


def ip_configs(net: VdsmNetwork) -> tuple[IpConfig, IpConfig]:
    """The IPv4 and IPv6 blocks of a network's top device (§5.4), gateways per §5.5."""
    table = MAIN_TABLE if net.default_route else route_table(net.top_device)
    auto_dns = net.default_route and not net.nameservers
    if net.ipaddr is not None and net.netmask is not None:
        prefix = _netmask_length(net.netmask)
        v4 = IpConfig(4, "manual", (IpAddress(net.ipaddr, prefix),),
                      gateway=net.gateway if net.default_route else None)
    elif net.bootproto == "dhcp":
        v4 = IpConfig(4, "auto", route_table=table, ignore_auto_dns=not auto_dns, dhcp_client_id="mac")
    else:
        v4 = IPV4_DISABLED
    if net.ipv6addr is not None:
        iface = ipaddress.IPv6Interface(net.ipv6addr)
        v6 = IpConfig(6, "manual", (IpAddress(iface.ip.compressed, iface.network.prefixlen),),
                      gateway=net.ipv6gateway if net.default_route else None)
    elif net.dhcpv6 or net.ipv6autoconf:
        v6 = IpConfig(6, "auto" if net.ipv6autoconf else "dhcp", route_table=table,
                      ignore_auto_dns=not auto_dns)
    else:
        v6 = IPV6_DISABLED
    return v4, v6


def _with_dns(
    net: VdsmNetwork, v4: IpConfig, v6: IpConfig
) -> tuple[IpConfig, IpConfig, list[Finding]]:
    """Put the default-route network's name servers on its profile, per IP family."""
    findings: list[Finding] = []
    v4_dns = tuple(s for s in net.nameservers if ":" not in s)
    v6_dns = tuple(s for s in net.nameservers if ":" in s)
    for servers, config, family in ((v4_dns, v4, 4), (v6_dns, v6, 6)):
        if servers and not config.enabled:
            findings.append(VDSM_DNS_FAMILY_DISABLED(
                net.position_of("nameservers"),
                f"network {net.name}: IPv{family} name servers {', '.join(servers)} on a network "
                f"without IPv{family}"))
    if v4.enabled:
        v4 = replace(v4, dns=v4_dns)
    if v6.enabled:
        v6 = replace(v6, dns=v6_dns)
    return v4, v6, findings


def routing(net: VdsmNetwork, top: str) -> tuple[list[Route], list[RoutingRule]]:
    """Absent main-table gateways of non-default networks, and IPv4 source routing (§5.5, §5.7)."""
    routes: list[Route] = []
    rules: list[RoutingRule] = []
    gw_pos = net.position_of("gateway")
    if net.gateway is not None and not net.default_route:
        routes.append(Route("0.0.0.0/0", top, gateway=net.gateway, absent=True, source=gw_pos))
    if net.ipv6gateway is not None and not net.default_route:
        routes.append(Route("::/0", top, gateway=net.ipv6gateway, absent=True,
                            source=net.position_of("ipv6gateway")))
    subnet = _subnet(net)
    if net.gateway is not None and subnet is not None:
        table = route_table(top)
        routes.append(Route("0.0.0.0/0", top, gateway=net.gateway, table=table, source=gw_pos))
        routes.append(Route(subnet, top, gateway=None, table=table, source=gw_pos))
        rules.append(RoutingRule(4, priority=SOURCE_ROUTE_PRIORITY, table=table,
                                 source_prefix=subnet, interface=top, source=gw_pos))
        rules.append(RoutingRule(4, priority=SOURCE_ROUTE_PRIORITY, table=table,
                                 destination_prefix=subnet, interface=top, source=gw_pos))
    return routes, rules


def _not_migrated(net: VdsmNetwork) -> list[Finding]:
    """Reports for what VDSM applied outside nmstate (§5.9), except bridge_opts (mapped)."""
    findings: list[Finding] = []
    for key, value in net.custom:
        where = net.position_of(f"custom.{key}")
        if key == "bridge_opts":
            if not net.bridged or net.switch == "ovs":
                findings.append(VDSM_BRIDGE_OPTS_BRIDGELESS(
                    where, f"network {net.name}: bridge_opts {value!r} ignored (no Linux bridge)"))
        elif key == "ethtool_opts":
            findings.append(VDSM_ETHTOOL_OPTS(
                where, f"network {net.name}: ethtool_opts {value!r} is not applied"))
        elif key not in ("default_route", "ovs"):
            findings.append(VDSM_CUSTOM_PROPERTY(
                where, f"network {net.name}: custom property {key}={value!r} is not migrated"))
    if net.host_qos:
        text = " ".join(f"{k}={v}" for k, v in net.host_qos)
        findings.append(VDSM_HOST_QOS(net.position_of("hostQos"),
                                       f"network {net.name}: host QoS {text} is not applied"))
    return findings


# --- bridge options -----------------------------------------------------------------------------

_TIMERS = {
    # sysfs name: (NetworkManager range in seconds); sysfs counts centiseconds
    "forward_delay": (2, 30),
    "hello_time": (1, 10),
    "max_age": (6, 40),
    "ageing_time": (0, 1000000),
}
_NM_BOOL = {
    "multicast_snooping": "multicast-snooping",
    "multicast_querier": "multicast-querier",
    "multicast_query_use_ifaddr": "multicast-query-use-ifaddr",
    "vlan_filtering": "vlan-filtering",
    "vlan_stats_enabled": "vlan-stats-enabled",
}
_NM_INT = {
    # same units on both sides (counts, or centiseconds for the intervals)
    "hash_max": "multicast-hash-max",
    "multicast_last_member_count": "multicast-last-member-count",
    "multicast_startup_query_count": "multicast-startup-query-count",
    "multicast_last_member_interval": "multicast-last-member-interval",
    "multicast_membership_interval": "multicast-membership-interval",
    "multicast_querier_interval": "multicast-querier-interval",
    "multicast_query_interval": "multicast-query-interval",
    "multicast_query_response_interval": "multicast-query-response-interval",
    "multicast_startup_query_interval": "multicast-startup-query-interval",
    "group_fwd_mask": "group-forward-mask",
    "default_pvid": "vlan-default-pvid",
}
_MULTICAST_ROUTER = {"0": "disabled", "1": "auto", "2": "enabled"}
_VLAN_PROTOCOL = {"0x8100": "802.1Q", "0x88a8": "802.1ad", "33024": "802.1Q", "34984": "802.1ad"}


def bridge_settings(
    stp: bool, bridge_opts: str, position: Position, bridge: str
) -> tuple[BridgeSettings, tuple[Finding, ...]]:
    """Bridge settings from STP and a sysfs ``k=v`` option string (VDSM ``bridge_opts``).

    The options are kernel sysfs names and units (``/sys/class/net/<br>/bridge/``,
    timers in centiseconds), as VDSM and initscripts wrote them; they become
    NetworkManager bridge properties where NetworkManager has one, and the rest
    is reported.
    """
    findings: list[Finding] = []
    timers: dict[str, int] = {}
    priority: Optional[int] = None
    options: dict[str, str] = {}
    for word in bridge_opts.split():
        name, sep, value = word.partition("=")
        mapped: Optional[str] = None
        if not sep:
            mapped = None
        elif name in _TIMERS and value.isdigit():
            seconds, rest = divmod(int(value), 100)
            low, high = _TIMERS[name]
            if rest == 0 and low <= seconds <= high:
                timers[name] = seconds
                mapped = f"bridge.{name.replace('_', '-')}={seconds} (seconds)"
        elif name == "priority" and value.isdigit() and int(value) <= 65535:
            priority = int(value)
            mapped = f"bridge.priority={priority}"
        elif name in _NM_BOOL and value in ("0", "1"):
            options[_NM_BOOL[name]] = "true" if value == "1" else "false"
            mapped = f"bridge.{_NM_BOOL[name]}={options[_NM_BOOL[name]]}"
        elif name in _NM_INT and value.isdigit():
            options[_NM_INT[name]] = str(int(value))
            mapped = f"bridge.{_NM_INT[name]}={int(value)}"
        elif name == "multicast_router" and value in _MULTICAST_ROUTER:
            options["multicast-router"] = _MULTICAST_ROUTER[value]
            mapped = f"bridge.multicast-router={_MULTICAST_ROUTER[value]}"
        elif name == "vlan_protocol" and value.lower() in _VLAN_PROTOCOL:
            options["vlan-protocol"] = _VLAN_PROTOCOL[value.lower()]
            mapped = f"bridge.vlan-protocol={options['vlan-protocol']}"
        elif name == "group_addr" and len(value.split(":")) == 6:
            options["group-address"] = value.upper()
            mapped = f"bridge.group-address={value.upper()}"
        if mapped is None:
            findings.append(VDSM_BRIDGE_OPT_UNMAPPED(
                position, f"bridge {bridge}: option {word} has no NetworkManager equivalent "
                          "(or its value is out of NetworkManager's range)"))
        else:
            findings.append(VDSM_BRIDGE_OPT_MAPPED(
                position, f"bridge {bridge}: {word} becomes {mapped}"))
    settings = BridgeSettings(
        stp=stp,
        forward_delay=timers.get("forward_delay"),
        hello_time=timers.get("hello_time"),
        max_age=timers.get("max_age"),
        priority=priority,
        ageing_time=timers.get("ageing_time"),
        options=tuple(sorted(options.items())),
    )
    return settings, tuple(findings)
