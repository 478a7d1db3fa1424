"""The guardian: undoes (or finishes) a run whose process was killed, when nothing else would.

A runner SIGKILLed mid-run (``timeout -k`` in the RPM ``%posttrans``, the OOM killer)
leaves its journal; a rerun, ``ifcfg2nm rollback`` or the boot unit recovers it, but
until one of them runs the host may be without its management network: VDSM's devices
are gone and NetworkManager cannot rebuild them. So before anything live changes, the
runner starts this small process (:func:`start`):

* detached: ``python -m ifcfg2nm.upgrade.guardian`` in a new session and process group
  (``setsid``: the process-group kill of ``timeout`` does not reach it), forked once more
  (no session leader, reparented to init), ``/`` as working directory, stdin, stdout and
  stderr on /dev/null (it holds none of the scriptlet's pipes, so nothing waits for it),
  and only its two pipes to the runner;
* when the run is closed (committed or rolled back) the runner writes ``done`` and waits
  (bounded) for the guardian to exit: it does nothing;
* when the pipe closes without ``done`` (the runner died, or gave up with the run still
  open), the guardian waits for the run lock, and holding it acts only if the unfinished
  journal is still the one of its run: a run whose commit had begun is committed, anything
  else undone, by the code of a rerun and of ``ifcfg2nm rollback``
  (:func:`ifcfg2nm.upgrade.runner.recover_run`: checkpoint rolled back, added profiles
  deleted, files restored from the checksummed backup, kernel rebuilt from the snapshot).
  One line goes to syslog (``logger -t ifcfg2nm``) and to ``var/lib/ifcfg2nm/guardian.log``
  (with the details).

It never acts twice for a run (it is bound to one run id; the recovery closes the
journal), never while another process holds the lock (a new run, ``rollback`` or the boot
unit recovers the journal itself), and it always exits by itself: it waits at most the
runner's whole budget for the pipe, :data:`LOCK_WAIT` for the lock and the rollback budget
for the recovery. Dry runs and the offline backend change nothing live and start none.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Optional

from ifcfg2nm.upgrade import testhooks
from ifcfg2nm.upgrade.deadline import ROLLBACK_BUDGET
from ifcfg2nm.upgrade.lock import LockBusy, RunLock
from ifcfg2nm.upgrade.state import StatePaths, now

DONE = b"done\n"
LOCK_WAIT = 10.0
"""Seconds the guardian waits for the run lock once its runner is gone (a dying process
closes its pipe and its lock in no fixed order)."""
START_WAIT = 10.0
"""Seconds the runner waits for the guardian to report its pid."""
EXIT_WAIT = 2.0
"""Seconds the runner waits for the guardian to exit after ``done``."""
SLACK = 60.0
"""Added to the runner's budget (``--timeout`` + its own rollback) before the guardian stops waiting."""
WINDOW = ROLLBACK_BUDGET + SLACK + LOCK_WAIT + ROLLBACK_BUDGET
"""Seconds after the run's deadline by which the guardian has acted: the runner's own rollback,
slack, the wait for the lock, the guardian's rollback."""
LOG = "guardian.log"
INHERITED_HOOKS_DROPPED = (testhooks.KILL_AT, testhooks.STOP_AT, testhooks.FAIL)


class GuardianError(Exception):
    """The guardian could not be started."""


class Guard:
    """The runner's end of a started guardian."""

    def __init__(self, pid: int, cmd: int, life: int) -> None:
        self.pid = pid
        self._cmd: Optional[int] = cmd
        """Write end: ``done``, or closed without it (by the runner's death)."""
        self._life: Optional[int] = life
        """Read end: end of file once the guardian has exited."""

    def release(self, finished: bool) -> None:
        """``finished``: the run is closed, the guardian exits (waited for, bounded).
        Otherwise the pipe just closes and the guardian recovers the run once the lock is free."""
        if self._cmd is not None:
            try:
                if finished:
                    with contextlib.suppress(OSError):
                        os.write(self._cmd, DONE)
            finally:
                os.close(self._cmd)
                self._cmd = None
        if self._life is not None:
            if finished:
                _read_until(self._life, EXIT_WAIT)  # end of file: the guardian has exited
            os.close(self._life)
            self._life = None


def start(paths: StatePaths, run_id: str, budget: float) -> Guard:
    """Start the guardian of run ``run_id`` (see the module docstring); ``budget``: the seconds
    the runner may still take, after which the guardian stops waiting for it."""
    import ifcfg2nm

    cmd_r, cmd_w = os.pipe()
    life_r, life_w = os.pipe()
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(ifcfg2nm.__file__)))
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_HOOKS_DROPPED}
    flags = ["-s"] if sys.flags.no_user_site else []
    argv = [sys.executable, *flags, "-m", "ifcfg2nm.upgrade.guardian", "--root", os.path.abspath(paths.root),
            "--run-id", run_id, "--runner", str(os.getpid()), "--cmd-fd", str(cmd_r), "--life-fd", str(life_w),
            "--wait", f"{budget:.1f}"]
    try:
        try:
            # cwd: ``-m`` imports this very package (the guardian chdirs to / at once)
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, pass_fds=(cmd_r, life_w), start_new_session=True,
                                    cwd=package_parent, env=env)
        except OSError as e:
            raise GuardianError(f"cannot start the guardian process: {e}") from e
        try:
            out, _ = proc.communicate(timeout=START_WAIT)
        except subprocess.TimeoutExpired:
            proc.kill()  # our own child, by its handle
            proc.wait()
            raise GuardianError(f"the guardian process did not start within {START_WAIT:g} s") from None
    except BaseException:
        os.close(cmd_w)
        os.close(life_r)
        raise
    finally:
        os.close(cmd_r)
        os.close(life_w)
    text = out.decode(errors="replace").strip()
    if proc.returncode != 0 or not text.isdigit():
        os.close(cmd_w)
        os.close(life_r)
        raise GuardianError(f"the guardian process failed to start (exit {proc.returncode})")
    return Guard(int(text), cmd_w, life_r)


