"""Audit output: text for people, JSON for programs (one stable document, the README describes it).

JSON is deterministic: the same host trees give the same bytes, whatever
``--jobs`` is, because nothing in it depends on time, order of completion or
where the tree lives (paths are host-relative; ``root`` is the path given).
A fleet document is streamed one host per line, so thousands of hosts never
sit in memory together::

    {"format": "ifcfg2nm-audit/1", "hosts": [
    {...host...},
    {...host...}
    ], "summary": {...}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ifcfg2nm.audit.drift import DriftReport, Entity
from ifcfg2nm.audit.report import STATUSES, HostReport
from ifcfg2nm.findings import Finding, Severity

FORMAT = "ifcfg2nm-audit/1"
SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
TOP_CODES = 10


def dumps(value: Any) -> str:
    """Compact, ASCII-only (lone surrogates from non-UTF-8 files cannot break the output)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


# --- JSON -----------------------------------------------------------------------------------


def host_json(report: HostReport) -> dict[str, Any]:
    return {
        "host": report.name,
        "root": report.root,
        "status": report.status,
        "exit_code": report.exit_code,
        "source": report.source,
        "counts": {s.value: report.count(s) for s in SEVERITIES},
        "files": [_file_json(e) for e in report.files],
        "vdsm": _drift_json(report.drift) if report.drift is not None else None,
        "plan": report.plan.to_json() if report.plan is not None else None,
        "findings": [f.to_json() for f in report.findings],
    }


def _file_json(entry: Any) -> dict[str, Any]:
    out = {"file": entry.path, "kind": entry.kind, "owner": entry.owner, "action": entry.action}
    if entry.vdsm_version:
        out["vdsm_version"] = entry.vdsm_version
    return out


def _drift_json(drift: DriftReport) -> dict[str, Any]:
    out: dict[str, Any] = {"compared": list(drift.compared), "networks": [], "bonds": []}
    for e in drift.entities:
        out["networks" if e.kind == "network" else "bonds"].append({
            "name": e.name,
            "in": {s.source: _where(s.position) for s in e.present},
            "missing": list(e.missing),
            "drift": [{"field": f.field,
                       "values": {s.source: {"value": s.value, **_where(s.position)} for s in f.sides}}
                      for f in e.fields],
        })
    return out


def _where(position: Any) -> dict[str, Any]:
    return {"file": position.file, "line": position.line}


def document_start() -> str:
    return '{"format":' + dumps(FORMAT) + ',"hosts":['


def document_end(summary: dict[str, Any], any_host: bool) -> str:
    return ("\n" if any_host else "") + '],"summary":' + dumps(summary) + "}\n"


# --- text ------------------------------------------------------------------------------------


def host_text(report: HostReport) -> str:
    """One host in full: summary table, files, drift, plan, findings by severity."""
    lines = [f"Host {report.name}: {report.status.upper()}" + _source_text(report)]
    lines += _summary_table(report)
    if report.files:
        lines += ["", "Files (owner, what the upgrade does)"]
        width = max(len(e.owner + (f" {e.vdsm_version}" if e.vdsm_version else "")) for e in report.files)
        for e in report.files:
            owner = e.owner + (f" {e.vdsm_version}" if e.vdsm_version else "")
            lines.append(f"  {e.action:<7} {owner:<{width}}  {e.path}")
    if report.drift is not None and report.drift.compared:
        lines += ["", "VDSM networks and bonds (" + " | ".join(report.drift.compared) + ")"]
        lines += [f"  {line}" for e in report.drift.entities for line in _entity_text(e)]
    if report.plan is not None:
        lines += ["", "Plan preview (what `ifcfg2nm upgrade` would do)", *_plan_text(report)]
    for severity in SEVERITIES:
        group = [f for f in report.findings if f.severity is severity]
        if group:
            title = {"error": "Errors (block the migration)", "warning": "Warnings", "info": "Info"}[severity.value]
            lines += ["", f"{title}: {len(group)}"]
            lines += [line for f in group for line in _finding_text(f, hint=severity is not Severity.INFO)]
    return "\n".join(lines) + "\n\n"


def _source_text(report: HostReport) -> str:
    return {"persisted": ", converts VDSM's persistent config", "ifcfg": ", converts the ifcfg files"}.get(
        report.source, "")


