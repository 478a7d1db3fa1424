"""``ifcfg2nm parse FILE...``: what single files say, exactly as bash would have seen them."""

from __future__ import annotations

import argparse
import json
import shlex
from typing import Any, TextIO, Union

from ifcfg2nm.commands.common import exit_code
from ifcfg2nm.findings import Finding, sorted_findings
from ifcfg2nm.parser.documents import (
    Document,
    PersistedFile,
    RouteFile,
    RuleFile,
    ShellFile,
)


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("parse", parents=[common], help="show what single files say",
                       description="Show what each file says, exactly as bash would have seen it.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ifcfg2nm.hosttree import parse_file

    results: list[Union[Document, Finding]] = [parse_file(path) for path in args.files]
    if args.format == "json":
        json.dump([parse_result_json(r) for r in results], out, indent=2, sort_keys=False)
        out.write("\n")
    else:
        for r in results:
            write_parse_text(r, out)
    findings: list[Finding] = []
    for r in results:
        findings.extend([r] if isinstance(r, Finding) else r.findings)
    return exit_code(findings)


def parse_result_json(r: Union[Document, Finding]) -> dict[str, Any]:
    if isinstance(r, Finding):
        return {"file": r.position.file, "kind": None, "vdsm_owned": False, "values": {},
                "routes": [], "rules": [], "findings": [r.to_json()]}
    out: dict[str, Any] = {
        "file": r.path,
        "kind": r.kind.value,
        "vdsm_owned": r.ownership.vdsm_owned,
        "owner": r.ownership.owner.value,
        "vdsm_version": r.ownership.vdsm_version,
        "values": {},
        "routes": [],
        "rules": [],
    }
    if isinstance(r, ShellFile):
        out["values"] = r.values()
        inexact = sorted({a.key for a in r.assignments if not a.exact})
        if inexact:
            out["inexact"] = inexact
    elif isinstance(r, PersistedFile):
        out["values"] = r.value if r.value is not None else {}
        out["entity"] = r.entity
    elif isinstance(r, RouteFile):
        out["routes"] = [e.to_json() for e in r.routes]
        out["syntax"] = r.syntax
    elif isinstance(r, RuleFile):
        out["rules"] = [e.to_json() for e in r.rules]
    out["findings"] = [f.to_json() for f in sorted_findings(r.findings)]
    return out


def write_parse_text(r: Union[Document, Finding], out: TextIO) -> None:
    if isinstance(r, Finding):
        out.write(f"{r.position.file}: unreadable\n  {r}\n\n")
        return
    owner = r.ownership.owner.value
    if r.ownership.vdsm_version:
        owner += f" (VDSM {r.ownership.vdsm_version})"
    out.write(f"{r.path}: {r.kind.value}, {owner}\n")
    if isinstance(r, ShellFile):
        for a in r.assignments:
            flag = "" if a.exact else "   # not exact: see findings"
            out.write(f"  {a.position.line:>4}  {a.key}={shlex.quote(a.value)}{flag}\n")
    elif isinstance(r, PersistedFile):
        for line in json.dumps(r.value, indent=2, sort_keys=True).splitlines():
            out.write(f"  {line}\n")
    elif isinstance(r, (RouteFile, RuleFile)):
        entries = r.routes if isinstance(r, RouteFile) else r.rules
        for entry in entries:
            out.write(f"  {entry.position.line:>4}  {_route_text(entry.to_json())}\n")
    for f in sorted_findings(r.findings):
        out.write(f"  {f}\n")
    out.write("\n")


def _route_text(entry: dict[str, Any]) -> str:
    entry = dict(entry)
    entry.pop("line", None)
    return " ".join(f"{k}={v}" for k, v in entry.items())


