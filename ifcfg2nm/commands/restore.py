"""``ifcfg2nm restore [--root DIR] [--force]``: re-apply VDSM's persisted networks at boot.

Run by ifcfg2nm-restore.service after NetworkManager on hosts ifcfg2nm
migrated (its seal exists); does nothing on others, and nothing a second time
in the same boot unless ``--force``.

An upgrade interrupted by a crash or a reboot (its journal is still there, no
guardian finished it) is first closed the way a rerun of the upgrade closes
it, once NetworkManager has finished starting: a run whose commit had begun is
committed and the host then restored as any migrated host; any other run is
undone completely (profiles it added deleted, VDSM's files back from the
checksummed backup, the devices rebuilt from the snapshot taken before it
changed anything), so the host boots into the configuration it ran before,
with nothing half-done, and the next ``ifcfg2nm upgrade`` starts afresh.
Going forward instead is not safe: the run never verified its profiles on
this host, while the old configuration worked until the upgrade began.

Exit codes: 0 nothing differed, every repair worked, or an interrupted
upgrade was closed (skipped networks are warnings, as with VDSM); 1 a repair
failed, an entity of the persisted config is broken (the others are still
restored), NetworkManager was unreachable, an interrupted upgrade could not
be closed (its journal stays), or an upgrade/rollback is running; 2 the
persisted config cannot be read at all.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, Optional, TextIO

from ifcfg2nm import exitcodes
from ifcfg2nm.commands.common import seconds, unreadable
from ifcfg2nm.findings import Severity, sorted_findings

if TYPE_CHECKING:
    from ifcfg2nm.upgrade.state import StatePaths

PROG = "ifcfg2nm restore"


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "restore", parents=[common], help="make the running networks match VDSM's persisted ones (boot)",
        description="Compare VDSM's persisted networks with NetworkManager's profiles and the kernel, and "
                    "re-apply only what differs. Once per boot unless --force.",
    )
    p.add_argument("--root", default="/", metavar="DIR", help="the host tree (default /)")
    p.add_argument("--force", action="store_true", help="run even if this boot was restored already")
    p.add_argument("--timeout", type=seconds, default=60.0, metavar="S",
                   help="seconds to wait for NetworkManager's start-up and for each activation (default 60)")
    p.set_defaults(handler=run, changes_host=True)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ifcfg2nm.upgrade.state import already_restored, marker_path

    root = args.root
    if not os.path.isdir(root):
        print(f"{PROG}: {root} is not a directory", file=sys.stderr)
        return exitcodes.USAGE
    if not args.force and already_restored(root):
        out.write(f"{PROG}: already done this boot ({marker_path(root)}); --force runs it again\n")
        return exitcodes.OK
    from ifcfg2nm.upgrade.lock import LockBusy, RunLock
    from ifcfg2nm.upgrade.state import StatePaths

    paths = StatePaths(root)
    if not os.path.exists(paths.journal) and not os.path.exists(paths.seal):
        out.write(f"{PROG}: this host was not migrated by ifcfg2nm ({paths.seal} missing): nothing to restore\n")
        return exitcodes.OK
    try:
        with RunLock(paths.lock):
            if os.path.exists(paths.journal):
                code = _recover(args, paths, out)
                if code is not None:
                    return code
            if not os.path.exists(paths.seal):
                out.write(f"{PROG}: the interrupted upgrade was undone: the host runs its VDSM configuration; "
                          "nothing to restore\n")
                return exitcodes.OK
            return _restore(args, out)
    except LockBusy as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return exitcodes.BLOCKED


def _recover(args: argparse.Namespace, paths: StatePaths, out: TextIO) -> Optional[int]:
    """Close the interrupted upgrade (see the module docstring); an exit code when that fails."""
    from ifcfg2nm.upgrade.journal import Journal
    from ifcfg2nm.upgrade.nm_dbus import NMClient, NMError
    from ifcfg2nm.upgrade.runner import Options, Report, recover_run
    from ifcfg2nm.upgrade.state import now

    try:
        journal = Journal.load(paths)
    except ValueError as e:
        print(f"{PROG}: an upgrade or rollback of this host did not finish and its journal cannot be read ({e}): "
              "check the host, then move it away", file=sys.stderr)
        return exitcodes.BLOCKED
    if journal is None:
        return None
    try:  # its boot-time activations first: the recovery changes the same devices
        with NMClient(timeout=10.0) as nm:
            nm.wait_startup_complete(timeout=args.timeout)
    except NMError as e:
        print(f"{PROG}: NetworkManager: {e}", file=sys.stderr)
    last = (journal.steps() or ["none"])[-1]
    out.write(f"{PROG}: the upgrade run {journal.run_id} did not finish (last step: {last}); closing it as a "
              "rerun would\n")
    journal.set(recovered_by={"who": "boot", "pid": os.getpid(), "at": now()})
    closed, outcome = recover_run(journal, Options(root=args.root), Report(out, sys.stderr), PROG)
    if not closed:
        print(f"{PROG}: run {journal.run_id} {outcome}", file=sys.stderr)
        return exitcodes.BLOCKED
    if os.path.exists(paths.seal):  # the rollback reported itself
        out.write(f"{PROG}: run {journal.run_id} {outcome}\n")
    return None


def _restore(args: argparse.Namespace, out: TextIO) -> int:
    from ifcfg2nm.upgrade import kernel
    from ifcfg2nm.upgrade.nm_dbus import NMClient, NMError
    from ifcfg2nm.upgrade.restore import make_target, restore

    root = args.root
    target = make_target(root, (link.name for link in kernel.read_links()))
    if target is None:
        out.write(f"{PROG}: no persisted networks under {root}: nothing to restore\n")
        _mark(root)
        return exitcodes.OK
    worth = [f for f in (*target.findings, *target.skipped) if f.severity is not Severity.INFO]
    for f in sorted_findings(worth):
        print(f"{PROG}: {f}", file=sys.stderr)
    if any(unreadable(f) for f in target.findings):
        print(f"{PROG}: the persisted config cannot be read: nothing changed", file=sys.stderr)
        return exitcodes.USAGE
    try:
        with NMClient(timeout=10.0) as nm:
            nm.wait_startup_complete(timeout=args.timeout)
            result = restore(nm, target, timeout=args.timeout)
    except NMError as e:
        print(f"{PROG}: NetworkManager: {e}", file=sys.stderr)
        return exitcodes.BLOCKED
    unchanged = [o for o in result.outcomes if o.action == "unchanged"]
    for o in result.outcomes:
        if o.action != "unchanged":
            out.write(f"{PROG}: {o.line()}\n")
    out.write(f"{PROG}: {len(unchanged)} of {len(result.outcomes)} profile(s) already matched\n")
    _mark(root)
    broken = any(f.severity is Severity.ERROR for f in target.findings)
    return exitcodes.BLOCKED if result.failed or broken else exitcodes.OK


def _mark(root: str) -> None:
    """This boot is restored; a marker that cannot be written (a read-only or odd ``run/``) is only
    reported: the restore is done, the next start in this boot compares again (cheap)."""
    from ifcfg2nm.upgrade.state import marker_path, write_marker

    try:
        write_marker(root)
    except OSError as e:
        print(f"{PROG}: cannot write {marker_path(root)}: {e.strerror or e}; the next start compares again",
              file=sys.stderr)
