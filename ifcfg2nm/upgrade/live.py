"""The plan refined against the live host, and the snapshot a rollback returns to.

:func:`refine` is pure (plan + what the kernel and NetworkManager report ->
:class:`LivePlan`), so ``upgrade --dry-run`` shows exactly what a run would
do; :func:`read_live` is the only part that asks the live system.

A bridge the run re-creates keeps its MAC: unless the target sets one, its
profile gets ``802-3-ethernet.cloned-mac-address`` = the old bridge's current
MAC (or its port's when the old bridge is gone), as VDSM >= 4.50 pins a
bridge's ``mac-address`` to its port's (spec/vdsm-formats.md §5.2). Without it
the new bridge's MAC depends on the kernel and udev's MAC policy, and the DHCP
lease and the neighbours' ARP caches of the network go stale. This is live
state, so the pin lives here, not in the model (``convert`` does not pin).

The snapshot (:class:`Snapshot`) is taken before anything changes and stored
with the backups: the kernel state (links, addresses, routes of all tables,
rules, the IPv6 switch of the devices involved), NetworkManager's managed
flag per device, and the settings of profiles the run will overwrite.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from ifcfg2nm.emit.dbus_settings import from_dbus
from ifcfg2nm.emit.nmsettings import Profile
from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.hosttree import HostTree
from ifcfg2nm.parser.documents import RuleEntry
from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.nm_dbus import ConnectionInfo, DeviceInfo, NMClient
from ifcfg2nm.upgrade.plan import Plan, PlannedDevice

KERNEL_KINDS = {"bridge": ("bridge",), "vlan": ("vlan",), "bond": ("bond",), "ovs-bridge": ("openvswitch",)}
"""Plan device kind -> kernel link kinds it may have (anything else is never deleted)."""

FLAG_EXTERNAL = 0x8
"""NMSettingsConnectionFlags: a profile NetworkManager generated for a device it did not configure."""

UPGRADE_DEVICE_KIND_MISMATCH = define(
    "UPGRADE_DEVICE_KIND_MISMATCH", Severity.ERROR,
    "a device VDSM should have made is, on the live host, a different kind of device",
    "The upgrade never deletes it; find out what created it before migrating.",
)
UPGRADE_COMPETING_PROFILE = define(
    "UPGRADE_COMPETING_PROFILE", Severity.WARNING,
    "NetworkManager already has another saved profile for an interface the upgrade configures",
    "The upgrade activates its own profile (which then wins autoconnect by being the most recent); "
    "delete the other one after the upgrade if it is stale.",
)
UPGRADE_DEVICE_ABSENT = define(
    "UPGRADE_DEVICE_ABSENT", Severity.WARNING,
    "a NIC of a profile is not present on this host",
    "The profile is saved but not activated; NetworkManager brings it up when the NIC appears.",
)


@dataclass(frozen=True)
class LivePlan:
    """What a run does on this host now."""

    plan: Plan
    take_down: tuple[PlannedDevice, ...]
    """Planned devices that exist now (with the expected kind), in order."""
    absent: tuple[str, ...]
    """Planned devices that do not exist (nothing to take down)."""
    release: tuple[str, ...]
    """Devices NetworkManager is told to leave alone before the checkpoint (as ``NM_CONTROLLED=no`` did),
    so that a checkpoint rollback never turns them into NetworkManager profiles."""
    add: tuple[str, ...]
    """Profile UUIDs NetworkManager does not have yet."""
    update: tuple[str, ...]
    """Profile UUIDs NetworkManager already has (overwritten with Update2)."""
    activate: tuple[str, ...]
    """Profile UUIDs to activate, ports first."""
    old_rules: tuple[kernel.Rule, ...]
    """Kernel rules of VDSM's rule files (removed with the devices; rules outlive devices)."""
    old_routes: tuple[kernel.Route, ...]
    """Kernel routes of VDSM's route files on devices that stay (NICs of bridgeless networks)."""
    findings: tuple[Finding, ...] = ()
    mac_pins: tuple[tuple[str, str], ...] = ()
    """(profile UUID, MAC): re-created bridges that keep their current MAC (see the module docstring)."""

    @property
    def blocked(self) -> tuple[Finding, ...]:
        return (*self.plan.blocked, *(f for f in self.findings if f.severity is Severity.ERROR))

    @property
    def profiles(self) -> tuple[Profile, ...]:
        """The plan's profiles as this run hands them over: with the MAC pins."""
        pins = dict(self.mac_pins)
        return tuple(_pinned(p, pins[p.uuid]) if p.uuid in pins else p for p in self.plan.profiles)

    def pin_nmstate(self, state: Mapping[str, Any]) -> dict[str, Any]:
        """The nmstate state with the same pins (``mac-address`` of the bridges)."""
        macs = {p.interface: mac for p in self.plan.profiles for uuid, mac in self.mac_pins if p.uuid == uuid}
        return {**state, "interfaces": [
            {**iface, "mac-address": macs[iface["name"]]} if iface.get("name") in macs and "mac-address" not in iface
            else iface for iface in state.get("interfaces", ())]}

    def to_json(self) -> dict[str, Any]:
        return {
            "take_down": [d.name for d in self.take_down],
            "absent": list(self.absent),
            "release": list(self.release),
            "add": list(self.add),
            "update": list(self.update),
            "activate": list(self.activate),
            "old_rules": [rule_text(r) for r in self.old_rules],
            "old_routes": [route_text(r) for r in self.old_routes],
            "findings": [f.to_json() for f in self.findings],
            "mac_pins": dict(self.mac_pins),
        }


