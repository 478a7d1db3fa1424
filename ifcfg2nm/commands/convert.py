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
import contextlib
import errno
import os
import sys
import tempfile
from collections.abc import Sequence
from typing import Any, TextIO

from ifcfg2nm import exitcodes
from ifcfg2nm.atomic import fsync_dir
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

    if args.output is not None and args.to != "keyfile":
        print("ifcfg2nm convert: --output goes with --to keyfile", file=sys.stderr)
        return exitcodes.USAGE
    if args.output is not None and (not args.output or (os.path.lexists(args.output)
                                                         and not os.path.isdir(args.output))):
        print(f"ifcfg2nm convert: --output {args.output!r}: not a directory", file=sys.stderr)
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
    if args.output is not None:
        if code != exitcodes.OK:
            print("ifcfg2nm convert: blocking findings; nothing written", file=sys.stderr)
            return code
        try:
            write_keyfiles(args.output, files)
        except OSError as err:
            where = f" ({err.filename})" if err.filename else ""
            print(f"ifcfg2nm convert: --output {args.output}: {err.strerror or err}{where}; nothing written",
                  file=sys.stderr)
            return exitcodes.OUTPUT_FAILED
        return code
    for name, text in files.items():
        out.write(f"### {name}\n{text}\n")
    return code


def write_keyfiles(directory: str, files: dict[str, str]) -> None:
    """All keyfiles or none, mode 0600 (NetworkManager ignores group/other-readable keyfiles).

    Each goes to a temporary file in ``directory`` first (written, fsynced); only when all are there
    are they renamed into place. On an error (a full disk, a read-only directory, a directory in the
    way) the temporary files and the directories made for them are removed, and the error raised.
    """
    made = _missing_dirs(directory)
    pending: list[tuple[str, str]] = []
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        for name, text in files.items():
            target = os.path.join(directory, name)
            if os.path.isdir(target):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), target)
            fd, tmp = tempfile.mkstemp(prefix=".ifcfg2nm-", dir=directory)
            pending.append((tmp, target))
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), 0o600)
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
    except BaseException:
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for made_dir in made:
            with contextlib.suppress(OSError):
                os.rmdir(made_dir)
        raise
    for tmp, target in pending:
        os.rename(tmp, target)
    fsync_dir(directory)


def _missing_dirs(directory: str) -> list[str]:
    """The directories of ``directory`` that do not exist yet, deepest first."""
    missing = []
    path = os.path.abspath(directory)
    while not os.path.lexists(path) and path != os.path.dirname(path):
        missing.append(path)
        path = os.path.dirname(path)
    return missing


def report(findings: Sequence[Finding], verbose: bool) -> None:
    """Warnings and errors on stderr (infos too with ``--verbose``; ``audit`` lists everything)."""
    for finding in sorted_findings(findings):
        if verbose or finding.severity is not Severity.INFO:
            sys.stderr.write(f"{finding}\n")
