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
from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.live import LiveState, refine
from ifcfg2nm.upgrade.plan import KEYFILE_DIR, Plan, make_plan
from ifcfg2nm.upgrade.verify import check

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


def test_an_ovs_bond_without_networks_blocks_too(make_host) -> None:
    """VDSM made it an OVS bond; a kernel bond in its place is not what the host had."""
    bond = json.dumps({"nics": ["eth1", "eth2"], "options": "mode=4 miimon=100", "switch": "ovs"})
    plan = plan_of(make_host({"var/lib/vdsm/persistence/netconf/bonds/bond0": bond}))
    assert [f.code for f in plan.blocked] == ["UPGRADE_OVS_UNSUPPORTED"]


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


def test_an_address_only_vdsm_files_gave_is_reported_when_the_target_drops_it(make_host) -> None:
    # a bridgeless network on eth1 that VDSM never persisted: initscripts kept bringing up 10.1.1.5
    vdsm = "# Generated by VDSM version 4.30.46.1\n"
    root = make_host({
        "ifcfg-eth0": vdsm + "DEVICE=eth0\nBOOTPROTO=dhcp\nDEFROUTE=yes\nNM_CONTROLLED=no\nIPV6INIT=no\n",
        "ifcfg-eth1": vdsm + "DEVICE=eth1\nIPADDR=10.1.1.5\nNETMASK=255.255.255.0\nBOOTPROTO=none\n"
                             "DEFROUTE=no\nNM_CONTROLLED=no\nIPV6INIT=no\n",
        "var/lib/vdsm/persistence/netconf/nets/mgmt": json.dumps(
            {"nic": "eth0", "bridged": False, "bootproto": "dhcp", "defaultRoute": True}),
    })
    plan = plan_of(root)
    assert f"{SCRIPTS}/ifcfg-eth1" in plan.remove and [p.interface for p in plan.write] == ["eth0"]
    assert [(f.code, f.position.file) for f in plan.findings if f.code == "UPGRADE_ADDRESS_NOT_RESTORED"] == [
        ("UPGRADE_ADDRESS_NOT_RESTORED", f"{root}/{SCRIPTS}/ifcfg-eth1")]


def test_an_unreadable_persistent_config_blocks_instead_of_falling_back_to_the_files(make_host) -> None:
    # an interrupted link swap left persistence/netconf dangling: what VDSM meant to keep is unknown
    vdsm = "# Generated by VDSM version 4.30.46.1\n"
    root = make_host({"ifcfg-eth0": vdsm + "DEVICE=eth0\nBOOTPROTO=dhcp\nDEFROUTE=yes\nNM_CONTROLLED=no\n"})
    (root / "var/lib/vdsm/persistence").mkdir(parents=True)
    (root / "var/lib/vdsm/persistence/netconf").symlink_to("netconf.GONE1234")
    plan = plan_of(root)
    assert plan.source == "ifcfg"
    assert [f.code for f in plan.blocked] == ["PERSISTED_NETCONF_DANGLING"]
    tree = load_host(str(root))
    assert make_plan(tree, build_host(tree, "ifcfg"), root=str(root)).ok  # converting the files is explicit


def test_headerless_vdsm_files_stay_unless_assumed_vdsm() -> None:
    tree = load_host(str(FIXTURES / "old-era-headers"))
    host = build_host(tree, "auto")
    headerless = {f"etc/sysconfig/network-scripts/ifcfg-{d}" for d in ("vmnet", "bond0", "eth2", "eth3")}
    kept = make_plan(tree, host, root=tree.root)
    assert headerless <= set(kept.keep) and not headerless & set(kept.remove)
    assert sum(f.code == "UPGRADE_HEADERLESS_VDSM_FILE" for f in kept.findings) == 4
    assumed = make_plan(tree, host, root=tree.root, assume_vdsm=True)
    assert headerless <= set(assumed.remove) and headerless <= set(assumed.backup)


def _link(name: str, kind: str = "", master: str = "", mac: str = "") -> kernel.Link:
    return kernel.Link(1, name, kind, "", master, 1500, "UP", mac, ("UP",), "")


