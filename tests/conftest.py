"""Shared test helpers: paths to fixtures and the project root."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "hosts"


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
