"""VDSM unified-persistence JSON files (``nets/``, ``bonds/``, ``devices/``).

Python's ``json`` module would read these, but it cannot say where a member
is, and every finding must name file:line; it also silently lets a duplicated
key win. So the files go through a small Lark grammar (``json.lark``) that
accepts exactly what ``json.load`` accepts (strict JSON plus ``NaN`` and
``Infinity``) and records the position of every object member by its key path.
String literals are decoded by ``json.loads`` itself, so escapes and surrogate
pairs mean exactly what VDSM saw.

A clean file (what VDSM writes) takes a fast path instead: ``json.loads`` plus a
scan for the positions, the same result; only a file that needs a finding goes
through the grammar (:mod:`.persisted_lark`, imported only then: the boot-time
restore reads clean files and never loads Lark).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.parser.documents import PersistedFile

PERSISTED_EMPTY = define(
    "PERSISTED_EMPTY", Severity.ERROR, "persisted VDSM file is empty",
    "VDSM's json.load failed on it, so this entity was not restored; recreate it or remove it.",
)
PERSISTED_JSON_SYNTAX = define(
    "PERSISTED_JSON_SYNTAX", Severity.ERROR, "persisted VDSM file is not valid JSON",
    "VDSM could not read it either; repair the file from the running config or a backup.",
)
PERSISTED_NOT_UTF8 = define(
    "PERSISTED_NOT_UTF8", Severity.ERROR, "persisted VDSM file is not valid UTF-8",
    "VDSM wrote ASCII JSON; the file was damaged or written by something else.",
)
PERSISTED_NOT_OBJECT = define(
    "PERSISTED_NOT_OBJECT", Severity.ERROR, "persisted VDSM file is not a JSON object",
    "Every nets/, bonds/ and devices/ file holds one JSON object.",
)
PERSISTED_DUPLICATE_KEY = define(
    "PERSISTED_DUPLICATE_KEY", Severity.WARNING, "a JSON object has the same key twice",
    "The last occurrence is used, as json.load did; remove the other one.",
)
PERSISTED_BOM = define(
    "PERSISTED_BOM", Severity.WARNING, "persisted VDSM file starts with a byte-order mark",
    "VDSM's json.load rejected such a file; it is read here without the mark.",
)
PERSISTED_NONFINITE = define(
    "PERSISTED_NONFINITE", Severity.WARNING, "NaN or Infinity in persisted JSON",
    "Python's json accepts these literals but they are not JSON and mean nothing here.",
)
PERSISTED_BAD_STRING = define(
    "PERSISTED_BAD_STRING", Severity.WARNING, "a JSON string holds an unpaired surrogate escape",
    "The unpaired \\uD800-\\uDFFF escape was replaced by U+FFFD.",
)

PERSISTED_TOO_DEEP = define(
    "PERSISTED_TOO_DEEP", Severity.ERROR, "persisted JSON nests arrays or objects deeper than any VDSM file",
    "VDSM's deepest value (hostQos) is three objects deep; the file was damaged or written by something else.",
)

MAX_DEPTH = 32
"""Deepest nesting accepted; deeper values would exhaust Python's recursion when dumped or compared."""

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class _ParseState:
    """Per-parse scratch data; the Lark parser (and its inline transformer) is shared."""

    members: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)
    """Per object (by id), the line/column of each key."""
    keep: list[Any] = field(default_factory=list)
    """Keeps every object alive so that ids stay unique during one parse."""
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    bad_strings: list[tuple[int, int]] = field(default_factory=list)
    nonfinite: list[tuple[int, int]] = field(default_factory=list)


_local = threading.local()


def _state() -> _ParseState:
    state: _ParseState = _local.state
    return state


def parse_persisted_file(
    data: bytes, path: str, entity: str, name: str, host_path: str = ""
) -> PersistedFile:
    """Decode one persisted file; problems become findings, never exceptions.

    ``value`` is None when the content cannot be decoded at all; a decodable
    value that is not an object is kept (and reported) so ``parse`` can show it.
    """
    findings: list[Finding] = []
    where = Position(path)

    def done(value: Any, positions: Optional[dict[tuple[str, ...], Position]] = None
             ) -> PersistedFile:
        return PersistedFile(path, entity, name, value, positions or {}, tuple(findings),
                             host_path)

    if data.startswith(b"\xef\xbb\xbf"):
        findings.append(PERSISTED_BOM(where.at(1, 1), "the file starts with a byte-order mark"))
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        findings.append(PERSISTED_NOT_UTF8(
            where.at(line, column), f"{path}: byte 0x{data[err.start]:02x} is not valid UTF-8"))
        return done(None)
    if not text.strip():
        findings.append(PERSISTED_EMPTY(where, "the file is empty (zero length or only blanks)"))
        return done(None)

    depth = _depth(text)
    if depth > MAX_DEPTH:
        findings.append(PERSISTED_TOO_DEEP(
            where, f"{path}: arrays or objects nested {depth} deep (at most {MAX_DEPTH} are read)"))
        return done(None)

    fast = _fast_parse(text, path)
    if fast is not None:
        value, positions = fast
        if not isinstance(value, dict):
            findings.append(PERSISTED_NOT_OBJECT(
                where.at(1, 1), f"{path} holds a JSON {_json_type(value)}, not an object"))
        return done(value, positions)

    from ifcfg2nm.parser import persisted_lark  # only here: a clean file never needs Lark

    state = _ParseState()
    _local.state = state
    try:
        value = persisted_lark.parser().parse(text)
    except persisted_lark.LarkError as err:
        findings.append(persisted_lark.syntax_finding(err, text, where))
        return done(None)
    except (ValueError, RecursionError) as err:  # json.loads of a token; cannot normally happen
        findings.append(PERSISTED_JSON_SYNTAX(where, f"invalid JSON: {err}"))
        return done(None)
    finally:
        _local.state = None

    for key, line, column in state.duplicates:
        findings.append(PERSISTED_DUPLICATE_KEY(
            where.at(line, column), f"key {key!r} appears more than once; the last value is used"))
    for line, column in state.bad_strings:
        findings.append(PERSISTED_BAD_STRING(
            where.at(line, column), "string with an unpaired surrogate escape"))
    for line, column in state.nonfinite:
        findings.append(PERSISTED_NONFINITE(where.at(line, column), "NaN or Infinity literal"))
    if not isinstance(value, dict):
        findings.append(PERSISTED_NOT_OBJECT(
            where.at(1, 1), f"{path} holds a JSON {_json_type(value)}, not an object"))
    return done(value, _collect_positions(value, state, path))


