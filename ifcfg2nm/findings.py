"""Findings: problems and observations as values with provenance.

Every check reports through a :class:`FindingCode` defined next to the code that
emits it; :func:`catalogue` collects them all for the README and for tests. A
finding never interrupts work: callers collect findings and carry on.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Optional


class Severity(str, enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    """Blocks migration."""

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, order=True)
class Position:
    """Where something came from: a file, 1-based line and column (0 = unknown/whole file)."""

    file: str
    line: int = 0
    column: int = 0

    def at(self, line: int, column: int = 0) -> Position:
        return Position(self.file, line, column)

    def __str__(self) -> str:
        if not self.line:
            return self.file
        if not self.column:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    position: Position
    message: str
    hint: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        p = self.position
        return (p.file, p.line, p.column, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "file": self.position.file,
            "line": self.position.line,
            "column": self.position.column,
            "message": self.message,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        return f"{self.position}: {self.severity.value}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class FindingCode:
    """A stable finding identifier with its default severity and remediation hint."""

    code: str
    severity: Severity
    summary: str
    hint: str = ""
    unreadable_input: bool = False
    """The input could not be read at all (the CLI's exit code 2 for `parse`)."""

    def __call__(
        self, position: Position, message: str, *, severity: Optional[Severity] = None
    ) -> Finding:
        return Finding(self.code, severity or self.severity, position, message, self.hint)


_CATALOGUE: dict[str, FindingCode] = {}


def define(
    code: str,
    severity: Severity,
    summary: str,
    hint: str = "",
    *,
    unreadable_input: bool = False,
) -> FindingCode:
    """Register a finding code; defining the same code twice differently is a bug."""
    new = FindingCode(code, severity, summary, hint, unreadable_input)
    old = _CATALOGUE.setdefault(code, new)
    if old != new:
        raise ValueError(f"finding code {code} defined twice differently")
    return new


def catalogue() -> list[FindingCode]:
    """Every finding code of the package, sorted (imports all modules to collect them)."""
    import ifcfg2nm

    for mod in pkgutil.walk_packages(ifcfg2nm.__path__, "ifcfg2nm."):
        if not mod.name.endswith("__main__"):
            importlib.import_module(mod.name)
    return sorted(_CATALOGUE.values(), key=lambda c: c.code)


def lookup(code: str) -> FindingCode:
    return _CATALOGUE[code]


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: f.sort_key)


def worst(findings: Iterable[Finding]) -> Optional[Severity]:
    ranks = [f.severity for f in findings]
    return max(ranks, key=lambda s: s.rank) if ranks else None
