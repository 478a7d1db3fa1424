"""``ifcfg2nm upgrade`` and ``rollback`` against a real NetworkManager, run as a %posttrans would.

Each test builds a VDSM (ifcfg era) host in the module's sandbox netns with
tests/upgrade/vdsm_host.py: veth "NICs" whose far ends sit in a peer netns
holding the gateway (192.0.2.1), a bridge made with ``ip``, static address,
default route, VDSM's source routes and rules, devices unmanaged by
NetworkManager (``NM_CONTROLLED=no``), and the VDSM 4.30 files plus persisted
JSON in a ``--root`` tree, with foreign files beside them. The command runs
as a subprocess inside the netns with ``DBUS_SYSTEM_BUS_ADDRESS`` set.
The kernel here has no bonding or 8021q module: bonds and VLANs are checked
at the profile level only (NetworkManager accepts and stores them).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from upgrade_helpers import (
    STATE,
    Pinger,
    Result,
    changed,
    foreign_files,
    guardian_running,
    host_files,
    ifcfg2nm,
    journal,
    kernel_equal,
    killed_upgrade,
    longest_gap,
    main_routes,
    manifest,
    open_journal,
    process_state,
    run_closed,
    runs,
    sha,
    upgrade,
    vdsm_files,
    wait_until,
)

from ifcfg2nm.emit.dbus_settings import from_dbus, to_dbus
from ifcfg2nm.emit.keyfile import keyfiles
from ifcfg2nm.hosttree import load_host
from ifcfg2nm.model.build import build_host
from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.journal import STEPS_LIVE
from ifcfg2nm.upgrade.nm_dbus import ActiveState, NMClient
from ifcfg2nm.upgrade.plan import make_plan
from ifcfg2nm.upgrade.takedown import rule_args

from nmsandbox import NM_KEYFILE_DIR, SANDBOX, Sandbox
from vdsm_host import FileEntry, KernelSnapshot, VdsmHost, file_snapshot, kernel_snapshot, static_spec, vdsm_host

pytestmark = pytest.mark.nm

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hosts"
NM_TABLE = 329647082  # VDSM nmstate-era source-routing table of ovirtmgmt (adler32)
IFCFG_TABLE = 3221225994  # VDSM ifcfg-era table: 192.0.2.10 as an integer
BRIDGE_UUID = "2356b319-87d9-5b61-b65b-13d7c3fd7b6a"
PORT_UUID = "c8e6d955-4935-5a71-837c-66020320f4bc"


@pytest.fixture
def host(nm_sandbox: Sandbox, nm: NMClient, tmp_path: Path) -> Iterator[VdsmHost]:
    """The static management bridge host, removed again afterwards (``nm`` resets the daemon)."""
    try:
        with vdsm_host(nm_sandbox.netns, tmp_path / "host", static_spec(),
                       bus_address=nm_sandbox.bus_address, workdir=tmp_path) as built:
            yield built
    finally:
        drop_rules(nm_sandbox)


def drop_rules(sandbox: Sandbox) -> None:
    """Policy rules outlive devices: remove all but the kernel's own (local, main, default)."""
    for rule in kernel.read_rules(sandbox.netns):
        if rule.priority not in (0, 32766, 32767):
            try:
                sandbox.ip("-4" if rule.family == 4 else "-6", "rule", "del", *rule_args(rule))
            except AssertionError as gone:  # NetworkManager (or a guardian) removed it meanwhile
                if "No such file or directory" not in str(gone):
                    raise


def managed_flags(nm: NMClient) -> dict[str, bool]:
    return {d.iface: d.managed for d in nm.list_devices() if d.real}


def saved_profiles(nm: NMClient) -> dict[str, str]:
    """uuid -> keyfile path of the profiles NetworkManager keeps on disk."""
    return {c.uuid: c.filename for c in nm.list_connections() if not c.unsaved}


