"""Finding and reading a VDSM unified-persistence directory under a host root.

VDSM saves ``netconf`` by writing a sibling ``netconf.<suffix>`` directory and
swapping a symlink onto ``netconf`` (spec/vdsm-formats.md §2.2), so we read only
through ``netconf`` and report, never read, the leftovers of interrupted saves.

VDSM made that symlink with an **absolute** target (``/var/lib/vdsm/persistence/
netconf.Ab3dEf9x``). In a host tree collected under ``--root`` such a target
means the tree's own file, so links are resolved chroot-style: an absolute
target restarts at the root, and a ``..`` that would climb above the root is
refused as an escape. Resolved paths are then checked again with
:func:`ifcfg2nm.hostfiles.resolve_in_tree` and read with
:func:`ifcfg2nm.hostfiles.read_file`. A resolved directory has no link left in
it, so only an entry of it that is itself a link is walked from the root again.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import Optional, Union

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.hostfiles import (
    INPUT_UNREADABLE,
    read_file,
    real_root_of,
    resolve_host_path,
    scan_sorted,
    tree_relative,
)
from ifcfg2nm.parser.documents import PersistedFile
from ifcfg2nm.parser.persisted import parse_persisted_file

PERSISTENT = "var/lib/vdsm/persistence/netconf"
RUNNING = ("var/lib/vdsm/staging/netconf", "var/run/vdsm/netconf", "run/vdsm/netconf")
"""Running config locations, newest first (staging/ from v4.20.1, /var/run before)."""

ENTITY_DIRS = (("nets", "net"), ("bonds", "bond"), ("devices", "device"))
"""Linux's MAXSYMLINKS."""

PERSISTED_NETCONF_LEFTOVER = define(
    "PERSISTED_NETCONF_LEFTOVER", Severity.INFO,
    "leftover of an interrupted VDSM config save (ignored)",
    "VDSM reads only through the netconf link; the orphan directory or link can be deleted.",
)
PERSISTED_NETCONF_MISSING = define(
    "PERSISTED_NETCONF_MISSING", Severity.WARNING,
    "no netconf link, but netconf.* leftovers exist",
    "VDSM would read no config here; check whether a save was interrupted.",
)
PERSISTED_NETCONF_DANGLING = define(
    "PERSISTED_NETCONF_DANGLING", Severity.ERROR, "the netconf link points to nothing",
    "VDSM would restore no networks from this config; restore the directory it names.",
)
PERSISTED_NETCONF_NOT_DIR = define(
    "PERSISTED_NETCONF_NOT_DIR", Severity.ERROR, "a VDSM config path is not a directory",
    "netconf, nets/, bonds/ and devices/ must be directories.",
)
PERSISTED_NO_ENTITIES = define(
    "PERSISTED_NO_ENTITIES", Severity.INFO, "the VDSM config directory has no nets/ or bonds/",
    "VDSM treats this as no config at all.",
)
PERSISTED_UNEXPECTED_ENTRY = define(
    "PERSISTED_UNEXPECTED_ENTRY", Severity.WARNING, "unexpected entry in a VDSM config directory",
    "VDSM expects one regular file per network, bond or device; this one is ignored.",
)
PERSISTED_OLD_SRIOV = define(
    "PERSISTED_OLD_SRIOV", Severity.INFO, "pre-4.30 SR-IOV entry (virtual_functions/<PCI address>)",
    "VDSM's netupgrade re-keyed it by the PF's interface name; here it stays keyed by PCI address.",
)
PERSISTED_BAD_SRIOV = define(
    "PERSISTED_BAD_SRIOV", Severity.ERROR, "virtual_functions/ entry is not an integer",
    "The file should hold the number of VFs; VDSM could not restore them.",
)


@dataclass(frozen=True)
class PersistedConfig:
    """One VDSM config (persistent or running): its entity files, sorted by name."""

    path: str
    """The ``netconf`` path under the root that was read (through its link)."""
    nets: tuple[PersistedFile, ...]
    bonds: tuple[PersistedFile, ...]
    devices: tuple[PersistedFile, ...]
    findings: tuple[Finding, ...] = ()
    """Discovery findings only; each file carries its own."""
    real_path: str = ""
    """The directory actually read (the link's target), empty when there was none."""
    exists: bool = True
    """VDSM's "config exists": ``nets/`` or ``bonds/`` is present (≥ 4.20.2)."""


