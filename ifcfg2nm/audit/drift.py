"""Drift between VDSM's three records of a host's networks: persistent, running and the ifcfg files.

An oVirt administrator knows the result as "out of sync" networks: the engine
changed something (``setupNetworks``) and nobody saved it
(``setSafeNetworkConfig``), so the running config and the ifcfg files say one
thing and the persistent config another (spec/vdsm-formats.md §2, §4). The
upgrade converts the persistent view, exactly as VDSM's boot restore would, so
every difference is something that changes on the host; this module names each
one, field by field, with the file and line of every side.

All three sources are compared in VDSM's canonical terms (``VdsmNetwork``,
``VdsmBond``): the JSON after canonicalization, the ifcfg files as read back by
:mod:`ifcfg2nm.model.vdsm_ifcfg`. Pure: no I/O.
"""

from __future__ import annotations

import json
import operator
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.hosttree import BackupFile
from ifcfg2nm.model.bonding import format_bond_options, parse_bond_options
from ifcfg2nm.model.host import HostConfig, VdsmBond, VdsmNetwork
from ifcfg2nm.model.vdsm import CanonicalConfig
from ifcfg2nm.parser.documents import RouteFile, ShellFile

SOURCES = ("persistent", "running", "ifcfg")
"""In the order the upgrade trusts them: it converts the persistent config."""

LABEL = {"persistent": "the persistent config", "running": "the running config", "ifcfg": "the ifcfg files"}

DRIFT_NOT_PERSISTED = define(
    "DRIFT_NOT_PERSISTED", Severity.WARNING,
    "a VDSM network or bond runs but is not persisted (an unsaved change)",
    "VDSM's boot restore would remove it and the upgrade does not convert it. Save the network "
    "configuration in oVirt (setSafeNetworkConfig) first if it must stay.",
)
DRIFT_NOT_RUNNING = define(
    "DRIFT_NOT_RUNNING", Severity.WARNING,
    "a persisted VDSM network or bond is missing from the running config (removed without saving)",
    "The upgrade restores it, as VDSM's boot restore would. Remove it in oVirt and save if it must go.",
)
DRIFT_NO_IFCFG = define(
    "DRIFT_NO_IFCFG", Severity.WARNING,
    "a VDSM network or bond has no ifcfg files: it is not configured on the host now",
    "The upgrade sets it up from VDSM's config, as VDSM's restore would; check it is still wanted.",
)
DRIFT_CHANGED = define(
    "DRIFT_CHANGED", Severity.WARNING,
    "an attribute of a VDSM network or bond differs between VDSM's records (out of sync)",
    "The upgrade applies the persistent value. Sync the network in oVirt (or save the running "
    "config) before upgrading if the other value is the right one.",
)
DRIFT_UNSAVED_BACKUP = define(
    "DRIFT_UNSAVED_BACKUP", Severity.WARNING,
    "netconfback/ holds an unsaved change: VDSM's restore would put this file back (or delete it)",
    "The upgrade converts the current files; save the network configuration in oVirt (which clears "
    "netconfback/) or restore the backup first if the old state is the right one.",
)

_NET_FIELDS: tuple[tuple[str, str], ...] = (
    ("nic", "nic"), ("bonding", "bonding"), ("vlan", "vlan"), ("bridged", "bridged"), ("stp", "stp"),
    ("mtu", "mtu"), ("bootproto", "bootproto"), ("ipaddr", "ipaddr"), ("netmask", "netmask"),
    ("gateway", "gateway"), ("ipv6addr", "ipv6addr"), ("ipv6gateway", "ipv6gateway"),
    ("ipv6autoconf", "ipv6autoconf"), ("dhcpv6", "dhcpv6"), ("defaultRoute", "default_route"),
    ("nameservers", "nameservers"), ("switch", "switch"),
)
"""(VDSM's JSON name, VdsmNetwork attribute) of the attributes every source records."""

