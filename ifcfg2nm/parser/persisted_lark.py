"""The Lark side of :mod:`.persisted`: the JSON grammar with positions, and its syntax findings.

Imported only when the fast path (``json.loads``) cannot decide a file, so
reading clean files (the boot-time restore) never loads Lark. The parser is
built once, on first use, and shared: its inline transformer keeps per-parse
data in :mod:`.persisted`'s thread-local state.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Optional

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from ifcfg2nm.findings import Finding, Position
from ifcfg2nm.parser.persisted import _LONE_SURROGATE, PERSISTED_JSON_SYNTAX, _state

__all__ = ["LarkError", "parser", "syntax_finding"]


class _ToPython(Transformer[Token, Any]):
    """Builds plain Python values; positions go to the per-parse state."""

    def string(self, children: list[Token]) -> str:
        return _decode_string(children[0])

    def number(self, children: list[Token]) -> Any:
        return json.loads(str(children[0]))

    def true(self, _: list[Any]) -> bool:
        return True

    def false(self, _: list[Any]) -> bool:
        return False

    def null(self, _: list[Any]) -> None:
        return None

    def nonfinite(self, children: list[Token]) -> float:
        token = children[0]
        _state().nonfinite.append((token.line or 0, token.column or 0))
        return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}[str(token)])

    @v_args(inline=True)
    def member(self, key: Token, value: Any) -> tuple[str, int, int, Any]:
        return (_decode_string(key), key.line or 0, key.column or 0, value)

    def object(self, children: list[tuple[str, int, int, Any]]) -> dict[str, Any]:
        state = _state()
        obj: dict[str, Any] = {}
        where: dict[str, tuple[int, int]] = {}
        for key, line, column, value in children:
            if key in obj:
                state.duplicates.append((key, line, column))
            obj[key] = value
            where[key] = (line, column)
        state.members[id(obj)] = where
        state.keep.append(obj)
        return obj

    def array(self, children: list[Any]) -> list[Any]:
        return list(children)


def _decode_string(token: Token) -> str:
    text: str = json.loads(str(token))
    if _LONE_SURROGATE.search(text):
        _state().bad_strings.append((token.line or 0, token.column or 0))
        text = _LONE_SURROGATE.sub("\ufffd", text)
    return text


_parser: Optional[Lark] = None
_parser_lock = threading.Lock()


def parser() -> Lark:
    """The shared parser, built on first use."""
    global _parser
    with _parser_lock:
        if _parser is None:
            _parser = Lark.open(
                "json.lark", rel_to=__file__, parser="lalr", transformer=_ToPython()
            )
        return _parser


def syntax_finding(err: LarkError, text: str, where: Position) -> Finding:
    if isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END"
    ):
        lines = text.split("\n")
        return PERSISTED_JSON_SYNTAX(
            where.at(len(lines), len(lines[-1]) + 1),
            "unexpected end of file (truncated JSON?)")
    if isinstance(err, UnexpectedCharacters):
        pos = err.pos_in_stream if err.pos_in_stream is not None else -1
        char = text[pos] if 0 <= pos < len(text) else ""
        rest = text[pos:].rstrip() if pos >= 0 else ""
        if rest and any(word.startswith(rest) and word != rest for word in _LITERALS):
            return PERSISTED_JSON_SYNTAX(where.at(err.line, err.column),
                                         f"unexpected end of file in {rest!r} (truncated JSON?)")
        what = (
            "invalid string (unterminated, a bad escape or a raw control character)"
            if char == '"' else f"unexpected character {char!r}"
        )
        return PERSISTED_JSON_SYNTAX(where.at(err.line, err.column), what)
    if isinstance(err, UnexpectedToken):
        expected = ", ".join(sorted(_pretty(t) for t in err.expected)) or "nothing"
        return PERSISTED_JSON_SYNTAX(
            where.at(err.line, err.column),
            f"unexpected {_pretty(err.token.type)} {str(err.token)!r} (expected {expected})")
    return PERSISTED_JSON_SYNTAX(where, f"invalid JSON: {err}")


_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")

_TOKEN_NAMES = {
    "LBRACE": "'{'", "RBRACE": "'}'", "LSQB": "'['", "RSQB": "']'", "COMMA": "','",
    "COLON": "':'", "STRING": "string", "NUMBER": "number", "TRUE": "true", "FALSE": "false",
    "NULL": "null", "NONFINITE": "NaN/Infinity", "$END": "end of file",
}


def _pretty(token_type: str) -> str:
    return _TOKEN_NAMES.get(token_type, token_type)
