"""What an upgrade would do to a host, decided from its files alone (pure; shared with ``audit``).

``make_plan`` is the single place that decides which files are flushed, which
profiles are written and which devices are taken down, so that ``audit``'s
preview, ``upgrade --dry-run`` and the upgrade itself cannot disagree. It
reads nothing live: which of the devices exist now and what NetworkManager
already holds is :mod:`ifcfg2nm.upgrade.live`'s refinement.

Paths in a plan are host-relative (``etc/sysconfig/network-scripts/ifcfg-eth0``),
i.e. relative to ``--root``, so a plan reads the same for any root.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ifcfg2nm.emit.keyfile import filenames, serialize
from ifcfg2nm.emit.nmsettings import Profile, profiles
from ifcfg2nm.findings import Finding, Position, Severity, define, sorted_findings
from ifcfg2nm.hostfiles import read_file, tree_relative
from ifcfg2nm.hosttree import NETWORK_SCRIPTS, HostTree
from ifcfg2nm.model.host import HostConfig, InterfaceType, VdsmBond, VdsmNetwork
from ifcfg2nm.model.ownership import heuristic_vdsm_files
from ifcfg2nm.model.vdsm import CanonicalConfig, canonicalize_config
from ifcfg2nm.parser.documents import Owner, RouteFile, RuleFile, ShellFile

__all__ = [
    "KEYFILE_DIR",
    "TAKE_DOWN_ORDER",
    "Plan",
    "PlannedDevice",
    "PlannedProfile",
    "make_plan",
]

KEYFILE_DIR = "etc/NetworkManager/system-connections"
"""Where NetworkManager keeps keyfiles (host-relative); the offline backend writes here."""

TAKE_DOWN_ORDER = ("ovs-bridge", "bridge", "vlan", "bond")
"""Upper devices first: a bridge goes before the vlan it holds, a vlan before its bond."""

ACTIVATION_RANK = {
    "802-3-ethernet": 0, "infiniband": 0, "bond": 1, "vlan": 2,
    "bridge": 3, "ovs-port": 3, "ovs-interface": 3, "ovs-bridge": 4,
}
"""Ports first: activating a port brings its controller up with it (one step, no carrier wait)."""

UPGRADE_OVS_UNSUPPORTED = define(
    "UPGRADE_OVS_UNSUPPORTED", Severity.ERROR,
    "VDSM OVS networks cannot be upgraded by ifcfg2nm",
    "VDSM built OVS bridges with random names through ovs-vsctl; taking them down and handing them to "
    "NetworkManager's OVS plugin is not supported. Migrate this host with VDSM's own tools.",
)
UPGRADE_NOTHING_TO_WRITE = define(
    "UPGRADE_NOTHING_TO_WRITE", Severity.ERROR,
    "VDSM's files would be removed but no NetworkManager profile written",
    "The target configuration is empty (no persisted networks and no usable ifcfg files); "
    "removing VDSM's files would leave the host without networks. Check the persisted config.",
)
UPGRADE_DEVICE_NOT_RESTORED = define(
    "UPGRADE_DEVICE_NOT_RESTORED", Severity.WARNING,
    "a device VDSM made is taken down and not re-created",
    "It is in VDSM's running config or files but not in the target (an unsaved network): "
    "VDSM's own restore removed such networks too. Persist it in VDSM first if it must stay.",
)
UPGRADE_ADDRESS_NOT_RESTORED = define(
    "UPGRADE_ADDRESS_NOT_RESTORED", Severity.WARNING,
    "a VDSM file that gives a NIC its address is removed, and the target has no profile for the NIC",
    "The file configures a network VDSM did not persist (an unsaved change, or one never saved): initscripts "
    "brought the address up at every boot, the upgrade drops it. Persist the network in VDSM first if it must stay.",
)
UPGRADE_FOREIGN_FILE_KEPT = define(
    "UPGRADE_FOREIGN_FILE_KEPT", Severity.WARNING,
    "a foreign ifcfg file configures a device that also gets a NetworkManager profile",
    "The file is not VDSM's and stays; where NetworkManager still reads ifcfg files (ifcfg-rh plugin) "
    "the two compete. Remove or convert the file by hand after checking it.",
)
UPGRADE_ALREADY_NETWORKMANAGER = define(
    "UPGRADE_ALREADY_NETWORKMANAGER", Severity.INFO,
    "no VDSM-written ifcfg file, and NetworkManager already has profiles for VDSM's networks",
    "Nothing for the upgrade to move: VDSM's networks are NetworkManager's already (nmstate-era VDSM, or "
    "migrated by hand). Taking them down to write them again would only cost downtime.",
)
UPGRADE_HEADERLESS_VDSM_FILE = define(
    "UPGRADE_HEADERLESS_VDSM_FILE", Severity.WARNING,
    "a header-less file that looks VDSM-written is left in place",
    "Only files whose first line is VDSM's header are flushed. Where NetworkManager still reads ifcfg files, "
    "its NM_CONTROLLED=no keeps the device unmanaged: check it and rerun with --assume-vdsm to flush it.",
)


@dataclass(frozen=True)
class PlannedProfile:
    """One NetworkManager profile the upgrade hands over."""

    uuid: str
    id: str
    interface: str
    type: str
    """``connection.type`` as on D-Bus (``802-3-ethernet``, ``bridge`` …)."""
    keyfile: str
    """File name under :data:`KEYFILE_DIR` (what ``convert --to keyfile`` writes)."""
    controller: Optional[str] = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"uuid": self.uuid, "id": self.id, "interface": self.interface,
                               "type": self.type, "keyfile": self.keyfile}
        if self.controller:
            out["controller"] = self.controller
        return out


@dataclass(frozen=True)
class PlannedDevice:
    """A device the old configurator made, to be deleted before NetworkManager takes over."""

    name: str
    kind: str
    """``ovs-bridge``, ``bridge``, ``vlan`` or ``bond`` (never a plain NIC)."""
    why: str
    """What says VDSM made it (a file or a persisted/running network or bond)."""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "why": self.why}


@dataclass(frozen=True)
class Plan:
    """The upgrade of one host tree, before looking at the live system."""

    root: str
    source: str
    """The target's origin: ``persisted`` (VDSM's persistent config) or ``ifcfg``."""
    backup: tuple[str, ...]
    """Every file that will be removed or replaced (host-relative), backed up first."""
    remove: tuple[str, ...]
    """VDSM-owned network-scripts files to flush."""
    write: tuple[PlannedProfile, ...]
    take_down: tuple[PlannedDevice, ...]
    """In dependency order (:data:`TAKE_DOWN_ORDER`)."""
    keep: tuple[str, ...]
    """Files left alone: foreign network-scripts files and the global network file."""
    blocked: tuple[Finding, ...]
    """ERROR findings of the target: any of them refuses the upgrade before anything is touched."""
    findings: tuple[Finding, ...] = ()
    """Every other finding of the target and of the plan (warnings and infos)."""
    profiles: tuple[Profile, ...] = field(default=(), repr=False, compare=False)
    """The settings behind :attr:`write`, in the same order (what the backends hand over)."""
    keyfiles: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    """Keyfile name → text, exactly what ``convert --to keyfile`` writes."""

    @property
    def ok(self) -> bool:
        return not self.blocked

    @property
    def empty(self) -> bool:
        """Nothing to flush and nothing to write: the host has nothing of VDSM's to move."""
        return not self.remove and not self.write and not self.take_down

    def activation_order(self) -> tuple[str, ...]:
        """Profile UUIDs, ports before controllers, otherwise in plan order."""
        ranked = sorted(enumerate(self.write), key=lambda p: (ACTIVATION_RANK.get(p[1].type, 5), p[0]))
        return tuple(p.uuid for _, p in ranked)

    def to_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "source": self.source,
            "backup": list(self.backup),
            "remove": list(self.remove),
            "write": [p.to_json() for p in self.write],
            "take_down": [d.to_json() for d in self.take_down],
            "keep": list(self.keep),
            "blocked": [f.to_json() for f in sorted_findings(self.blocked)],
            "findings": [f.to_json() for f in sorted_findings(self.findings)],
        }


