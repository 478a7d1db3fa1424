"""NetworkManager's own keyfile code (libnm 1.42 through GObject introspection) as an oracle.

Every keyfile ifcfg2nm writes is judged by the library NetworkManager itself
loads profiles with, not by our idea of the format:

* :func:`check` reads keyfile text with ``NM.keyfile_read`` and a warning
  handler (the reader is lenient: a bad value is often only a warning, and an
  invalid route attribute is dropped without one), then runs ``verify()``, and
  writes the connection back with ``NM.keyfile_write`` (no normalization), which
  is NetworkManager's canonical text for it;
* :func:`settings_of` is the connection as D-Bus-shaped plain values, in the
  conventions of :mod:`ifcfg2nm.emit.nmsettings`, so what libnm read can be
  compared property by property with what we meant (:func:`settings_differences`);
* :func:`text_differences` compares our text with NetworkManager's canonical
  text, allowing only the explicit defaults we write on purpose.

Needs ``gir1.2-nm-1.0`` and PyGObject (Debian ``python3-gi``, or
``pip install PyGObject==3.50.2`` with libgirepository1.0-dev); :data:`SKIP_REASON`
says why it is unavailable so tests can skip with a clear reason.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

KEYFILE_DIR = "/etc/NetworkManager/system-connections"

ADDR_GEN_MODES = ("eui64", "stable-privacy", "default-or-eui64", "default")


def _load() -> tuple[Any, Any, Any, Optional[str]]:
    try:
        import gi

        gi.require_version("NM", "1.0")
        from gi.repository import NM, GLib, GObject
    except (ImportError, ValueError) as exc:
        return None, None, None, (f"libnm GObject bindings unavailable ({exc}); install "
                            "gir1.2-nm-1.0 and python3-gi (scripts/run-tests does)")
    return NM, GLib, GObject, None


NM, GLib, GObject, SKIP_REASON = _load()


@dataclass
class Check:
    """What libnm made of one keyfile."""

    text: str
    warnings: list[str] = field(default_factory=list)
    read_error: Optional[str] = None
    verify_error: Optional[str] = None
    connection: Any = None
    rewritten: Optional[str] = None
    """``NM.keyfile_write`` of the connection as read (not normalized)."""

    @property
    def problems(self) -> list[str]:
        out = [f"warning: {w}" for w in self.warnings]
        if self.read_error:
            out.append(f"read error: {self.read_error}")
        if self.verify_error:
            out.append(f"verify error: {self.verify_error}")
        return out

    @property
    def ok(self) -> bool:
        return not self.problems


def check(text: str, filename: str = "profile.nmconnection") -> Check:
    """Read, verify and re-write one keyfile with libnm, collecting every complaint."""
    result = Check(text)
    keyfile = GLib.KeyFile()
    try:
        keyfile.load_from_data(text, len(text.encode()), GLib.KeyFileFlags.NONE)
    except GLib.Error as exc:
        result.read_error = exc.message
        return result

    def handler(_kf: Any, _conn: Any, htype: Any, hdata: Any, _user: Any) -> bool:
        if htype == NM.KeyfileHandlerType.WARN:
            message, _severity = hdata.warn_get()
            group, key, _setting, _prop = hdata.get_context()
            result.warnings.append(f"[{group}] {key}: {message}")
        return False

    try:
        conn = NM.keyfile_read(keyfile, KEYFILE_DIR, NM.KeyfileHandlerFlags.NONE, handler, None)
    except GLib.Error as exc:
        result.read_error = exc.message
        return result
    result.connection = conn
    try:
        conn.verify()
    except GLib.Error as exc:
        result.verify_error = exc.message
    result.rewritten = NM.keyfile_write(conn, NM.KeyfileHandlerFlags.NONE, None, None).to_data()[0]
    return result


# -- D-Bus-shaped plain settings ------------------------------------------------------


def _mac(raw: Any) -> str:
    return ":".join(f"{b:02X}" for b in bytes(raw))


def _dns4(value: int) -> str:
    return socket.inet_ntoa(struct.pack("=I", value))


def settings_of(conn: Any) -> dict[str, dict[str, Any]]:
    """The connection as libnm would send it on D-Bus, in nmsettings' plain conventions."""
    settings: dict[str, dict[str, Any]] = conn.to_dbus(NM.ConnectionSerializationFlags.ALL).unpack()
    for name, props in settings.items():
        for key in ("mac-address", "cloned-mac-address"):
            if isinstance(props.get(key), (bytes, bytearray, list)):
                props[key] = _mac(props[key])
        if name == "802-3-ethernet" and "assigned-mac-address" in props:
            props["cloned-mac-address"] = props.pop("assigned-mac-address")
            if ":" in props["cloned-mac-address"]:
                props["cloned-mac-address"] = props["cloned-mac-address"].upper()
        if name in ("ipv4", "ipv6"):
            if "dns-data" in props:
                props["dns"] = list(props.pop("dns-data"))
            elif "dns" in props:
                props["dns"] = [_dns4(v) if name == "ipv4" else
                                str(ipaddress.IPv6Address(bytes(v))) for v in props["dns"]]
            props.pop("addresses", None)
            props.pop("routes", None)
            if isinstance(props.get("addr-gen-mode"), int):
                props["addr-gen-mode"] = ADDR_GEN_MODES[props["addr-gen-mode"]]
    return settings


