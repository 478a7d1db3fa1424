"""The upgrade, step by step: lock, recover, plan, back up, checkpoint, hand over, flush,
take down, activate, verify, probe, commit -- or roll back.

Each step is journaled before it runs (:mod:`journal`). A run that finds an
unfinished journal first finishes it: a run whose commit had begun is
committed, anything else is undone (:mod:`rollback`); then it starts fresh.
Downtime is kept short by doing everything that does not touch the running
network first: profiles are handed to NetworkManager (not activated) and
files flushed before the old devices go, and activation follows at once.

A live run is watched by a :mod:`guardian` started before its journal: if the
process is killed, the guardian does what a rerun would do with the journal
(:func:`recover_run`) as soon as the run lock is free, so the host does not
wait for a rerun or a reboot to get its network back.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TextIO

from ifcfg2nm import exitcodes
from ifcfg2nm.commands.common import unreadable
from ifcfg2nm.emit.nmstate import nmstate_state
from ifcfg2nm.findings import Finding, Severity, sorted_findings
from ifcfg2nm.hosttree import HostTree, load_host
from ifcfg2nm.model.build import build_host
from ifcfg2nm.model.host import HostConfig
from ifcfg2nm.upgrade import apply, checkpoint, guardian, kernel
from ifcfg2nm.upgrade.backup import BackupError, backup_files
from ifcfg2nm.upgrade.deadline import ROLLBACK_BUDGET, Deadline, DeadlineExceeded
from ifcfg2nm.upgrade.flush import FlushError, flush_files
from ifcfg2nm.upgrade.journal import COMMITTED, ROLLED_BACK, Journal
from ifcfg2nm.upgrade.live import LivePlan, LiveState, read_live, refine, take_snapshot
from ifcfg2nm.upgrade.lock import LockBusy, RunLock
from ifcfg2nm.upgrade.nm_dbus import NMClient, NMError
from ifcfg2nm.upgrade.plan import KEYFILE_DIR, Plan, make_plan
from ifcfg2nm.upgrade.probe import ProbeError, probe
from ifcfg2nm.upgrade.rollback import SNAPSHOT, finish_commit, rollback_committed, undo, write_seal
from ifcfg2nm.upgrade.state import StateFileError, StatePaths, new_run_id, now, read_json, remove, write_json
from ifcfg2nm.upgrade.takedown import IpError, take_down
from ifcfg2nm.upgrade.verify import check, verify

BACKENDS = ("auto", "nm", "nmstate", "offline")
DEFAULT_TIMEOUT = 120.0
NM_CALL_TIMEOUT = 10.0
PROBE_TIMEOUT = 5.0
"""Seconds the probe target has to answer (never past the run's deadline)."""


class StepFailed(Exception):
    """A step found the host not as it must be (verification, probe)."""


FAILURES = (StepFailed, DeadlineExceeded, apply.ApplyError, FlushError, BackupError, IpError, NMError,
            kernel.KernelError, OSError, KeyboardInterrupt)
"""What rolls a run back and exits 1; anything else rolls back too, then surfaces as an internal error."""


@dataclass(frozen=True)
class Options:
    root: str = "/"
    dry_run: bool = False
    backend: str = "auto"
    timeout: float = DEFAULT_TIMEOUT
    probe: Optional[str] = None
    bus_address: Optional[str] = None
    assume_vdsm: bool = False
    """Flush header-less files that look VDSM-written (pre-2013) too."""


@dataclass
class Report:
    """What the user is told, line by line (stdout) and as problems (stderr)."""

    out: TextIO
    err: TextIO

    def say(self, text: str) -> None:
        self.out.write(text + "\n")

    def warn(self, text: str) -> None:
        self.err.write(text + "\n")


@dataclass
class Timings:
    started: float = field(default_factory=time.monotonic)
    marks: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str) -> None:
        self.marks[name] = time.monotonic()

    def between(self, a: str, b: str) -> Optional[float]:
        if a in self.marks and b in self.marks:
            return round(self.marks[b] - self.marks[a], 3)
        return None

    def total(self) -> float:
        return round(time.monotonic() - self.started, 3)


