"""Put the kernel back as the snapshot had it: devices, ports, MTU, addresses, routes, rules.

NetworkManager's checkpoint restores what NetworkManager managed; the old
configurator's devices were made with ``ip`` behind its back (or while it
was told to keep off), so the rollback rebuilds them the same way, like
VDSM's own rollback re-ran ifup. Only the snapshot's devices are touched,
and only rules that are in the snapshot or that the upgrade's profiles add.
The pass is repeated until a read-back agrees (NetworkManager may still be
settling from its own rollback).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Optional

from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.deadline import Deadline
from ifcfg2nm.upgrade.live import Snapshot
from ifcfg2nm.upgrade.takedown import IpError, family_flag, ip_do, route_args, rule_args

CREATE_ORDER = {"bond": 0, "vlan": 1, "bridge": 2}
BRIDGE_DEFAULTS = {"stp_state": 0, "forward_delay": 1500, "hello_time": 200, "max_age": 2000,
                   "ageing_time": 30000, "priority": 32768, "vlan_filtering": 0, "mcast_snooping": 1}
"""Kernel defaults of the bridge options restored; only differing ones are passed (a kernel without
VLAN filtering refuses even ``vlan_filtering 0``)."""
BOND_OPTIONS = ("miimon", "updelay", "downdelay", "xmit_hash_policy", "lacp_rate", "ad_select", "primary")


def restore_kernel(snapshot: Snapshot, ours: Callable[[kernel.Rule], bool], deadline: Deadline,
                   passes: int = 4) -> list[str]:
    """Rebuild until the kernel matches the snapshot for its devices; returns what still differs."""
    left: list[str] = []
    for _ in range(passes):
        errors = _one_pass(snapshot, ours, deadline)
        left = errors + differences(snapshot, kernel.read_state(timeout=deadline.bound(5.0)), ours)
        if not left or deadline.remaining() <= 0:
            break
        time.sleep(min(0.2, deadline.remaining()))
    return left


def differences(snapshot: Snapshot, now: kernel.KernelState, ours: Callable[[kernel.Rule], bool]) -> list[str]:
    """What of the snapshot's devices, addresses, routes and rules the kernel does not have (or has extra)."""
    out = []
    devices = set(snapshot.devices)
    for old in snapshot.kernel.links:
        if old.name not in devices:
            continue
        cur = now.link(old.name)
        if cur is None:
            out.append(f"{old.name} is missing")
            continue
        for what, a, b in (("kind", old.kind, cur.kind), ("master", old.master, cur.master),
                           ("mtu", old.mtu, cur.mtu), ("up", old.up, cur.up)):
            if a != b:
                out.append(f"{old.name}: {what} {b!r}, was {a!r}")
    want, have = _addresses(snapshot.kernel, devices), _addresses(now, devices)
    out += [f"address {a[1]} on {a[0]} missing" for a in sorted(want - have)]
    out += [f"address {a[1]} on {a[0]} extra" for a in sorted(have - want)]
    want_r, have_r = _routes(snapshot.kernel, devices), _routes(now, devices)
    out += [f"route {' '.join(route_args(r))} missing" for r in _sorted(want_r.keys() - have_r.keys(), want_r)]
    out += [f"route {' '.join(route_args(r))} extra" for r in _sorted(have_r.keys() - want_r.keys(), have_r)]
    want_u, have_u = _rules(snapshot.kernel), _rules(now)
    out += [f"rule {' '.join(rule_args(want_u[k]))} missing" for k in sorted(want_u.keys() - have_u.keys(), key=str)]
    out += [f"rule {' '.join(rule_args(have_u[k]))} extra" for k in sorted(have_u.keys() - want_u.keys(), key=str)
            if ours(have_u[k])]
    return out


def _sorted(keys: Iterable[tuple[Any, ...]], table: dict[tuple[Any, ...], kernel.Route]) -> list[kernel.Route]:
    return [table[k] for k in sorted(keys, key=str)]


