"""The host model as an nmstate desired state (nmstate 1.2 schema), YAML or JSON.

For hosts read from VDSM's persisted networks the state has the shape VDSM's own
nmstate-era translation applies to a fresh host (spec/vdsm-formats.md §5): the
model already holds VDSM's decisions (bridge per network, ``<base>.<vid>``
VLANs, disabled IP on ports, absent main-table routes, source-routing tables),
so this module only spells them the way nmstate does: a main-table default
gateway becomes a ``table-id: 0`` route, DNS becomes the global
``dns-resolver``, OVS ports become ``bridge.port`` entries with access tags.

nmstate 1.2 expresses less than NetworkManager. Whatever the model holds that
nmstate cannot carry, or that nmstate would reject or silently rewrite, is left
out of the state and reported as an ``NMSTATE_*`` finding, so the state that is
emitted always passes nmstate's schema and ``generate_configurations``.
Pure: no I/O.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional

import yaml

from ifcfg2nm.emit.nmsettings import nm_bond_refusals
from ifcfg2nm.findings import Finding, Position, Severity, define, sorted_findings
from ifcfg2nm.model.bonding import valid_ifname
from ifcfg2nm.model.host import (
    NOWHERE,
    HostConfig,
    Interface,
    InterfaceType,
    IpConfig,
    Pairs,
    PortType,
    Route,
    RoutingRule,
)

State = dict[str, Any]

NMSTATE_UNSUPPORTED = define(
    "NMSTATE_UNSUPPORTED", Severity.WARNING, "a setting nmstate 1.2 cannot express",
    "The nmstate state leaves it out; use the keyfile output, or apply it separately.",
)
NMSTATE_IP_METHOD = define(
    "NMSTATE_IP_METHOD", Severity.WARNING, "an IP method nmstate 1.2 cannot express",
    "nmstate 1.2 knows disabled, static, DHCP and (IPv6) autoconf/link-local only.",
)
NMSTATE_ROUTE = define(
    "NMSTATE_ROUTE", Severity.WARNING, "a route nmstate 1.2 cannot express or would reject",
    "nmstate 1.2 routes are destination/next hop/table/metric on a static, enabled interface.",
)
NMSTATE_RULE = define(
    "NMSTATE_RULE", Severity.WARNING, "a routing rule nmstate 1.2 cannot express or would reject",
    "nmstate 1.2 rules match from/to only and need a route (or auto route table) in their table.",
)
NMSTATE_DNS = define(
    "NMSTATE_DNS", Severity.WARNING, "DNS settings nmstate 1.2 cannot express as given",
    "nmstate stores global DNS on an interface with a static gateway or DHCP with auto-dns off.",
)
NMSTATE_DNS_GLOBAL = define(
    "NMSTATE_DNS_GLOBAL", Severity.INFO, "per-profile DNS becomes one global nmstate list",
    "nmstate decides which profile stores the servers; resolv.conf content is unchanged.",
)
NMSTATE_AUTOCONNECT = define(
    "NMSTATE_AUTOCONNECT", Severity.WARNING, "a profile that did not start at boot is brought up",
    "nmstate 1.2 has no 'autoconnect: no'; drop the interface from the state to keep it down.",
)
NMSTATE_CONFLICT = define(
    "NMSTATE_CONFLICT", Severity.WARNING, "settings nmstate 1.2 rejects in this combination",
    "The conflicting part is left out of the state; fix the source configuration.",
)
NMSTATE_PINNED = define(
    "NMSTATE_PINNED", Severity.INFO, "nmstate writes an explicit value where the model has none",
    "Equivalent on a running host; visible as a difference between the generated profiles.",
)
NMSTATE_VDSM_DEVIATION = define(
    "NMSTATE_VDSM_DEVIATION", Severity.INFO, "state deliberately differs from VDSM's translation",
    "VDSM's own state would fail in nmstate 1.2 here; the emitted one has the same effect.",
)

_TYPES: dict[InterfaceType, str] = {
    InterfaceType.ETHERNET: "ethernet",
    InterfaceType.BOND: "bond",
    InterfaceType.BRIDGE: "linux-bridge",
    InterfaceType.VLAN: "vlan",
    InterfaceType.INFINIBAND: "infiniband",
    InterfaceType.OVS_BRIDGE: "ovs-bridge",
    InterfaceType.OVS_INTERFACE: "ovs-interface",
}

OVN_BRIDGE_MAPPINGS = "ovn-bridge-mappings"

_MAC = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$")

NM_BOND_OPTIONS = frozenset({
    "active_slave", "ad_actor_sys_prio", "ad_actor_system", "ad_select", "ad_user_port_key",
    "all_slaves_active", "arp_all_targets", "arp_interval", "arp_ip_target", "arp_validate",
    "downdelay", "fail_over_mac", "lacp_rate", "lp_interval", "miimon", "min_links",
    "num_grat_arp", "num_unsol_na", "packets_per_slave", "peer_notif_delay", "primary",
    "primary_reselect", "resend_igmp", "tlb_dynamic_lb", "updelay", "use_carrier",
    "xmit_hash_policy",
})
"""Bond options NetworkManager 1.42 accepts (``NM.SettingBond.get_valid_options``)."""

_BOND_VALUE_UNSUPPORTED = frozenset({("ad_select", "actor_port_prio"), ("ad_select", "3")})
"""Kernel values NetworkManager 1.42 refuses."""

_BOND_ON_OFF = {"on": 1, "off": 0, "1": 1, "0": 0}

_BRIDGE_OPTIONS: dict[str, tuple[str, str]] = {
    "ageing-time": ("mac-ageing-time", "int"),
    "group-forward-mask": ("group-forward-mask", "int"),
    "group-address": ("group-addr", "mac"),
    "multicast-hash-max": ("hash-max", "int"),
    "multicast-snooping": ("multicast-snooping", "bool"),
    "multicast-last-member-count": ("multicast-last-member-count", "int"),
    "multicast-last-member-interval": ("multicast-last-member-interval", "int"),
    "multicast-membership-interval": ("multicast-membership-interval", "int"),
    "multicast-querier": ("multicast-querier", "bool"),
    "multicast-querier-interval": ("multicast-querier-interval", "int"),
    "multicast-query-use-ifaddr": ("multicast-query-use-ifaddr", "bool"),
    "multicast-query-interval": ("multicast-query-interval", "int"),
    "multicast-query-response-interval": ("multicast-query-response-interval", "int"),
    "multicast-startup-query-count": ("multicast-startup-query-count", "int"),
    "multicast-startup-query-interval": ("multicast-startup-query-interval", "int"),
}
"""NetworkManager bridge property → nmstate 1.2 option that its NM plugin writes back to it.
(``multicast-router`` is in nmstate's schema but its NM plugin never writes it.)"""

_STP_TIMERS = ("priority", "forward_delay", "hello_time", "max_age")

_FEATURE_TO_KERNEL = {
    "feature-rx": "rx-checksum",
    "feature-sg": "tx-scatter-gather",
    "feature-tso": "tx-tcp-segmentation",
    "feature-gro": "rx-gro",
    "feature-gso": "tx-generic-segmentation",
    "feature-rxhash": "rx-hashing",
    "feature-lro": "rx-lro",
    "feature-ntuple": "rx-ntuple-filter",
    "feature-rxvlan": "rx-vlan-hw-parse",
    "feature-txvlan": "tx-vlan-hw-insert",
}
"""NetworkManager's short ethtool feature names → the kernel names nmstate 1.2 maps back to them."""

_FEATURE_RENAMED = {
    "feature-tx-scatter-gather": "feature-sg",
    "feature-tx-tcp-segmentation": "feature-tso",
}
"""NM properties nmstate 1.2 can only write under their short alias (same kernel feature)."""

_RINGS = frozenset({"rx", "rx-jumbo", "rx-mini", "tx"})
_COALESCE = frozenset({
    "adaptive-rx", "adaptive-tx", "pkt-rate-high", "pkt-rate-low", "rx-frames",
    "rx-frames-high", "rx-frames-irq", "rx-frames-low", "rx-usecs", "rx-usecs-high",
    "rx-usecs-irq", "rx-usecs-low", "sample-interval", "stats-block-usecs", "tx-frames",
    "tx-frames-high", "tx-frames-irq", "tx-frames-low", "tx-usecs", "tx-usecs-high",
    "tx-usecs-irq", "tx-usecs-low",
})

_REORDER_ONLY = ("reorder-headers",)
"""The VLAN flags NetworkManager sets by default, the only ones nmstate 1.2 produces."""

_OVS_LAG_MODES = {"active-backup": "active-backup", "802.3ad": "lacp"}


@dataclass
class _Context:
    host: HostConfig
    findings: list[Finding] = field(default_factory=list)
    emitted: dict[str, State] = field(default_factory=dict)
    """Interface states by name, for route and rule validity checks."""

    def report(self, code: Any, position: Position, message: str) -> None:
        self.findings.append(code(position, message))

    def iface(self, name: Optional[str]) -> Optional[Interface]:
        return self.host.interface(name) if name else None


def nmstate_state(host: HostConfig) -> tuple[State, tuple[Finding, ...]]:
    """The desired state of the whole host and what it could not express."""
    ctx = _Context(host)
    interfaces: list[State] = []
    for iface in sorted(host.interfaces, key=lambda i: (i.name, i.type.value)):
        state = _interface(ctx, iface)
        if state is not None:
            interfaces.append(state)
            ctx.emitted[iface.name] = state
    out: State = {"interfaces": interfaces}
    routes = _routes(ctx)
    if routes:
        out["routes"] = {"config": routes}
    rules = _rules(ctx, routes)
    if rules:
        out["route-rules"] = {"config": rules}
    dns = _dns(ctx, routes)
    if dns is not None:
        out["dns-resolver"] = {"config": dns}
    mappings = _bridge_mappings(host)
    if mappings:
        out["ovs-db"] = {"external_ids": {OVN_BRIDGE_MAPPINGS: mappings}}
    return out, tuple(sorted_findings(ctx.findings))


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's dumper when PyYAML has it (about ten times faster); the output is the same."""


def dump_state(state: State, fmt: str) -> str:
    """``yaml`` (block style, keys in emission order) or ``json`` (indent 2, final newline)."""
    if fmt == "yaml":
        return yaml.dump(
            state, Dumper=_DUMPER, sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096
        )
    if fmt == "json":
        return json.dumps(state, indent=2) + "\n"
    raise ValueError(f"unknown nmstate output format {fmt!r} (yaml or json)")


# -- interfaces -------------------------------------------------------------------


def _interface(ctx: _Context, iface: Interface) -> Optional[State]:
    if iface.type is InterfaceType.OVS_PORT:
        return None  # nmstate makes ovs-port profiles itself from the bridge's port list
    pos = iface.source
    if not valid_ifname(iface.name):
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name!r}: not a valid interface name; left "
                   "out of the state (NetworkManager refuses it)")
        return None
    state: State = {"name": iface.name}
    if iface.type is not InterfaceType.ETHERNET or ctx.host.origin != "persisted":
        state["type"] = _TYPES[iface.type]  # VDSM leaves a NIC's type to nmstate's current state
    state["state"] = "up"
    if not iface.autoconnect:
        ctx.report(NMSTATE_AUTOCONNECT, pos, f"{iface.name}: autoconnect=no cannot be expressed; "
                   "nmstate brings the interface up")
    if iface.mtu is not None:
        state["mtu"] = iface.mtu
    mac = _cloned_mac(ctx, iface)
    if mac is not None:
        state["mac-address"] = mac
    if iface.mac_address is not None:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: binding the profile to MAC "
                   f"{iface.mac_address} (ethernet.mac-address) has no nmstate 1.2 field; the "
                   "nmstate profile matches by interface name only")
    if iface.type is InterfaceType.BOND:
        state["link-aggregation"] = _bond(ctx, iface, state)
    elif iface.type is InterfaceType.BRIDGE:
        state["bridge"] = _linux_bridge(ctx, iface)
    elif iface.type is InterfaceType.VLAN:
        vlan = _vlan(ctx, iface)
        if vlan is None:
            return None
        state["vlan"] = vlan
    elif iface.type is InterfaceType.OVS_BRIDGE:
        state["bridge"] = _ovs_bridge(ctx, iface)
    elif iface.type is InterfaceType.INFINIBAND:
        ib = _infiniband(ctx, iface)
        if ib:
            state["infiniband"] = ib
    ethernet = _ethernet(ctx, iface)
    if ethernet:
        state["ethernet"] = ethernet
    ethtool = _ethtool(ctx, iface)
    if ethtool:
        state["ethtool"] = ethtool
    external_ids = _external_ids(ctx, iface)
    if external_ids:
        state["ovs-db"] = {"external_ids": external_ids}
    _extras(ctx, iface, state)
    if iface.type is not InterfaceType.OVS_BRIDGE:
        state["ipv4"] = _ipv4(ctx, iface)
        state["ipv6"] = _ipv6(ctx, iface)
    _check_port(ctx, iface)
    return state


