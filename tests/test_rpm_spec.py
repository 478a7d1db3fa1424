"""The RPM spec and the boot-time restore unit, as a packager and systemd would see them.

The spec is built with plain ``rpmbuild -bb`` (Debian's ``rpm`` package: no
Fedora macros, no build dependencies installed, hence ``--nodeps``) from a
tarball of the working tree into a temporary ``_topdir``; the RPM's files,
scriptlets and requirements are then read back with ``rpm -qp``. The
``%posttrans`` policy (never fail the transaction, one clear line) is run for
real against a fake ``ifcfg2nm`` and a temporary network-scripts directory.
The unit file is checked with ``systemd-analyze verify`` offline against a
throw-away root holding the system's units.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import ifcfg2nm

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "scripts" / "ifcfg2nm.spec"
UNIT = ROOT / "scripts" / "ifcfg2nm-restore.service"
UNIT_NAME = UNIT.name
SYSTEM_UNITS = ("/usr/lib/systemd/system", "/lib/systemd/system")


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, **kw)  # type: ignore[call-overload,no-any-return]


def _source_files() -> list[str]:
    """Tracked and new (not ignored) files of the working tree, as the packager's tarball holds them."""
    proc = _run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
    if proc.returncode != 0:
        pytest.skip(f"not a git work tree: {proc.stderr.strip()}")
    return sorted(f for f in proc.stdout.split("\0") if f and (ROOT / f).is_file())


PACKAGED: list[str] = []
"""The package's files that went into the tarball (others may add modules meanwhile)."""


@pytest.fixture(scope="module")
def rpm_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if shutil.which("rpmbuild") is None or shutil.which("rpm") is None:
        pytest.skip("rpmbuild not installed (Debian: apt-get install rpm)")
    top = tmp_path_factory.mktemp("rpmtop")
    version = ifcfg2nm.__version__
    (top / "SOURCES").mkdir()
    with tarfile.open(top / "SOURCES" / f"ifcfg2nm-{version}.tar.gz", "w:gz") as tar:
        for rel in _source_files():
            if rel.startswith("ifcfg2nm/") and rel.endswith((".py", ".lark")):
                PACKAGED.append(rel)
            tar.add(ROOT / rel, arcname=f"ifcfg2nm-{version}/{rel}", recursive=False)
    proc = _run(["rpmbuild", "-bb", "--nodeps", "--define", f"_topdir {top}", str(SPEC)])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (rpm,) = (top / "RPMS").glob("noarch/ifcfg2nm-*.noarch.rpm")
    yield rpm


def _query(rpm: Path, *args: str) -> str:
    proc = _run(["rpm", "-qp", *args, str(rpm)])
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_spec_version_is_the_package_version() -> None:
    match = re.search(r"^Version:\s*(\S+)", SPEC.read_text(), re.MULTILINE)
    assert match and match.group(1) == ifcfg2nm.__version__


def test_rpm_holds_the_package_the_command_and_the_unit(rpm_file: Path) -> None:
    files = set(_query(rpm_file, "-l").split())
    sitelib = next(f for f in files if f.endswith("/site-packages/ifcfg2nm"))
    assert re.fullmatch(r"/usr/lib/python3\.\d+/site-packages/ifcfg2nm", sitelib)
    expected = {
        "/usr/bin/ifcfg2nm",
        f"/usr/lib/systemd/system/{UNIT_NAME}",
        "/var/lib/ifcfg2nm",
        f"{sitelib}-{ifcfg2nm.__version__}.dist-info/METADATA",
    }
    expected.update(f"{sitelib}/{rel[len('ifcfg2nm/'):]}" for rel in PACKAGED)
    assert f"{sitelib}/cli.py" in expected and f"{sitelib}/parser/shell.lark" in expected
    assert expected <= files, sorted(expected - files)
    assert not [f for f in files if "/tests/" in f or (f.endswith(".pyc") and "__pycache__" not in f)]


