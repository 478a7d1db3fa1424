"""``ifcfg2nm parse``: the JSON contract of design.md, exit codes, and bad input without tracebacks."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ifcfg2nm import cli

from fixturehosts import FIXTURES

MGMT = FIXTURES / "mgmt-bridge-static"
SCRIPTS = MGMT / "etc/sysconfig/network-scripts"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in-process (fast); ``run_process`` checks the real entry point."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = cli.main(list(args))
        except SystemExit as exit_:
            rc = int(exit_.code or 0)
    return subprocess.CompletedProcess(list(args), rc, out.getvalue(), err.getvalue())


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ifcfg2nm", *args], capture_output=True, text=True, timeout=60)


def parse_json(*files: Path) -> tuple[int, list]:
    proc = run("parse", "--format", "json", *map(str, files))
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_json_has_one_object_per_file_with_the_documented_keys() -> None:
    rc, out = parse_json(SCRIPTS / "ifcfg-ovirtmgmt", SCRIPTS / "route-ovirtmgmt", SCRIPTS / "rule-ovirtmgmt")
    assert rc == 0
    assert [o["kind"] for o in out] == ["ifcfg", "route", "rule"]
    for obj in out:
        assert {"file", "kind", "vdsm_owned", "values", "routes", "rules", "findings"} <= obj.keys()
        assert obj["vdsm_owned"] is True


def test_values_are_what_bash_sees() -> None:
    _, [obj] = parse_json(SCRIPTS / "ifcfg-ovirtmgmt")
    assert obj["values"]["IPADDR"] == "192.0.2.10"
    assert obj["values"]["STP"] == "off"


def test_route_and_rule_entries() -> None:
    _, [route, rule] = parse_json(SCRIPTS / "route-ovirtmgmt", SCRIPTS / "rule-ovirtmgmt")
    assert route["routes"][0]["destination"] == "0.0.0.0/0"
    assert route["routes"][0]["table"] == 3221225994
    assert rule["rules"][0]["priority"] == 32000


def test_persisted_file_values_are_its_json_object() -> None:
    _, [obj] = parse_json(MGMT / "var/lib/vdsm/persistence/netconf/nets/ovirtmgmt")
    assert obj["kind"] == "persisted"
    assert obj["values"]["nic"] == "eth0"


def test_network_file_kind(tmp_path: Path) -> None:
    path = tmp_path / "network"
    path.write_text("GATEWAY=192.0.2.1\n")
    _, [obj] = parse_json(path)
    assert obj["kind"] == "network"


def test_finding_json_shape_and_blocking_exit_code() -> None:
    rc, [obj] = parse_json(FIXTURES / "broken/etc/sysconfig/network-scripts/ifcfg-eth1")
    assert rc == 1
    finding = obj["findings"][0]
    assert {"code", "severity", "file", "line", "message"} <= finding.keys()
    assert finding["code"] == "IFCFG_SHELL_EXPANSION" and finding["line"] == 4


def test_text_output_lists_keys_with_lines() -> None:
    proc = run("parse", str(SCRIPTS / "ifcfg-eth0"))
    assert proc.returncode == 0
    assert "BRIDGE=ovirtmgmt" in proc.stdout


def test_missing_file_is_exit_2_without_traceback(tmp_path: Path) -> None:
    rc, [obj] = parse_json(tmp_path / "ifcfg-nothere")
    assert rc == 2
    assert obj["findings"][0]["code"] == "INPUT_UNREADABLE"


def test_directory_is_refused(tmp_path: Path) -> None:
    rc, [obj] = parse_json(tmp_path)
    assert (rc, obj["findings"][0]["code"]) == (2, "INPUT_NOT_REGULAR")


def test_file_over_10_mib_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ifcfg-big"
    with open(path, "wb") as f:
        f.truncate(10 * 1024 * 1024 + 1)
    rc, [obj] = parse_json(path)
    assert (rc, obj["findings"][0]["code"]) == (2, "INPUT_TOO_LARGE")


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ifcfg-bin"
    path.write_bytes(b"DEVICE=eth0\n\x00\x01\x02")
    rc, [obj] = parse_json(path)
    assert (rc, obj["findings"][0]["code"], obj["findings"][0]["line"]) == (2, "INPUT_BINARY", 2)


def test_bad_json_names_line_and_column(tmp_path: Path) -> None:
    nets = tmp_path / "nets"
    nets.mkdir()
    (nets / "net1").write_text('{\n    "nic": "eth0",\n    "mtu": 15oo\n}')
    rc, [obj] = parse_json(nets / "net1")
    assert rc == 1
    assert obj["findings"][0]["line"] == 3


def test_dangling_symlink_is_unreadable(tmp_path: Path) -> None:
    link = tmp_path / "ifcfg-eth0"
    os.symlink(tmp_path / "gone", link)
    rc, _ = parse_json(link)
    assert rc == 2


def test_usage_error_is_exit_2() -> None:
    assert run("parse").returncode == 2
    assert run("frobnicate").returncode == 2


def test_console_entry_point_runs_as_a_process(tmp_path: Path) -> None:
    proc = run_process("parse", "--format", "json", str(tmp_path / "ifcfg-nothere"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)[0]["findings"][0]["code"] == "INPUT_UNREADABLE"


def test_internal_error_is_one_line_and_exit_70(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    def explode(_path: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("ifcfg2nm.hosttree.parse_file", explode)
    assert cli.main(["parse", "x"]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "boom" in err and "Traceback" not in err


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ifcfg2nm.hosttree.parse_file", lambda _p: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        cli.main(["parse", "--debug", "x"])