def _cloned_mac(ctx: _Context, iface: Interface) -> Optional[str]:
    mac = iface.cloned_mac_address
    if mac is None:
        return None
    if not _MAC.match(mac):
        ctx.report(NMSTATE_UNSUPPORTED, iface.source, f"{iface.name}: cloned MAC {mac!r} is not an "
                   "address; nmstate 1.2 has no preserve/permanent/random/stable")
        return None
    return mac


def _check_port(ctx: _Context, iface: Interface) -> None:
    if iface.controller is None:
        return
    controller = ctx.iface(iface.controller)
    if controller is None:
        ctx.report(NMSTATE_CONFLICT, iface.source, f"{iface.name}: controller {iface.controller} "
                   "is not in the model; nmstate lists ports on the controller, so this port "
                   "becomes a standalone interface")
    if _ip_less_port(iface) and (iface.ipv4.enabled or iface.ipv6.enabled):
        ctx.report(NMSTATE_CONFLICT, iface.source, f"{iface.name}: a port cannot have IP in "
                   "nmstate; its IPv4/IPv6 are disabled in the state")


def _ip_less_port(iface: Interface) -> bool:
    """A port nmstate keeps without IP (an OVS internal interface is a port that carries IP)."""
    return iface.controller is not None and iface.type is not InterfaceType.OVS_INTERFACE