def connector(opts: Options, deadline: Optional[Deadline] = None) -> Callable[[], NMClient]:
    def connect() -> NMClient:
        timeout = deadline.bound(NM_CALL_TIMEOUT) if deadline else NM_CALL_TIMEOUT
        return NMClient(bus_address=opts.bus_address, timeout=timeout)

    return connect


# -- entry points -------------------------------------------------------------------


def upgrade(opts: Options, out: TextIO, err: TextIO) -> int:
    report = Report(out, err)
    if opts.backend not in BACKENDS:
        report.warn(f"ifcfg2nm upgrade: unknown backend {opts.backend!r}")
        return exitcodes.USAGE
    if opts.probe is not None:  # --probe "" (an empty variable) must not mean "no probe"
        try:
            from ifcfg2nm.upgrade.probe import parse
            parse(opts.probe)
        except ProbeError as e:
            report.warn(f"ifcfg2nm upgrade: {e}")
            return exitcodes.USAGE
    if opts.dry_run:
        return dry_run(opts, report)
    paths = StatePaths(opts.root)
    if not os.path.isdir(opts.root):
        report.warn(f"ifcfg2nm upgrade: {opts.root} is not a directory")
        return exitcodes.USAGE
    try:
        paths.ensure()
    except OSError as e:
        report.warn(f"ifcfg2nm upgrade: refused, nothing changed: cannot create {paths.dir}: {e.strerror or e}")
        return exitcodes.BLOCKED
    try:
        with RunLock(paths.lock):
            return _locked_upgrade(opts, paths, report)
    except LockBusy as e:
        report.warn(f"ifcfg2nm upgrade: {e}; nothing done")
        return exitcodes.BLOCKED


def rollback_command(opts: Options, out: TextIO, err: TextIO) -> int:
    """``ifcfg2nm rollback``: undo an unfinished run, or put back the sealed run's files."""
    report = Report(out, err)
    paths = StatePaths(opts.root)
    if not os.path.isdir(opts.root):
        report.warn(f"ifcfg2nm rollback: {opts.root} is not a directory")
        return exitcodes.USAGE
    if not os.path.isdir(paths.dir):
        report.say("ifcfg2nm rollback: no upgrade was run on this host; nothing to roll back")
        return exitcodes.OK
    try:
        with RunLock(paths.lock):
            journal = Journal.load(paths)
            if journal is not None and journal.state in (COMMITTED, ROLLED_BACK):
                journal.finish(journal.state)  # it crashed while closing the run: only the move is left
            elif journal is not None:
                journal.set(recovered_by={"who": "rollback", "pid": os.getpid(), "at": now()})
                return _undo_and_report(journal, opts, report, "ifcfg2nm rollback")
            result = rollback_committed(paths)
    except LockBusy as e:
        report.warn(f"ifcfg2nm rollback: {e}; nothing done")
        return exitcodes.BLOCKED
    except StateFileError as e:  # read before anything is put back
        report.warn(f"ifcfg2nm rollback: refused, nothing changed: {e}; move it away after checking the host")
        return exitcodes.BLOCKED
    if result is None:
        report.say("ifcfg2nm rollback: no committed upgrade on this host; nothing to roll back")
        return exitcodes.OK
    for problem in result.problems:
        report.warn(f"ifcfg2nm rollback: {problem}")
    report.say(f"ifcfg2nm rollback: run {result.run_id}: {len(result.restored)} file(s) back from the backup"
               + (f", {len(result.removed)} keyfile(s) removed" if result.removed else ""))
    for p in result.profiles:
        report.say(f"  NetworkManager still has profile {p['id']} ({p['uuid']}) for {p['interface']}: "
                   f"delete it with `nmcli connection delete {p['uuid']}` once the old configuration runs")
    return exitcodes.BLOCKED if result.problems else exitcodes.OK


# -- the run ------------------------------------------------------------------------


