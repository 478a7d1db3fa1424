"""Undo a run from its journal: after a failure, after a crash, or when the admin asks.

:func:`undo` reverses an unfinished run, whatever step it reached; every part
is idempotent, so an undo interrupted by another crash is simply run again:

1. NetworkManager's checkpoint is rolled back (profiles the run added are
   deleted, devices NetworkManager created disconnected); a checkpoint whose
   path never reached the journal is destroyed;
2. profiles the run added (UUIDs in the journal) are deleted if still there,
   profiles it overwrote get their old settings back;
3. files come back from the backup, checksums verified (keyfiles the offline
   backend created are removed);
4. the kernel is rebuilt to the snapshot (devices, ports, MTU, addresses,
   routes, rules) and NetworkManager's managed flags are restored.

:func:`finish_commit` completes a run whose commit had begun.
:func:`rollback_committed` is ``ifcfg2nm rollback`` for a committed run: its
files come back and the seal goes, the NetworkManager profiles stay (deleting
active profiles would take the network down with nothing to bring it back).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ifcfg2nm.emit.dbus_settings import to_dbus
from ifcfg2nm.upgrade import checkpoint, kernel
from ifcfg2nm.upgrade.backup import BackupError, load_manifest, restore_files
from ifcfg2nm.upgrade.deadline import Deadline
from ifcfg2nm.upgrade.journal import COMMITTED, Journal
from ifcfg2nm.upgrade.kernel_restore import restore_kernel
from ifcfg2nm.upgrade.live import Snapshot
from ifcfg2nm.upgrade.nm_dbus import NMClient, NMError
from ifcfg2nm.upgrade.state import StatePaths, now, read_json, remove, write_json
from ifcfg2nm.upgrade.takedown import IpError
from ifcfg2nm.upgrade.verify import rule_matches

SNAPSHOT = "live.json"
RETRY_PAUSE = 0.3
LIVE_BACKENDS = ("nm", "nmstate")

NMFactory = Callable[[], NMClient]


@dataclass(frozen=True)
class UndoResult:
    done: tuple[str, ...]
    problems: tuple[str, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems


def load_snapshot(journal: Journal) -> Optional[Snapshot]:
    doc = read_json(os.path.join(journal.run_dir, SNAPSHOT))
    return Snapshot.from_json(doc) if isinstance(doc, dict) else None


def undo(journal: Journal, connect: NMFactory, deadline: Deadline) -> UndoResult:
    """Reverse whatever the unfinished run did (see the module docstring).

    Each part runs even when an earlier one failed, and a failed part is tried
    once more (they are idempotent): NetworkManager may still be settling
    from its own rollback (objects vanish between listing and reading).
    """
    t0 = time.monotonic()
    done: list[str] = []
    problems: list[str] = []
    nm = _connect(journal, connect, problems)
    snapshot = load_snapshot(journal)
    parts: list[tuple[str, Callable[[list[str]], None]]] = []
    if nm is not None:
        parts.append(("NetworkManager", lambda out: _undo_nm(journal, nm, deadline, done, out)))
    parts.append(("files", lambda out: _undo_files(journal, done, out)))
    if journal.backend in LIVE_BACKENDS and journal.began("checkpoint") and snapshot is not None:
        parts.append(("kernel", lambda out: _undo_kernel(journal, snapshot, nm, deadline, done, out)))
    if nm is not None:
        parts.append(("checkpoint", lambda out: _destroy_left(journal, nm, done)))
    try:
        for name, part in parts:
            problems.extend(_twice(name, part))
    finally:
        if nm is not None:
            nm.close()
    return UndoResult(tuple(done), tuple(problems), time.monotonic() - t0)


def _twice(name: str, part: Callable[[list[str]], None]) -> list[str]:
    """Problems of the part's second try, when the first had any."""
    out: list[str] = []
    for attempt in range(2):
        out = []
        try:
            part(out)
        except (NMError, IpError, kernel.KernelError, BackupError, OSError) as e:
            out.append(f"{name}: {e}")
        if not out:
            return []
        if attempt == 0:
            time.sleep(RETRY_PAUSE)
    return out


