"""``ifcfg2nm restore`` against a real NetworkManager, run the way the boot unit runs it.

Each scenario builds a VDSM host in the sandbox (tests/upgrade/vdsm_host.py),
migrates it with the real upgrade runner, breaks something, simulates a
reboot (removes the ``<root>/run`` marker) and runs ``ifcfg2nm restore`` as a
subprocess inside the sandbox's network namespace with
``DBUS_SYSTEM_BUS_ADDRESS`` pointing at the sandbox's NetworkManager. The
kernel is compared with the state right after the upgrade. The comparison
helpers (VDSM's ``_filter_available``, profile drift with NetworkManager's
defaults) are checked without a daemon.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ifcfg2nm.emit.nmsettings import Profile
from ifcfg2nm.findings import Position
from ifcfg2nm.model.host import VdsmBond, VdsmNetwork
from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.nm_dbus import NMClient
from ifcfg2nm.upgrade.restore import MARKER, filter_available, kernel_drift, make_target, settings_drift
from ifcfg2nm.upgrade.state import StatePaths

from nmsandbox import Sandbox
from vdsm_host import HostSpec, Network, VdsmHost, file_snapshot, kernel_snapshot, vdsm_host

TWO_NETWORKS = HostSpec(networks=(
    Network(nameservers=("192.0.2.2",)),
    Network(name="storage", nic="eth1", bridged=False, address="198.51.100.5/24", gateway="198.51.100.1",
            default_route=False, mtu=9000),
))
"""ovirtmgmt (bridged, static, default route) and storage (bridgeless on eth1, MTU 9000, own gateway:
source routing only)."""


UPGRADE = ("import sys; from ifcfg2nm.upgrade.runner import Options, upgrade; "
           "sys.exit(upgrade(Options(root=sys.argv[1], timeout=60.0), sys.stdout, sys.stderr))")
"""The upgrade's runner, exactly as ``ifcfg2nm upgrade --root ROOT --timeout 60`` runs it."""


