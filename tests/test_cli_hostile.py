"""Hostile and awkward inputs and environments, command by command: a clear message, a documented exit
code, nothing written, no traceback, no hang."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ifcfg2nm import cli
from ifcfg2nm.audit import fleet

from fixturehosts import FIXTURES, SCRIPTS

MGMT = FIXTURES / "mgmt-bridge-static"


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli.main(list(args))
        except SystemExit as exit_:
            rc = int(exit_.code or 0)
    return rc, out.getvalue(), err.getvalue()


def host_with_undecodable_name(tmp_path: Path, content: bytes) -> tuple[Path, bytes]:
    """A host whose only ifcfg file is named ``ifcfg-\\xff\\xfe`` (not UTF-8)."""
    root = tmp_path / "host"
    (root / SCRIPTS).mkdir(parents=True)
    name = os.fsencode(root / SCRIPTS) + b"/ifcfg-\xff\xfe"
    with open(name, "wb") as f:
        f.write(content)
    return root, b"/" + SCRIPTS.encode() + b"/ifcfg-\xff\xfe"


def test_undecodable_file_name_is_converted_under_a_readable_id(tmp_path: Path) -> None:
    root, host_path = host_with_undecodable_name(tmp_path, b"DEVICE=eth7\nBOOTPROTO=none\nIPV6INIT=no\n")
    rc, out, err = run("convert", "--root", str(root), "--to", "keyfile", "--output", str(tmp_path / "out"))
    assert rc == 0, err
    [name] = os.listdir(tmp_path / "out")
    text = (tmp_path / "out" / name).read_text(encoding="utf-8")  # a keyfile is UTF-8
    digest = hashlib.md5(host_path).hexdigest()  # NetworkManager's ifcfg-rh UUID: the path's own bytes
    assert "id=System \ufffd\ufffd\n" in text and f"uuid={digest[:8]}-" in text
    rc, out, _ = run("audit", "--root", str(root), "--format", "json")
    assert json.loads(out)["hosts"][0]["status"] == "warnings"  # UPGRADE_FOREIGN_FILE_KEPT, not "failed"


def test_undecodable_file_name_as_interface_name_blocks(tmp_path: Path) -> None:
    root, _ = host_with_undecodable_name(tmp_path, b"BOOTPROTO=none\nIPV6INIT=no\n")  # the device is the name
    rc, _, err = run("convert", "--root", str(root), "--to", "keyfile", "--output", str(tmp_path / "out"))
    assert rc == 1 and "IFCFG_BAD_IFNAME" in err and "not valid UTF-8" in err
    assert not (tmp_path / "out").exists()
    rc, out, _ = run("audit", "--root", str(root), "--format", "json")
    host = json.loads(out)["hosts"][0]
    assert rc == 1 and host["status"] == "blocked"
    assert [f["code"] for f in host["findings"] if f["severity"] == "error"] == ["IFCFG_BAD_IFNAME"]


def test_restore_and_rollback_of_a_missing_root_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    for root in (tmp_path / "missing", tmp_path / "afile"):
        for command in ("restore", "rollback"):
            rc, out, err = run(command, "--root", str(root))
            assert (rc, out) == (2, ""), (command, root)
            assert err == f"ifcfg2nm {command}: {root} is not a directory\n"
    assert not os.path.exists(tmp_path / "missing")


def test_restore_timeout_must_be_a_positive_number(tmp_path: Path) -> None:
    for value in ("-1", "0", "nan", "inf"):
        rc, _, err = run("restore", "--root", str(tmp_path), "--timeout", value)
        assert rc == 2 and "--timeout" in err, value


def test_more_jobs_than_hosts_start_no_more_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--jobs 100000` on one host forked 100,000 processes (and hung)."""
    sizes: list[int] = []
    real = fleet.ProcessPoolExecutor

    def recording(jobs: int, **kw: Any) -> Any:
        sizes.append(jobs)
        assert jobs <= 8, "never start that many processes, even when this test fails"
        return real(jobs, **kw)

    monkeypatch.setattr(fleet, "ProcessPoolExecutor", recording)
    rc, out, _ = run("audit", "--root", str(MGMT), "--root", str(MGMT), "--jobs", "100000")
    assert rc == 0 and "2 hosts: 2 clean" in out
    assert sizes == [1]


def _children(pid: int) -> list[str]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return f.read().split()


