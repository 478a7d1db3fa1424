"""The pure upgrade plan (shared with ``audit``): files, profiles, devices and blocks from a host tree."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from ifcfg2nm.emit.keyfile import keyfiles
from ifcfg2nm.hosttree import load_host
from ifcfg2nm.model.build import build_host
from ifcfg2nm.upgrade.plan import KEYFILE_DIR, Plan, make_plan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hosts"
SCRIPTS = "etc/sysconfig/network-scripts"


def plan_of(root: Path) -> Plan:
    tree = load_host(str(root))
    return make_plan(tree, build_host(tree), root=str(root))


def tree_digest(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


def test_static_management_bridge() -> None:
    plan = plan_of(FIXTURES / "mgmt-bridge-static")
    vdsm = [f"{SCRIPTS}/{n}" for n in ("ifcfg-eth0", "ifcfg-ovirtmgmt", "route-ovirtmgmt", "rule-ovirtmgmt")]
    assert plan.ok and plan.source == "persisted"
    assert plan.remove == tuple(vdsm)
    assert plan.backup == tuple(vdsm)
    assert plan.keep == ("etc/sysconfig/network", f"{SCRIPTS}/ifcfg-lo")
    assert [(p.interface, p.type, p.controller) for p in plan.write] == [
        ("eth0", "802-3-ethernet", "ovirtmgmt"), ("ovirtmgmt", "bridge", None)]
    assert [(d.name, d.kind) for d in plan.take_down] == [("ovirtmgmt", "bridge")]
    port, bridge = plan.write
    assert plan.activation_order() == (port.uuid, bridge.uuid)


def test_profiles_and_keyfile_names_are_converts() -> None:
    root = FIXTURES / "bond-vlans"
    plan = plan_of(root)
    files, _ = keyfiles(build_host(load_host(str(root))))
    assert {p.keyfile for p in plan.write} == set(files)
    assert plan.keyfiles == files
    assert [p.uuid for p in plan.write] == [p.uuid for p in plan.profiles]


def test_take_down_order_upper_devices_first_never_nics() -> None:
    plan = plan_of(FIXTURES / "bond-vlans")
    kinds = [d.kind for d in plan.take_down]
    assert kinds == sorted(kinds, key=("ovs-bridge", "bridge", "vlan", "bond").index)
    names = [d.name for d in plan.take_down]
    assert {"ovirtmgmt", "vmnet", "bond0.100", "bond0.200", "bond0"} <= set(names)
    assert not any(n.startswith(("eth", "ens")) for n in names)
    order = plan.activation_order()
    types = {p.uuid: p.type for p in plan.write}
    ranks = [("802-3-ethernet", "bond", "vlan", "bridge").index(types[u]) for u in order]
    assert ranks == sorted(ranks)


def test_foreign_files_are_kept_and_named() -> None:
    plan = plan_of(FIXTURES / "foreign-beside-vdsm")
    assert f"{SCRIPTS}/ifcfg-Wired_connection_1" in plan.keep
    assert f"{SCRIPTS}/ifcfg-ovirtmgmt" in plan.remove
    assert not set(plan.keep) & set(plan.remove)
    assert set(plan.backup) == set(plan.remove)


def test_ovs_hosts_are_blocked() -> None:
    plan = plan_of(FIXTURES / "ovs-network")
    assert not plan.ok
    assert "UPGRADE_OVS_UNSUPPORTED" in {f.code for f in plan.blocked}


def test_blocking_findings_of_the_target_block() -> None:
    plan = plan_of(FIXTURES / "broken")
    assert not plan.ok
    assert all(f.severity.value == "error" for f in plan.blocked)
    assert all(f.severity.value != "error" for f in plan.findings)


def test_keyfiles_that_would_be_replaced_are_backed_up(tmp_path: Path) -> None:
    root = tmp_path / "host"
    shutil.copytree(FIXTURES / "mgmt-bridge-static", root, symlinks=True)
    kdir = root / KEYFILE_DIR
    kdir.mkdir(parents=True)
    plan = plan_of(root)
    bridge = plan.write[1]
    (kdir / "ovirtmgmt.nmconnection").write_text("[connection]\nid=old\n")
    (kdir / "renamed.nmconnection").write_text(f"[connection]\nid=x\nuuid={plan.write[0].uuid}\n")
    (kdir / "other.nmconnection").write_text("[connection]\nid=y\nuuid=00000000-0000-4000-8000-000000000000\n")
    plan = plan_of(root)
    assert bridge.keyfile == "ovirtmgmt.nmconnection"
    assert f"{KEYFILE_DIR}/ovirtmgmt.nmconnection" in plan.backup
    assert f"{KEYFILE_DIR}/renamed.nmconnection" in plan.backup
    assert f"{KEYFILE_DIR}/other.nmconnection" not in plan.backup
    assert f"{KEYFILE_DIR}/ovirtmgmt.nmconnection" not in plan.remove


def test_plan_writes_nothing_and_is_json(tmp_path: Path) -> None:
    root = tmp_path / "host"
    shutil.copytree(FIXTURES / "bond-vlans", root, symlinks=True)
    before = tree_digest(root)
    plan = plan_of(root)
    assert tree_digest(root) == before
    text = json.dumps(plan.to_json())
    back = json.loads(text)
    assert back["remove"] == list(plan.remove)
    assert [d["name"] for d in back["take_down"]] == [d.name for d in plan.take_down]


def test_empty_target_with_vdsm_files_blocks(tmp_path: Path) -> None:
    root = tmp_path / "host"
    scripts = root / SCRIPTS
    scripts.mkdir(parents=True)
    (scripts / "route-gone").write_text("# Generated by VDSM version 4.30.46.1\n10.1.0.0/16 via 10.0.0.1 dev gone\n")
    plan = plan_of(root)
    assert not plan.write
    assert [f.code for f in plan.blocked] == ["UPGRADE_NOTHING_TO_WRITE"]


@pytest.mark.parametrize("host", sorted(p.name for p in FIXTURES.iterdir()))
def test_every_fixture_host_plans(host: str) -> None:
    plan = plan_of(FIXTURES / host)
    assert set(plan.backup) >= set(plan.remove)
    assert not set(plan.keep) & set(plan.remove)
    json.dumps(plan.to_json())


def test_headerless_vdsm_files_stay_unless_assumed_vdsm() -> None:
    tree = load_host(str(FIXTURES / "old-era-headers"))
    host = build_host(tree, "auto")
    headerless = {f"etc/sysconfig/network-scripts/ifcfg-{d}" for d in ("vmnet", "bond0", "eth2", "eth3")}
    kept = make_plan(tree, host, root=tree.root)
    assert headerless <= set(kept.keep) and not headerless & set(kept.remove)
    assert sum(f.code == "UPGRADE_HEADERLESS_VDSM_FILE" for f in kept.findings) == 4
    assumed = make_plan(tree, host, root=tree.root, assume_vdsm=True)
    assert headerless <= set(assumed.remove) and headerless <= set(assumed.backup)
