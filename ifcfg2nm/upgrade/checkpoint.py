"""NetworkManager's checkpoint around the change, and releasing the old devices first.

A checkpoint lets NetworkManager undo what it did (profiles added after it
are deleted, devices it created are disconnected, managed devices return to
their old profile) and, with its rollback timeout, does so by itself if the
run dies. Checkpoints left by a crashed run would make ``CheckpointCreate``
fail ("device already included"), so they are destroyed first.

NetworkManager cannot rebuild devices it did not configure: a rollback over
a device it only *watched* (an "external" generated profile) turns that
device into a saved NetworkManager profile without its addresses. So the old
configurator's devices are released first (``Managed=false``, which is what
``NM_CONTROLLED=no`` made them on a VDSM host); the checkpoint then records
them as unmanaged and a rollback leaves them to :mod:`kernel_restore`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ifcfg2nm.upgrade.deadline import Deadline
from ifcfg2nm.upgrade.nm_dbus import CheckpointFlags, NMClient, NMError

FLAGS = CheckpointFlags.DESTROY_ALL | CheckpointFlags.DELETE_NEW_CONNECTIONS | CheckpointFlags.DISCONNECT_NEW_DEVICES
ROLLBACK_MARGIN = 30
"""Seconds NetworkManager waits past the run's deadline before rolling back by itself: our own rollback
(with its own budget) goes first; NetworkManager's is the last line of defence."""


def release(nm: NMClient, devices: Sequence[str]) -> list[str]:
    """Set the devices unmanaged (idempotent); returns those that were managed."""
    changed = []
    for name in devices:
        dev = nm.get_device(name)
        if dev is None or not dev.managed:
            continue
        nm.set_managed(name, False)
        changed.append(name)
    return changed


def destroy_stale(nm: NMClient) -> list[str]:
    """Destroy every existing checkpoint: while we hold the run lock, any is a crashed run's (or a stale one)."""
    return nm.destroy_checkpoints()


def create(nm: NMClient, deadline: Deadline) -> str:
    """A checkpoint over all devices that NetworkManager rolls back by itself after the run's deadline."""
    return nm.checkpoint_create([], rollback_timeout=deadline.whole_seconds() + ROLLBACK_MARGIN, flags=FLAGS)


def exists(nm: NMClient, path: str) -> bool:
    return any(c.path == path for c in nm.list_checkpoints())


def rollback(nm: NMClient, path: str, timeout: float) -> bool:
    """Roll back to the checkpoint if it still exists; False when it was gone."""
    if not exists(nm, path):
        return False
    try:
        nm.checkpoint_rollback(path, timeout=timeout)
    except NMError as e:
        if e.name.endswith((".InvalidArguments", ".UnknownObject")):
            return False  # expired meanwhile (NetworkManager rolled back by itself)
        raise
    return True


def destroy(nm: NMClient, path: str) -> bool:
    """Forget the checkpoint (commit); False when it was already gone."""
    return bool(nm.destroy_checkpoints([path]))