def _locked_upgrade(opts: Options, paths: StatePaths, report: Report) -> int:
    code = _recover(paths, opts, report)
    if code is not None:
        return code
    try:
        seal = read_json(paths.seal)
    except ValueError as e:
        report.warn(f"ifcfg2nm upgrade: refused, nothing changed: {e}; move it away after checking the host")
        return exitcodes.BLOCKED
    if isinstance(seal, dict):
        report.say(f"ifcfg2nm upgrade: nothing to do: this host was upgraded by run {seal.get('run_id')} "
                   f"at {seal.get('time')} (ifcfg2nm {seal.get('version')}); `ifcfg2nm rollback` undoes it")
        return exitcodes.OK
    tree, host, plan = _plan(opts.root, opts.assume_vdsm)
    code = _refuse(tree, plan, report)
    if code is not None:
        return code
    if plan.empty:
        report.say("ifcfg2nm upgrade: nothing to do: no VDSM files, devices or networks on this host")
        return exitcodes.OK
    backend, why = _choose_backend(opts)
    if backend is None:
        report.warn(f"ifcfg2nm upgrade: refused, nothing changed: {why}")
        return exitcodes.BLOCKED
    if backend == "offline":
        return _run_offline(opts, paths, plan, report)
    return _run_live(opts, paths, tree, host, plan, backend, report)


def _plan(root: str, assume_vdsm: bool = False) -> tuple[HostTree, HostConfig, Plan]:
    tree = load_host(root)
    host = build_host(tree)
    return tree, host, make_plan(tree, host, root=root, assume_vdsm=assume_vdsm)


def _refuse(tree: HostTree, plan: Plan, report: Report) -> Optional[int]:
    """Exit code when the upgrade must not start (unreadable input, blocking findings)."""
    if any(unreadable(f) for f in tree.all_findings()):
        for f in sorted_findings(f for f in tree.all_findings() if unreadable(f)):
            report.warn(str(f))
        report.warn("ifcfg2nm upgrade: unreadable input; nothing changed")
        return exitcodes.USAGE
    if plan.blocked:
        _findings(plan.blocked, report)
        report.warn(f"ifcfg2nm upgrade: refused, nothing changed: {len(plan.blocked)} blocking finding(s)")
        return exitcodes.BLOCKED
    return None


def _findings(findings: Sequence[Finding], report: Report) -> None:
    for f in sorted_findings(findings):
        if f.severity is not Severity.INFO:
            report.warn(str(f))


def _choose_backend(opts: Options) -> tuple[Optional[str], str]:
    if opts.backend == "offline":
        return "offline", ""
    if opts.backend == "nmstate":
        why = apply.nmstate_unavailable()
        return (None, f"--backend nmstate: libnmstate is not usable here ({why})") if why else ("nmstate", "")
    try:
        with connector(opts)() as nm:
            if nm.running():
                return "nm", ""
            why = "NetworkManager is not running"
    except NMError as e:
        why = f"NetworkManager is not reachable ({e})"
    if opts.backend == "nm":
        return None, f"--backend nm: {why}"
    return "offline", why


def _recover(paths: StatePaths, opts: Options, report: Report) -> Optional[int]:
    """Finish an unfinished run first; an exit code when that fails."""
    try:
        journal = Journal.load(paths)
    except ValueError as e:
        report.warn(f"ifcfg2nm upgrade: refused: {e}; move it away after checking the host")
        return exitcodes.BLOCKED
    if journal is None:
        return None
    if journal.state in (COMMITTED, ROLLED_BACK):  # crashed while closing the run
        journal.finish(journal.state)
        return None
    last = (journal.steps() or ["none"])[-1]
    report.say(f"ifcfg2nm upgrade: found the unfinished run {journal.run_id} (last step: {last})")
    journal.set(recovered_by={"who": "upgrade", "pid": os.getpid(), "at": now()})
    closed, _ = recover_run(journal, opts, report, "ifcfg2nm upgrade")
    if not closed:
        return exitcodes.BLOCKED
    if journal.state == COMMITTED and journal.began("commit"):
        report.say(f"ifcfg2nm upgrade: finished the commit of run {journal.run_id}")
    return None


