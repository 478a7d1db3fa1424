"""Hand-built hosts for the keyfile tests."""

from __future__ import annotations

import zlib

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
    VlanSettings,
)
from ifcfg2nm.model.identity import legacy_ifcfg_uuid, stable_uuid

ETH = InterfaceType.ETHERNET
MGMT = zlib.adler32(b"ovirtmgmt")
"""VDSM's source-routing table of ovirtmgmt (spec/vdsm-formats.md §5.7)."""


def iface(name: str, kind: InterfaceType = ETH, **kwargs: object) -> Interface:
    return Interface(name, kind, name, stable_uuid(name), **kwargs)  # type: ignore[arg-type]


def kitchen_sink() -> HostConfig:
    """Every feature of the model at least once, on one consistent host."""
    return HostConfig(
        origin="ifcfg",
        interfaces=(
            # a NIC bound by HWADDR, renamed MAC, jumbo MTU, link and ethtool settings
            Interface("eth0", ETH, "System eth0",
                      legacy_ifcfg_uuid("/etc/sysconfig/network-scripts/ifcfg-eth0"),
                      mac_address="52:54:00:ab:cd:ef", cloned_mac_address="52:54:00:12:34:56",
                      mtu=9000,
                      ethernet=EthernetSettings(auto_negotiate=False, speed=1000, duplex="full",
                                                wake_on_lan="phy,magic"),
                      ethtool=(("coalesce-rx-usecs", "30"), ("feature-gro", "true"),
                               ("feature-tso", "false"), ("pause-autoneg", "false"),
                               ("pause-rx", "true"), ("ring-rx", "4096")),
                      ipv4=IpConfig(4, "manual", (IpAddress("198.51.100.7", 24),
                                                  IpAddress("198.51.100.8", 24)),
                                    gateway="198.51.100.1", may_fail=False, route_metric=100,
                                    route_table=200, dns=("198.51.100.53", "198.51.100.54"),
                                    dns_search=("example.org", "lab.example.org"),
                                    dns_options=("rotate", "timeout:2")),
                      ipv6=IpConfig(6, "manual", (IpAddress("2001:db8:7::7", 64),),
                                    gateway="2001:db8:7::1", dns=("2001:db8:7::53",),
                                    extra=(("addr-gen-mode", "eui64"), ("ip6-privacy", "2"),
                                           ("token", "::7"))),
                      extra=(("connection.zone", "trusted"),
                             ("connection.autoconnect-priority", "10"))),
            # a bond with a full option set and two ports; DHCP with its knobs
            iface("bond0", InterfaceType.BOND, mtu=1500, cloned_mac_address="52:54:00:0b:00:01",
                  bond=BondSettings("802.3ad", (("ad_select", "bandwidth"), ("lacp_rate", "fast"),
                                                ("miimon", "100"), ("updelay", "200"),
                                                ("use_carrier", "on"),
                                                ("xmit_hash_policy", "layer3+4"))),
                  ipv4=IpConfig(4, "auto", never_default=True, ignore_auto_dns=True,
                                ignore_auto_routes=True, dhcp_hostname="hv1",
                                dhcp_send_hostname=False, dhcp_client_id="mac",
                                extra=(("dns-priority", "50"),)),
                  ipv6=IpConfig(6, "dhcp", extra=(("addr-gen-mode", "stable-privacy"),))),
            iface("eth1", controller="bond0", port_type=PortType.BOND, mtu=1500),
            iface("eth2", controller="bond0", port_type=PortType.BOND, mtu=1500),
            # VLANs with every flag, protocol and priority maps
            iface("bond0.100", InterfaceType.VLAN, mtu=1500,
                  vlan=VlanSettings(100, "bond0", ("gvrp", "loose-binding", "mvrp"),
                                    protocol="802.1Q", ingress_priority_map=("1:2", "3:4"),
                                    egress_priority_map=("5:6",)),
                  controller="ovirtmgmt", port_type=PortType.BRIDGE,
                  bridge_port=BridgePortSettings(priority=16, path_cost=50, hairpin_mode=True)),
            iface("bond0.200", InterfaceType.VLAN, vlan=VlanSettings(200, "bond0", ()),
                  ipv4=IpConfig(4, "link-local"), ipv6=IpConfig(6, "ignore")),
            # Linux bridges: STP off (VDSM) and on with timers and options
            iface("ovirtmgmt", InterfaceType.BRIDGE, mtu=1500,
                  bridge=BridgeSettings(stp=False, options=(("multicast-snooping", "false"),)),
                  ipv4=IpConfig(4, "manual", (IpAddress("192.0.2.10", 24),), gateway="192.0.2.1",
                                dns=("192.0.2.2",)),
                  ipv6=IpConfig(6, "auto", extra=(("addr-gen-mode", "eui64"),))),
            iface("br1", InterfaceType.BRIDGE,
                  bridge=BridgeSettings(stp=True, forward_delay=4, hello_time=1, max_age=10,
                                        priority=4096, ageing_time=600,
                                        options=(("group-forward-mask", "8"),
                                                 ("multicast-querier", "true"),
                                                 ("multicast-router", "enabled"),
                                                 ("vlan-filtering", "true"))),
                  ipv4=IpConfig(4, "shared", (IpAddress("10.42.0.1", 24),)),
                  ipv6=IpConfig(6, "shared")),
            iface("eth3", controller="br1", port_type=PortType.BRIDGE),
            iface("eth4", ipv4=IpConfig(4, "disabled"), ipv6=IpConfig(6, "link-local"),
                  autoconnect=False),
            # OVS: bridge, ports (one tagged), an internal interface with IP, a system port
            iface("ovsbr0", InterfaceType.OVS_BRIDGE,
                  ovs=OvsSettings(external_ids=(("ovn-bridge-mappings", "vmnet:ovsbr0"),))),
            iface("ovs-port-eth5", InterfaceType.OVS_PORT, controller="ovsbr0",
                  port_type=PortType.OVS_BRIDGE),
            iface("ovs-port-vmnet", InterfaceType.OVS_PORT, controller="ovsbr0",
                  port_type=PortType.OVS_BRIDGE,
                  ovs=OvsSettings(bridge="ovsbr0", vlan_tag=300,
                                  external_ids=(("vdsm-network", "vmnet"),))),
            iface("eth5", controller="ovs-port-eth5", port_type=PortType.OVS_PORT, mtu=1500),
            iface("vmnet", InterfaceType.OVS_INTERFACE, controller="ovs-port-vmnet",
                  port_type=PortType.OVS_PORT, mtu=1500,
                  ipv4=IpConfig(4, "manual", (IpAddress("10.0.30.5", 24),))),
            iface("ib0", InterfaceType.INFINIBAND, mtu=2044,
                  ipv4=IpConfig(4, "manual", (IpAddress("10.9.0.5", 16),))),
        ),
        routes=(
            Route("0.0.0.0/0", "ovirtmgmt", gateway="192.0.2.1", table=MGMT),
            Route("192.0.2.0/24", "ovirtmgmt", gateway="0.0.0.0", table=MGMT),
            Route("10.10.0.0/16", "eth0", gateway="198.51.100.254", metric=50, onlink=True,
                  source_address="198.51.100.7",
                  options=(("lock-mtu", "true"), ("mtu", "1400"), ("window", "65535"))),
            Route("10.11.0.0/16", "eth0", type="blackhole"),
            Route("10.12.0.0/16", "eth0", type="unreachable", table=300),
            Route("10.13.0.0/16", "eth0", gateway="198.51.100.254", options=(("tos", "16"),)),
            Route("2001:db8:99::/48", "eth0", gateway="2001:db8:7::fe", metric=1024,
                  options=(("from", "2001:db8:7::/64"),)),
            Route("2001:db8:98::/48", "eth0", type="prohibit"),
            Route("10.14.0.0/16", "eth0", gateway="198.51.100.1", absent=True),
        ),
        rules=(
            RoutingRule(4, priority=3200, table=MGMT, source_prefix="192.0.2.0/24",
                        interface="ovirtmgmt"),
            RoutingRule(4, priority=3200, table=MGMT, destination_prefix="192.0.2.0/24",
                        interface="ovirtmgmt"),
            RoutingRule(4, priority=100, table=300, source_prefix="198.51.100.7",
                        iif="eth0", fwmark=0x10, fwmask=0xFF, tos=0x10, interface="eth0"),
            RoutingRule(4, priority=101, action="prohibit", destination_prefix="10.66.0.0/16",
                        invert=True, oif="eth0", interface="eth0"),
            RoutingRule(6, priority=102, table=300, source_prefix="2001:db8:7::/64",
                        interface="eth0"),
        ),
        dns=DnsConfig(servers=("198.51.100.53",)),
    )
