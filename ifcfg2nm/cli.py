"""The ``ifcfg2nm`` command line (contract: ../shared/design.md and the README).

Every subcommand returns an exit code from :mod:`ifcfg2nm.exitcodes`. Unexpected
exceptions become one line on stderr and exit 70, unless ``--debug``.

The standard streams are made safe first: a closed descriptor 0, 1 or 2 is
opened on /dev/null (so no file the command opens takes its place, and no
child process writes into it), and text that the locale's encoding cannot
carry (non-UTF-8 file names, "…" under LANG=en_US.ISO-8859-1) is written as
its bytes or escaped instead of ending the command. For the commands that
change the host (upgrade, rollback, restore) the output can never change the
outcome: if stdout or stderr fails (a reader that went away, a full disk),
the rest of the report is dropped and the run goes on. For the others the
output is the product: a reader that closes the pipe early ends the command
quietly with 141 (as SIGPIPE would), and an output that cannot be written is
one line on stderr and exit 74.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import io
import os
import sys
from collections.abc import Sequence
from typing import Any, Callable, Optional, TextIO, Union

from ifcfg2nm import __version__, exitcodes
from ifcfg2nm.commands import audit, convert, parse, restore, upgrade

Handler = Callable[[argparse.Namespace, TextIO], int]

COMMANDS = (parse, convert, audit, restore, upgrade)
"""One module per subcommand, each with ``add_parser(subparsers, common)``."""


def main(argv: Optional[Sequence[str]] = None) -> int:
    safe_std_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Optional[Handler] = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return exitcodes.USAGE
    saved = sys.stdout, sys.stderr
    guarded = guard_output(tolerant=getattr(args, "changes_host", False) and not getattr(args, "dry_run", False))
    try:
        code = handler(args, sys.stdout)
        sys.stdout.flush()  # a reader that went away is seen here, not by the interpreter's exit
        return code
    except KeyboardInterrupt:
        print("ifcfg2nm: interrupted", file=sys.stderr)
        return 130
    except OSError as err:
        stdout = guarded.get("stdout")
        if stdout is None or stdout.error is not err:
            return _internal_error(args, err)
        if err.errno == errno.EPIPE:
            return exitcodes.BROKEN_PIPE
        print(f"ifcfg2nm: cannot write the output: {err.strerror or err}", file=sys.stderr)
        return exitcodes.OUTPUT_FAILED
    except Exception as err:
        return _internal_error(args, err)
    finally:
        unguard_output(guarded, saved)


def _internal_error(args: argparse.Namespace, err: Exception) -> int:
    """The CLI's last line of defence: one line, no traceback (unless ``--debug``)."""
    if getattr(args, "debug", False):
        raise err
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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    for module in COMMANDS:
        module.add_parser(sub, common)
    return parser


def _write_bytes_or_escape(err: UnicodeError) -> tuple[Union[str, bytes], int]:
    """Error handler: undecodable bytes of a file name go out as those bytes, anything else escaped."""
    if not isinstance(err, UnicodeEncodeError):
        raise err
    try:
        return codecs.lookup_error("surrogateescape")(err)
    except UnicodeError:
        return codecs.lookup_error("backslashreplace")(err)


codecs.register_error("ifcfg2nm", _write_bytes_or_escape)


def safe_std_streams() -> None:
    """Descriptors 0-2 open (on /dev/null if they were closed); stdout and stderr never fail to encode."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdin is None:
        sys.stdin = open(0, encoding="utf-8", errors="surrogateescape", closefd=False)  # noqa: SIM115 (for good)
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(fd, "w", encoding="utf-8", errors="ifcfg2nm", closefd=False))  # noqa: SIM115
        elif isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="ifcfg2nm")


class _GuardedRaw(io.RawIOBase):
    """stdout's or stderr's descriptor, remembering its first write error.

    ``tolerant``: the error is swallowed and everything after it dropped (a run that changes
    the host must not stop half-way over its report); otherwise it is raised, and
    :func:`main` knows it was the output that failed, not the command.
    """

    def __init__(self, fd: int, tolerant: bool) -> None:
        self.fd = fd
        self.tolerant = tolerant
        self.error: Optional[OSError] = None

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return os.isatty(self.fd)

    def write(self, data: Any) -> int:
        if self.error is not None and self.tolerant:
            return len(data)
        try:
            return os.write(self.fd, data)
        except OSError as err:
            self.error = err
            if not self.tolerant:
                raise
            return len(data)


def guard_output(tolerant: bool) -> dict[str, _GuardedRaw]:
    """Put stdout and stderr (those with a descriptor) on :class:`_GuardedRaw` descriptors."""
    guarded: dict[str, _GuardedRaw] = {}
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if not isinstance(stream, io.TextIOWrapper):
            continue  # a test's capture
        try:
            fd = stream.fileno()
        except (OSError, ValueError, io.UnsupportedOperation):
            continue
        with contextlib.suppress(OSError):
            stream.flush()
        raw = guarded[name] = _GuardedRaw(fd, tolerant)
        setattr(sys, name, io.TextIOWrapper(
            io.BufferedWriter(raw), encoding=stream.encoding, errors="ifcfg2nm",
            line_buffering=stream.line_buffering, write_through=stream.write_through or name == "stderr"))
    return guarded


def unguard_output(guarded: dict[str, _GuardedRaw], saved: tuple[TextIO, TextIO]) -> None:
    """What is left is written if it can be, and the streams :func:`guard_output` replaced come back."""
    for name, raw in guarded.items():
        raw.tolerant = True
        getattr(sys, name).flush()
    sys.stdout, sys.stderr = saved


if __name__ == "__main__":
    sys.exit(main())