def test_rpm_unit_and_console_script_contents(rpm_file: Path, tmp_path: Path) -> None:
    archive = tmp_path / "payload.tgz"
    with archive.open("wb") as out:
        proc = subprocess.run(["rpm2archive", "-"], stdin=rpm_file.open("rb"), stdout=out,
                              stderr=subprocess.PIPE, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path, filter="tar") if hasattr(tarfile, "data_filter") else tar.extractall(tmp_path)
    assert (tmp_path / f"usr/lib/systemd/system/{UNIT_NAME}").read_bytes() == UNIT.read_bytes()
    script = (tmp_path / "usr/bin/ifcfg2nm").read_text()
    assert script.startswith("#!/usr/bin/python3 -s\n") and "from ifcfg2nm.cli import main" in script
    assert os.access(tmp_path / "usr/bin/ifcfg2nm", os.X_OK)
    assert (tmp_path / "var/lib/ifcfg2nm").stat().st_mode & 0o777 == 0o700


def test_rpm_requires(rpm_file: Path) -> None:
    requires = _query(rpm_file, "--requires")
    for name in ("NetworkManager", "python3dist(lark)", "python3dist(dbus-next)", "python3dist(pyyaml)",
                 "coreutils"):
        assert re.search(rf"^{re.escape(name)}(\s|$)", requires, re.MULTILINE), name
    assert "noarch" in _query(rpm_file, "--qf", "%{ARCH}\n")


