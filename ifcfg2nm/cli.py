"""The ``ifcfg2nm`` command line (contract: ../shared/design.md and the README).

Every subcommand returns an exit code from :mod:`ifcfg2nm.exitcodes`. Unexpected
exceptions become one line on stderr and exit 70, unless ``--debug``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Sequence
from typing import Any, Callable, Optional, TextIO, Union

from ifcfg2nm import __version__, exitcodes
from ifcfg2nm.findings import Finding, Severity, lookup, sorted_findings
from ifcfg2nm.parser.documents import (
    Document,
    PersistedFile,
    RouteFile,
    RuleFile,
    ShellFile,
)

Handler = Callable[[argparse.Namespace, TextIO], int]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Optional[Handler] = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return exitcodes.USAGE
    try:
        return handler(args, sys.stdout)
    except KeyboardInterrupt:
        print("ifcfg2nm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return exitcodes.OK
    except Exception as err:  # the CLI's last line of defence: one line, no traceback
        if args.debug:
            raise
        print(
            f"ifcfg2nm: internal error: {type(err).__name__}: {err} (run with --debug for details)",
            file=sys.stderr,
        )
        return exitcodes.INTERNAL


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show Python tracebacks for internal errors")
    parser = argparse.ArgumentParser(
        prog="ifcfg2nm",
        description="Audit and migrate legacy ifcfg / VDSM host networking to NetworkManager.",
        parents=[common],
    )
    parser.set_defaults(debug=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("parse", parents=[common], help="show what single files say",
                       description="Show what each file says, exactly as bash would have seen it.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_parse)
    return parser


# ---- parse -----------------------------------------------------------------------------------


def cmd_parse(args: argparse.Namespace, out: TextIO) -> int:
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


def exit_code(findings: Sequence[Finding], *, unreadable_is_usage: bool = True) -> int:
    """0 clean, 1 blocking finding, 2 unreadable input (design.md exit codes)."""
    if unreadable_is_usage and any(_unreadable(f) for f in findings):
        return exitcodes.USAGE
    if any(f.severity is Severity.ERROR for f in findings):
        return exitcodes.BLOCKED
    return exitcodes.OK


def _unreadable(f: Finding) -> bool:
    try:
        return lookup(f.code).unreadable_input
    except KeyError:
        return False


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


if __name__ == "__main__":
    sys.exit(main())
