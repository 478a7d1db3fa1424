"""Differential tests: the values we read must be the values bash sees when it sources the file.

Only files generated here are ever sourced, in a fresh temporary directory, with an
empty environment (``LC_ALL=C.UTF-8`` so ``$'\\u…'`` means UTF-8, as on the hosts).
Many keys go into one file so that one bash run checks them all.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Callable, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ifcfg2nm.findings import Severity
from ifcfg2nm.parser import shell
from ifcfg2nm.parser.documents import FileKind, ShellFile
from ifcfg2nm.parser.shell import parse_shell_file

BASH = shutil.which("bash")
needs_bash = pytest.mark.skipif(BASH is None, reason="needs bash")

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bash-differential")


def bash_values(workdir: Path, data: bytes, keys: list[str]) -> dict[str, Optional[bytes]]:
    """What bash has in each variable after sourcing ``data`` (None: unset)."""
    assert BASH is not None
    (workdir / "f").write_bytes(data)
    script = (
        ". ./f >/dev/null 2>&1; for k in " + " ".join(keys)
        + '; do printf "%s\\0%s\\0" "${!k+1}" "${!k}"; done'
    )
    out = subprocess.run(
        ["env", "-i", "LC_ALL=C.UTF-8", BASH, "--norc", "--noprofile", "-c", script],
        cwd=workdir, capture_output=True, timeout=20, check=True,
    ).stdout
    fields = out.split(b"\0")
    return {
        key: fields[2 * i + 1] if fields[2 * i] == b"1" else None
        for i, key in enumerate(keys)
    }


# -- quoting forms -------------------------------------------------------------------------

SPECIAL = " \t\n\r'\"\\$`#;|&<>()~:=*?{}[]!%^,./@+-\x1b\x7f\u00a0\u2028\ufeff"
characters = st.one_of(
    st.sampled_from(SPECIAL),
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
)
values = st.text(alphabet=characters, max_size=16)

ANSI_SIMPLE = {
    "\a": ["\\a"], "\b": ["\\b"], "\x1b": ["\\e", "\\E"], "\f": ["\\f"], "\n": ["\\n"],
    "\r": ["\\r"], "\t": ["\\t"], "\v": ["\\v"], "\\": ["\\\\"], "'": ["\\'"], '"': ['\\"'],
    "?": ["\\?"],
}
SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]")


def single(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def double(value: str) -> str:
    return '"' + re.sub(r'([\\$`"])', r"\\\1", value) + '"'


def backslashed(value: str, draw: Callable[[st.SearchStrategy[bool]], bool]) -> str:
    out = []
    for c in value:
        if c == "\n":
            out.append("$'\\n'")
        elif SAFE.fullmatch(c) and draw(st.booleans()):
            out.append(c)
        else:
            out.append("\\" + c)
    return "".join(out) or "''"


def ansi(value: str, draw: Callable[[st.SearchStrategy[int]], int]) -> str:
    out = []
    for c in value:
        code = ord(c)
        options = list(ANSI_SIMPLE.get(c, []))
        if c not in "'\\\n":
            options.append(c)
        raw = c.encode("utf-8")
        options.append("".join(f"\\{b:03o}" for b in raw))
        options.append("".join(f"\\x{b:02x}" for b in raw))
        if code <= 0xFFFF:
            options.append(f"\\u{code:04X}")
        options.append(f"\\U{code:08x}")
        if code == 0x7F:
            options.append("\\c?")
        elif code < 0x20:
            ctrl = chr(code + 0x40)
            options.append("\\c\\\\" if ctrl == "\\" else "\\c" + ctrl)
            if ctrl.isalpha():
                options.append("\\c" + ctrl.lower())
        out.append(options[draw(st.integers(0, len(options) - 1))])
    return "$'" + "".join(out) + "'"


@st.composite
def quoted(draw: st.DrawFn, value: str) -> str:
    """``value`` as a shell word, in one of the legal ways, or pieces of several."""
    form = draw(st.sampled_from(["single", "double", "backslash", "ansi", "vdsm", "pieces"]))
    if form == "pieces" and len(value) > 1:
        cuts = sorted(draw(st.sets(st.integers(1, len(value) - 1), max_size=3)))
        bounds = [0, *cuts, len(value)]
        return "".join(
            draw(quoted(value[a:b])) for a, b in zip(bounds, bounds[1:])
        )
    if form == "single":
        return single(value)
    if form == "double":
        return double(value)
    if form == "backslash":
        return backslashed(value, draw)
    if form == "ansi":
        return ansi(value, draw)
    return shlex.quote(value)


@st.composite
def files(draw: st.DrawFn) -> tuple[str, dict[str, str], dict[str, str]]:
    """A file of K<n>=<word> lines: (text, key to value, key to word)."""
    count = draw(st.integers(1, 12))
    lines = []
    expected = {}
    words = {}
    for i in range(count):
        key = f"K{i}"
        value = draw(values)
        word = draw(quoted(value))
        expected[key] = value
        words[key] = word
        lead = draw(st.sampled_from(["", "  ", "\t"]))
        tail = draw(st.sampled_from(["", " ", ";", " # note", "\t#", " ; # x"]))
        lines.append(f"{lead}{key}={word}{tail}")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "# comment", "  # x 'y' $z", "   "])))
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""])), expected, words


@needs_bash
@SETTINGS
@given(case=files())
def test_quoted_values_match_bash(
    workdir: Path, case: tuple[str, dict[str, str], dict[str, str]],
) -> None:
    text, expected, words = case
    data = text.encode("utf-8")
    result = parse_shell_file(data, "f")
    seen = bash_values(workdir, data, list(expected))
    multiline = any("\n" in w for w in words.values())
    if not multiline:
        assert [f for f in result.findings if f.severity is Severity.ERROR] == []
    for key, value in expected.items():
        assert seen[key] == value.encode("utf-8"), (key, words[key])
        if "\n" in words[key]:
            continue
        got = result.last(key)
        assert got is not None, (key, words[key])
        assert got.exact, (key, words[key], result.findings)
        assert got.value == value, (key, words[key])


# -- arbitrary shell-ish text: whenever we say "exact", bash must agree ---------------------

PIECES = [
    " ", "\t", "\n", "\r\n", "'", '"', "\\", "$", "`", "#", ";", "|", "&", "<", ">", "(", ")",
    "~", ":", "=", "{", "}", "*", "x", "y", "é", "\udcff", "A=", "B=", "\nA=", "\nB=", " B=",
    "$'", '$"', "${", "$(", "$x", "\\n", "\\t", "\\x41", "\\101", "\\u00e9", "\\c", "'a b'",
    '"a b"', "export ", "# c", ";;", "\\\n", "if ", "then ", "fi", "{ ", " }", "<<", "&&", "||",
    "f()", "\v", "$1", "$%", "a,b", "\\c\\\\", "\\0", ">x", " <", "!",
]
shellish = st.lists(st.sampled_from(PIECES), max_size=20).map("".join)


@needs_bash
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=shellish)
def test_exact_values_are_what_bash_sees(workdir: Path, text: str) -> None:
    data = text.encode("utf-8", "surrogateescape")
    result = parse_shell_file(data, "f")
    if any(f.severity is Severity.ERROR for f in result.findings):
        return
    exact = {k: a for k, a in ((a.key, a) for a in result.assignments)}
    keys = [k for k, a in exact.items() if a.exact]
    if not keys:
        return
    seen = bash_values(workdir, data, keys)
    for key in keys:
        assert seen[key] == exact[key].value.encode("utf-8"), (key, text)


# -- fuzz: never raise, positions inside the file ------------------------------------------


def check_positions(data: bytes, result: ShellFile) -> None:
    lines = data.decode("utf-8", "surrogateescape").split("\n")
    for finding in result.findings:
        p = finding.position
        assert p.file == "f"
        assert 1 <= p.line <= len(lines)
        assert 1 <= p.column <= len(lines[p.line - 1]) + 1
        assert "\n" not in finding.message
    for a in result.assignments:
        p = a.position
        assert 1 <= p.line <= len(lines)
        assert lines[p.line - 1][p.column - 1:].startswith(a.key + "=")
        assert isinstance(a.value, str) and isinstance(a.raw, str)
        a.value.encode("utf-8")
        a.raw.encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    check_positions(data, parse_shell_file(data, "f"))


@settings(max_examples=400, deadline=None)
@given(text=shellish)
def test_shellish_text_never_raises(text: str) -> None:
    data = text.encode("utf-8", "surrogateescape")
    check_positions(data, parse_shell_file(data, "f"))


SLOW = shell._make_parser(re.sub(r"^LINES\.\d+:.*$", "LINES: /(?!)x/", shell._GRAMMAR, flags=re.M))
plain_files = st.lists(
    st.sampled_from([
        "A=1\n", "B='x y'\n", 'C="a b"\n', "  D=x#y # c\n", "# c\n", "\n", "E=\n", "A=2\n",
        "F='a'\"b\"c\n", "G=é\n", "H='\r'\n", "I=$'x'\n", "J=a\\ b\n", "K=1;\n", "L=x\r\n",
        "M=a b\n", "N=~\n", "O='q\n", "P=$(x)\n",
    ]),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(plain_files, shellish))
def test_plain_lines_shortcut_reads_like_the_detailed_grammar(text: str) -> None:
    data = text.encode("utf-8", "surrogateescape")
    assert parse_shell_file(data, "f") == shell._parse(SLOW, data, "f", FileKind.IFCFG, "")
