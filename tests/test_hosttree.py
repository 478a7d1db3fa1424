"""Reading a host tree: every file found and parsed, hostile entries reported, nothing outside read."""

from __future__ import annotations

import os
from pathlib import Path

from ifcfg2nm.hosttree import load_host

SCRIPTS = "etc/sysconfig/network-scripts"


def codes(tree) -> dict:
    return {f.code: f for f in tree.all_findings()}


def test_files_are_sorted_by_kind(make_host) -> None:
    root = make_host({"ifcfg-eth0": "DEVICE=eth0\n", "route-eth0": "10.0.0.0/8 via 192.0.2.1\n",
                      "rule-eth0": "from 192.0.2.0/24 table 5\n", "route6-eth0": "2001:db8::/32 via fe80::1\n",
                      "etc/sysconfig/network": "NETWORKING=yes\n"})
    tree = load_host(str(root))
    assert [d.kind.value for d in tree.ifcfg] == ["ifcfg"]
    assert sorted(d.kind.value for d in tree.routes) == ["route", "route6"]
    assert [d.kind.value for d in tree.rules] == ["rule"]
    assert tree.network is not None


def test_host_paths_are_as_the_host_sees_them(make_host) -> None:
    tree = load_host(str(make_host({"ifcfg-eth0": "DEVICE=eth0\n"})))
    assert tree.ifcfg[0].host_path == "/etc/sysconfig/network-scripts/ifcfg-eth0"


def test_backup_suffixes_are_ignored_and_reported(make_host) -> None:
    tree = load_host(str(make_host({"ifcfg-eth0.bak": "DEVICE=eth0\n", "ifcfg-eth1.rpmnew": "DEVICE=eth1\n"})))
    assert tree.ifcfg == ()
    assert sum(f.code == "HOST_IGNORED_FILE" for f in tree.findings) == 2


def test_keys_file_is_reported(make_host) -> None:
    tree = load_host(str(make_host({"keys-wlan0": "WPA_PSK=secret\n"})))
    assert "HOST_KEYS_FILE" in codes(tree)


def test_symlink_leaving_the_tree_is_not_read(make_host, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("DEVICE=eth9\n")
    root = make_host({"ifcfg-eth0": "DEVICE=eth0\n"})
    os.symlink("../../../../outside", root / SCRIPTS / "ifcfg-eth9")
    tree = load_host(str(root))
    assert [d.values()["DEVICE"] for d in tree.ifcfg] == ["eth0"]
    assert codes(tree)["INPUT_SYMLINK_ESCAPES"].position.file.endswith("ifcfg-eth9")


def test_absolute_symlink_means_the_same_path_inside_the_tree(make_host) -> None:
    root = make_host({"ifcfg-eth0": "DEVICE=eth0\n", "etc/sysconfig/eth1.conf": "DEVICE=eth1\n"})
    os.symlink("/etc/sysconfig/eth1.conf", root / SCRIPTS / "ifcfg-eth1")
    assert sorted(d.values()["DEVICE"] for d in load_host(str(root)).ifcfg) == ["eth0", "eth1"]


def test_absolute_symlink_never_reads_this_machine(make_host) -> None:
    root = make_host({"ifcfg-eth0": "DEVICE=eth0\n"})
    os.symlink("/etc/hostname", root / SCRIPTS / "ifcfg-host")
    tree = load_host(str(root))
    assert len(tree.ifcfg) == 1 and "INPUT_UNREADABLE" in codes(tree)


def test_relative_symlink_climbing_out_is_refused(make_host) -> None:
    root = make_host({"ifcfg-eth0": "DEVICE=eth0\n"})
    os.symlink("../../../../../etc/hostname", root / SCRIPTS / "ifcfg-up")
    assert "INPUT_SYMLINK_ESCAPES" in codes(load_host(str(root)))


def test_symlink_loop_is_reported(make_host) -> None:
    root = make_host({"ifcfg-eth0": "DEVICE=eth0\n"})
    os.symlink("ifcfg-loop2", root / SCRIPTS / "ifcfg-loop1")
    os.symlink("ifcfg-loop1", root / SCRIPTS / "ifcfg-loop2")
    tree = load_host(str(root))
    assert len(tree.ifcfg) == 1
    assert "INPUT_SYMLINK_LOOP" in codes(tree)


def test_symlink_inside_the_tree_is_followed(make_host) -> None:
    root = make_host({"ifcfg-eth0": "DEVICE=eth0\n"})
    os.symlink("ifcfg-eth0", root / SCRIPTS / "ifcfg-eth0-link")
    assert len(load_host(str(root)).ifcfg) == 2


def test_oversized_file_is_reported_and_the_rest_is_read(make_host) -> None:
    root = make_host({"ifcfg-eth0": "DEVICE=eth0\n"})
    with open(root / SCRIPTS / "ifcfg-huge", "wb") as f:
        f.truncate(20 * 1024 * 1024)
    tree = load_host(str(root))
    assert len(tree.ifcfg) == 1
    assert "INPUT_TOO_LARGE" in codes(tree)


def test_binary_file_is_reported(make_host) -> None:
    tree = load_host(str(make_host({"ifcfg-bin": b"\x7fELF\x00\x00"})))
    assert tree.ifcfg == () and "INPUT_BINARY" in codes(tree)


def test_missing_root_is_reported(tmp_path: Path) -> None:
    tree = load_host(str(tmp_path / "nowhere"))
    assert "HOST_NOT_A_DIRECTORY" in codes(tree)


def test_tree_without_network_scripts_is_fine(tmp_path: Path) -> None:
    tree = load_host(str(tmp_path))
    assert tree.ifcfg == () and "HOST_NO_NETWORK_SCRIPTS" in codes(tree)


def test_netconfback_entries(make_host) -> None:
    root = make_host({"var/lib/vdsm/netconfback/ifcfg-em1": "DEVICE=em1\nBOOTPROTO=dhcp\n",
                      "var/lib/vdsm/netconfback/ifcfg-em2": "# original file did not exist\n"})
    backups = {b.name: b for b in load_host(str(root)).backups}
    assert backups["ifcfg-em2"].deletes and not backups["ifcfg-em1"].deletes
    assert backups["ifcfg-em1"].document is not None


def test_libvirt_network_names(make_host) -> None:
    xml = ("<network><name>vdsm-storage</name><forward mode='passthrough'>"
           "<interface dev='eth1.20'/></forward></network>")
    root = make_host({"etc/libvirt/qemu/networks/vdsm-storage.xml": xml})
    [net] = load_host(str(root)).libvirt_networks
    assert (net.network, net.interface) == ("storage", "eth1.20")


def test_libvirt_entities_are_refused(make_host) -> None:
    xml = '<!DOCTYPE network [<!ENTITY x "y">]><network><name>vdsm-a</name></network>'
    tree = load_host(str(make_host({"etc/libvirt/qemu/networks/vdsm-a.xml": xml})))
    assert tree.libvirt_networks == () and "LIBVIRT_BAD_XML" in codes(tree)