def _ports(ctx: _Context, controller: str, port_type: Optional[PortType] = None) -> list[Interface]:
    return sorted(
        (i for i in ctx.host.interfaces
         if i.controller == controller and (port_type is None or i.port_type is port_type)),
        key=lambda i: i.name,
    )


def _bond(ctx: _Context, iface: Interface, state: State) -> State:
    pos = iface.source
    settings = iface.bond
    mode: str = "balance-rr"
    pairs: Pairs = ()
    if settings is None:
        ctx.report(NMSTATE_PINNED, pos, f"{iface.name}: bond without a mode; nmstate needs one, "
                   "balance-rr (the kernel default) is written")
    else:
        mode, pairs = settings.mode, settings.options
    given: dict[str, str] = {}
    for name, value in pairs:
        if name not in NM_BOND_OPTIONS or (name, value) in _BOND_VALUE_UNSUPPORTED:
            ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: bond option {name}={value} is not "
                       "accepted by NetworkManager 1.42 (nmstate fails on it); left out")
        else:
            given[name] = value
    for name, why in _bond_refusals(mode, given):
        ctx.report(NMSTATE_CONFLICT, pos, f"{iface.name}: bond option {name}={given.pop(name)} "
                   f"{why}; NetworkManager refuses it, left out")
    fail_over_mac = given.get("fail_over_mac")
    if mode == "active-backup" and fail_over_mac in ("active", "1") and "mac-address" in state:
        ctx.report(NMSTATE_CONFLICT, pos, f"{iface.name}: a MAC address with fail_over_mac=active "
                   "is refused by nmstate; the MAC is left out")
        del state["mac-address"]
    options: State = {}
    for name, value in given.items():
        if name in ("use_carrier", "tlb_dynamic_lb") and value in _BOND_ON_OFF:
            options[name] = _BOND_ON_OFF[value]  # nmstate 1.2 turns any non-empty string into 1
        elif name == "all_slaves_active" and value in _BOND_ON_OFF:
            options[name] = "delivered" if _BOND_ON_OFF[value] else "dropped"
        else:
            options[name] = value
    return {"mode": mode, "port": [p.name for p in _ports(ctx, iface.name)], "options": options}