def assert_committed(sandbox: Sandbox, nm: NMClient, built: VdsmHost, files_before: dict[str, FileEntry],
                     kernel_before: KernelSnapshot) -> None:
    """The upgraded end state: NetworkManager owns the bridge, the kernel does what VDSM's did."""
    root = built.root
    saved = saved_profiles(nm)
    assert saved.get(BRIDGE_UUID) == f"{NM_KEYFILE_DIR}/ovirtmgmt.nmconnection"
    assert saved.get(PORT_UUID) == f"{NM_KEYFILE_DIR}/eth0.nmconnection"
    active = nm.active_uuids()
    assert active.get(BRIDGE_UUID) == ActiveState.ACTIVATED and active.get(PORT_UUID) == ActiveState.ACTIVATED
    dev = nm.get_device("ovirtmgmt")
    assert dev is not None and dev.managed and dev.state == 100
    assert nm.list_checkpoints() == []

    after = kernel_snapshot(sandbox.netns)
    assert after.links == kernel_before.links  # same devices, kinds, ports, MTU, up
    bridge = sandbox.kernel().link("ovirtmgmt")
    assert bridge is not None and bridge.mac == built.macs["ovirtmgmt"]  # DHCP leases and ARP caches hold
    assert after.addresses == kernel_before.addresses
    assert main_routes(after) == main_routes(kernel_before)  # incl. the default route via 192.0.2.1
    # source routing as VDSM's nmstate era has it (adler32 table, prio 3200, next hop 0.0.0.0)
    assert {r for r in after.routes if r[1] == NM_TABLE} == {
        (4, NM_TABLE, "0.0.0.0/0", "192.0.2.1", "ovirtmgmt", "unicast"),
        (4, NM_TABLE, "192.0.2.0/24", "", "ovirtmgmt", "unicast")}
    assert not [r for r in after.routes if r[1] == IFCFG_TABLE]
    assert {(r[1], r[2], r[3], r[5]) for r in after.rules if r[5] in (NM_TABLE, IFCFG_TABLE)} == {
        (3200, "192.0.2.0/24", "", NM_TABLE), (3200, "", "192.0.2.0/24", NM_TABLE)}

    files_after = host_files(root)
    vdsm = vdsm_files(files_before)
    assert vdsm and not set(vdsm) & set(files_after)  # VDSM's files are gone ...
    backed = {}
    for run in runs(root):
        if journal(run)["state"] == "committed":
            backed = manifest(run)
    assert backed == {k: sha(v) for k, v in vdsm.items()}  # ... and backed up, checksums verified
    foreign = foreign_files(files_before, list(vdsm))
    assert foreign and {k: files_after.get(k) for k in foreign} == foreign  # foreign files byte-identical
    assert (root / STATE / "seal").exists()


def test_upgrade_hands_the_bridge_to_networkmanager(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost) -> None:
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    result = upgrade(nm_sandbox, host.root, "--probe", "192.0.2.1")
    assert result.code == 0, result
    assert "committed run" in result.stdout
    assert_committed(nm_sandbox, nm, host, files_before, kernel_before)
    (run,) = runs(host.root)
    timings = journal(run)["timings"]
    print(f"downtime {timings['downtime_s']} s, upgrade {timings['total_s']} s (in-process)")
    assert timings["downtime_s"] < 1.0
    assert [s["step"] for s in journal(run)["steps"]] == list(STEPS_LIVE)
    assert_guardian_stood_down(host.root, run)

    # a second run is a no-op and says so
    files_mid, kernel_mid = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    again = upgrade(nm_sandbox, host.root)
    assert again.code == 0, again
    assert "nothing to do" in again.stdout
    assert host_files(host.root) == files_mid
    assert kernel_equal(nm_sandbox.netns, kernel_mid) == {}
    assert len(runs(host.root)) == 1


def test_bridge_keeps_its_mac_address(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost) -> None:
    """The old bridge has a MAC of its own, not its port's (what udev's persistent MAC policy gives a
    bridge initscripts made on EL8+): the new bridge keeps it, pinned in its profile as VDSM >= 4.50
    pins it, so the DHCP lease and the neighbours' ARP caches stay valid. ``convert`` does not pin."""
    own = "52:54:00:0a:b0:01"
    nm_sandbox.ip("link", "set", "ovirtmgmt", "address", own)
    link = nm_sandbox.kernel().link("eth0")
    assert link is not None and link.mac != own
    result = upgrade(nm_sandbox, host.root)
    assert result.code == 0, result
    bridge = nm_sandbox.kernel().link("ovirtmgmt")
    assert bridge is not None and bridge.mac == own
    text = (nm_sandbox.keyfile_dir / "ovirtmgmt.nmconnection").read_text()
    assert f"cloned-mac-address={own.upper()}" in text
    (run,) = runs(host.root)
    assert journal(run)["steps"][0]["data"]["live"]["mac_pins"] == {BRIDGE_UUID: own.upper()}
    assert "cloned-mac-address" not in make_plan_keyfiles(host.root)["ovirtmgmt.nmconnection"]


