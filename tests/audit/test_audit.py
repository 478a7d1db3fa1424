"""``ifcfg2nm audit``: output shape, determinism, exit codes, ownership, drift, zero writes, hostile fleets.

Expectations about the fixture hosts come from fixtures/README.md (file:line of
what a correct audit reports).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ifcfg2nm import cli, exitcodes
from ifcfg2nm.audit import report as report_module
from ifcfg2nm.audit.fleet import audit_many
from ifcfg2nm.audit.report import HostReport, audit_host

from fixturehosts import FIXTURES, ROOT, TreeMaker, fixture_hosts

S = "etc/sysconfig/network-scripts/"
PERSISTENT = "var/lib/vdsm/persistence/netconf/"
RUNNING = "var/lib/vdsm/staging/netconf/"
CONSISTENT = ["mgmt-bridge-static", "bond-vlans", "dhcp-ipv6", "source-routing"]


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ifcfg2nm", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)


def run_main(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    old = sys.stdout
    sys.stdout = out
    try:
        code = cli.main(list(args))
    finally:
        sys.stdout = old
    return code, out.getvalue()


def fixture(name: str) -> HostReport:
    return audit_host(str(FIXTURES / name))


def at(report: HostReport, code: str) -> set[tuple[str, int]]:
    return {(f.position.file, f.position.line) for f in report.findings if f.code == code}


# --- output shape -----------------------------------------------------------------------------

FINDING_SCHEMA = {
    "type": "object",
    "required": ["code", "severity", "file", "line", "column", "message", "hint"],
    "properties": {"code": {"type": "string", "pattern": "^[A-Z0-9_]+$"},
                   "severity": {"enum": ["info", "warning", "error"]},
                   "file": {"type": "string"}, "line": {"type": "integer", "minimum": 0},
                   "message": {"type": "string"}, "hint": {"type": "string"}},
}
WHERE = {"type": "object", "required": ["file", "line"],
         "properties": {"file": {"type": "string"}, "line": {"type": "integer"}}, "additionalProperties": False}
ENTITY = {
    "type": "object", "required": ["name", "in", "missing", "drift"],
    "properties": {"in": {"type": "object", "additionalProperties": WHERE},
                   "missing": {"type": "array", "items": {"enum": ["persistent", "running", "ifcfg"]}},
                   "drift": {"type": "array", "items": {"type": "object", "required": ["field", "values"]}}},
}
HOST_SCHEMA = {
    "type": "object",
    "required": ["host", "root", "status", "exit_code", "source", "counts", "files", "vdsm", "plan", "findings"],
    "additionalProperties": False,
    "properties": {
        "host": {"type": "string"},
        "root": {"type": "string"},
        "status": {"enum": ["clean", "warnings", "blocked", "unreadable", "failed"]},
        "exit_code": {"enum": [0, 1, 2, 70]},
        "source": {"enum": ["persisted", "ifcfg", "none"]},
        "counts": {"type": "object", "required": ["error", "warning", "info"]},
        "files": {"type": "array", "items": {
            "type": "object", "required": ["file", "kind", "owner", "action"],
            "properties": {"action": {"enum": ["remove", "replace", "keep", "read", "unknown"]}}}},
        "vdsm": {"anyOf": [{"type": "null"}, {
            "type": "object", "required": ["compared", "networks", "bonds"],
            "properties": {"networks": {"type": "array", "items": ENTITY},
                           "bonds": {"type": "array", "items": ENTITY}}}]},
        "plan": {"anyOf": [{"type": "null"}, {
            "type": "object", "required": ["source", "blocked_by", "backup", "remove", "write", "take_down", "keep"],
            "properties": {"source": {"enum": ["persisted", "ifcfg"]},
                           "blocked_by": {"type": "array", "items": {"type": "string"}},
                           "backup": {"type": "array", "items": {"type": "string"}},
                           "remove": {"type": "array", "items": {"type": "string"}},
                           "write": {"type": "array", "items": {
                               "type": "object", "required": ["uuid", "id", "interface", "type", "keyfile"]}},
                           "take_down": {"type": "array", "items": {
                               "type": "object", "required": ["name", "kind", "why"]}},
                           "keep": {"type": "array", "items": {"type": "string"}}},
            "additionalProperties": False}]},
        "findings": {"type": "array", "items": FINDING_SCHEMA},
    },
}
DOCUMENT_SCHEMA = {
    "type": "object", "required": ["format", "hosts", "summary"], "additionalProperties": False,
    "properties": {
        "format": {"const": "ifcfg2nm-audit/1"},
        "hosts": {"type": "array", "items": HOST_SCHEMA},
        "summary": {"type": "object", "required": ["hosts", "status", "exit_code", "codes"], "properties": {
            "codes": {"type": "array", "items": {"type": "object",
                                                 "required": ["code", "severity", "hosts", "findings"]}}}},
    },
}


def test_json_document_matches_the_documented_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    code, text = run_main("audit", "--fleet", str(FIXTURES), "--format", "json")
    document = json.loads(text)
    jsonschema.validate(document, DOCUMENT_SCHEMA)
    assert [h["host"] for h in document["hosts"]] == fixture_hosts()
    assert document["summary"]["hosts"] == len(fixture_hosts())
    assert code == document["summary"]["exit_code"] == exitcodes.BLOCKED
    lines = text.splitlines()
    assert len(lines) == len(fixture_hosts()) + 2, "the header, one host per line, then the summary"
    assert lines[0] == '{"format":"ifcfg2nm-audit/1","hosts":[' and lines[-1].startswith('],"summary":')


def test_json_paths_are_host_relative() -> None:
    document = json.loads(run_main("audit", "--root", str(FIXTURES / "out-of-sync"), "--format", "json")[1])
    host = document["hosts"][0]
    assert host["root"] == str(FIXTURES / "out-of-sync")
    files = [f["file"] for f in host["findings"]] + [f["file"] for f in host["files"]]
    assert all(not f.startswith("/") and str(FIXTURES) not in f for f in files)
    assert all(str(FIXTURES) not in f["message"] for f in host["findings"])


def test_text_for_one_host_has_a_summary_table_and_findings_by_severity() -> None:
    code, text = run_main("audit", "--root", str(FIXTURES / "foreign-beside-vdsm"))
    assert code == exitcodes.BLOCKED
    lines = text.splitlines()
    assert lines[0].startswith(f"Host {FIXTURES / 'foreign-beside-vdsm'}: BLOCKED")
    for row in ("findings", "files", "networks", "plan"):
        assert any(line.startswith(f"  {row} ") for line in lines[1:8]), row
    titles = [line for line in lines if line.startswith(("Errors", "Warnings", "Info"))]
    assert [t.split(":")[0] for t in titles] == ["Errors (block the migration)", "Warnings", "Info"]
    assert "Plan preview (what `ifcfg2nm upgrade` would do)" in lines
    assert f"  {S}ifcfg-eth4-range0:1: address range files are not converted [IFCFG_RANGE_FILE]" in lines


def test_fleet_text_has_one_row_per_host_and_a_rollup() -> None:
    _, text = run_main("audit", "--fleet", str(FIXTURES))
    rows = [line.split() for line in text.splitlines() if line and not line.startswith((" ", "HOST"))]
    hosts = {r[0]: r[1] for r in rows if r[0] in fixture_hosts()}
    assert hosts == {h: fixture(h).status for h in fixture_hosts()}
    count = {s: list(hosts.values()).count(s) for s in ("clean", "warnings", "blocked")}
    assert (f"Fleet: {len(hosts)} hosts: {count['clean']} clean, {count['warnings']} with warnings, "
            f"{count['blocked']} blocked, 0 unreadable, 0 failed") in text
    assert "Top finding codes" in text


def test_no_progress_bar_when_piped_or_json() -> None:
    result = run_cli("audit", "--fleet", str(FIXTURES), "--jobs", "2")
    assert result.stderr == ""
    json_result = run_cli("audit", "--fleet", str(FIXTURES), "--format", "json")
    assert json_result.stderr == ""


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_for_text_only() -> None:
    hosts = [(h, str(FIXTURES / h)) for h in fixture_hosts()[:3]]
    err = FakeTerminal()
    audit_many(hosts, fmt="text", jobs=1, out=io.StringIO(), err=err)
    assert "audit [" in err.getvalue() and "3/3 hosts" in err.getvalue()
    assert err.getvalue().endswith("\r\033[K"), "the bar is cleared at the end"
    err = FakeTerminal()
    audit_many(hosts, fmt="json", jobs=1, out=io.StringIO(), err=err)
    assert err.getvalue() == ""


# --- determinism ------------------------------------------------------------------------------


def test_same_input_same_bytes_whatever_the_jobs() -> None:
    one = run_cli("audit", "--fleet", str(FIXTURES), "--format", "json", "--jobs", "1")
    again = run_cli("audit", "--fleet", str(FIXTURES), "--format", "json", "--jobs", "1")
    two = run_cli("audit", "--fleet", str(FIXTURES), "--format", "json", "--jobs", "2")
    assert one.stdout == again.stdout == two.stdout
    assert one.returncode == two.returncode == exitcodes.BLOCKED
    text1 = run_cli("audit", "--fleet", str(FIXTURES), "--jobs", "1")
    text2 = run_cli("audit", "--fleet", str(FIXTURES), "--jobs", "2")
    assert text1.stdout == text2.stdout


def test_a_host_reads_the_same_wherever_it_was_collected(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "out-of-sync", tmp_path / "elsewhere", symlinks=True)
    here = json.loads(run_main("audit", "--root", str(FIXTURES / "out-of-sync"), "--format", "json")[1])
    there = json.loads(run_main("audit", "--root", str(tmp_path / "elsewhere"), "--format", "json")[1])
    for document in (here, there):
        document["hosts"][0].pop("root")
        document["hosts"][0].pop("host")
    assert here == there


# --- exit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(("host", "expected"), [
    ("mgmt-bridge-static", exitcodes.OK), ("out-of-sync", exitcodes.OK), ("broken", exitcodes.BLOCKED),
    ("ovs-network", exitcodes.BLOCKED),
])
def test_exit_code_of_one_host(host: str, expected: int) -> None:
    assert run_main("audit", "--root", str(FIXTURES / host), "--format", "json")[0] == expected


def test_unreadable_input_exits_2(make_host: TreeMaker) -> None:
    root = make_host({"ifcfg-lo": "DEVICE=lo\n"})
    (root / S / "ifcfg-eth0").symlink_to("/nonexistent-target")
    code, text = run_main("audit", "--root", str(root), "--format", "json")
    assert code == exitcodes.USAGE
    assert json.loads(text)["hosts"][0]["status"] == "unreadable"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("audit", "--fleet", str(tmp_path / "missing")).returncode == exitcodes.USAGE
    assert run_cli("audit", "--jobs", "0").returncode == exitcodes.USAGE
    assert run_cli("audit", "--format", "yaml").returncode == exitcodes.USAGE


def test_internal_error_exits_70_and_is_a_failed_entry(make_host: TreeMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any) -> Any:
        raise RuntimeError("injected")

    monkeypatch.setattr(report_module, "audit_tree", boom)
    code, text = run_main("audit", "--root", str(make_host({"ifcfg-eth0": "DEVICE=eth0\n"})), "--format", "json")
    host = json.loads(text)["hosts"][0]
    assert code == exitcodes.INTERNAL
    assert (host["status"], host["findings"][0]["code"]) == ("failed", "AUDIT_HOST_FAILED")
    assert "RuntimeError: injected" in host["findings"][0]["message"]


def test_several_roots_are_a_small_fleet() -> None:
    code, text = run_main("audit", "--root", str(FIXTURES / "mgmt-bridge-static"),
                          "--root", str(FIXTURES / "broken"), "--format", "json")
    document = json.loads(text)
    assert [h["status"] for h in document["hosts"]] == ["clean", "blocked"]
    assert code == exitcodes.BLOCKED


# --- ownership --------------------------------------------------------------------------------


def test_ownership_and_actions_on_a_mixed_host() -> None:
    report = fixture("foreign-beside-vdsm")
    files = {e.path: (e.owner, e.action) for e in report.files}
    assert files[S + "ifcfg-ovirtmgmt"] == ("vdsm", "remove")
    assert files[S + "rule-ovirtmgmt"] == ("vdsm", "remove")
    assert files[S + "ifcfg-eth2"] == ("foreign", "keep")  # a comment above VDSM's header
    assert files[S + "ifcfg-Wired_connection_1"] == ("foreign", "keep")
    assert files[S + "ifcfg-eth5.bak"] == ("foreign", "keep")
    assert files["etc/sysconfig/network"] == ("foreign", "keep")
    assert files[PERSISTENT + "nets/ovirtmgmt"] == ("vdsm", "read")
    assert {p for p, (_, action) in files.items() if action == "remove"} == set(report.plan.remove)
    assert at(report, "AUDIT_VDSM_HEADER_DISPLACED") == {(S + "ifcfg-eth2", 2)}
    assert (S + "ifcfg-eth2", 0) in at(report, "UPGRADE_FOREIGN_FILE_KEPT")


def test_headerless_vdsm_routing_files_are_recognised() -> None:
    report = fixture("ifcfg-only")
    assert at(report, "AUDIT_VDSM_ROUTING_NO_HEADER") == {(S + "route-ovirtmgmt", 1), (S + "rule-ovirtmgmt", 1)}
    files = {e.path: e.action for e in report.files}
    assert files[S + "route-ovirtmgmt"] == files[S + "rule-ovirtmgmt"] == "keep"


def test_unsaved_netconfback_changes_are_reported() -> None:
    report = fixture("ifcfg-only")
    assert at(report, "DRIFT_UNSAVED_BACKUP") == {
        ("var/lib/vdsm/netconfback/ifcfg-em1", 7),
        ("var/lib/vdsm/netconfback/ifcfg-em2", 1),
        ("var/lib/vdsm/netconfback/ifcfg-vmnet", 1),
    }


# --- drift ------------------------------------------------------------------------------------


def test_out_of_sync_networks_are_reported_with_both_sides() -> None:
    report = fixture("out-of-sync")
    assert report.drift is not None and report.drift.compared == ("persistent", "running", "ifcfg")
    entities = {(e.kind, e.name): e for e in report.drift.entities}

    newnet = entities[("network", "newnet")]
    assert newnet.missing == ("persistent",)
    assert {(s.source, s.position.file, s.position.line) for s in newnet.present} == {
        ("running", RUNNING + "nets/newnet", 5), ("ifcfg", S + "ifcfg-eth1.300", 2)}
    assert at(report, "DRIFT_NOT_PERSISTED") == {(RUNNING + "nets/newnet", 5)}

    storage = entities[("network", "storage")]
    assert [f.field for f in storage.fields] == ["ipaddr"]
    assert {(s.source, s.value, s.position.file, s.position.line) for s in storage.fields[0].sides} == {
        ("persistent", "198.51.100.100", PERSISTENT + "nets/storage", 5),
        ("running", "198.51.100.101", RUNNING + "nets/storage", 5),
        ("ifcfg", "198.51.100.101", S + "ifcfg-eth1", 4),
    }

    bond0 = entities[("bond", "bond0")]
    assert [f.field for f in bond0.fields] == ["options"]
    assert {(s.source, s.position.file, s.position.line) for s in bond0.fields[0].sides} == {
        ("persistent", PERSISTENT + "bonds/bond0", 7), ("running", RUNNING + "bonds/bond0", 7),
        ("ifcfg", S + "ifcfg-bond0", 3)}
    assert at(report, "DRIFT_CHANGED") == {(PERSISTENT + "nets/storage", 5), (PERSISTENT + "bonds/bond0", 7)}

    backup = entities[("network", "backup")]
    assert backup.missing == ("ifcfg",)
    assert at(report, "DRIFT_NO_IFCFG") == {(PERSISTENT + "nets/backup", 4)}

    for name in ("ovirtmgmt", "vmnet"):
        assert entities[("network", name)].in_sync


@pytest.mark.parametrize("host", CONSISTENT)
def test_consistent_hosts_have_no_drift(host: str) -> None:
    report = fixture(host)
    assert report.drift is not None and report.drift.compared == ("persistent", "running", "ifcfg")
    assert all(e.in_sync for e in report.drift.entities), [e for e in report.drift.entities if not e.in_sync]
    assert not [f for f in report.findings if f.code.startswith("DRIFT_")]


def test_the_shared_base_mtu_is_not_drift() -> None:
    report = fixture("bond-vlans")
    migration = next(e for e in report.drift.entities if e.name == "migration")
    assert migration.in_sync


def test_old_era_conflict_between_json_and_ifcfg_is_reported() -> None:
    report = fixture("old-era-headers")
    ovirtmgmt = next(e for e in report.drift.entities if e.name == "ovirtmgmt")
    fields = {f.field: {s.source: s.value for s in f.sides} for f in ovirtmgmt.fields}
    assert fields["bootproto"] == {"persistent": "none", "ifcfg": "dhcp"}
    assert fields["ipaddr"] == {"persistent": "192.0.2.60", "ifcfg": None}
    bootproto = next(f for f in ovirtmgmt.fields if f.field == "bootproto")
    assert {(s.position.file, s.position.line) for s in bootproto.sides if s.source == "ifcfg"} == {
        (S + "ifcfg-ovirtmgmt", 18)}


def test_an_unsaved_bond_is_not_said_to_be_set_up_by_the_upgrade(make_host: TreeMaker) -> None:
    # only in the running config: DRIFT_NOT_PERSISTED says the upgrade does not convert it,
    # and no DRIFT_NO_IFCFG may claim the opposite
    root = make_host({
        "ifcfg-eth0": "# Generated by VDSM version 4.30.46.1\nDEVICE=eth0\nBOOTPROTO=dhcp\nMTU=1500\n"
                      "DEFROUTE=yes\nNM_CONTROLLED=no\nIPV6INIT=no\n",
        "var/lib/vdsm/persistence/netconf/nets/mgmt": json.dumps(
            {"nic": "eth0", "bridged": False, "bootproto": "dhcp", "defaultRoute": True}),
        "var/lib/vdsm/staging/netconf/nets/mgmt": json.dumps(
            {"nic": "eth0", "bridged": False, "bootproto": "dhcp", "defaultRoute": True}),
        "var/lib/vdsm/staging/netconf/bonds/bond7": json.dumps({"nics": ["eth5"], "options": "mode=1"}),
    })
    report = audit_host(str(root))
    assert at(report, "DRIFT_NOT_PERSISTED") == {("var/lib/vdsm/staging/netconf/bonds/bond7", 1)}
    assert report.drift is not None and report.drift.compared == ("persistent", "running", "ifcfg")
    assert not at(report, "DRIFT_NO_IFCFG")


def test_ovs_networks_are_not_missing_from_ifcfg() -> None:
    report = fixture("ovs-network")
    assert not at(report, "DRIFT_NO_IFCFG")


# --- the hosts in fixtures/README.md ---------------------------------------------------------


def test_dns_and_defaults_divergences() -> None:
    report = fixture("dns-and-defaults")
    expected = {
        ("IFCFG_GATEWAYDEV_OVERRIDES", "etc/sysconfig/network", 3),
        ("IFCFG_METRIC", S + "ifcfg-ens4", 4),
        ("ROUTE_FILE_BY_DEVICE", S + "route-ens3", 1), ("ROUTE_FILE_BY_DEVICE", S + "rule-ens3", 1),
        ("IFCFG_PEERDNS_WITH_DNS", S + "ifcfg-eth0", 10), ("IFCFG_DNS_BEYOND_3", S + "ifcfg-eth0", 14),
        ("IFCFG_ZEROCONF_ROUTE", S + "ifcfg-ens4", 1), ("IFCFG_ZEROCONF_ROUTE", S + "ifcfg-bond0", 1),
        ("IFCFG_INITSCRIPTS_ONLY_KEY", S + "ifcfg-eth0", 16), ("IFCFG_INITSCRIPTS_ONLY_KEY", S + "ifcfg-eth0", 18),
        ("IFCFG_INITSCRIPTS_ONLY_KEY", S + "ifcfg-ens4", 5), ("IFCFG_INITSCRIPTS_ONLY_KEY", S + "ifcfg-ens4", 6),
        ("IFCFG_INITSCRIPTS_ONLY_KEY", S + "ifcfg-ens4", 10), ("IFCFG_ETHTOOL_OTHER_DEVICE", S + "ifcfg-eth0", 17),
        ("IFCFG_IPV6INIT_UNSET", S + "ifcfg-eth0", 2), ("IFCFG_BOOL_ON_OFF", S + "ifcfg-ens4", 3),
        ("IFCFG_DHCPV6_WITH_AUTOCONF", S + "ifcfg-ens4", 9), ("IFCFG_BOOL_ON_OFF", S + "ifcfg-bond0", 8),
        ("IFCFG_MASTER_WITHOUT_SLAVE", S + "ifcfg-ens5", 2),
    }
    got = {(f.code, f.position.file, f.position.line) for f in report.findings}
    assert expected <= got, expected - got
    assert not at(report, "IFCFG_ZEROCONF_ROUTE") & {(S + "ifcfg-eth0", 1), (S + "ifcfg-eth0", 2)}, \
        "ens3 has NOZEROCONF=yes"


def test_policy_reports_of_the_vdsm_hosts() -> None:
    """fixtures/README.md: the IPv6 default route VDSM's translation drops (scenario 26), and rules whose
    table nothing fills (host 4, eth3's table 100)."""
    assert at(fixture("dhcp-ipv6"), "VDSM_IPV6_DEFAULT_ROUTE_DROPPED") == {
        (S + "ifcfg-eth2.20", 13), (PERSISTENT + "nets/storage", 13)}
    assert at(fixture("source-routing"), "ROUTE_RULE_TABLE_EMPTY") == {(S + "rule-eth3", 2), (S + "rule-eth3", 3)}


def test_global_gateway_on_a_multi_nic_host() -> None:
    report = fixture("foreign-beside-vdsm")
    messages = [f.message for f in report.findings if f.code == "IFCFG_GLOBAL_GATEWAY"]
    assert at(report, "IFCFG_GLOBAL_GATEWAY") == {("etc/sysconfig/network", 4)}
    assert any(m.startswith("eth4: the global GATEWAY=192.0.2.1 is outside 203.0.113.54/24") for m in messages)


def test_broken_host_names_every_defect() -> None:
    report = fixture("broken")
    assert report.status == "blocked"
    for name, line, code in [("ifcfg-eth0", 4, "IFCFG_UNTERMINATED_QUOTE"), ("ifcfg-eth1", 4, "IFCFG_SHELL_EXPANSION"),
                             ("ifcfg-eth2", 3, "IFCFG_EXPORT"), ("ifcfg-eth4", 4, "IFCFG_SHELL_COMMAND"),
                             ("ifcfg-bond2", 4, "BOND_OPTION_UNKNOWN"), ("rule-eth8", 2, "RULE_SYNTAX")]:
        assert (S + name, line) in at(report, code), (name, code)
    assert (PERSISTENT + "nets/trunc", 9) in at(report, "PERSISTED_JSON_SYNTAX")
    assert not [f for f in report.findings if "oldnet" in f.message]


# --- zero writes ------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under ``root`` (not following links): type, mode, mtime, and content or link target."""
    out: dict[str, tuple[Any, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(path), st.st_mtime_ns)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", st.st_mode, st.st_mtime_ns)
            else:
                with open(path, "rb") as f:
                    out[rel] = ("file", st.st_mode, st.st_mtime_ns, f.read())
    return out


def test_audit_and_dry_run_upgrade_write_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fixture host, every output mode, and ``upgrade --dry-run``: not one byte, mode or mtime changes
    under the temp root, and nothing is created (the current directory is inside it too)."""
    trees = tmp_path / "trees"
    for host in fixture_hosts():
        shutil.copytree(FIXTURES / host, trees / host, symlinks=True)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    assert run_cli("audit", "--fleet", str(trees), "--jobs", "2", cwd=tmp_path).returncode == exitcodes.BLOCKED
    assert run_main("audit", "--fleet", str(trees), "--format", "json")[0] == exitcodes.BLOCKED
    for host in fixture_hosts():
        assert run_main("audit", "--root", str(trees / host))[0] in (exitcodes.OK, exitcodes.BLOCKED)
        code, _ = run_main("upgrade", "--root", str(trees / host), "--dry-run", "--backend", "offline")
        assert code in (exitcodes.OK, exitcodes.BLOCKED), host
    assert snapshot(tmp_path) == before


def test_audit_works_on_a_read_only_tree(tmp_path: Path) -> None:
    """The tree (and the temp root around it) mounted read-only: any write attempt would fail loudly."""
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "--mount", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs unshare --mount (root) for a read-only bind mount")
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "out-of-sync", tree, symlinks=True)
    expected = run_cli("audit", "--root", str(tree), "--format", "json", cwd=tmp_path)
    script = (f"mount --bind {tmp_path} {tmp_path} && mount -o remount,bind,ro {tmp_path} && "
              f"exec {sys.executable} -m ifcfg2nm audit --root {tree} --format json --jobs 2")
    result = subprocess.run(["unshare", "--mount", "sh", "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert result.returncode == expected.returncode == exitcodes.OK, result.stderr
    assert result.stdout == expected.stdout


# --- hostile fleets ---------------------------------------------------------------------------


def hostile_fleet(root: Path) -> Path:
    fleet = root / "fleet"
    shutil.copytree(FIXTURES / "mgmt-bridge-static", fleet / "a-good", symlinks=True)
    shutil.copytree(FIXTURES / "mgmt-bridge-static", fleet / "b-unreadable", symlinks=True)
    (fleet / "b-unreadable" / S / "ifcfg-eth9").symlink_to("/nowhere/ifcfg-eth9")
    (fleet / "b-unreadable" / S / "ifcfg-eth8").mkdir()
    shutil.copytree(FIXTURES / "mgmt-bridge-static", fleet / "c-loop", symlinks=True)
    (fleet / "c-loop" / S / "ifcfg-x").symlink_to("ifcfg-y")
    (fleet / "c-loop" / S / "ifcfg-y").symlink_to("ifcfg-x")
    (fleet / "c-loop" / "var" / "lib" / "vdsm" / "staging" / "netconf").unlink()
    (fleet / "c-loop" / "var" / "lib" / "vdsm" / "staging" / "netconf").symlink_to("netconf")
    shutil.copytree(FIXTURES / "mgmt-bridge-static", fleet / "d-huge", symlinks=True)
    with open(fleet / "d-huge" / S / "ifcfg-eth3", "wb") as f:
        f.write(b"DEVICE=eth3\n" + b"#" * (20 * 1024 * 1024))
    shutil.copytree(FIXTURES / "broken", fleet / "e-broken", symlinks=True)
    (fleet / "f-not-a-tree").symlink_to("f-not-a-tree")
    (fleet / "README").write_text("not a host\n")
    return fleet


@pytest.mark.parametrize("jobs", [1, 2])
def test_hostile_hosts_are_reported_and_the_fleet_goes_on(tmp_path: Path, jobs: int) -> None:
    fleet = hostile_fleet(tmp_path)
    result = run_cli("audit", "--fleet", str(fleet), "--format", "json", "--jobs", str(jobs))
    document = json.loads(result.stdout)
    hosts = {h["host"]: h for h in document["hosts"]}
    assert list(hosts) == ["a-good", "b-unreadable", "c-loop", "d-huge", "e-broken", "f-not-a-tree"]
    assert hosts["a-good"]["status"] == "clean"
    assert hosts["e-broken"]["status"] == "blocked"

    def codes(name: str) -> set[tuple[str, str]]:
        return {(f["code"], f["file"]) for f in hosts[name]["findings"]}

    assert hosts["b-unreadable"]["status"] == "unreadable"
    assert ("INPUT_UNREADABLE", S + "ifcfg-eth9") in codes("b-unreadable")
    assert ("INPUT_NOT_REGULAR", S + "ifcfg-eth8") in codes("b-unreadable")
    assert ("INPUT_SYMLINK_LOOP", S + "ifcfg-x") in codes("c-loop")
    assert ("INPUT_SYMLINK_LOOP", "var/lib/vdsm/staging/netconf") in codes("c-loop")
    assert ("INPUT_TOO_LARGE", S + "ifcfg-eth3") in codes("d-huge")
    assert ("HOST_NOT_A_DIRECTORY", ".") in codes("f-not-a-tree")
    for name in ("b-unreadable", "c-loop", "d-huge"):
        assert hosts[name]["plan"] is not None, "the rest of the host is still audited"
    assert document["summary"]["status"] == {"clean": 1, "warnings": 0, "blocked": 1, "unreadable": 4, "failed": 0}
    assert result.returncode == document["summary"]["exit_code"] == exitcodes.USAGE


def test_a_host_that_kills_its_worker_is_the_only_failed_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers are forked, so the injected crash travels with them."""
    fleet = tmp_path / "fleet"
    for name in ("a", "b", "c", "d"):
        shutil.copytree(FIXTURES / "mgmt-bridge-static", fleet / name, symlinks=True)
    real = report_module.audit_tree

    def crash_on_c(tree: Any, name: str) -> Any:
        if name == "c":
            os._exit(3)
        if name == "b":
            raise RecursionError("injected")
        return real(tree, name)

    monkeypatch.setattr(report_module, "audit_tree", crash_on_c)
    out = io.StringIO()
    hosts = [(n, str(fleet / n)) for n in ("a", "b", "c", "d")]
    code = audit_many(hosts, fmt="json", jobs=2, out=out, err=io.StringIO())
    document = json.loads(out.getvalue())
    assert [(h["host"], h["status"]) for h in document["hosts"]] == [
        ("a", "clean"), ("b", "failed"), ("c", "failed"), ("d", "clean")]
    assert "died" in document["hosts"][2]["findings"][0]["message"]
    assert code == exitcodes.INTERNAL


# --- the plan preview is what the upgrade does ------------------------------------------------


@pytest.mark.parametrize("host", ["mgmt-bridge-static", "bond-vlans", "source-routing", "out-of-sync",
                                  "foreign-beside-vdsm-ok"])
def test_plan_preview_is_what_the_upgrade_does(host: str, tmp_path: Path) -> None:
    """``upgrade --backend offline`` on a copy: exactly the previewed files go, are backed up, and are written."""
    tree = tmp_path / host
    source = FIXTURES / host.removesuffix("-ok")
    shutil.copytree(source, tree, symlinks=True)
    if host.endswith("-ok"):  # without its one blocking file, so the upgrade runs
        (tree / S / "ifcfg-eth4-range0").unlink()
    preview = json.loads(run_main("audit", "--root", str(tree), "--format", "json")[1])["hosts"][0]["plan"]
    assert preview["blocked_by"] == []
    before = snapshot(tree)
    dry = run_cli("upgrade", "--root", str(tree), "--dry-run", "--backend", "offline")
    assert dry.returncode == exitcodes.OK, dry.stderr
    for rel in preview["backup"]:
        assert f"would back up {rel}" in dry.stdout
    for rel in preview["remove"]:
        assert f"would remove {rel}" in dry.stdout
    for w in preview["write"]:
        assert f"[{w['keyfile']}]" in dry.stdout

    result = run_cli("upgrade", "--root", str(tree), "--backend", "offline")
    assert result.returncode == exitcodes.OK, result.stderr
    after = snapshot(tree)
    gone = {rel for rel in before if rel not in after}
    assert gone == set(preview["remove"])
    keyfiles = "etc/NetworkManager/system-connections/"
    written = {rel[len(keyfiles):] for rel in after if rel.startswith(keyfiles) and after[rel][0] == "file"}
    assert written == {w["keyfile"] for w in preview["write"]}
    for rel in preview["keep"]:
        assert after[rel] == before[rel], rel
    backups = list((tree / "var/lib/ifcfg2nm/backup").glob("*/manifest.json"))
    assert len(backups) == 1
    manifest = json.loads(backups[0].read_text())
    assert {e["path"] for e in manifest["files"]} == set(preview["backup"])