def _depth(text: str) -> int:
    """An upper bound of the nesting depth: exact outside strings, and only computed when it could matter."""
    if text.count("{") + text.count("[") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for match in _STRUCTURE.finditer(text):
        first = match.group()[0]
        if first in "{[":
            depth += 1
            deepest = max(deepest, depth)
        elif first in "}]":
            depth -= 1
    return deepest


class _Undecided(Exception):
    """The fast path cannot tell: the Lark parser decides (and reports)."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Undecided
    return obj


def _nonfinite(_: str) -> Any:
    raise _Undecided


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')
_STRING = re.compile(r'("(?:[^"\\]|\\.)*")([ \t\n\r]*:)?')


def _fast_parse(text: str, path: str) -> Optional[tuple[Any, dict[tuple[str, ...], Position]]]:
    """The value and member positions of a clean file, at C speed; None when Lark must decide.

    Clean means: ``json.loads`` accepts it with no duplicate key, no NaN/Infinity and
    no surrogate escape, i.e. exactly the files on which the Lark grammar reports
    nothing. Both accept the same language (strict RFC 8259 plus the literals), so
    the value is the same; the positions come from one scan of the string and
    structural tokens, which is all the grammar's positions depend on (of the
    strings alone when the text holds a single object, as VDSM's files do).
    """
    if _SURROGATE_ESCAPE.search(text):
        return None
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_nonfinite)
    except (_Undecided, ValueError, RecursionError):
        return None
    if isinstance(value, dict) and text.count("{") == 1:
        return value, _scan_flat_positions(text, path)
    return value, _scan_positions(text, path)


def _scan_flat_positions(text: str, path: str) -> dict[tuple[str, ...], Position]:
    """:func:`_scan_positions` of valid JSON holding one object (one ``{`` in the whole text).

    Every member is then that object's: its keys are the strings followed by a colon.
    Scanning string by string from the start never lands inside a string, since
    nothing between two strings of valid JSON holds a quote.
    """
    positions: dict[tuple[str, ...], Position] = {}
    line, line_start, last = 1, 0, 0
    for match in _STRING.finditer(text):
        token, colon = match.groups()
        if colon is None:
            continue
        start = match.start()
        newlines = text.count("\n", last, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", last, start) + 1
        last = start
        key = token[1:-1] if "\\" not in token else json.loads(token)
        positions[(key,)] = Position(path, line, start - line_start + 1)
    return positions


def _scan_positions(text: str, path: str) -> dict[tuple[str, ...], Position]:
    """Key path → position of every object member, as :func:`_collect_positions` gives for valid JSON."""
    positions: dict[tuple[str, ...], Position] = {}
    stack: list[list[Any]] = []  # [is_object, path, expecting_key_or_array_index, last_key]
    line, line_start, last = 1, 0, 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        start = match.start()
        first = token[0]
        if first == '"':
            top = stack[-1] if stack else None
            if top is not None and top[0] and top[2]:
                key = token[1:-1] if "\\" not in token else json.loads(token)
                newlines = text.count("\n", last, start)
                if newlines:
                    line += newlines
                    line_start = text.rfind("\n", last, start) + 1
                last = start
                positions[(*top[1], key)] = Position(path, line, start - line_start + 1)
                top[3] = key
                top[2] = False
        elif first in "{[":
            if not stack:
                where: tuple[str, ...] = ()
            else:
                top = stack[-1]
                where = (*top[1], top[3]) if top[0] else (*top[1], str(top[2]))
            stack.append([first == "{", where, True if first == "{" else 0, None])
        elif first in "}]":
            stack.pop()
        elif first == ",":
            top = stack[-1]
            if top[0]:
                top[2] = True
            else:
                top[2] += 1
    return positions


def _collect_positions(
    value: Any, state: _ParseState, path: str
) -> dict[tuple[str, ...], Position]:
    """Key path → position of every object member (array elements by index), iteratively."""
    positions: dict[tuple[str, ...], Position] = {}
    stack: list[tuple[tuple[str, ...], Any]] = [((), value)]
    while stack:
        prefix, node = stack.pop()
        if isinstance(node, dict):
            for key, (line, column) in state.members.get(id(node), {}).items():
                member = (*prefix, key)
                positions[member] = Position(path, line, column)
            stack.extend(((*prefix, k), v) for k, v in node.items() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(((*prefix, str(i)), v) for i, v in enumerate(node)
                         if isinstance(v, (dict, list)))
    return positions


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"