def _bond_refusals(mode: str, options: dict[str, str]) -> list[tuple[str, str]]:
    """NetworkManager's own refusals (nmstate fails on them too), then nmstate's one more."""
    out = nm_bond_refusals(mode, options)
    left = {k: v for k, v in options.items() if k not in dict(out)}
    if _nonzero(left.get("miimon")) and _nonzero(left.get("arp_interval")):
        out.append(("arp_interval", "together with miimon (nmstate refuses both)"))
    return out


def _nonzero(value: Optional[str]) -> bool:
    return value is not None and value not in ("0", "")


def _linux_bridge(ctx: _Context, iface: Interface) -> State:
    pos = iface.source
    ports: list[State] = []
    for port in _ports(ctx, iface.name):
        entry: State = {"name": port.name}
        port_settings = port.bridge_port
        if port_settings is not None:
            if port_settings.priority is not None:
                entry["stp-priority"] = port_settings.priority
            if port_settings.path_cost is not None:
                entry["stp-path-cost"] = port_settings.path_cost
            if port_settings.hairpin_mode is not None:
                entry["stp-hairpin-mode"] = port_settings.hairpin_mode
        ports.append(entry)
    bridge: State = {"port": ports}
    settings = iface.bridge
    if settings is None:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: bridge without explicit STP; "
                   "NetworkManager's default (STP on) applies")
        return bridge
    stp: State = {"enabled": settings.stp}
    for attr in _STP_TIMERS:
        value = getattr(settings, attr)
        if value is None:
            continue
        nm_name = attr.replace("_", "-")
        if settings.stp:
            stp[nm_name] = value
        else:
            ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: bridge.{nm_name}={value} with STP "
                       "off is not written by nmstate 1.2 (only with STP on)")
    options: State = {"stp": stp}
    if settings.ageing_time is not None:
        options["mac-ageing-time"] = settings.ageing_time
    for name, text in settings.options:
        mapped = _BRIDGE_OPTIONS.get(name)
        value = _typed(text, mapped[1]) if mapped else None
        if mapped is None or value is None:
            ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: bridge.{name}={text} has no "
                       "nmstate 1.2 option that reaches NetworkManager")
            continue
        options[mapped[0]] = value
    bridge["options"] = options
    return bridge


def _typed(text: str, kind: str) -> Any:
    if kind == "bool":
        return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(
            text.strip().lower())
    if kind == "int":
        try:
            return int(text, 0)
        except ValueError:
            return None
    return text if _MAC.match(text) else None


def _vlan(ctx: _Context, iface: Interface) -> Optional[State]:
    settings = iface.vlan
    if settings is None:
        ctx.report(NMSTATE_UNSUPPORTED, iface.source, f"{iface.name}: VLAN without id and parent; "
                   "left out of the state (nmstate refuses it)")
        return None
    pos = iface.source
    if tuple(sorted(settings.flags)) != _REORDER_ONLY:
        flags = ",".join(sorted(settings.flags)) or "none"
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: VLAN flags {flags} cannot be "
                   "expressed; nmstate 1.2 leaves NetworkManager's default (reorder-headers)")
    if settings.protocol not in (None, "802.1Q"):
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: VLAN protocol {settings.protocol} "
                   "cannot be expressed in nmstate 1.2")
    for what, mapping in (("ingress", settings.ingress_priority_map),
                          ("egress", settings.egress_priority_map)):
        if mapping:
            ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: VLAN {what} priority map "
                       f"{','.join(mapping)} cannot be expressed in nmstate 1.2")
    return {"id": settings.id, "base-iface": settings.parent}


def _ovs_bridge(ctx: _Context, iface: Interface) -> State:
    """Ports as nmstate lists them: one entry per ovs-port, named after its single interface
    (VDSM's shape), an access tag for a VLAN, link aggregation for a multi-interface port."""
    pos = iface.source
    entries: list[tuple[str, State]] = []
    for child in _ports(ctx, iface.name):
        if child.type is not InterfaceType.OVS_PORT:
            entries.append((child.name, {"name": child.name}))
            continue
        members = _ports(ctx, child.name)
        tag = _ovs_tag(child, members)
        if len(members) == 1:
            entry: State = {"name": members[0].name}
        elif not members:
            ctx.report(NMSTATE_UNSUPPORTED, child.source, f"{child.name}: OVS port without "
                       "interfaces cannot be expressed in nmstate; left out")
            continue
        else:
            entry = {"name": child.name, "link-aggregation": _ovs_lag(ctx, child, members)}
        if tag is not None:
            entry["vlan"] = {"mode": "access", "tag": tag}
        entries.append((str(entry["name"]), entry))
    bridge: State = {"port": [e for _, e in sorted(entries, key=lambda e: e[0])]}
    settings = iface.bridge
    if settings is not None:
        if settings.stp:
            bridge["options"] = {"stp": True}
        if any(getattr(settings, a) is not None for a in (*_STP_TIMERS, "ageing_time")) or \
                settings.options:
            ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: OVS bridge timers and options "
                       "other than STP cannot be expressed in nmstate 1.2")
    return bridge


def _ovs_tag(port: Interface, members: list[Interface]) -> Optional[int]:
    if port.ovs is not None and port.ovs.vlan_tag is not None:
        return port.ovs.vlan_tag
    for member in members:
        if member.ovs is not None and member.ovs.vlan_tag is not None:
            return member.ovs.vlan_tag
    return None


