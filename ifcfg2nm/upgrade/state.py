"""Where the upgrade keeps its own state under ``--root``: lock, journal, backups, seal.

Everything lives in ``var/lib/ifcfg2nm/`` of the host tree, so a crashed run
finds its journal and backups again on the next boot, whatever the root.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any, Optional

from ifcfg2nm.atomic import fsync_dir, write_atomic

STATE_DIR = "var/lib/ifcfg2nm"
MARKER = "run/ifcfg2nm/restored"
"""Written by the boot-time restore under ``--root``; ``/run`` is a tmpfs, so the marker means
"restored during this boot". Here, not in :mod:`.restore`, so that checking it imports nothing heavy."""


@dataclass(frozen=True)
class StatePaths:
    """The state files of one host tree."""

    root: str

    @property
    def dir(self) -> str:
        return os.path.join(self.root, STATE_DIR)

    @property
    def lock(self) -> str:
        return os.path.join(self.dir, "lock")

    @property
    def journal(self) -> str:
        """The journal of the run in progress (absent when none is)."""
        return os.path.join(self.dir, "journal.json")

    @property
    def seal(self) -> str:
        """Written on commit: a second upgrade is a no-op."""
        return os.path.join(self.dir, "seal")

    def run_dir(self, run_id: str) -> str:
        """Backups, live snapshot and the finished journal of one run."""
        return os.path.join(self.dir, "backup", run_id)

    def ensure(self) -> None:
        """Create the state directory (mode 0700: backups hold the host's network files)."""
        os.makedirs(self.dir, mode=0o700, exist_ok=True)


def new_run_id() -> str:
    """Sortable and unique: UTC time plus randomness."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def write_json(path: str, value: Any) -> None:
    """Atomically (temp file, fsync, rename, fsync dir), mode 0600."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    write_atomic(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode(), 0o600)


class StateFileError(ValueError):
    """A state file (journal, seal, manifest, snapshot) that cannot be used; the message names it."""


def read_json(path: str) -> Optional[Any]:
    """The decoded file, or None when it does not exist; :class:`StateFileError` when it cannot be used.

    Read as every input is (:func:`ifcfg2nm.hostfiles.read_file`): a FIFO, a device, a directory, a
    file over 10 MiB or with NUL bytes is refused, never waited on or read without end.
    """
    from ifcfg2nm.hostfiles import read_file

    if not os.path.lexists(path):
        return None
    data = read_file(path)
    if not isinstance(data, bytes):
        raise StateFileError(data.message)
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise StateFileError(f"{path}: not UTF-8 (byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise StateFileError(f"{path}:{err.lineno}:{err.colno}: not valid JSON: {err.msg}") from None
    except (ValueError, RecursionError) as err:
        raise StateFileError(f"{path}: not valid JSON: {err}") from None


def remove(path: str) -> None:
    """Unlink durably; a missing file is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    fsync_dir(os.path.dirname(path))


def marker_path(root: str) -> str:
    return os.path.join(root, MARKER)


def already_restored(root: str) -> bool:
    return os.path.exists(marker_path(root))


def write_marker(root: str) -> None:
    path = marker_path(root)
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
    write_atomic(path, f"{now()}\n".encode(), 0o644)
