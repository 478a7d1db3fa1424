"""scripts/nm-sandbox itself: parallel sandboxes, idempotence, crash recovery, pid safety.

The integration tests trust the sandbox to keep the host untouched and to
kill only what it started; these tests hold it to that.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import pytest

from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.nm_dbus import NMClient

from nmsandbox import SANDBOX, parse_env, sandbox_skip_reason

pytestmark = pytest.mark.nm

BASE = Path("/tmp/nm-sandbox")


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_skip_reason()
    if reason:
        pytest.skip(reason)


def sbx(name: str, *args: str, env: Optional[dict[str, str]] = None, check: bool = True) -> str:
    proc = subprocess.run(
        [str(SANDBOX), "-n", name, *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        check=False,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"nm-sandbox {' '.join(args)}: {proc.returncode}\n{proc.stderr}")
    return proc.stdout


def pid_record(name: str, what: str) -> tuple[int, int]:
    pid, start = (BASE / name / f"{what}.pid").read_text().split()
    return int(pid), int(start)


def alive(pid: int) -> bool:
    """Running and not a zombie (PID 1 here may reap late)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def host_fingerprint() -> tuple[str, str, list[str], str]:
    resolv = hashlib.sha256(Path("/etc/resolv.conf").read_bytes()).hexdigest()
    links = sorted(x.name for x in kernel.read_links())
    routes = subprocess.run(["ip", "route"], capture_output=True, text=True, check=True).stdout
    return socket.gethostname(), resolv, links, routes


@pytest.fixture
def names() -> Iterator[list[str]]:
    """Sandbox names of this test, stopped afterwards whatever happened."""
    used: list[str] = []
    yield used
    for name in used:
        sbx(name, "stop", check=False)


def test_parallel_sandboxes_are_independent_and_leave_the_host_alone(names: list[str]) -> None:
    before = host_fingerprint()
    a, b = f"sa{os.getpid()}", f"sb{os.getpid()}"
    names += [a, b]
    procs = [subprocess.Popen([str(SANDBOX), "-n", n, "start"], stdout=subprocess.PIPE, text=True) for n in (a, b)]
    envs = [parse_env(p.communicate(timeout=90)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert envs[0]["NM_SANDBOX_NETNS"] != envs[1]["NM_SANDBOX_NETNS"]
    assert envs[0]["DBUS_SYSTEM_BUS_ADDRESS"] != envs[1]["DBUS_SYSTEM_BUS_ADDRESS"]

    subprocess.run(
        [
            "ip",
            "-n",
            envs[0]["NM_SANDBOX_NETNS"],
            "link",
            "add",
            "only-a",
            "type",
            "veth",
            "peer",
            "name",
            "only-ap",
        ],
        check=True,
    )
    for env, mine in zip(envs, (True, False)):
        with NMClient(bus_address=env["DBUS_SYSTEM_BUS_ADDRESS"]) as nm:
            deadline = time.monotonic() + 5
            while mine and nm.get_device("only-a") is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert (nm.get_device("only-a") is not None) is mine

    # exec: the sandbox netns, the host filesystem, the sandbox's bus; exit codes pass through
    out = sbx(a, "exec", "sh", "-c", 'echo "$DBUS_SYSTEM_BUS_ADDRESS"; ip -br link; cat /etc/hostname')
    assert envs[0]["DBUS_SYSTEM_BUS_ADDRESS"] in out and "only-a" in out
    assert subprocess.run([str(SANDBOX), "-n", a, "exec", "false"], check=False).returncode == 1
    # enter: what NetworkManager sees (private /etc/NetworkManager, own hostname)
    inside = sbx(a, "enter", "sh", "-c", "hostname; cat /etc/NetworkManager/NetworkManager.conf")
    assert inside.startswith(f"nm-sandbox-{a}\n") and "plugins=keyfile" in inside

    # idempotent start (same daemon) and stop
    nm_pid = pid_record(a, "nm")
    assert parse_env(sbx(a, "start")) == envs[0]
    assert pid_record(a, "nm") == nm_pid
    sbx(a, "stop")
    sbx(a, "stop")
    assert not (BASE / a).exists()
    assert (
        envs[0]["NM_SANDBOX_NETNS"]
        not in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    )
    assert not alive(nm_pid[0])
    assert subprocess.run([str(SANDBOX), "-n", a, "status"], capture_output=True).returncode == 1

    sbx(b, "stop")
    assert host_fingerprint() == before


def test_crash_leftovers_are_cleaned_and_foreign_pids_never_killed(names: list[str]) -> None:
    name = f"sc{os.getpid()}"
    names.append(name)
    owner = subprocess.Popen(["sleep", "120"])
    foreign = subprocess.Popen(["sleep", "120"])
    try:
        env = dict(os.environ, NM_SANDBOX_OWNER_PID=str(owner.pid))
        sbx(name, "start", env=env)
        holder, nm = pid_record(name, "holder"), pid_record(name, "nm")
        dbus = pid_record(name, "dbus")

        # crash: holder and NetworkManager die hard, dbus-daemon is orphaned
        os.kill(holder[0], signal.SIGKILL)
        os.kill(nm[0], signal.SIGKILL)
        time.sleep(0.1)
        assert f"{name} " in sbx(name, "list") and "stale" in sbx(name, "list")
        assert subprocess.run([str(SANDBOX), "-n", name, "status"], capture_output=True).returncode == 1

        # a recycled pid: the record names a live process (right start time) that is not ours
        foreign_start = int(Path(f"/proc/{foreign.pid}/stat").read_text().rpartition(")")[2].split()[19])
        (BASE / name / "nm.pid").write_text(f"{foreign.pid} {foreign_start}\n")

        sbx(name, "start", env=env)  # cleans up, then starts afresh
        assert not alive(dbus[0])  # the orphan was ours: stopped
        assert foreign.poll() is None  # the stranger survived
        assert pid_record(name, "nm") != nm

        # gc leaves a sandbox with a live owner alone and reaps it once the owner is gone
        sbx(name, "gc")
        assert (BASE / name).exists()
        owner.terminate()
        owner.wait(timeout=10)
        sbx(name, "gc")
        assert not (BASE / name).exists()
        assert foreign.poll() is None
    finally:
        for proc in (owner, foreign):
            proc.kill()
            proc.wait(timeout=10)