def _ovs_lag(ctx: _Context, port: Interface, members: list[Interface]) -> State:
    mode = port.bond.mode if port.bond is not None else "active-backup"
    ovs_mode = _OVS_LAG_MODES.get(mode)
    if ovs_mode is None:
        ctx.report(NMSTATE_UNSUPPORTED, port.source, f"{port.name}: bond mode {mode} has no OVS "
                   "counterpart; active-backup is written")
        ovs_mode = "active-backup"
    return {"mode": ovs_mode, "port": [{"name": m.name} for m in members]}


def _infiniband(ctx: _Context, iface: Interface) -> State:
    extra = dict(iface.extra)
    out: State = {}
    mode = extra.get("infiniband.transport-mode")
    if mode is not None:
        out["mode"] = mode
    pkey = extra.get("infiniband.p-key")
    if pkey is not None:
        out["pkey"] = pkey
    parent = extra.get("infiniband.parent")
    if parent is not None:
        out["base-iface"] = parent
    return out


_HANDLED_EXTRAS = frozenset({"infiniband.transport-mode", "infiniband.p-key", "infiniband.parent"})


def _extras(ctx: _Context, iface: Interface, state: State) -> None:
    for key, value in iface.extra:
        if key in ("ethernet.accept-all-mac-addresses", "802-3-ethernet.accept-all-mac-addresses"):
            flag = _typed(value, "bool")
            if flag is not None:
                state["accept-all-mac-addresses"] = flag
                continue
        if key in _HANDLED_EXTRAS and iface.type is InterfaceType.INFINIBAND:
            continue
        ctx.report(NMSTATE_UNSUPPORTED, iface.source, f"{iface.name}: {key}={value} cannot be "
                   "expressed in nmstate 1.2")


def _ethernet(ctx: _Context, iface: Interface) -> State:
    link = iface.ethernet
    if link is None:
        return {}
    pos = iface.source
    if iface.type is not InterfaceType.ETHERNET:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: link settings on a "
                   f"{iface.type.value} cannot be expressed in nmstate 1.2")
        return {}
    if link.wake_on_lan is not None:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: wake-on-lan={link.wake_on_lan} cannot "
                   "be expressed in nmstate 1.2")
    out: State = {}
    if link.auto_negotiate:
        out["auto-negotiation"] = True
        if link.speed is not None or link.duplex is not None:
            ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: advertising only a speed/duplex "
                       "with auto-negotiation on cannot be expressed in nmstate 1.2")
    elif link.auto_negotiate is False or link.speed is not None or link.duplex is not None:
        out["auto-negotiation"] = False  # NetworkManager's default: speed/duplex are forced
        if link.speed is not None:
            out["speed"] = link.speed
        if link.duplex is not None:
            out["duplex"] = link.duplex
    return out


def _ethtool(ctx: _Context, iface: Interface) -> State:
    pos = iface.source
    feature: State = {}
    ring: State = {}
    coalesce: State = {}
    pause = {k[len("pause-"):]: v for k, v in iface.ethtool if k.startswith("pause-")}

    def unsupported(key: str, value: str, why: str = "") -> None:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: ethtool.{key}={value} cannot be "
                   f"expressed in nmstate 1.2{why}")

    for key, value in iface.ethtool:
        if key.startswith("feature-"):
            flag = _typed(value, "bool")
            if flag is None:
                unsupported(key, value)
                continue
            if key in _FEATURE_RENAMED:
                ctx.report(NMSTATE_PINNED, pos, f"{iface.name}: ethtool.{key} is written by "
                           f"nmstate as ethtool.{_FEATURE_RENAMED[key]} (the same kernel feature)")
            name = _FEATURE_TO_KERNEL.get(key, key[len("feature-"):])
            if name in feature:
                unsupported(key, value, ": another property sets the same kernel feature")
                continue
            feature[name] = flag
        elif key.startswith("ring-") and key[5:] in _RINGS and value.isdigit():
            ring[key[5:]] = int(value)
        elif key.startswith("coalesce-") and key[9:] in _COALESCE and value.isdigit():
            name = key[9:]
            coalesce[name] = int(value) != 0 if name.startswith("adaptive-") else int(value)
        elif not key.startswith("pause-"):
            unsupported(key, value)
    out: State = {}
    if pause:
        autoneg = _typed(pause.get("autoneg", ""), "bool")
        if autoneg is None:
            for name, value in pause.items():
                unsupported(f"pause-{name}", value, " without pause-autoneg")
        elif autoneg:
            out["pause"] = {"autoneg": True}
            for name in ("rx", "tx"):
                if name in pause:
                    unsupported(f"pause-{name}", pause[name], " with pause-autoneg on")
        else:
            out["pause"] = {"autoneg": False}
            for name in ("rx", "tx"):
                flag = _typed(pause.get(name, ""), "bool")
                if flag is not None:
                    out["pause"][name] = flag
    if feature:
        out["feature"] = feature
    if ring:
        out["ring"] = ring
    if coalesce:
        out["coalesce"] = coalesce
    return out


def _external_ids(ctx: _Context, iface: Interface) -> State:
    if iface.ovs is None:
        return {}
    ids = {k: v for k, v in iface.ovs.external_ids
           if not (k == OVN_BRIDGE_MAPPINGS and iface.type is InterfaceType.OVS_BRIDGE)}
    if ids and iface.type not in (InterfaceType.OVS_BRIDGE, InterfaceType.OVS_INTERFACE) and \
            not _is_ovs_port(ctx, iface):
        ctx.report(NMSTATE_UNSUPPORTED, iface.source, f"{iface.name}: OVS external ids on an "
                   "interface outside OVS cannot be expressed")
        return {}
    return dict(sorted(ids.items()))