def _summary_table(report: HostReport) -> list[str]:
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in SEVERITIES)
    rows = [("findings", counts)]
    if report.files:
        by_action: dict[str, int] = {}
        for e in report.files:
            by_action[e.action] = by_action.get(e.action, 0) + 1
        rows.append(("files", ", ".join(f"{n} {a}" for a, n in sorted(by_action.items()))))
    if report.drift is not None:
        for kind in ("network", "bond"):
            entities = [e for e in report.drift.entities if e.kind == kind]
            if entities:
                drifting = sum(1 for e in entities if not e.in_sync)
                text = ", ".join(e.name + ("*" if not e.in_sync else "") for e in entities)
                rows.append((kind + "s", text + (f"   (* {drifting} out of sync)" if drifting else "")))
    if report.plan is not None:
        p = report.plan
        rows.append(("plan", f"back up {len(p.backup)}, remove {len(p.remove)}, write {len(p.write)} profiles, "
                             f"take down {len(p.take_down)} devices"
                     + (f"; refused ({', '.join(p.blocked_by)})" if p.blocked_by else "")))
    return [f"  {k:<9} {v}" for k, v in rows]


def _entity_text(e: Entity) -> list[str]:
    head = f"{e.kind} {e.name}: "
    if e.in_sync:
        return [head + "in sync (" + ", ".join(s.source for s in e.present) + ")"]
    out = [head + ("missing from " + ", ".join(e.missing) if e.missing else "differs")]
    for f in e.fields:
        out.append(f"    {f.field}:")
        for s in f.sides:
            out.append(f"      {s.source:<10} {_value_text(s.value):<24} {_pos(s.position)}")
    return out


def _value_text(value: Any) -> str:
    if value is None:
        return "(unset)"
    return value if isinstance(value, str) and value else json.dumps(value)


def _plan_text(report: HostReport) -> list[str]:
    p = report.plan
    assert p is not None
    out: list[str] = []
    if p.blocked_by:
        out.append("  REFUSED by " + ", ".join(p.blocked_by) + " (nothing would be touched)")
    removed = set(p.remove)
    out += [f"  {'back up, remove' if x in removed else 'back up, replace':<17} {x}" for x in p.backup]
    out += [f"  {'remove':<17} {x}" for x in p.remove if x not in set(p.backup)]
    out += [f"  {'write':<17} {w.keyfile}  ({w.type} {w.interface}"
            + (f", port of {w.controller})" if w.controller else ")") for w in p.write]
    out += [f"  {'take down':<17} {d.kind} {d.name}  ({d.why})" for d in p.take_down]
    out += [f"  {'keep':<17} {x}" for x in p.keep]
    return out or ["  nothing to do"]


def _finding_text(f: Finding, *, hint: bool) -> list[str]:
    out = [f"  {_pos(f.position)}: {f.message} [{f.code}]"]
    if hint and f.hint:
        out.append(f"      hint: {f.hint}")
    return out


def _pos(position: Any) -> str:
    return f"{position.file}:{position.line}" if position.line else str(position.file)


def fleet_row(report: HostReport) -> str:
    """One line per host, and its blocking findings under it."""
    counts = "".join(f"{report.count(s):>6}" for s in SEVERITIES)
    lines = [f"{report.name:<32} {report.status:<10}{counts}  {report.source}"]
    for f in report.findings:
        if f.severity is Severity.ERROR:
            lines.append(f"    {_pos(f.position)}: {f.message} [{f.code}]")
    return "\n".join(lines) + "\n"


def fleet_header() -> str:
    return f"{'HOST':<32} {'STATUS':<10}{'ERR':>6}{'WARN':>6}{'INFO':>6}  SOURCE\n"


def rollup_text(summary: dict[str, Any]) -> str:
    status = summary["status"]
    lines = ["", f"Fleet: {summary['hosts']} hosts: {status['clean']} clean, {status['warnings']} with warnings, "
                 f"{status['blocked']} blocked, {status['unreadable']} unreadable, {status['failed']} failed"]
    codes: Sequence[dict[str, Any]] = summary["codes"]
    if codes:
        lines.append(f"Top finding codes (of {len(codes)}), by hosts affected:")
        width = max(len(c["code"]) for c in codes[:TOP_CODES])
        for c in codes[:TOP_CODES]:
            lines.append(f"  {c['code']:<{width}}  {c['severity']:<7} {c['hosts']:>7} hosts "
                         f"{c['findings']:>8} findings")
    return "\n".join(lines) + "\n"


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for s in statuses:
        out[s] += 1
    return out

