"""Hand-built host models for the nmstate emitter tests, shaped as VDSM's translation
(spec/vdsm-formats.md §5) and the ifcfg loader would produce them.

Each ``*_host()`` is one scenario; :data:`ALL` names them for the oracle tests.
"""

from __future__ import annotations

import zlib
from typing import Callable

from ifcfg2nm.model.host import (
    BondSettings,
    BridgePortSettings,
    BridgeSettings,
    DnsConfig,
    EthernetSettings,
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

ETH = InterfaceType.ETHERNET


def table(next_hop: str) -> int:
    """VDSM's source-routing table for a next-hop interface (§5.7)."""
    return zlib.adler32(next_hop.encode())


def iface(name: str, type: InterfaceType = ETH, **kwargs: object) -> Interface:
    return Interface(name, type, name, stable_uuid(name), **kwargs)  # type: ignore[arg-type]


def port(name: str, controller: str, port_type: PortType, **kwargs: object) -> Interface:
    return iface(name, ETH, controller=controller, port_type=port_type, **kwargs)


def static4(address: str, prefix: int, gateway: str | None = None, **kwargs: object) -> IpConfig:
    return IpConfig(4, "manual", (IpAddress(address, prefix),), gateway=gateway, **kwargs)  # type: ignore[arg-type]


def source_routing(top: str, gateway: str, subnet: str) -> tuple[tuple[Route, ...], tuple[RoutingRule, ...]]:
    """VDSM ≥ 4.50.6.1 source routing of a static network with a gateway (§5.7)."""
    t = table(top)
    routes = (Route("0.0.0.0/0", top, gateway=gateway, table=t),
              Route(subnet, top, gateway="0.0.0.0", table=t))
    rules = (RoutingRule(4, priority=3200, table=t, source_prefix=subnet, interface=top),
             RoutingRule(4, priority=3200, table=t, destination_prefix=subnet, interface=top))
    return routes, rules


MGMT_MAC = "52:54:00:0a:00:01"


def ovirtmgmt_host() -> HostConfig:
    """§5.10 first example: static management bridge on eth0, default route, DNS."""
    routes, rules = source_routing("ovirtmgmt", "192.168.1.1", "192.168.1.0/24")
    return HostConfig(
        origin="persisted",
        interfaces=(
            port("eth0", "ovirtmgmt", PortType.BRIDGE, mtu=1500, network="ovirtmgmt"),
            iface("ovirtmgmt", InterfaceType.BRIDGE, mtu=1500, cloned_mac_address=MGMT_MAC,
                  bridge=BridgeSettings(stp=False), network="ovirtmgmt",
                  ipv4=static4("192.168.1.10", 24, "192.168.1.1", dns=("192.168.1.2", "8.8.8.8"))),
        ),
        routes=routes,
        rules=rules,
        networks=(VdsmNetwork("ovirtmgmt", nic="eth0", ipaddr="192.168.1.10",
                              netmask="255.255.255.0", gateway="192.168.1.1", default_route=True,
                              nameservers=("192.168.1.2", "8.8.8.8")),),
    )


def vmnet_host() -> HostConfig:
    """§5.10 second example: VM bridge on bond0.100, jumbo MTU everywhere, no IP."""
    return HostConfig(
        origin="persisted",
        interfaces=(
            iface("bond0", InterfaceType.BOND, mtu=9000,
                  bond=BondSettings("802.3ad", (("miimon", "100"),))),
            iface("bond0.100", InterfaceType.VLAN, mtu=9000, controller="vmnet",
                  port_type=PortType.BRIDGE, vlan=VlanSettings(100, "bond0", ("reorder-headers",))),
            port("eth1", "bond0", PortType.BOND, mtu=9000),
            port("eth2", "bond0", PortType.BOND, mtu=9000),
            iface("vmnet", InterfaceType.BRIDGE, mtu=9000, bridge=BridgeSettings(stp=False),
                  network="vmnet"),
        ),
        networks=(VdsmNetwork("vmnet", bonding="bond0", vlan=100, mtu=9000,
                              custom=(("bridge_opts", "multicast_router=0 multicast_snooping=1"),)),),
        bonds=(VdsmBond("bond0", ("eth1", "eth2"), "mode=4 miimon=100"),),
    )


def storage_vlan_host() -> HostConfig:
    """Bridgeless VLAN network, static IPv4 and IPv6, gateways but not the default route:
    VDSM removes both main-table default routes and source-routes IPv4 (§5.5, §5.7)."""
    routes, rules = source_routing("eth2.20", "10.0.20.1", "10.0.20.0/24")
    absent = (Route("0.0.0.0/0", "eth2.20", gateway="10.0.20.1", absent=True),
              Route("::/0", "eth2.20", gateway="fd00:20::1", absent=True))
    return HostConfig(
        origin="persisted",
        interfaces=(
            iface("eth2", mtu=1500),
            iface("eth2.20", InterfaceType.VLAN, mtu=1500, network="storage",
                  vlan=VlanSettings(20, "eth2", ("reorder-headers",)),
                  ipv4=static4("10.0.20.5", 24),
                  ipv6=IpConfig(6, "manual", (IpAddress("fd00:20::5", 64),))),
        ),
        routes=absent + routes,
        rules=rules,
        networks=(VdsmNetwork("storage", nic="eth2", vlan=20, bridged=False, ipaddr="10.0.20.5",
                              netmask="255.255.255.0", gateway="10.0.20.1",
                              ipv6addr="fd00:20::5/64", ipv6gateway="fd00:20::1"),),
    )


def dhcp_default_host() -> HostConfig:
    """DHCP default-route bridge: auto DNS, main table (254), DNS list emptied (§5.4, §5.6)."""
    return HostConfig(
        origin="persisted",
        interfaces=(
            port("eth0", "ovirtmgmt", PortType.BRIDGE, mtu=1500),
            iface("ovirtmgmt", InterfaceType.BRIDGE, mtu=1500, cloned_mac_address=MGMT_MAC,
                  bridge=BridgeSettings(stp=False), network="ovirtmgmt",
                  ipv4=IpConfig(4, "auto", route_table=254),
                  ipv6=IpConfig(6, "auto", route_table=254)),
        ),
        networks=(VdsmNetwork("ovirtmgmt", nic="eth0", bootproto="dhcp", dhcpv6=True,
                              ipv6autoconf=True, default_route=True),),
    )


def dhcp_other_host() -> HostConfig:
    """DHCP network that is not the default route: its own table, no DNS, no default gateway."""
    t = table("backup")
    return HostConfig(
        origin="persisted",
        interfaces=(
            port("eth3", "backup", PortType.BRIDGE, mtu=1500),
            iface("backup", InterfaceType.BRIDGE, mtu=1500, bridge=BridgeSettings(stp=True),
                  network="backup",
                  ipv4=IpConfig(4, "auto", route_table=t, ignore_auto_dns=True)),
        ),
        networks=(VdsmNetwork("backup", nic="eth3", bootproto="dhcp", stp=True),),
    )


def ipv6_autoconf_host() -> HostConfig:
    """ipv6autoconf without dhcpv6: VDSM's own state would be refused by nmstate 1.2."""
    return HostConfig(
        origin="persisted",
        interfaces=(
            iface("eth4", mtu=1500, network="ra", ipv6=IpConfig(6, "auto", ignore_auto_dns=True,
                                                                  route_table=table("eth4"))),
        ),
        networks=(VdsmNetwork("ra", nic="eth4", bridged=False, ipv6autoconf=True),),
    )


OVS_BRIDGE = "vdsmbr_Ab3dEf9x"


def ovs_host() -> HostConfig:
    """§5.8: one OVS bridge over eth0, the management network as an internal interface,
    a tagged bridgeless network, the bridge mappings external id."""
    routes, rules = source_routing("ovirtmgmt", "192.0.2.1", "192.0.2.0/24")
    ovs_port = PortType.OVS_PORT
    return HostConfig(
        origin="persisted",
        interfaces=(
            iface(OVS_BRIDGE, InterfaceType.OVS_BRIDGE,
                  ovs=OvsSettings(external_ids=(("ovn-bridge-mappings",
                                                 f"ovirtmgmt:{OVS_BRIDGE},storage:{OVS_BRIDGE}"),))),
            iface("ovs-port-eth0", InterfaceType.OVS_PORT, controller=OVS_BRIDGE,
                  port_type=PortType.OVS_BRIDGE),
            iface("ovs-port-ovirtmgmt", InterfaceType.OVS_PORT, controller=OVS_BRIDGE,
                  port_type=PortType.OVS_BRIDGE),
            iface("ovs-port-storage", InterfaceType.OVS_PORT, controller=OVS_BRIDGE,
                  port_type=PortType.OVS_BRIDGE, ovs=OvsSettings(bridge=OVS_BRIDGE, vlan_tag=200)),
            port("eth0", "ovs-port-eth0", ovs_port, mtu=1500),
            iface("ovirtmgmt", InterfaceType.OVS_INTERFACE, mtu=1500, controller="ovs-port-ovirtmgmt",
                  port_type=ovs_port, cloned_mac_address=MGMT_MAC, network="ovirtmgmt",
                  ipv4=static4("192.0.2.90", 24, "192.0.2.1", dns=("192.0.2.2",))),
            iface("storage", InterfaceType.OVS_INTERFACE, mtu=1500, controller="ovs-port-storage",
                  port_type=ovs_port, network="storage", ipv4=static4("10.0.200.90", 24)),
        ),
        routes=routes,
        rules=rules,
        networks=(
            VdsmNetwork("ovirtmgmt", nic="eth0", ipaddr="192.0.2.90", netmask="255.255.255.0",
                        gateway="192.0.2.1", default_route=True, nameservers=("192.0.2.2",),
                        switch="ovs"),
            VdsmNetwork("storage", nic="eth0", vlan=200, bridged=False, ipaddr="10.0.200.90",
                        netmask="255.255.255.0", switch="ovs"),
        ),
    )


def ifcfg_kitchen_sink_host() -> HostConfig:
    """An ifcfg host using what nmstate 1.2 can express beyond VDSM's subset: bridge
    options and port settings, ethtool, link settings, routes with metric, search."""
    return HostConfig(
        origin="ifcfg",
        interfaces=(
            iface("br0", InterfaceType.BRIDGE, mtu=1500,
                  bridge=BridgeSettings(stp=True, forward_delay=4, hello_time=2, max_age=20,
                                        priority=4096, ageing_time=600,
                                        options=(("multicast-snooping", "false"),
                                                 ("multicast-querier", "true"))),
                  ipv4=static4("198.51.100.5", 24, "198.51.100.1", dns=("198.51.100.53",),
                               dns_search=("example.org",)),
                  ipv6=IpConfig(6, "manual", (IpAddress("2001:db8:5::5", 64),),
                                gateway="2001:db8:5::1", dns=("2001:db8:5::53",))),
            port("eth5", "br0", PortType.BRIDGE, mtu=1500,
                 bridge_port=BridgePortSettings(priority=40, path_cost=100, hairpin_mode=False),
                 ethernet=EthernetSettings(auto_negotiate=False, speed=1000, duplex="full"),
                 ethtool=(("feature-tso", "false"), ("ring-rx", "1024"),
                          ("coalesce-rx-usecs", "30"), ("pause-autoneg", "false"),
                          ("pause-rx", "true"), ("pause-tx", "false"))),
            iface("eth6", mtu=9000, ipv4=static4("203.0.113.6", 24),
                  ipv6=IpConfig(6, "link-local")),
            iface("bond1", InterfaceType.BOND, mtu=1500, cloned_mac_address="52:54:00:0b:00:01",
                  bond=BondSettings("active-backup", (("miimon", "100"), ("primary", "eth7"),
                                                      ("use_carrier", "off"))),
                  ipv4=IpConfig(4, "auto", ignore_auto_dns=True, never_default=True),
                  ipv6=IpConfig(6, "dhcp")),
            port("eth7", "bond1", PortType.BOND),
            port("eth8", "bond1", PortType.BOND),
        ),
        routes=(Route("10.10.0.0/16", "eth6", gateway="203.0.113.254", metric=50),
                Route("10.20.0.0/16", "br0", gateway="198.51.100.254", table=100),
                Route("2001:db8:99::/48", "br0", gateway="2001:db8:5::fe")),
        rules=(RoutingRule(4, priority=100, table=100, source_prefix="198.51.100.0/24",
                           interface="br0"),),
        dns=DnsConfig(servers=("198.51.100.53",)),
    )


def unsupported_host() -> HostConfig:
    """Everything here is beyond nmstate 1.2 and must come back as findings."""
    return HostConfig(
        origin="ifcfg",
        interfaces=(
            iface("eth0", autoconnect=False, mac_address="52:54:00:0c:00:01",
                  ethernet=EthernetSettings(wake_on_lan="magic"),
                  ethtool=(("pause-rx", "true"), ("pause-tx", "false"),
                           ("feature-tx-scatter-gather", "true"),
                           ("feature-tx-tcp-segmentation", "false")),
                  ipv4=IpConfig(4, "link-local"), ipv6=IpConfig(6, "ignore")),
            iface("eth1", ipv4=IpConfig(4, "auto", route_metric=300, dhcp_hostname="h1"),
                  ethtool=(("pause-tx", "true"),),
                  ipv6=IpConfig(6, "disabled"), extra=(("connection.zone", "trusted"),)),
            iface("eth1.7", InterfaceType.VLAN, vlan=VlanSettings(7, "eth1", ("gvrp",)),
                  ipv4=static4("192.0.2.7", 24, dns=("192.0.2.53",), dns_search=("example.net",)),
                  ipv6=IpConfig(6, "manual", (IpAddress("fd00:7::7", 64),), dns=("fd00:7::53",))),
            iface("br9", InterfaceType.BRIDGE, bridge=BridgeSettings(stp=False, forward_delay=4)),
            iface("bond2", InterfaceType.BOND,
                  bond=BondSettings("802.3ad", (("lacp_active", "on"), ("miimon", "100")))),
            port("eth9", "bond2", PortType.BOND),
        ),
        routes=(Route("10.1.0.0/16", "eth1", gateway="192.0.2.254"),
                Route("fd00:99::/64", "eth0"),
                Route("10.2.0.0/16", "eth1.7", type="blackhole"),
                Route("10.3.0.0/16", "eth1.7", gateway="192.0.2.1", source_address="192.0.2.7")),
        rules=(RoutingRule(4, priority=10, table=200, source_prefix="192.0.2.0/24"),
               RoutingRule(4, priority=11, table=254, fwmark=7, source_prefix="192.0.2.0/24"),
               RoutingRule(4, priority=12, action="prohibit", source_prefix="192.0.2.0/24")),
        dns=DnsConfig(servers=("192.0.2.53",), options=("rotate",)),
    )


def dns_elsewhere_host() -> HostConfig:
    """DNS and a main-table rule kept on a profile without gateway: nmstate moves them to
    the profile with the main-table routes."""
    return HostConfig(
        origin="ifcfg",
        interfaces=(
            iface("eth0", ipv4=static4("192.0.2.10", 24, "192.0.2.1"),
                  ipv6=IpConfig(6, "manual", (IpAddress("2001:db8::10", 64),),
                                gateway="2001:db8::1")),
            iface("eth1", ipv4=static4("198.51.100.10", 24, dns=("198.51.100.53",),
                                       dns_search=("example.com",)),
                  ipv6=IpConfig(6, "manual", (IpAddress("2001:db8:1::10", 64),),
                                dns=("2001:db8:1::53",))),
        ),
        rules=(RoutingRule(4, priority=500, table=254, destination_prefix="10.9.0.0/16",
                           interface="eth1"),),
    )


ALL: dict[str, Callable[[], HostConfig]] = {
    "ovirtmgmt": ovirtmgmt_host,
    "vmnet": vmnet_host,
    "storage-vlan": storage_vlan_host,
    "dhcp-default": dhcp_default_host,
    "dhcp-other": dhcp_other_host,
    "ipv6-autoconf": ipv6_autoconf_host,
    "ovs": ovs_host,
    "ifcfg-kitchen-sink": ifcfg_kitchen_sink_host,
    "unsupported": unsupported_host,
    "dns-elsewhere": dns_elsewhere_host,
}