def make_plan(
    tree: HostTree, host: HostConfig, *, root: str, assume_vdsm: bool = False,
    running: Optional[CanonicalConfig] = None,
) -> Plan:
    """The plan for ``host`` (built from ``tree``) on the host tree at ``root``.

    Reads only the keyfile directory under ``root`` (to find keyfiles the
    upgrade would replace); everything else comes from the parsed tree.
    ``assume_vdsm`` flushes header-less files that look VDSM-written too.
    ``running`` is ``canonicalize_config(tree.running)`` when the caller has it already.
    """
    profs, emitted = profiles(host)
    names, named = filenames(profs)
    files = dict(sorted((name, serialize(p.settings)) for name, p in zip(names, profs)))
    write = tuple(_planned(p, name) for p, name in zip(profs, names))
    remove, keep, file_findings = _files(tree, write, assume_vdsm)
    managed = _networkmanager_profiles(tree, root, write) if host.origin == "persisted" and not remove else []
    if managed:
        write, profs, files = (), (), {}
        _, _, file_findings = _files(tree, write, assume_vdsm)
        file_findings.append(UPGRADE_ALREADY_NETWORKMANAGER(
            Position(os.path.join(root, managed[0])),
            f"{len(managed)} NetworkManager profile file(s) ({', '.join(managed[:3])}) configure VDSM's networks "
            "and no ifcfg file is VDSM's: nothing to move"))
    take_down, down_findings = _take_down(tree, host, write, running) if not managed else ((), [])
    all_findings = (*host.findings, *emitted, *named, *file_findings, *down_findings, *_ovs(host))
    if remove and not write:
        all_findings = (*all_findings, UPGRADE_NOTHING_TO_WRITE(
            Position(os.path.join(root, NETWORK_SCRIPTS)),
            f"{len(remove)} VDSM file(s) would be removed and no profile written"))
    blocked = tuple(f for f in all_findings if f.severity is Severity.ERROR)
    others = tuple(f for f in all_findings if f.severity is not Severity.ERROR)
    replaced = _replaced_keyfiles(root, write)
    return Plan(
        root=root,
        source=host.origin,
        backup=tuple(sorted({*remove, *replaced})),
        remove=remove,
        write=write,
        take_down=take_down,
        keep=keep,
        blocked=tuple(sorted_findings(blocked)),
        findings=tuple(sorted_findings(others)),
        profiles=profs,
        keyfiles=files,
    )


