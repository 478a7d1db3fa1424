"""The audit of one host: every finding, who owns each file, drift between VDSM's records, the plan.

``audit_host`` never raises and never writes: a host that cannot be read
becomes findings, and a host that makes the audit itself fail becomes a
report with status ``failed`` (the fleet goes on). The plan preview is
:func:`ifcfg2nm.upgrade.plan.make_plan`'s output for the very model the
upgrade builds (``build_host(tree)``), so the audit cannot promise something
the upgrade does not do.

Paths in a report are host-relative, like the plan's, so a report reads the
same wherever the tree was collected; ``root`` says where it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Optional

from ifcfg2nm.audit.drift import DriftReport, backup_findings, compare
from ifcfg2nm.audit.ownership import (
    FileEntry,
    displaced_headers,
    file_entries,
    headerless_source_routing,
    host_relative,
)
from ifcfg2nm.findings import Finding, Position, Severity, define, lookup, sorted_findings
from ifcfg2nm.hosttree import HOST_IGNORED_FILE, HostTree, load_host
from ifcfg2nm.model.build import build_host, canonical_persistent, ifcfg_model
from ifcfg2nm.model.host import HostConfig
from ifcfg2nm.model.vdsm import CanonicalConfig, canonicalize_config
from ifcfg2nm.upgrade.plan import Plan, PlannedDevice, PlannedProfile, make_plan

AUDIT_HOST_FAILED = define(
    "AUDIT_HOST_FAILED", Severity.ERROR,
    "the audit of this host failed with an internal error (a bug in ifcfg2nm)",
    "Nothing was concluded about this host; report the message, and audit it alone with --debug.",
)
AUDIT_PLAN_FAILED = define(
    "AUDIT_PLAN_FAILED", Severity.ERROR,
    "no upgrade plan can be made for this host (internal error while planning)",
    "The upgrade would fail the same way; report the message and audit the host alone with --debug.",
)

STATUSES = ("clean", "warnings", "blocked", "unreadable", "failed")
"""Worst last: ``blocked`` = an error finding; ``unreadable`` = input that could not be read at all."""


@dataclass(frozen=True)
class PlanPreview:
    """What :func:`make_plan` decided, without its findings (those are the report's)."""

    source: str
    backup: tuple[str, ...]
    remove: tuple[str, ...]
    write: tuple[PlannedProfile, ...]
    take_down: tuple[PlannedDevice, ...]
    keep: tuple[str, ...]
    blocked_by: tuple[str, ...]
    """Codes of the error findings that refuse the upgrade, sorted, once each."""

    @classmethod
    def of(cls, plan: Plan) -> PlanPreview:
        return cls(plan.source, plan.backup, plan.remove, plan.write, plan.take_down, plan.keep,
                   tuple(sorted({f.code for f in plan.blocked})))

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "blocked_by": list(self.blocked_by),
            "backup": list(self.backup),
            "remove": list(self.remove),
            "write": [p.to_json() for p in self.write],
            "take_down": [d.to_json() for d in self.take_down],
            "keep": list(self.keep),
        }


@dataclass(frozen=True)
class HostReport:
    name: str
    """The host as the user named it: the ``--root`` path, or the subdirectory name in a fleet."""
    root: str
    status: str
    """One of :data:`STATUSES`."""
    source: str
    """What the upgrade converts: ``persisted`` or ``ifcfg`` (``none`` when the audit failed)."""
    findings: tuple[Finding, ...] = ()
    """Sorted, host-relative paths."""
    files: tuple[FileEntry, ...] = ()
    drift: Optional[DriftReport] = None
    """Positions inside are host-relative too."""
    plan: Optional[PlanPreview] = None

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def exit_code(self) -> int:
        from ifcfg2nm import exitcodes

        return {"failed": exitcodes.INTERNAL, "unreadable": exitcodes.USAGE,
                "blocked": exitcodes.BLOCKED}.get(self.status, exitcodes.OK)


def audit_host(root: str, name: Optional[str] = None) -> HostReport:
    """Audit the host tree at ``root``; never raises (a failure is a ``failed`` report)."""
    name = name if name is not None else root
    try:
        return audit_tree(load_host(root), name)
    except Exception as err:  # isolation: one host's bug must not end a fleet
        return failed_report(name, root, f"{type(err).__name__}: {err}")


def failed_report(name: str, root: str, message: str) -> HostReport:
    finding = AUDIT_HOST_FAILED(Position("."), message)
    return HostReport(name, root, "failed", "none", (finding,))


