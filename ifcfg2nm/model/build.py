"""One host model from a host tree: choose the source, build, and keep every finding.

``persisted`` is VDSM's persistent (safe) config, lowered as VDSM's nmstate
era would apply it; ``ifcfg`` is the network scripts with initscripts'
semantics (VDSM's own files lowered the same way); ``auto`` prefers the
persisted config when the host has one, as VDSM's restore did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from ifcfg2nm.findings import Finding, Severity
from ifcfg2nm.model.from_ifcfg import build_from_ifcfg
from ifcfg2nm.model.host import HostConfig
from ifcfg2nm.model.lower import lower_vdsm
from ifcfg2nm.model.ownership import heuristic_vdsm_files
from ifcfg2nm.model.vdsm import CanonicalConfig, canonicalize_config
from ifcfg2nm.parser.documents import Document

if TYPE_CHECKING:
    from ifcfg2nm.hosttree import HostTree

SOURCES = ("auto", "ifcfg", "persisted")


def has_persisted(tree: HostTree) -> bool:
    config = tree.persistent
    return config is not None and bool(config.nets or config.bonds)


def canonical_persistent(tree: HostTree) -> Optional[CanonicalConfig]:
    return canonicalize_config(tree.persistent, resolv=tree.resolv) if tree.persistent is not None else None


def persisted_model(canonical: CanonicalConfig) -> HostConfig:
    return lower_vdsm(canonical.networks, canonical.bonds, canonical.findings)


def ifcfg_model(tree: HostTree, canonical: Optional[CanonicalConfig] = None) -> HostConfig:
    """The network scripts' model; bridgeless VDSM networks named from JSON or libvirt.

    Header-less files of VDSM's libvirt networks count as VDSM's (reported).
    """
    libvirt = [d for n in tree.libvirt_networks for d in (n.bridge, n.interface) if d]
    ifcfg, heuristic = heuristic_vdsm_files(tree.ifcfg, libvirt)
    model = build_from_ifcfg(
        ifcfg, tree.routes, tree.rules, tree.network,
        network_names=bridgeless_names(tree, canonical),
    )
    return replace(model, findings=heuristic + model.findings)


def bridgeless_names(tree: HostTree, canonical: Optional[CanonicalConfig]) -> dict[str, str]:
    """Top device → VDSM network name, for networks without a bridge to be named after."""
    names: dict[str, str] = {}
    for net in tree.libvirt_networks:
        if net.interface:
            names[net.interface] = net.network
    if canonical is not None:
        for vnet in canonical.networks:
            if not vnet.bridged and vnet.switch != "ovs":
                names[vnet.top_device] = vnet.name
    return names


def build_host(tree: HostTree, source: str = "auto", canonical: Optional[CanonicalConfig] = None) -> HostConfig:
    """The model of ``tree`` from the chosen source, with the tree's reading findings included.

    ``canonical`` is the tree's persistent config already canonicalized, when the caller has it.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    if canonical is None:
        canonical = canonical_persistent(tree)
    use_persisted = source == "persisted" or (source == "auto" and has_persisted(tree))
    model = persisted_model(canonical) if use_persisted and canonical else (
        HostConfig(origin="persisted") if use_persisted else ifcfg_model(tree, canonical))
    return replace(model, findings=tree.findings + _reading_findings(tree, use_persisted, source) + model.findings)


def _reading_findings(tree: HostTree, persisted: bool, source: str = "ifcfg") -> tuple[Finding, ...]:
    """What the parsers found in the files the chosen source reads.

    ``auto`` falls back to the network scripts when the persistent config has no
    entities; when that is because it could not be read at all (a dangling
    ``netconf`` link, a link leaving the root, a file where the directory should
    be), its errors come along: what VDSM meant to keep is unknown, and only the
    explicit ``--source ifcfg`` converts the files regardless.
    """
    if not persisted and source == "auto" and tree.persistent is not None:
        broken = tuple(f for f in tree.persistent.findings if f.severity is Severity.ERROR)
        return broken + _reading_findings(tree, False)
    if persisted:
        config = tree.persistent
        if config is None:
            return ()
        docs: Sequence[Document] = (*config.nets, *config.bonds, *config.devices)
        return config.findings + tuple(f for d in docs for f in d.findings)
    docs = (*tree.ifcfg, *tree.routes, *tree.rules, *((tree.network,) if tree.network else ()))
    return tuple(f for d in docs for f in d.findings)
