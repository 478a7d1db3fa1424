"""Driving scripts/nm-sandbox from tests: start, stop, act inside a sandbox.

Names are unique per process and label, so parallel workers never share a
sandbox; the pytest pid is recorded as owner, so `nm-sandbox gc` (run before
each start) reaps the sandboxes of crashed runs.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.nm_dbus import NMClient

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "scripts" / "nm-sandbox"
TOOLS = ("ip", "NetworkManager", "dbus-daemon", "busctl", "unshare", "nsenter", "flock")

# what NetworkManager's keyfile plugin sees as its directory inside the sandbox
NM_KEYFILE_DIR = "/etc/NetworkManager/system-connections"


def sandbox_skip_reason() -> Optional[str]:
    if os.geteuid() != 0:
        return "needs root: network namespaces and a private NetworkManager"
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        return f"not installed: {', '.join(missing)} (Debian: network-manager, dbus, iproute2)"
    return None


def _sandbox_cmd(name: str, *args: str) -> list[str]:
    return [str(SANDBOX), "-n", name, *args]


@dataclass
class Sandbox:
    """A running sandbox: where things are, and how to act inside it."""

    name: str
    netns: str
    dir: Path
    keyfile_dir: Path
    bus_address: str

    @property
    def env(self) -> dict[str, str]:
        """The caller's environment pointed at this sandbox's NetworkManager."""
        env = dict(os.environ)
        env["DBUS_SYSTEM_BUS_ADDRESS"] = self.bus_address
        env["NM_SANDBOX_NAME"] = self.name
        return env

    def run(self, cmd: Sequence[str], *, check: bool = True, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run ``cmd`` the way a %posttrans scriptlet would, but against this
        sandbox: inside its network namespace, host filesystem, with
        ``DBUS_SYSTEM_BUS_ADDRESS`` set (``nm-sandbox exec``)."""
        proc = subprocess.run(
            _sandbox_cmd(self.name, "exec", *cmd),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"{shlex.join(cmd)} exited {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return proc

    def ip(self, *args: str) -> str:
        """``ip -n NETNS ARGS`` (raises on failure)."""
        proc = subprocess.run(["ip", "-n", self.netns, *args], capture_output=True, text=True, timeout=10, check=False)
        if proc.returncode != 0:
            raise AssertionError(f"ip {' '.join(args)}: {proc.stderr.strip()}")
        return proc.stdout

    def add_veth(self, name: str, peer: Optional[str] = None) -> None:
        """A veth pair inside the sandbox, the peer up (the port side stays NM's)."""
        peer = peer or f"{name}p"
        self.ip("link", "add", name, "type", "veth", "peer", "name", peer)
        self.ip("link", "set", peer, "up")

    def client(self, timeout: float = 10.0) -> NMClient:
        return NMClient(bus_address=self.bus_address, timeout=timeout)

    def kernel(self) -> kernel.KernelState:
        return kernel.read_state(self.netns)

    def _command(self, *args: str) -> None:
        proc = subprocess.run(_sandbox_cmd(self.name, *args), capture_output=True, text=True, timeout=90, check=False)
        if proc.returncode != 0:
            raise AssertionError(f"nm-sandbox {' '.join(args)} failed:\n{proc.stderr}")

    def nm_stop(self) -> None:
        """Stop NetworkManager alone (it leaves the devices as they are); the netns and the bus stay."""
        self._command("nm-stop")

    def nm_start(self) -> None:
        """Start NetworkManager again after :meth:`nm_stop`; returns once its start-up is complete."""
        self._command("nm-start")

    def logs(self, lines: int = 80) -> str:
        out = subprocess.run(
            _sandbox_cmd(self.name, "logs", str(lines)),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return out.stdout


def parse_env(text: str) -> dict[str, str]:
    env = {}
    for line in text.splitlines():
        if line.startswith("export "):
            (assignment,) = shlex.split(line[len("export ") :])
            key, _, value = assignment.partition("=")
            env[key] = value
    return env


def start_sandbox(label: str) -> Sandbox:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"t{os.getpid()}-{label}")[:40]
    env = dict(os.environ, NM_SANDBOX_OWNER_PID=str(os.getpid()))
    env.pop("NM_SANDBOX_NAME", None)
    subprocess.run(_sandbox_cmd(name, "gc"), env=env, check=False, timeout=60)
    proc = subprocess.run(
        _sandbox_cmd(name, "start"),
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"nm-sandbox start failed:\n{proc.stderr}")
    values = parse_env(proc.stdout)
    return Sandbox(
        name=values["NM_SANDBOX_NAME"],
        netns=values["NM_SANDBOX_NETNS"],
        dir=Path(values["NM_SANDBOX_DIR"]),
        keyfile_dir=Path(values["NM_SANDBOX_KEYFILE_DIR"]),
        bus_address=values["DBUS_SYSTEM_BUS_ADDRESS"],
    )


def stop_sandbox(sandbox: Sandbox) -> None:
    subprocess.run(_sandbox_cmd(sandbox.name, "stop"), check=False, timeout=60)
