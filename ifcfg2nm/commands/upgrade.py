"""``ifcfg2nm upgrade`` and ``ifcfg2nm rollback``: move a VDSM host to NetworkManager, safely, or undo it.

Both run as a ``%posttrans`` would: no prompts, bounded time, a report on
stdout and problems on stderr. Exit codes: 0 committed or nothing to do,
1 refused (blocking findings, another run, backend unavailable) or failed
and rolled back, 2 usage error or unreadable input, 70 internal error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from ifcfg2nm.commands.common import seconds

BACKENDS = ("auto", "nm", "nmstate", "offline")
DEFAULT_TIMEOUT = 120.0
"""Kept here (and checked equal to the runner's by the tests) so that ``--help`` and every other
command start without importing the upgrade (D-Bus, the planner)."""


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "upgrade", parents=[common], help="take down VDSM's networking and hand it to NetworkManager",
        description="Back up and flush VDSM's network files, take down the devices it made and restore its "
                    "networks through NetworkManager, verified, with rollback on any failure.",
    )
    p.add_argument("--root", default="/", metavar="DIR", help="the host tree (default /)")
    p.add_argument("--dry-run", action="store_true", help="print the plan; write and change nothing")
    p.add_argument("--backend", choices=BACKENDS, default="auto",
                   help="nm: NetworkManager over D-Bus; nmstate: libnmstate; offline: keyfiles under --root only; "
                        "auto: nm when NetworkManager runs, else offline (default)")
    p.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="S",
                   help=f"bound for the whole run, seconds (default {DEFAULT_TIMEOUT:g}); then it rolls back")
    p.add_argument("--probe", metavar="ADDRESS",
                   help="after verification, require an answer from ADDRESS (IP: ICMP echo; HOST:PORT: TCP)")
    p.add_argument("--assume-vdsm", action="store_true",
                   help="also flush header-less files that look VDSM-written (pre-2013 VDSM wrote no header; "
                        "audit lists them as UPGRADE_HEADERLESS_VDSM_FILE)")
    p.set_defaults(handler=run_upgrade, changes_host=True)

    r = sub.add_parser(
        "rollback", parents=[common], help="put back the last upgrade's files",
        description="Undo an unfinished upgrade completely, or put back the files of the last committed one "
                    "from its backup (NetworkManager profiles are left in place and listed).",
    )
    r.add_argument("--root", default="/", metavar="DIR", help="the host tree (default /)")
    r.set_defaults(handler=run_rollback, changes_host=True)


def run_upgrade(args: argparse.Namespace, out: TextIO) -> int:
    from ifcfg2nm.upgrade.runner import Options, upgrade

    opts = Options(root=args.root, dry_run=args.dry_run, backend=args.backend, timeout=args.timeout,
                   probe=args.probe, assume_vdsm=args.assume_vdsm)
    return upgrade(opts, out, sys.stderr)


def run_rollback(args: argparse.Namespace, out: TextIO) -> int:
    from ifcfg2nm.upgrade.runner import Options, rollback_command

    return rollback_command(Options(root=args.root), out, sys.stderr)