def test_ctrl_c_during_a_parallel_fleet_audit_is_one_line(tmp_path: Path) -> None:
    """Ctrl-C signals the whole process group: idle workers printed their own tracebacks."""
    for i in range(200):
        shutil.copytree(FIXTURES / "broken", tmp_path / "fleet" / f"h{i:03}", symlinks=True)
    proc = subprocess.Popen([sys.executable, "-m", "ifcfg2nm", "audit", "--fleet", str(tmp_path / "fleet"),
                             "--jobs", "2", "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_children(proc.pid)) >= 2 and proc.poll() is None
        time.sleep(3)  # stdout is not read: the parent blocks on the full pipe, the workers go idle
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert err == b"ifcfg2nm: interrupted\n"


def _state_trouble(state: Path, case: str) -> str:
    """Break ifcfg2nm's own state under a host tree; what the message must name."""
    if case == "state-dir-is-a-file":
        state.write_text("x\n")
        return str(state)
    state.mkdir(parents=True)
    if case == "journal-is-dev-zero":  # read to the end, it never ends
        (state / "journal.json").symlink_to("/dev/zero")
        return str(state / "journal.json")
    if case == "seal-is-a-fifo":  # opened for reading, it waits for a writer forever
        os.mkfifo(state / "seal")
        return str(state / "seal")
    if case == "seal-is-not-json":
        (state / "seal").write_text('{"run_id": \n')
        return f"{state / 'seal'}:2:1: not valid JSON"
    if case == "lock-is-a-directory":
        (state / "lock").mkdir()
        return f"cannot take the lock {state / 'lock'}: Is a directory"
    if case == "lock-is-a-fifo":
        os.mkfifo(state / "lock")
        return f"cannot take the lock {state / 'lock'}: not a regular file"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["state-dir-is-a-file", "journal-is-dev-zero", "seal-is-a-fifo",
                                  "seal-is-not-json", "lock-is-a-directory", "lock-is-a-fifo"])
@pytest.mark.parametrize("command", [("upgrade", "--backend", "offline"), ("rollback",)])
def test_broken_state_files_refuse_in_one_line(tmp_path: Path, case: str, command: tuple[str, ...]) -> None:
    """They hung (a FIFO, /dev/zero) or exited 70 with a Python exception's text."""
    root = tmp_path / "host"
    shutil.copytree(MGMT, root, symlinks=True)
    named = _state_trouble(root / "var/lib/ifcfg2nm", case)
    if command[0] == "rollback" and case == "state-dir-is-a-file":
        named = "no upgrade was run on this host"  # true: there is no state directory
    proc = subprocess.run([sys.executable, "-m", "ifcfg2nm", *command, "--root", str(root)],
                          capture_output=True, text=True, timeout=30)
    output = proc.stdout + proc.stderr
    assert named in output and "Traceback" not in output and "internal error" not in output
    assert proc.returncode == (0 if "no upgrade was run" in named else 1)
    assert (root / SCRIPTS / "ifcfg-eth0").read_bytes() == (MGMT / SCRIPTS / "ifcfg-eth0").read_bytes()
    assert not (root / "etc/NetworkManager").exists()


def test_convert_output_that_is_not_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("keep\n")
    os.mkfifo(tmp_path / "fifo")
    for output in (str(tmp_path / "afile"), str(tmp_path / "fifo"), ""):
        rc, out, err = run("convert", "--root", str(MGMT), "--to", "keyfile", "--output", output)
        assert (rc, out) == (2, "") and err == f"ifcfg2nm convert: --output {output!r}: not a directory\n"
    assert (tmp_path / "afile").read_text() == "keep\n" and sorted(os.listdir(tmp_path)) == ["afile", "fifo"]


def test_convert_output_writes_all_keyfiles_or_none(tmp_path: Path) -> None:
    """A directory in the way of the second keyfile: the first one was already written (exit 70)."""
    (tmp_path / "out" / "ovirtmgmt.nmconnection").mkdir(parents=True)
    rc, _, err = run("convert", "--root", str(MGMT), "--to", "keyfile", "--output", str(tmp_path / "out"))
    assert rc == 74 and err.endswith("; nothing written\n") and "ovirtmgmt.nmconnection" in err
    assert os.listdir(tmp_path / "out") == ["ovirtmgmt.nmconnection"]


def test_convert_output_on_a_full_disk_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fsync
    calls: list[int] = []

    def full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", full)
    rc, _, err = run("convert", "--root", str(MGMT), "--to", "keyfile", "--output", str(tmp_path / "a" / "b"))
    assert rc == 74 and "No space left on device; nothing written" in err
    assert os.listdir(tmp_path) == []  # the directories it made are gone too


def _disk_full_after(monkeypatch: pytest.MonkeyPatch, writes: int) -> None:
    """The journal's writes fail with ENOSPC from the ``writes``-th on."""
    from ifcfg2nm.upgrade import journal

    real = journal.write_json
    calls: list[str] = []

    def write_json(path: str, value: Any) -> None:
        calls.append(path)
        if len(calls) >= writes:
            raise OSError(28, "No space left on device")
        real(path, value)

    monkeypatch.setattr(journal, "write_json", write_json)


def test_upgrade_on_a_full_disk_refuses_before_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "host"
    shutil.copytree(MGMT, root, symlinks=True)
    _disk_full_after(monkeypatch, 2)  # the journal is created, its plan cannot be recorded
    rc, _, err = run("upgrade", "--root", str(root), "--backend", "offline")
    assert rc == 1 and "refused, nothing changed: cannot write the journal" in err
    assert sorted(os.listdir(root / "var/lib/ifcfg2nm")) == ["lock"]  # no journal left for a rerun to undo
    assert (root / SCRIPTS / "ifcfg-eth0").exists()


def test_upgrade_rolled_back_on_a_full_disk_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rollback worked but could not close its journal: that was exit 70, 'internal error'."""
    root = tmp_path / "host"
    shutil.copytree(MGMT, root, symlinks=True)
    _disk_full_after(monkeypatch, 4)  # the prepare step cannot be journaled, nor anything after it
    rc, _, err = run("upgrade", "--root", str(root), "--backend", "offline")
    assert rc == 1 and "internal error" not in err
    assert "rolled back in" in err and "its journal cannot be closed (No space left on device)" in err
    assert (root / SCRIPTS / "ifcfg-eth0").read_bytes() == (MGMT / SCRIPTS / "ifcfg-eth0").read_bytes()
    assert not (root / "etc/NetworkManager/system-connections").exists()
    monkeypatch.undo()
    assert run("rollback", "--root", str(root))[0] == 0  # space again: the run is closed
    assert not (root / "var/lib/ifcfg2nm/journal.json").exists()


def test_restore_marker_that_cannot_be_written_is_not_a_failure(tmp_path: Path) -> None:
    """`run/` of the root is not a directory: the boot unit said 'internal error' (70)."""
    (tmp_path / "var/lib/ifcfg2nm").mkdir(parents=True)
    (tmp_path / "var/lib/ifcfg2nm/seal").write_text('{"run_id": "r", "time": "t", "version": "v"}\n')
    (tmp_path / "run").write_text("")
    rc, out, err = run("restore", "--root", str(tmp_path))
    assert rc == 0 and "nothing to restore" in out
    assert err == f"ifcfg2nm restore: cannot write {tmp_path}/run/ifcfg2nm/restored: Not a directory; " \
                  "the next start compares again\n"


def test_workers_do_not_outlive_a_killed_fleet_audit(tmp_path: Path) -> None:
    """`kill -9` of the audit left its idle workers waiting for work forever (they hold their queue open)."""
    for i in range(200):
        shutil.copytree(FIXTURES / "broken", tmp_path / "fleet" / f"h{i:03}", symlinks=True)
    proc = subprocess.Popen([sys.executable, "-m", "ifcfg2nm", "audit", "--fleet", str(tmp_path / "fleet"),
                             "--jobs", "2", "--format", "json"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    workers: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _children(proc.pid)
        assert len(workers) == 2
        proc.kill()
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{w}") for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [w for w in workers if os.path.exists(f"/proc/{w}")] == []
    finally:
        for w in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(w), signal.SIGKILL)
        assert proc.stdout is not None
        proc.stdout.close()


def test_empty_probe_is_a_usage_error_not_no_probe() -> None:
    """`--probe "$GATEWAY"` with the variable unset ran the upgrade without its connectivity check."""
    rc, out, err = run("upgrade", "--root", str(MGMT), "--dry-run", "--probe", "")
    assert (rc, out) == (2, "") and err == "ifcfg2nm upgrade: bad probe address '': not an IP address\n"