def read_netconf(root: str, which: str) -> Optional[PersistedConfig]:
    """The persistent (``which="persistent"``) or running (``"running"``) config, if any.

    None when the host has no trace of that config at all; otherwise a config
    (possibly empty, with ``exists`` False) whose findings say what was wrong.
    """
    if which == "persistent":
        candidates: tuple[str, ...] = (PERSISTENT,)
    elif which == "running":
        candidates = RUNNING
    else:
        raise ValueError(f"which must be 'persistent' or 'running', not {which!r}")
    fallback: Optional[PersistedConfig] = None
    for rel in candidates:
        config = _read_one(root, rel)
        if config is not None and config.exists:
            return config
        fallback = fallback or config
    return fallback


def _read_one(root: str, rel: str) -> Optional[PersistedConfig]:
    path = os.path.join(root, rel)
    findings: list[Finding] = []
    parent = resolve_host_path(root, os.path.dirname(rel))
    link_real: Union[str, Finding, None] = None
    present = isinstance(parent, str) and os.path.lexists(
        os.path.join(parent, os.path.basename(rel)))
    if present:
        link_real = resolve_host_path(root, rel)
    leftovers = _leftovers(root, rel, parent, link_real)
    if not present:
        if not leftovers:
            return None
        findings.append(PERSISTED_NETCONF_MISSING(
            Position(path), f"{path} does not exist but {len(leftovers)} netconf.* entries do"))
        findings.extend(leftovers)
        return PersistedConfig(path, (), (), (), tuple(findings), exists=False)
    findings.extend(leftovers)
    if link_real is None:
        findings.append(PERSISTED_NETCONF_DANGLING(
            Position(path), f"{path} -> {_readlink(parent, rel)} does not exist"))
        return PersistedConfig(path, (), (), (), tuple(findings), exists=False)
    if isinstance(link_real, Finding):
        findings.append(link_real)
        return PersistedConfig(path, (), (), (), tuple(findings), exists=False)
    if not os.path.isdir(link_real):
        findings.append(PERSISTED_NETCONF_NOT_DIR(Position(path), f"{path} is not a directory"))
        return PersistedConfig(path, (), (), (), tuple(findings), link_real, exists=False)

    entities: dict[str, list[PersistedFile]] = {"net": [], "bond": [], "device": []}
    present_dirs: set[str] = set()
    for sub, entity in ENTITY_DIRS:
        listed = _list(root, rel, link_real, sub, findings)
        if listed is None:
            continue
        present_dirs.add(sub)
        sub_real, entries = listed
        for name, link, is_dir in entries:
            doc = _read_entity(root, rel, sub_real, sub, (name, link, is_dir), entity, findings)
            if doc is not None:
                entities[entity].append(doc)
    vf_listed = _list(root, rel, link_real, "virtual_functions", findings)
    if vf_listed is not None:
        vf_real, vf_entries = vf_listed
        for entry in vf_entries:
            doc = _read_virtual_function(root, rel, vf_real, entry, findings)
            if doc is not None:
                entities["device"].append(doc)
    exists = bool(present_dirs & {"nets", "bonds"})
    if not exists:
        findings.append(PERSISTED_NO_ENTITIES(Position(path), f"{path} has no nets/ or bonds/"))
    return PersistedConfig(
        path,
        tuple(entities["net"]),
        tuple(entities["bond"]),
        tuple(sorted(entities["device"], key=lambda d: d.name)),
        tuple(findings),
        link_real,
        exists,
    )


def _leftovers(
    root: str, rel: str, parent: Union[str, Finding, None], live: Union[str, Finding, None]
) -> list[Finding]:
    """Findings for the ``netconf.*`` siblings that VDSM's reader would ignore."""
    if not isinstance(parent, str):
        return []
    base = os.path.basename(rel)
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return []
    out: list[Finding] = []
    for name in names:
        if not name.startswith(base + "."):
            continue
        shown = os.path.join(root, os.path.dirname(rel), name)
        real = os.path.join(parent, name)
        link = os.path.islink(real)
        if real == live and not link:
            continue  # the directory the link points to (``parent`` has no link in it: ``real`` is its real path)
        if link:
            target = resolve_host_path(root, os.path.join(os.path.dirname(rel), name))
            state = "dangling link" if target is None else "link"
            out.append(PERSISTED_NETCONF_LEFTOVER(
                Position(shown), f"{shown}: {state} left by an interrupted save, ignored"))
        elif os.path.isdir(real):
            out.append(PERSISTED_NETCONF_LEFTOVER(
                Position(shown), f"{shown}: orphan directory left by an interrupted save, ignored"))
    return out


