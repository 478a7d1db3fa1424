"""Hand the profiles over: to NetworkManager over D-Bus, to libnmstate, or as keyfiles (offline).

D-Bus: every profile first (AddConnection2, or Update2 for a UUID NetworkManager
already has; saved to disk by NetworkManager, autoconnect blocked so nothing
starts early), then -- once the old devices are gone -- activation, ports
first so each controller comes up with its ports in one step.

Offline: the exact keyfiles ``convert --to keyfile`` writes, atomically, mode
0600, under ``--root``; nothing live is touched.

nmstate: ``libnmstate.apply`` of the same host's nmstate state, uncommitted,
so its checkpoint is ours to commit or roll back.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ifcfg2nm.atomic import write_atomic
from ifcfg2nm.emit.dbus_settings import SettingsError, to_dbus
from ifcfg2nm.emit.nmsettings import Profile
from ifcfg2nm.upgrade import testhooks
from ifcfg2nm.upgrade.deadline import Deadline
from ifcfg2nm.upgrade.nm_dbus import ERROR_ACTIVATION, NMClient, NMError
from ifcfg2nm.upgrade.plan import KEYFILE_DIR

DEVICE_STATE_DISCONNECTED = 30
READY_WAIT = 3.0
"""Seconds a NIC just handed back to NetworkManager may take to become usable."""
RETRY_PAUSE = 0.3


class ApplyError(Exception):
    """NetworkManager (or nmstate) refused a profile or its activation."""


def hand_over(nm: NMClient, profiles: Sequence[Profile], update: Sequence[str]) -> None:
    """Add (or update) every profile, saved to disk, autoconnect blocked until we activate."""
    for i, profile in enumerate(profiles):
        settings: Mapping[str, Any] = profile.settings
        if testhooks.failing("reject-profile") and i == len(profiles) - 1:
            settings = {**settings, "connection": {**settings["connection"], "interface-name": "x" * 16}}
        try:
            dbus = to_dbus(settings)
            if profile.uuid in update:
                nm.update_connection(profile.uuid, dbus, save_to_disk=True, block_autoconnect=True)
            else:
                nm.add_connection(dbus, save_to_disk=True, block_autoconnect=True)
        except (NMError, SettingsError) as e:
            raise ApplyError(f"NetworkManager refused profile {profile.id!r} ({profile.uuid}): {e}") from e


def activate(nm: NMClient, profiles: Sequence[Profile], order: Sequence[str], deadline: Deadline) -> int:
    """Manage the NICs again and activate, ports first; waits until all are activated.

    Returns the number of attempts it took (1, or 2 after a dropped activation).
    """
    by_uuid = {p.uuid: p for p in profiles}
    try:
        managed = []
        for uuid in order:
            dev = nm.get_device(by_uuid[uuid].interface)
            if dev is not None and not dev.managed:
                nm.set_managed(dev.iface, True)
                managed.append(dev.iface)
        _wait_ready(nm, managed, deadline)
        try:
            nm.ensure_active(list(order), timeout=deadline.bound(deadline.remaining()))
            return 1
        except NMError as e:
            if e.name != ERROR_ACTIVATION:
                raise
            # NetworkManager 1.42 can drop a port's activation while it still processes the
            # release from the deleted old bridge ("device-disconnected"); nmstate retries too
            time.sleep(min(RETRY_PAUSE, deadline.remaining()))
            nm.ensure_active(list(order), timeout=deadline.bound(deadline.remaining()))
            return 2
    except NMError as e:
        raise ApplyError(f"activation failed: {e}") from e


def _wait_ready(nm: NMClient, names: Sequence[str], deadline: Deadline) -> None:
    """Until the newly managed devices can take a profile (disconnected or beyond), for at most READY_WAIT s."""
    end = time.monotonic() + min(READY_WAIT, deadline.remaining())
    pending = set(names)
    while pending and time.monotonic() < end:
        for name in list(pending):
            dev = nm.get_device(name)
            if dev is None or dev.state >= DEVICE_STATE_DISCONNECTED:
                pending.discard(name)
        if pending:
            time.sleep(0.02)


def keyfile_path(root: str, name: str) -> str:
    return os.path.join(root, KEYFILE_DIR, name)


def write_keyfiles(root: str, files: Mapping[str, str]) -> list[str]:
    """Each keyfile atomically, mode 0600, into ``etc/NetworkManager/system-connections`` under ``root``."""
    directory = os.path.join(root, KEYFILE_DIR)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    written = []
    for name, text in files.items():
        write_atomic(keyfile_path(root, name), text.encode("utf-8"), 0o600)
        written.append(f"{KEYFILE_DIR}/{name}")
    return written


def nmstate_unavailable() -> Optional[str]:
    """Why libnmstate cannot be used here (None when it can)."""
    try:
        import libnmstate  # noqa: F401
    except Exception as e:  # any import-time failure (e.g. nispor missing) means "not usable"
        return f"{type(e).__name__}: {e}"
    return None


def nmstate_apply(state: Mapping[str, Any], rollback_timeout: int) -> str:
    """``libnmstate.apply`` uncommitted; returns its checkpoint path."""
    import libnmstate

    try:
        checkpoint = libnmstate.apply(dict(state), verify_change=True, commit=False,
                                      rollback_timeout=rollback_timeout, save_to_disk=True)
    except Exception as e:  # libnmstate raises its own NmstateError tree and raw GLib errors
        raise ApplyError(f"nmstate refused the state: {type(e).__name__}: {e}") from e
    return str(checkpoint)
