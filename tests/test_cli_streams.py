"""The command line's standard streams: closed, broken, full, or in an encoding file names do not fit.

Each case runs the real entry point as a process, as a shell would start it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ifcfg2nm import cli

from fixturehosts import FIXTURES

MGMT = FIXTURES / "mgmt-bridge-static"
NETWORK = MGMT / "etc/sysconfig/network-scripts/ifcfg-eth0"


def ifcfg2nm(*args: str, env: Any = None, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    environ = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "ifcfg2nm", *args], env=environ, timeout=60, **kw)


def test_debug_before_the_command_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ifcfg2nm.hosttree.parse_file", lambda _p: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "parse", "x"])


def test_non_utf8_file_name_under_a_strict_utf8_stdout(tmp_path: Path) -> None:
    """LANG=en_US.UTF-8 gives Python a strict stdout: the name goes out as the bytes it has."""
    name = os.fsencode(tmp_path) + b"/ifcfg-\xff\xfe"
    with open(name, "wb") as f:
        f.write(b"DEVICE=x\n")
    proc = ifcfg2nm("parse", os.fsdecode(name), env={"PYTHONIOENCODING": "utf-8:strict"}, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(name + b": ifcfg")


def test_message_text_under_an_ascii_stdout(tmp_path: Path) -> None:
    (tmp_path / "ifcfg-app").write_text("X+=1\n")  # its finding says X+=…
    proc = ifcfg2nm("parse", str(tmp_path / "ifcfg-app"), env={"PYTHONIOENCODING": "ascii"}, capture_output=True)
    assert proc.returncode == 1 and b"X+=\\u2026" in proc.stdout and not proc.stderr


def test_reader_going_away_is_141_and_quiet() -> None:
    """`ifcfg2nm parse … | head -c 1`: not 0 (that would say nothing blocks), no traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "ifcfg2nm", "parse", *[str(NETWORK)] * 400],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(1)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141 and err == b""


def test_closed_stdout_keeps_the_exit_code() -> None:
    proc = ifcfg2nm("parse", str(NETWORK), str(MGMT / "nothere"), stdout=None, stderr=subprocess.PIPE,
                    preexec_fn=lambda: os.close(1))
    assert proc.returncode == 2 and proc.stderr == b""


def test_full_stdout_is_74_and_one_line() -> None:
    with open("/dev/full", "w") as full:
        proc = ifcfg2nm("parse", str(NETWORK), stdout=full, stderr=subprocess.PIPE)
    assert proc.returncode == 74
    assert proc.stderr == b"ifcfg2nm: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("stdout", ["closed", "full"])
def test_upgrade_outcome_does_not_depend_on_its_output(tmp_path: Path, stdout: str) -> None:
    """A committed upgrade exits 0 even when nobody can read its report (and is not stopped half-way)."""
    root = tmp_path / "host"
    shutil.copytree(MGMT, root, symlinks=True)
    with open("/dev/full", "w") as full:
        proc = ifcfg2nm("upgrade", "--root", str(root), "--backend", "offline", stderr=full,
                        **({"stdout": full} if stdout == "full" else {"preexec_fn": lambda: os.close(1)}))
    assert proc.returncode == 0
    assert (root / "var/lib/ifcfg2nm/seal").exists()
    assert not (root / "etc/sysconfig/network-scripts/ifcfg-eth0").exists()