def audit_tree(tree: HostTree, name: str) -> HostReport:
    """The audit of an already loaded tree."""
    persistent = canonical_persistent(tree) if tree.persistent is not None else None
    running = (canonicalize_config(tree.running, resolv=tree.resolv)
               if tree.running is not None and tree.running.exists else None)
    host = build_host(tree, canonical=persistent)
    ifcfg = _ifcfg_view(tree, host, persistent, running)
    plan, plan_findings = _plan(tree, host, running)
    has_vdsm_files = bool(ifcfg.networks or ifcfg.bonds) or any(d.ownership.vdsm_like for d in tree.ifcfg)
    drift = compare(
        persistent if tree.persistent is not None and tree.persistent.exists else None,
        running,
        ifcfg if has_vdsm_files else None,
        tree.ifcfg, tree.routes,
    )
    addresses = [(a.address, i.network or i.name) for i in ifcfg.interfaces for a in i.ipv4.addresses]
    addresses += [(n.ipaddr, n.name) for n in (persistent.networks if persistent else ()) if n.ipaddr]
    found: set[Finding] = {
        *tree.all_findings(), *ifcfg.findings, *host.findings, *plan_findings, *drift.findings,
        *backup_findings(tree.backups, tree.ifcfg), *displaced_headers(tree),
        *headerless_source_routing(tree, addresses),
    }
    ignored = [host_relative(tree.root, f.position.file) for f in found if f.code == HOST_IGNORED_FILE.code]
    files = file_entries(tree, plan.remove if plan else None, plan.backup if plan else (), ignored)
    findings = tuple(sorted_findings(_relative(f, tree.root) for f in found))
    return HostReport(
        name=name,
        root=tree.root,
        status=status_of(findings),
        source=host.origin,
        findings=findings,
        files=files,
        drift=_relative_drift(drift, tree.root),
        plan=plan,
    )


def _ifcfg_view(
    tree: HostTree, host: HostConfig, persistent: Optional[CanonicalConfig], running: Optional[CanonicalConfig]
) -> HostConfig:
    """The ifcfg files' model, bridgeless networks named from every record (running names unsaved ones)."""
    if host.origin == "ifcfg" and running is None:
        return host
    known = CanonicalConfig(networks=(*(running.networks if running else ()),
                                      *(persistent.networks if persistent else ())))
    return ifcfg_model(tree, known)


def _plan(
    tree: HostTree, host: HostConfig, running: Optional[CanonicalConfig]
) -> tuple[Optional[PlanPreview], tuple[Finding, ...]]:
    try:
        plan = make_plan(tree, host, root=tree.root, running=running)
    except Exception as err:  # the upgrade would fail the same way: say so, keep auditing
        return None, (AUDIT_PLAN_FAILED(Position(tree.root), f"{type(err).__name__}: {err}"),)
    return PlanPreview.of(plan), (*plan.blocked, *plan.findings)


def status_of(findings: Iterable[Finding]) -> str:
    worst = 0
    for f in findings:
        if f.code == AUDIT_HOST_FAILED.code:
            rank = 4
        elif _unreadable(f):
            rank = 3
        elif f.severity is Severity.ERROR:
            rank = 2
        elif f.severity is Severity.WARNING:
            rank = 1
        else:
            rank = 0
        worst = max(worst, rank)
    return STATUSES[worst]


def _unreadable(f: Finding) -> bool:
    try:
        return lookup(f.code).unreadable_input
    except KeyError:
        return False


def _relative(f: Finding, root: str) -> Finding:
    """The finding with a host-relative file, and the root taken out of its message.

    A finding about the host as a whole (no file: the emitter's host-wide DNS, say)
    is placed at the root, ``.``.
    """
    position = Position(host_relative(root, f.position.file) or ".", f.position.line, f.position.column)
    return Finding(f.code, f.severity, position, strip_root(f.message, root), f.hint)


def strip_root(text: str, root: str) -> str:
    """Paths under ``root`` in a message, made host-relative (not for ``/``: those read well as they are)."""
    prefix = root.rstrip(os.sep)
    if not prefix:
        return text
    return text.replace(prefix + os.sep, "")


def _relative_drift(drift: DriftReport, root: str) -> DriftReport:
    from ifcfg2nm.audit.drift import Entity, FieldDrift, Side

    def side(s: Side) -> Side:
        p = s.position
        return Side(s.source, s.value, Position(host_relative(root, p.file), p.line, p.column))

    entities = tuple(
        Entity(e.kind, e.name, tuple(side(s) for s in e.present), e.missing,
               tuple(FieldDrift(f.field, tuple(side(s) for s in f.sides)) for f in e.fields))
        for e in drift.entities
    )
    return DriftReport(drift.compared, entities, ())