_IFCFG_KEYS: Mapping[str, tuple[str, ...]] = {
    "bridged": ("TYPE",), "stp": ("STP",), "mtu": ("MTU",), "bootproto": ("BOOTPROTO",),
    "ipaddr": ("IPADDR", "IPADDR0", "IPADDR1"), "netmask": ("NETMASK", "PREFIX", "NETMASK0", "PREFIX0"),
    "gateway": ("GATEWAY", "GATEWAY0"), "ipv6addr": ("IPV6ADDR",), "ipv6gateway": ("IPV6_DEFAULTGW",),
    "ipv6autoconf": ("IPV6_AUTOCONF",), "dhcpv6": ("DHCPV6C",), "defaultRoute": ("DEFROUTE", "GATEWAY"),
    "nameservers": ("DNS1",), "custom.bridge_opts": ("BRIDGING_OPTS",),
}
"""Where an attribute of a network lives in its top device's ifcfg file."""

Value = Any
"""A JSON-able value (None: the attribute is absent)."""


@dataclass(frozen=True)
class Side:
    """What one source says about one attribute."""

    source: str
    value: Value
    position: Position


@dataclass(frozen=True)
class FieldDrift:
    field: str
    """VDSM's JSON name (``ipaddr``, ``defaultRoute``, ``custom.bridge_opts``, ``options`` …)."""
    sides: tuple[Side, ...]
    """One per source that has the entity, in :data:`SOURCES` order."""


@dataclass(frozen=True)
class Entity:
    """One VDSM network or bond across the compared sources."""

    kind: str
    """``network`` or ``bond``."""
    name: str
    present: tuple[Side, ...]
    """Where each source that has it records it (``value`` is True)."""
    missing: tuple[str, ...]
    """Compared sources that do not have it."""
    fields: tuple[FieldDrift, ...] = ()

    @property
    def in_sync(self) -> bool:
        return not self.missing and not self.fields


