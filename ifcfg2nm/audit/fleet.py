"""Auditing many hosts: worker processes, a few hosts at a time, results streamed in a fixed order.

Each worker loads, audits and renders one host after the other and sends back
only the rendered text and a few counters, so no tree and no report outlives
its host and memory stays flat however large the fleet. Hosts go to the
workers in small batches (:data:`BATCH`): one message per host would cost the
parent about as much as a tenth of a host's audit. Results are written in the
order the hosts were given (sorted subdirectory names for ``--fleet``), so the
output does not depend on ``--jobs``.

Isolation: an exception while auditing a host is that host's ``failed``
entry (see :func:`ifcfg2nm.audit.report.audit_host`); a worker process that
dies outright (a crash in C code, the OOM killer) breaks the pool, and the
hosts that were in flight are re-run one per fresh process, so only the one
that kills its process is reported as failed.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Optional, TextIO

from ifcfg2nm import exitcodes
from ifcfg2nm.audit import render
from ifcfg2nm.audit.report import STATUSES, HostReport, audit_host, failed_report
from ifcfg2nm.findings import Severity

WINDOW_PER_JOB = 4
"""Batches in flight per worker: enough to keep workers busy, few enough to bound memory."""
BATCH = 8
"""Hosts per message to a worker."""


@dataclass(frozen=True)
class Task:
    name: str
    root: str
    format: str
    """``json``, ``text`` (a host in full) or ``row`` (one line in a fleet table)."""


@dataclass(frozen=True)
class HostResult:
    """What the parent needs of one audited host: its output and its counters."""

    name: str
    status: str
    codes: tuple[tuple[str, str, int], ...]
    """(code, worst severity, number of findings) of this host."""
    output: str


def run_task(task: Task) -> HostResult:
    """Audit and render one host; never raises."""
    try:
        report = audit_host(task.root, task.name)
        return HostResult(task.name, report.status, _codes(report), _render(report, task.format))
    except Exception as err:  # a rendering bug must not end the fleet either
        report = failed_report(task.name, task.root, f"{type(err).__name__}: {err}")
        return HostResult(task.name, report.status, _codes(report), _render(report, task.format))


def run_batch(tasks: tuple[Task, ...]) -> list[HostResult]:
    return [run_task(t) for t in tasks]


def _render(report: HostReport, fmt: str) -> str:
    if fmt == "json":
        return render.dumps(render.host_json(report))
    if fmt == "row":
        return render.fleet_row(report)
    return render.host_text(report)


def _codes(report: HostReport) -> tuple[tuple[str, str, int], ...]:
    """Per code: its worst severity on this host and how many findings it has."""
    worst: dict[str, Severity] = {}
    counts: dict[str, int] = {}
    for f in report.findings:
        if f.code not in worst or f.severity.rank > worst[f.code].rank:
            worst[f.code] = f.severity
        counts[f.code] = counts.get(f.code, 0) + 1
    return tuple((code, worst[code].value, counts[code]) for code in sorted(counts))


def results(tasks: Iterable[Task], jobs: int, hosts: Optional[int] = None) -> Iterator[HostResult]:
    """Every task's result, in task order; ``jobs`` worker processes (1: in this process).

    With the number of ``hosts`` known, no more workers start than there are batches to give them
    (``--jobs 100000`` on one host must not fork 100,000 processes).
    """
    if jobs <= 1:
        yield from (run_task(t) for t in tasks)
        return
    if hosts is not None:
        jobs = max(1, min(jobs, -(-hosts // BATCH)))
    yield from _parallel(iter(tasks), jobs)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a process gets when its parent dies (Linux)."""