def cli(sandbox: Sandbox, *args: str, timeout: float = 120) -> tuple[int, str, str, float]:
    """``ifcfg2nm ARGS`` as the boot unit or a scriptlet runs it: in the netns, sandbox bus."""
    t0 = time.monotonic()
    proc = sandbox.run([sys.executable, "-m", "ifcfg2nm", *args], check=False, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - t0


@dataclass
class Migrated:
    host: VdsmHost
    root: Path
    after_upgrade: object
    """The kernel snapshot right after the upgrade: what restore must come back to."""

    def reboot(self) -> None:
        """What a reboot does to the marker (``/run`` is a tmpfs)."""
        (self.root / MARKER).unlink(missing_ok=True)


def migrate(sandbox: Sandbox, root: Path, spec: HostSpec) -> Iterator[Migrated]:
    with vdsm_host(sandbox.netns, root, spec, bus_address=sandbox.bus_address) as host:
        proc = sandbox.run([sys.executable, "-c", UPGRADE, str(root)], check=False, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        yield Migrated(host, root, kernel_snapshot(sandbox.netns))


@pytest.fixture
def migrated(nm_sandbox: Sandbox, nm: NMClient, tmp_path: Path) -> Iterator[Migrated]:
    yield from migrate(nm_sandbox, tmp_path / "root", TWO_NETWORKS)


def uuid_of(nm: NMClient, name: str) -> str:
    (uuid,) = [c.uuid for c in nm.list_connections() if c.id == name]
    return uuid


def keyfiles(sandbox: Sandbox) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(sandbox.keyfile_dir.iterdir())}


def tree_without_lock(root: Path) -> dict[str, tuple[str, int, bytes]]:
    """The host tree's files, but the lock file (it holds the last locker's pid)."""
    return {k: v for k, v in file_snapshot(root).items() if k != "var/lib/ifcfg2nm/lock"}


def wait_for(check: object, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


# -- against the sandbox ------------------------------------------------------------


@pytest.mark.nm
def test_noop_restore_changes_nothing(nm_sandbox: Sandbox, nm: NMClient, migrated: Migrated) -> None:
    files = keyfiles(nm_sandbox)
    tree = tree_without_lock(migrated.root)
    active = nm.active_uuids()
    rc, out, err, took = cli(nm_sandbox, "restore", "--root", str(migrated.root))
    print(f"no-op restore (whole command in the netns) took {took:.3f} s")
    assert rc == 0, out + err
    assert "3 of 3 profile(s) already matched" in out and err == ""
    assert kernel_snapshot(nm_sandbox.netns) == migrated.after_upgrade
    assert keyfiles(nm_sandbox) == files  # bytes and mtimes: nothing rewritten
    assert nm.active_uuids() == active
    assert tree_without_lock(migrated.root) == tree  # run/ (the marker) is not part of the snapshot
    assert (migrated.root / MARKER).is_file()


@pytest.mark.nm
def test_restore_recreates_a_deleted_profile_and_a_removed_address(
    nm_sandbox: Sandbox, nm: NMClient, migrated: Migrated
) -> None:
    cli(nm_sandbox, "restore", "--root", str(migrated.root))  # this boot's run
    nm.delete_connection(uuid_of(nm, "ovirtmgmt"))
    wait_for(lambda: nm_sandbox.kernel().link("ovirtmgmt") is None, "the bridge to go")
    nm_sandbox.ip("addr", "del", "198.51.100.5/24", "dev", "eth1")
    nm_sandbox.ip("rule", "del", "prio", "3200", "from", "198.51.100.0/24")

    rc, out, _, _ = cli(nm_sandbox, "restore", "--root", str(migrated.root))
    assert rc == 0 and "already done this boot" in out
    assert nm_sandbox.kernel().link("ovirtmgmt") is None, "the marker must keep a second run from acting"

    migrated.reboot()
    rc, out, err, _ = cli(nm_sandbox, "restore", "--root", str(migrated.root))
    assert rc == 0, out + err
    assert "ovirtmgmt: added (profile missing)" in out
    assert "eth0: activated (profile not active)" in out
    assert "eth1: reapplied (eth1: IPv4 addresses [], expected ['198.51.100.5/24']" in out
    assert kernel_snapshot(nm_sandbox.netns) == migrated.after_upgrade
    assert (nm_sandbox.keyfile_dir / "ovirtmgmt.nmconnection").exists()
    info = nm.get_connection(uuid_of(nm, "ovirtmgmt"))
    assert info is not None and not info.unsaved


@pytest.mark.nm
def test_force_ignores_the_marker_and_reapplies_routes_and_rules(
    nm_sandbox: Sandbox, nm: NMClient, migrated: Migrated
) -> None:
    cli(nm_sandbox, "restore", "--root", str(migrated.root))
    table = next(r.table for r in nm_sandbox.kernel().routes if r.dev == "ovirtmgmt" and r.table not in (254, 255))
    nm_sandbox.ip("route", "del", "default", "table", str(table))
    nm_sandbox.ip("rule", "del", "prio", "3200", "from", "192.0.2.0/24")
    nm_sandbox.ip("link", "set", "eth1", "mtu", "1500")
    rc, out, err, _ = cli(nm_sandbox, "restore", "--root", str(migrated.root), "--force")
    assert rc == 0, out + err
    assert "ovirtmgmt: reapplied" in out and f"no route 0.0.0.0/0 via 192.0.2.1 in table {table}" in out
    assert "eth1: reapplied (eth1: MTU 1500, expected 9000)" in out
    assert kernel_snapshot(nm_sandbox.netns) == migrated.after_upgrade


@pytest.mark.nm
def test_a_changed_profile_is_rewritten_and_applied(nm_sandbox: Sandbox, nm: NMClient, migrated: Migrated) -> None:
    cli(nm_sandbox, "restore", "--root", str(migrated.root))
    nm_sandbox.run(["nmcli", "connection", "modify", "ovirtmgmt", "bridge.stp", "yes",
                    "ipv4.dns-search", "example.test", "+ipv4.addresses", "192.0.2.99/24"])
    migrated.reboot()
    rc, out, err, _ = cli(nm_sandbox, "restore", "--root", str(migrated.root))
    assert rc == 0, out + err
    assert "ovirtmgmt: updated (profile differs: bridge.stp, ipv4.address-data)" in out
    text = (nm_sandbox.keyfile_dir / "ovirtmgmt.nmconnection").read_text()
    assert "stp=false" in text and "192.0.2.99" not in text
    assert "dns-search=example.test;" in text, "what VDSM does not decide stays"
    assert kernel_snapshot(nm_sandbox.netns) == migrated.after_upgrade


@pytest.mark.nm
def test_network_on_a_missing_nic_is_skipped_with_a_finding(
    nm_sandbox: Sandbox, nm: NMClient, migrated: Migrated
) -> None:
    cli(nm_sandbox, "restore", "--root", str(migrated.root))
    storage = uuid_of(nm, "eth1")
    nm_sandbox.ip("link", "del", "eth1")  # the NIC is gone (its veth peer with it)
    nm_sandbox.ip("addr", "flush", "dev", "ovirtmgmt")
    migrated.reboot()
    rc, out, err, _ = cli(nm_sandbox, "restore", "--root", str(migrated.root))
    assert rc == 0, out + err
    assert "[RESTORE_NIC_MISSING]" in err and "network storage is not restored: NIC eth1 is not present" in err
    assert "ovirtmgmt: reapplied" in out and "eth1" not in out
    assert nm.get_connection(storage) is not None, "profiles outside the target are left alone"
    assert nm_sandbox.kernel().addresses_of("ovirtmgmt", 4)[0].cidr == "192.0.2.10/24"


@pytest.mark.nm
def test_a_host_ifcfg2nm_did_not_migrate_is_left_alone(nm_sandbox: Sandbox, nm: NMClient, tmp_path: Path) -> None:
    root = tmp_path / "root"
    with vdsm_host(nm_sandbox.netns, root, TWO_NETWORKS, bus_address=nm_sandbox.bus_address):
        before = kernel_snapshot(nm_sandbox.netns)
        profiles = {c.uuid for c in nm.list_connections()}
        rc, out, err, _ = cli(nm_sandbox, "restore", "--root", str(root))
        assert rc == 0, out + err
        assert "not migrated by ifcfg2nm" in out
        assert kernel_snapshot(nm_sandbox.netns) == before
        assert {c.uuid for c in nm.list_connections()} == profiles

        paths = StatePaths(str(root))
        paths.ensure()
        Path(paths.journal).write_text("{}\n")
        rc, out, err, _ = cli(nm_sandbox, "restore", "--root", str(root))
        assert rc == 1 and "did not finish" in err
        assert kernel_snapshot(nm_sandbox.netns) == before


@pytest.mark.nm
def test_noop_restore_timing(nm_sandbox: Sandbox, nm: NMClient, migrated: Migrated) -> None:
    """The in-process cost of a no-op (the whole command adds Python's start-up and imports):
    reported, and bounded only generously, since test machines are shared."""
    present = [link.name for link in kernel.read_links(nm_sandbox.netns)]
    target = make_target(str(migrated.root), present)
    assert target is not None
    rc, out, err, took = cli(nm_sandbox, "restore", "--root", str(migrated.root))
    assert rc == 0, out + err
    samples = []
    for _ in range(3):
        rc, out, err, took = cli(nm_sandbox, "restore", "--root", str(migrated.root), "--force")
        assert rc == 0 and "3 of 3" in out, out + err
        samples.append(took)
    print(f"no-op restore, whole command: {', '.join(f'{s:.3f}' for s in samples)} s")
    assert min(samples) < 10


# -- without a daemon ----------------------------------------------------------------------


def _net(name: str, **kw: object) -> VdsmNetwork:
    return VdsmNetwork(name=name, source=Position(f"nets/{name}"), **kw)  # type: ignore[arg-type]


def test_filter_available_is_vdsms() -> None:
    nets = [_net("a", nic="eth0"), _net("b", nic="eth7"), _net("c"), _net("d", bonding="bond0"),
            _net("e", bonding="bond1"), _net("f", bonding="bond9")]
    bonds = [VdsmBond("bond0", nics=("eth1", "eth8")), VdsmBond("bond1", nics=("eth6", "eth7"))]
    kept, kept_bonds, found = filter_available(nets, bonds, ["lo", "eth0", "eth1", "eth2"])
    assert [n.name for n in kept] == ["a", "c", "d", "f"]  # f: bond not persisted, lower_vdsm reports it
    assert kept_bonds == [VdsmBond("bond0", nics=("eth1",))]
    codes = sorted((f.code, f.message) for f in found)
    assert codes == [
        ("RESTORE_BOND_TRIMMED", "bond bond0: NIC(s) eth8 not present"),
        ("RESTORE_NIC_MISSING", "network b is not restored: NIC eth7 is not present"),
        ("RESTORE_NIC_MISSING", "network e is not restored: no NIC of bond bond1 is present"),
    ]


def test_settings_drift_reads_absent_properties_as_networkmanagers_defaults() -> None:
    target = {"bridge": {"stp": False, "multicast-snooping": True, "forward-delay": 0},
              "ipv4": {"method": "manual", "address-data": [{"address": "192.0.2.1", "prefix": 24}]}}
    stored = {"bridge": {"stp": False, "forward-delay": 0},
              "ipv4": {"method": "manual", "address-data": [{"address": "192.0.2.1", "prefix": 24}],
                       "dns-search": ["example.test"], "route-data": []}}
    assert settings_drift(target, stored) == []
    assert settings_drift(target, {**stored, "bridge": {"forward-delay": 0}}) == ["bridge.stp"]
    changed = {**stored, "ipv4": {**stored["ipv4"], "gateway": "192.0.2.254", "dns": ["192.0.2.53"]}}
    assert settings_drift(target, changed) == ["ipv4.gateway", "ipv4.dns"]
    assert settings_drift({"bridge": {"multicast-snooping": False}}, {"bridge": {}}) == ["bridge.multicast-snooping"]


def test_kernel_drift_tells_link_problems_from_ip_problems() -> None:
    bridge = Profile("br", "u-br", "br", {
        "connection": {"id": "br", "uuid": "u-br", "type": "bridge", "interface-name": "br"},
        "ipv4": {"method": "manual", "address-data": [{"address": "192.0.2.1", "prefix": 24}]},
        "ipv6": {"method": "disabled"}})
    port = Profile("eth0", "u-eth0", "eth0", {
        "connection": {"id": "eth0", "uuid": "u-eth0", "type": "802-3-ethernet", "interface-name": "eth0",
                       "master": "br", "slave-type": "bridge"}})

    def link(name: str, kind: str = "", master: str = "") -> kernel.Link:
        return kernel.Link(1, name, kind, "", master, 1500, "UP", "", ("UP",), "")

    state = kernel.KernelState((link("br", "bridge"), link("eth0")), (), (), ())
    drift = kernel_drift([port, bridge], state)
    assert drift["u-eth0"] == (["eth0: controller none, expected br"], True)
    assert drift["u-br"] == (["br: IPv4 addresses [], expected ['192.0.2.1/24']"], False)


def test_make_target_reads_only_the_persisted_config(tmp_path: Path) -> None:
    from vdsm_host import write_tree

    write_tree(tmp_path, TWO_NETWORKS)
    (tmp_path / "etc/sysconfig/network-scripts/ifcfg-eth0").write_text("DEVICE=eth0\nIPADDR=$(reboot)\n")
    target = make_target(str(tmp_path), ["lo", "eth0"])
    assert target is not None
    assert sorted(p.id for p in target.profiles) == ["eth0", "ovirtmgmt"]
    assert [f.code for f in target.skipped] == ["RESTORE_NIC_MISSING"]
    assert not [f for f in target.findings if f.severity.value != "info"], target.findings
    assert target.skipped[0].to_json()["file"].endswith("nets/storage")
    assert make_target(str(tmp_path / "nothing"), ["eth0"]) is None


def test_command_gates_before_touching_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seal, journal and marker decide before NetworkManager is asked; a broken persisted network is
    reported and fails the run. (The bus is pointed nowhere: this test never reaches a NetworkManager.)"""
    from ifcfg2nm.cli import main

    from vdsm_host import write_tree

    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    write_tree(tmp_path, TWO_NETWORKS)
    assert main(["restore", "--root", str(tmp_path)]) == 0
    assert "not migrated by ifcfg2nm" in capsys.readouterr().out
    paths = StatePaths(str(tmp_path))
    paths.ensure()
    Path(paths.journal).write_text("{}\n")
    assert main(["restore", "--root", str(tmp_path)]) == 1
    assert "did not finish" in capsys.readouterr().err
    Path(paths.journal).unlink()
    Path(paths.seal).write_text("{}\n")
    (tmp_path / "var/lib/vdsm/persistence/netconf.hT4kq9Zb/nets/ovirtmgmt").write_text('{"nic": "eth0",')
    assert main(["restore", "--root", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "nets/ovirtmgmt" in err and "error" in err and "NetworkManager: " in err
    assert not (tmp_path / MARKER).exists()
    (tmp_path / MARKER).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / MARKER).write_text("x\n")
    assert main(["restore", "--root", str(tmp_path)]) == 0
    assert "already done this boot" in capsys.readouterr().out


def test_make_target_takes_the_name_servers_the_upgrade_took(tmp_path: Path) -> None:
    """A static default-route network persisted without nameservers gets the host's resolv.conf servers in
    both the upgrade's plan and the boot restore's target: otherwise every boot would see drift and clear DNS."""
    from ifcfg2nm.hosttree import load_host
    from ifcfg2nm.model.build import build_host
    from ifcfg2nm.upgrade.plan import make_plan

    net = ('{"nic": "eth0", "bridged": true, "ipaddr": "192.0.2.10", "netmask": "255.255.255.0", '
           '"gateway": "192.0.2.1", "defaultRoute": true, "bootproto": "none"}')
    (tmp_path / "var/lib/vdsm/persistence/netconf/nets").mkdir(parents=True)
    (tmp_path / "var/lib/vdsm/persistence/netconf/nets/ovirtmgmt").write_text(net)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/resolv.conf").write_text("# Generated by NetworkManager\nnameserver 192.0.2.53\n")
    tree = load_host(str(tmp_path))
    planned = {p.interface: p.settings for p in make_plan(tree, build_host(tree), root=str(tmp_path)).profiles}
    target = make_target(str(tmp_path), ["lo", "eth0"])
    assert target is not None
    restored = {p.interface: p.settings for p in target.profiles}
    assert restored["ovirtmgmt"]["ipv4"]["dns"] == planned["ovirtmgmt"]["ipv4"]["dns"] == ["192.0.2.53"]
