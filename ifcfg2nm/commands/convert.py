"""``ifcfg2nm convert``: a host's networks as nmstate state or NetworkManager keyfiles.

The state goes to stdout; keyfiles go to ``--output DIR`` (mode 0600, each
written atomically) or, without it, to stdout one after the other. Findings go
to stderr. With a blocking finding nothing is written to ``--output`` and the
exit code is 1: a conversion known to be wrong must not land on disk. The
heavy modules are imported when the command runs, so that every other command
starts fast (the boot-time restore has a time budget).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from ifcfg2nm import exitcodes
from ifcfg2nm.atomic import write_atomic
from ifcfg2nm.commands.common import exit_code, unreadable
from ifcfg2nm.findings import Finding, Severity, sorted_findings

SOURCES = ("auto", "ifcfg", "persisted")


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "convert", parents=[common], help="print nmstate state or write NetworkManager keyfiles",
        description="Convert a host's network configuration to nmstate state or NetworkManager keyfiles.",
    )
    p.add_argument("--root", default="/", metavar="DIR", help="the host tree (default /)")
    p.add_argument("--source", choices=SOURCES, default="auto",
                   help="VDSM's persisted config, the ifcfg files, or auto (persisted when present)")
    p.add_argument("--to", choices=("nmstate", "keyfile"), required=True)
    p.add_argument("--format", choices=("yaml", "json"), default="yaml", help="nmstate output format")
    p.add_argument("--output", metavar="DIR", help="write one .nmconnection per profile into DIR")
    p.add_argument("--verbose", "-v", action="store_true", help="also list info findings")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ifcfg2nm.emit.keyfile import keyfiles
    from ifcfg2nm.emit.nmstate import dump_state, nmstate_state
    from ifcfg2nm.hosttree import load_host
    from ifcfg2nm.model.build import build_host

    if args.output and args.to != "keyfile":
        print("ifcfg2nm convert: --output goes with --to keyfile", file=sys.stderr)
        return exitcodes.USAGE
    tree = load_host(args.root)
    host = build_host(tree, args.source)
    if args.to == "nmstate":
        state, emitted = nmstate_state(host)
        findings = (*host.findings, *emitted)
        report(findings, args.verbose)
        if any(unreadable(f) for f in tree.findings):
            return exitcodes.USAGE
        out.write(dump_state(state, args.format))
        return exit_code(findings, unreadable_is_usage=False)
    files, emitted = keyfiles(host)
    findings = (*host.findings, *emitted)
    report(findings, args.verbose)
    if any(unreadable(f) for f in tree.findings):
        return exitcodes.USAGE
    code = exit_code(findings, unreadable_is_usage=False)
    if args.output:
        if code != exitcodes.OK:
            print("ifcfg2nm convert: blocking findings; nothing written", file=sys.stderr)
            return code
        write_keyfiles(args.output, files)
        return code
    for name, text in files.items():
        out.write(f"### {name}\n{text}\n")
    return code


def write_keyfiles(directory: str, files: dict[str, str]) -> None:
    """Each keyfile atomically, mode 0600 (NetworkManager ignores group/other-readable keyfiles)."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    for name, text in files.items():
        write_atomic(os.path.join(directory, name), text.encode("utf-8"), 0o600)


def report(findings: Sequence[Finding], verbose: bool) -> None:
    """Warnings and errors on stderr (infos too with ``--verbose``; ``audit`` lists everything)."""
    for finding in sorted_findings(findings):
        if verbose or finding.severity is not Severity.INFO:
            sys.stderr.write(f"{finding}\n")
