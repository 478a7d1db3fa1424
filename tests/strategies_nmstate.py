"""Hypothesis strategies for host models as the loaders produce them, for the nmstate oracle.

Models are well-formed (valid names, ports whose controllers exist, VLAN parents
present, addresses and prefixes in range) but otherwise free: any IP method, gateways,
routes to any interface, rules with any selectors, DNS of both families, bridge and
bond options, ethtool and link settings. Whatever nmstate cannot express must come
back as findings, never as a state nmstate refuses.
"""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

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
    PortType,
    Route,
    RoutingRule,
    VlanSettings,
)
from ifcfg2nm.model.identity import stable_uuid

NAMES = ("eth0", "eth1", "eth2", "eth3", "ens4")
BOND_MODES = ("balance-rr", "active-backup", "balance-xor", "802.3ad", "balance-alb")
BOND_OPTIONS = st.lists(st.sampled_from((
    ("miimon", "100"), ("updelay", "200"), ("use_carrier", "off"), ("use_carrier", "on"),
    ("xmit_hash_policy", "layer3+4"), ("lacp_rate", "fast"), ("primary", "eth1"),
    ("all_slaves_active", "on"), ("arp_interval", "1000"), ("lacp_active", "on"),
)), max_size=3, unique_by=lambda p: p[0]).map(lambda ps: tuple(sorted(ps)))
ETHTOOL = st.lists(st.sampled_from((
    ("feature-tso", "false"), ("feature-gro", "true"), ("feature-rx", "false"),
    ("feature-tx-scatter-gather", "true"), ("ring-rx", "512"), ("ring-tx", "256"),
    ("coalesce-rx-usecs", "10"), ("coalesce-adaptive-rx", "1"), ("pause-autoneg", "false"),
    ("pause-rx", "true"), ("pause-tx", "true"),
)), max_size=4, unique_by=lambda p: p[0]).map(lambda ps: tuple(sorted(ps)))


@st.composite
def ipv4_config(draw: st.DrawFn, subnet: int) -> IpConfig:
    method = draw(st.sampled_from(("disabled", "manual", "manual", "auto", "link-local")))
    if method == "manual":
        prefix = draw(st.sampled_from((24, 25, 16)))
        address = f"10.{subnet}.0.{draw(st.integers(2, 100))}"
        gateway = draw(st.one_of(st.none(), st.just(f"10.{subnet}.0.1")))
        return IpConfig(4, "manual", (IpAddress(address, prefix),), gateway=gateway,
                        dns=draw(st.sampled_from(((), (f"10.{subnet}.0.53",)))),
                        route_metric=draw(st.one_of(st.none(), st.integers(0, 1000))),
                        never_default=draw(st.booleans()) if gateway is None else False)
    if method == "auto":
        return IpConfig(4, "auto", ignore_auto_dns=draw(st.booleans()),
                        never_default=draw(st.booleans()),
                        ignore_auto_routes=draw(st.booleans()),
                        route_table=draw(st.sampled_from((None, 254, 1000 + subnet))))
    return IpConfig(4, method)


@st.composite
def ipv6_config(draw: st.DrawFn, subnet: int) -> IpConfig:
    method = draw(st.sampled_from(("disabled", "ignore", "manual", "auto", "dhcp", "link-local")))
    if method == "manual":
        address = f"fd00:{subnet:x}::{draw(st.integers(2, 100)):x}"
        gateway = draw(st.one_of(st.none(), st.just(f"fd00:{subnet:x}::1")))
        return IpConfig(6, "manual", (IpAddress(address, 64),), gateway=gateway,
                        dns=draw(st.sampled_from(((), (f"fd00:{subnet:x}::53",)))))
    if method in ("auto", "dhcp"):
        return IpConfig(6, method, ignore_auto_dns=draw(st.booleans()),
                        route_table=draw(st.sampled_from((None, 254, 2000 + subnet))))
    return IpConfig(6, method)


def _iface(name: str, itype: InterfaceType, **kwargs: object) -> Interface:
    return Interface(name, itype, name, stable_uuid(name), **kwargs)  # type: ignore[arg-type]


