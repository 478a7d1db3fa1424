"""VDSM's header-less files (2011 to 2013): owned by heuristic, at lower confidence.

Before v4.12.1 VDSM wrote no header (spec/vdsm-formats.md §1.2); its files can
only be recognised by what they say: ``NM_CONTROLLED=no`` on every device of a
chain that ends in one of VDSM's libvirt ``vdsm-<net>`` networks. Such files
are converted as VDSM's, and reported; the upgrade flushes them only when told
to assume VDSM wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.parser.documents import Owner, Ownership, ShellFile

VDSM_OWNED_BY_HEURISTIC = define(
    "VDSM_OWNED_BY_HEURISTIC", Severity.WARNING,
    "a header-less file that looks VDSM-written (pre-2013): owned by heuristic, lower confidence",
    "It is converted as VDSM's; the upgrade removes it only with --assume-vdsm. Check it is VDSM's.",
)


def heuristic_vdsm_files(
    ifcfg: Sequence[ShellFile], libvirt_devices: Iterable[str]
) -> tuple[tuple[ShellFile, ...], tuple[Finding, ...]]:
    """The ifcfg documents, header-less VDSM ones re-marked ``VDSM_HEURISTIC``, with a finding each."""
    chain = _vdsm_chain([d for d in ifcfg], set(libvirt_devices))
    out: list[ShellFile] = []
    findings: list[Finding] = []
    for doc in ifcfg:
        values = doc.values()
        device = values.get("DEVICE", "")
        if (doc.ownership.owner is Owner.FOREIGN and device in chain
                and values.get("NM_CONTROLLED", "").lower() == "no" and not _has_comment_header(doc)):
            doc = replace(doc, ownership=Ownership(Owner.VDSM_HEURISTIC))
            findings.append(VDSM_OWNED_BY_HEURISTIC(
                Position(doc.path, 1),
                f"{device}: no VDSM header, but NM_CONTROLLED=no and part of VDSM's libvirt network chain",
            ))
        out.append(doc)
    return tuple(out), tuple(findings)


def _vdsm_chain(docs: Sequence[ShellFile], seeds: set[str]) -> set[str]:
    """Devices reachable from VDSM's libvirt networks through BRIDGE=, MASTER= and VLAN bases."""
    chain = set(seeds)
    relations: list[tuple[str, str]] = []
    for doc in docs:
        values = doc.values()
        device = values.get("DEVICE", "")
        for key in ("BRIDGE", "MASTER"):
            if values.get(key):
                relations.append((values[key], device))
        base, dot, vid = device.rpartition(".")
        if dot and vid.isdigit():
            relations.append((device, base))
        if values.get("PHYSDEV"):
            relations.append((device, values["PHYSDEV"]))
    changed = True
    while changed:
        changed = False
        for upper, lower in relations:
            if upper in chain and lower and lower not in chain:
                chain.add(lower)
                changed = True
    return chain


def _has_comment_header(doc: ShellFile) -> bool:
    """A file whose first line is a comment was edited or written by someone with a header of their own."""
    return doc.ownership.header is not None
