"""Conformance table for the shell-variable parser: one row per quoting form, escape and error.

Each row: file text, the key to look at (None: the line must give no assignment), bash's
value (or NetworkManager's reading when not exact), ``exact``, and the findings as
(code, line, column). Values marked "bash:" were checked against bash 5.2.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Optional, Union

import pytest

from ifcfg2nm.findings import Severity, lookup
from ifcfg2nm.parser import shell
from ifcfg2nm.parser.documents import FileKind, Owner, ShellFile
from ifcfg2nm.parser.shell import parse_shell_file

EXP = "IFCFG_SHELL_EXPANSION"
CMD = "IFCFG_SHELL_COMMAND"
EXPORT = "IFCFG_EXPORT"
CONT = "IFCFG_LINE_CONTINUATION"
UNTERM = "IFCFG_UNTERMINATED_QUOTE"
MULTI = "IFCFG_MULTILINE_VALUE"
DUP = "IFCFG_DUPLICATE_KEY"
UTF8 = "IFCFG_NON_UTF8"
CRLF = "IFCFG_CRLF"
DIFF = "IFCFG_NM_READS_DIFFERENTLY"

F = tuple[str, int, int]
Row = tuple[str, Union[str, bytes], Optional[str], Optional[str], bool, list[F]]

ROWS: list[Row] = [
    # --- unquoted -------------------------------------------------------------------
    ("bare", "A=abc\n", "A", "abc", True, []),
    ("empty", "A=\n", "A", "", True, []),
    ("no final newline", "A=abc", "A", "abc", True, []),
    ("leading blanks", "  \tA=abc\n", "A", "abc", True, []),
    ("underscore digits key", "_A1=x\n", "_A1", "x", True, []),
    ("hash inside word", "A=a#b\n", "A", "a#b", True, []),
    ("hash starts value", "A=#b\n", "A", "#b", True, []),
    ("equals in value", "A=a=b\n", "A", "a=b", True, []),
    ("glob chars literal", "A=*?[a]\n", "A", "*?[a]", True, []),
    ("braces literal in assignment", "A={a,b}\n", "A", "{a,b}", True, []),
    ("tilde inside word", "A=x~\n", "A", "x~", True, []),
    ("tilde after second equals", "A=a=~\n", "A", "a=~", True, []),
    ("tilde prefix quoted", "A=~x'y'\n", "A", "~xy", True, []),
    ("non-ascii", "A=café\n", "A", "café", True, []),
    ("backslash space", "A=a\\ b\n", "A", "a b", True, []),
    ("backslash letter", "A=\\c\n", "A", "c", True, []),
    ("backslash dollar", "A=\\$x\n", "A", "$x", True, []),
    ("backslash quote", "A=\\'\\\"\n", "A", "'\"", True, []),
    ("backslash backslash", "A=a\\\\b\n", "A", "a\\b", True, []),
    ("backslash tilde", "A=\\~\n", "A", "~", True, []),
    # --- terminators and comments ---------------------------------------------------
    ("comment after blank", "A=1 # c\n", "A", "1", True, []),
    ("comment after tab", "A=1\t#c\n", "A", "1", True, []),
    ("trailing blanks", "A=1  \n", "A", "1", True, []),
    ("semicolon", "A=1;\n", "A", "1", True, []),
    ("semicolon comment", "A=1; # c\n", "A", "1", True, []),
    ("blank semicolon comment", "A=1 ;#c\n", "A", "1", True, []),
    ("empty value then comment", "A= # c\n", "A", "", True, []),
    ("comment line", "# A=1\n", None, None, True, []),
    ("indented comment", "   # x\n", None, None, True, []),
    ("blank line", "   \n", None, None, True, []),
    # --- single quotes ---------------------------------------------------------------
    ("single quotes", "A='a b'\n", "A", "a b", True, []),
    ("single empty", "A=''\n", "A", "", True, []),
    ("single keeps everything", "A='$x `y` \\ \"q\" #;|&'\n", "A", '$x `y` \\ "q" #;|&', True, []),
    ("single splice", "A='it'\\''s'\n", "A", "it's", True, []),
    ("pipes.quote splice", "A='a'\"'\"'b'\n", "A", "a'b", True, []),
    ("single then comment", "A='x y' # c\n", "A", "x y", True, []),
    # --- double quotes ---------------------------------------------------------------
    ("double quotes", 'A="a b"\n', "A", "a b", True, []),
    ("double empty", 'A=""\n', "A", "", True, []),
    ("double four escapes", 'A="a\\$b\\`c\\"d\\\\e"\n', "A", 'a$b`c"d\\e', True, []),
    ("double other backslash kept", 'A="a\\qb\\nc\\\'"\n', "A", "a\\qb\\nc\\'", True, []),
    ("double single quote", "A=\"it's\"\n", "A", "it's", True, []),
    ("double hash and semicolon", 'A="a #b;c"\n', "A", "a #b;c", True, []),
    ("double ansi-looking", "A=\"$'x'\"\n", "A", "$'x'", True, [(DIFF, 1, 3)]),
    ("double lone dollar", 'A="a$"\n', "A", "a$", True, [(DIFF, 1, 3)]),
    # --- $'...' -----------------------------------------------------------------------
    ("ansi tab", "A=$'a\\tb'\n", "A", "a\tb", True, []),
    ("ansi simple escapes", "A=$'\\a\\b\\e\\E\\f\\n\\r\\t\\v\\\\\\'\\\"\\?'\n", "A",
     "\a\b\x1b\x1b\f\n\r\t\v\\'\"?", True, []),
    ("ansi octal", "A=$'\\101\\0101\\7'\n", "A", "A\x081\x07", True, []),
    ("ansi octal wraps mod 256", "A=$'\\501'\n", "A", "A", True, []),
    ("ansi hex", "A=$'\\x41\\x4a\\x4G\\x414'\n", "A", "AJ\x04GA4", True, []),
    ("ansi bare x", "A=$'\\xZ'\n", "A", "\\xZ", True, []),
    ("ansi u", "A=$'\\u00e9\\u20AC\\u41'\n", "A", "é€A", True, []),
    ("ansi bare u", "A=$'\\u'\n", "A", "\\u", True, []),
    ("ansi U", "A=$'\\U0001F600'\n", "A", "\U0001f600", True, []),
    ("ansi utf-8 bytes", "A=$'\\303\\251'\n", "A", "é", True, []),
    ("ansi bytes across segments", "A=$'\\303'$'\\251'\n", "A", "é", True, []),
    ("ansi unknown escape", "A=$'\\q\\8'\n", "A", "\\q\\8", True, []),
    ("ansi control", "A=$'\\ca\\c?'\n", "A", "\x01\x7f", True, [(DIFF, 1, 3)]),
    ("ansi control backslash", "A=$'\\c\\\\x'\n", "A", "\x1cx", True, [(DIFF, 1, 3)]),
    ("ansi c at end", "A=$'\\c'\n", "A", "\\c", True, []),
    ("ansi nul cuts segment", "A=$'a\\0b'c\n", "A", "ac", True, [(DIFF, 1, 3)]),
    ("ansi octal wraps to nul", "A=$'x\\400y'\n", "A", "x", True, [(DIFF, 1, 3)]),
    # --- concatenation ----------------------------------------------------------------
    ("segments", "A=a'b c'\"d e\"$'\\t'\\f\n", "A", "ab cd e\tf", True, []),
    ("vdsm bonding", "BONDING_OPTS='mode=4 miimon=100'\n", "BONDING_OPTS", "mode=4 miimon=100",
     True, []),
    # --- expansions (never run; NetworkManager reads '') -------------------------------
    ("variable", "A=$B\n", "A", "", False, [(EXP, 1, 3)]),
    ("variable after text", "A=x$B\n", "A", "", False, [(EXP, 1, 4)]),
    ("braced", "A=${B:-x}\n", "A", "", False, [(EXP, 1, 3)]),
    ("command substitution", "A=$(cat /etc/x)\n", "A", "", False, [(EXP, 1, 3)]),
    ("arithmetic", "A=$((1+2))\n", "A", "", False, [(EXP, 1, 3)]),
    ("old arithmetic", "A=$[1+2]\n", "A", "", False, [(EXP, 1, 3)]),
    ("backticks", "A=`hostname`\n", "A", "", False, [(EXP, 1, 3)]),
    ("positional", "A=$1\n", "A", "", False, [(EXP, 1, 3)]),
    ("special parameter", "A=$$\n", "A", "", False, [(EXP, 1, 3)]),
    ("in double quotes", 'A="x $B"\n', "A", "", False, [(EXP, 1, 6)]),
    ("backtick in double quotes", 'A="`x`"\n', "A", "", False, [(EXP, 1, 4)]),
    ("locale string", 'A=$"x"\n', "A", "", False, [(EXP, 1, 3)]),
    ("unterminated substitution", "A=$(x\n", "A", "", False, [(EXP, 1, 3)]),
    ("tilde", "A=~\n", "A", "~", False, [(EXP, 1, 3)]),
    ("tilde slash", "A=~/x\n", "A", "~/x", False, [(EXP, 1, 3)]),
    ("tilde user", "A=~root\n", "A", "~root", False, [(EXP, 1, 3)]),
    ("tilde after colon", "A=x:~/y\n", "A", "x:~/y", False, [(EXP, 1, 5)]),
    # --- commands and invalid lines ---------------------------------------------------
    ("array", "A=(a b)\n", "A", "", False, [(CMD, 1, 3)]),
    ("append", "A+=x\n", None, None, True, [(CMD, 1, 1)]),
    ("array element", "A[0]=x\n", None, None, True, [(CMD, 1, 1)]),
    ("blanks around equals", "A = x\n", None, None, True, [(CMD, 1, 1)]),
    ("pipe", "A=a|b\n", "A", "", False, [(CMD, 1, 4)]),
    ("background", "A=a&\n", "A", "", False, [(CMD, 1, 4)]),
    ("and-and", "A=a && b\n", "A", "", False, [(CMD, 1, 5)]),
    ("redirection out", "A=a>b\n", "A", "", False, [(CMD, 1, 4)]),
    ("redirection in", "A=a<b\n", "A", "", False, [(CMD, 1, 4)]),
    ("closing paren", "A=a)\n", "A", "", False, [(CMD, 1, 4)]),
    ("semicolon code", "A=1;B=2\n", "A", "", False, [(CMD, 1, 4)]),
    ("double semicolon", "A=1;;\n", "A", "", False, [(CMD, 1, 4)]),
    ("more words", "A=a b\n", "A", "", False, [(CMD, 1, 5)]),
    ("command with env", "A=a ifup eth0\n", "A", "", False, [(CMD, 1, 5)]),
    ("second assignment", "A=1 B=2\n", "A", "", False, [(CMD, 1, 5)]),
    ("empty value then word", "A= b\n", "A", "", False, [(CMD, 1, 4)]),
    ("command line", "echo hi\n", None, None, True, [(CMD, 1, 1)]),
    ("indented command", "  ifup eth0\n", None, None, True, [(CMD, 1, 3)]),
    ("source", "source /etc/x\n", None, None, True, [(CMD, 1, 1)]),
    ("dot", ". /etc/x\n", None, None, True, [(CMD, 1, 1)]),
    ("byte order mark", "\ufeffDEVICE=eth0\n", None, None, True, [(CMD, 1, 1)]),
    ("digit key", "1A=x\n", None, None, True, [(CMD, 1, 1)]),
    # --- export -----------------------------------------------------------------------
    ("export", "export A=1\n", "A", "1", False, [(EXPORT, 1, 8)]),
    ("export quoted", "export A='a b'\n", "A", "a b", False, [(EXPORT, 1, 8)]),
    ("export expansion", "export A=$x\n", "A", "", False, [(EXPORT, 1, 8), (EXP, 1, 10)]),
    ("export brace expansion", "export A={a,b}\n", "A", "", False, [(EXPORT, 1, 8), (EXP, 1, 10)]),
    ("export name only", "export A\n", None, None, True, [(EXPORT, 1, 1)]),
    ("export alone", "export\n", None, None, True, [(EXPORT, 1, 1)]),
    ("export two", "export B=2 A=1\n", "A", "1", False, [(EXPORT, 1, 8), (EXPORT, 1, 12)]),
    ("export option", "export -n A=1\n", None, None, True, [(CMD, 1, 8), (EXPORT, 1, 1)]),
    # --- continuation, quotes across lines --------------------------------------------
    ("continuation", "A=abc\\\ndef\n", "A", "", False, [(CONT, 1, 6)]),
    ("continuation in double quotes", 'A="abc\\\ndef"\n', "A", "", False, [(CONT, 1, 7)]),
    ("continuation after value", "A=1 \\\n# c\n", "A", "", False, [(CONT, 1, 5)]),
    ("continuation into assignment", "A=1 \\\nB=2\n", "A", "", False, [(CONT, 1, 5), (CMD, 2, 1)]),
    ("backslash at end of file", "A=abc\\", "A", "abc\\", True, [(DIFF, 1, 6)]),
    ("escaped carriage return", "A=abc\\\r\n", "A", "abc\r", True, [(CRLF, 1, 7)]),
    ("unterminated single", "A='abc\n", "A", "", False, [(UNTERM, 1, 3)]),
    ("unterminated double", 'A="abc\n', "A", "", False, [(UNTERM, 1, 3)]),
    ("unterminated ansi", "A=$'abc\n", "A", "", False, [(UNTERM, 1, 3)]),
    ("unterminated resumes next line", "A='abc\nB=1\n", "B", "1", False, [(UNTERM, 1, 3)]),
    ("multiline single", "A='a\nb'\n", "A", "", False, [(MULTI, 1, 3)]),
    ("multiline double", 'A="a\nb"\n', "A", "", False, [(MULTI, 1, 3)]),
    ("multiline consumed", "A='a\nB=2'\n", "B", None, True, [(MULTI, 1, 3)]),
    # --- what bash reads after a construct that does not end on its line ---------------
    ("unterminated quote stops bash", "A='x\nB=2\n", "B", "2", False, [(UNTERM, 1, 3)]),
    ("pipe continues on next line", "A=1 |\nB=2\n", "B", "2", False, [(CMD, 1, 5)]),
    ("open substitution", "A=$(\nB=2\n", "B", "2", False, [(EXP, 1, 3)]),
    ("compound command", "if true; then\nB=2\nfi\n", "B", "2", False, [(CMD, 1, 1), (CMD, 3, 1)]),
    ("here-document", "cat <<EOF\nB=2\nEOF\n", "B", "2", False, [(CMD, 1, 1), (CMD, 3, 1)]),
    ("syntax error stops bash", "A=1;;\nB=2\n", "B", "2", False, [(CMD, 1, 4)]),
    ("plain command keeps later lines", "echo hi\nB=2\n", "B", "2", True, [(CMD, 1, 1)]),
    ("substitution keeps later lines", "A=$(x)\nB=2\n", "B", "2", True, [(EXP, 1, 3)]),
    ("quoted substitution keeps later lines", 'A="$(x)"\nB=2\n', "B", "2", True, [(EXP, 1, 4)]),
    ("quotes inside substitution", 'A="$(echo "x")"\nB=2\n', "B", "2", False, [(EXP, 1, 4)]),
    # --- duplicates, encoding, line ends -----------------------------------------------
    ("duplicate", "A=1\nA=2\n", "A", "2", True, [(DUP, 2, 1)]),
    ("invalid utf-8", b"A=a\xff\n", "A", "", False, [(UTF8, 1, 4)]),
    ("invalid utf-8 quoted", b"A='a\xe9'\n", "A", "", False, [(UTF8, 1, 5)]),
    ("invalid utf-8 from escape", "A=$'\\xff'\n", "A", "", False, [(UTF8, 1, 3)]),
    ("invalid utf-8 in comment", b"# caf\xe9\nA=1\n", "A", "1", True, []),
    ("crlf", "A=yes\r\nB=no\r\n", "A", "yes", False, [(CRLF, 1, 6)]),
    ("crlf quoted", "A='yes'\r\n", "A", "yes", False, [(CRLF, 1, 8)]),
    ("crlf after blank", "A=yes \r\n", "A", "yes", False, [(CRLF, 1, 7)]),
    ("crlf in comment only", "A=yes #c\r\n", "A", "yes", True, [(CRLF, 1, 9)]),
    ("crlf later line", "A=1\nB=2\r\n", "A", "1", True, [(CRLF, 2, 4)]),
    ("carriage return inside word", "A=a\rb\n", "A", "a\rb", True, [(DIFF, 1, 4)]),
    ("vertical tab inside word", "A=a\vb\n", "A", "a\vb", True, [(DIFF, 1, 4)]),
    ("lone dollar", "A=a$\n", "A", "a$", True, [(DIFF, 1, 4)]),
    ("dollar percent", "A=$%\n", "A", "$%", True, [(DIFF, 1, 3)]),
]


def _parse(text: str | bytes) -> ShellFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_shell_file(data, "ifcfg-x")


@pytest.mark.parametrize(("text", "key", "value", "exact", "findings"),
                         [pytest.param(*row[1:], id=row[0]) for row in ROWS])
def test_conformance(
    text: str | bytes, key: Optional[str], value: Optional[str], exact: bool, findings: list[F],
) -> None:
    result = _parse(text)
    got = sorted((f.code, f.position.line, f.position.column) for f in result.findings)
    assert got == sorted(findings)
    if key is None:
        assert result.assignments == ()
        return
    assignment = result.last(key)
    if value is None:
        assert assignment is None
        return
    assert assignment is not None
    assert (assignment.value, assignment.exact) == (value, exact)


def test_findings_are_one_line_and_name_the_key() -> None:
    for row in ROWS:
        result = _parse(row[1])
        keys_by_line: dict[int, list[str]] = {}
        for a in result.assignments:
            keys_by_line.setdefault(a.position.line, []).append(a.key)
        for finding in result.findings:
            assert "\n" not in finding.message and "\r" not in finding.message
            assert finding.position.file == "ifcfg-x"
            keys = keys_by_line.get(finding.position.line)
            if keys and finding.code != CRLF:
                assert any(k in finding.message for k in keys), (row[0], finding.message)


def test_severities() -> None:
    expected = {
        EXP: Severity.ERROR, CMD: Severity.ERROR, EXPORT: Severity.WARNING,
        CONT: Severity.ERROR, UNTERM: Severity.ERROR, MULTI: Severity.ERROR,
        DUP: Severity.WARNING, UTF8: Severity.ERROR, CRLF: Severity.WARNING,
        DIFF: Severity.INFO,
    }
    for code, severity in expected.items():
        assert lookup(code).severity is severity


def test_positions_raw_and_order() -> None:
    text = "# Generated by VDSM version 4.30.46.1\nDEVICE=bond0\n  BONDING_OPTS='mode=4' # x\n"
    result = parse_shell_file(text.encode(), "p", FileKind.IFCFG, "/etc/sysconfig/x")
    assert result.ownership.owner is Owner.VDSM
    assert result.host_path == "/etc/sysconfig/x"
    assert [(a.key, a.position.line, a.position.column, a.raw) for a in result.assignments] == [
        ("DEVICE", 2, 1, "bond0"), ("BONDING_OPTS", 3, 3, "'mode=4'"),
    ]


def test_duplicate_message_names_earlier_line() -> None:
    result = _parse("A=1\nB=2\nA=3\nA=4\n")
    messages = [f.message for f in result.findings]
    assert "line 1" in messages[0] and "line 3" in messages[1]
    assert [a.value for a in result.assignments] == ["1", "2", "3", "4"]
    assert result.values() == {"A": "4", "B": "2"}


def test_continuation_line_is_consumed() -> None:
    result = _parse("A=x\\\nB=2\nC=3\n")
    assert [a.key for a in result.assignments] == ["A", "C"]


def test_network_kind() -> None:
    result = parse_shell_file(b"NETWORKING=yes\nGATEWAY=10.0.0.1\n", "network", FileKind.NETWORK)
    assert result.kind is FileKind.NETWORK
    assert result.values() == {"NETWORKING": "yes", "GATEWAY": "10.0.0.1"}


def test_plain_lines_shortcut_matches_detailed_grammar() -> None:
    """The LINES terminal is a shortcut: without it every row must read the same."""
    slow = shell._make_parser(
        re.sub(r"^LINES\.\d+:.*$", "LINES: /(?!)x/", shell._GRAMMAR, flags=re.M)
    )
    for row in ROWS:
        text = row[1]
        data = text.encode("utf-8") if isinstance(text, str) else text
        fast = parse_shell_file(data, "f")
        assert fast == shell._parse(slow, data, "f", FileKind.IFCFG, ""), row[0]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_exact_rows_are_what_bash_sees(tmp_path: Path) -> None:
    """Every exact value of the table is the value bash has after sourcing the text."""
    checked = 0
    for name, text, key, value, exact, _ in ROWS:
        if key is None or value is None or not exact:
            continue
        (tmp_path / "f").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        out = subprocess.run(
            ["env", "-i", "LC_ALL=C.UTF-8", "bash", "--norc", "--noprofile", "-c",
             f'. ./f >/dev/null 2>&1; printf %s "${key}"'],
            cwd=tmp_path, capture_output=True, timeout=20, check=True,
        ).stdout
        assert out == value.encode("utf-8"), name
        checked += 1
    assert checked > 50