@st.composite
def hosts(draw: st.DrawFn) -> HostConfig:
    """A host: some NICs, maybe a bond or a bridge over some of them, maybe VLANs."""
    nics = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    interfaces: list[Interface] = []
    free = list(nics)
    controllers: list[Interface] = []
    if len(free) >= 2 and draw(st.booleans()):
        ports, free = free[:2], free[2:]
        controllers.append(_iface("bond0", InterfaceType.BOND,
                                  bond=BondSettings(draw(st.sampled_from(BOND_MODES)),
                                                    draw(BOND_OPTIONS)),
                                  mtu=draw(st.sampled_from((None, 1500, 9000)))))
        for p in ports:
            interfaces.append(_iface(p, InterfaceType.ETHERNET, controller="bond0",
                                     port_type=PortType.BOND))
    if free and draw(st.booleans()):
        port, free = free[0], free[1:]
        stp = draw(st.booleans())
        controllers.append(_iface("br0", InterfaceType.BRIDGE, bridge=BridgeSettings(
            stp=stp, forward_delay=draw(st.one_of(st.none(), st.integers(2, 30))),
            ageing_time=draw(st.one_of(st.none(), st.integers(0, 1000))),
            options=draw(st.sampled_from(((), (("multicast-snooping", "false"),),
                                          (("multicast-router", "enabled"),)))))))
        interfaces.append(_iface(port, InterfaceType.ETHERNET, controller="br0",
                                 port_type=PortType.BRIDGE,
                                 bridge_port=draw(st.sampled_from(
                                     (None, BridgePortSettings(priority=32, path_cost=10))))))
    for n, name in enumerate(free):
        interfaces.append(_iface(
            name, InterfaceType.ETHERNET, mtu=draw(st.sampled_from((None, 1500, 9000))),
            autoconnect=draw(st.booleans()) or draw(st.booleans()),
            ethtool=draw(ETHTOOL),
            ethernet=draw(st.sampled_from((None, EthernetSettings(auto_negotiate=True),
                                           EthernetSettings(auto_negotiate=False, speed=1000,
                                                            duplex="full")))),
            ipv4=draw(ipv4_config(n + 1)), ipv6=draw(ipv6_config(n + 1))))
    for n, controller in enumerate(controllers):
        interfaces.append(controller.__class__(**{
            **controller.__dict__, "ipv4": draw(ipv4_config(50 + n)),
            "ipv6": draw(ipv6_config(50 + n))}))
    tops = [i for i in interfaces if i.controller is None]
    if tops and draw(st.booleans()):
        parent = draw(st.sampled_from(tops)).name
        vid = draw(st.integers(0, 4094))
        name = f"{parent}.{vid}"
        if len(name) <= 15:
            interfaces.append(_iface(name, InterfaceType.VLAN,
                                     vlan=VlanSettings(vid, parent, draw(st.sampled_from(
                                         ((), ("reorder-headers",))))),
                                     ipv4=draw(ipv4_config(90)), ipv6=draw(ipv6_config(90))))
    names = [i.name for i in interfaces]
    routes = draw(st.lists(st.builds(
        Route, destination=st.sampled_from(("192.168.50.0/24", "10.200.0.0/16", "fd00:99::/64",
                                            "0.0.0.0/0")),
        interface=st.sampled_from(names),
        gateway=st.sampled_from((None, "10.1.0.1", "fd00:1::1")),
        metric=st.one_of(st.none(), st.integers(0, 500)),
        table=st.sampled_from((None, 254, 100, 1001)),
        type=st.sampled_from(("unicast", "unicast", "blackhole")),
        absent=st.booleans()), max_size=4))
    routes = [r for r in routes if _same_family(r) and (r.type == "unicast" or r.gateway is None)]
    rules = draw(st.lists(st.builds(
        RoutingRule, family=st.just(4), priority=st.one_of(st.none(), st.integers(1, 32000)),
        table=st.sampled_from((None, 100, 254, 1001)),
        source_prefix=st.sampled_from((None, "10.1.0.0/24", "192.168.7.0/24")),
        destination_prefix=st.sampled_from((None, "10.9.0.0/16")),
        fwmark=st.sampled_from((None, None, 7)),
        interface=st.sampled_from(names)), max_size=3))
    dns = DnsConfig(servers=draw(st.sampled_from(((), ("10.1.0.53",), ("10.1.0.53", "fd00:1::53")))),
                    search=draw(st.sampled_from(((), ("example.org",)))))
    return HostConfig(origin=draw(st.sampled_from(("ifcfg", "persisted"))),
                      interfaces=tuple(sorted(interfaces, key=lambda i: i.name)),
                      routes=tuple(routes), rules=tuple(rules), dns=dns)


def _same_family(route: Route) -> bool:
    if route.gateway is None:
        return True
    return ipaddress.ip_address(route.gateway).version == route.family
