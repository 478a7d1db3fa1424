"""The parts of dbus-next ifcfg2nm uses, imported without dbus-next's GLib integration.

``import dbus_next`` always imports ``dbus_next.glib``, which imports PyGObject's
GLib when it is installed (it is on most EL hosts): 10-15 ms of the boot-time
restore's 300 ms budget, for a main loop ifcfg2nm never uses (it drives dbus-next
with asyncio). So the first import here hides ``gi`` for that one moment:
dbus-next then records GLib as unavailable, and ``gi`` imports normally
afterwards. Where ``gi`` or dbus-next is loaded already, nothing is hidden.
"""

from __future__ import annotations

import sys


def _import_without_glib() -> None:
    if "dbus_next" in sys.modules or "gi" in sys.modules:
        return
    sys.modules["gi"] = None  # type: ignore[assignment]  # None in sys.modules: ImportError on import
    try:
        import dbus_next  # noqa: F401
    finally:
        if "gi" in sys.modules and sys.modules["gi"] is None:
            del sys.modules["gi"]


_import_without_glib()

from dbus_next.aio.message_bus import MessageBus  # noqa: E402
from dbus_next.constants import BusType, MessageType  # noqa: E402
from dbus_next.message import Message  # noqa: E402
from dbus_next.signature import Variant  # noqa: E402

__all__ = ["BusType", "Message", "MessageBus", "MessageType", "Variant"]
