"""nmstate 1.2.1 and libnm as offline oracles for the nmstate emitter.

* :func:`schema_validate` is nmstate's own JSON-schema check (only 1.2.x ships one).
* :func:`generate_keyfiles` is ``libnmstate.generate_configurations``: the keyfiles
  nmstate would write for a state, with no daemon and no kernel state.
* :func:`profile_settings` reads any keyfile through libnm (``NM.keyfile_read``,
  ``normalize``) into ``{setting: {property: value}}``, so keyfiles from nmstate and
  from ifcfg2nm can be compared property by property.

libnmstate imports ``nispor`` (not installable here); ``nispor/`` beside this file is
an import-only stand-in (see README.md). :data:`SKIP_REASON` says why an oracle is
unavailable, for ``pytest.skip``.
"""

from __future__ import annotations

import contextlib
import copy
import ipaddress
import logging
import socket
import struct
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))  # the nispor stand-in

Settings = dict[str, dict[str, Any]]


def _load_libnmstate() -> tuple[Any, Optional[str]]:
    try:
        with quiet():
            import libnmstate
            from libnmstate import validator
    except Exception as exc:  # ImportError, or GI/typelib problems inside libnmstate
        return None, f"libnmstate unavailable ({exc}); scripts/run-tests installs nmstate==1.2.1"
    if not hasattr(validator, "schema_validate"):
        return None, f"libnmstate {libnmstate.__version__} has no JSON schema (needs 1.2.x)"
    return libnmstate, None


def _load_nm() -> tuple[Any, Any, Optional[str]]:
    try:
        import gi

        gi.require_version("NM", "1.0")
        from gi.repository import NM, GLib
    except (ImportError, ValueError) as exc:
        return None, None, f"libnm GObject bindings unavailable ({exc})"
    return NM, GLib, None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence libnmstate's logging (the ovsdb plugin not loading, ports assumed ethernet)."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


libnmstate, SKIP_REASON = _load_libnmstate()
NM, GLib, NM_SKIP_REASON = _load_nm()


def schema_validate(state: dict[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` when nmstate's schema refuses the state."""
    from libnmstate import validator

    validator.schema_validate(state)


def generate_keyfiles(state: dict[str, Any]) -> dict[str, str]:
    """Keyfile text by file name, as nmstate's NetworkManager plugin generates it
    (on a copy: libnmstate edits the state it is given)."""
    with quiet():
        configs = libnmstate.generate_configurations(copy.deepcopy(state))
    return {name: text for name, text in configs.get("NetworkManager", [])}


def profile_settings(text: str) -> Settings:
    """A keyfile as libnm reads and normalizes it: every non-default property, D-Bus shaped.

    Raises ``GLib.Error`` when libnm refuses the keyfile.
    """
    keyfile = GLib.KeyFile()
    keyfile.load_from_data(text, len(text.encode()), GLib.KeyFileFlags.NONE)
    conn = NM.keyfile_read(keyfile, "/etc/NetworkManager/system-connections",
                           NM.KeyfileHandlerFlags.NONE, None, None)
    conn.normalize()
    settings: Settings = conn.to_dbus(NM.ConnectionSerializationFlags.ALL).unpack()
    for name in ("ipv4", "ipv6"):
        ip = settings.get(name)
        if ip is None:
            continue
        if "dns" in ip and "dns-data" not in ip:
            ip["dns-data"] = [_dns_text(name, v) for v in ip["dns"]]
        for legacy in ("addresses", "routes", "dns"):
            ip.pop(legacy, None)
    return settings


def _dns_text(setting: str, value: Any) -> str:
    if setting == "ipv4":
        return socket.inet_ntoa(struct.pack("=I", value))
    return str(ipaddress.IPv6Address(bytes(value)))
