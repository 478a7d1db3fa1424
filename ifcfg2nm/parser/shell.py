"""Shell-variable files (ifcfg-*, /etc/sysconfig/network) read as bash would, never run.

initscripts *sourced* these files with bash; NetworkManager's ifcfg reader (shvar.c)
takes a subset. We read the safe subset exactly as bash did and report the rest
(spec/ifcfg-dialect.md §1):

* Lines split on ``\\n``. An assignment is optional blanks, ``[A-Za-z_][A-Za-z0-9_]*``,
  then ``=`` at once. ``#`` starts a comment only at the start of a word (``a#b`` is
  literal). Blank lines are ignored. The file is decoded as UTF-8.
* A value concatenates segments: unquoted characters (``\\c`` gives ``c``); ``'…'``
  literally; ``"…"``, where a backslash is dropped before ``$ ` " \\`` only;
  ``$'…'`` with bash's ANSI-C escapes (``\\a \\b \\e \\E \\f \\n \\r \\t \\v \\\\ \\' \\" \\?``,
  octal up to 3 digits mod 256, ``\\xHH``, ``\\uHHHH``, ``\\UHHHHHHHH``, ``\\cX``; an unknown
  escape keeps its backslash; a NUL ends the segment, as in bash). Blanks, or one ``;``,
  followed only by blanks and a comment end the value.
* Nothing is expanded or run. What bash would expand (``$VAR``, ``${…}``, ``$(…)``,
  backticks, ``$"…"``, a tilde) or execute (more words or commands after the value,
  ``| & < > ( )``, arrays, ``K+=``, lines that are not assignments) is a finding at
  file:line:column, and the Assignment is not ``exact``: its value is what
  NetworkManager reads, the empty string (a tilde it takes literally). Lines that are
  not assignments give no Assignment.
* ``export K=v`` keeps bash's value, not exact, since NetworkManager ignores the line.
* A backslash-newline, or a quote that closes on a later line, joins lines as bash does
  (the lines are consumed) and the value is empty as NetworkManager reads it; a quote
  that never closes ends at its line, where NetworkManager resumes.
* After what makes bash stop or read on (an unclosed quote or ``$(``, a trailing ``|``,
  ``if``/``{``/here-documents, ``;;``), later assignments keep NetworkManager's
  line-by-line reading but are not exact: bash may never have set them.
* The last of duplicate keys wins; every occurrence stays in ``assignments``.
* A value that is not UTF-8 is empty (NetworkManager drops it). A ``\\r`` before the
  newline is dropped as NetworkManager does, but bash kept it, so the value is not exact.
* Where bash and NetworkManager disagree without any expansion (a lone ``$``, ``\\cX``,
  a NUL in ``$'…'``, ``\\r``/``\\v``/``\\f`` inside a word, a backslash at the end of the
  file), bash's value is kept and an info finding says so.

Most files are read through one grammar terminal (LINES, plain assignments, comments
and blank lines) whose values need no unescaping; everything else goes through the
detailed terminals. Findings: at most one per code for each assignment.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Optional, Protocol, cast

from lark import Lark, Transformer

from ifcfg2nm.findings import Finding, FindingCode, Position, Severity, define
from ifcfg2nm.parser.documents import Assignment, FileKind, ShellFile
from ifcfg2nm.parser.ownership import detect_ownership

IFCFG_SHELL_EXPANSION = define(
    "IFCFG_SHELL_EXPANSION", Severity.ERROR,
    "a value uses shell expansion (variable, command or arithmetic substitution, tilde)",
    "Write the value the host really used literally; ifcfg2nm never runs shell code.",
)
IFCFG_SHELL_COMMAND = define(
    "IFCFG_SHELL_COMMAND", Severity.ERROR,
    "a line is not a plain KEY=value: bash would run a command or fail on it",
    "Keep exactly one KEY=value per line; move commands out of network configuration.",
)
IFCFG_EXPORT = define(
    "IFCFG_EXPORT", Severity.WARNING,
    "'export' before an assignment: bash assigns, NetworkManager ignores the line",
    "Remove 'export'; the plain assignment means the same to initscripts.",
)
IFCFG_LINE_CONTINUATION = define(
    "IFCFG_LINE_CONTINUATION", Severity.ERROR,
    "a backslash-newline continues a line: bash joins the lines, NetworkManager reads ''",
    "Join the lines into one.",
)
IFCFG_UNTERMINATED_QUOTE = define(
    "IFCFG_UNTERMINATED_QUOTE", Severity.ERROR,
    "a quote is never closed: bash stops reading the file there, NetworkManager reads ''",
    "Close the quote on the same line.",
)
IFCFG_MULTILINE_VALUE = define(
    "IFCFG_MULTILINE_VALUE", Severity.ERROR,
    "a quoted value spans lines: bash reads one value, NetworkManager '' and then the inner lines",
    "Write the value on one line ($'\\n' if a newline is really meant).",
)
IFCFG_DUPLICATE_KEY = define(
    "IFCFG_DUPLICATE_KEY", Severity.WARNING,
    "a key is set more than once; the last value wins",
    "Remove the earlier assignments so the file says one thing.",
)
IFCFG_NON_UTF8 = define(
    "IFCFG_NON_UTF8", Severity.ERROR,
    "a value is not valid UTF-8: bash used the bytes, NetworkManager drops the value",
    "Re-encode the file as UTF-8 (for example iconv -f latin1 -t utf-8).",
)
"""An error, like every other case where NetworkManager's value is not bash's: the key
silently falls back to its default under NetworkManager, and a str cannot carry the bytes."""
IFCFG_CRLF = define(
    "IFCFG_CRLF", Severity.WARNING,
    "the file has CRLF (Windows) line endings: bash kept the carriage return in values",
    "Convert the file with dos2unix; values like ONBOOT=yes\\r were not 'yes' for initscripts.",
)
IFCFG_NM_READS_DIFFERENTLY = define(
    "IFCFG_NM_READS_DIFFERENTLY", Severity.INFO,
    "NetworkManager's ifcfg reader reads this value differently from bash",
    "The value bash used is kept; write it in plain quoting so both readers agree.",
)

_GRAMMAR = (Path(__file__).parent / "shell.lark").read_text(encoding="utf-8")


class _Tok(Protocol):
    """What we use of a lark Token (its position attributes are never None here)."""

    type: str
    value: str
    line: int
    column: int
    end_line: int
    start_pos: int
    end_pos: int


_Stmt = tuple[str, list[_Tok]]


class _Statements(Transformer[_Tok, list[_Stmt]]):
    """Called by the LALR parser at each reduction: no tree is built."""

    def start(self, children: list[_Stmt]) -> list[_Stmt]:
        return children

    def assign(self, children: list[_Tok]) -> _Stmt:
        return ("assign", children)

    def export(self, children: list[_Tok]) -> _Stmt:
        return ("export", children)

    def command(self, children: list[_Tok]) -> _Stmt:
        return ("command", children)

    def lines(self, children: list[_Tok]) -> _Stmt:
        return ("lines", children)


def _make_parser(grammar: str) -> Lark:
    return Lark(
        grammar, parser="lalr", lexer="contextual", transformer=_Statements(),
        maybe_placeholders=False,
    )


@functools.cache
def _parser() -> Lark:
    """The shared parser, built on first use (tens of ms): importing the module stays cheap."""
    return _make_parser(_GRAMMAR)

_PLAIN_VALUE = (
    r"""(?:[^ \t\n\r\v\f'"\\$`|&;<>()~\udc80-\udcff]|'[^'\n\udc80-\udcff]*'"""
    r"""|"[^"\\$`\n\udc80-\udcff]*")*"""
)
"""A value of the LINES terminal: no escapes, expansions or operators (see shell.lark)."""
_PLAIN_ASSIGNMENT = re.compile(r"^[ \t]*([A-Za-z_][A-Za-z0-9_]*)=(" + _PLAIN_VALUE + ")", re.M)
_PLAIN_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")

_VALUE_END = frozenset(("TRAIL", "REST"))
_WORD_START = frozenset(("WORDKEY", "WORDNAME"))
_DQ_SPECIAL = re.compile(r"\\[\s\S]|[$`\n]")
_ESCAPE = re.compile(r"\\[\s\S]")
_PARAM_START = re.compile(r"[A-Za-z0-9_@*#?$!{(\[-]")
_ASSIGNMENT_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_NOT_QUITE_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+=|\[|[ \t]+=)")
_NON_ASCII_OR_CONTROL = re.compile(r"[\x00-\x1f\x7f\udc80-\udcff]")
_SURROGATE = re.compile(r"[\udc80-\udcff]")
_BRACE_EXPANSION = re.compile(r"\{[^{}\x00]*(?:,|\.\.)[^{}\x00]*\}")
_COMMAND_WORD = re.compile(r"[^ \t\n;|&<>()]+")
_QUOTED = re.compile(r"\\[\s\S]|'[^']*'|\"(?:[^\"\\]|\\[\s\S])*\"|`(?:[^`\\]|\\[\s\S])*`")
_FUNCTION = re.compile(r"[^\s;|&()]\s*\(\s*\)")
_SHELL_TOKEN = re.compile(r"&&|\|\||\|&|&>>?|[<>]+[&|]?|[;&|()]|[^\s;&|()<>]+")
_CONTROL = frozenset(("&&", "||", "|&", ";", "&", "|"))
_RESERVED = frozenset(
    "if then else elif fi case esac for select while until do done function { } [[ ]] "
    "time coproc".split()
)
_OPEN_EXPANSIONS = frozenset(("$(", "${", "$[", "`"))

_ANSI_SIMPLE = {
    ord("a"): 7, ord("b"): 8, ord("e"): 27, ord("E"): 27, ord("f"): 12, ord("n"): 10,
    ord("r"): 13, ord("t"): 9, ord("v"): 11, ord("\\"): 92, ord("'"): 39, ord('"'): 34,
    ord("?"): 63,
}
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")
_METACHAR_WHAT = {
    "|": "a pipe", "&": "a background or '&&' operator",
    "<": "an input redirection",
    ">": "an output redirection (bash would create or truncate a file)",
    "(": "a subshell or array", ")": "a closing parenthesis",
}


def parse_shell_file(
    data: bytes, path: str, kind: FileKind = FileKind.IFCFG, host_path: str = ""
) -> ShellFile:
    """Read a shell-variable file as bash would, without running anything; never raises."""
    return _parse(_parser(), data, path, kind, host_path)


def _parse(parser: Lark, data: bytes, path: str, kind: FileKind, host_path: str) -> ShellFile:
    text = data.decode("utf-8", "surrogateescape")
    reader = _Reader(path, text)
    if _lines_terminal(parser).fullmatch(text):
        reader.plain_lines(text, 1)
        stmts: list[_Stmt] = []
    else:
        stmts = cast(list[_Stmt], parser.parse(text))
    for what, children in stmts:
        if what == "lines":
            reader.plain_lines(children[0].value, children[0].line)
        elif what == "assign":
            reader.assignment(children)
        elif what == "export":
            reader.export(children)
        else:
            reader.command(children[0])
    findings = reader.findings
    if findings:
        findings.sort(key=lambda f: (f.position.line, f.position.column))
    return ShellFile(
        path, kind, tuple(reader.assignments), detect_ownership(data), tuple(findings), host_path,
    )


class _Reader:
    """Turns the parser's statements into Assignments and findings for one file."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.assignments: list[Assignment] = []
        self.findings: list[Finding] = []
        self.seen: dict[str, int] = {}
        self.crlf = "\r" in text and self._crlf()
        self.reported: set[str] = set()
        """Codes already reported for the current assignment (one finding per code)."""
        self.derailed = False
        """Bash stopped, or may read the lines from here on differently (nothing below is exact)."""

    # -- statements ----------------------------------------------------------------

    def plain_lines(self, block: str, line: int) -> None:
        """A LINES token: only assignments with plain values, comments and blank lines.

        This is where almost all the time goes, hence the local names and no helpers.
        """
        path = self.path
        seen = self.seen
        append = self.assignments.append
        exact = not self.derailed
        pos = 0
        for m in _PLAIN_ASSIGNMENT.finditer(block):
            start = m.start()
            line += block.count("\n", pos, start)
            pos = start
            key, raw = m.group(1, 2)
            value = raw if "'" not in raw and '"' not in raw else _unquote_plain(raw)
            col = m.start(1) - start + 1
            if key in seen:
                self._duplicate(key, line, col)
            seen[key] = line
            append(Assignment(key, value, Position(path, line, col), raw, exact))

    def assignment(self, children: list[_Tok]) -> None:
        key_tok = children[0]
        n = len(children)
        if n == 2 and children[1].type == "BARE":
            value = children[1].value
            if "~" not in value and value.isascii():
                exact = not (self.crlf and self.text.startswith("\r", children[1].end_pos))
                self._add(key_tok, self._key(key_tok), value, value, exact)
                return
        end = children[-1] if children[-1].type in _VALUE_END else None
        stop = n - 1 if end is not None else n
        i = 1
        while i < stop and children[i].type not in _WORD_START:
            i += 1
        segs = children[1:i]
        key = self._key(key_tok)
        self.reported = set()
        value, nm_empty, exact = self._value(key, segs, export=False)
        if i < stop:
            self._more_words(key, children[i:stop])
            nm_empty = True
        if end is not None and end.type == "REST":
            self._rest(key, end, array=not segs)
            nm_empty = True
        trail = end is not None and end.type == "TRAIL"
        raw_end = children[n - 2].end_pos if trail else children[n - 1].end_pos
        commented = trail and "#" in children[n - 1].value
        self._finish(
            key_tok, key, value, nm_empty, exact, raw_end, children[n - 1], commented, False,
        )

    def export(self, children: list[_Tok]) -> None:
        head = children[0]
        end = children[-1] if children[-1].type in _VALUE_END else None
        words = children[1:-1] if end is not None else children[1:]
        self.reported = set()
        groups: list[list[_Tok]] = []
        for tok in words:
            if tok.type in _WORD_START:
                groups.append([tok])
            else:
                groups[-1].append(tok)
        rest_error = False
        if end is not None and end.type == "REST":
            last_key = self._key(groups[-1][0]) if groups else "export"
            self._rest(last_key, end, array=False, exported=True)
            rest_error = True
        if not groups or all(g[0].type == "WORDNAME" for g in groups):
            names = " ".join(g[0].value.strip() for g in groups)
            line, col = self._first_char(head)
            self._report(
                IFCFG_EXPORT, line, col,
                f"'export {names}' only marks variables for export; it sets nothing"
                if names else "'export' alone lists exported variables; it sets nothing",
            )
            return
        for group in groups:
            key_tok = group[0]
            if key_tok.type == "WORDNAME":
                continue
            key = self._key(key_tok)
            self.reported = set()
            segs = group[1:]
            value, nm_empty, _ = self._value(key, segs, export=True)
            last: _Tok = segs[-1] if segs else key_tok
            raw_end = last.end_pos
            commented = False
            if end is not None and group is groups[-1]:
                commented = end.type == "TRAIL" and "#" in end.value
                last = end
            self._finish(
                key_tok, key, value, nm_empty or rest_error, False, raw_end, last, commented, True,
            )

    def command(self, tok: _Tok) -> None:
        self.reported = set()
        body = tok.value.lstrip(" \t")
        line, col = self._first_char(tok)
        special = _NOT_QUITE_ASSIGNMENT.match(body)
        word_match = _COMMAND_WORD.match(body)
        word = word_match.group() if word_match else body[:1]
        if body.startswith("\ufeff"):
            msg = (f"a UTF-8 byte-order mark starts the file: bash ran {_show(body)} as a command, "
                   "so the line set nothing; NetworkManager ignores it too")
        elif special and special.group(2) == "+=":
            name = special.group(1)
            msg = (f"{name}+=…: bash appends to {name}; NetworkManager ignores the line "
                   f"and keeps {name}'s earlier value")
        elif special and special.group(2) == "[":
            name = special.group(1)
            msg = (f"{name}[…]=: bash sets an element of array {name}; "
                   "NetworkManager ignores the line")
        elif special:
            name = special.group(1)
            msg = (f"'{name} =': a blank before '=' makes bash run {name} as a command instead "
                   "of assigning; NetworkManager ignores the line")
        elif word in ("source", "."):
            msg = (f"{_show(body)} makes bash read another file; it was not followed, and "
                   "NetworkManager ignores the line")
        else:
            msg = (f"not an assignment: bash runs {_show(body)} as a command; "
                   "NetworkManager ignores the line")
        self._report(IFCFG_SHELL_COMMAND, line, col, msg + self._derail(body))

    # -- values --------------------------------------------------------------------

    def _value(self, key: str, segs: list[_Tok], export: bool) -> tuple[str, bool, bool]:
        """Bash's value of the segments, whether NetworkManager reads it as empty, exactness."""
        parts: list[str] = []
        nm_empty = False
        exact = True
        differs: list[tuple[_Tok, str]] = []
        last = len(segs) - 1
        for i, seg in enumerate(segs):
            t = seg.type
            s = seg.value
            if t == "BARE":
                if "~" in s:
                    at = _tilde(s, i == 0, i == last)
                    if at >= 0:
                        line, col = self._at(seg, at)
                        self._report(
                            IFCFG_SHELL_EXPANSION, line, col,
                            f"{key}: the unquoted ~ is tilde expansion in bash (a home directory); "
                            f"NetworkManager takes {_show(s)} literally",
                        )
                        exact = False
                parts.append(s)
            elif t == "SQ":
                body = s[1:-1]
                if "\n" in body:
                    self._multiline(key, seg)
                    nm_empty = True
                parts.append(body)
            elif t == "DQ":
                value, empty = self._double(key, seg, differs)
                nm_empty = nm_empty or empty
                parts.append(value)
            elif t == "ANSI":
                body = s[2:-1]
                if "\n" in body:
                    self._multiline(key, seg)
                    nm_empty = True
                if "\\" in body:
                    body, ctrl, nul = _ansi_c(body)
                    if ctrl:
                        differs.append((seg, "it keeps \\cX, bash makes a control character"))
                    if nul:
                        differs.append((seg, "bash ends this $'…' segment at the NUL character"))
                parts.append(body)
            elif t == "ESC":
                if len(s) == 1:
                    differs.append((seg, "it takes a backslash ending the file for a continuation"))
                    parts.append(s)
                else:
                    parts.append(s[1])
            elif t == "CONT":
                self._continuation(key, seg.line, seg.column)
                nm_empty = True
            elif t == "EXPANSION":
                self._expansion(key, seg, 0, _expansion_kind(s))
                nm_empty = True
                if s in _OPEN_EXPANSIONS:
                    self.derailed = True
            elif t == "DOLLAR":
                differs.append((seg, "it rejects an unescaped $ and reads the value as empty"))
                parts.append(s)
            elif t == "ODDSPACE":
                differs.append((seg, f"it takes {_show(s)} as a blank and rejects the value"))
                parts.append(s)
            else:
                kind = {"SQ_OPEN": "single", "DQ_OPEN": "double", "ANSI_OPEN": "$'…'"}[t]
                self._report(
                    IFCFG_UNTERMINATED_QUOTE, seg.line, seg.column,
                    f"{key}: the {kind} quote opened here is never closed; bash stops reading the "
                    f"file here and sets nothing below, NetworkManager reads {key} as empty",
                )
                nm_empty = True
                self.derailed = True
        if export and not nm_empty:
            brace = _brace_expansion(segs)
            if brace is not None:
                seg, offset, shown = brace
                line, col = self._at(seg, offset)
                self._report(
                    IFCFG_SHELL_EXPANSION, line, col,
                    f"{key}: {_show(shown)} is brace expansion in an export line; bash assigns "
                    f"each alternative in turn, NetworkManager ignores the line",
                )
                nm_empty = True
        value = "".join(parts)
        if not nm_empty and not value.isascii():
            try:
                value = value.encode("utf-8", "surrogateescape").decode("utf-8")
            except UnicodeDecodeError:
                self._non_utf8(key, segs)
                nm_empty = True
        if differs and not nm_empty:
            seg, why = differs[0]
            self._report(
                IFCFG_NM_READS_DIFFERENTLY, seg.line, seg.column,
                f"{key}: NetworkManager reads this value differently ({why}); "
                f"bash saw {_show(value)}, which is kept",
            )
        return value, nm_empty, exact

    def _double(self, key: str, seg: _Tok, differs: list[tuple[_Tok, str]]) -> tuple[str, bool]:
        """A ``"…"`` (or ``$"…"``) segment: bash's text and whether NM reads it as empty."""
        s = seg.value
        skip = 2 if s[0] == "$" else 1
        body = s[skip:-1]
        nm_empty = False
        if skip == 2:
            self._expansion(key, seg, 0, 'locale translation ($"…")')
            nm_empty = True
        if "\\" not in body and "$" not in body and "`" not in body and "\n" not in body:
            return body, nm_empty
        code = _ESCAPE.sub("", body)
        if ("$(" in code and code.count("(") != code.count(")")) or code.count("`") % 2:
            self.derailed = True  # a quote inside $(…) or `…` closed this one too early
        out: list[str] = []
        pos = 0
        for m in _DQ_SPECIAL.finditer(body):
            out.append(body[pos:m.start()])
            pos = m.end()
            found = m.group()
            offset = skip + m.start()
            if found[0] == "\\":
                c = found[1]
                if c in '$`"\\':
                    out.append(c)
                elif c == "\n":
                    self._continuation(key, *self._at(seg, offset))
                    nm_empty = True
                else:
                    out.append(found)
            elif found == "$":
                if _PARAM_START.match(body, pos):
                    kind = _expansion_kind(body[m.start():m.start() + 3])
                    self._expansion(key, seg, offset, kind)
                    nm_empty = True
                else:
                    differs.append((seg, "it rejects an unescaped $ inside double quotes"))
                out.append(found)
            elif found == "`":
                self._expansion(key, seg, offset, "command substitution")
                nm_empty = True
            else:
                self._multiline(key, seg)
                nm_empty = True
                out.append(found)
        out.append(body[pos:])
        return "".join(out), nm_empty

    # -- what follows a value --------------------------------------------------------

    def _more_words(self, key: str, words: list[_Tok]) -> None:
        """Words after the value on an assignment line: further assignments or a command."""
        first = words[0]
        line, col = self._first_char(first)
        names = [w.value.strip() for w in words if w.type == "WORDNAME"]
        word = names[0] if names else first.value.strip() + "…"
        self._report(IFCFG_SHELL_COMMAND, line, col, _words_message(key, word, bool(names)))

    def _rest(self, key: str, tok: _Tok, array: bool, exported: bool = False) -> None:
        """What follows a value other than blanks, ``;`` and a comment: continuation, commands."""
        s = tok.value
        more = self._derail("_" + s)
        if "\n" in s:
            self._continuation(key, *self._at(tok, s.index("\n") - 1))
        i = _skip_blanks(s, 0)
        n = len(s)
        if i < n and s[i] == ";":
            semi = i
            i = _skip_blanks(s, i + 1)
            if i < n and s[i] != "#":
                what = ("a second ';' is a syntax error in bash" if s[i] == ";"
                        else f"bash runs {_show(s[i:])} after it")
                self._report(
                    IFCFG_SHELL_COMMAND, *self._at(tok, semi),
                    f"{key}: more follows the ';' after the value ({what}); "
                    f"NetworkManager reads {key} as empty" + more,
                )
            return
        if i >= n or s[i] == "#":
            return
        line, col = self._at(tok, i)
        c = s[i]
        if c in _METACHAR_WHAT:
            if array and c == "(":
                msg = (f"{key}=(…) is a bash array assignment ({_show(s[i:])}); "
                       f"NetworkManager reads {key} as empty")
            else:
                msg = (f"{key}: the unquoted '{c}' is {_METACHAR_WHAT[c]} in bash; "
                       f"NetworkManager reads {key} as empty")
        elif exported:
            msg = f"{key}: unexpected {_show(s[i:])} in an export line; it was not run"
        else:
            m = _COMMAND_WORD.match(s, i)
            word = m.group() if m else s[i:]
            msg = _words_message(key, word, _ASSIGNMENT_WORD.match(word) is None)
        self._report(IFCFG_SHELL_COMMAND, line, col, msg + more)

    # -- findings and results ---------------------------------------------------------

    def _finish(
        self, key_tok: _Tok, key: str, value: str, nm_empty: bool, exact: bool,
        raw_end: int, last: _Tok, commented: bool, exported: bool,
    ) -> None:
        """Record an assignment; ``last`` is the statement's last token (for a CRLF check)."""
        raw = self.text[key_tok.end_pos:raw_end].rstrip(" \t\r")
        if self.crlf and not commented and self.text.startswith("\r", last.end_pos):
            exact = False
        if exported:
            line, col = self._first_char(key_tok)
            shown = "an empty value" if nm_empty else _show(value)
            self._report(
                IFCFG_EXPORT, line, col,
                f"export {key}=…: NetworkManager ignores the line, so {key} keeps its earlier "
                f"value or default there; bash set it to {shown}",
            )
        if nm_empty:
            value = ""
        self._add(key_tok, key, value, raw, exact and not nm_empty and not exported)

    def _add(self, key_tok: _Tok, key: str, value: str, raw: str, exact: bool) -> None:
        line, col = self._first_char(key_tok)
        exact = exact and not self.derailed
        if not raw.isascii():
            raw = _SURROGATE.sub("\ufffd", raw)
        if key in self.seen:
            self._duplicate(key, line, col)
        self.seen[key] = line
        self.assignments.append(Assignment(key, value, Position(self.path, line, col), raw, exact))

    def _duplicate(self, key: str, line: int, col: int) -> None:
        self.findings.append(IFCFG_DUPLICATE_KEY(
            Position(self.path, line, col),
            f"{key} is set again (before on line {self.seen[key]}); the last value wins",
        ))

    def _report(self, code: FindingCode, line: int, col: int, message: str) -> None:
        """Add a finding, at most one per code for the statement or assignment at hand."""
        if code.code not in self.reported:
            self.reported.add(code.code)
            self.findings.append(code(Position(self.path, line, col), message))

    def _expansion(self, key: str, seg: _Tok, offset: int, what: str) -> None:
        line, col = self._at(seg, offset)
        shown = _show(seg.value[offset:] if offset else seg.value)
        self._report(
            IFCFG_SHELL_EXPANSION, line, col,
            f"{key}: {shown} is {what} in bash; it was not run, and NetworkManager reads {key} "
            "as empty",
        )

    def _derail(self, code: str) -> str:
        """Note (and remember) shell code after which bash may read the next lines differently."""
        if not _derails(code):
            return ""
        self.derailed = True
        return "; bash may read the following lines as part of it"

    def _continuation(self, key: str, line: int, col: int) -> None:
        self._report(
            IFCFG_LINE_CONTINUATION, line, col,
            f"{key}: the backslash ending line {line} continues it on line {line + 1}; "
            f"bash joins the lines, NetworkManager reads {key} as empty",
        )

    def _multiline(self, key: str, seg: _Tok) -> None:
        self._report(
            IFCFG_MULTILINE_VALUE, seg.line, seg.column,
            f"{key}: the quoted value spans lines {seg.line}-{seg.end_line}; bash reads them as "
            f"one value, NetworkManager reads {key} as empty and the following lines on their own",
        )

    def _non_utf8(self, key: str, segs: list[_Tok]) -> None:
        line, col = segs[0].line, segs[0].column
        for seg in segs:
            m = _SURROGATE.search(seg.value)
            if m is not None:
                line, col = self._at(seg, m.start())
                break
        self._report(
            IFCFG_NON_UTF8, line, col,
            f"{key}: the value is not valid UTF-8; bash used the bytes, NetworkManager drops the "
            f"value and reads {key} as empty",
        )

    def _crlf(self) -> bool:
        text = self.text
        at = text.find("\r\n")
        if at < 0:
            if not text.endswith("\r"):
                return False
            at = len(text) - 1
        line, col = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        self.findings.append(IFCFG_CRLF(
            Position(self.path, line, col),
            f"the file has Windows (CRLF) line endings from line {line}: bash kept the carriage "
            "return in values (ONBOOT=yes\\r is not 'yes' to initscripts), NetworkManager drops it",
        ))
        return True

    # -- positions -------------------------------------------------------------------

    @staticmethod
    def _key(tok: _Tok) -> str:
        return tok.value[:-1].lstrip(" \t")

    @staticmethod
    def _first_char(tok: _Tok) -> tuple[int, int]:
        """Line and column of a token's first character after leading blanks."""
        s = tok.value
        return tok.line, tok.column + len(s) - len(s.lstrip(" \t"))

    @staticmethod
    def _at(tok: _Tok, offset: int) -> tuple[int, int]:
        """Line and column of the character at ``offset`` within a token."""
        s = tok.value
        newlines = s.count("\n", 0, offset)
        if not newlines:
            return tok.line, tok.column + offset
        return tok.line + newlines, offset - s.rfind("\n", 0, offset)


@functools.cache
def _lines_terminal(parser: Lark) -> re.Pattern[str]:
    """The LINES terminal: a file it matches whole needs no parser run at all."""
    return re.compile(parser.get_terminal("LINES").pattern.to_regexp())


def _unquote_plain(raw: str) -> str:
    """A LINES value with quotes: they contain no escapes, so removing them is enough."""
    q = raw[0]
    if q in "'\"" and raw[-1] == q and raw.count(q) == 2:
        return raw[1:-1]
    return _PLAIN_QUOTED.sub(lambda m: m.group()[1:-1], raw)


def _tilde(bare: str, first: bool, last: bool) -> int:
    """Offset of a ``~`` bash would expand in an unquoted run of an assignment value, or -1.

    Bash expands a tilde at the start of the value or after an unquoted ``:`` when the
    whole tilde-prefix (up to ``/``, ``:`` or the end of the word) is unquoted.
    """
    candidates = [0] if first and bare.startswith("~") else []
    at = bare.find(":~")
    while at >= 0:
        candidates.append(at + 1)
        at = bare.find(":~", at + 1)
    for at in candidates:
        end = len(bare)
        for stop in "/:":
            found = bare.find(stop, at + 1)
            if found >= 0:
                end = min(end, found)
        if end < len(bare) or last:
            return at
    return -1


def _words_message(key: str, word: str, command: bool) -> str:
    if command:
        return (f"{key}: the words after the value make bash run {_show(word)} as a command "
                f"with {key} set only for it; NetworkManager reads {key} as empty")
    return (f"{key}: another assignment ({_show(word)}) follows on the same line; bash performs "
            f"both, NetworkManager reads {key} as empty and ignores the rest")


def _skip_blanks(s: str, i: int) -> int:
    """Index of the first character at or after ``i`` that is not a blank or a continuation."""
    n = len(s)
    while i < n:
        if s[i] in " \t":
            i += 1
        elif s.startswith("\\\n", i):
            i += 2
        else:
            break
    return i


def _derails(code: str) -> bool:
    """Whether bash, after this shell code, may read the following lines differently.

    True for what bash continues on the next line (a trailing ``|`` or ``&&``, an open
    parenthesis, an unclosed quote, compound commands, functions, here-documents) or
    aborts the file on (syntax errors: ``;;``, an empty command between operators, a
    redirection without a target). Plain commands are harmless.
    """
    s = _QUOTED.sub("_", code)
    if "'" in s or '"' in s or "`" in s or "<<" in s or ";;" in s:
        return True
    if s.count("(") != s.count(")") or _FUNCTION.search(s):
        return True
    command_start = True
    redirect = False
    last = ""
    for tok in _SHELL_TOKEN.findall(s):
        if tok in _CONTROL:
            if command_start or redirect:
                return True
            command_start, last = True, tok
        elif tok[0] in "<>&":
            redirect = True
        elif tok not in "()":
            if command_start and not redirect and tok in _RESERVED:
                return True
            command_start = command_start and redirect
            redirect = False
    return redirect or (command_start and last in ("&&", "||", "|", "|&"))


def _brace_expansion(segs: list[_Tok]) -> Optional[tuple[_Tok, int, str]]:
    """An unquoted ``{a,b}`` or ``{1..3}`` in a word (expanded in ``export`` arguments)."""
    if not any(seg.type == "BARE" and "{" in seg.value for seg in segs):
        return None
    unquoted = "".join(seg.value if seg.type == "BARE" else "\x00" for seg in segs)
    m = _BRACE_EXPANSION.search(unquoted)
    if m is None:
        return None
    pos = 0
    for seg in segs:
        width = len(seg.value) if seg.type == "BARE" else 1
        if m.start() < pos + width:
            return seg, m.start() - pos, m.group()
        pos += width
    return None


def _expansion_kind(text: str) -> str:
    if text.startswith("`"):
        return "command substitution"
    if text.startswith(("$((", "$[")):
        return "arithmetic expansion"
    if text.startswith("$("):
        return "command substitution"
    if text.startswith("${"):
        return "parameter expansion"
    return "variable expansion"


def _ansi_c(body: str) -> tuple[str, bool, bool]:
    """Bash's ``$'…'`` decoding (ansicstr), bytewise: text, whether ``\\cX`` occurred, NUL cut."""
    b = body.encode("utf-8", "surrogateescape")
    out = bytearray()
    ctrl = False
    i, n = 0, len(b)
    while i < n:
        c = b[i]
        i += 1
        if c != 0x5C or i >= n:
            out.append(c)
            continue
        c = b[i]
        i += 1
        simple = _ANSI_SIMPLE.get(c)
        if simple is not None:
            out.append(simple)
        elif 0x30 <= c <= 0x37:
            v = c - 0x30
            for _ in range(2):
                if i < n and 0x30 <= b[i] <= 0x37:
                    v = v * 8 + b[i] - 0x30
                    i += 1
                else:
                    break
            out.append(v & 0xFF)
        elif c in (0x78, 0x75, 0x55):
            width = 2 if c == 0x78 else 4 if c == 0x75 else 8
            j = i
            while j < n and j - i < width and b[j] in _HEX_DIGITS:
                j += 1
            if j == i:
                out += bytes((0x5C, c))
                continue
            v = int(b[i:j], 16)
            i = j
            if c == 0x78:
                out.append(v)
            else:
                out += _bash_utf8(v)
        elif c == 0x63:
            if i >= n:
                out += b"\\c"
                continue
            x = b[i]
            i += 1
            if x == 0x5C and i < n and b[i] == 0x5C:
                i += 1
            if 0x61 <= x <= 0x7A:
                x -= 0x20
            out.append(0x7F if x == 0x3F else x & 0x1F)
            ctrl = True
        else:
            out += bytes((0x5C, c))
    nul = out.find(0)
    if nul >= 0:
        del out[nul:]
    return out.decode("utf-8", "surrogateescape"), ctrl, nul >= 0


def _bash_utf8(code: int) -> bytes:
    """What bash writes for ``\\u``/``\\U`` in a UTF-8 locale (ill-formed beyond Unicode)."""
    if code >= 0x80000000:
        return b""
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"\xff"
    return chr(code).encode("utf-8")


def _show(text: str, limit: int = 40) -> str:
    """Text quoted for a one-line message, control characters and bad bytes escaped."""
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return "'" + _NON_ASCII_OR_CONTROL.sub(_escape_char, text) + "'"


def _escape_char(m: re.Match[str]) -> str:
    c = ord(m.group())
    if c >= 0xDC80:
        return f"\\x{c - 0xDC00:02x}"
    return {10: "\\n", 13: "\\r", 9: "\\t"}.get(c, f"\\x{c:02x}")