def make_plan_keyfiles(root: Path) -> dict[str, str]:
    """What ``convert --to keyfile`` writes for the host tree (the backed-up files are put back first)."""
    tree = load_host(str(root))
    return make_plan(tree, build_host(tree), root=str(root)).keyfiles


def test_downtime_seen_from_the_switch_is_under_a_second(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost,
                                                         tmp_path: Path) -> None:
    """Pings from the peer netns (the switch side) to the host's management address during the upgrade."""
    pinger = Pinger(host.peer_netns, "192.0.2.10", tmp_path)
    try:
        pinger.wait_for_answers()
        start = time.monotonic()
        result = upgrade(nm_sandbox, host.root)
        end = time.monotonic()
        assert result.code == 0, result
        time.sleep(0.3)
    finally:
        answers = pinger.stop()
    gap = longest_gap(answers, start, end)
    print(f"downtime seen by a peer: {gap:.3f} s; upgrade command {end - start:.2f} s (Python start-up included)")
    assert gap < 1.0
    assert any(t > end for t in answers)  # and it answers afterwards


@pytest.mark.parametrize("failure", ["verify", "reject-profile", "probe", "timeout"])
def test_injected_failure_rolls_back_exactly(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost,
                                             failure: str) -> None:
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    profiles_before, managed_before = saved_profiles(nm), managed_flags(nm)
    args = ["--probe", "192.0.2.1"] + (["--timeout", "4"] if failure == "timeout" else [])
    result = upgrade(nm_sandbox, host.root, *args, env={"IFCFG2NM_TEST_FAIL": failure})
    assert result.code == 1, result
    assert "rolled back" in result.stdout, result
    assert changed(files_before, host_files(host.root)) == []  # byte-identical, same modes
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}  # links, addresses, routes, rules
    assert saved_profiles(nm) == profiles_before
    assert managed_flags(nm) == managed_before
    assert nm.list_checkpoints() == []
    (run,) = runs(host.root)
    assert journal(run)["state"] == "rolled-back"
    assert not (host.root / STATE / "journal.json").exists()
    assert not (host.root / STATE / "seal").exists()
    assert_guardian_stood_down(host.root, run)


def test_unreachable_probe_rolls_back(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost) -> None:
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    result = upgrade(nm_sandbox, host.root, "--probe", "192.0.2.99", "--timeout", "4")
    assert result.code == 1, result
    assert "connectivity probe failed" in result.stderr
    assert changed(files_before, host_files(host.root)) == []
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}


@pytest.mark.parametrize("step", STEPS_LIVE)
def test_killed_at_every_step_then_rerun_converges(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost,
                                                  step: str) -> None:
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    vdsm = {k: sha(v) for k, v in vdsm_files(files_before).items()}
    args = ("--probe", "192.0.2.1")
    _, run_id = killed_upgrade(nm_sandbox, host.root, step, *args)
    # no file is lost at the crash point: each VDSM file is on disk or in a verified backup
    on_disk = {k: sha(v[2]) for k, v in host_files(host.root).items() if k in vdsm}
    run = host.root / STATE / "backup" / run_id
    backed = manifest(run) if (run / "manifest.json").exists() else {}
    for path, digest in vdsm.items():
        assert on_disk.get(path) == digest or backed.get(path) == digest, path

    rerun = upgrade(nm_sandbox, host.root, *args)
    assert rerun.code == 0, rerun
    assert f"unfinished run {run_id}" in rerun.stdout
    assert_committed(nm_sandbox, nm, host, files_before, kernel_before)
    states = {r.name: journal(r)["state"] for r in runs(host.root)}
    assert states[run_id] == ("committed" if step == "commit" else "rolled-back")
    assert sorted(states.values()).count("committed") == 1


