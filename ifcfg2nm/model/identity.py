"""Stable identities for profiles, so a migrated connection keeps (or gets) one UUID forever."""

from __future__ import annotations

import functools
import hashlib
import uuid

IFCFG2NM_NAMESPACE = uuid.UUID("5d7c2a8e-3f41-4b6e-9a0d-1c2b3e4f5a60")
"""Namespace of the name-based UUIDs ifcfg2nm gives profiles that never had one."""


def legacy_ifcfg_uuid(host_path: str) -> str:
    """The UUID NetworkManager's ifcfg-rh plugin derives for a file without ``UUID=``.

    It is the raw MD5 of the file's full path formatted as a UUID, without
    version bits (``NM_UUID_TYPE_LEGACY``); reproducing it keeps the identity
    NetworkManager already gave the profile.
    """
    digest = hashlib.md5(host_path.encode("utf-8", "surrogateescape")).hexdigest()  # the path's own bytes
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


@functools.lru_cache(maxsize=1024)
def stable_uuid(interface: str) -> str:
    """Deterministic UUID of the profile ifcfg2nm makes for a VDSM-owned interface.

    Cached: a fleet has few distinct interface names, and every host asks for them several times.
    """
    return str(uuid.uuid5(IFCFG2NM_NAMESPACE, "ifcfg2nm:" + interface))