def recover_run(journal: Journal, opts: Options, report: Report, who: str) -> tuple[bool, str]:
    """Close an unfinished run found after its process died, as a rerun, the guardian and the boot
    unit all do: a run whose commit had begun is committed (unless its profiles are gone), anything
    else is undone. Returns whether the run is closed now, and the outcome in a few words."""
    if journal.state in (COMMITTED, ROLLED_BACK):  # it died while closing the run: only the move is left
        journal.finish(journal.state)
        return True, f"closed (it had {journal.state})"
    if journal.began("commit"):
        why = finish_commit(journal, connector(opts), journal.paths)
        if why is None:
            return True, "committed (its commit had begun): the host runs the new profiles"
        report.say(f"{who}: run {journal.run_id} cannot be committed: {why}; rolling it back")
    if _undo_and_report(journal, opts, report, who) == exitcodes.OK:
        seconds = journal.doc.get("rollback_seconds")
        return True, f"rolled back in {seconds} s: the host runs its previous network configuration again"
    return False, (f"NOT fully rolled back; its journal stays in {journal.paths.journal}: see the problems "
                   "above, then run `ifcfg2nm rollback`")


def _closed(paths: StatePaths, run_id: str) -> bool:
    """Whether run ``run_id`` is over (its journal closed or replaced)."""
    try:
        journal = Journal.load(paths)
    except ValueError:
        return False
    return journal is None or journal.run_id != run_id


def _undo_and_report(journal: Journal, opts: Options, report: Report, who: str) -> int:
    deadline = Deadline(ROLLBACK_BUDGET)
    try:
        with deadline.alarm():
            result = undo(journal, connector(opts, deadline), deadline)
    except DeadlineExceeded:
        report.warn(f"{who}: the rollback of run {journal.run_id} did not finish within {ROLLBACK_BUDGET:g} s; "
                    f"its journal stays in {journal.paths.journal}: run `ifcfg2nm rollback` again")
        return exitcodes.BLOCKED
    for line in result.done:
        report.say(f"  {line}")
    if result.ok:
        try:
            journal.set(rollback_seconds=round(result.seconds, 3))
            journal.finish(ROLLED_BACK)
        except OSError as e:  # a full disk: the host is back, only the record of it is not
            report.warn(f"{who}: run {journal.run_id} rolled back in {result.seconds:.2f} s, but its journal "
                        f"cannot be closed ({e.strerror or e}); it stays in {journal.paths.journal}: free "
                        "space, then run `ifcfg2nm rollback` to close it")
            return exitcodes.BLOCKED
        report.say(f"{who}: run {journal.run_id} rolled back in {result.seconds:.2f} s")
        return exitcodes.OK
    for problem in result.problems:
        report.warn(f"{who}: {problem}")
    report.warn(f"{who}: run {journal.run_id} is NOT fully rolled back; its journal stays in "
                f"{journal.paths.journal} and its backups in {journal.run_dir}")
    return exitcodes.BLOCKED


def _plan_data(plan: Plan, live: Optional[LivePlan]) -> dict[str, Any]:
    rules = [r for p in plan.profiles for s in ("ipv4", "ipv6") for r in p.settings.get(s, {}).get("routing-rules", ())]
    return {"plan": plan.to_json(), "live": live.to_json() if live else None, "rules": rules}