def _is_ovs_port(ctx: _Context, iface: Interface) -> bool:
    controller = ctx.iface(iface.controller)
    return controller is not None and controller.type in (
        InterfaceType.OVS_BRIDGE, InterfaceType.OVS_PORT)


def _bridge_mappings(host: HostConfig) -> str:
    """VDSM's global ``net:bridge,...`` list (sorted), gathered from the OVS bridges."""
    pairs: set[str] = set()
    for iface in host.interfaces:
        if iface.type is InterfaceType.OVS_BRIDGE and iface.ovs is not None:
            for key, value in iface.ovs.external_ids:
                if key == OVN_BRIDGE_MAPPINGS:
                    pairs.update(p.strip() for p in value.split(",") if p.strip())
    return ",".join(sorted(pairs))


# -- IP ---------------------------------------------------------------------------


def _ipv4(ctx: _Context, iface: Interface) -> State:
    ip = iface.ipv4
    pos = iface.source
    if _ip_less_port(iface) or ip.method == "disabled":
        return {"enabled": False}
    _ip_common(ctx, iface, ip)
    if ip.method == "manual":
        if not ip.addresses:
            ctx.report(NMSTATE_IP_METHOD, pos, f"{iface.name}: static IPv4 without addresses is "
                       "written as disabled by nmstate 1.2")
            return {"enabled": False}
        if ip.never_default:
            ctx.report(NMSTATE_PINNED, pos, f"{iface.name}: ipv4.never-default on a static profile "
                       "is not kept by nmstate 1.2 (the model has no gateway there)")
        return {"enabled": True, "dhcp": False, "address": _addresses(ip)}
    if ip.method == "auto":
        if ip.addresses:
            ctx.report(NMSTATE_IP_METHOD, pos, f"{iface.name}: static IPv4 addresses beside DHCP "
                       "are dropped by nmstate 1.2")
        _dhcp_options(ctx, iface, ip)
        return _dynamic(ip, {"enabled": True, "dhcp": True})
    ctx.report(NMSTATE_IP_METHOD, pos, f"{iface.name}: IPv4 method {ip.method} cannot be expressed "
               "in nmstate 1.2; IPv4 is disabled in the state")
    return {"enabled": False}


def _ipv6(ctx: _Context, iface: Interface) -> State:
    ip = iface.ipv6
    pos = iface.source
    if _ip_less_port(iface) or ip.method == "disabled":
        return {"enabled": False}
    if ip.method == "ignore":
        ctx.report(NMSTATE_IP_METHOD, pos, f"{iface.name}: IPv6 method ignore (leave the kernel "
                   "alone) cannot be expressed; nmstate 1.2 disables IPv6")
        return {"enabled": False}
    _ip_common(ctx, iface, ip)
    _vdsm_autoconf_only(ctx, iface)
    if ip.method in ("auto", "dhcp"):
        if ip.addresses:
            ctx.report(NMSTATE_IP_METHOD, pos, f"{iface.name}: static IPv6 addresses beside "
                       "DHCPv6/autoconf are dropped by nmstate 1.2")
        _dhcp_options(ctx, iface, ip)
        return _dynamic(ip, {"enabled": True, "dhcp": True, "autoconf": ip.method == "auto"})
    if ip.method == "manual":
        addresses = [a for a in _addresses(ip) if not _link_local(a["ip"])]
        if len(addresses) != len(ip.addresses):
            ctx.report(NMSTATE_IP_METHOD, pos, f"{iface.name}: static IPv6 link-local addresses "
                       "are ignored by nmstate 1.2")
        if not addresses:
            ctx.report(NMSTATE_IP_METHOD, pos, f"{iface.name}: static IPv6 without addresses is "
                       "written as link-local by nmstate 1.2")
            return {"enabled": True, "dhcp": False, "autoconf": False}
        return {"enabled": True, "dhcp": False, "autoconf": False, "address": addresses}
    if ip.method == "link-local":
        return {"enabled": True, "dhcp": False, "autoconf": False}
    ctx.report(NMSTATE_IP_METHOD, pos, f"{iface.name}: IPv6 method {ip.method} cannot be expressed "
               "in nmstate 1.2; IPv6 is disabled in the state")
    return {"enabled": False}


def _dynamic(ip: IpConfig, block: State) -> State:
    block["auto-dns"] = not ip.ignore_auto_dns
    block["auto-gateway"] = not ip.never_default
    block["auto-routes"] = not ip.ignore_auto_routes
    if ip.route_table is not None:
        block["auto-route-table-id"] = ip.route_table
    return block


def _addresses(ip: IpConfig) -> list[State]:
    return [{"ip": a.address, "prefix-length": a.prefix} for a in ip.addresses]


def _link_local(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_link_local
    except ValueError:
        return False


_PINNED_IP = {("ipv6", "addr-gen-mode"): "eui64", ("ipv6", "dhcp-duid"): "ll",
              ("ipv6", "dhcp-iaid"): "mac", ("ipv4", "dhcp-client-id"): "mac"}
"""Values nmstate 1.2 always writes: a model asking for exactly these loses nothing."""


def _ip_common(ctx: _Context, iface: Interface, ip: IpConfig) -> None:
    """Properties of either family nmstate 1.2 has no field for."""
    family = f"ipv{ip.family}"
    pos = iface.source
    if ip.route_metric is not None:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: {family}.route-metric="
                   f"{ip.route_metric} has no nmstate 1.2 field; it is written on each static "
                   "route instead, and prefix and DHCP routes keep NetworkManager's default metric")
    if ip.route_table is not None and ip.method not in ("auto", "dhcp"):
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: {family}.route-table={ip.route_table} "
                   "on a static profile has no nmstate 1.2 field; it is written on each static "
                   "route instead, prefix routes stay in main")
    if not ip.may_fail:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: {family}.may-fail=false cannot be "
                   "expressed in nmstate 1.2")
    if ip.dns_options:
        ctx.report(NMSTATE_DNS, pos, f"{iface.name}: DNS options {' '.join(ip.dns_options)} cannot "
                   "be expressed in nmstate 1.2")
    for key, value in ip.extra:
        if _PINNED_IP.get((family, key)) == value:
            continue
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: {family}.{key}={value} cannot be "
                   "expressed in nmstate 1.2")