def _scriptlets(rpm: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    current = None
    for line in _query(rpm, "--scripts").splitlines():
        match = re.match(r"^(\w+) scriptlet \(using /bin/sh\):$", line)
        if match:
            current = match.group(1)
            out[current] = ""
        elif current:
            out[current] += line + "\n"
    return out


def test_rpm_scriptlets(rpm_file: Path) -> None:
    scripts = _scriptlets(rpm_file)
    assert set(scripts) == {"postinstall", "preuninstall", "postuninstall", "posttrans"}
    assert f"systemctl --no-reload enable {UNIT_NAME}" in scripts["postinstall"]
    assert f"disable {UNIT_NAME}" in scripts["preuninstall"] or "systemd_preun" in scripts["preuninstall"]
    posttrans = scripts["posttrans"]
    assert "/usr/bin/ifcfg2nm upgrade --root / --timeout 120 </dev/null" in posttrans
    assert posttrans.rstrip().endswith("exit 0")


def _run_posttrans(
    rpm: Path, tmp_path: Path, files: dict[str, str], rc: int, journal: bool = False
) -> tuple[subprocess.CompletedProcess[str], bool]:
    """The real %posttrans, pointed at a temporary host: network-scripts, state dir and
    ``ifcfg2nm`` (a fake exiting ``rc``) replaced; ``logger`` captured."""
    scripts = tmp_path / "network-scripts"
    scripts.mkdir()
    for name, text in files.items():
        (scripts / name).write_text(text)
    state = tmp_path / "state"
    state.mkdir()
    if journal:
        (state / "journal.json").write_text("{}\n")
    called = tmp_path / "called"
    fake = tmp_path / "ifcfg2nm"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > '{called}'\nexit {rc}\n")
    fake.chmod(0o755)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "logger").write_text(f"#!/bin/sh\necho \"$@\" >> '{tmp_path}/logged'\n")
    (bindir / "logger").chmod(0o755)
    body = (_scriptlets(rpm)["posttrans"]
            .replace("/etc/sysconfig/network-scripts", str(scripts))
            .replace("/var/lib/ifcfg2nm", str(state))
            .replace("/usr/bin/ifcfg2nm", str(fake)))
    env = dict(os.environ, PATH=f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    proc = _run(["sh", "-c", body], env=env)
    return proc, called.exists()


VDSM_IFCFG = "# Generated by VDSM version 4.30.46.1\nDEVICE=eth0\nBRIDGE=ovirtmgmt\n"


@pytest.mark.parametrize(("rc", "says"), [
    (0, "migrated"),
    (1, "keeps its VDSM ifcfg configuration"),
    (70, "run 'ifcfg2nm rollback'"),
])
def test_posttrans_never_fails_the_transaction(rpm_file: Path, tmp_path: Path, rc: int, says: str) -> None:
    proc, called = _run_posttrans(rpm_file, tmp_path, {"ifcfg-eth0": VDSM_IFCFG, "ifcfg-lo": "DEVICE=lo\n"}, rc)
    assert proc.returncode == 0
    assert called
    (line,) = proc.stderr.splitlines()
    assert line.startswith("ifcfg2nm: ") and says in line
    assert says in (tmp_path / "logged").read_text()


def test_posttrans_does_nothing_without_vdsm_files(rpm_file: Path, tmp_path: Path) -> None:
    """After a migration (or on a host VDSM never configured) package updates touch nothing."""
    proc, called = _run_posttrans(rpm_file, tmp_path, {"ifcfg-eth0": "DEVICE=eth0\nBOOTPROTO=dhcp\n",
                                                       "route-eth0": "10.0.0.0/8 via 192.0.2.1\n"}, 1)
    assert proc.returncode == 0 and proc.stderr == "" and not called


# -- the unit --------------------------------------------------------------------------


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    return parser


def test_unit_ordering_and_policy() -> None:
    unit = _unit()
    assert unit["Unit"]["After"] == "NetworkManager.service"
    assert unit["Unit"]["Requires"] == "NetworkManager.service"
    assert unit["Unit"]["Before"] == "network-online.target"
    assert "Wants" not in unit["Unit"], "a provider of network-online must not pull it in"
    conditions = [line.split("=", 1)[1] for line in UNIT.read_text().splitlines()
                  if line.startswith("ConditionPathExists=")]
    # either is enough: a migrated VDSM host, or an interrupted upgrade to close (see the unit's comment)
    assert conditions == ["|/var/lib/vdsm/persistence/netconf", "|/var/lib/ifcfg2nm/journal.json"]
    assert unit["Service"]["Type"] == "oneshot"
    assert unit["Service"]["RemainAfterExit"] == "yes"
    assert unit["Service"]["ExecStart"] == "/usr/bin/ifcfg2nm restore"
    assert int(unit["Service"]["TimeoutStartSec"]) >= 120
    assert set(unit["Install"]["WantedBy"].split()) == {"multi-user.target", "network-online.target"}


def test_unit_verifies_offline(tmp_path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze not installed (Debian: systemd)")
    units = next((Path(d) for d in SYSTEM_UNITS if Path(d, "sysinit.target").exists()), None)
    if units is None or not Path(units, "NetworkManager.service").exists():
        pytest.skip("the system's unit files (systemd, network-manager) are not installed")
    root = tmp_path / "root"
    shutil.copytree(units, root / "usr/lib/systemd/system", symlinks=True)
    shutil.copy(UNIT, root / "usr/lib/systemd/system" / UNIT_NAME)
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/ifcfg2nm").write_text("#!/bin/sh\n")
    (root / "usr/bin/ifcfg2nm").chmod(0o755)
    proc = _run(["systemd-analyze", "verify", "--man=no", f"--root={root}", UNIT_NAME])
    assert proc.returncode == 0 and proc.stderr.strip() == "" and proc.stdout.strip() == "", proc.stdout + proc.stderr


def test_posttrans_resumes_an_interrupted_run(rpm_file: Path, tmp_path: Path) -> None:
    """VDSM's files already flushed, but the run's journal is there: the upgrade runs to finish or roll back."""
    proc, called = _run_posttrans(rpm_file, tmp_path, {"ifcfg-lo": "DEVICE=lo\n"}, 0, journal=True)
    assert proc.returncode == 0 and called
