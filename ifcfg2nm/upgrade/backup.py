"""Back up every file the upgrade removes or replaces, with checksums, and put them back.

Backups go to ``var/lib/ifcfg2nm/backup/<run-id>/files/<host path>`` with a
``manifest.json`` (SHA-256, size, mode, owner; symlinks as their target).
The manifest is written last and each copy is read back and checked, so a
manifest that exists describes complete, verified copies. Restoring checks
every copy against the manifest before writing anything over the host's file,
and writes atomically with the original mode and owner.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from ifcfg2nm.atomic import fsync_dir
from ifcfg2nm.upgrade.state import read_json, write_json

MANIFEST = "manifest.json"


class BackupError(Exception):
    """A file could not be backed up or restored safely."""


@dataclass(frozen=True)
class Entry:
    """One backed-up file (``path`` host-relative)."""

    path: str
    kind: str
    """``file`` or ``symlink`` (content = the link target)."""
    sha256: str
    size: int
    mode: int
    uid: int
    gid: int

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Entry:
        return cls(str(d["path"]), str(d["kind"]), str(d["sha256"]), int(d["size"]), int(d["mode"]),
                   int(d["uid"]), int(d["gid"]))


@dataclass(frozen=True)
class RestoreReport:
    restored: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: str) -> tuple[str, bytes, os.stat_result]:
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return "symlink", os.readlink(path).encode("utf-8", "surrogateescape"), st
    if not stat.S_ISREG(st.st_mode):
        raise BackupError(f"{path} is not a regular file or symlink")
    with open(path, "rb") as f:
        return "file", f.read(), st


def current(root: str, rel: str) -> Optional[tuple[str, str]]:
    """``(kind, sha256)`` of the host's file now, None when it does not exist."""
    try:
        kind, data, _ = _read(os.path.join(root, rel))
    except FileNotFoundError:
        return None
    return kind, sha256(data)


def backup_files(root: str, rels: Sequence[str], run_dir: str) -> list[Entry]:
    """Copy every existing ``rels`` file into ``run_dir`` and write the verified manifest.

    A file that does not exist (any more) has nothing to lose and is skipped.
    """
    entries: list[Entry] = []
    for rel in rels:
        try:
            kind, data, st = _read(os.path.join(root, rel))
        except FileNotFoundError:
            continue
        except OSError as e:
            raise BackupError(f"cannot read {rel}: {e.strerror or e}") from e
        entry = Entry(rel, kind, sha256(data), len(data), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
        copy = _copy_path(run_dir, rel)
        _write(copy, data, 0o600)
        with open(copy, "rb") as f:
            if sha256(f.read()) != entry.sha256:
                raise BackupError(f"backup copy of {rel} does not read back identically")
        entries.append(entry)
    write_json(os.path.join(run_dir, MANIFEST), {"files": [e.to_json() for e in entries]})
    return entries


def load_manifest(run_dir: str) -> Optional[list[Entry]]:
    """The run's manifest, None when the backup never completed."""
    doc = read_json(os.path.join(run_dir, MANIFEST))
    if doc is None:
        return None
    return [Entry.from_json(d) for d in doc["files"]]


def check_backup(run_dir: str, entries: Iterable[Entry]) -> list[str]:
    """Problems with the copies (missing or checksum mismatch); empty when all are intact."""
    problems = []
    for e in entries:
        try:
            with open(_copy_path(run_dir, e.path), "rb") as f:
                if sha256(f.read()) != e.sha256:
                    problems.append(f"backup of {e.path} is corrupt (checksum mismatch)")
        except OSError as err:
            problems.append(f"backup of {e.path} is unreadable: {err.strerror or err}")
    return problems


def restore_files(root: str, run_dir: str, entries: Iterable[Entry]) -> RestoreReport:
    """Put every backed-up file back, byte for byte, unless its copy fails the checksum."""
    restored: list[str] = []
    unchanged: list[str] = []
    problems: list[str] = []
    for e in entries:
        try:
            with open(_copy_path(run_dir, e.path), "rb") as f:
                data = f.read()
        except OSError as err:
            problems.append(f"backup of {e.path} is unreadable: {err.strerror or err}")
            continue
        if sha256(data) != e.sha256:
            problems.append(f"backup of {e.path} is corrupt (checksum mismatch); the file was not restored")
            continue
        target = os.path.join(root, e.path)
        if _same(target, e):
            unchanged.append(e.path)
            continue
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if e.kind == "symlink":
                _symlink(target, data.decode("utf-8", "surrogateescape"))
            else:
                _write(target, data, e.mode, e.uid, e.gid)
        except OSError as err:
            problems.append(f"cannot restore {e.path}: {err.strerror or err}")
            continue
        restored.append(e.path)
    return RestoreReport(tuple(restored), tuple(unchanged), tuple(problems))


def _copy_path(run_dir: str, rel: str) -> str:
    path = os.path.normpath(os.path.join(run_dir, "files", rel))
    if not path.startswith(os.path.join(run_dir, "files") + os.sep):
        raise BackupError(f"refusing a path outside the backup: {rel}")
    return path


def _same(target: str, e: Entry) -> bool:
    try:
        kind, data, st = _read(target)
    except (FileNotFoundError, BackupError):
        return False
    if kind != e.kind or sha256(data) != e.sha256:
        return False
    return kind == "symlink" or (stat.S_IMODE(st.st_mode) == e.mode and st.st_uid == e.uid and st.st_gid == e.gid)


def _write(path: str, data: bytes, mode: int, uid: int = -1, gid: int = -1) -> None:
    """Atomic write with mode and (when given) owner set before the rename."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".ifcfg2nm-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if uid >= 0 or gid >= 0:
                os.fchown(f.fileno(), uid, gid)
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.rename(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(directory)


def _symlink(path: str, target: str) -> None:
    directory = os.path.dirname(path)
    tmp = os.path.join(directory, f".ifcfg2nm-link-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.rename(tmp, path)
    fsync_dir(directory)