def _one_pass(snapshot: Snapshot, ours: Callable[[kernel.Rule], bool], deadline: Deadline) -> list[str]:
    errors: list[str] = []

    def attempt(args: Sequence[str], missing_ok: bool = False) -> None:
        try:
            ip_do(args, deadline.bound(5.0), missing_ok=missing_ok)
        except IpError as e:
            errors.append(str(e))

    devices = set(snapshot.devices)
    old_links = [x for x in snapshot.kernel.links if x.name in devices]
    now = kernel.read_state(timeout=deadline.bound(5.0))
    for link in sorted(old_links, key=lambda x: CREATE_ORDER.get(x.kind, -1)):
        if now.link(link.name) is None:
            args = _create_args(link)
            if args is None:
                errors.append(f"{link.name} ({link.kind or 'physical'}) is gone and cannot be re-created")
            else:
                attempt(args)
    for link in old_links:
        _set_disable_ipv6(link.name, snapshot.disable_ipv6.get(link.name), errors)
    now = kernel.read_state(timeout=deadline.bound(5.0))
    for link in sorted(old_links, key=lambda x: CREATE_ORDER.get(x.kind, -1)):
        cur = now.link(link.name)
        if cur is None:
            continue
        if cur.master != link.master:
            attempt(["link", "set", "dev", link.name, *(["master", link.master] if link.master else ["nomaster"])])
        if cur.mtu != link.mtu:
            attempt(["link", "set", "dev", link.name, "mtu", str(link.mtu)])
        if cur.up != link.up:
            attempt(["link", "set", "dev", link.name, "up" if link.up else "down"])
    now = kernel.read_state(timeout=deadline.bound(5.0))
    for link in old_links:
        cur = now.link(link.name)
        if cur is not None and link.mac and cur.mac != link.mac and link.kind in ("bridge", "bond", "vlan", "veth", ""):
            attempt(["link", "set", "dev", link.name, "address", link.mac])
    want, have = _addresses(snapshot.kernel, devices), _addresses(now, devices)
    for dev, cidr, family in sorted(have - want):
        attempt([family_flag(family), "addr", "del", cidr, "dev", dev], missing_ok=True)
    flags = {(a.ifname, a.cidr): a.flags for a in snapshot.kernel.addresses}
    for dev, cidr, family in sorted(want - have):
        extra = ["noprefixroute"] if "noprefixroute" in flags.get((dev, cidr), ()) else []
        brd = ["broadcast", "+"] if family == 4 else []
        attempt([family_flag(family), "addr", "add", cidr, *brd, "dev", dev, *extra])
    now = kernel.read_state(timeout=deadline.bound(5.0))
    want_r, have_r = _routes(snapshot.kernel, devices), _routes(now, devices)
    for key in sorted(have_r.keys() - want_r.keys(), key=str):
        r = have_r[key]
        attempt([family_flag(r.family), "route", "del", *route_args(r)], missing_ok=True)
    for key in sorted(want_r.keys() - have_r.keys(), key=str):
        r = want_r[key]
        attempt([family_flag(r.family), "route", "add", *route_args(r)])
    want_u, have_u = _rules(snapshot.kernel), _rules(now)
    for key in sorted(have_u.keys() - want_u.keys(), key=str):
        if ours(have_u[key]):
            attempt([family_flag(key[0]), "rule", "del", *rule_args(have_u[key])], missing_ok=True)
    for key in sorted(want_u.keys() - have_u.keys(), key=str):
        attempt([family_flag(key[0]), "rule", "add", *rule_args(want_u[key])])
    return errors


def _create_args(link: kernel.Link) -> Optional[list[str]]:
    data = link.info_data
    if link.kind == "bridge":
        opts = [str(x) for k, default in BRIDGE_DEFAULTS.items() if data.get(k, default) != default
                for x in (k, data[k])]
        return ["link", "add", "name", link.name, "type", "bridge", *opts]
    if link.kind == "vlan" and link.link and "id" in data:
        proto = ["protocol", str(data["protocol"])] if "protocol" in data else []
        return ["link", "add", "link", link.link, "name", link.name, "type", "vlan", "id", str(data["id"]), *proto]
    if link.kind == "bond":
        opts = [str(x) for k in BOND_OPTIONS if k in data and data[k] not in (None, "") for x in (k, data[k])]
        mode = ["mode", str(data["mode"])] if "mode" in data else []
        return ["link", "add", "name", link.name, "type", "bond", *mode, *opts]
    return None


def _set_disable_ipv6(dev: str, value: Optional[str], errors: list[str]) -> None:
    if value is None:
        return
    path = f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6"
    try:
        with open(path) as f:
            if f.read().strip() == value:
                return
        with open(path, "w") as f:
            f.write(value)
    except OSError as e:
        errors.append(f"{path}: {e.strerror or e}")


def _link_local(family: int, address: str) -> bool:
    return family == 6 and address.lower().startswith(("fe80", "ff"))


def _addresses(state: kernel.KernelState, devices: set[str]) -> set[tuple[str, str, int]]:
    return {(a.ifname, a.cidr, a.family) for a in state.addresses
            if a.ifname in devices and not _link_local(a.family, a.address)}


def _routes(state: kernel.KernelState, devices: set[str]) -> dict[tuple[Any, ...], kernel.Route]:
    out = {}
    for r in state.routes:
        if r.dev not in devices or r.table == 255 or _link_local(r.family, r.dst) or r.nexthops:
            continue
        out[(r.family, r.table, r.type, r.dst, r.gateway, r.dev, r.metric, r.protocol, r.scope, r.prefsrc)] = r
    return out


def _rules(state: kernel.KernelState) -> dict[tuple[Any, ...], kernel.Rule]:
    return {(r.family, *rule_args(r)): r for r in state.rules}
