"""A small synchronous NetworkManager D-Bus client for the upgrade and restore.

The upgrade runs from an RPM scriptlet: synchronous code, no event loop of its
own, and it must never hang. So this wraps dbus-next's asyncio API in a
private event loop, bounds every call by a deadline, and turns every failure
(D-Bus error replies, timeouts, a vanished bus) into one exception type,
:class:`NMError`, that carries the D-Bus error name. Method calls are built as
raw messages with explicit signatures (no introspection round trips).

Only what the upgrade needs is here: profiles (AddConnection2/Update2/Delete,
saved to disk by NetworkManager, so keyfile locations never matter),
activation, devices, and checkpoints. The bus is the system bus, or
``DBUS_SYSTEM_BUS_ADDRESS`` when set (how the tests point it at a sandbox).
Not thread-safe: one client per thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TypeVar

from ifcfg2nm.dbusnext import BusType, Message, MessageBus, MessageType, Variant
from ifcfg2nm.emit.dbus_settings import DBusSettings

__all__ = [
    "ActiveState",
    "CheckpointFlags",
    "CheckpointInfo",
    "ConnectionInfo",
    "DeviceInfo",
    "DeviceRollback",
    "NMClient",
    "NMError",
    "RollbackResult",
    "SettingsFlags",
]

T = TypeVar("T")

NM_BUS = "org.freedesktop.NetworkManager"
NM_PATH = "/org/freedesktop/NetworkManager"
NM_IFACE = "org.freedesktop.NetworkManager"
SETTINGS_PATH = "/org/freedesktop/NetworkManager/Settings"
SETTINGS_IFACE = "org.freedesktop.NetworkManager.Settings"
CONNECTION_IFACE = "org.freedesktop.NetworkManager.Settings.Connection"
ACTIVE_IFACE = "org.freedesktop.NetworkManager.Connection.Active"
DEVICE_IFACE = "org.freedesktop.NetworkManager.Device"
CHECKPOINT_IFACE = "org.freedesktop.NetworkManager.Checkpoint"
PROPS_IFACE = "org.freedesktop.DBus.Properties"

# Error names for failures detected on our side (NetworkManager's own errors
# keep their names, e.g. org.freedesktop.NetworkManager.Settings.InvalidConnection).
ERROR_TIMEOUT = "ifcfg2nm.Error.Timeout"
ERROR_CONNECT = "ifcfg2nm.Error.Connect"
ERROR_DISCONNECTED = "ifcfg2nm.Error.Disconnected"
ERROR_ACTIVATION = "ifcfg2nm.Error.ActivationFailed"
ERROR_NOT_FOUND = "ifcfg2nm.Error.NotFound"
ERROR_FAILED = "ifcfg2nm.Error.Failed"


class NMError(Exception):
    """Any failure talking to NetworkManager, with the D-Bus error name.

    ``name`` is the D-Bus error name of the reply (or an ``ifcfg2nm.Error.*``
    name for timeouts, connection loss and failed activations), ``message``
    the human-readable text; callers branch on ``name``, users read ``str()``.
    """

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class SettingsFlags(enum.IntFlag):
    """NMSettingsAddConnection2Flags / NMSettingsUpdate2Flags (shared values)."""

    NONE = 0
    TO_DISK = 0x1
    IN_MEMORY = 0x2
    IN_MEMORY_DETACHED = 0x4
    IN_MEMORY_ONLY = 0x8
    VOLATILE = 0x10
    BLOCK_AUTOCONNECT = 0x20
    NO_REAPPLY = 0x40


class CheckpointFlags(enum.IntFlag):
    """NMCheckpointCreateFlags (1.42)."""

    NONE = 0
    DESTROY_ALL = 0x1
    DELETE_NEW_CONNECTIONS = 0x2
    DISCONNECT_NEW_DEVICES = 0x4
    ALLOW_OVERLAPPING = 0x8
    NO_PRESERVE_EXTERNAL_PORTS = 0x10


class RollbackResult(enum.IntEnum):
    """NMRollbackResult: per device outcome of CheckpointRollback."""

    OK = 0
    ERR_NO_DEVICE = 1
    ERR_DEVICE_UNMANAGED = 2
    ERR_FAILED = 3


class ActiveState(enum.IntEnum):
    """NMActiveConnectionState."""

    UNKNOWN = 0
    ACTIVATING = 1
    ACTIVATED = 2
    DEACTIVATING = 3
    DEACTIVATED = 4


ACTIVE_STATE_REASONS: Mapping[int, str] = {
    0: "unknown",
    1: "none",
    2: "user-disconnected",
    3: "device-disconnected",
    4: "service-stopped",
    5: "ip-config-invalid",
    6: "connect-timeout",
    7: "service-start-timeout",
    8: "service-start-failed",
    9: "no-secrets",
    10: "login-failed",
    11: "connection-removed",
    12: "dependency-failed",
    13: "device-realize-failed",
    14: "device-removed",
}

DEVICE_TYPES: Mapping[int, str] = {
    0: "unknown",
    1: "ethernet",
    2: "wifi",
    5: "bt",
    6: "olpc-mesh",
    7: "wimax",
    8: "modem",
    9: "infiniband",
    10: "bond",
    11: "vlan",
    12: "adsl",
    13: "bridge",
    14: "generic",
    15: "team",
    16: "tun",
    17: "ip-tunnel",
    18: "macvlan",
    19: "vxlan",
    20: "veth",
    21: "macsec",
    22: "dummy",
    23: "ppp",
    24: "ovs-interface",
    25: "ovs-port",
    26: "ovs-bridge",
    27: "wpan",
    28: "6lowpan",
    29: "wireguard",
    30: "wifi-p2p",
    31: "vrf",
    32: "loopback",
}

DEVICE_STATE_ACTIVATED = 100


@dataclass(frozen=True)
class ConnectionInfo:
    """A profile as NetworkManager holds it (``flags``: NMSettingsConnectionFlags)."""

    path: str
    uuid: str
    id: str
    type: str
    interface_name: str
    filename: str
    flags: int
    unsaved: bool
    settings: DBusSettings = field(repr=False)


@dataclass(frozen=True)
class DeviceInfo:
    """A device; ``state`` is NMDeviceState (100 = activated), ``real`` False for placeholders."""

    path: str
    iface: str
    type: str
    state: int
    managed: bool
    real: bool
    active_connection: str


@dataclass(frozen=True)
class CheckpointInfo:
    """An existing checkpoint (``created``: CLOCK_BOOTTIME ms, ``rollback_timeout``: s)."""

    path: str
    devices: list[str]
    created: int
    rollback_timeout: int


@dataclass(frozen=True)
class DeviceRollback:
    """Rollback outcome for one device (``iface`` empty when it could not be resolved)."""

    path: str
    iface: str
    result: RollbackResult


async def _unless_gone(coro: Awaitable[T]) -> Optional[T]:
    """The result, or None when the object was removed between listing and reading it."""
    try:
        return await coro
    except NMError as e:
        if e.name.endswith((".UnknownMethod", ".UnknownObject", ".InvalidConnection")):
            return None
        raise


class NMClient:
    """Synchronous NetworkManager client; use as a context manager.

    ``timeout`` bounds every single call (seconds); activation waits take
    their own ``timeout`` argument. ``bus_address`` overrides the system bus
    (default: ``DBUS_SYSTEM_BUS_ADDRESS`` or the standard socket).
    """

    def __init__(self, bus_address: Optional[str] = None, timeout: float = 10.0) -> None:
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._bus: Any = None
        self._changed: Optional[asyncio.Event] = None
        self._ac_reasons: dict[str, int] = {}
        try:
            self._run(self._connect(bus_address), timeout, "connecting to D-Bus")
        except BaseException:
            self.close()  # a half-open bus too
            raise

    # -- plumbing --------------------------------------------------------------

    def _run(self, coro: Awaitable[T], timeout: Optional[float], what: str) -> T:
        """Run one coroutine on the private loop under a deadline; errors -> NMError."""
        limit = self.timeout if timeout is None else timeout
        if self._loop.is_closed():
            if asyncio.iscoroutine(coro):
                coro.close()  # never scheduled: avoid "was never awaited"
            raise NMError(ERROR_DISCONNECTED, f"{what}: the client is closed")
        try:
            return self._loop.run_until_complete(asyncio.wait_for(coro, limit))
        except NMError:
            raise
        except asyncio.TimeoutError:
            raise NMError(ERROR_TIMEOUT, f"{what}: no result within {limit:g} s") from None
        except (EOFError, ConnectionError, BrokenPipeError) as e:
            raise NMError(ERROR_DISCONNECTED, f"{what}: bus connection lost ({e})") from e
        except OSError as e:
            raise NMError(ERROR_CONNECT, f"{what}: {e}") from e
        except Exception as e:  # dbus-next raises assorted types (marshalling, auth)
            raise NMError(ERROR_FAILED, f"{what}: {type(e).__name__}: {e}") from e

    async def _connect(self, bus_address: Optional[str]) -> None:
        where = bus_address or os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") or "the system bus"
        try:
            # without an address dbus-next honours DBUS_SYSTEM_BUS_ADDRESS itself
            kwargs: dict[str, Any] = {"bus_address": bus_address} if bus_address else {"bus_type": BusType.SYSTEM}
            self._bus = await MessageBus(**kwargs).connect()
        except OSError as e:
            raise NMError(ERROR_CONNECT, f"cannot connect to {where}: {e}") from e
        self._changed = asyncio.Event()
        self._bus.add_message_handler(self._on_message)
        # wake waiters on any NetworkManager signal; activation is signal-driven
        await self._call(
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "AddMatch",
            "s",
            [f"type='signal',sender='{NM_BUS}'"],
            destination="org.freedesktop.DBus",
        )

    def _on_message(self, msg: Any) -> None:
        if msg.message_type != MessageType.SIGNAL:
            return
        if msg.interface == ACTIVE_IFACE and msg.member == "StateChanged" and len(msg.body) == 2:
            self._ac_reasons[msg.path] = int(msg.body[1])
        if self._changed is not None:
            self._changed.set()

    async def _call(
        self,
        path: str,
        interface: str,
        member: str,
        signature: str = "",
        body: Sequence[Any] = (),
        *,
        destination: str = NM_BUS,
    ) -> list[Any]:
        if self._bus is None or not self._bus.connected:
            raise NMError(ERROR_DISCONNECTED, f"{member}: not connected to the bus")
        reply = await self._bus.call(
            Message(
                destination=destination,
                path=path,
                interface=interface,
                member=member,
                signature=signature,
                body=list(body),
            )
        )
        if reply is None:  # pragma: no cover - only for NO_REPLY_EXPECTED calls
            return []
        if reply.message_type == MessageType.ERROR:
            text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
            raise NMError(reply.error_name or ERROR_FAILED, text or f"{member} failed")
        return list(reply.body)

    async def _get(self, path: str, interface: str, prop: str) -> Any:
        (variant,) = await self._call(path, PROPS_IFACE, "Get", "ss", [interface, prop])
        return variant.value

    async def _get_all(self, path: str, interface: str) -> dict[str, Any]:
        (props,) = await self._call(path, PROPS_IFACE, "GetAll", "s", [interface])
        return {k: v.value for k, v in props.items()}

    async def _wait_for(self, probe: Callable[[], Awaitable[Optional[T]]], poll: float = 0.1) -> T:
        """Re-run ``probe`` on every NetworkManager signal (or every ``poll`` s)
        until it returns non-None; the caller's deadline bounds it."""
        assert self._changed is not None
        while True:
            self._changed.clear()
            result = await probe()
            if result is not None:
                return result
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), poll)

    def close(self) -> None:
        """Disconnect and release the loop (idempotent)."""
        if self._loop.is_closed():
            return
        bus = self._bus
        self._bus = None
        if bus is not None:
            try:
                bus.disconnect()
                self._loop.run_until_complete(asyncio.wait_for(bus.wait_for_disconnect(), 1.0))
            except Exception:  # closing is best effort; the socket goes with the loop
                pass
        self._loop.close()

    def __enter__(self) -> NMClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- daemon ----------------------------------------------------------------

    def running(self) -> bool:
        """Whether some process owns NetworkManager's bus name."""
        (owned,) = self._run(
            self._call(
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "NameHasOwner",
                "s",
                [NM_BUS],
                destination="org.freedesktop.DBus",
            ),
            None,
            "NameHasOwner",
        )
        return bool(owned)

    def version(self) -> str:
        return str(self._run(self._get(NM_PATH, NM_IFACE, "Version"), None, "Version"))

    def startup_complete(self) -> bool:
        """True once NetworkManager finished start-up (its ``Startup`` is false)."""
        return not self._run(self._get(NM_PATH, NM_IFACE, "Startup"), None, "Startup")

    def wait_startup_complete(self, timeout: float = 30.0) -> None:
        async def probe() -> Optional[bool]:
            return True if not await self._get(NM_PATH, NM_IFACE, "Startup") else None

        self._run(self._wait_for(probe), timeout, "waiting for NetworkManager start-up")

    # -- profiles --------------------------------------------------------------

    async def _connection_path(self, path_or_uuid: str) -> str:
        if path_or_uuid.startswith("/"):
            return path_or_uuid
        (path,) = await self._call(SETTINGS_PATH, SETTINGS_IFACE, "GetConnectionByUuid", "s", [path_or_uuid])
        return str(path)

    async def _connection_info(self, path: str) -> ConnectionInfo:
        (settings,), props = await asyncio.gather(
            self._call(path, CONNECTION_IFACE, "GetSettings"),
            self._get_all(path, CONNECTION_IFACE),
        )
        con = settings.get("connection", {})

        def text(key: str) -> str:
            v = con.get(key)
            return str(v.value) if v is not None else ""

        return ConnectionInfo(
            path=path,
            uuid=text("uuid"),
            id=text("id"),
            type=text("type"),
            interface_name=text("interface-name"),
            filename=str(props.get("Filename", "")),
            flags=int(props.get("Flags", 0)),
            unsaved=bool(props.get("Unsaved", False)),
            settings=settings,
        )

    def list_connections(self) -> list[ConnectionInfo]:
        """Every profile with its settings (secrets not included)."""

        async def run() -> list[ConnectionInfo]:
            (paths,) = await self._call(SETTINGS_PATH, SETTINGS_IFACE, "ListConnections")
            found = await asyncio.gather(*(_unless_gone(self._connection_info(p)) for p in paths))
            return [c for c in found if c is not None]

        return self._run(run(), None, "ListConnections")

    def get_connection(self, path_or_uuid: str) -> Optional[ConnectionInfo]:
        """The profile, or None when NetworkManager has no such uuid/path."""

        async def run() -> Optional[ConnectionInfo]:
            try:
                return await self._connection_info(await self._connection_path(path_or_uuid))
            except NMError as e:
                if e.name.endswith((".InvalidConnection", ".UnknownObject", ".UnknownMethod")):
                    return None
                raise

        return self._run(run(), None, f"reading profile {path_or_uuid}")

    def get_settings(self, path_or_uuid: str) -> DBusSettings:
        async def run() -> DBusSettings:
            path = await self._connection_path(path_or_uuid)
            (settings,) = await self._call(path, CONNECTION_IFACE, "GetSettings")
            return dict(settings)

        return self._run(run(), None, f"GetSettings {path_or_uuid}")

    def add_connection(
        self,
        settings: DBusSettings,
        save_to_disk: bool = True,
        block_autoconnect: bool = False,
    ) -> str:
        """AddConnection2; returns the new profile's object path.

        With ``save_to_disk`` NetworkManager writes the profile itself (TO_DISK),
        wherever its keyfile plugin keeps them; else it stays in memory only.
        """
        flags = SettingsFlags.TO_DISK if save_to_disk else SettingsFlags.IN_MEMORY
        if block_autoconnect:
            flags |= SettingsFlags.BLOCK_AUTOCONNECT

        async def run() -> str:
            path, _result = await self._call(
                SETTINGS_PATH,
                SETTINGS_IFACE,
                "AddConnection2",
                "a{sa{sv}}ua{sv}",
                [settings, int(flags), {}],
            )
            return str(path)

        return self._run(run(), None, "AddConnection2")

    def update_connection(
        self,
        path_or_uuid: str,
        settings: DBusSettings,
        save_to_disk: bool = True,
        block_autoconnect: bool = False,
    ) -> None:
        """Update2: replace the whole profile (unlisted settings are removed).

        An active profile keeps running with its old settings until
        :meth:`reapply` or re-activation.
        """
        flags = SettingsFlags.TO_DISK if save_to_disk else SettingsFlags.IN_MEMORY
        if block_autoconnect:
            flags |= SettingsFlags.BLOCK_AUTOCONNECT

        async def run() -> None:
            path = await self._connection_path(path_or_uuid)
            await self._call(path, CONNECTION_IFACE, "Update2", "a{sa{sv}}ua{sv}", [settings, int(flags), {}])

        self._run(run(), None, f"Update2 {path_or_uuid}")

    def delete_connection(self, path_or_uuid: str) -> None:
        """Delete the profile (and its file); deactivates it when active."""

        async def run() -> None:
            path = await self._connection_path(path_or_uuid)
            await self._call(path, CONNECTION_IFACE, "Delete")

        self._run(run(), None, f"Delete {path_or_uuid}")

    # -- activation ------------------------------------------------------------

    async def _active_by_uuid(self) -> dict[str, list[tuple[str, int]]]:
        """uuid -> [(active connection path, state)], tolerant of objects vanishing."""
        paths = await self._get(NM_PATH, NM_IFACE, "ActiveConnections")

        async def one(p: str) -> Optional[tuple[str, str, int]]:
            try:
                props = await self._get_all(p, ACTIVE_IFACE)
            except NMError:
                return None  # raced with a deactivation
            return str(props.get("Uuid", "")), p, int(props.get("State", 0))

        out: dict[str, list[tuple[str, int]]] = {}
        for item in await asyncio.gather(*(one(p) for p in paths)):
            if item is not None:
                out.setdefault(item[0], []).append((item[1], item[2]))
        return out

    async def _wait_active(self, uuids: Sequence[str], started: Mapping[str, str]) -> None:
        """Until every uuid has an ACTIVATED active connection; fail fast when an
        activation we started (``started``: uuid -> path) goes down."""
        pending = set(uuids)

        async def probe() -> Optional[bool]:
            active = await self._active_by_uuid()
            for uuid in list(pending):
                if any(s == ActiveState.ACTIVATED for _, s in active.get(uuid, [])):
                    pending.discard(uuid)
                    continue
                ac = started.get(uuid)
                if ac is None:
                    continue
                try:
                    state = int(await self._get(ac, ACTIVE_IFACE, "State"))
                except NMError:
                    state = ActiveState.DEACTIVATED  # the object is gone: it failed
                if state >= ActiveState.DEACTIVATING:
                    reason = self._ac_reasons.get(ac)
                    why = ACTIVE_STATE_REASONS.get(reason, str(reason)) if reason else "unknown"
                    raise NMError(ERROR_ACTIVATION, f"activation of profile {uuid} failed (reason: {why})")
            return True if not pending else None

        await self._wait_for(probe)

    def activate(
        self,
        uuid: str,
        iface: Optional[str] = None,
        wait: bool = True,
        timeout: float = 60.0,
    ) -> str:
        """ActivateConnection (on ``iface`` when given) and wait for ACTIVATED.

        Returns the active connection path. Activating a port also activates
        its controller; activating the port first avoids NM 1.42's ~2 s
        carrier wait of a port-less bridge with static addresses.
        """

        async def run() -> str:
            path = await self._connection_path(uuid)
            device = await self._device_path(iface) if iface else "/"
            (ac,) = await self._call(NM_PATH, NM_IFACE, "ActivateConnection", "ooo", [path, device, "/"])
            if wait:
                await self._wait_active([uuid], {uuid: str(ac)})
            return str(ac)

        return self._run(run(), timeout, f"activating {uuid}")

    def ensure_active(self, uuids: Sequence[str], timeout: float = 60.0) -> None:
        """Activate, in the given order, each profile not already activating or
        active, then wait until all are ACTIVATED.

        Order ports before their controllers: a port's activation brings up
        its controller, which is then not activated a second time (that would
        tear the freshly enslaved ports down again).
        """

        async def run() -> None:
            started: dict[str, str] = {}
            for uuid in uuids:
                active = await self._active_by_uuid()
                if any(s <= ActiveState.ACTIVATED for _, s in active.get(uuid, [])):
                    continue
                path = await self._connection_path(uuid)
                (ac,) = await self._call(NM_PATH, NM_IFACE, "ActivateConnection", "ooo", [path, "/", "/"])
                started[uuid] = str(ac)
            await self._wait_active(list(uuids), started)

        self._run(run(), timeout, f"activating {', '.join(uuids)}")

    def wait_activated(self, uuids: Iterable[str], timeout: float = 60.0) -> None:
        """Wait until each profile has an ACTIVATED active connection."""
        wanted = list(uuids)
        self._run(self._wait_active(wanted, {}), timeout, f"waiting for {', '.join(wanted)}")

    def active_uuids(self) -> dict[str, ActiveState]:
        """uuid -> state of its most advanced active connection."""

        async def run() -> dict[str, ActiveState]:
            active = await self._active_by_uuid()
            return {
                u: ActiveState.ACTIVATED
                if any(s == ActiveState.ACTIVATED for _, s in items)
                else ActiveState(min(s for _, s in items))
                for u, items in active.items()
            }

        return self._run(run(), None, "ActiveConnections")

    def deactivate(self, uuid: str, wait: bool = True, timeout: float = 30.0) -> bool:
        """DeactivateConnection for every active connection of the profile.

        Returns False when it was not active. With ``wait``, returns once
        they are gone.
        """

        async def run() -> bool:
            active = (await self._active_by_uuid()).get(uuid, [])
            for path, _state in active:
                try:
                    await self._call(NM_PATH, NM_IFACE, "DeactivateConnection", "o", [path])
                except NMError as e:
                    if not e.name.endswith(".ConnectionNotActive"):
                        raise
            if wait and active:

                async def gone() -> Optional[bool]:
                    left = (await self._active_by_uuid()).get(uuid, [])
                    return True if all(s >= ActiveState.DEACTIVATED for _, s in left) else None

                await self._wait_for(gone)
            return bool(active)

        return self._run(run(), timeout, f"deactivating {uuid}")

    # -- devices ---------------------------------------------------------------

    async def _device_info(self, path: str) -> DeviceInfo:
        p = await self._get_all(path, DEVICE_IFACE)
        dtype = int(p.get("DeviceType", 0))
        return DeviceInfo(
            path=path,
            iface=str(p.get("Interface", "")),
            type=DEVICE_TYPES.get(dtype, str(dtype)),
            state=int(p.get("State", 0)),
            managed=bool(p.get("Managed", False)),
            real=bool(p.get("Real", True)),
            active_connection=str(p.get("ActiveConnection", "/")),
        )

    async def _devices(self) -> list[DeviceInfo]:
        (paths,) = await self._call(NM_PATH, NM_IFACE, "GetAllDevices")
        found = await asyncio.gather(*(_unless_gone(self._device_info(p)) for p in paths))
        return [d for d in found if d is not None]

    async def _device_path(self, iface: str) -> str:
        matches = [d for d in await self._devices() if d.iface == iface]
        if not matches:
            raise NMError(ERROR_NOT_FOUND, f"NetworkManager has no device {iface!r}")
        matches.sort(key=lambda d: not d.real)  # the realized one first
        return matches[0].path

    def list_devices(self) -> list[DeviceInfo]:
        """All devices, including unrealized placeholders of software profiles."""
        return self._run(self._devices(), None, "GetAllDevices")

    def get_device(self, iface: str) -> Optional[DeviceInfo]:
        for dev in self.list_devices():
            if dev.iface == iface and dev.real:
                return dev
        return None

    def set_managed(self, iface: str, managed: bool) -> None:
        """Set the device's runtime Managed flag (not persisted by NetworkManager)."""

        async def run() -> None:
            path = await self._device_path(iface)
            await self._call(path, PROPS_IFACE, "Set", "ssv", [DEVICE_IFACE, "Managed", Variant("b", managed)])

        self._run(run(), None, f"setting {iface} managed={managed}")

    def disconnect(self, iface: str) -> None:
        """Device.Disconnect: deactivate and block autoconnect until the next manual step."""

        async def run() -> None:
            await self._call(await self._device_path(iface), DEVICE_IFACE, "Disconnect")

        self._run(run(), None, f"disconnecting {iface}")

    def delete_device(self, iface: str) -> None:
        """Device.Delete: remove a software device (bridge, bond, vlan, veth) from the kernel.

        Never on ``lo``: NetworkManager 1.42 accepts it, forgets the device and
        its profile, and the kernel keeps it.
        """

        async def run() -> None:
            await self._call(await self._device_path(iface), DEVICE_IFACE, "Delete")

        self._run(run(), None, f"deleting device {iface}")

    def reapply(self, iface: str) -> None:
        """Device.Reapply with the device's current profile: apply an Update2 live."""

        async def run() -> None:
            path = await self._device_path(iface)
            await self._call(path, DEVICE_IFACE, "Reapply", "a{sa{sv}}tu", [{}, 0, 0])

        self._run(run(), None, f"reapplying {iface}")

    # -- checkpoints -----------------------------------------------------------

    def checkpoint_create(
        self,
        devices: Sequence[str] = (),
        rollback_timeout: int = 60,
        flags: CheckpointFlags = CheckpointFlags.DESTROY_ALL,
    ) -> str:
        """CheckpointCreate over the named interfaces (empty: all devices).

        NetworkManager rolls back by itself after ``rollback_timeout`` seconds
        (0: never) unless the checkpoint is destroyed first; that is the
        safety net if the upgrade dies. Returns the checkpoint path.
        """

        async def run() -> str:
            paths = [await self._device_path(i) for i in devices]
            (cp,) = await self._call(
                NM_PATH,
                NM_IFACE,
                "CheckpointCreate",
                "aouu",
                [paths, int(rollback_timeout), int(flags)],
            )
            return str(cp)

        return self._run(run(), None, "CheckpointCreate")

    def checkpoint_destroy(self, path: str) -> None:
        """Commit: forget the checkpoint (no rollback any more)."""
        self._run(
            self._call(NM_PATH, NM_IFACE, "CheckpointDestroy", "o", [path]),
            None,
            f"CheckpointDestroy {path}",
        )

    def checkpoint_rollback(self, path: str, timeout: Optional[float] = 30.0) -> list[DeviceRollback]:
        """Restore devices and profiles to the checkpoint; result per device."""

        async def run() -> list[DeviceRollback]:
            names: dict[str, str] = {}
            try:
                for dev_path in await self._get(path, CHECKPOINT_IFACE, "Devices"):
                    with contextlib.suppress(NMError):
                        names[dev_path] = str(await self._get(dev_path, DEVICE_IFACE, "Interface"))
            except NMError:
                pass  # names are a courtesy; the rollback below reports real errors
            (results,) = await self._call(NM_PATH, NM_IFACE, "CheckpointRollback", "o", [path])
            out = []
            for dev_path, code in sorted(results.items()):
                try:
                    result = RollbackResult(code)
                except ValueError:
                    result = RollbackResult.ERR_FAILED
                out.append(DeviceRollback(dev_path, names.get(dev_path, ""), result))
            return out

        return self._run(run(), timeout, f"CheckpointRollback {path}")

    def checkpoint_adjust_rollback_timeout(self, path: str, seconds: int) -> None:
        """Re-arm the automatic rollback to ``seconds`` from now (0: never)."""
        self._run(
            self._call(NM_PATH, NM_IFACE, "CheckpointAdjustRollbackTimeout", "ou", [path, int(seconds)]),
            None,
            f"CheckpointAdjustRollbackTimeout {path}",
        )

    def list_checkpoints(self) -> list[CheckpointInfo]:
        async def run() -> list[CheckpointInfo]:
            out = []
            for path in await self._get(NM_PATH, NM_IFACE, "Checkpoints"):
                try:
                    p = await self._get_all(path, CHECKPOINT_IFACE)
                except NMError:
                    continue  # destroyed meanwhile
                out.append(
                    CheckpointInfo(
                        path=str(path),
                        devices=[str(d) for d in p.get("Devices", [])],
                        created=int(p.get("Created", 0)),
                        rollback_timeout=int(p.get("RollbackTimeout", 0)),
                    )
                )
            return out

        return self._run(run(), None, "listing checkpoints")

    def destroy_checkpoints(self, paths: Optional[Iterable[str]] = None) -> list[str]:
        """Destroy the given (default: all existing) checkpoints, e.g. stale ones
        left by a crashed run; returns the paths destroyed. Already-gone ones
        are skipped."""
        targets = [c.path for c in self.list_checkpoints()] if paths is None else list(paths)
        done = []
        for path in targets:
            try:
                self.checkpoint_destroy(path)
            except NMError as e:
                if e.name.endswith((".InvalidArguments", ".UnknownObject", ".UnknownMethod")):
                    continue
                raise
            done.append(path)
        return done
