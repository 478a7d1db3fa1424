"""Where the bundled fixture hosts are, for tests (a plain module: conftest files are not importable by name)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Union

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "hosts"
SCRIPTS = "etc/sysconfig/network-scripts"

TreeMaker = Callable[[dict[str, Union[str, bytes]]], Path]


def fixture_hosts() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