def _falsy(value: Any) -> bool:
    return value in (None, False, 0, "", [], {})


def default_of(setting: str, prop: str) -> Any:
    """libnm's default of a property (``bridge.stp`` → True): its value in a new setting."""
    gtype = NM.Setting.lookup_type(setting)
    if gtype.name == "invalid":
        return None
    fresh = GObject.new(gtype)
    if fresh.find_property(prop) is None:
        return None
    value = fresh.get_property(prop)
    if isinstance(value, (GObject.GFlags, GObject.GEnum)):
        return int(value)
    return value


def _same_as_default(setting: str, prop: str, value: Any) -> bool:
    default = default_of(setting, prop)
    if setting == "ipv6" and prop == "addr-gen-mode" and isinstance(default, int):
        default = ADDR_GEN_MODES[default]
    return default is not None and default == value and type(default) is type(value)


def settings_differences(ours: Mapping[str, Mapping[str, Any]],
                         theirs: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every property we set that libnm read differently, and everything libnm has that we lack.

    Properties libnm reports with a falsy default (``[]``, ``False``…) that we did
    not set are not differences.
    """
    out: list[str] = []
    for setting, props in ours.items():
        read = theirs.get(setting)
        if read is None:
            out.append(f"{setting}: missing after reading")
            continue
        for prop, value in props.items():
            if prop not in read:
                if not _same_as_default(setting, prop, value):
                    out.append(f"{setting}.{prop}: {value!r} was not read back")
            elif read[prop] != value:
                out.append(f"{setting}.{prop}: wrote {value!r}, libnm read {read[prop]!r}")
    for setting, props in theirs.items():
        for prop, value in props.items():
            if setting != "connection" and prop == "interface-name":
                continue  # deprecated copy of connection.interface-name (bond, bridge, vlan)
            if setting == "ipv6" and prop == "addr-gen-mode" and value == "default-or-eui64":
                continue  # what libnm reports for a keyfile without addr-gen-mode
            if prop not in ours.get(setting, {}) and not _falsy(value):
                out.append(f"{setting}.{prop}: libnm has {value!r}, which we did not write")
    return out


# -- canonical text ----------------------------------------------------------------


def _lines(text: str) -> list[tuple[str, str, str]]:
    section = ""
    out: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
            out.append((section, "", ""))
        elif "=" in line:
            key, _, value = line.partition("=")
            out.append((section, key, value))
    return out


KEYFILE_SETTINGS = {"ethernet": "802-3-ethernet"}


KEYFILE_IMPLIED = {("ipv6", "addr-gen-mode", "default-or-eui64")}
"""Values the keyfile reader assumes when the key is absent, so the writer leaves them out."""


def _explicit_default(section: str, key: str, value: str) -> bool:
    """A line NetworkManager's writer leaves out because it holds libnm's default."""
    if (section, key, value) in KEYFILE_IMPLIED:
        return True
    default = default_of(KEYFILE_SETTINGS.get(section, section), key)
    if isinstance(default, bool):
        return value == ("true" if default else "false")
    return default is not None and str(default) == value


def text_differences(ours: str, canonical: str) -> list[str]:
    """How our text differs from NetworkManager's writer, except explicit defaults we write."""
    canonical_lines = _lines(canonical)
    present = {(s, k) for s, k, _ in canonical_lines}
    mine = [(s, k, v) for s, k, v in _lines(ours)
            if (s, k) in present or not _explicit_default(s, k, v)]
    if mine == canonical_lines and ours.endswith("\n") and "\n\n\n" not in ours:
        return []
    diff = [f"ours:      {s}.{k}={v}" for s, k, v in mine if (s, k, v) not in canonical_lines]
    diff += [f"libnm's:   {s}.{k}={v}" for s, k, v in canonical_lines if (s, k, v) not in mine]
    return diff or ["same lines in a different order, or different blank lines"]
