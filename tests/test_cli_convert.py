"""``ifcfg2nm convert``: output on stdout or into a directory, exit codes, nothing written when blocked."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
from pathlib import Path

import yaml

from ifcfg2nm import cli

from fixturehosts import FIXTURES

MGMT = str(FIXTURES / "mgmt-bridge-static")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli.main(["convert", *args])
        except SystemExit as exit_:
            rc = int(exit_.code or 0)
    return rc, out.getvalue(), err.getvalue()


def test_nmstate_yaml_on_stdout() -> None:
    rc, out, _ = run("--root", MGMT, "--to", "nmstate")
    state = yaml.safe_load(out)
    assert rc == 0
    assert [i["name"] for i in state["interfaces"]] == ["eth0", "ovirtmgmt"]


def test_nmstate_json_on_stdout() -> None:
    rc, out, _ = run("--root", MGMT, "--to", "nmstate", "--format", "json")
    assert rc == 0 and json.loads(out)["dns-resolver"]["config"]["server"] == ["192.0.2.2", "198.51.100.53"]


def test_same_input_same_bytes() -> None:
    assert run("--root", MGMT, "--to", "nmstate")[1] == run("--root", MGMT, "--to", "nmstate")[1]
    assert run("--root", MGMT, "--to", "keyfile")[1] == run("--root", MGMT, "--to", "keyfile")[1]


def test_keyfiles_written_with_mode_0600(tmp_path: Path) -> None:
    rc, _, _ = run("--root", MGMT, "--to", "keyfile", "--output", str(tmp_path / "out"))
    files = sorted(os.listdir(tmp_path / "out"))
    assert rc == 0 and files == ["eth0.nmconnection", "ovirtmgmt.nmconnection"]
    for name in files:
        assert stat.S_IMODE(os.stat(tmp_path / "out" / name).st_mode) == 0o600


def test_source_ifcfg_reads_the_network_scripts() -> None:
    rc, out, _ = run("--root", str(FIXTURES / "foreign-beside-vdsm"), "--to", "nmstate", "--source", "ifcfg")
    names = [i["name"] for i in yaml.safe_load(out)["interfaces"]]
    assert rc == 1  # the range file of this host cannot be converted (an error finding)
    assert "eth4" in names


def test_blocking_findings_write_nothing(tmp_path: Path) -> None:
    rc, _, err = run("--root", str(FIXTURES / "broken"), "--source", "ifcfg", "--to", "keyfile",
                     "--output", str(tmp_path / "out"))
    assert rc == 1
    assert not (tmp_path / "out").exists()
    assert "nothing written" in err and "error" in err


def test_unreadable_root_is_exit_2(tmp_path: Path) -> None:
    rc, _, err = run("--root", str(tmp_path / "missing"), "--to", "nmstate")
    assert rc == 2 and "HOST_NOT_A_DIRECTORY" in err


def test_output_needs_keyfile(tmp_path: Path) -> None:
    assert run("--root", MGMT, "--to", "nmstate", "--output", str(tmp_path))[0] == 2


def test_to_is_required() -> None:
    assert run("--root", MGMT)[0] == 2


def test_cli_sources_match_the_model_builders() -> None:
    from ifcfg2nm.commands import convert
    from ifcfg2nm.model import build

    assert convert.SOURCES == build.SOURCES
