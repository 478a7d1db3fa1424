"""Hypothesis strategies for whole host models (:class:`HostConfig`) a host could really have.

A generated host is consistent: interface names are valid kernel names (OVS
bridge and port records may be longer), every port's controller exists and has
the matching type, VLAN parents exist, routes and rules sit on interfaces that
carry IP, addresses are valid for their family. Values roam over what the
model allows (bond options from the kernel's table, bridge timers over the
ifcfg ranges, odd profile ids), including combinations NetworkManager refuses:
the emitter must turn those into findings, never into a keyfile libnm rejects.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import replace
from typing import Any, Callable, Optional

from hypothesis import strategies as st

from ifcfg2nm.model.bonding import MODES
from ifcfg2nm.model.bonding import OPTIONS as BOND_OPTIONS
from ifcfg2nm.model.ethtool import COALESCE, NM_FEATURES, PAUSE, RINGS
from ifcfg2nm.model.host import (
    BondSettings,
    BridgePortSettings,
    BridgeSettings,
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

Draw = Callable[[st.SearchStrategy[Any]], Any]

NIC_NAMES = ("eth0", "eth1", "eth2", "eth3", "ens1f0", "ens1f1", "enp3s0", "em1")
PROFILE_ID_CHARS = st.characters(
    codec="utf-8", exclude_categories=("Cs", "Cc"), include_characters=" /\\;=#[]\t.~"
)

METHODS4 = ("disabled", "manual", "auto", "link-local", "shared")
METHODS6 = ("ignore", "disabled", "manual", "auto", "dhcp", "link-local", "shared")
ADDRESS_METHODS = frozenset({"manual", "auto", "dhcp", "shared"})
DNS_METHODS = frozenset({"manual", "auto", "dhcp"})

macs = st.builds(
    lambda first, rest: ":".join(f"{b:02x}" for b in [first & 0xFE | 0x02, *rest]),
    st.integers(0, 255), st.lists(st.integers(0, 255), min_size=5, max_size=5))


@functools.cache
def _profile_ids(name: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(name), st.just(f"System {name}"),
                     st.text(PROFILE_ID_CHARS, min_size=1, max_size=24)
                     .filter(lambda s: s.strip() == s or s.strip()))


@functools.cache
def _address(family: int) -> st.SearchStrategy[str]:
    if family == 4:
        return st.builds(lambda a, b, c: f"10.{a}.{b}.{c}",
                         st.integers(0, 255), st.integers(0, 255), st.integers(1, 254))
    return st.builds(lambda a, b: str(ipaddress.ip_address(f"fd00:{a:x}::{b:x}")),
                     st.integers(0, 0xFFFF), st.integers(1, 0xFFFF))


@functools.cache
def _network(family: int) -> st.SearchStrategy[str]:
    top = 32 if family == 4 else 128
    return st.builds(
        lambda addr, prefix: str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False)),
        _address(family), st.integers(1, top))


@functools.cache
def _maybe(strategy_key: str) -> st.SearchStrategy[Any]:
    """``None`` or a value: built once per key, because building strategies is slow."""
    return st.none() | _SIMPLE[strategy_key]


@functools.cache
def _choice(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


@functools.cache
def _maybe_choice(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.none() | st.sampled_from(options)


@functools.cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


_SIMPLE: dict[str, st.SearchStrategy[Any]] = {
    "u32": st.integers(0, 2**32 - 1),
    "u32+": st.integers(1, 2**32 - 1),
    "metric": st.integers(-1, 2**32 - 1),
    "bool": st.booleans(),
    "addr4": _address(4),
    "addr6": _address(6),
    "net4": _network(4),
    "net6": _network(6),
    "hostname": st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    "client-id": st.sampled_from(("mac", "duid")),
    "tos": st.sampled_from((0x04, 0x08, 0x10)),
    "mac": macs,
    "mtu": st.integers(576, 9000),
    "vid": st.integers(1, 4094),
    "true": st.just(True),
}

_SEARCH = st.lists(st.from_regex(r"[a-z]{1,8}(\.[a-z]{2,4}){0,2}", fullmatch=True),
                   max_size=2, unique=True)
_DNS_OPTIONS = st.lists(st.sampled_from(("rotate", "timeout:2", "edns0")), max_size=2,
                        unique=True)


@st.composite
def ip_configs(draw: Draw, family: int) -> IpConfig:
    method = draw(st.sampled_from(METHODS4 if family == 4 else METHODS6))
    addresses: tuple[IpAddress, ...] = ()
    if method == "manual" or (method in ADDRESS_METHODS and draw(st.booleans())):
        addrs = draw(st.lists(_address(family), min_size=1, max_size=3, unique=True))
        top = 32 if family == 4 else 128
        if family == 4 and method == "shared":
            addrs = addrs[:1]
        addresses = tuple(IpAddress(a, draw(_ints(8, top))) for a in addrs)
    never_default = draw(st.booleans())
    gateway = draw(_maybe(f"addr{family}")) if addresses and not never_default else None
    dns: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    if method in DNS_METHODS or (family == 6 and method == "shared"):
        dns = tuple(draw(st.lists(_address(family), max_size=3, unique=True)))
        search = tuple(draw(_SEARCH))
    extra: list[tuple[str, str]] = []
    if family == 6 and draw(st.booleans()):
        mode = draw(_choice(("eui64", "stable-privacy", "default-or-eui64", "default")))
        extra.append(("addr-gen-mode", mode))
        if mode == "eui64" and draw(st.booleans()):
            extra.append(("token", "::" + format(draw(_ints(1, 0xFFFF)), "x")))
    if draw(st.booleans()):
        extra.append(("dns-priority", str(draw(_ints(-100, 100)))))
    if family == 6 and draw(st.booleans()):
        extra.append(("ip6-privacy", str(draw(_choice((-1, 0, 1, 2))))))
    return IpConfig(
        family=family,
        method=method,
        addresses=addresses,
        gateway=gateway,
        never_default=never_default,
        may_fail=draw(st.booleans()),
        route_metric=draw(_maybe("metric")),
        route_table=draw(_maybe("u32")),
        dns=dns,
        dns_search=search,
        dns_options=tuple(draw(_DNS_OPTIONS)),
        ignore_auto_dns=draw(st.booleans()),
        ignore_auto_routes=draw(st.booleans()),
        dhcp_hostname=draw(_maybe("hostname")),
        dhcp_send_hostname=draw(_maybe("bool")),
        dhcp_client_id=draw(_maybe("client-id")) if family == 4 else None,
        extra=tuple(sorted(extra)),
    )


@st.composite
def routes_for(draw: Draw, iface: str, family: int) -> list[Route]:
    out: list[Route] = []
    for dest in draw(st.lists(_network(family), max_size=3, unique=True)):
        kind = draw(_choice(("unicast", "unicast", "unicast", "blackhole",
                                     "unreachable", "prohibit", "throw", "local")))
        gateway = draw(_maybe(f"addr{family}")) if kind == "unicast" else None
        options: list[tuple[str, str]] = []
        for name in draw(st.lists(st.sampled_from(("mtu", "window", "cwnd", "initcwnd",
                                                   "initrwnd", "advmss", "rto_min", "quickack")),
                                  max_size=3, unique=True)):
            options.append((name, "1" if name == "quickack" else str(draw(_ints(1, 9000)))))
            if name not in ("rto_min", "quickack") and draw(st.booleans()):
                options.append((f"lock-{name}", "true"))
        if family == 4 and draw(st.booleans()):
            options.append(("tos", str(draw(_choice((4, 8, 16))))))
        if family == 6 and draw(st.booleans()):
            options.append(("from", draw(_network(6))))
        out.append(Route(
            destination=dest,
            interface=iface,
            gateway=gateway,
            metric=draw(_maybe("u32")),
            table=draw(_maybe("u32+")),
            type=kind,
            source_address=draw(_maybe(f"addr{family}")) if kind == "unicast" else None,
            onlink=gateway is not None and draw(st.booleans()),
            options=tuple(sorted(options)),
            absent=draw(st.booleans()) and draw(st.booleans()),
        ))
    return out


@st.composite
def rules_for(draw: Draw, iface: str, family: int, devices: list[str]) -> list[RoutingRule]:
    out: list[RoutingRule] = []
    for _ in range(draw(_ints(0, 3))):
        action = draw(_choice(("table", "table", "blackhole", "unreachable", "prohibit")))
        fwmark = draw(_maybe("u32"))
        out.append(RoutingRule(
            family=family,
            priority=draw(st.integers(0, 2**32 - 1) | st.sampled_from((3200, 32000))),
            table=draw(_SIMPLE["u32+"]) if action == "table" else None,
            source_prefix=draw(_maybe(f"net{family}") | _address(family)),
            destination_prefix=draw(_maybe(f"net{family}")),
            iif=draw(_maybe_choice(tuple(devices))),
            oif=draw(_maybe_choice(tuple(devices))),
            fwmark=fwmark,
            fwmask=draw(_maybe("u32")) if fwmark is not None else None,
            tos=draw(_maybe("tos")) if family == 4 else None,
            action=action,
            invert=draw(st.booleans()),
            interface=iface,
        ))
    return out


@st.composite
def bond_settings(draw: Draw, ports: list[str]) -> BondSettings:
    mode = draw(st.sampled_from(MODES))
    options: dict[str, str] = {}
    for name in draw(st.lists(st.sampled_from(sorted(set(BOND_OPTIONS) - {"mode"})),
                              max_size=5, unique=True)):
        option = BOND_OPTIONS[name]
        if option.kind == "enum":
            value = draw(st.sampled_from([v for v, _ in option.values]))
        elif option.kind == "int":
            value = str(draw(st.integers(option.minimum, min(option.maximum, 2000))))
        elif option.kind == "mac":
            value = draw(macs)
        elif option.kind == "ifname":
            value = draw(st.sampled_from(ports)) if ports else "eth9"
        elif option.kind == "ip4list":
            value = ",".join(draw(st.lists(_address(4), min_size=1, max_size=3, unique=True)))
        else:
            value = draw(_address(6))
        options[name] = value
    return BondSettings(mode, tuple(sorted(options.items())))


BRIDGE_OPTIONS: dict[str, st.SearchStrategy[str]] = {
    "multicast-snooping": st.sampled_from(("true", "false")),
    "multicast-querier": st.sampled_from(("true", "false")),
    "multicast-router": st.sampled_from(("auto", "disabled", "enabled")),
    "multicast-hash-max": st.sampled_from(("512", "4096", "1000")),
    "vlan-filtering": st.sampled_from(("true", "false")),
    "vlan-default-pvid": st.integers(1, 4094).map(str),
    "group-forward-mask": st.sampled_from(("0", "8", "16384", "1")),
    "multicast-query-interval": st.integers(0, 100000).map(str),
}


@st.composite
def bridge_settings(draw: Draw) -> BridgeSettings:
    opts = draw(st.dictionaries(st.sampled_from(sorted(BRIDGE_OPTIONS)), st.just(""), max_size=3))
    return BridgeSettings(
        stp=draw(st.booleans()),
        forward_delay=draw(st.none() | st.integers(0, 30)),
        hello_time=draw(st.none() | st.integers(0, 10)),
        max_age=draw(st.none() | st.integers(0, 40)),
        priority=draw(st.none() | st.integers(0, 65535)),
        ageing_time=draw(st.none() | st.integers(0, 1000000)),
        options=tuple(sorted((k, draw(BRIDGE_OPTIONS[k])) for k in opts)),
    )


@st.composite
def link_settings(draw: Draw) -> tuple[Optional[EthernetSettings], tuple[tuple[str, str], ...]]:
    ethernet = None
    if draw(st.booleans()):
        forced = draw(st.booleans())
        ethernet = EthernetSettings(
            auto_negotiate=draw(_maybe("true")) if not forced else False,
            speed=draw(_choice((10, 100, 1000, 10000))) if forced else None,
            duplex=draw(_choice(("half", "full"))) if forced else None,
            wake_on_lan=draw(st.none() | st.sampled_from(
                ("magic", "phy,magic", "ignore", "default", "unicast,broadcast,arp"))),
        )
    ethtool: dict[str, str] = {}
    for _ in range(draw(_ints(0, 4))):
        group = draw(_choice(("feature", "ring", "coalesce", "pause")))
        names = {"feature": NM_FEATURES, "ring": RINGS, "coalesce": COALESCE, "pause": PAUSE}
        name = f"{group}-{draw(st.sampled_from(sorted(names[group])))}"
        ethtool[name] = (draw(_choice(("true", "false"))) if group in ("feature", "pause")
                         else str(draw(_ints(0, 4096))))
    return ethernet, tuple(sorted(ethtool.items()))


INTERFACE_EXTRA: dict[str, st.SearchStrategy[str]] = {
    "connection.zone": st.sampled_from(("public", "trusted", "ovirt")),
    "connection.autoconnect-priority": st.integers(-999, 999).map(str),
    "connection.lldp": st.sampled_from(("0", "1")),
    "ethernet.accept-all-mac-addresses": st.sampled_from(("-1", "0", "1")),
}


@st.composite
def hosts(draw: Draw, max_nics: int = 5) -> HostConfig:
    """A consistent host: NICs, bonds over some, VLANs, Linux bridges, maybe one OVS bridge."""
    uuids = iter(draw(st.lists(st.uuids(), min_size=40, max_size=40, unique=True)))
    names = draw(st.lists(st.sampled_from(NIC_NAMES), min_size=1, max_size=max_nics, unique=True))
    interfaces: dict[str, Interface] = {}

    def new(name: str, kind: InterfaceType, **kwargs: Any) -> Interface:
        ethernet, ethtool = draw(link_settings()) if kind is InterfaceType.ETHERNET else (None, ())
        device = kind not in (InterfaceType.OVS_BRIDGE, InterfaceType.OVS_PORT)
        extra_keys = draw(st.lists(st.sampled_from(sorted(INTERFACE_EXTRA)), max_size=2,
                                   unique=True))
        fields: dict[str, Any] = {
            "autoconnect": draw(st.booleans()),
            "mtu": draw(_maybe("mtu")) if device else None,
            "mac_address": draw(_maybe("mac")) if kind is InterfaceType.ETHERNET else None,
            "cloned_mac_address": draw(_maybe("mac")) if kind in (
                InterfaceType.ETHERNET, InterfaceType.BOND, InterfaceType.BRIDGE,
                InterfaceType.VLAN) else None,
            "ethernet": ethernet,
            "ethtool": ethtool,
            "extra": tuple((k, draw(INTERFACE_EXTRA[k])) for k in sorted(extra_keys)
                           if device or k.startswith("connection.")),
        }
        fields.update(kwargs)
        iface = Interface(name, kind, draw(_profile_ids(name)), str(next(uuids)), **fields)
        interfaces[name] = iface
        return iface

    for name in names:
        new(name, InterfaceType.ETHERNET)
    free = list(names)  # devices that are not ports (yet) and may carry IP or be ports
    if draw(st.booleans()) and draw(st.booleans()):
        ib_mac = ":".join(f"{b:02x}" for b in draw(st.binary(min_size=20, max_size=20)))
        new("ib0", InterfaceType.INFINIBAND, mac_address=draw(st.none() | st.just(ib_mac)),
            extra=tuple(draw(st.lists(st.sampled_from((("infiniband.transport-mode",
                                                        "connected"),)), max_size=1))))
    for n in range(draw(_ints(0, 2))):
        ports = [p for p in free if interfaces[p].type is InterfaceType.ETHERNET]
        chosen = draw(st.lists(st.sampled_from(ports), max_size=3, unique=True)) if ports else []
        bond = f"bond{n}"
        new(bond, InterfaceType.BOND, bond=draw(bond_settings(chosen)))
        for p in chosen:
            interfaces[p] = replace(interfaces[p], controller=bond, port_type=PortType.BOND)
            free.remove(p)
        free.append(bond)
    for _ in range(draw(_ints(0, 3))):
        parent = draw(st.sampled_from(free))
        vid = draw(_ints(1, 4094))
        name = f"{parent}.{vid}"
        if name in interfaces or len(name) > 15:
            continue
        flags = draw(st.lists(st.sampled_from(("reorder-headers", "gvrp", "loose-binding",
                                               "mvrp")), max_size=3, unique=True))
        pmap = st.builds(lambda a, b: f"{a}:{b}", st.integers(0, 7), st.integers(0, 7))
        new(name, InterfaceType.VLAN, vlan=VlanSettings(
            vid, parent, tuple(sorted(flags)),
            protocol=draw(st.none() | st.sampled_from(("802.1Q", "802.1ad"))),
            ingress_priority_map=tuple(draw(st.lists(pmap, max_size=2, unique=True))),
            egress_priority_map=tuple(draw(st.lists(pmap, max_size=2, unique=True)))))
        free.append(name)
    for n in range(draw(_ints(0, 2))):
        bridge = f"br{n}"
        chosen = draw(st.lists(st.sampled_from(free), max_size=2, unique=True))
        new(bridge, InterfaceType.BRIDGE, bridge=draw(bridge_settings()))
        for p in chosen:
            interfaces[p] = replace(
                interfaces[p], controller=bridge, port_type=PortType.BRIDGE,
                bridge_port=draw(st.none() | st.builds(
                    BridgePortSettings, st.none() | st.integers(0, 63),
                    st.none() | st.integers(1, 65535), st.none() | st.booleans())))
            free.remove(p)
        free.append(bridge)
    if draw(st.booleans()):
        ovs_bridge = draw(_choice(("ovsbr0", "vdsmbr_Ab3dEf9x")))
        ext = st.lists(st.tuples(st.from_regex(r"[a-z][a-z0-9_-]{0,12}", fullmatch=True),
                                 st.text(PROFILE_ID_CHARS, max_size=12)),
                       max_size=2, unique_by=lambda kv: kv[0])
        new(ovs_bridge, InterfaceType.OVS_BRIDGE, ovs=OvsSettings(external_ids=tuple(draw(ext))))
        uplinks = [p for p in free if interfaces[p].type in (InterfaceType.ETHERNET,
                                                            InterfaceType.BOND)]
        if uplinks and draw(st.booleans()):
            nic = draw(st.sampled_from(uplinks))
            new(f"ovs-port-{nic}", InterfaceType.OVS_PORT, controller=ovs_bridge,
                port_type=PortType.OVS_BRIDGE)
            interfaces[nic] = replace(interfaces[nic], controller=f"ovs-port-{nic}",
                                      port_type=PortType.OVS_PORT)
            free.remove(nic)
        for net in draw(st.lists(st.sampled_from(("ovirtmgmt", "storage", "vm1")), max_size=2,
                                 unique=True)):
            tag = draw(_maybe("vid"))
            new(f"ovs-port-{net}", InterfaceType.OVS_PORT, controller=ovs_bridge,
                port_type=PortType.OVS_BRIDGE,
                ovs=OvsSettings(bridge=ovs_bridge, vlan_tag=tag, external_ids=tuple(draw(ext))))
            new(net, InterfaceType.OVS_INTERFACE, controller=f"ovs-port-{net}",
                port_type=PortType.OVS_PORT)
            free.append(net)

    routes: list[Route] = []
    rules: list[RoutingRule] = []
    carriers = [n for n in free if interfaces[n].type not in (InterfaceType.OVS_BRIDGE,
                                                               InterfaceType.OVS_PORT)]
    for name in carriers:
        iface = interfaces[name]
        ipv4, ipv6 = draw(ip_configs(4)), draw(ip_configs(6))
        interfaces[name] = replace(iface, ipv4=ipv4, ipv6=ipv6)
        for family in (4, 6):
            routes.extend(draw(routes_for(name, family)))
            kernel_names = sorted(n for n in interfaces if len(n) <= 15)
            rules.extend(draw(rules_for(name, family, kernel_names)))
    return HostConfig(origin=draw(_choice(("ifcfg", "persisted"))),
                      interfaces=tuple(interfaces[n] for n in sorted(interfaces)),
                      routes=tuple(routes), rules=tuple(rules))