def _planned(profile: Profile, keyfile: str) -> PlannedProfile:
    con = profile.settings["connection"]
    master = con.get("master")
    return PlannedProfile(
        uuid=profile.uuid, id=profile.id, interface=profile.interface, type=profile.type,
        keyfile=keyfile, controller=str(master) if master else None,
    )


def _rel(tree: HostTree, path: str) -> str:
    """Host-relative form of a path found under the tree's root."""
    return tree_relative(tree.root, path).replace(os.sep, "/")


def _files(
    tree: HostTree, write: Sequence[PlannedProfile], assume_vdsm: bool
) -> tuple[tuple[str, ...], tuple[str, ...], list[Finding]]:
    """VDSM-owned network-scripts files to remove (header-less ones too with ``assume_vdsm``); the rest kept."""
    remove: list[str] = []
    keep: list[str] = []
    findings: list[Finding] = []
    written = {p.interface for p in write}
    libvirt = [d for n in tree.libvirt_networks for d in (n.bridge, n.interface) if d]
    ifcfg, _ = heuristic_vdsm_files(tree.ifcfg, libvirt)
    docs: list[Union[ShellFile, RouteFile, RuleFile]] = [*ifcfg, *tree.routes, *tree.rules]
    for doc in docs:
        rel = _rel(tree, doc.path)
        if doc.ownership.vdsm_owned or (assume_vdsm and doc.ownership.vdsm_like):
            remove.append(rel)
            if isinstance(doc, ShellFile) and _ifcfg_kind(doc) is None and _configures_address(doc):
                device = _device(doc)
                if device not in written:
                    findings.append(UPGRADE_ADDRESS_NOT_RESTORED(
                        Position(doc.path), f"{rel} is removed and {device} gets no profile: its address is lost"))
            continue
        keep.append(rel)
        if doc.ownership.owner is Owner.VDSM_HEURISTIC:
            findings.append(UPGRADE_HEADERLESS_VDSM_FILE(
                Position(doc.path, 1), f"{rel} has no VDSM header and stays (it would be removed with --assume-vdsm)"))
        if isinstance(doc, ShellFile):
            device = _device(doc)
            if device in written and device != "lo":
                findings.append(UPGRADE_FOREIGN_FILE_KEPT(
                    Position(doc.path), f"{rel} (foreign) stays, and {device} also gets a NetworkManager profile"))
    if tree.network is not None:
        keep.append(_rel(tree, tree.network.path))
    return tuple(sorted(remove)), tuple(sorted(keep)), findings


