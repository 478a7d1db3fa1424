"""The README documents what the code does: every finding code, the two set-up commands."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    path = str(ROOT / "scripts" / "gen-finding-codes")
    loader = importlib.machinery.SourceFileLoader("gen_finding_codes", path)
    spec = importlib.util.spec_from_loader("gen_finding_codes", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_finding_code_table_is_current() -> None:
    """Run scripts/gen-finding-codes after adding or changing a finding code."""
    readme = (ROOT / "README.md").read_text()
    assert _generator().render(readme) == readme


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "scripts/run-tests" in readme
    assert "scripts/run-tests" in (ROOT / ".ci" / "run").read_text()