@pytest.mark.parametrize("step", STEPS_LIVE)
def test_killed_at_every_step_then_rollback_restores(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost,
                                                    step: str) -> None:
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    managed_before = managed_flags(nm)
    killed_upgrade(nm_sandbox, host.root, step, "--probe", "192.0.2.1")
    result = upgrade_rollback(nm_sandbox, host.root)
    assert result.code == 0, result
    assert changed(files_before, host_files(host.root)) == []
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}
    assert managed_flags(nm) == managed_before
    assert [c.uuid for c in nm.list_connections() if not c.unsaved] == []
    assert nm.list_checkpoints() == []


def upgrade_rollback(sandbox: Sandbox, root: Path) -> Result:
    return ifcfg2nm(sandbox, "rollback", "--root", str(root))


# -- the guardian: a killed runner is undone (or committed) without anyone rerunning anything --------


def assert_guardian_stood_down(root: Path, run: Path) -> None:
    """The run ended normally: its guardian is gone already (the runner waited for it) and never acted."""
    doc = journal(run)
    assert not guardian_running(int(doc["guardian"]), run.name)
    assert "recovered_by" not in doc
    assert not (root / STATE / "guardian.log").exists()


GUARDED = {
    "activate": "after taking the old devices down (nothing active)",
    "verify": "after activating the new profiles",
    "probe": "after verifying them",
}
"""Journal step the runner is killed at (right after it is journaled, before it runs) -> what was done."""


@pytest.mark.parametrize("step", list(GUARDED))
def test_guardian_rolls_back_a_killed_run_by_itself(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost,
                                                    tmp_path: Path, step: str) -> None:
    """SIGKILL the runner and rerun nothing: the guardian restores the exact original state, and the
    management address answers again; the downtime a peer sees is measured and reported."""
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    profiles_before, managed_before = saved_profiles(nm), managed_flags(nm)
    pinger = Pinger(host.peer_netns, "192.0.2.10", tmp_path)
    try:
        pinger.wait_for_answers()
        start = time.monotonic()
        killed = upgrade(nm_sandbox, host.root, "--probe", "192.0.2.1", env={"IFCFG2NM_TEST_KILL_AT": step})
        killed_at = time.monotonic()
        assert killed.killed, killed
        doc = open_journal(host.root)
        run_id, guardian = str(doc["run_id"]), int(doc["guardian"])
        took = wait_until(lambda: run_closed(host.root, run_id), "the guardian to close the run", 30.0)
        closed = time.monotonic()
        wait_until(lambda: not guardian_running(guardian, run_id), "the guardian to exit", 5.0)
        time.sleep(0.3)
    finally:
        answers = pinger.stop()
    run = host.root / STATE / "backup" / run_id
    assert journal(run)["state"] == "rolled-back"
    assert journal(run)["recovered_by"]["who"] == "guardian"
    assert changed(files_before, host_files(host.root)) == []  # byte-identical, same modes
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}  # links, addresses, routes, rules
    assert saved_profiles(nm) == profiles_before  # no added profile left
    assert managed_flags(nm) == managed_before
    assert nm.list_checkpoints() == []
    assert not (host.root / STATE / "seal").exists()
    log = (host.root / STATE / "guardian.log").read_text()
    assert f"upgrade run {run_id} was interrupted" in log and "rolled back in" in log, log
    gap = longest_gap(answers, start, closed)
    print(f"runner killed {GUARDED[step]}: peer saw the address down for {gap:.3f} s; the guardian closed the "
          f"run {took:.3f} s after the kill (upgrade command until the kill: {killed_at - start:.3f} s)")
    assert any(t > closed for t in answers), "the management address must answer again"
    assert gap < 5.0