def _destroy_left(journal: Journal, nm: NMClient, done: list[str]) -> None:
    path = _checkpoint_path(journal)
    if path and checkpoint.destroy(nm, path):
        done.append("destroyed the checkpoint")


def _connect(journal: Journal, connect: NMFactory, problems: list[str]) -> Optional[NMClient]:
    if journal.backend not in LIVE_BACKENDS or not journal.began("checkpoint"):
        return None
    try:
        return connect()
    except NMError as e:
        problems.append(f"cannot reach NetworkManager to undo its part: {e}")
        return None


def _checkpoint_path(journal: Journal) -> str:
    return str(journal.data("checkpoint").get("path") or journal.data("activate").get("checkpoint") or "")


def _undo_nm(journal: Journal, nm: NMClient, deadline: Deadline, done: list[str], problems: list[str]) -> None:
    path = _checkpoint_path(journal)
    if path:
        if checkpoint.rollback(nm, path, timeout=deadline.bound(30.0)):
            done.append("NetworkManager rolled back to its checkpoint")
    else:  # the run died between creating a checkpoint (ours, or nmstate's) and journaling its path
        for info in nm.list_checkpoints():
            if checkpoint.rollback(nm, info.path, timeout=deadline.bound(30.0)):
                done.append(f"rolled back checkpoint {info.path}, whose path was not journaled")
    prepare = journal.data("prepare")
    for uuid in prepare.get("add", ()):
        if nm.get_connection(uuid) is not None:
            nm.delete_connection(uuid)
            done.append(f"deleted profile {uuid}")
    snapshot = load_snapshot(journal)
    for uuid, settings in (snapshot.profiles.items() if snapshot else ()):
        if journal.began("prepare"):
            try:
                nm.update_connection(uuid, to_dbus(settings), save_to_disk=True)
                done.append(f"restored profile {uuid}")
            except NMError as e:
                problems.append(f"cannot restore profile {uuid}: {e}")


def remove_created(root: str, prepare: Mapping[str, Any]) -> list[str]:
    """Delete the keyfiles (and then-empty directories) the offline backend created."""
    removed = []
    for rel in prepare.get("created", ()):
        path = os.path.join(root, rel)
        if os.path.lexists(path):
            remove(path)
            removed.append(rel)
    for rel in prepare.get("created_dirs", ()):  # deepest first
        with contextlib.suppress(OSError):  # not empty (someone else's files) or gone: leave it
            os.rmdir(os.path.join(root, rel))
    return removed


def _undo_files(journal: Journal, done: list[str], problems: list[str]) -> None:
    root = str(journal.doc["root"])
    done.extend(f"removed {rel}" for rel in remove_created(root, journal.data("prepare")))
    entries = load_manifest(journal.run_dir)
    if entries is None:
        return
    report = restore_files(root, journal.run_dir, entries)
    if report.restored:
        done.append(f"restored {len(report.restored)} file(s) from the backup")
    problems.extend(report.problems)


def _undo_kernel(journal: Journal, snapshot: Snapshot, nm: Optional[NMClient], deadline: Deadline,
                 done: list[str], problems: list[str]) -> None:
    rules: Sequence[Mapping[str, Any]] = journal.data("plan").get("rules", ())

    def ours(rule: kernel.Rule) -> bool:
        return any(rule_matches(rule, r) for r in rules)

    if nm is not None:  # keep NetworkManager off the devices while they are rebuilt
        for name in snapshot.devices:
            dev = nm.get_device(name)
            if dev is not None and dev.managed:
                nm.set_managed(name, False)
    left = restore_kernel(snapshot, ours, deadline)
    if left:
        problems.extend(f"kernel: {x}" for x in left)
    else:
        done.append(f"rebuilt {', '.join(snapshot.devices)} as they were")
    if nm is not None:
        _restore_managed(nm, snapshot.managed, deadline, problems)


