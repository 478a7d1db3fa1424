"""Reading one host tree: find every network configuration file under ``--root`` and parse it.

This is the only module that knows the host's file layout (design.md, "Host
paths"); parsers get bytes and names, never paths to open. Reading is
read-only and bounded (see hostfiles); what cannot be read becomes a finding.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Optional, Union

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.hostfiles import INPUT_UNREADABLE, read_file, resolve_in_tree, scan_sorted
from ifcfg2nm.parser.documents import (
    Document,
    FileKind,
    RouteFile,
    RuleFile,
    ShellFile,
)
from ifcfg2nm.parser.libvirt import parse_libvirt_network
from ifcfg2nm.parser.netconf import PersistedConfig, read_netconf
from ifcfg2nm.parser.ownership import BACKUP_MARKER
from ifcfg2nm.parser.persisted import parse_persisted_file
from ifcfg2nm.parser.resolv import ResolvConf, read_resolv_conf
from ifcfg2nm.parser.route import parse_route_file
from ifcfg2nm.parser.rule import parse_rule_file
from ifcfg2nm.parser.shell import parse_shell_file

NETWORK_SCRIPTS = "etc/sysconfig/network-scripts"
NETWORK_FILE = "etc/sysconfig/network"
NETCONFBACK = "var/lib/vdsm/netconfback"
LIBVIRT_NETWORKS = "etc/libvirt/qemu/networks"

IGNORED_SUFFIX = re.compile(
    r"(\.bak|~|\.orig|\.rej|\.rpmnew|\.rpmsave|\.augnew|\.augtmp|;[0-9a-fA-F]{8})$"
)
"""Names NetworkManager's ifcfg-rh plugin skips (plus ``.rpmsave``, which initscripts skipped too)."""

PREFIX_KINDS = (
    ("ifcfg-", FileKind.IFCFG),
    ("route6-", FileKind.ROUTE6),
    ("route-", FileKind.ROUTE),
    ("rule6-", FileKind.RULE6),
    ("rule-", FileKind.RULE),
)

HOST_IGNORED_FILE = define(
    "HOST_IGNORED_FILE", Severity.INFO, "a backup or editor file that no network tool reads",
    "Nothing to do; it is left alone. Delete it if it is stale.",
)
HOST_NO_NETWORK_SCRIPTS = define(
    "HOST_NO_NETWORK_SCRIPTS", Severity.INFO, "the host tree has no network-scripts directory",
    "Nothing to migrate from ifcfg files on this host.",
)
HOST_KEYS_FILE = define(
    "HOST_KEYS_FILE", Severity.WARNING, "a keys- file holds secrets for a profile",
    "Secrets (Wi-Fi/802.1X keys) are not converted; re-enter them in NetworkManager.",
)
HOST_NOT_A_DIRECTORY = define(
    "HOST_NOT_A_DIRECTORY", Severity.ERROR, "the host root is not a readable directory",
    "Pass the directory that contains etc/ and var/ of the host.",
    unreadable_input=True,
)


@dataclass(frozen=True)
class BackupFile:
    """A VDSM netconfback/ entry: the pre-change content of a network-scripts file."""

    path: str
    name: str
    """The network-scripts file name it restores."""
    deletes: bool
    """The backup says the original did not exist (restore = delete)."""
    document: Optional[Document] = None


@dataclass(frozen=True)
class LibvirtNetwork:
    """A libvirt ``vdsm-<net>`` network: the only place pre-4.20 VDSM kept bridgeless names."""

    path: str
    network: str
    bridge: Optional[str] = None
    interface: Optional[str] = None