def _readlink(parent: Union[str, Finding, None], rel: str) -> str:
    if not isinstance(parent, str):
        return "?"
    try:
        return os.readlink(os.path.join(parent, os.path.basename(rel)))
    except OSError:
        return "?"


def _entry(root: str, real_dir: str, name: str, link: Optional[bool] = None) -> Union[str, Finding, None]:
    """``resolve_host_path`` of entry ``name`` of ``real_dir`` (a resolved directory, no link in it).

    The walk from the root would end at ``real_dir``, so it is taken again only when the entry is a link
    (``link``, when the listing said; else one ``lstat`` tells).
    """
    local = os.path.join(real_dir, name)
    if link is None:
        try:
            link = stat.S_ISLNK(os.lstat(local).st_mode)
        except (OSError, ValueError):
            return None
    if link:
        return resolve_host_path(root, tree_relative(real_root_of(root), local))
    return local


def _list(
    root: str, rel: str, real_dir: str, sub: str, findings: list[Finding]
) -> Optional[tuple[str, list[tuple[str, bool, bool]]]]:
    """The real path and entries (:func:`scan_sorted`) of ``sub`` of ``real_dir`` (a resolved directory)."""
    shown = os.path.join(root, rel, sub)
    resolved = _entry(root, real_dir, sub)
    if resolved is None:
        return None
    if isinstance(resolved, Finding):
        findings.append(resolved)
        return None
    if not os.path.isdir(resolved):
        findings.append(PERSISTED_NETCONF_NOT_DIR(Position(shown), f"{shown} is not a directory"))
        return None
    try:
        return resolved, scan_sorted(resolved)
    except OSError as err:
        findings.append(INPUT_UNREADABLE(Position(shown), f"{shown}: {err.strerror or err}"))
        return None


def _read_bytes(
    root: str, sub_real: str, sub: str, entry: tuple[str, bool, bool], shown: str, findings: list[Finding]
) -> Optional[bytes]:
    """The content of ``entry`` (as listed by :func:`scan_sorted`) of ``sub``, whose real path is ``sub_real``."""
    name, link, is_dir = entry
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        findings.append(PERSISTED_UNEXPECTED_ENTRY(
            Position(shown), f"{shown}: the file name is not valid UTF-8"))
        return None
    resolved = _entry(root, sub_real, name, link)
    if resolved is None:
        findings.append(INPUT_UNREADABLE(Position(shown), f"{shown}: dangling symbolic link"))
        return None
    if isinstance(resolved, Finding):
        findings.append(resolved)
        return None
    if os.path.isdir(resolved) if link else is_dir:
        findings.append(PERSISTED_UNEXPECTED_ENTRY(
            Position(shown), f"{shown} is a directory, not a {sub[:-1]} file"))
        return None
    data = read_file(resolved, root, resolved=True)
    if isinstance(data, Finding):
        findings.append(Finding(data.code, data.severity, Position(shown),
                                data.message.replace(resolved, shown), data.hint))
        return None
    return data


def _read_entity(
    root: str, rel: str, sub_real: str, sub: str, entry: tuple[str, bool, bool], entity: str,
    findings: list[Finding],
) -> Optional[PersistedFile]:
    name = entry[0]
    shown = os.path.join(root, rel, sub, name)
    data = _read_bytes(root, sub_real, sub, entry, shown, findings)
    if data is None:
        return None
    return parse_persisted_file(data, shown, entity, name, "/" + "/".join((rel, sub, name)))


def _read_virtual_function(
    root: str, rel: str, sub_real: str, entry: tuple[str, bool, bool], findings: list[Finding]
) -> Optional[PersistedFile]:
    """An old ``virtual_functions/<pci>`` file as a ``devices/`` entry keyed by PCI address."""
    name = entry[0]
    shown = os.path.join(root, rel, "virtual_functions", name)
    data = _read_bytes(root, sub_real, "virtual_functions", entry, shown, findings)
    if data is None:
        return None
    host_path = "/" + "/".join((rel, "virtual_functions", name))
    where = Position(shown, 1, 1)
    text = data.decode("utf-8", "replace").strip()
    if not re.fullmatch(r"[0-9]+", text):
        return PersistedFile(shown, "device", name, None, {}, (PERSISTED_BAD_SRIOV(
            where, f"{shown} holds {text[:40]!r}, not a number of VFs"),), host_path)
    return PersistedFile(
        shown, "device", name, {"sriov": {"numvfs": int(text)}},
        {("sriov",): where, ("sriov", "numvfs"): where},
        (PERSISTED_OLD_SRIOV(where, f"{shown}: {int(text)} VFs on the PF at PCI address {name}"),),
        host_path,
    )
