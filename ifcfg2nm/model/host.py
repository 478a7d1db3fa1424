"""The normalized model of a whole host's network configuration.

Both sources (the ifcfg tree and VDSM's persisted JSON) are lowered into this
one model; both outputs (nmstate state and NetworkManager keyfiles) leave from
it. Everything is immutable and carries the position it came from, so every
finding can name file:line. Values are already resolved: defaults applied,
names canonical, addresses in canonical text form.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

from ifcfg2nm.findings import Finding, Position

NOWHERE = Position("")

Pairs = tuple[tuple[str, str], ...]
"""Ordered key/value pairs (bond options, bridge options, extra properties)."""


class InterfaceType(str, enum.Enum):
    ETHERNET = "ethernet"
    BOND = "bond"
    BRIDGE = "bridge"
    VLAN = "vlan"
    INFINIBAND = "infiniband"
    OVS_BRIDGE = "ovs-bridge"
    OVS_PORT = "ovs-port"
    OVS_INTERFACE = "ovs-interface"


class PortType(str, enum.Enum):
    BRIDGE = "bridge"
    BOND = "bond"
    OVS_PORT = "ovs-port"
    OVS_BRIDGE = "ovs-bridge"


@dataclass(frozen=True)
class IpAddress:
    address: str
    """Canonical text form (``192.0.2.1``, ``2001:db8::1``)."""
    prefix: int

    def __str__(self) -> str:
        return f"{self.address}/{self.prefix}"


@dataclass(frozen=True)
class IpConfig:
    """IPv4 or IPv6 configuration of one interface, NetworkManager-shaped.

    ``method`` uses NetworkManager's names: IPv4 ``disabled``, ``manual``,
    ``auto`` (DHCP), ``link-local``, ``shared``; IPv6 additionally ``ignore``
    (leave the kernel alone), ``auto`` (SLAAC, plus DHCPv6 when the RA says so)
    and ``dhcp`` (DHCPv6 only).
    """

    family: int
    method: str
    addresses: tuple[IpAddress, ...] = ()
    gateway: Optional[str] = None
    """The default gateway in the main table. Convention: a main-table default
    route is always expressed here, never as a ``Route`` (as NetworkManager does)."""
    never_default: bool = False
    may_fail: bool = True
    route_metric: Optional[int] = None
    route_table: Optional[int] = None
    dns: tuple[str, ...] = ()
    dns_search: tuple[str, ...] = ()
    dns_options: tuple[str, ...] = ()
    ignore_auto_dns: bool = False
    ignore_auto_routes: bool = False
    dhcp_hostname: Optional[str] = None
    dhcp_send_hostname: Optional[bool] = None
    dhcp_client_id: Optional[str] = None
    extra: Pairs = ()
    """Further NetworkManager properties of this setting, as keyfile text (``addr-gen-mode``, ``ip6-privacy`` …)."""

    @property
    def enabled(self) -> bool:
        return self.method not in ("disabled", "ignore")


IPV4_DISABLED = IpConfig(4, "disabled")
IPV6_DISABLED = IpConfig(6, "disabled")


@dataclass(frozen=True)
class BondSettings:
    mode: str
    """Kernel mode name (``balance-rr`` … ``balance-alb``, ``802.3ad``)."""
    options: Pairs = ()
    """Other kernel bonding options, name to value text, in canonical order (sorted)."""


@dataclass(frozen=True)
class BridgeSettings:
    stp: bool
    """Always explicit: NetworkManager's default (on) differs from ifcfg's (off)."""
    forward_delay: Optional[int] = None
    hello_time: Optional[int] = None
    max_age: Optional[int] = None
    priority: Optional[int] = None
    ageing_time: Optional[int] = None
    options: Pairs = ()
    """Further bridge options by NetworkManager property name (``multicast-snooping`` …)."""


@dataclass(frozen=True)
class BridgePortSettings:
    priority: Optional[int] = None
    path_cost: Optional[int] = None
    hairpin_mode: Optional[bool] = None


@dataclass(frozen=True)
class VlanSettings:
    id: int
    parent: str
    flags: tuple[str, ...] = ("reorder-headers",)
    """Subset of ``reorder-headers``, ``gvrp``, ``loose-binding``, ``mvrp`` that is on;
    the kernel's and NetworkManager's default is reorder-headers alone."""
    protocol: Optional[str] = None
    ingress_priority_map: tuple[str, ...] = ()
    egress_priority_map: tuple[str, ...] = ()


@dataclass(frozen=True)
class EthernetSettings:
    auto_negotiate: Optional[bool] = None
    speed: Optional[int] = None
    duplex: Optional[str] = None
    wake_on_lan: Optional[str] = None
    """NetworkManager's wake-on-lan flags text (``magic``, ``ignore``, ``none`` = disabled …)."""


