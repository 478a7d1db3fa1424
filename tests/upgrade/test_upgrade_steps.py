"""The upgrade's steps without a live NetworkManager: backup, flush, journal, lock, deadline, probe,
and the offline backend end to end (in-process and as a killed-and-rerun subprocess)."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from upgrade_helpers import changed, host_files, sha

from ifcfg2nm.emit.keyfile import keyfiles
from ifcfg2nm.hosttree import load_host
from ifcfg2nm.model.build import build_host
from ifcfg2nm.upgrade import probe as probe_mod
from ifcfg2nm.upgrade.backup import backup_files, check_backup, load_manifest, restore_files
from ifcfg2nm.upgrade.deadline import Deadline, DeadlineExceeded
from ifcfg2nm.upgrade.flush import FlushError, flush_files
from ifcfg2nm.upgrade.journal import STEPS_OFFLINE, Journal, last_finished
from ifcfg2nm.upgrade.lock import LockBusy, RunLock
from ifcfg2nm.upgrade.runner import Options, rollback_command, upgrade
from ifcfg2nm.upgrade.state import StatePaths

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hosts"
REPO = Path(__file__).resolve().parents[2]
SCRIPTS = "etc/sysconfig/network-scripts"
NO_BUS = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/ifcfg2nm-test-bus"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    dest = tmp_path / "host"
    shutil.copytree(FIXTURES / "mgmt-bridge-static", dest, symlinks=True)
    return dest


# -- backup and flush ---------------------------------------------------------------


def test_backup_restores_bytes_modes_and_links(tmp_path: Path, root: Path) -> None:
    (root / SCRIPTS / "ifcfg-eth0").chmod(0o640)
    os.symlink("ifcfg-eth0", root / SCRIPTS / "ifcfg-alias")
    rels = [f"{SCRIPTS}/ifcfg-eth0", f"{SCRIPTS}/ifcfg-alias", f"{SCRIPTS}/no-such-file"]
    before = host_files(root)
    run = tmp_path / "run"
    entries = backup_files(str(root), rels, str(run))
    assert [e.path for e in entries] == rels[:2]
    assert load_manifest(str(run)) == entries and check_backup(str(run), entries) == []
    flush_files(str(root), rels, entries)
    assert not (root / SCRIPTS / "ifcfg-eth0").exists() and not os.path.lexists(root / SCRIPTS / "ifcfg-alias")
    report = restore_files(str(root), str(run), entries)
    assert sorted(report.restored) == sorted(rels[:2]) and not report.problems
    assert changed(before, host_files(root)) == []
    assert restore_files(str(root), str(run), entries).unchanged == tuple(rels[:2])  # idempotent


def test_corrupt_backup_is_never_written_back(tmp_path: Path, root: Path) -> None:
    rel = f"{SCRIPTS}/ifcfg-ovirtmgmt"
    run = tmp_path / "run"
    entries = backup_files(str(root), [rel], str(run))
    (root / rel).write_text("changed by someone\n")
    (run / "files" / rel).write_text("bit rot\n")
    assert check_backup(str(run), entries)
    report = restore_files(str(root), str(run), entries)
    assert report.problems and "checksum mismatch" in report.problems[0]
    assert (root / rel).read_text() == "changed by someone\n"


def test_flush_refuses_a_file_changed_after_its_backup(tmp_path: Path, root: Path) -> None:
    rel = f"{SCRIPTS}/ifcfg-eth0"
    entries = backup_files(str(root), [rel], str(tmp_path / "run"))
    (root / rel).write_text((root / rel).read_text() + "MTU=9000\n")
    with pytest.raises(FlushError, match="changed after it was backed up"):
        flush_files(str(root), [rel], entries)
    assert (root / rel).exists()
    with pytest.raises(FlushError, match="no backup"):
        flush_files(str(root), [f"{SCRIPTS}/route-ovirtmgmt"], entries)


# -- journal, lock, deadline ----------------------------------------------------------


def test_journal_is_written_ahead_and_moves_into_the_run_dir(root: Path) -> None:
    paths = StatePaths(str(root))
    journal = Journal.start(paths, "run-1", "offline")
    journal.record("plan", files=["a"])
    journal.record("backup")
    journal.note(files=["x"])
    loaded = Journal.load(paths)
    assert loaded is not None and loaded.steps() == ["plan", "backup"] and loaded.data("backup") == {"files": ["x"]}
    assert (os.stat(paths.journal).st_mode & 0o777) == 0o600
    journal.finish("rolled-back")
    assert Journal.load(paths) is None
    assert (last_finished(paths) or {})["state"] == "rolled-back"
    Path(paths.journal).write_text('{"not": "a journal"}')
    with pytest.raises(ValueError, match="not an ifcfg2nm journal"):
        Journal.load(paths)


def test_lock_is_exclusive_and_released(root: Path) -> None:
    paths = StatePaths(str(root))
    paths.ensure()
    with RunLock(paths.lock), pytest.raises(LockBusy, match=f"pid {os.getpid()}"), RunLock(paths.lock):
        pass
    with RunLock(paths.lock):
        pass


def test_deadline_interrupts_a_blocked_step() -> None:
    deadline = Deadline(0.2)
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded), deadline.alarm():
        time.sleep(5)
    assert time.monotonic() - t0 < 1.0
    assert deadline.bound(10) == 0.05 and deadline.remaining() == 0.0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_probe_addresses() -> None:
    assert probe_mod.parse("192.0.2.1") == (probe_mod.ipaddress.ip_address("192.0.2.1"), None)
    assert probe_mod.parse("192.0.2.1:22")[1] == 22
    assert probe_mod.parse("[2001:db8::1]:443")[1] == 443
    assert probe_mod.parse("2001:db8::1")[1] is None
    for bad in ("gateway", "192.0.2.1:0", "[2001:db8::1", "192.0.2.1:x"):
        with pytest.raises(probe_mod.ProbeError):
            probe_mod.parse(bad)


@pytest.mark.skipif(os.geteuid() != 0, reason="raw ICMP sockets need root")
def test_probe_answers_and_times_out() -> None:
    assert probe_mod.probe("127.0.0.1", 2.0) is None
    t0 = time.monotonic()
    why = probe_mod.probe("127.0.0.1:1", 0.5)  # nothing listens on port 1
    assert why is not None and time.monotonic() - t0 < 2.0


# -- the offline backend end to end ------------------------------------------------------


def test_offline_upgrade_second_run_and_rollback(root: Path) -> None:
    before = host_files(root)
    expected, _ = keyfiles(build_host(load_host(str(root))))
    out, err = io.StringIO(), io.StringIO()
    assert upgrade(Options(root=str(root), backend="offline"), out, err) == 0, err.getvalue()
    kdir = root / "etc/NetworkManager/system-connections"
    assert {p.name: p.read_text() for p in kdir.iterdir()} == expected
    assert not (root / SCRIPTS / "ifcfg-ovirtmgmt").exists() and (root / SCRIPTS / "ifcfg-lo").exists()
    out = io.StringIO()
    assert upgrade(Options(root=str(root), backend="offline"), out, err) == 0
    assert "nothing to do" in out.getvalue()
    out = io.StringIO()
    assert rollback_command(Options(root=str(root)), out, err) == 0
    assert changed(before, host_files(root)) == []  # keyfiles and the directories made for them gone


def test_dry_run_writes_nothing_offline(root: Path) -> None:
    before = host_files(root)
    out, err = io.StringIO(), io.StringIO()
    assert upgrade(Options(root=str(root), backend="offline", dry_run=True), out, err) == 0
    assert "would remove etc/sysconfig/network-scripts/ifcfg-eth0" in out.getvalue()
    assert "would take down" not in out.getvalue()  # offline never takes devices down
    assert changed(before, host_files(root)) == [] and not (root / "var/lib/ifcfg2nm").exists()


def test_blocked_and_unreadable_hosts_are_refused(tmp_path: Path) -> None:
    ovs = tmp_path / "ovs"
    shutil.copytree(FIXTURES / "ovs-network", ovs, symlinks=True)
    before = host_files(ovs)
    out, err = io.StringIO(), io.StringIO()
    assert upgrade(Options(root=str(ovs), backend="offline"), out, err) == 1
    assert "UPGRADE_OVS_UNSUPPORTED" in err.getvalue() and "nothing changed" in err.getvalue()
    assert changed(before, host_files(ovs)) == []
    assert upgrade(Options(root=str(tmp_path / "missing"), backend="offline"), out, err) == 2


def _cli(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ifcfg2nm", *args, "--root", str(root)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, **env}, cwd=REPO, check=False)


@pytest.mark.parametrize("step", STEPS_OFFLINE)
def test_offline_killed_at_every_step_converges(root: Path, step: str) -> None:
    """SIGKILL right after each journal step; ``--backend auto`` without a bus is the offline backend."""
    before = host_files(root)
    vdsm = {k: sha(v[2]) for k, v in before.items() if v[2].startswith(b"# Generated by VDSM")}
    killed = _cli(root, "upgrade", env={**NO_BUS, "IFCFG2NM_TEST_KILL_AT": step})
    assert killed.returncode == -9, killed
    journal = json.loads((root / "var/lib/ifcfg2nm/journal.json").read_text())
    run = root / "var/lib/ifcfg2nm/backup" / journal["run_id"]
    manifest = {e["path"]: e["sha256"] for e in json.loads((run / "manifest.json").read_text())["files"]} \
        if (run / "manifest.json").exists() else {}
    now = host_files(root)
    for path, digest in vdsm.items():  # nothing lost at the crash point
        assert (path in now and sha(now[path][2]) == digest) or manifest.get(path) == digest, path
    if step == "verify":  # the undo path: back to the original files exactly
        rolled = _cli(root, "rollback", env=NO_BUS)
        assert rolled.returncode == 0, rolled
        assert changed(before, host_files(root)) == []
    rerun = _cli(root, "upgrade", env=NO_BUS)
    assert rerun.returncode == 0, rerun
    expected, _ = keyfiles(build_host(load_host(str(FIXTURES / "mgmt-bridge-static"))))
    kdir = root / "etc/NetworkManager/system-connections"
    assert {p.name: p.read_text() for p in kdir.iterdir()} == expected
    assert not any(p in host_files(root) for p in vdsm)
    assert (root / "var/lib/ifcfg2nm/seal").exists()


def test_cli_constants_match_the_runner() -> None:
    from ifcfg2nm.commands import upgrade as command
    from ifcfg2nm.upgrade import runner

    assert command.BACKENDS == runner.BACKENDS and command.DEFAULT_TIMEOUT == runner.DEFAULT_TIMEOUT


def test_assume_vdsm_flushes_headerless_vdsm_files_offline(tmp_path: Path) -> None:
    dest = tmp_path / "old"
    shutil.copytree(FIXTURES / "old-era-headers", dest, symlinks=True)
    headerless = dest / SCRIPTS / "ifcfg-vmnet"
    assert upgrade(Options(root=str(dest), backend="offline"), io.StringIO(), io.StringIO()) == 0
    assert headerless.exists()
    assert rollback_command(Options(root=str(dest)), io.StringIO(), io.StringIO()) == 0
    assert upgrade(Options(root=str(dest), backend="offline", assume_vdsm=True), io.StringIO(), io.StringIO()) == 0
    assert not headerless.exists()