def test_guardian_survives_the_kill_of_the_scriptlets_process_group(nm_sandbox: Sandbox, nm: NMClient,
                                                                   host: VdsmHost) -> None:
    """As in the %posttrans: ``timeout -k 10 600 ifcfg2nm upgrade``. The runner (stopped right after
    activating) is killed with its whole process group, ``timeout`` included, as ``timeout``'s own
    group kill would do; the guardian, in its own session, survives and rolls the run back."""
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    cmd = [str(SANDBOX), "-n", nm_sandbox.name, "exec", "timeout", "-k", "10", "600", "env",
           "IFCFG2NM_TEST_STOP_AT=verify", sys.executable, "-m", "ifcfg2nm", "upgrade", "--root", str(host.root)]
    scriptlet = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    group = 0
    try:
        lock = host.root / STATE / "lock"
        wait_until(lambda: lock.exists() and lock.read_text().strip().isdigit()
                   and process_state(int(lock.read_text())) == "T", "the runner to stop", 20.0)
        runner = int(lock.read_text())
        doc = open_journal(host.root)
        run_id, guardian = str(doc["run_id"]), int(doc["guardian"])
        group = os.getpgid(runner)
        assert group == scriptlet.pid != os.getpgrp()  # timeout's own group (it is the Popen child), not ours
        assert os.getpgid(guardian) != group
    finally:
        if group == scriptlet.pid:
            os.killpg(group, signal.SIGKILL)  # the group of the processes this test started
        elif scriptlet.poll() is None:
            scriptlet.kill()  # our own child, by its handle (a stopped runner left orphaned gets SIGHUP)
        scriptlet.wait(timeout=10)
    wait_until(lambda: run_closed(host.root, run_id), "the guardian to close the run", 30.0)
    assert journal(host.root / STATE / "backup" / run_id)["recovered_by"]["pid"] == guardian
    assert changed(files_before, host_files(host.root)) == []
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}
    assert nm.list_checkpoints() == []


def test_guardian_finishes_a_run_killed_after_its_commit_began(nm_sandbox: Sandbox, nm: NMClient,
                                                               host: VdsmHost) -> None:
    """Verified, probed, commit journaled: the guardian completes the commit, as a rerun would."""
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    killed = upgrade(nm_sandbox, host.root, "--probe", "192.0.2.1", env={"IFCFG2NM_TEST_KILL_AT": "commit"})
    assert killed.killed, killed
    run_id = str(open_journal(host.root)["run_id"])
    wait_until(lambda: run_closed(host.root, run_id), "the guardian to close the run", 30.0)
    run = host.root / STATE / "backup" / run_id
    assert journal(run)["state"] == "committed" and journal(run)["recovered_by"]["who"] == "guardian"
    assert_committed(nm_sandbox, nm, host, files_before, kernel_before)


def test_guardian_stands_down_when_a_rerun_recovers_first(nm_sandbox: Sandbox, nm: NMClient,
                                                          host: VdsmHost) -> None:
    """A new run takes the lock before the (delayed) guardian: the run is recovered once, by the rerun."""
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    killed = upgrade(nm_sandbox, host.root, env={"IFCFG2NM_TEST_KILL_AT": "verify",
                                                 "IFCFG2NM_TEST_GUARDIAN_DELAY": "1"})
    assert killed.killed, killed
    doc = open_journal(host.root)
    run_id, guardian = str(doc["run_id"]), int(doc["guardian"])
    rerun = upgrade(nm_sandbox, host.root)
    assert rerun.code == 0 and f"unfinished run {run_id}" in rerun.stdout, rerun
    wait_until(lambda: not guardian_running(guardian, run_id), "the guardian to exit", 10.0)
    assert journal(host.root / STATE / "backup" / run_id)["recovered_by"]["who"] == "upgrade"
    log = host.root / STATE / "guardian.log"
    assert not log.exists() or "was interrupted" not in log.read_text()
    assert_committed(nm_sandbox, nm, host, files_before, kernel_before)