@dataclass(frozen=True)
class DriftReport:
    compared: tuple[str, ...]
    """The sources this host has (a missing running config or ifcfg era is not drift)."""
    entities: tuple[Entity, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class _Source:
    name: str
    networks: Mapping[str, VdsmNetwork]
    bonds: Mapping[str, VdsmBond]
    locate: Callable[[Union[VdsmNetwork, VdsmBond], str], Position]


def compare(
    persistent: Optional[CanonicalConfig],
    running: Optional[CanonicalConfig],
    ifcfg: Optional[HostConfig],
    ifcfg_files: Sequence[ShellFile] = (),
    route_files: Sequence[RouteFile] = (),
) -> DriftReport:
    """Every network and bond of the given sources, and what differs between them.

    Pass None for a source the host does not have (no persistent or running
    config; ifcfg when no VDSM-written file exists): absence there is not drift.
    ``ifcfg_files``/``route_files`` give the ifcfg side its file:line positions.
    """
    sources: list[_Source] = []
    for name, config in (("persistent", persistent), ("running", running)):
        if config is not None:
            sources.append(_Source(name, {n.name: n for n in config.networks}, {b.name: b for b in config.bonds},
                                   _json_position))
    if ifcfg is not None:
        locator = _IfcfgLocator(ifcfg_files, route_files)
        sources.append(_Source("ifcfg", {n.name: n for n in ifcfg.networks if n.switch != "ovs"},
                               {b.name: b for b in ifcfg.bonds if b.switch != "ovs"}, locator.locate))
    entities: list[Entity] = []
    for kind in ("network", "bond"):
        names = sorted({n for s in sources for n in (s.networks if kind == "network" else s.bonds)})
        for name in names:
            entities.append(_entity(kind, name, sources, ifcfg))
    findings = [f for e in entities for f in entity_findings(e)]
    return DriftReport(tuple(s.name for s in sources), tuple(entities), tuple(findings))


def _entity(kind: str, name: str, sources: Sequence[_Source], ifcfg: Optional[HostConfig]) -> Entity:
    records: dict[str, Union[VdsmNetwork, VdsmBond]] = {}
    missing: list[str] = []
    for s in sources:
        record = (s.networks if kind == "network" else s.bonds).get(name)
        if record is not None:
            records[s.name] = record
        elif not (s.name == "ifcfg" and _is_ovs(kind, name, sources)):
            missing.append(s.name)
    locate = {s.name: s.locate for s in sources}
    present = tuple(Side(src, True, locate[src](rec, "")) for src, rec in records.items())
    if len(records) < 2 or _same(records):
        return Entity(kind, name, present, tuple(missing))
    values = {src: _values(rec, src) for src, rec in records.items()}
    fields: list[FieldDrift] = []
    for field in sorted({f for v in values.values() for f in v}, key=_field_rank):
        if len({_hashable(v[field]) for v in values.values() if field in v}) < 2:
            continue  # the common case: every source agrees (positions are looked up only for drift)
        sides = [Side(src, v[field], locate[src](records[src], field)) for src, v in values.items() if field in v]
        sides = _comparable(field, sides, records, ifcfg)
        if len({_hashable(s.value) for s in sides}) > 1:
            fields.append(FieldDrift(field, tuple(sides)))
    return Entity(kind, name, present, tuple(missing), tuple(fields))


_CORE = operator.attrgetter(*(attr for _, attr in _NET_FIELDS))


def _same(records: Mapping[str, Union[VdsmNetwork, VdsmBond]]) -> bool:
    """A cheap first look for the common case, every source agreeing exactly (no per-field work)."""
    core: set[Any] = set()
    extra: set[Any] = set()
    for source, r in records.items():
        if isinstance(r, VdsmNetwork):
            core.add((_CORE(r), dict(r.custom).get("bridge_opts")))
            if source != "ifcfg":
                extra.add((r.custom, r.host_qos, r.extras))
        else:
            core.add((r.nics, r.options, r.switch))
            if r.hwaddr is not None or source != "ifcfg":
                extra.add(r.hwaddr)
    return len(core) == 1 and len(extra) <= 1


def _hashable(value: Value) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def _is_ovs(kind: str, name: str, sources: Sequence[_Source]) -> bool:
    """OVS networks and bonds never had ifcfg files (VDSM built them with ovs-vsctl)."""
    for s in sources:
        record = (s.networks if kind == "network" else s.bonds).get(name)
        if record is not None and record.switch == "ovs":
            return True
    return False


def _field_rank(field: str) -> tuple[int, str]:
    order = [f for f, _ in _NET_FIELDS] + ["nics", "options", "hwaddr"]
    return (order.index(field), "") if field in order else (len(order), field)


def _values(record: Union[VdsmNetwork, VdsmBond], source: str) -> dict[str, Value]:
    """The attributes a source records, by VDSM's JSON names (the ifcfg files hold fewer)."""
    if isinstance(record, VdsmBond):
        out: dict[str, Value] = {"nics": list(record.nics), "options": _bond_options(record.options),
                                 "switch": record.switch}
        if record.hwaddr is not None or source != "ifcfg":
            out["hwaddr"] = record.hwaddr
        return out
    out = {key: _jsonable(getattr(record, attr)) for key, attr in _NET_FIELDS}
    custom = dict(record.custom)
    if source == "ifcfg":
        out["custom.bridge_opts"] = custom.get("bridge_opts")
        return out
    for key, value in custom.items():
        out[f"custom.{key}"] = value
    if "bridge_opts" not in custom:
        out["custom.bridge_opts"] = None
    if record.host_qos:
        out["hostQos"] = dict(record.host_qos)
    for key, value in record.extras:
        out[key] = value
    return out


def _bond_options(text: str) -> str:
    """Canonical option text, so ``mode=4`` and ``mode=802.3ad`` compare equal (problems are reported elsewhere)."""
    settings, _ = parse_bond_options(text, Position(""))
    return format_bond_options(settings)


def _jsonable(value: Any) -> Value:
    return list(value) if isinstance(value, tuple) else value


def _comparable(
    field: str, sides: list[Side], records: Mapping[str, Union[VdsmNetwork, VdsmBond]],
    ifcfg: Optional[HostConfig],
) -> list[Side]:
    """Drop an ifcfg MTU that is the shared base's: the one known ambiguity (spec §1.6).

    An untagged bridgeless network's IP sits on its NIC or bond, whose file holds
    the largest MTU of every network on that device, not the network's own.
    """
    net = records.get("ifcfg")
    if field != "mtu" or not isinstance(net, VdsmNetwork) or ifcfg is None:
        return sides
    if net.bridged or net.vlan is not None or net.southbound is None:
        return sides
    shared = any(o.southbound == net.southbound and o.name != net.name for o in ifcfg.networks)
    others = [s.value for s in sides if s.source != "ifcfg" and isinstance(s.value, int)]
    if shared and others and isinstance(net.mtu, int) and net.mtu >= max(others):
        return [s for s in sides if s.source != "ifcfg"]
    return sides


def _json_position(record: Union[VdsmNetwork, VdsmBond], field: str) -> Position:
    """The member's position in the JSON file; for the entity, where its device is named."""
    if field:
        return record.position_of(field)
    if isinstance(record, VdsmBond):
        return record.position_of("nics")
    for key in ("vlan", "nic", "bonding"):
        if getattr(record, key) is not None:
            return record.position_of(key)
    return record.source


class _IfcfgLocator:
    """file:line of a VDSM network's or bond's attributes in the ifcfg files VDSM wrote."""

    def __init__(self, files: Sequence[ShellFile], routes: Sequence[RouteFile]) -> None:
        self.by_device: dict[str, ShellFile] = {}
        for doc in files:
            device = doc.get("DEVICE") or os.path.basename(doc.path)[len("ifcfg-"):]
            self.by_device.setdefault(device, doc)
        self.routes = {os.path.basename(r.path)[len("route-"):]: r for r in routes}

    def locate(self, record: Union[VdsmNetwork, VdsmBond], field: str) -> Position:
        if isinstance(record, VdsmBond):
            return self._bond(record, field)
        top = self.by_device.get(record.top_device)
        if top is None:
            return record.source
        if field in ("nic", "bonding", "vlan", "switch", ""):
            return self._device_line(record, top, field)
        if field == "gateway" and top.last("GATEWAY") is None:
            route = self._default_route(record.top_device)
            if route is not None:
                return route
        return self._key(top, _IFCFG_KEYS.get(field, ()))

    def _device_line(self, net: VdsmNetwork, top: ShellFile, field: str) -> Position:
        if field == "vlan" and net.vlan_device is not None:
            vlan = self.by_device.get(net.vlan_device)
            if vlan is not None:
                return self._key(vlan, ("VLAN_ID", "DEVICE"))
        if field in ("nic", "bonding") and net.bridged:
            port = self.by_device.get(net.vlan_device or net.southbound or "")
            if port is not None:
                return self._key(port, ("BRIDGE",))
        return self._key(top, ("DEVICE",))

    def _bond(self, bond: VdsmBond, field: str) -> Position:
        doc = self.by_device.get(bond.name)
        if field == "nics":
            for nic in bond.nics:
                port = self.by_device.get(nic)
                if port is not None:
                    return self._key(port, ("MASTER",))
        if doc is None:
            return bond.source
        keys = {"options": ("BONDING_OPTS",), "hwaddr": ("MACADDR",)}.get(field, ("DEVICE",))
        return self._key(doc, keys)

    def _default_route(self, device: str) -> Optional[Position]:
        doc = self.routes.get(device)
        if doc is None:
            return None
        for entry in doc.routes:
            if entry.destination == "0.0.0.0/0":
                return entry.position
        return None

    @staticmethod
    def _key(doc: ShellFile, keys: Iterable[str]) -> Position:
        for key in (*keys, "DEVICE"):
            a = doc.last(key)
            if a is not None:
                return Position(a.position.file, a.position.line)
        return Position(doc.path, 1)


def entity_findings(entity: Entity) -> list[Finding]:
    """One finding per missing source and per differing attribute, naming every side."""
    out: list[Finding] = []
    what = f"{entity.kind} {entity.name}"
    have = {s.source: s for s in entity.present}
    first = entity.present[0].position if entity.present else Position("")
    if "persistent" in entity.missing:
        out.append(DRIFT_NOT_PERSISTED(first, (
            f"{what} is in {_joined(entity.present)} but not persisted: VDSM's boot restore would remove "
            "it, and the upgrade does not convert it")))
    if "running" in entity.missing and "persistent" in have:
        out.append(DRIFT_NOT_RUNNING(have["persistent"].position, (
            f"{what} is persisted but not in the running config (removed without saving): the upgrade "
            "restores it")))
    if "ifcfg" in entity.missing and "persistent" in have:  # not persisted: not set up either (above)
        out.append(DRIFT_NO_IFCFG(first, (
            f"{what} is in {_joined(entity.present)} but has no ifcfg file: it is not configured now; the "
            "upgrade sets it up")))
    for f in entity.fields:
        anchor = f.sides[0].position
        sides = "; ".join(f"{LABEL[s.source]} {_shown(s.value)} ({_where(s.position)})" for s in f.sides)
        out.append(DRIFT_CHANGED(anchor, f"{what}: {f.field} differs: {sides}"))
    return out


def _joined(sides: Sequence[Side]) -> str:
    parts = [f"{LABEL[s.source]} ({_where(s.position)})" for s in sides]
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _shown(value: Value) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, str):
        return value or "''"
    return json.dumps(value, sort_keys=True)


