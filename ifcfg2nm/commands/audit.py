"""``ifcfg2nm audit``: what a migration would find, change, lose or refuse, for one host or a fleet."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from ifcfg2nm import exitcodes


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "audit", parents=[common], help="report what a migration would find, change or refuse",
        description="Audit host trees read-only: findings, file ownership, drift between VDSM's records, "
                    "and the upgrade's plan. Writes nothing.")
    p.add_argument("--root", action="append", metavar="DIR",
                   help="a host tree (repeatable; default / when no --fleet is given)")
    p.add_argument("--fleet", metavar="DIR", help="a directory whose subdirectories are collected host trees")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--jobs", type=_jobs, default=1, metavar="N", help="worker processes (default 1)")
    p.set_defaults(handler=run)


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text!r}")
    return n


def run(args: argparse.Namespace, out: TextIO) -> int:
    sys.dont_write_bytecode = True  # the audit writes nothing, not even .pyc files
    from ifcfg2nm.audit.fleet import audit_many, fleet_hosts

    hosts = [(root, root) for root in args.root or ()]
    if args.fleet is not None:
        if not os.path.isdir(args.fleet):
            print(f"ifcfg2nm audit: --fleet {args.fleet}: not a directory", file=sys.stderr)
            return exitcodes.USAGE
        try:
            hosts += fleet_hosts(args.fleet)
        except OSError as err:
            print(f"ifcfg2nm audit: --fleet {args.fleet}: {err.strerror or err}", file=sys.stderr)
            return exitcodes.USAGE
    elif not hosts:
        hosts = [("/", "/")]
    detailed = len(hosts) == 1 and args.fleet is None
    return audit_many(hosts, fmt=args.format, jobs=args.jobs, out=out, err=sys.stderr, detailed=detailed)
