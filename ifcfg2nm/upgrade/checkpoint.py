"""NetworkManager's checkpoint around the change, and releasing the old devices first.

A checkpoint lets NetworkManager undo what it did (profiles added after it
are deleted, devices it created are disconnected, managed devices return to
their old profile); our rollback asks for that, then rebuilds the rest.
Checkpoints left by a crashed run would make ``CheckpointCreate`` fail
("device already included"), so they are destroyed first.

NetworkManager is never left to roll back by itself (rollback timeout 0): its
rollback alone cannot give a VDSM host its network back (it deletes the new
bridge and cannot re-create VDSM's devices), so on its own it only turns a host
that is up on unverified profiles into one that is down. Every rollback is
ours: the runner's, the :mod:`guardian`'s if the runner is killed, the boot
unit's after a reboot. Should both the runner and its guardian die (a cgroup
kill), the checkpoint stays until one of those runs (or NetworkManager
restarts) and the network stays as the run left it.

NetworkManager cannot rebuild devices it did not configure: a rollback over
a device it only *watched* (an "external" generated profile) turns that
device into a saved NetworkManager profile without its addresses. So the old
configurator's devices are released first (``Managed=false``, which is what
``NM_CONTROLLED=no`` made them on a VDSM host); the checkpoint then records
them as unmanaged and a rollback leaves them to :mod:`kernel_restore`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ifcfg2nm.upgrade.deadline import Deadline
from ifcfg2nm.upgrade.guardian import WINDOW
from ifcfg2nm.upgrade.nm_dbus import CheckpointFlags, NMClient, NMError

FLAGS = CheckpointFlags.DESTROY_ALL | CheckpointFlags.DELETE_NEW_CONNECTIONS | CheckpointFlags.DISCONNECT_NEW_DEVICES
NEVER = 0
"""``CheckpointCreate``'s rollback timeout meaning "no automatic rollback"."""


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


def create(nm: NMClient) -> str:
    """A checkpoint over all devices that only we roll back (see the module docstring)."""
    return nm.checkpoint_create([], rollback_timeout=NEVER, flags=FLAGS)


def nmstate_rollback_timeout(deadline: Deadline) -> int:
    """libnmstate's checkpoint needs a timeout (it refreshes it every timeout/2, a busy loop at 0):
    one that expires only after the guardian's whole window, when nothing of ours can act any more."""
    return deadline.whole_seconds() + math.ceil(WINDOW)


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
            return False  # gone meanwhile (NetworkManager restarted, or rolled back by someone else)
        raise
    return True


def destroy(nm: NMClient, path: str) -> bool:
    """Forget the checkpoint (commit); False when it was already gone."""
    return bool(nm.destroy_checkpoints([path]))