def reboot(sandbox: Sandbox, host: VdsmHost) -> None:
    """What a reboot does to the sandbox host, NetworkManager and its checkpoints included: NetworkManager
    stops, the kernel loses every software device, address, route and rule and brings the NICs back down
    with IPv6 on, /run is emptied, NetworkManager starts (and activates what it has saved), and the spare
    NIC is left alone again as its admin file says."""
    sandbox.nm_stop()
    for link in kernel.read_links(sandbox.netns):
        if link.kind == "bridge":
            sandbox.ip("link", "del", link.name)
        elif link.name != "lo":
            sandbox.ip("addr", "flush", "dev", link.name)
            sandbox.ip("link", "set", link.name, "down")
            subprocess.run(["ip", "netns", "exec", sandbox.netns, "sh", "-c",
                            f"echo 0 > /proc/sys/net/ipv6/conf/{link.name}/disable_ipv6"], check=True, timeout=10)
    drop_rules(sandbox)
    shutil.rmtree(sandbox.dir / "run" / "NetworkManager", ignore_errors=True)
    (host.root / "run").mkdir(exist_ok=True)
    shutil.rmtree(host.root / "run" / "ifcfg2nm", ignore_errors=True)
    sandbox.nm_start()
    with sandbox.client() as nm:
        if host.spec.foreign_nic:
            nm.set_managed(host.spec.foreign_nic, False)


@pytest.mark.parametrize("step, state", [("verify", "rolled-back"), ("commit", "committed")])
def test_boot_closes_a_run_whose_runner_and_guardian_died(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost,
                                                         step: str, state: str) -> None:
    """Runner and guardian killed, then a reboot: the boot unit closes the run as a rerun would (commit
    begun: committed, then restored; otherwise undone) and the host ends in a consistent state."""
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    profiles_before, managed_before = saved_profiles(nm), managed_flags(nm)
    _, run_id = killed_upgrade(nm_sandbox, host.root, step, "--probe", "192.0.2.1")
    assert [c.rollback_timeout for c in nm.list_checkpoints()] == [0]  # NetworkManager never rolls back by itself
    reboot(nm_sandbox, host)
    result = ifcfg2nm(nm_sandbox, "restore", "--root", str(host.root))
    print(result.stdout)
    assert result.code == 0, result
    assert f"the upgrade run {run_id} did not finish (last step: {step})" in result.stdout, result
    run = host.root / STATE / "backup" / run_id
    assert journal(run)["state"] == state and journal(run)["recovered_by"]["who"] == "boot"
    assert not (host.root / STATE / "journal.json").exists()
    if state == "committed":
        assert_committed(nm_sandbox, nm, host, files_before, kernel_before)
        assert "profile(s) already matched" in result.stdout
        return
    assert "the host runs its VDSM configuration" in result.stdout
    assert changed(files_before, host_files(host.root)) == []
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}
    assert saved_profiles(nm) == profiles_before
    assert managed_flags(nm) == managed_before
    assert nm.list_checkpoints() == []
    assert not (host.root / STATE / "seal").exists()


def test_dry_run_writes_nothing(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost) -> None:
    files_before = file_snapshot(host.root)
    kernel_before, profiles_before = kernel_snapshot(nm_sandbox.netns), nm.list_connections()
    result = upgrade(nm_sandbox, host.root, "--dry-run")
    assert result.code == 0, result
    assert "would take down bridge ovirtmgmt" in result.stdout
    assert "would remove etc/sysconfig/network-scripts/ifcfg-ovirtmgmt" in result.stdout
    assert f"would write profile ovirtmgmt ({BRIDGE_UUID})" in result.stdout
    assert file_snapshot(host.root) == files_before  # not even var/lib/ifcfg2nm
    assert not (host.root / STATE).exists()
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}
    assert nm.list_connections() == profiles_before


@pytest.mark.parametrize("backend", ["offline", "auto"])
def test_offline_backend_writes_converts_keyfiles_and_nothing_live(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost,
                                                                  tmp_path: Path, backend: str) -> None:
    """NetworkManager unreachable (a chroot, an image build): keyfiles under --root only."""
    pristine = tmp_path / "pristine"
    shutil.copytree(host.root, pristine, symlinks=True)
    expected, _ = keyfiles(build_host(load_host(str(pristine))))
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    profiles_before = nm.list_connections()
    result = upgrade(nm_sandbox, host.root, "--backend", backend,
                     env={"DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={tmp_path}/no-such-bus"})
    assert result.code == 0, result
    kdir = host.root / "etc/NetworkManager/system-connections"
    assert {p.name: p.read_text() for p in kdir.iterdir()} == expected
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in kdir.iterdir())
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}
    assert nm.list_connections() == profiles_before
    files_after = host_files(host.root)
    vdsm = vdsm_files(files_before)
    assert not set(vdsm) & set(files_after)
    (run,) = runs(host.root)
    assert manifest(run) == {k: sha(v) for k, v in vdsm.items()}
    assert journal(run)["backend"] == "offline"