def _where(position: Position) -> str:
    return f"{position.file}:{position.line}" if position.line else position.file


def backup_findings(backups: Sequence[BackupFile], current: Sequence[ShellFile]) -> list[Finding]:
    """What VDSM's restore would replay from ``netconfback/`` (ifcfg persistence, spec §1.9).

    A backup that says the file did not exist means "delete it"; otherwise the
    position is the first line of the backup that differs from the current file.
    """
    by_name = {os.path.basename(d.path): d for d in current}
    out: list[Finding] = []
    for backup in backups:
        target = f"etc/sysconfig/network-scripts/{backup.name}"
        now = by_name.get(backup.name)
        if backup.deletes:
            if now is None:
                continue
            out.append(DRIFT_UNSAVED_BACKUP(Position(backup.path, 1), (
                f"unsaved change: {target} did not exist before; VDSM's restore would delete it")))
            continue
        doc = backup.document
        if not isinstance(doc, ShellFile):
            out.append(DRIFT_UNSAVED_BACKUP(Position(backup.path, 1), (
                f"unsaved change: VDSM's restore would put back an earlier {target}")))
            continue
        differing = _first_difference(doc, now)
        if differing is None:
            continue
        line, text = differing
        out.append(DRIFT_UNSAVED_BACKUP(Position(backup.path, line), (
            f"unsaved change: VDSM's restore would put back an earlier {target} ({text})")))
    return out


