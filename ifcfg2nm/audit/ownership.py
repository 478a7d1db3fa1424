"""Who wrote each file of a host, and what the upgrade does with it.

VDSM's own rule decides ownership (spec/vdsm-formats.md §1.2): a file is
VDSM's when its first bytes are VDSM's header, and only such files are
flushed. The audit lists every file with its owner and the plan's action, and
reports the two ways VDSM content ends up foreign and therefore left behind: a
header pushed below line 1 by an edit, and pre-4.15 route-/rule- files, which
VDSM wrote without a header.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Optional, Union

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.hostfiles import read_file
from ifcfg2nm.hosttree import HostTree
from ifcfg2nm.parser.documents import Document, FileKind, Owner, RouteFile, RuleFile, ShellFile
from ifcfg2nm.parser.ownership import GENERATED_PREFIX, LEGACY_HEADER

AUDIT_VDSM_HEADER_DISPLACED = define(
    "AUDIT_VDSM_HEADER_DISPLACED", Severity.WARNING,
    "VDSM's header is not on the first line: by VDSM's own rule the file is foreign and is not flushed",
    "An edit put something above the header. The file stays after the upgrade; remove it by hand once "
    "the network it served runs from NetworkManager, or move the header back to line 1 first.",
)
AUDIT_VDSM_ROUTING_NO_HEADER = define(
    "AUDIT_VDSM_ROUTING_NO_HEADER", Severity.WARNING,
    "a route-/rule- file without header holds VDSM's source routing (written before VDSM 4.15)",
    "Its routes and rules are regenerated in the nmstate era's numbering; the file itself is foreign "
    "and stays. Remove it by hand after the upgrade.",
)


@dataclass(frozen=True)
class FileEntry:
    """One file of the host as the audit sees it."""

    path: str
    """Host-relative (``etc/sysconfig/network-scripts/ifcfg-eth0``), as in the plan."""
    kind: str
    """``ifcfg``, ``route``, ``rule`` …, ``network``, ``persistent``, ``running``, ``netconfback``,
    ``libvirt``, ``keyfile`` or ``ignored``."""
    owner: str
    """``vdsm``, ``vdsm-heuristic``, ``foreign``, or ``networkmanager`` for keyfiles."""
    action: str
    """What the upgrade does: ``remove`` (backed up, then flushed), ``replace`` (backed up, then
    overwritten), ``keep`` (left alone), ``read`` (its source), or ``unknown`` without a plan."""
    vdsm_version: Optional[str] = None


def host_relative(root: str, path: str) -> str:
    """``path`` relative to ``root``, ``/``-separated (the plan's convention); ``.`` for the root.

    Paths under the root are joined to it by the readers, so a prefix cut is
    enough (and much cheaper than ``os.path.relpath`` on the hot path).
    """
    if not path:
        return ""
    prefix = root.rstrip("/") + "/"
    if path.startswith(prefix):
        return path[len(prefix):]
    return os.path.relpath(path, root).replace(os.sep, "/")


def file_entries(
    tree: HostTree, remove: Optional[Iterable[str]], backup: Iterable[str] = (), ignored: Iterable[str] = ()
) -> tuple[FileEntry, ...]:
    """Every file of the tree; ``remove`` None when no plan could be made."""
    removed = set(remove) if remove is not None else None
    out: list[FileEntry] = []
    scripts: list[Union[ShellFile, RouteFile, RuleFile]] = [*tree.ifcfg, *tree.routes, *tree.rules]
    for doc in scripts:
        rel = host_relative(tree.root, doc.path)
        action = "unknown" if removed is None else ("remove" if rel in removed else "keep")
        out.append(FileEntry(rel, doc.kind.value, doc.ownership.owner.value, action,
                             doc.ownership.vdsm_version))
    if tree.network is not None:
        out.append(FileEntry(host_relative(tree.root, tree.network.path), FileKind.NETWORK.value,
                             tree.network.ownership.owner.value, "keep"))
    for label, config in (("persistent", tree.persistent), ("running", tree.running)):
        if config is None:
            continue
        docs: Sequence[Document] = (*config.nets, *config.bonds, *config.devices)
        for pdoc in docs:
            out.append(FileEntry(host_relative(tree.root, pdoc.path), label, Owner.VDSM.value,
                                 "read" if label == "persistent" else "keep"))
    for b in tree.backups:
        out.append(FileEntry(host_relative(tree.root, b.path), "netconfback", Owner.VDSM.value, "keep"))
    for n in tree.libvirt_networks:
        out.append(FileEntry(host_relative(tree.root, n.path), "libvirt", Owner.VDSM.value, "keep"))
    known = {e.path for e in out}
    for rel in sorted(set(backup) - known):
        out.append(FileEntry(rel, "keyfile", "networkmanager", "replace"))
    for rel in sorted(set(ignored) - known):
        out.append(FileEntry(rel, "ignored", Owner.FOREIGN.value, "keep"))
    return tuple(sorted(out, key=lambda e: e.path))


def displaced_headers(tree: HostTree) -> list[Finding]:
    """Foreign network-scripts files that carry VDSM's header below their first line (re-read, bounded)."""
    out: list[Finding] = []
    docs: list[Union[ShellFile, RouteFile, RuleFile]] = [*tree.ifcfg, *tree.routes, *tree.rules]
    for doc in docs:
        if doc.ownership.owner is not Owner.FOREIGN:
            continue
        data = read_file(doc.path, tree.root)
        if isinstance(data, Finding):
            continue
        line = _header_line(data)
        if line > 1:
            out.append(AUDIT_VDSM_HEADER_DISPLACED(Position(doc.path, line), (
                f"{os.path.basename(doc.path)}: VDSM's header is on line {line}, not line 1: the file counts "
                "as foreign and stays after the upgrade")))
    return out


def _header_line(data: bytes) -> int:
    """The 1-based line of the first VDSM header line, 0 when there is none."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        stripped = line.lstrip(b"\xef\xbb\xbf \t")
        if stripped.startswith(GENERATED_PREFIX) or stripped.startswith(LEGACY_HEADER):
            return number
    return 0


def headerless_source_routing(tree: HostTree, addresses: Iterable[tuple[str, str]]) -> list[Finding]:
    """Foreign route-/rule- files whose every entry uses VDSM's ifcfg-era table: the integer of an address.

    ``addresses`` are (address, what carries it) of the host's networks and
    interfaces; nothing but VDSM numbered tables after an address.
    """
    tables = {int(ipaddress.IPv4Address(a)): name for a, name in addresses if _ipv4(a)}
    out: list[Finding] = []
    docs: list[Union[RouteFile, RuleFile]] = [*tree.routes, *tree.rules]
    for doc in docs:
        entries = doc.routes if isinstance(doc, RouteFile) else doc.rules
        if doc.ownership.owner is not Owner.FOREIGN or not entries:
            continue
        used = {e.table for e in entries}
        if not used <= set(tables):
            continue
        names = ", ".join(sorted({tables[t] for t in used if t is not None}))
        out.append(AUDIT_VDSM_ROUTING_NO_HEADER(Position(entries[0].position.file, entries[0].position.line), (
            f"{os.path.basename(doc.path)} has no VDSM header but holds VDSM's source routing of {names}: "
            "regenerated by the upgrade, the file itself stays")))
    return out


def _ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True