def _configures_address(doc: ShellFile) -> bool:
    """The file gives its device an IPv4 or IPv6 address, static or dynamic (initscripts' keys)."""
    values = doc.values()
    if values.get("BOOTPROTO", "").lower() in ("dhcp", "bootp"):
        return True
    if any(re.fullmatch(r"IPADDR[0-9]*", key) and value for key, value in values.items()):
        return True
    if values.get("IPV6INIT", "").lower() == "yes":
        return bool(values.get("IPV6ADDR")) or values.get("DHCPV6C", "").lower() == "yes"
    return False


def _ifcfg_kind(doc: ShellFile) -> Optional[str]:
    """The software device kind an ifcfg file makes (initscripts' detection), None for NICs."""
    values = doc.values()
    kind = values.get("TYPE", "").lower()
    if kind == "bridge":
        return "bridge"
    if kind in ("bond", "bonding") or "BONDING_OPTS" in values or values.get("BONDING_MASTER", "").lower() == "yes":
        return "bond"
    if kind == "vlan" or values.get("VLAN", "").lower() == "yes":
        return "vlan"
    if kind in ("ovsbridge", "ovsuserbridge"):
        return "ovs-bridge"
    return None


def _take_down(
    tree: HostTree, host: HostConfig, write: Sequence[PlannedProfile], running: Optional[CanonicalConfig]
) -> tuple[tuple[PlannedDevice, ...], list[Finding]]:
    """Software devices VDSM made: from its files, the target's VDSM networks, and its running config."""
    found: dict[str, PlannedDevice] = {}
    where: dict[str, Position] = {}

    def add(name: str, kind: str, why: str, position: Position) -> None:
        if name and name != "lo" and name not in found:
            found[name] = PlannedDevice(name, kind, why)
            where[name] = position

    for doc in tree.ifcfg:
        if not doc.ownership.vdsm_owned:
            continue
        kind = _ifcfg_kind(doc)
        if kind is not None:
            name = _device(doc)
            add(name, kind, _rel(tree, doc.path), Position(doc.path))
    foreign = {_device(doc)
               for doc in tree.ifcfg if not doc.ownership.vdsm_owned}
    for label, networks, bonds in _vdsm_configs(tree, host, running):
        for net in networks:
            if net.switch == "ovs":
                continue  # blocked anyway (UPGRADE_OVS_UNSUPPORTED)
            if net.bridged:
                add(net.name, "bridge", f"{label} network {net.name}", net.source)
            if net.vlan_device:
                add(net.vlan_device, "vlan", f"{label} network {net.name}", net.source)
        for bond in bonds:
            if label == "running" and bond.name in foreign:
                continue  # VDSM's restore removed an unsaved bond only when it owned its ifcfg file
            add(bond.name, "bond", f"{label} bond {bond.name}", bond.source)
    rank = {k: i for i, k in enumerate(TAKE_DOWN_ORDER)}
    ordered = tuple(sorted(found.values(), key=lambda d: (rank[d.kind], d.name)))
    written = {p.interface for p in write}
    findings = [
        UPGRADE_DEVICE_NOT_RESTORED(where[d.name],
                                    f"{d.kind} {d.name} ({d.why}) is taken down and has no profile in the target")
        for d in ordered if d.name not in written
    ]
    return ordered, findings