_WEIGHT = ("BOOTPROTO", "IPADDR", "NETMASK", "PREFIX", "GATEWAY", "IPV6INIT", "IPV6ADDR", "DHCPV6C", "BRIDGE",
           "MASTER", "VLAN", "TYPE", "BONDING_OPTS", "MTU", "ONBOOT")
"""What a difference changes on the host, most first: addressing, then topology."""


def _first_difference(backup: ShellFile, now: Optional[ShellFile]) -> Optional[tuple[int, str]]:
    """The line of the backup's most significant difference from the current file, and the differences.

    Case is ignored (``HWADDR`` written upper- or lower-case means the same);
    None when both say the same.
    """
    if now is None:
        return 1, "the file does not exist now"
    values = now.values()
    final = backup.values()
    changed = [a for a in backup.assignments
               if final.get(a.key) == a.value and (values.get(a.key) or "").lower() != a.value.lower()]
    gone = [k for k in values if k not in final]
    if not changed and not gone:
        return None

    def rank(key: str) -> int:
        family = key.rstrip("0123456789")
        return _WEIGHT.index(family) if family in _WEIGHT else len(_WEIGHT)

    changed.sort(key=lambda a: (rank(a.key), a.position.line))
    parts = [f"{a.key}={a.value!r} ({'unset' if values.get(a.key) is None else repr(values[a.key])} now)"
             for a in changed] + [f"no {k}" for k in sorted(gone, key=rank)]
    line = changed[0].position.line if changed else 1
    return line, ", ".join(parts[:4]) + (", …" if len(parts) > 4 else "")