def _run_offline(opts: Options, paths: StatePaths, plan: Plan, report: Report) -> int:
    """Keyfiles under --root and the flush; nothing live."""
    timings = Timings()
    journal = _start_journal(paths, new_run_id(), "offline", _plan_data(plan, None), report)
    if journal is None:
        return exitcodes.BLOCKED
    try:
        journal.record("backup")
        entries = backup_files(opts.root, plan.backup, journal.run_dir)
        journal.note(files=[e.path for e in entries])
        created = [f"{KEYFILE_DIR}/{n}" for n in plan.keyfiles
                   if not os.path.lexists(apply.keyfile_path(opts.root, n))]
        journal.record("prepare", created=created, created_dirs=_missing_dirs(opts.root, KEYFILE_DIR))
        apply.write_keyfiles(opts.root, plan.keyfiles)
        journal.record("flush", files=list(plan.remove))
        flush_files(opts.root, plan.remove, entries)
        journal.record("verify")
        problems = _check_offline(opts.root, plan)
        if problems:
            raise StepFailed("; ".join(problems))
        journal.record("commit")
        write_seal(paths, journal)
        journal.set(timings={"total_s": timings.total()})
        journal.finish(COMMITTED)
    except BaseException as e:
        return _failed(journal, opts, report, e)
    report.say(f"ifcfg2nm upgrade: committed run {journal.run_id} (backend offline: keyfiles only, nothing live)")
    _summary(plan, None, report)
    report.say(f"  wrote {len(plan.keyfiles)} keyfile(s) to {os.path.join(opts.root, KEYFILE_DIR)}")
    return exitcodes.OK


def _start_journal(paths: StatePaths, run_id: str, backend: str, plan: dict[str, Any], report: Report,
                   **fields: Any) -> Optional[Journal]:
    """The run's journal with its plan, or None (reported) when it cannot be written: nothing changed yet."""
    try:
        journal = Journal.start(paths, run_id, backend, **fields)
        journal.record("plan", **plan)
    except OSError as e:
        with contextlib.suppress(OSError):
            remove(paths.journal)
        report.warn(f"ifcfg2nm upgrade: refused, nothing changed: cannot write the journal {paths.journal}: "
                    f"{e.strerror or e}")
        return None
    return journal


def _missing_dirs(root: str, rel: str) -> list[str]:
    """The directories of ``rel`` (host-relative) that do not exist yet, deepest first."""
    parts = rel.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return [p for p in reversed(prefixes) if not os.path.lexists(os.path.join(root, p))]


def _check_offline(root: str, plan: Plan) -> list[str]:
    problems = []
    for name, text in plan.keyfiles.items():
        path = apply.keyfile_path(root, name)
        try:
            with open(path, "rb") as f:
                if f.read() != text.encode("utf-8"):
                    problems.append(f"{path} does not read back as written")
            if os.stat(path).st_mode & 0o077:
                problems.append(f"{path} is readable by others")
        except OSError as e:
            problems.append(f"{path}: {e.strerror or e}")
    problems += [f"{rel} is still there" for rel in plan.remove if os.path.lexists(os.path.join(root, rel))]
    return problems


def _run_live(opts: Options, paths: StatePaths, tree: HostTree, host: HostConfig, plan: Plan, backend: str,
              report: Report) -> int:
    deadline = Deadline(opts.timeout)
    timings = Timings()
    try:
        nm = connector(opts, deadline)()
    except NMError as e:
        report.warn(f"ifcfg2nm upgrade: refused, nothing changed: {e}")
        return exitcodes.BLOCKED
    try:
        try:
            live_state = read_live(nm, deadline.bound(5.0))
        except (NMError, kernel.KernelError) as e:
            report.warn(f"ifcfg2nm upgrade: refused, nothing changed: cannot read the live host: {e}")
            return exitcodes.BLOCKED
        live = refine(plan, tree, live_state)
        if live.blocked:
            _findings(live.blocked, report)
            report.warn("ifcfg2nm upgrade: refused, nothing changed: the live host blocks the upgrade")
            return exitcodes.BLOCKED
        _findings(live.findings, report)
        run_id = new_run_id()
        try:  # before anything changes: whatever kills this process, the run is finished or undone
            guard = guardian.start(paths, run_id, deadline.remaining() + ROLLBACK_BUDGET + guardian.SLACK)
        except guardian.GuardianError as e:
            report.warn(f"ifcfg2nm upgrade: refused, nothing changed: {e}")
            return exitcodes.BLOCKED
        try:
            started = _start_journal(paths, run_id, backend, _plan_data(plan, live), report, guardian=guard.pid)
            if started is None:
                return exitcodes.BLOCKED
            journal = started
            try:
                with deadline.alarm():
                    _live_steps(opts, journal, host, plan, live, live_state, nm, deadline, timings, backend)
            except BaseException as e:
                nm.close()  # the undo connects afresh: this client may be mid-call
                return _failed(journal, opts, report, e)
        finally:
            guard.release(finished=_closed(paths, run_id))
    finally:
        nm.close()
    report.say(f"ifcfg2nm upgrade: committed run {journal.run_id} (backend {backend})")
    _summary(plan, live, report)
    t = journal.doc.get("timings", {})
    report.say(f"  downtime {t.get('downtime_s')} s (old devices down -> profiles active), total {t.get('total_s')} s")
    return exitcodes.OK