@pytest.mark.parametrize("old_bridge", [True, False])
def test_a_recreated_bridge_keeps_its_mac(old_bridge: bool) -> None:
    """The live refinement pins the bridge's MAC (the old bridge's, else its port's); the plan and
    ``convert``'s keyfiles stay unpinned; verification then insists on that MAC."""
    root = FIXTURES / "mgmt-bridge-static"
    tree = load_host(str(root))
    plan = make_plan(tree, build_host(tree), root=str(root))
    links = [_link("eth0", master="ovirtmgmt" if old_bridge else "", mac="52:54:00:00:00:e0")]
    if old_bridge:
        links.append(_link("ovirtmgmt", "bridge", mac="52:54:00:00:00:b1"))
    live = refine(plan, tree, LiveState(kernel.KernelState(tuple(links), (), (), ())))
    port, bridge = plan.write
    want = "52:54:00:00:00:B1" if old_bridge else "52:54:00:00:00:E0"
    assert live.mac_pins == ((bridge.uuid, want),) and live.to_json()["mac_pins"] == {bridge.uuid: want}
    pinned = {p.uuid: p for p in live.profiles}
    assert pinned[bridge.uuid].settings["802-3-ethernet"]["cloned-mac-address"] == want
    assert pinned[port.uuid] == plan.profiles[0]
    assert all("cloned-mac-address" not in p.settings.get("802-3-ethernet", {}) for p in plan.profiles)
    assert "cloned-mac-address" not in plan.keyfiles["ovirtmgmt.nmconnection"]
    assert live.pin_nmstate({"interfaces": [{"name": "ovirtmgmt"}, {"name": "eth0"}]}) == {
        "interfaces": [{"name": "ovirtmgmt", "mac-address": want}, {"name": "eth0"}]}

    def state(mac: str) -> kernel.KernelState:
        return kernel.KernelState((_link("eth0", master="ovirtmgmt", mac="52:54:00:00:00:e0"),
                                   _link("ovirtmgmt", "bridge", mac=mac)), (), (), ())

    problems = check(live.profiles, [bridge.uuid], state("52:54:00:00:00:99"))
    assert f"ovirtmgmt: MAC 52:54:00:00:00:99, expected {want.lower()}" in problems
    assert not [m for m in check(live.profiles, [bridge.uuid], state(want.lower())) if "MAC" in m]


def test_an_unsaved_bond_with_a_foreign_ifcfg_file_is_never_taken_down(make_host) -> None:
    # VDSM >= 4.20.14 removed a bond only in its running config when it owned the bond's ifcfg file,
    # and the nmstate era never removes bonds: this one, with its own address, is the admin's
    vdsm = "# Generated by VDSM version 4.30.46.1\n"
    root = make_host({
        "ifcfg-eth0": vdsm + "DEVICE=eth0\nBOOTPROTO=dhcp\nDEFROUTE=yes\nNM_CONTROLLED=no\nIPV6INIT=no\n",
        "ifcfg-bond7": "DEVICE=bond7\nTYPE=Bond\nBONDING_OPTS='mode=1 miimon=100'\nIPADDR=10.7.0.5\nPREFIX=24\n",
        "ifcfg-eth5": "DEVICE=eth5\nMASTER=bond7\nSLAVE=yes\n",
        "var/lib/vdsm/persistence/netconf/nets/mgmt": json.dumps(
            {"nic": "eth0", "bridged": False, "bootproto": "dhcp", "defaultRoute": True}),
        "var/lib/vdsm/staging/netconf/bonds/bond7": json.dumps({"nics": ["eth5"], "options": "mode=1 miimon=100"}),
        "var/lib/vdsm/staging/netconf/bonds/bond8": json.dumps({"nics": ["eth6"], "options": "mode=1"}),
    })
    plan = plan_of(root)
    assert [(d.name, d.why) for d in plan.take_down] == [("bond8", "running bond bond8")]
    assert f"{SCRIPTS}/ifcfg-bond7" in plan.keep


NMSTATE_ERA_NET = json.dumps({"nic": "eth0", "bridged": True, "ipaddr": "192.0.2.10", "netmask": "255.255.255.0",
                              "gateway": "192.0.2.1", "defaultRoute": True, "bootproto": "none"})


@pytest.mark.parametrize("profile", [
    {"etc/NetworkManager/system-connections/ovirtmgmt.nmconnection":
        "[connection]\nid=ovirtmgmt\nuuid=0b3a4b64-4c55-4b4e-9d40-6b8b4a3c2f10\ntype=bridge\n"
        "interface-name=ovirtmgmt\n"},
    {"ifcfg-ovirtmgmt": "STP=no\nTYPE=Bridge\nNAME=ovirtmgmt\nDEVICE=ovirtmgmt\nONBOOT=yes\nIPADDR=192.0.2.10\n"
                        "PREFIX=24\nGATEWAY=192.0.2.1\n"},
], ids=["keyfile", "ifcfg-rh"])
def test_a_host_whose_vdsm_networks_networkmanager_has_already_is_left_alone(make_host, profile) -> None:
    """nmstate-era VDSM: no ifcfg file is VDSM's, NetworkManager holds the networks; the upgrade moves nothing."""
    root = make_host({"var/lib/vdsm/persistence/netconf/nets/ovirtmgmt": NMSTATE_ERA_NET,
                      "var/run/vdsm/netconf/nets/ovirtmgmt": NMSTATE_ERA_NET, **profile})
    plan = plan_of(root)
    assert plan.ok and plan.empty
    assert (plan.write, plan.take_down, plan.keyfiles) == ((), (), {})
    assert [f.code for f in plan.findings if f.code.startswith("UPGRADE_")] == ["UPGRADE_ALREADY_NETWORKMANAGER"]


def test_persisted_networks_without_any_profile_are_still_written(make_host) -> None:
    """An image or a host whose VDSM files are gone and NetworkManager has nothing: the persisted networks go in."""
    root = make_host({"var/lib/vdsm/persistence/netconf/nets/ovirtmgmt": NMSTATE_ERA_NET})
    plan = plan_of(root)
    assert [p.interface for p in plan.write] == ["eth0", "ovirtmgmt"]
    assert "UPGRADE_ALREADY_NETWORKMANAGER" not in {f.code for f in plan.findings}
