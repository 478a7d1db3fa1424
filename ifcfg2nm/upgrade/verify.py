"""Verification: does the live host do what the profiles say?

The target is the very settings handed to NetworkManager. They are compared
with what NetworkManager reports (each profile saved to disk and activated)
and, above all, with what the kernel does: links up with the right kind,
MTU and bridge ports, a bridge's MAC when its profile sets one (the upgrade
pins a re-created bridge's to the old one's), addresses, routes of every
table, the default route and the policy rules. Dynamic values (DHCP
addresses, metrics NetworkManager chooses) are checked only as far as the
profile fixes them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional

from ifcfg2nm.emit.nmsettings import Profile
from ifcfg2nm.upgrade import kernel, testhooks
from ifcfg2nm.upgrade.deadline import Deadline
from ifcfg2nm.upgrade.nm_dbus import ActiveState, ConnectionInfo

KINDS = {"bridge": "bridge", "vlan": "vlan", "bond": "bond"}
FAMILIES = {"ipv4": 4, "ipv6": 6}


def check(profiles: Sequence[Profile], activated: Sequence[str], state: kernel.KernelState,
          connections: Sequence[ConnectionInfo] = (), active: Optional[Mapping[str, ActiveState]] = None) -> list[str]:
    """Every difference between the profiles and the live host (empty: verified)."""
    out: list[str] = []
    live = set(activated)
    if active is not None:
        saved = {c.uuid: c for c in connections}
        for p in profiles:
            con = saved.get(p.uuid)
            if con is None:
                out.append(f"NetworkManager has no profile {p.id} ({p.uuid})")
            elif con.unsaved:
                out.append(f"profile {p.id} is not saved to disk")
            if p.uuid in live and active.get(p.uuid) != ActiveState.ACTIVATED:
                out.append(f"profile {p.id} is not activated")
    for p in profiles:
        if p.uuid in live:
            out += _device(p, profiles, live, state)
    out += _rules(profiles, live, state)
    return out


def _device(p: Profile, profiles: Sequence[Profile], live: set[str], state: kernel.KernelState) -> list[str]:
    name, s = p.interface, p.settings
    link = state.link(name)
    if link is None:
        return [f"{name}: no such device"]
    out = []
    if not link.up:
        out.append(f"{name}: down")
    kind = KINDS.get(p.type)
    if kind and link.kind != kind:
        out.append(f"{name}: is a {link.kind or 'physical device'}, expected {kind}")
    master = s["connection"].get("master")
    if (master or "") != link.master:
        out.append(f"{name}: controller {link.master or 'none'}, expected {master or 'none'}")
    mtu = s.get("802-3-ethernet", {}).get("mtu") or s.get("infiniband", {}).get("mtu")
    if mtu and link.mtu != mtu:
        out.append(f"{name}: MTU {link.mtu}, expected {mtu}")
    cloned = s.get("802-3-ethernet", {}).get("cloned-mac-address", "")
    if p.type == "bridge" and cloned.count(":") == 5 and link.mac.upper() != cloned.upper():
        out.append(f"{name}: MAC {link.mac}, expected {cloned.lower()}")  # a new MAC: stale DHCP lease, ARP caches
    if p.type == "bridge":
        ports = sorted(q.interface for q in profiles
                       if q.settings["connection"].get("master") == name and q.uuid in live)
        if state.ports_of(name) != ports:
            out.append(f"{name}: ports {state.ports_of(name)}, expected {ports}")
    for setting, family in FAMILIES.items():
        if setting in s:
            out += _ip(name, family, s[setting], state)
    return out


def _ip(name: str, family: int, ip: Mapping[str, Any], state: kernel.KernelState) -> list[str]:
    out = []
    method = ip.get("method", "")
    have = {a.cidr for a in state.addresses_of(name, family) if a.scope != "link"}
    want = {f"{a['address']}/{a['prefix']}" for a in ip.get("address-data", ())}
    if method == "manual" and have != want:
        out.append(f"{name}: IPv{family} addresses {sorted(have)}, expected {sorted(want)}")
    if method == "disabled" and state.addresses_of(name, family):
        out.append(f"{name}: IPv{family} is disabled but the device has addresses")
    if method in ("auto", "dhcp") and family == 4 and not have:
        out.append(f"{name}: no IPv4 address from DHCP")
    main_table = int(ip.get("route-table") or kernel.RT_TABLE_MAIN)
    gateway = ip.get("gateway")
    if gateway and not ip.get("never-default"):
        zero = "0.0.0.0/0" if family == 4 else "::/0"
        if not any(r.dst == zero and r.gateway == gateway and r.dev == name
                   for r in state.routes_in(main_table, family)):
            out.append(f"{name}: no default route via {gateway} in table {main_table}")
    for route in ip.get("route-data", ()):
        out += _route(name, family, route, main_table, state)
    return out


def _route(name: str, family: int, route: Mapping[str, Any], main_table: int, state: kernel.KernelState) -> list[str]:
    dst = f"{route['dest']}/{route['prefix']}"
    table = int(route.get("table") or main_table)
    hop = route.get("next-hop") or ""
    metric = route.get("metric")
    for r in state.routes_in(table, family):
        if r.dst == dst and r.dev == name and r.gateway == hop and (metric is None or r.metric == metric):
            return []
    via = f" via {hop}" if hop else ""
    return [f"{name}: no route {dst}{via} in table {table}"]


def _rules(profiles: Sequence[Profile], live: set[str], state: kernel.KernelState) -> list[str]:
    out = []
    for p in profiles:
        if p.uuid not in live:
            continue
        for setting in ("ipv4", "ipv6"):
            for rule in p.settings.get(setting, {}).get("routing-rules", ()):
                if not any(rule_matches(r, rule) for r in state.rules):
                    out.append(f"{p.interface}: no rule {describe_rule(rule)}")
    return out


def rule_matches(r: kernel.Rule, rule: Mapping[str, Any]) -> bool:
    """Whether kernel rule ``r`` is the profile's ``routing-rules`` entry ``rule``."""
    family = 6 if rule.get("family") == 10 else 4
    src = f"{rule['from']}/{rule.get('from-len', 128 if family == 6 else 32)}" if rule.get("from") else ""
    dst = f"{rule['to']}/{rule.get('to-len', 128 if family == 6 else 32)}" if rule.get("to") else ""
    action = {6: "blackhole", 7: "unreachable", 8: "prohibit"}.get(int(rule.get("action", 1)), "lookup")
    return (r.family == family and r.priority == rule.get("priority") and r.src == src and r.dst == dst
            and r.action == action and (action != "lookup" or r.table == int(rule.get("table") or 254))
            and r.iif == rule.get("iifname", "") and r.oif == rule.get("oifname", "")
            and r.invert == bool(rule.get("invert")))


def describe_rule(rule: Mapping[str, Any]) -> str:
    return " ".join(f"{k} {v}" for k, v in sorted(rule.items()))


def verify(read: Callable[[], list[str]], deadline: Deadline, tries: int = 10, interval: float = 0.2) -> list[str]:
    """Re-check until it passes (the kernel may still be settling) or ``tries`` are used up."""
    testhooks.hang_if("timeout")
    problems: list[str] = []
    for _ in range(tries):
        problems = read()
        if testhooks.failing("verify"):
            return [*problems, f"injected verification failure ({testhooks.FAIL}, pid {os.getpid()})"]
        if not problems or deadline.remaining() < interval:
            break
        time.sleep(interval)
    return problems