def _live_steps(opts: Options, journal: Journal, host: HostConfig, plan: Plan, live: LivePlan,
                live_state: LiveState, nm: NMClient, deadline: Deadline, timings: Timings, backend: str) -> None:
    journal.record("backup")
    write_json(os.path.join(journal.run_dir, SNAPSHOT), take_snapshot(live, live_state, nm).to_json())
    entries = backup_files(opts.root, plan.backup, journal.run_dir)
    journal.note(files=[e.path for e in entries])

    journal.record("checkpoint")
    released = checkpoint.release(nm, live.release)
    stale = checkpoint.destroy_stale(nm)
    journal.note(released=released, stale=stale)
    if backend == "nm":
        journal.note(path=checkpoint.create(nm))

    journal.record("prepare", add=list(live.add), update=list(live.update))
    if backend == "nm":
        apply.hand_over(nm, live.profiles, live.update)

    journal.record("flush", files=list(plan.remove))
    flush_files(opts.root, plan.remove, entries)

    journal.record("takedown", devices=[d.name for d in live.take_down])
    timings.mark("down")
    take_down(live.take_down, live.old_rules, live.old_routes, deadline)

    journal.record("activate", order=list(live.activate))
    if backend == "nm":
        attempts = apply.activate(nm, live.profiles, live.activate, deadline)
        timings.mark("up")
        journal.note(attempts=attempts)
    else:
        state, _ = nmstate_state(host)
        state = live.pin_nmstate(state)
        journal.note(checkpoint=apply.nmstate_apply(state, checkpoint.nmstate_rollback_timeout(deadline)))
        timings.mark("up")

    journal.record("verify")

    def read() -> list[str]:
        state = kernel.read_state(timeout=deadline.bound(5.0))
        if backend != "nm":  # nmstate makes its own profiles (own UUIDs): the kernel is the judge
            return check(live.profiles, live.activate, state)
        return check(live.profiles, live.activate, state, nm.list_connections(), nm.active_uuids())

    problems = verify(read, deadline)
    if problems:
        raise StepFailed("verification failed: " + "; ".join(problems))
    timings.mark("verified")

    if opts.probe:
        journal.record("probe", target=opts.probe)
        why = probe(opts.probe, max(0.1, min(PROBE_TIMEOUT, deadline.remaining() - 0.5)))
        if why:
            raise StepFailed(f"connectivity probe failed: {why}")

    journal.record("commit")
    path = journal.data("checkpoint").get("path") or journal.data("activate").get("checkpoint")
    if path:
        checkpoint.destroy(nm, str(path))
    journal.note(destroyed=True)
    write_seal(journal.paths, journal)
    journal.set(timings={"downtime_s": timings.between("down", "up"), "verify_s": timings.between("up", "verified"),
                         "total_s": timings.total()})
    journal.finish(COMMITTED)