@dataclass(frozen=True)
class LiveState:
    """What the live host reports (the input of :func:`refine`)."""

    kernel: kernel.KernelState
    connections: tuple[ConnectionInfo, ...] = ()
    devices: tuple[DeviceInfo, ...] = ()


def read_live(nm: Optional[NMClient], timeout: float = 5.0) -> LiveState:
    state = kernel.read_state(timeout=timeout)
    if nm is None:
        return LiveState(state)
    return LiveState(state, tuple(nm.list_connections()), tuple(nm.list_devices()))


def refine(plan: Plan, tree: HostTree, live: LiveState) -> LivePlan:
    """The plan for this host as it is now (pure)."""
    findings: list[Finding] = []
    take_down, absent = _existing(plan, live.kernel, findings)
    known = {c.uuid for c in live.connections}
    add = tuple(p.uuid for p in plan.write if p.uuid not in known)
    update = tuple(p.uuid for p in plan.write if p.uuid in known)
    activate = _activatable(plan, live.kernel, findings)
    _competing(plan, live.connections, findings)
    removed = set(plan.remove)
    rule_entries = [e for doc in tree.rules if _rel(tree, doc.path) in removed for e in doc.rules]
    old_rules = tuple(r for r in live.kernel.rules if any(_rule_matches(r, e) for e in rule_entries))
    down = {d.name for d in take_down}
    route_files = [doc for doc in tree.routes if _rel(tree, doc.path) in removed]
    old_routes = tuple(
        r for r in live.kernel.routes
        if r.dev not in down and r.table not in (255,) and any(
            _route_matches(r, e.destination, e.gateway, e.table, e.device or _route_file_device(doc.path))
            for doc in route_files for e in doc.routes)
    )
    return LivePlan(
        plan=plan, take_down=take_down, absent=absent,
        release=_release(plan, take_down, live), add=add, update=update, activate=activate,
        old_rules=old_rules, old_routes=old_routes, findings=tuple(findings), mac_pins=_mac_pins(plan, live.kernel),
    )


def _mac_pins(plan: Plan, state: kernel.KernelState) -> tuple[tuple[str, str], ...]:
    """Bridges the run takes down and re-creates, without a MAC of their own in the target: the old
    bridge's current MAC, else its port's (a bridge without either is left to the kernel)."""
    recreated = {d.name for d in plan.take_down if d.kind == "bridge"}
    pins = []
    for p in plan.profiles:
        if p.type != "bridge" or p.interface not in recreated:
            continue
        if p.settings.get("802-3-ethernet", {}).get("cloned-mac-address"):
            continue
        old = state.link(p.interface)
        ports = [q.interface for q in plan.profiles if q.settings["connection"].get("master") == p.interface]
        candidates: list[Optional[kernel.Link]] = [old] if old is not None and old.kind == "bridge" else []
        candidates += [state.link(name) for name in ports]
        mac = next((link.mac for link in candidates if link is not None and _unicast_mac(link.mac)), None)
        if mac:
            pins.append((p.uuid, mac.upper()))
    return tuple(pins)