def test_rollback_command_restores_the_last_runs_files(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost) -> None:
    files_before = host_files(host.root)
    assert upgrade(nm_sandbox, host.root).code == 0
    result = upgrade_rollback(nm_sandbox, host.root)
    assert result.code == 0, result
    assert "4 file(s) back from the backup" in result.stdout
    assert f"nmcli connection delete {BRIDGE_UUID}" in result.stdout  # profiles stay, and it says so
    assert changed(files_before, host_files(host.root)) == []
    assert not (host.root / STATE / "seal").exists()
    again = upgrade_rollback(nm_sandbox, host.root)
    assert again.code == 0 and "nothing to roll back" in again.stdout


def test_second_concurrent_run_exits_cleanly(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost) -> None:
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    state = host.root / STATE
    state.mkdir(parents=True)
    with open(state / "lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write(f"{os.getpid()}\n")
        held.flush()
        result = upgrade(nm_sandbox, host.root)
        rolled = upgrade_rollback(nm_sandbox, host.root)
    assert result.code == 1, result
    assert "another ifcfg2nm upgrade or rollback is running" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr and "Traceback" not in result.stderr
    assert rolled.code == 1 and "another ifcfg2nm" in rolled.stderr
    assert changed(files_before, host_files(host.root)) == []
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}


def test_nmstate_backend_unavailable_is_a_clear_refusal(nm_sandbox: Sandbox, nm: NMClient, host: VdsmHost) -> None:
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    result = upgrade(nm_sandbox, host.root, "--backend", "nmstate")
    assert result.code == 1, result
    assert "libnmstate is not usable here" in result.stderr and "nothing changed" in result.stderr
    assert changed(files_before, host_files(host.root)) == []
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}
    assert upgrade(nm_sandbox, host.root, "--backend", "auto").code == 0  # auto uses NetworkManager's D-Bus


def test_blocking_findings_refuse_before_anything_changes(nm_sandbox: Sandbox, nm: NMClient,
                                                          host: VdsmHost) -> None:
    bad = host.root / "var/lib/vdsm/persistence/netconf.hT4kq9Zb/nets/ovirtmgmt"
    bad.write_text(bad.read_text()[:-5])  # truncated JSON: the target cannot be known
    files_before, kernel_before = host_files(host.root), kernel_snapshot(nm_sandbox.netns)
    result = upgrade(nm_sandbox, host.root)
    assert result.code == 1, result
    assert "blocking finding" in result.stderr
    assert changed(files_before, host_files(host.root)) == []
    assert kernel_equal(nm_sandbox.netns, kernel_before) == {}
    assert not runs(host.root)


def test_bond_and_vlan_profiles_are_accepted_and_stored(nm_sandbox: Sandbox, nm: NMClient) -> None:
    """Profile level only: this kernel cannot create bonds or VLANs (no bonding/8021q modules)."""
    root = FIXTURES / "bond-vlans"
    tree = load_host(str(root))
    plan = make_plan(tree, build_host(tree), root=str(root))
    assert {"bond", "vlan", "bridge"} <= {p.type for p in plan.profiles}
    for profile in plan.profiles:
        nm.add_connection(to_dbus(profile.settings), block_autoconnect=True)
    stored = {c.uuid: c for c in nm.list_connections()}
    for profile in plan.profiles:
        info = stored[profile.uuid]
        assert not info.unsaved and info.filename.startswith(NM_KEYFILE_DIR + "/")
        back = from_dbus(nm.get_settings(profile.uuid))
        for setting in ("bond", "vlan"):
            if setting in profile.settings:
                for prop, value in profile.settings[setting].items():
                    assert back[setting][prop] == value, (profile.id, setting, prop)
    text = (nm_sandbox.keyfile_dir / "bond0.nmconnection").read_text()
    assert "mode=802.3ad" in text
    assert kernel.read_links(nm_sandbox.netns) and nm_sandbox.kernel().link("bond0") is None