def _failed(journal: Journal, opts: Options, report: Report, error: BaseException) -> int:
    """Roll back after a failed step (or finish the commit if it had begun); exit 1, or raise a bug."""
    what = f"{type(error).__name__}: {error}" if not isinstance(error, FAILURES) else str(error) or type(error).__name__
    if isinstance(error, KeyboardInterrupt):
        what = "interrupted"
    report.warn(f"ifcfg2nm upgrade: run {journal.run_id} failed: {what}")
    if journal.began("commit") and finish_commit(journal, connector(opts), journal.paths) is None:
        report.say(f"ifcfg2nm upgrade: committed run {journal.run_id} (the failure came after the commit began)")
        return exitcodes.OK
    code = _undo_and_report(journal, opts, report, "ifcfg2nm upgrade")
    if not isinstance(error, FAILURES):
        raise error
    return exitcodes.BLOCKED if code == exitcodes.OK else code


def _summary(plan: Plan, live: Optional[LivePlan], report: Report) -> None:
    report.say(f"  target: {plan.source} config; backed up {len(plan.backup)} file(s)")
    for p in plan.write:
        report.say(f"  profile {p.id} ({p.uuid}) for {p.interface}")
    for d in (live.take_down if live else ()):
        report.say(f"  took down {d.kind} {d.name}")
    for line in _pin_lines(live):
        report.say(f"  kept {line}")
    for rel in plan.remove:
        report.say(f"  removed {rel}")
    for rel in plan.keep:
        report.say(f"  kept {rel}")


def _pin_lines(live: Optional[LivePlan]) -> list[str]:
    names = {p.uuid: p.interface for p in live.plan.write} if live else {}
    return [f"the MAC {mac} of bridge {names.get(uuid, uuid)} (802-3-ethernet.cloned-mac-address)"
            for uuid, mac in (live.mac_pins if live else ())]


# -- dry run --------------------------------------------------------------------------


def dry_run(opts: Options, report: Report) -> int:
    """The plan (and, when NetworkManager answers, the live refinement); writes nothing at all."""
    paths = StatePaths(opts.root)
    if not os.path.isdir(opts.root):
        report.warn(f"ifcfg2nm upgrade: {opts.root} is not a directory")
        return exitcodes.USAGE
    if os.path.exists(paths.journal):
        report.say("dry run: an unfinished run's journal exists; a real run would first finish or undo it")
    try:
        seal = read_json(paths.seal)
    except ValueError as e:
        report.warn(f"dry run: a real run would refuse: {e}")
        return exitcodes.BLOCKED
    if isinstance(seal, dict):
        report.say(f"dry run: nothing to do: upgraded by run {seal.get('run_id')} at {seal.get('time')}")
        return exitcodes.OK
    tree, _host, plan = _plan(opts.root, opts.assume_vdsm)
    code = _refuse(tree, plan, report)
    if code is not None:
        return code
    if plan.empty:
        report.say("dry run: nothing to do: no VDSM files, devices or networks on this host")
        return exitcodes.OK
    backend, why = _choose_backend(opts)
    report.say(f"dry run: backend {backend or 'none'}{f' ({why})' if why else ''}; target: {plan.source} config")
    _findings(plan.findings, report)
    live: Optional[LivePlan] = None
    if backend in ("nm", "nmstate"):
        with connector(opts)() as nm:
            live = refine(plan, tree, read_live(nm))
        _findings(live.findings, report)
    for rel in plan.backup:
        report.say(f"  would back up {rel}")
    for p in plan.write:
        report.say(f"  would write profile {p.id} ({p.uuid}) for {p.interface} [{p.keyfile}]")
    for d in (live.take_down if live else plan.take_down if backend != "offline" else ()):
        report.say(f"  would take down {d.kind} {d.name} ({d.why})")
    for rel in plan.remove:
        report.say(f"  would remove {rel}")
    for rel in plan.keep:
        report.say(f"  would keep {rel}")
    for line in _pin_lines(live):
        report.say(f"  would keep {line}")
    if live is not None:
        report.say(f"  would activate {len(live.activate)} profile(s), ports first")
    if backend is None:
        report.warn(f"dry run: a real run would refuse: {why}")
        return exitcodes.BLOCKED
    if live is not None and live.blocked:
        return exitcodes.BLOCKED
    return exitcodes.OK