def _worker_start(parent: int) -> None:
    """Ctrl-C reaches the whole process group: a worker just ends (the parent reports the interruption)
    instead of printing its own KeyboardInterrupt traceback. A worker whose parent dies (``kill``,
    ``kill -9``, a closed terminal) is killed by the kernel: it holds its task queue's pipe open itself,
    so it would otherwise wait for work forever."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: nothing to ask for
        return
    if os.getppid() != parent:  # it died before the request
        os._exit(1)


def _pool(jobs: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_worker_start, initargs=(os.getpid(),))


def _parallel(tasks: Iterator[Task], jobs: int) -> Iterator[HostResult]:
    pool = _pool(jobs)
    pending: deque[tuple[tuple[Task, ...], Future[list[HostResult]]]] = deque()
    try:
        while True:
            while len(pending) < jobs * WINDOW_PER_JOB:
                batch = tuple(itertools.islice(tasks, BATCH))
                if not batch:
                    break
                pending.append((batch, pool.submit(run_batch, batch)))
            if not pending:
                return
            batch, future = pending.popleft()
            try:
                yield from future.result()
            except BrokenProcessPool:
                lost = [*batch, *(t for b, _ in pending for t in b)]
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                for t in lost:
                    yield _isolated(t)
                pool = _pool(jobs)
            except Exception:  # e.g. a result that cannot be pickled: each host of the batch alone
                for t in batch:
                    yield _alone(pool, t)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _alone(pool: ProcessPoolExecutor, task: Task) -> HostResult:
    try:
        return pool.submit(run_task, task).result()
    except Exception as err:
        return _failed(task, f"{type(err).__name__}: {err}")


def _isolated(task: Task) -> HostResult:
    """Re-run one host in a process of its own: if that dies too, the host is the culprit."""
    with _pool(1) as pool:
        try:
            return pool.submit(run_task, task).result()
        except BrokenProcessPool:
            return _failed(task, "the worker process auditing this host died (crash or out of memory)")


def _failed(task: Task, message: str) -> HostResult:
    report = failed_report(task.name, task.root, message)
    return HostResult(task.name, report.status, _codes(report), _render(report, task.format))


@dataclass
class Rollup:
    """Fleet counters: hosts per status, and per code the hosts and findings it appears in."""

    statuses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    codes: dict[str, list[Any]] = field(default_factory=dict)
    """code → [severity, hosts, findings]."""

    def add(self, result: HostResult) -> None:
        self.statuses[result.status] += 1
        for code, severity, n in result.codes:
            entry = self.codes.setdefault(code, [severity, 0, 0])
            if Severity(severity).rank > Severity(entry[0]).rank:
                entry[0] = severity
            entry[1] += 1
            entry[2] += n

    @property
    def hosts(self) -> int:
        return sum(self.statuses.values())

    @property
    def exit_code(self) -> int:
        """70 a host failed (a bug: the audit is incomplete), 2 unreadable input, 1 blocked, 0 otherwise."""
        if self.statuses["failed"]:
            return exitcodes.INTERNAL
        if self.statuses["unreadable"]:
            return exitcodes.USAGE
        if self.statuses["blocked"]:
            return exitcodes.BLOCKED
        return exitcodes.OK

    def to_json(self) -> dict[str, Any]:
        ranked = sorted(self.codes.items(), key=lambda kv: (-kv[1][1], -kv[1][2], kv[0]))
        return {
            "hosts": self.hosts,
            "status": dict(self.statuses),
            "exit_code": self.exit_code,
            "codes": [{"code": code, "severity": sev, "hosts": hosts, "findings": n}
                      for code, (sev, hosts, n) in ranked],
        }


class Progress:
    """``audit: 1234/10000 hosts`` on a terminal's stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, stream: Optional[TextIO]) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.start = time.monotonic()
        self.drawn = 0.0
        self.visible = False

    def hide(self) -> None:
        """Clear the bar before output goes to the same terminal."""
        if self.stream is not None and self.visible:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.visible = False
            self.drawn = 0.0

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.stream is None or (now - self.drawn < 0.1 and self.done < self.total):
            return
        self.drawn = now
        width = 30
        filled = width * self.done // max(self.total, 1)
        elapsed = now - self.start
        self.stream.write(f"\raudit [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} hosts "
                          f"{elapsed:6.1f}s")
        self.stream.flush()
        self.visible = True

    def close(self) -> None:
        self.hide()


def fleet_hosts(directory: str) -> list[tuple[str, str]]:
    """``(name, root)`` of every subdirectory (or link to one) of a fleet directory, sorted by name."""
    out = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isdir(path) or os.path.islink(path):
            out.append((name, path))
    return out


def audit_many(
    hosts: Sequence[tuple[str, str]], *, fmt: str, jobs: int, out: TextIO, err: TextIO = sys.stderr,
    detailed: bool = False,
) -> int:
    """Audit ``hosts`` and write the output; the exit code of the whole run.

    ``detailed`` shows each host in full (a single ``--root``); otherwise a fleet
    table. A progress bar goes to ``err`` only for text output on a terminal.
    """
    task_format = "json" if fmt == "json" else ("text" if detailed else "row")
    show = fmt == "text" and len(hosts) > 1 and err.isatty()
    progress = Progress(len(hosts), err if show else None)
    rollup = Rollup()
    shared_terminal = show and out.isatty()
    if fmt == "json":
        out.write(render.document_start())
    elif not detailed:
        out.write(render.fleet_header())
    first = True
    try:
        for result in results((Task(name, root, task_format) for name, root in hosts), jobs, len(hosts)):
            rollup.add(result)
            if shared_terminal:
                progress.hide()
            if fmt == "json":
                out.write(("\n" if first else ",\n") + result.output)
            else:
                out.write(result.output)
            first = False
            progress.step()
    finally:
        progress.close()
    summary = rollup.to_json()
    if fmt == "json":
        out.write(render.document_end(summary, not first))
    elif not detailed:
        out.write(render.rollup_text(summary))
    out.flush()
    return rollup.exit_code