def _dhcp_options(ctx: _Context, iface: Interface, ip: IpConfig) -> None:
    family = f"ipv{ip.family}"
    pos = iface.source
    if ip.dhcp_hostname is not None:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: {family}.dhcp-hostname="
                   f"{ip.dhcp_hostname} cannot be expressed in nmstate 1.2")
    if ip.dhcp_send_hostname is False:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: {family}.dhcp-send-hostname=false "
                   "cannot be expressed in nmstate 1.2")
    if ip.dhcp_client_id not in (None, "mac") and ip.family == 4:
        ctx.report(NMSTATE_UNSUPPORTED, pos, f"{iface.name}: ipv4.dhcp-client-id="
                   f"{ip.dhcp_client_id} cannot be expressed; nmstate 1.2 always uses the MAC")


def _vdsm_autoconf_only(ctx: _Context, iface: Interface) -> None:
    for net in ctx.host.networks:
        if net.top_device == iface.name and net.ipv6autoconf and not net.dhcpv6:
            ctx.report(NMSTATE_VDSM_DEVIATION, net.position_of("ipv6autoconf"),
                       f"{net.name}: VDSM writes ipv6 autoconf without DHCPv6, which nmstate 1.2 "
                       "refuses ('Autoconf without DHCP is not supported yet'); the state asks for "
                       "both, which NetworkManager realizes as the same method=auto")


# -- routes, rules, DNS -----------------------------------------------------------


def _routes(ctx: _Context) -> list[State]:
    routes: list[State] = []
    for iface in sorted(ctx.host.interfaces, key=lambda i: i.name):
        for ip in (iface.ipv4, iface.ipv6):
            if ip.gateway is None:
                continue
            default = "0.0.0.0/0" if ip.family == 4 else "::/0"
            route = Route(default, iface.name, gateway=ip.gateway, source=iface.source)
            entry = _route(ctx, route, main=True)
            if entry is not None:
                routes.append(entry)
    for route in ctx.host.routes:
        entry = _route(ctx, route, main=False)
        if entry is not None:
            routes.append(entry)
    return routes


def _route(ctx: _Context, route: Route, main: bool) -> Optional[State]:
    """One route in VDSM's key order; None (and a finding) where nmstate would refuse it."""
    iface = ctx.iface(route.interface)
    ip = (iface.ipv4 if route.family == 4 else iface.ipv6) if iface is not None else None
    what = f"route {route.destination}" + (f" via {route.gateway}" if route.gateway else "") + \
        f" dev {route.interface}"
    entry: State = {"destination": _network(route.destination)}
    if route.gateway is not None:
        entry["next-hop-address"] = route.gateway
    elif ctx.host.origin == "persisted":  # VDSM spells "no next hop" (its subnet routes) so
        entry["next-hop-address"] = "0.0.0.0" if route.family == 4 else "::"
    entry["next-hop-interface"] = route.interface
    table = route.table
    if table is None and not main and ip is not None and ip.method not in ("auto", "dhcp"):
        table = ip.route_table
    entry["table-id"] = table if table is not None else 0
    metric = route.metric
    if metric is None and ip is not None:
        metric = ip.route_metric
    if metric is not None:
        entry["metric"] = metric
    if route.absent:
        entry["state"] = "absent"
        return entry
    block = ctx.emitted.get(route.interface, {}).get(f"ipv{route.family}", {})
    problem = None
    if iface is None or route.interface not in ctx.emitted:
        problem = "its interface is not in the state"
    elif not block.get("enabled"):
        problem = f"IPv{route.family} is disabled on {route.interface}"
    elif block.get("dhcp") or block.get("autoconf"):
        problem = f"{route.interface} is dynamic (nmstate 1.2 refuses static routes there)"
    elif route.type != "unicast":
        problem = f"route type {route.type} has no nmstate 1.2 field"
    if problem is not None:
        ctx.report(NMSTATE_ROUTE, route.source, f"{what}: left out, {problem}")
        return None
    for name, value in (("src", route.source_address), ("onlink", "yes" if route.onlink else None),
                        *route.options):
        if value is not None:
            ctx.report(NMSTATE_ROUTE, route.source, f"{what}: attribute {name} {value} has no "
                       "nmstate 1.2 field; the route is written without it")
    return entry


def _network(cidr: str) -> str:
    try:
        return str(ipaddress.ip_network(cidr, strict=False))
    except ValueError:
        return cidr


def _rules(ctx: _Context, routes: list[State]) -> list[State]:
    tables = {r["table-id"] or 254 for r in routes if r.get("state") != "absent"}
    for state in ctx.emitted.values():
        for family in ("ipv4", "ipv6"):
            table = state.get(family, {}).get("auto-route-table-id")
            if table:
                tables.add(table)
    out: list[State] = []
    for rule in ctx.host.rules:
        entry = _rule(ctx, rule, tables)
        if entry is not None:
            out.append(entry)
    return out