@dataclass(frozen=True)
class OvsSettings:
    bridge: Optional[str] = None
    """The OVS bridge an ovs-port/ovs-interface belongs to."""
    vlan_tag: Optional[int] = None
    """Access VLAN tag of an ovs-port."""
    external_ids: Pairs = ()


@dataclass(frozen=True)
class Interface:
    """One NetworkManager connection profile and the device it configures."""

    name: str
    type: InterfaceType
    profile_id: str
    """``connection.id``."""
    uuid: str
    autoconnect: bool = True
    mtu: Optional[int] = None
    controller: Optional[str] = None
    port_type: Optional[PortType] = None
    mac_address: Optional[str] = None
    """Permanent MAC the profile is bound to (ifcfg ``HWADDR``)."""
    cloned_mac_address: Optional[str] = None
    """MAC to set on the device (ifcfg ``MACADDR``, VDSM bond ``hwaddr``)."""
    ipv4: IpConfig = IPV4_DISABLED
    ipv6: IpConfig = IPV6_DISABLED
    bond: Optional[BondSettings] = None
    bridge: Optional[BridgeSettings] = None
    bridge_port: Optional[BridgePortSettings] = None
    vlan: Optional[VlanSettings] = None
    ethernet: Optional[EthernetSettings] = None
    ethtool: Pairs = ()
    """NetworkManager ethtool properties (``feature-tso`` → ``false``, ``ring-rx`` → ``512`` …)."""
    ovs: Optional[OvsSettings] = None
    network: Optional[str] = None
    """The VDSM logical network this interface serves, if any."""
    source: Position = NOWHERE
    extra: Pairs = ()
    """Further NetworkManager properties as ``setting.property`` → keyfile text."""

    @property
    def is_port(self) -> bool:
        return self.controller is not None


@dataclass(frozen=True)
class Route:
    """A static route other than the main-table default route (that one is ``IpConfig.gateway``)."""

    destination: str
    """CIDR network, ``0.0.0.0/0``/``::/0`` for the default route."""
    interface: str
    """Next-hop interface; the route lives in this interface's profile."""
    gateway: Optional[str] = None
    metric: Optional[int] = None
    table: Optional[int] = None
    """None = the profile's table (main unless ``route_table`` says otherwise)."""
    type: str = "unicast"
    source_address: Optional[str] = None
    onlink: bool = False
    options: Pairs = ()
    """Further attributes by NetworkManager name (``mtu``, ``window``, ``lock-mtu`` …)."""
    absent: bool = False
    """VDSM's translation removes this route (a non-default network's gateway in the main table)."""
    source: Position = NOWHERE

    @property
    def family(self) -> int:
        return 6 if ":" in self.destination else 4


