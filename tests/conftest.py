"""Shared fixtures: the bundled hosts, and small host trees written on the fly."""

from __future__ import annotations

from pathlib import Path
from typing import Union

import pytest

from fixturehosts import FIXTURES, SCRIPTS, TreeMaker


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def make_host(tmp_path: Path) -> TreeMaker:
    """Write a host tree from ``{relative path: content}``; bare file names go to network-scripts."""

    def make(files: dict[str, Union[str, bytes]]) -> Path:
        root = tmp_path / "host"
        root.mkdir(exist_ok=True)
        for name, content in files.items():
            rel = name if "/" in name else f"{SCRIPTS}/{name}"
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        return root

    return make
