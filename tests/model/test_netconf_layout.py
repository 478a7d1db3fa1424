"""Discovery of VDSM config directories under a host root (spec §2.2, scenario 19, 25)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

import pytest

from ifcfg2nm.hostfiles import resolve_host_path
from ifcfg2nm.parser.netconf import PersistedConfig, read_netconf

PERSIST = "var/lib/vdsm/persistence"
NET = {"nic": "eth0", "bridged": True, "mtu": 1500}


def write_config(base: Path, nets: Optional[dict[str, Any]] = None,
                 bonds: Optional[dict[str, Any]] = None) -> None:
    for sub, entries in (("nets", nets), ("bonds", bonds)):
        if entries is None:
            continue
        (base / sub).mkdir(parents=True, exist_ok=True)
        for name, value in entries.items():
            (base / sub / name).write_text(json.dumps(value, indent=4))


def codes(config: PersistedConfig) -> list[str]:
    return [f.code for f in config.findings]


def read(root: Path, which: str = "persistent") -> PersistedConfig:
    config = read_netconf(str(root), which)
    assert config is not None
    return config


def test_no_config_at_all_is_none(tmp_path: Path) -> None:
    assert read_netconf(str(tmp_path), "persistent") is None
    assert read_netconf(str(tmp_path), "running") is None


def test_atomic_swap_link_with_absolute_target_is_read_inside_the_root(tmp_path: Path) -> None:
    persist = tmp_path / PERSIST
    write_config(persist / "netconf.Ab3dEf9x", {"ovirtmgmt": NET, "vmnet": NET})
    os.symlink("/" + PERSIST + "/netconf.Ab3dEf9x", persist / "netconf")
    config = read(tmp_path)
    assert [n.name for n in config.nets] == ["ovirtmgmt", "vmnet"]
    assert config.nets[0].value == NET
    assert config.real_path == str((persist / "netconf.Ab3dEf9x").resolve())
    assert config.nets[0].path == str(persist / "netconf" / "nets" / "ovirtmgmt")
    assert config.nets[0].host_path == "/var/lib/vdsm/persistence/netconf/nets/ovirtmgmt"
    assert config.findings == ()


def test_relative_link_target_works_too(tmp_path: Path) -> None:
    persist = tmp_path / PERSIST
    write_config(persist / "netconf.Ab3dEf9x", {"ovirtmgmt": NET})
    os.symlink("netconf.Ab3dEf9x", persist / "netconf")
    assert [n.name for n in read(tmp_path).nets] == ["ovirtmgmt"]


def test_orphan_directory_and_dangling_ln_link_are_ignored_with_info(tmp_path: Path) -> None:
    persist = tmp_path / PERSIST
    write_config(persist / "netconf.Ab3dEf9x", {"ovirtmgmt": NET})
    write_config(persist / "netconf.ZZZZZZZZ", {"stale": NET})
    os.symlink("/" + PERSIST + "/netconf.Ab3dEf9x", persist / "netconf")
    os.symlink("/" + PERSIST + "/netconf.Q1w2E3r4", persist / "netconf.Q1w2E3r4.ln")
    config = read(tmp_path)
    assert [n.name for n in config.nets] == ["ovirtmgmt"]
    assert codes(config) == ["PERSISTED_NETCONF_LEFTOVER"] * 2
    assert all(f.severity.value == "info" for f in config.findings)
    messages = " ".join(f.message for f in config.findings)
    assert "netconf.ZZZZZZZZ" in messages and "netconf.Q1w2E3r4.ln" in messages
    assert "dangling" in messages


def test_old_plain_directory_is_accepted(tmp_path: Path) -> None:
    write_config(tmp_path / PERSIST / "netconf", {"ovirtmgmt": NET}, {"bond0": {"nics": ["a"]}})
    config = read(tmp_path)
    assert [n.name for n in config.nets] == ["ovirtmgmt"]
    assert [b.name for b in config.bonds] == ["bond0"]
    assert config.findings == ()


def test_2013_timestamp_names(tmp_path: Path) -> None:
    persist = tmp_path / PERSIST
    write_config(persist / "netconf.1384265377123456789", {"ovirtmgmt": NET})
    os.symlink("/" + PERSIST + "/netconf.1384265377123456789", persist / "netconf")
    os.symlink("/" + PERSIST + "/netconf.1384265377123456789",
               persist / "netconf.link.1384265399000000000")
    config = read(tmp_path)
    assert [n.name for n in config.nets] == ["ovirtmgmt"]
    assert codes(config) == ["PERSISTED_NETCONF_LEFTOVER"]


def test_bonds_without_nets_is_an_existing_config(tmp_path: Path) -> None:
    write_config(tmp_path / PERSIST / "netconf", bonds={"bond0": {"nics": ["eth1"]}})
    config = read(tmp_path)
    assert config.exists and config.nets == () and len(config.bonds) == 1


def test_directory_without_nets_or_bonds_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / PERSIST / "netconf" / "devices").mkdir(parents=True)
    config = read(tmp_path)
    assert not config.exists
    assert codes(config) == ["PERSISTED_NO_ENTITIES"]


def test_zero_length_and_corrupt_files_are_reported_and_the_rest_read(tmp_path: Path) -> None:
    base = tmp_path / PERSIST / "netconf"
    write_config(base, {"good": NET})
    (base / "nets" / "empty").write_text("")
    (base / "nets" / "corrupt").write_text('{"nic": "eth0",')
    config = read(tmp_path)
    assert [n.name for n in config.nets] == ["corrupt", "empty", "good"]
    assert [f.code for f in config.nets[0].findings] == ["PERSISTED_JSON_SYNTAX"]
    assert [f.code for f in config.nets[1].findings] == ["PERSISTED_EMPTY"]
    assert config.nets[2].value == NET


def test_link_escaping_the_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "host"
    outside = tmp_path / "outside"
    write_config(outside, {"evil": NET})
    (root / PERSIST).mkdir(parents=True)
    os.symlink("../../../../../outside", root / PERSIST / "netconf")
    config = read(root)
    assert config.nets == ()
    assert codes(config) == ["INPUT_SYMLINK_ESCAPES"]
    assert not config.exists


def test_link_loop_is_reported(tmp_path: Path) -> None:
    persist = tmp_path / PERSIST
    persist.mkdir(parents=True)
    os.symlink("netconf.b", persist / "netconf")
    os.symlink("netconf", persist / "netconf.b")
    config = read(tmp_path)
    assert "INPUT_SYMLINK_LOOP" in codes(config)
    assert config.nets == ()


def test_dangling_netconf_link_is_an_error(tmp_path: Path) -> None:
    persist = tmp_path / PERSIST
    persist.mkdir(parents=True)
    os.symlink("/" + PERSIST + "/netconf.gone1234", persist / "netconf")
    config = read(tmp_path)
    assert codes(config) == ["PERSISTED_NETCONF_DANGLING"]
    assert not config.exists


def test_only_leftovers_without_netconf(tmp_path: Path) -> None:
    write_config(tmp_path / PERSIST / "netconf.Ab3dEf9x", {"ovirtmgmt": NET})
    config = read(tmp_path)
    assert not config.exists and config.nets == ()
    assert codes(config) == ["PERSISTED_NETCONF_MISSING", "PERSISTED_NETCONF_LEFTOVER"]


def test_entity_file_linking_outside_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "host"
    base = root / PERSIST / "netconf"
    write_config(base, {"good": NET})
    (tmp_path / "secret").write_text("{}")
    os.symlink("../../../../../../../secret", base / "nets" / "bad")
    config = read(root)
    assert [n.name for n in config.nets] == ["good"]
    assert codes(config) == ["INPUT_SYMLINK_ESCAPES"]


def test_subdirectory_in_nets_is_unexpected(tmp_path: Path) -> None:
    base = tmp_path / PERSIST / "netconf"
    write_config(base, {"good": NET})
    (base / "nets" / "sub").mkdir()
    config = read(tmp_path)
    assert codes(config) == ["PERSISTED_UNEXPECTED_ENTRY"]


def test_old_virtual_functions_become_device_entries(tmp_path: Path) -> None:
    base = tmp_path / PERSIST / "netconf"
    write_config(base, {"good": NET})
    (base / "virtual_functions").mkdir()
    (base / "virtual_functions" / "0000:3b:00.0").write_text("8")
    (base / "virtual_functions" / "0000:3b:00.1").write_text("x")
    (base / "devices").mkdir()
    (base / "devices" / "ens1f0").write_text('{"sriov": {"numvfs": 4}}')
    config = read(tmp_path)
    assert [d.name for d in config.devices] == ["0000:3b:00.0", "0000:3b:00.1", "ens1f0"]
    old = config.devices[0]
    assert old.value == {"sriov": {"numvfs": 8}}
    assert [f.code for f in old.findings] == ["PERSISTED_OLD_SRIOV"]
    assert config.devices[1].value is None
    assert [f.code for f in config.devices[1].findings] == ["PERSISTED_BAD_SRIOV"]
    assert config.devices[2].value == {"sriov": {"numvfs": 4}}


def test_running_prefers_staging(tmp_path: Path) -> None:
    write_config(tmp_path / "var/lib/vdsm/staging/netconf", {"new": NET})
    write_config(tmp_path / "var/run/vdsm/netconf", {"old": NET})
    config = read(tmp_path, "running")
    assert [n.name for n in config.nets] == ["new"]


def test_running_falls_back_to_volatile_run_dir(tmp_path: Path) -> None:
    write_config(tmp_path / "run/vdsm/netconf", {"old": NET})
    (tmp_path / "var").mkdir()
    os.symlink("/run", tmp_path / "var" / "run")
    config = read(tmp_path, "running")
    assert [n.name for n in config.nets] == ["old"]
    assert config.path == str(tmp_path / "var/run/vdsm/netconf")


def test_absolute_var_run_link_never_reads_this_machines_run(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    os.symlink("/run", tmp_path / "var" / "run")
    assert read_netconf(str(tmp_path), "running") is None


def test_resolve_host_path_missing_is_none(tmp_path: Path) -> None:
    assert resolve_host_path(str(tmp_path), "var/lib/nothing") is None


def test_unknown_which_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        read_netconf(str(tmp_path), "safe")


def test_deterministic_order_regardless_of_creation_order(tmp_path: Path) -> None:
    base = tmp_path / PERSIST / "netconf"
    write_config(base, {"zeta": NET, "alpha": NET, "mid": NET})
    assert [n.name for n in read(tmp_path).nets] == ["alpha", "mid", "zeta"]