def _unicast_mac(mac: str) -> bool:
    parts = mac.split(":")
    return len(parts) == 6 and mac != "00:00:00:00:00:00" and not int(parts[0], 16) & 1


def _pinned(profile: Profile, mac: str) -> Profile:
    wired = {**profile.settings.get("802-3-ethernet", {}), "cloned-mac-address": mac}
    return dataclasses.replace(profile, settings={**profile.settings, "802-3-ethernet": dict(sorted(wired.items()))})


def _rel(tree: HostTree, path: str) -> str:
    return os.path.relpath(path, tree.root).replace(os.sep, "/")


def _route_file_device(path: str) -> str:
    name = os.path.basename(path)
    return name.split("-", 1)[1] if "-" in name else name


def _existing(plan: Plan, state: kernel.KernelState,
              findings: list[Finding]) -> tuple[tuple[PlannedDevice, ...], tuple[str, ...]]:
    present, absent = [], []
    for dev in plan.take_down:
        link = state.link(dev.name)
        if link is None:
            absent.append(dev.name)
        elif link.kind in KERNEL_KINDS[dev.kind]:
            present.append(dev)
        else:
            findings.append(UPGRADE_DEVICE_KIND_MISMATCH(
                Position(""), f"{dev.name} should be a {dev.kind} ({dev.why}) but is a "
                              f"{link.kind or 'physical device'} on this host"))
    return tuple(present), tuple(absent)


def _activatable(plan: Plan, state: kernel.KernelState, findings: list[Finding]) -> tuple[str, ...]:
    """Ports first; profiles of NICs that are not there are saved but not activated."""
    by_uuid = {p.uuid: p for p in plan.write}
    out = []
    for uuid in plan.activation_order():
        p = by_uuid[uuid]
        if p.type in ("802-3-ethernet", "infiniband") and state.link(p.interface) is None:
            findings.append(UPGRADE_DEVICE_ABSENT(Position(""), f"{p.interface} (profile {p.id}) is not present"))
            continue
        out.append(uuid)
    return tuple(out)


def _competing(plan: Plan, connections: Sequence[ConnectionInfo], findings: list[Finding]) -> None:
    ours = {p.uuid for p in plan.write}
    ifaces = {p.interface for p in plan.write}
    for c in connections:
        if c.uuid in ours or c.interface_name not in ifaces or c.unsaved or c.flags & FLAG_EXTERNAL:
            continue
        findings.append(UPGRADE_COMPETING_PROFILE(
            Position(c.filename), f"profile {c.id!r} ({c.uuid}) also configures {c.interface_name}"))


def _release(plan: Plan, take_down: Sequence[PlannedDevice], live: LiveState) -> tuple[str, ...]:
    """Old devices, what hangs below them, and our interfaces NetworkManager does not configure itself."""
    names = {d.name for d in take_down}
    changed = True
    while changed:  # ports of ports (bridge -> vlan -> bond -> NICs)
        more = {x.name for x in live.kernel.links if x.master in names} - names
        vlan_parents = {x.link for x in live.kernel.links if x.name in names and x.kind == "vlan" and x.link}
        more |= vlan_parents - names
        changed = bool(more)
        names |= more
    active = {c.path: c for c in live.connections}
    devices = {d.iface: d for d in live.devices if d.real}
    for p in plan.write:
        dev = devices.get(p.interface)
        if dev is None or live.kernel.link(p.interface) is None:
            continue
        con = active.get(dev.active_connection)
        if dev.active_connection == "/" or (con is not None and con.flags & FLAG_EXTERNAL):
            names.add(p.interface)
    return tuple(sorted(n for n in names if live.kernel.link(n) is not None and n != "lo"))


