"""Running the real ``ifcfg2nm upgrade``/``rollback`` the way a %posttrans would, and checking results.

The command runs as a subprocess inside the sandbox's network namespace with
``DBUS_SYSTEM_BUS_ADDRESS`` pointing at the sandbox's NetworkManager
(``Sandbox.run``) and ``--root`` at a host tree built by ``vdsm_host``.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from nmsandbox import Sandbox
from vdsm_host import FileEntry, KernelSnapshot, file_snapshot, kernel_snapshot

STATE = "var/lib/ifcfg2nm"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def killed(self) -> bool:
        return self.code in (-9, 137)

    def __str__(self) -> str:
        return f"exit {self.code}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def ifcfg2nm(sandbox: Sandbox, *args: str, env: Optional[Mapping[str, str]] = None,
             timeout: float = 120.0) -> Result:
    """``python -m ifcfg2nm ARGS`` in the sandbox netns, with extra environment variables."""
    extra = [f"{k}={v}" for k, v in (env or {}).items()]
    proc = sandbox.run(["env", *extra, sys.executable, "-m", "ifcfg2nm", *args], check=False, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def upgrade(sandbox: Sandbox, root: Path, *args: str, env: Optional[Mapping[str, str]] = None) -> Result:
    return ifcfg2nm(sandbox, "upgrade", "--root", str(root), *args, env=env)


def open_journal(root: Path) -> dict[str, Any]:
    """The unfinished run's journal."""
    doc: dict[str, Any] = json.loads((root / STATE / "journal.json").read_text())
    return doc


def process_state(pid: int) -> str:
    """The state letter of /proc/PID/stat (``R``, ``S``, ``T``, ``Z`` ...), empty when there is no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return ""


def guardian_running(pid: int, run_id: str) -> bool:
    """Whether ``pid`` is (still) the guardian of run ``run_id``: same command line, not a zombie
    (a pid that was reused, or a guardian waiting to be reaped by init, is not)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if b"ifcfg2nm.upgrade.guardian" not in cmdline or run_id.encode() not in cmdline:
        return False
    return process_state(pid) not in ("", "Z", "X")


def kill_guardian(pid: int, run_id: str) -> None:
    """SIGKILL the guardian of ``run_id`` (checked by its command line first) and wait until it is gone."""
    assert guardian_running(pid, run_id), f"pid {pid} is not the guardian of run {run_id}"
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not guardian_running(pid, run_id), f"guardian {pid} to die", 5.0)


def killed_upgrade(sandbox: Sandbox, root: Path, step: str, *args: str) -> tuple[Result, str]:
    """``upgrade`` SIGKILLed after journaling ``step``, its guardian killed before it could act too
    (what a cgroup kill or a power cut does); returns the result and the run id."""
    result = upgrade(sandbox, root, *args, env={"IFCFG2NM_TEST_KILL_AT": step, "IFCFG2NM_TEST_GUARDIAN_DELAY": "30"})
    assert result.killed, result
    doc = open_journal(root)
    kill_guardian(int(doc["guardian"]), str(doc["run_id"]))
    return result, str(doc["run_id"])


def wait_until(check: Callable[[], bool], what: str, timeout: float) -> float:
    """Poll ``check`` every 20 ms; the seconds it took (fails after ``timeout``)."""
    t0 = time.monotonic()
    while not check():
        assert time.monotonic() - t0 < timeout, f"timed out after {timeout:g} s waiting for {what}"
        time.sleep(0.02)
    return time.monotonic() - t0


def run_closed(root: Path, run_id: str) -> bool:
    """Whether the run's journal was closed (moved into its run directory)."""
    journal_file = root / STATE / "journal.json"
    if journal_file.exists():
        try:
            if json.loads(journal_file.read_text()).get("run_id") == run_id:
                return False
        except ValueError:  # being rewritten right now
            return False
    return (root / STATE / "backup" / run_id / "journal.json").exists()


def host_files(root: Path) -> dict[str, FileEntry]:
    """Every file of the host tree except ifcfg2nm's own state."""
    return {k: v for k, v in file_snapshot(root).items() if not (k + "/").startswith(STATE + "/")}


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def runs(root: Path) -> list[Path]:
    base = root / STATE / "backup"
    return sorted(base.iterdir()) if base.exists() else []


def manifest(run: Path) -> dict[str, str]:
    """host path -> sha256 of a run's backup (checked against the copies)."""
    doc = json.loads((run / "manifest.json").read_text())
    out = {}
    for entry in doc["files"]:
        copy = run / "files" / entry["path"]
        assert sha(copy.read_bytes()) == entry["sha256"], f"backup copy of {entry['path']} is corrupt"
        out[entry["path"]] = entry["sha256"]
    return out


def journal(run: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((run / "journal.json").read_text())
    return doc


def kernel_equal(netns: str, before: KernelSnapshot) -> dict[str, Any]:
    """Differences between the kernel now and ``before`` (empty when equal)."""
    return before.diff(kernel_snapshot(netns))


def main_routes(snap: KernelSnapshot) -> set[tuple[Any, ...]]:
    return {r for r in snap.routes if r[1] == 254}


def vdsm_files(files: Mapping[str, FileEntry]) -> dict[str, bytes]:
    """The VDSM-owned network-scripts files of a snapshot, by path."""
    return {k: v[2] for k, v in files.items()
            if k.startswith("etc/sysconfig/network-scripts/") and v[0] == "file"
            and v[2].startswith(b"# Generated by VDSM")}


def foreign_files(files: Mapping[str, FileEntry], vdsm: Sequence[str]) -> dict[str, FileEntry]:
    return {k: v for k, v in files.items() if k.startswith("etc/") and v[0] == "file" and k not in vdsm}


PROBER = r"""
import ipaddress, os, sys, time
sys.path.insert(0, sys.argv[4])
from ifcfg2nm.upgrade.probe import _echo
address, stop, out = ipaddress.ip_address(sys.argv[1]), sys.argv[2], open(sys.argv[3], "w")
while not os.path.exists(stop):
    t = time.monotonic()
    try:
        _echo(address, 0.02)
        out.write(f"{t:.4f}\n")
        out.flush()
    except OSError:
        pass
    time.sleep(max(0.0, 0.01 - (time.monotonic() - t)))
"""


class Pinger:
    """ICMP echo every ~10 ms from another netns (the "switch"); the longest gap between answers
    is the downtime a peer of the host sees."""

    def __init__(self, netns: str, address: str, workdir: Path) -> None:
        self.stop_file = workdir / "pinger.stop"
        self.log = workdir / "pinger.log"
        root = str(Path(__file__).resolve().parents[2])
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", netns, sys.executable, "-c", PROBER, address, str(self.stop_file),
             str(self.log), root], stdin=subprocess.DEVNULL)

    def answers(self) -> list[float]:
        text = self.log.read_text() if self.log.exists() else ""
        return [float(x) for x in text.split()]

    def wait_for_answers(self, n: int = 5, timeout: float = 5.0) -> None:
        end = time.monotonic() + timeout
        while len(self.answers()) < n:
            if time.monotonic() > end:
                raise AssertionError("the host does not answer pings before the upgrade")
            time.sleep(0.02)

    def stop(self) -> list[float]:
        self.stop_file.touch()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # our own child, by its Popen handle
            self.proc.wait(timeout=5)
        return self.answers()


def longest_gap(times: Sequence[float], start: float, end: float) -> float:
    """Longest time without an answer within [start, end] (the upgrade's run)."""
    inside = [t for t in times if start <= t <= end]
    points = [start, *inside, end]
    return max(b - a for a, b in zip(points, points[1:]))