@dataclass(frozen=True)
class RoutingRule:
    family: int
    priority: Optional[int] = None
    table: Optional[int] = None
    source_prefix: Optional[str] = None
    """``from`` as CIDR, None for all."""
    destination_prefix: Optional[str] = None
    """``to`` as CIDR, None for all."""
    iif: Optional[str] = None
    oif: Optional[str] = None
    fwmark: Optional[int] = None
    fwmask: Optional[int] = None
    tos: Optional[int] = None
    action: str = "table"
    invert: bool = False
    interface: Optional[str] = None
    """The profile that carries the rule (NetworkManager keeps rules per profile)."""
    source: Position = NOWHERE


@dataclass(frozen=True)
class DnsConfig:
    servers: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class VdsmNetwork:
    """A VDSM logical network in VDSM's canonical (≥ 4.20) form."""

    name: str
    nic: Optional[str] = None
    bonding: Optional[str] = None
    vlan: Optional[int] = None
    bridged: bool = True
    stp: bool = False
    mtu: int = 1500
    bootproto: str = "none"
    ipaddr: Optional[str] = None
    netmask: Optional[str] = None
    gateway: Optional[str] = None
    ipv6addr: Optional[str] = None
    """Compressed, always with ``/len``."""
    ipv6gateway: Optional[str] = None
    ipv6autoconf: bool = False
    dhcpv6: bool = False
    default_route: bool = False
    nameservers: tuple[str, ...] = ()
    switch: str = "legacy"
    custom: Pairs = ()
    source: Position = NOWHERE
    host_qos: Pairs = ()
    """``hostQos`` flattened to dotted keys (``out.ul.m2`` → ``"100000"``); VDSM applied it
    with tc, outside NetworkManager."""
    extras: Pairs = ()
    """Keys VDSM's canonical form does not know, kept (value as JSON text) for audits."""
    positions: tuple[tuple[str, Position], ...] = field(default=(), compare=False)
    """Where each attribute came from, by canonical key (``ipaddr``, ``custom.bridge_opts`` …)."""

    def position_of(self, key: str) -> Position:
        """The position of an attribute, else of the whole network."""
        for name, position in self.positions:
            if name == key:
                return position
        return self.source

    @property
    def southbound(self) -> Optional[str]:
        """The NIC or bond the network sits on (None for a nic-less network)."""
        return self.nic or self.bonding

    @property
    def vlan_device(self) -> Optional[str]:
        base = self.southbound
        return f"{base}.{self.vlan}" if base is not None and self.vlan is not None else None

    @property
    def top_device(self) -> str:
        """The device carrying the network's IP (VDSM's ``next_hop_interface``)."""
        if self.bridged or self.switch == "ovs":
            return self.name
        return self.vlan_device or self.southbound or self.name


@dataclass(frozen=True)
class VdsmBond:
    name: str
    nics: tuple[str, ...] = ()
    options: str = ""
    """Space-separated ``k=v``: as persisted, or canonical (``mode=<name>`` first, the rest
    sorted, see ``bonding.format_bond_options``) once canonicalized."""
    hwaddr: Optional[str] = None
    switch: str = "legacy"
    source: Position = NOWHERE
    positions: tuple[tuple[str, Position], ...] = field(default=(), compare=False)
    """Where each attribute came from (``nics``, ``options``, ``hwaddr`` …)."""

    def position_of(self, key: str) -> Position:
        for name, position in self.positions:
            if name == key:
                return position
        return self.source


@dataclass(frozen=True)
class HostConfig:
    """One host's whole network configuration, from one source."""

    origin: str
    """``ifcfg`` or ``persisted``."""
    interfaces: tuple[Interface, ...] = ()
    routes: tuple[Route, ...] = ()
    rules: tuple[RoutingRule, ...] = ()
    dns: DnsConfig = DnsConfig()
    networks: tuple[VdsmNetwork, ...] = ()
    bonds: tuple[VdsmBond, ...] = ()
    findings: tuple[Finding, ...] = field(default=(), compare=False)

    def interface(self, name: str) -> Optional[Interface]:
        for iface in self.interfaces:
            if iface.name == name:
                return iface
        return None
