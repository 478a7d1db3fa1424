"""libvirt ``vdsm-<net>`` network XML: where pre-4.20 VDSM kept the names of its networks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Optional, Union

from ifcfg2nm.findings import Finding, Position, Severity, define

LIBVIRT_BAD_XML = define(
    "LIBVIRT_BAD_XML", Severity.WARNING, "a libvirt vdsm-* network file is not valid XML",
    "The network name it held cannot be recovered from it; check the persisted config instead.",
)


def parse_libvirt_network(
    data: bytes, path: str
) -> Union[tuple[str, Optional[str], Optional[str]], Finding]:
    """``(network, bridge, interface)`` of a ``vdsm-<net>`` network definition.

    A bridged network has ``<bridge name='net'/>``; a bridgeless one
    ``<forward mode='passthrough'><interface dev='eth1.20'/></forward>``.
    """
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return LIBVIRT_BAD_XML(Position(path), f"{path}: document type declarations are not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        line, column = err.position
        return LIBVIRT_BAD_XML(Position(path, line, column + 1), f"{path}: {err}")
    name = (root.findtext("name") or "").strip()
    if root.tag != "network" or not name.startswith("vdsm-"):
        return LIBVIRT_BAD_XML(Position(path), f"{path}: not a libvirt vdsm-* network")
    bridge_el = root.find("bridge")
    bridge = bridge_el.get("name") if bridge_el is not None else None
    iface_el = root.find("forward/interface")
    interface = iface_el.get("dev") if iface_el is not None else None
    return name[len("vdsm-"):], bridge, interface