def _read_until(fd: int, timeout: float, mark: bytes = b"") -> str:
    """Read ``fd`` until ``mark`` arrives (``mark``), end of file (``eof``) or ``timeout``."""
    data = b""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return "timeout"
        if not select.select([fd], [], [], left)[0]:
            continue
        chunk = os.read(fd, 512)
        data += chunk
        if mark and mark in data:
            return "mark"
        if not chunk:
            return "eof"


# -- the guardian process ---------------------------------------------------------------


def wait_runner(fd: int, timeout: float) -> str:
    """``done`` (the run is closed), ``gone`` (the pipe closed without it) or ``timeout``."""
    return {"mark": "done", "eof": "gone"}.get(_read_until(fd, timeout, DONE), "timeout")


def take_lock(paths: StatePaths, runner: int, wait: float = LOCK_WAIT) -> tuple[Optional[RunLock], str]:
    """The run lock, or None and why not: another live process took it, or it stayed busy."""
    end = time.monotonic() + wait
    while True:
        lock = RunLock(paths.lock)
        try:
            lock.__enter__()
            return lock, ""
        except FileNotFoundError:
            return None, f"{paths.dir} is gone"
        except LockBusy as e:
            holder = int(e.holder) if e.holder.isdigit() else 0
            if holder and holder != runner and _alive(holder):
                return None, f"pid {holder} holds the run lock (a new run, a rollback or the boot unit: " \
                             "it recovers the run itself)"
        if time.monotonic() >= end:
            return None, f"the run lock stayed busy for {wait:g} s"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(paths: StatePaths, run_id: str, runner: int) -> tuple[Optional[str], str]:
    """Under the lock, recover run ``run_id`` if its journal is still open: (one line or None
    when there was nothing to do, the details)."""
    lock, why = take_lock(paths, runner)
    if lock is None:
        return f"ifcfg2nm guardian: run {run_id}: nothing done: {why}", ""
    from ifcfg2nm.upgrade.journal import Journal

    try:
        try:
            journal = Journal.load(paths)
        except ValueError as e:
            return f"ifcfg2nm guardian: run {run_id}: nothing done: {e}", ""
        if journal is None or journal.run_id != run_id:
            return None, ""  # closed by its runner just before it died, or by another run
        from ifcfg2nm.upgrade.runner import Options, Report, recover_run

        last = (journal.steps() or ["none"])[-1]
        journal.set(recovered_by={"who": "guardian", "pid": os.getpid(), "at": now()})
        details = io.StringIO()
        _, outcome = recover_run(journal, Options(root=paths.root), Report(details, details), "ifcfg2nm guardian")
        return (f"ifcfg2nm guardian: upgrade run {run_id} was interrupted (pid {runner} gone after step "
                f"{last!r}): {outcome}"), details.getvalue()
    finally:
        lock.__exit__(None, None, None)


def log(paths: StatePaths, line: str, details: str = "") -> None:
    """One line to syslog (tag ifcfg2nm) and, with the details, to the state directory's guardian.log."""
    with contextlib.suppress(OSError):
        if os.path.isdir(paths.dir):
            with open(os.path.join(paths.dir, LOG), "a", encoding="utf-8") as f:
                f.write(f"{now()} pid {os.getpid()} {line}\n" + "".join(f"    {x}\n" for x in details.splitlines()))
    logger = shutil.which("logger")
    if logger:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([logger, "-t", "ifcfg2nm", "--", line], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=5, check=False)


def guard(paths: StatePaths, run_id: str, runner: int, cmd_fd: int, wait: float) -> None:
    """The guardian's whole life once detached."""
    how = wait_runner(cmd_fd, wait)
    os.close(cmd_fd)
    if how == "done":
        return
    if how == "timeout":
        log(paths, f"ifcfg2nm guardian: run {run_id}: pid {runner} still runs after {wait:g} s; the guardian "
                   "leaves it to it")
        return
    testhooks.guardian_delay()
    line, details = recover(paths, run_id, runner)
    if line:
        log(paths, line, details)


def _detach(keep: Sequence[int]) -> None:
    """Second fork done: no terminal, no inherited std streams, nothing inherited by children."""
    os.chdir("/")
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    for fd in keep:
        os.set_inheritable(fd, False)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="ifcfg2nm-guardian", description="(started by ifcfg2nm upgrade)")
    parser.add_argument("--root", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--runner", type=int, required=True)
    parser.add_argument("--cmd-fd", type=int, required=True)
    parser.add_argument("--life-fd", type=int, required=True)
    parser.add_argument("--wait", type=float, required=True)
    args = parser.parse_args(argv)
    pid = os.fork()
    if pid:  # the first child (session leader) reports the guardian's pid and leaves
        os.write(1, f"{pid}\n".encode())
        os._exit(0)
    _detach((args.cmd_fd, args.life_fd))
    paths = StatePaths(args.root)
    try:
        guard(paths, args.run_id, args.runner, args.cmd_fd, args.wait)
    except BaseException as e:  # nowhere to print a traceback: say it once, in the log
        log(paths, f"ifcfg2nm guardian: run {args.run_id}: internal error: {type(e).__name__}: {e}")
    return 0  # the life pipe closes with the process


if __name__ == "__main__":
    sys.exit(main())