def _rule(ctx: _Context, rule: RoutingRule, tables: set[int]) -> Optional[State]:
    pos = rule.source
    text = _rule_text(rule)
    selectors = [name for name, value in (
        ("iif", rule.iif), ("oif", rule.oif), ("fwmark", rule.fwmark), ("fwmask", rule.fwmask),
        ("tos", rule.tos)) if value is not None]
    problem = None
    if rule.action != "table":
        problem = f"action {rule.action} has no nmstate 1.2 field"
    elif rule.invert:
        problem = "'not' has no nmstate 1.2 field"
    elif selectors:
        problem = f"{', '.join(selectors)} ha{'s' if len(selectors) == 1 else 've'} no nmstate " \
            "1.2 field (the rule would match more)"
    elif rule.source_prefix is None and rule.destination_prefix is None:
        problem = "nmstate 1.2 needs from or to (NetworkManager refuses 'from all' as 0/0)"
    table = rule.table if rule.table is not None else 254
    if problem is None and table not in tables:
        problem = f"nmstate 1.2 stores a rule on the interface that routes in its table, and " \
            f"nothing routes in table {table}"
    if problem is not None:
        ctx.report(NMSTATE_RULE, pos, f"{text}: left out, {problem}")
        return None
    entry: State = {"route-table": table}
    if rule.priority is not None:
        entry["priority"] = rule.priority
    else:
        ctx.report(NMSTATE_PINNED, pos, f"{text}: no priority; nmstate 1.2 writes 30000")
    if rule.source_prefix is not None:
        entry["ip-from"] = _network(rule.source_prefix)
    if rule.destination_prefix is not None:
        entry["ip-to"] = _network(rule.destination_prefix)
    return entry


def _rule_text(rule: RoutingRule) -> str:
    words = ["rule"]
    if rule.priority is not None:
        words.append(f"priority {rule.priority}")
    words.append(f"from {rule.source_prefix or 'all'}")
    if rule.destination_prefix:
        words.append(f"to {rule.destination_prefix}")
    words.append(f"table {rule.table if rule.table is not None else 'main'}")
    return " ".join(words)


def _dns(ctx: _Context, routes: list[State]) -> Optional[State]:
    """nmstate's one global DNS list: the default-route network's servers (VDSM), then the
    host's, then every profile's, in order and without repeats."""
    host = ctx.host
    default_net = next((n for n in host.networks if n.default_route), None)
    servers: list[str] = []
    search: list[str] = []
    carriers: set[tuple[str, ...]] = set()
    candidates: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    if default_net is not None:
        candidates.append((default_net.nameservers, ()))
    candidates.append((host.dns.servers, host.dns.search))
    if host.dns.options:
        ctx.report(NMSTATE_DNS, NOWHERE, f"DNS options {' '.join(host.dns.options)} cannot "
                   "be expressed in nmstate 1.2")
    for iface in sorted(host.interfaces, key=lambda i: i.name):
        mine = iface.ipv4.dns + iface.ipv6.dns
        if mine or iface.ipv4.dns_search or iface.ipv6.dns_search:
            carriers.add(mine)
        candidates.append((mine, iface.ipv4.dns_search + iface.ipv6.dns_search))
    for these, domains in candidates:
        servers.extend(s for s in these if s not in servers)
        search.extend(d for d in domains if d not in search)
    if len(carriers) > 1:
        ctx.report(NMSTATE_DNS_GLOBAL, NOWHERE, "DNS servers of several profiles become one "
                   "global list in nmstate, stored on the profile nmstate picks")
    servers = _placeable(ctx, servers, routes)
    if search and not servers:
        ctx.report(NMSTATE_DNS, NOWHERE, f"DNS search {' '.join(search)}: left out, nmstate 1.2 "
                   "stores search domains only together with a name server")
        search = []
    if not servers and not search and default_net is None:
        return None
    out: State = {"server": servers}
    if search:
        out["search"] = search
    return out



def _placeable(ctx: _Context, servers: list[str], routes: list[State]) -> list[str]:
    """Drop what nmstate could not store (no gateway or auto-dns:false interface of that family),
    and group the families where nmstate refuses an interleaved list."""
    gateway_families = {6 if ":" in r["destination"] else 4 for r in routes
                        if r.get("state") != "absent" and r["destination"] in ("0.0.0.0/0", "::/0")}
    for state in ctx.emitted.values():
        for family in (4, 6):
            block = state.get(f"ipv{family}", {})
            if block.get("enabled") and (block.get("dhcp") or block.get("autoconf")) and \
                    block.get("auto-dns") is False:
                gateway_families.add(family)
    kept: list[str] = []
    for server in servers:
        family = 6 if ":" in server else 4
        if family in gateway_families:
            kept.append(server)
        else:
            ctx.report(NMSTATE_DNS, NOWHERE, f"DNS server {server}: left out, nmstate 1.2 "
                       f"stores DNS only on an interface with a static IPv{family} gateway or "
                       "with DHCP and auto-dns off, and there is none")
    families = [6 if ":" in s else 4 for s in kept]
    changes = sum(1 for a, b in zip(families, families[1:]) if a != b)
    if len(kept) > 2 and changes > 1:
        first = families[0]
        kept = [s for s, f in zip(kept, families) if f == first] + \
            [s for s, f in zip(kept, families) if f != first]
        ctx.report(NMSTATE_DNS, NOWHERE, "DNS servers of both families interleaved are refused "
                   f"by nmstate 1.2; regrouped as {', '.join(kept)}")
    return kept