def _vdsm_configs(
    tree: HostTree, host: HostConfig, running: Optional[CanonicalConfig]
) -> Iterable[tuple[str, Sequence[Any], Sequence[Any]]]:
    yield "target", host.networks, host.bonds
    if tree.running is not None and (tree.running.nets or tree.running.bonds):
        if running is None:
            running = canonicalize_config(tree.running, resolv=tree.resolv)
        yield "running", running.networks, running.bonds


def _ovs(host: HostConfig) -> list[Finding]:
    """VDSM's OVS switch: networks, bonds (VDSM made them OVS bonds, not kernel ones) and their profiles."""
    ovs: list[Union[VdsmNetwork, VdsmBond]] = [
        *(n for n in host.networks if n.switch == "ovs"), *(b for b in host.bonds if b.switch == "ovs")]
    ovs_ifaces = [i for i in host.interfaces if i.type in (InterfaceType.OVS_BRIDGE, InterfaceType.OVS_INTERFACE)]
    if not ovs and not ovs_ifaces:
        return []
    names = ", ".join(sorted({n.name for n in ovs} or {i.name for i in ovs_ifaces}))
    where = ovs[0].source if ovs else ovs_ifaces[0].source
    return [UPGRADE_OVS_UNSUPPORTED(where, f"OVS network(s) or bond(s) {names}")]


def _networkmanager_profiles(tree: HostTree, root: str, write: Sequence[PlannedProfile]) -> list[str]:
    """Host-relative files through which NetworkManager already configures an interface of ``write``.

    Keyfiles naming the interface, and foreign ifcfg files for it (NetworkManager's
    ifcfg-rh plugin wrote those on EL8 for nmstate-era VDSM).
    """
    interfaces = {p.interface for p in write}
    found = [_rel(tree, doc.path) for doc in tree.ifcfg
             if not doc.ownership.vdsm_like and (doc.get("DEVICE") or "") in interfaces]
    found += [f"{KEYFILE_DIR}/{name}" for name in _keyfile_names(root)
              if _keyfile_value(root, name, _INTERFACE_LINE) in interfaces]
    return sorted(found)


def _replaced_keyfiles(root: str, write: Sequence[PlannedProfile]) -> list[str]:
    """Keyfiles under ``root`` the upgrade would overwrite: same file name, or same UUID."""
    ours = {p.keyfile for p in write}
    uuids = {p.uuid for p in write}
    return [f"{KEYFILE_DIR}/{name}" for name in _keyfile_names(root)
            if name in ours or (_keyfile_value(root, name, _UUID_LINE) or "").lower() in uuids]


def _keyfile_names(root: str) -> list[str]:
    """``*.nmconnection`` names in the tree's keyfile directory, sorted (none when it cannot be listed)."""
    try:
        return sorted(n for n in os.listdir(os.path.join(root, KEYFILE_DIR)) if n.endswith(".nmconnection"))
    except OSError:
        return []


_UUID_LINE = re.compile(rb"^uuid=([0-9a-fA-F-]+)\s*$", re.MULTILINE)
_INTERFACE_LINE = re.compile(rb"^interface-name=(\S+)\s*$", re.MULTILINE)


def _keyfile_value(root: str, name: str, line: re.Pattern[bytes]) -> Optional[str]:
    """The first match of ``line`` in keyfile ``name`` (read like every input); None if absent or unreadable."""
    data = read_file(os.path.join(root, KEYFILE_DIR, name), root)
    match = None if isinstance(data, Finding) else line.search(data)
    return match.group(1).decode(errors="replace") if match else None


def _device(doc: ShellFile) -> str:
    """The device an ifcfg file configures: its DEVICE, else the name after ``ifcfg-``."""
    return doc.get("DEVICE") or os.path.basename(doc.path)[len("ifcfg-"):]
