"""The guardian's decisions, without a NetworkManager: it stays out of finished runs, out of runs
another process took over, out of other runs, stops waiting in time, and undoes its own run.

The guardian is the real one (``python -m ifcfg2nm.upgrade.guardian``, detached), started
by :func:`guardian.start` from this process, which plays the runner. The run it recovers
here is an offline one (killed after its files were flushed), so the recovery is the real
code without a daemon. Live recoveries are in test_upgrade_live.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from upgrade_helpers import changed, guardian_running, host_files, wait_until

from ifcfg2nm.upgrade import guardian
from ifcfg2nm.upgrade.journal import Journal
from ifcfg2nm.upgrade.state import StatePaths

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hosts"
REPO = Path(__file__).resolve().parents[2]
NO_BUS = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/ifcfg2nm-test-bus"}
STATE = "var/lib/ifcfg2nm"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    dest = tmp_path / "host"
    shutil.copytree(FIXTURES / "mgmt-bridge-static", dest, symlinks=True)
    StatePaths(str(dest)).ensure()
    return dest


def _cli(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ifcfg2nm", *args, "--root", str(root)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **env}, cwd=REPO, check=False)


def _log(root: Path) -> str:
    path = root / STATE / guardian.LOG
    return path.read_text() if path.exists() else ""


def _gone(guard: guardian.Guard, run_id: str, timeout: float = 15.0) -> None:
    wait_until(lambda: not guardian_running(guard.pid, run_id), f"guardian {guard.pid} to exit", timeout)


def test_done_makes_the_guardian_exit_at_once_and_do_nothing(root: Path) -> None:
    paths = StatePaths(str(root))
    Journal.start(paths, "run-a", "nm")  # an open journal it would act on, were it told nothing
    guard = guardian.start(paths, "run-a", budget=60)
    assert guardian_running(guard.pid, "run-a")
    t0 = time.monotonic()
    guard.release(finished=True)
    assert time.monotonic() - t0 < guardian.EXIT_WAIT
    _gone(guard, "run-a", 1.0)
    assert json.loads(Path(paths.journal).read_text())["state"] == "running" and _log(root) == ""


@pytest.mark.parametrize("journal", [None, "run-b"])
def test_a_closed_or_another_runs_journal_is_left_alone(root: Path, journal: str) -> None:
    paths = StatePaths(str(root))
    if journal:
        Journal.start(paths, journal, "nm")
    guard = guardian.start(paths, "run-a", budget=60)
    guard.release(finished=False)  # as if the runner died
    _gone(guard, "run-a")
    assert _log(root) == ""
    assert (json.loads(Path(paths.journal).read_text())["run_id"] == journal) if journal else \
        not Path(paths.journal).exists()


def test_a_lock_held_by_another_process_makes_it_stand_down(root: Path) -> None:
    """A new run (or rollback, or the boot unit) holds the lock: it recovers the journal itself."""
    paths = StatePaths(str(root))
    Journal.start(paths, "run-a", "nm")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from ifcfg2nm.upgrade.lock import RunLock\n"
         "with RunLock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)", paths.lock],
        stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        guard = guardian.start(paths, "run-a", budget=60)
        guard.release(finished=False)
        _gone(guard, "run-a", 5.0)  # well under LOCK_WAIT: it does not wait for a live holder
    finally:
        holder.kill()  # our own child, by its handle
        holder.wait()
    assert f"nothing done: pid {holder.pid} holds the run lock" in _log(root)
    assert json.loads(Path(paths.journal).read_text())["state"] == "running"


def test_it_stops_waiting_for_a_runner_that_outlives_its_budget(root: Path) -> None:
    paths = StatePaths(str(root))
    Journal.start(paths, "run-a", "nm")
    guard = guardian.start(paths, "run-a", budget=0.3)
    try:
        _gone(guard, "run-a", 5.0)
        assert "still runs after" in _log(root)
    finally:
        guard.release(finished=True)
    assert json.loads(Path(paths.journal).read_text())["state"] == "running"


def test_it_undoes_its_run_once_the_runner_is_gone(root: Path) -> None:
    """An offline run SIGKILLed after flushing VDSM's files (offline runs start no guardian: this test
    starts one for it): the guardian restores every file and closes the run, once."""
    before = host_files(root)
    killed = _cli(root, "upgrade", env={**NO_BUS, "IFCFG2NM_TEST_KILL_AT": "verify"})
    assert killed.returncode == -9, killed
    paths = StatePaths(str(root))
    doc = json.loads(Path(paths.journal).read_text())
    assert doc["backend"] == "offline" and "guardian" not in doc
    assert changed(before, host_files(root)), "the run had flushed files"
    guard = guardian.start(paths, doc["run_id"], budget=60)
    guard.release(finished=False)
    _gone(guard, doc["run_id"])
    assert changed(before, host_files(root)) == []
    finished = json.loads((root / STATE / "backup" / doc["run_id"] / "journal.json").read_text())
    assert finished["state"] == "rolled-back" and finished["recovered_by"]["who"] == "guardian"
    assert not Path(paths.journal).exists()
    assert _log(root).count("was interrupted") == 1 and "rolled back in" in _log(root)


def test_boot_restore_undoes_an_interrupted_run(root: Path) -> None:
    """No guardian ran (a reboot took it): ``ifcfg2nm restore`` closes the run as a rerun would, even
    when NetworkManager cannot be reached (this offline run never involved it)."""
    before = host_files(root)
    assert _cli(root, "upgrade", env={**NO_BUS, "IFCFG2NM_TEST_KILL_AT": "verify"}).returncode == -9
    result = _cli(root, "restore", env=NO_BUS)
    assert result.returncode == 0, result
    assert "did not finish (last step: verify)" in result.stdout
    assert "the interrupted upgrade was undone" in result.stdout
    assert changed(before, host_files(root)) == []
    assert not (root / STATE / "journal.json").exists()


@pytest.fixture(autouse=True)
def _no_leftover_guardians(tmp_path: Path) -> Iterator[None]:
    """Every guardian a test starts has exited when it ends (they are bounded; this only checks)."""
    yield
    leftovers = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"ifcfg2nm.upgrade.guardian" in cmdline and str(tmp_path).encode() in cmdline:
                leftovers.append(entry.name)
    assert not leftovers