def _restore_managed(nm: NMClient, managed: Mapping[str, bool], deadline: Deadline, problems: list[str]) -> None:
    end = time.monotonic() + min(3.0, deadline.remaining())
    for name, flag in sorted(managed.items()):
        dev = nm.get_device(name)
        while dev is None and time.monotonic() < end:  # a re-created device NetworkManager has not seen yet
            time.sleep(0.05)
            dev = nm.get_device(name)
        if dev is None:
            problems.append(f"NetworkManager does not see {name}; its managed flag was not restored")
        elif dev.managed != flag:
            _set_managed(nm, name, flag)


def _set_managed(nm: NMClient, name: str, flag: bool) -> None:
    """Set, and make it stick: NetworkManager 1.42 ignores ``Managed=false`` on a NIC whose profile a
    checkpoint rollback just deleted, until the flag is set once the other way."""
    nm.set_managed(name, flag)
    dev = nm.get_device(name)
    if dev is not None and dev.managed != flag:
        nm.set_managed(name, not flag)
        nm.set_managed(name, flag)


def finish_commit(journal: Journal, connect: NMFactory, paths: StatePaths) -> Optional[str]:
    """Complete a run whose commit began; None on success, else why it cannot be committed."""
    if journal.backend in LIVE_BACKENDS:
        path = _checkpoint_path(journal)
        try:
            with connect() as nm:
                if path and not checkpoint.destroy(nm, path) and not journal.data("commit").get("destroyed"):
                    # gone without us destroying it: rolled back (by NetworkManager, an older run, anyone) or lost
                    # with a restart of NetworkManager; what matters is whether the profiles are still there
                    missing = [u for u in journal.data("prepare").get("add", ()) if nm.get_connection(u) is None]
                    if missing:
                        return f"its checkpoint was rolled back ({len(missing)} profile(s) gone)"
        except NMError as e:
            return f"cannot reach NetworkManager to finish the commit: {e}"
    write_seal(paths, journal)
    journal.finish(COMMITTED)
    return None


def write_seal(paths: StatePaths, journal: Journal) -> None:
    plan = journal.data("plan").get("plan", {})
    write_json(paths.seal, {
        "run_id": journal.run_id, "time": now(), "version": journal.doc["version"], "backend": journal.backend,
        "profiles": [{"uuid": p["uuid"], "id": p["id"], "interface": p["interface"]} for p in plan.get("write", ())],
    })


@dataclass(frozen=True)
class CommittedRollback:
    run_id: str
    restored: tuple[str, ...]
    removed: tuple[str, ...]
    profiles: tuple[Mapping[str, str], ...]
    problems: tuple[str, ...]


def rollback_committed(paths: StatePaths) -> Optional[CommittedRollback]:
    """Put back the files of the sealed run; None when no run is sealed."""
    seal = read_json(paths.seal)
    if not isinstance(seal, dict):
        return None
    run_id = str(seal["run_id"])
    run_dir = paths.run_dir(run_id)
    doc = read_json(os.path.join(run_dir, "journal.json")) or {}
    entries = load_manifest(run_dir) or []
    report = restore_files(paths.root, run_dir, entries)
    prepare: Mapping[str, Any] = {}
    for step in doc.get("steps", ()):
        if step.get("step") == "prepare":
            prepare = step.get("data", {})
    removed = remove_created(paths.root, prepare)
    if not report.problems:
        remove(paths.seal)
        if doc:
            doc["state"] = "rolled-back-by-user"
            doc["rolled_back"] = now()
            write_json(os.path.join(run_dir, "journal.json"), doc)
    profiles = tuple(p for p in seal.get("profiles", ()) if seal.get("backend") in LIVE_BACKENDS)
    return CommittedRollback(run_id, (*report.restored, *report.unchanged), tuple(removed), profiles,
                             report.problems)
