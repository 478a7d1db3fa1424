"""A real NetworkManager per test module, isolated by scripts/nm-sandbox.

The upgrade talks to a live NetworkManager over D-Bus and changes kernel
state, so its tests need the real daemon, but never the machine's own
network: each module gets a fresh sandbox (own netns, own dbus-daemon, own
keyfile dir) that is always stopped again, also when tests fail.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

import pytest

from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.nm_dbus import NMClient, NMError

from nmsandbox import Sandbox, sandbox_skip_reason, start_sandbox, stop_sandbox


@pytest.fixture(scope="module")
def nm_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A fresh NetworkManager sandbox for the whole test module, always stopped."""
    reason = sandbox_skip_reason()
    if reason:
        pytest.skip(reason)
    sandbox = start_sandbox(request.module.__name__.rpartition(".")[2])
    try:
        yield sandbox
    finally:
        stop_sandbox(sandbox)


@pytest.fixture
def nm(nm_sandbox: Sandbox) -> Iterator[NMClient]:
    """A client of the module's sandbox; afterwards the sandbox is clean again
    (checkpoints destroyed, profiles other than ``lo`` deleted, veths removed),
    so tests do not see each other's leftovers."""
    client = nm_sandbox.client()
    try:
        yield client
    finally:
        try:
            client.destroy_checkpoints()
            for con in client.list_connections():
                if con.interface_name != "lo":
                    # an in-memory external profile can vanish meanwhile
                    with contextlib.suppress(NMError):
                        client.delete_connection(con.path)
        finally:
            client.close()
        for link in kernel.read_links(nm_sandbox.netns):
            if link.name != "lo":  # a veth's peer may be gone already: ignore errors
                subprocess.run(
                    ["ip", "-n", nm_sandbox.netns, "link", "del", link.name],
                    capture_output=True,
                    check=False,
                    timeout=10,
                )
