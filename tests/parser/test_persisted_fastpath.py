"""The persisted reader's fast path (json.loads + a token scan) gives exactly what the Lark path gives.

The fast path exists for speed (``scripts/bench-audit``); the Lark grammar stays the
reference for positions and the only reader of files with something to report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ifcfg2nm.parser import persisted
from ifcfg2nm.parser.documents import PersistedFile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "hosts"


def both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[PersistedFile, PersistedFile]:
    fast = persisted.parse_persisted_file(data, "f", "net", "n")
    with monkeypatch.context() as m:
        m.setattr(persisted, "_fast_parse", lambda text, path: None)
        slow = persisted.parse_persisted_file(data, "f", "net", "n")
    return fast, slow


def same(fast: PersistedFile, slow: PersistedFile) -> None:
    assert repr(fast.value) == repr(slow.value)  # repr: NaN != NaN
    assert dict(fast.positions) == dict(slow.positions)
    assert fast.findings == slow.findings


def persisted_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.parent.name in ("nets", "bonds", "devices"))


@pytest.mark.parametrize("path", persisted_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_files_read_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    same(*both(path.read_bytes(), monkeypatch))


@pytest.mark.parametrize("text", [
    '{"a": 1, "a": 2}', '{"a": NaN}', '{"a": "\\ud800"}', '{"a": "\\ud83d\\ude00"}', '[1, {"b": [{"c": 1}]}]',
    '{"a": tr', "", "   ", '"x"', '{"k\\"ey": {"x": [1, 2, {"y": 3}]}, "z": {}}', '{\n\t"a" :\r\n 1}',
])
def test_edge_cases_read_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    same(*both(text.encode(), monkeypatch))


keys = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
values: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | keys,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=values, indent=st.sampled_from([None, 0, 2, 4, "\t"]),
       separators=st.sampled_from([(", ", ": "), (",", ":"), (" , ", " :\n "), (",\r\n", "\n\t\r :\t")]),
       ascii=st.booleans())
def test_generated_json_reads_the_same(value: Any, indent: Any, separators: tuple[str, str], ascii: bool) -> None:
    data = json.dumps(value, indent=indent, separators=separators, ensure_ascii=ascii).encode()
    with pytest.MonkeyPatch.context() as m:
        fast, slow = both(data, m)
    same(fast, slow)