@dataclass(frozen=True)
class HostTree:
    """Every network configuration document of one host, parsed, with discovery findings."""

    root: str
    ifcfg: tuple[ShellFile, ...] = ()
    routes: tuple[RouteFile, ...] = ()
    rules: tuple[RuleFile, ...] = ()
    network: Optional[ShellFile] = None
    persistent: Optional[PersistedConfig] = None
    running: Optional[PersistedConfig] = None
    backups: tuple[BackupFile, ...] = ()
    libvirt_networks: tuple[LibvirtNetwork, ...] = ()
    findings: tuple[Finding, ...] = ()
    resolv: Optional[ResolvConf] = None
    """The host's resolv.conf name servers (for VDSM networks whose config lacks them)."""

    @property
    def documents(self) -> tuple[Document, ...]:
        docs: list[Document] = [*self.ifcfg, *self.routes, *self.rules]
        if self.network is not None:
            docs.append(self.network)
        for config in (self.persistent, self.running):
            if config is not None:
                docs.extend([*config.nets, *config.bonds, *config.devices])
        return tuple(docs)

    def all_findings(self) -> tuple[Finding, ...]:
        """Discovery findings plus every document's own findings."""
        out = list(self.findings)
        for doc in self.documents:
            out.extend(doc.findings)
        for config in (self.persistent, self.running):
            if config is not None:
                out.extend(config.findings)
        return tuple(out)


def classify(name: str) -> Optional[FileKind]:
    """The kind of a network-scripts file by its name, or None for anything else."""
    for prefix, kind in PREFIX_KINDS:
        if name.startswith(prefix) and len(name) > len(prefix):
            return kind
    return None


def parse_bytes(data: bytes, path: str, kind: FileKind, host_path: str = "") -> Document:
    """Parse one non-persisted file of a known kind."""
    if kind in (FileKind.IFCFG, FileKind.NETWORK):
        return parse_shell_file(data, path, kind, host_path)
    if kind in (FileKind.ROUTE, FileKind.ROUTE6):
        return parse_route_file(data, path, kind, host_path)
    if kind in (FileKind.RULE, FileKind.RULE6):
        return parse_rule_file(data, path, kind, host_path)
    raise ValueError(f"not a text configuration kind: {kind}")


def persisted_entity(path: str) -> Optional[tuple[str, str]]:
    """``(entity, name)`` when ``path`` looks like ``…/netconf*/{nets,bonds,devices}/<name>``."""
    parent = os.path.basename(os.path.dirname(os.path.abspath(path)))
    entity = {"nets": "net", "bonds": "bond", "devices": "device"}.get(parent)
    if entity is None:
        return None
    return entity, os.path.basename(path)


def parse_file(path: str) -> Union[Document, Finding]:
    """Parse a single file named by the user (``ifcfg2nm parse``): kind from its name."""
    data = read_file(path)
    if isinstance(data, Finding):
        return data
    name = os.path.basename(path)
    base = IGNORED_SUFFIX.sub("", name)
    kind = classify(base)
    if kind is not None:
        return parse_bytes(data, path, kind)
    if base == "network":
        return parse_bytes(data, path, FileKind.NETWORK)
    entity = persisted_entity(path)
    if entity is not None or data.lstrip()[:1] == b"{":
        ent, ent_name = entity or ("net", name)
        return parse_persisted_file(data, path, ent, ent_name)
    return parse_bytes(data, path, FileKind.IFCFG)


def load_host(root: str) -> HostTree:
    """Read and parse every network configuration file of the host tree at ``root``."""
    if not os.path.isdir(root):
        return HostTree(root, findings=(HOST_NOT_A_DIRECTORY(Position(root), f"{root} is not a directory"),))
    findings: list[Finding] = []
    ifcfg: list[ShellFile] = []
    routes: list[RouteFile] = []
    rules: list[RuleFile] = []
    scripts_dir = os.path.join(root, NETWORK_SCRIPTS)
    listed = _list_real_dir(root, scripts_dir, findings)
    if listed is None:
        findings.append(HOST_NO_NETWORK_SCRIPTS(Position(scripts_dir), f"{scripts_dir} does not exist"))
    real_dir, entries = listed or ("", [])
    for name, link, _ in entries:
        path = os.path.join(scripts_dir, name)
        host_path = "/" + NETWORK_SCRIPTS + "/" + name
        kind = classify(name)
        if kind is None:
            if name.startswith("keys-"):
                findings.append(HOST_KEYS_FILE(Position(path), f"{path} holds secrets that are not converted"))
            continue
        if IGNORED_SUFFIX.search(name):
            findings.append(HOST_IGNORED_FILE(Position(path), f"{name} is ignored by initscripts and NetworkManager"))
            continue
        data = _read_entry(root, path, real_dir, name, link)
        if isinstance(data, Finding):
            findings.append(data)
            continue
        doc = parse_bytes(data, path, kind, host_path)
        if isinstance(doc, ShellFile):
            ifcfg.append(doc)
        elif isinstance(doc, RouteFile):
            routes.append(doc)
        elif isinstance(doc, RuleFile):
            rules.append(doc)
    network = _read_network_file(root, findings)
    return HostTree(
        root=root,
        ifcfg=tuple(ifcfg),
        routes=tuple(routes),
        rules=tuple(rules),
        network=network,
        persistent=read_netconf(root, "persistent"),
        running=read_netconf(root, "running"),
        backups=_read_backups(root, findings),
        libvirt_networks=_read_libvirt_networks(root, findings),
        findings=tuple(findings),
        resolv=read_resolv_conf(root),
    )



