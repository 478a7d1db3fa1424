"""Remove VDSM's network-scripts files, but only the very bytes that were backed up.

A file changed since its backup (someone wrote it meanwhile) is not removed:
the step fails and the run rolls back, so nothing is ever lost. A file already
gone (a resumed run) is fine.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from ifcfg2nm.atomic import fsync_dir
from ifcfg2nm.upgrade.backup import Entry, current


class FlushError(Exception):
    """A file to remove is not the backed-up one."""


def flush_files(root: str, rels: Sequence[str], entries: Iterable[Entry]) -> list[str]:
    """Unlink each of ``rels`` whose content matches its backup; returns those removed."""
    backed = {e.path: e for e in entries}
    removed = []
    dirs = set()
    for rel in rels:
        now = current(root, rel)
        if now is None:
            continue
        entry = backed.get(rel)
        if entry is None:
            raise FlushError(f"{rel} has no backup; not removed")
        if now != (entry.kind, entry.sha256):
            raise FlushError(f"{rel} changed after it was backed up; not removed")
        path = os.path.join(root, rel)
        os.unlink(path)
        dirs.add(os.path.dirname(path))
        removed.append(rel)
    for d in sorted(dirs):
        fsync_dir(d)
    return removed