def _rule_matches(rule: kernel.Rule, entry: RuleEntry) -> bool:
    if rule.family != entry.family or rule.action != ("lookup" if entry.action == "table" else entry.action):
        return False
    if entry.priority is not None and rule.priority != entry.priority:
        return False
    if entry.table is not None and rule.table != entry.table:
        return False
    if (entry.source or "") != rule.src or (entry.destination or "") != rule.dst:
        return False
    return (entry.iif or "") == rule.iif and (entry.oif or "") == rule.oif


def _route_matches(route: kernel.Route, dst: str, gateway: Optional[str], table: Optional[int], dev: str) -> bool:
    return (route.dst == dst and route.dev == dev and route.table == (table or kernel.RT_TABLE_MAIN)
            and (gateway or "") == route.gateway)


def rule_text(r: kernel.Rule) -> str:
    parts = [f"prio {r.priority}", f"from {r.src or 'all'}"]
    if r.dst:
        parts.append(f"to {r.dst}")
    if r.iif:
        parts.append(f"iif {r.iif}")
    if r.oif:
        parts.append(f"oif {r.oif}")
    parts.append(f"{r.action} {r.table}" if r.action == "lookup" else r.action)
    return " ".join(parts)


def route_text(r: kernel.Route) -> str:
    via = f" via {r.gateway}" if r.gateway else ""
    return f"{r.dst}{via} dev {r.dev} table {r.table}"


# -- snapshot ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """The live state a rollback returns to."""

    kernel: kernel.KernelState
    devices: tuple[str, ...]
    """The devices the run may change (restored on rollback)."""
    disable_ipv6: Mapping[str, str] = field(default_factory=dict)
    managed: Mapping[str, bool] = field(default_factory=dict)
    """NetworkManager's managed flag per device (empty: NetworkManager not involved)."""
    profiles: Mapping[str, Any] = field(default_factory=dict)
    """uuid -> plain settings of the profiles the run overwrites."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kernel": dataclasses.asdict(self.kernel),
            "devices": list(self.devices),
            "disable_ipv6": dict(self.disable_ipv6),
            "managed": dict(self.managed),
            "profiles": dict(self.profiles),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Snapshot:
        k = d["kernel"]
        state = kernel.KernelState(
            links=tuple(kernel.Link(**{**x, "flags": tuple(x["flags"])}) for x in k["links"]),
            addresses=tuple(kernel.Address(**{**x, "flags": tuple(x["flags"])}) for x in k["addresses"]),
            routes=tuple(kernel.Route(**{**x, "flags": tuple(x["flags"]),
                                         "nexthops": tuple(kernel.Nexthop(**h) for h in x["nexthops"])})
                         for x in k["routes"]),
            rules=tuple(kernel.Rule(**{**x, "sport": tuple(x["sport"]), "dport": tuple(x["dport"]),
                                       "uid_range": tuple(x["uid_range"])}) for x in k["rules"]),
        )
        return cls(state, tuple(d["devices"]), dict(d["disable_ipv6"]), dict(d["managed"]), dict(d["profiles"]))


def involved_devices(live_plan: LivePlan, state: kernel.KernelState) -> tuple[str, ...]:
    """Every existing device the run may change: taken down, released, or configured."""
    names = {d.name for d in live_plan.take_down} | set(live_plan.release)
    names |= {p.interface for p in live_plan.plan.write}
    return tuple(sorted(n for n in names if state.link(n) is not None and n != "lo"))


def take_snapshot(live_plan: LivePlan, live: LiveState, nm: Optional[NMClient]) -> Snapshot:
    devices = involved_devices(live_plan, live.kernel)
    managed = {d.iface: d.managed for d in live.devices if d.real and d.iface in devices}
    profiles: dict[str, Any] = {}
    if nm is not None:
        for uuid in live_plan.update:
            profiles[uuid] = from_dbus(nm.get_settings(uuid))
    return Snapshot(live.kernel, devices, read_disable_ipv6(devices), managed, profiles)


def read_disable_ipv6(devices: Iterable[str]) -> dict[str, str]:
    """``net.ipv6.conf.<dev>.disable_ipv6`` of this network namespace."""
    out = {}
    for dev in devices:
        try:
            with open(f"/proc/sys/net/ipv6/conf/{dev}/disable_ipv6") as f:
                out[dev] = f.read().strip()
        except OSError:
            continue
    return out