def _list_dir(root: str, path: str, findings: list[Finding]) -> Optional[list[str]]:
    listed = _list_real_dir(root, path, findings)
    return None if listed is None else [name for name, _, _ in listed[1]]


def _list_real_dir(
    root: str, path: str, findings: list[Finding]
) -> Optional[tuple[str, list[tuple[str, bool, bool]]]]:
    """The directory's real path (links followed inside the tree) and its entries (:func:`scan_sorted`)."""
    if not os.path.lexists(path):
        return None
    real = resolve_in_tree(root, path)
    if isinstance(real, Finding):
        findings.append(real)
        return "", []
    try:
        return real, scan_sorted(real)
    except OSError as err:
        findings.append(INPUT_UNREADABLE(Position(path), f"{path}: {err.strerror or err}"))
        return real, []


def _read_entry(root: str, path: str, real_dir: str, name: str, link: bool) -> Union[bytes, Finding]:
    """A directory entry's content; only an entry that is itself a link is resolved again."""
    if link:
        return read_file(path, root)
    return read_file(path, root, real=os.path.join(real_dir, name))


def _read_network_file(root: str, findings: list[Finding]) -> Optional[ShellFile]:
    path = os.path.join(root, NETWORK_FILE)
    if not os.path.lexists(path):
        return None
    data = read_file(path, root)
    if isinstance(data, Finding):
        findings.append(data)
        return None
    return parse_shell_file(data, path, FileKind.NETWORK, "/" + NETWORK_FILE)


def _read_backups(root: str, findings: list[Finding]) -> tuple[BackupFile, ...]:
    backdir = os.path.join(root, NETCONFBACK)
    out: list[BackupFile] = []
    for name in _list_dir(root, backdir, findings) or []:
        path = os.path.join(backdir, name)
        if not os.path.isfile(path):
            continue
        data = read_file(path, root)
        if isinstance(data, Finding):
            findings.append(data)
            continue
        if data.startswith(BACKUP_MARKER):
            out.append(BackupFile(path, name, deletes=True))
            continue
        kind = classify(name)
        doc = parse_bytes(data, path, kind, "/" + NETWORK_SCRIPTS + "/" + name) if kind else None
        out.append(BackupFile(path, name, deletes=False, document=doc))
    return tuple(out)


def _read_libvirt_networks(root: str, findings: list[Finding]) -> tuple[LibvirtNetwork, ...]:
    netdir = os.path.join(root, LIBVIRT_NETWORKS)
    out: list[LibvirtNetwork] = []
    for name in _list_dir(root, netdir, findings) or []:
        if not (name.startswith("vdsm-") and name.endswith(".xml")):
            continue
        path = os.path.join(netdir, name)
        data = read_file(path, root)
        if isinstance(data, Finding):
            findings.append(data)
            continue
        parsed = parse_libvirt_network(data, path)
        if isinstance(parsed, Finding):
            findings.append(parsed)
            continue
        network, bridge, interface = parsed
        out.append(LibvirtNetwork(path, network, bridge, interface))
    return tuple(out)
