"""rule-<name> and rule6-<name> files: one ``ip [-4|-6] rule add <line>`` per line.

Only initscripts ever applied these files (NetworkManager's ifcfg-rh reader
does not read them, and ignores the profile's routes when they exist), so
iproute2 alone decides what each line meant: numbers are ``strtoul(…, 0)``,
``pref``/``prio``/``order`` are ``priority``, ``lookup`` is ``table``, ``dev`` is
``iif``, a repeated selector keeps its last value. A line ip rejects is skipped
with an error; the rest of the file is kept.

Selectors without a RuleEntry field go to ``options`` under iproute2's
canonical keyword, normalized (``("sport", "1000-2000")``, ``("l3mdev", "")``).

Fast path: most lines are VDSM's (``from <prefix> [to <prefix>] [dev <name>] prio <n>
table <n>``). An IPv4 line made only of ``from``/``to`` (``all``, ``any``,
``default`` or a plain dotted quad with an optional decimal length and no host
bits), a priority, a table (a number or ``main``/``local``/``default``/``unspec``),
``iif``/``dev``/``oif`` (printable ASCII names without ``/``), under any of their
keywords, each at most once and with a priority among them, reads without any
finding, so one regular expression recognizes it and the entry is built directly.
Anything else goes through the grammar; tests/parser/test_route_rule_fastpath.py
checks that both give the same entry.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from lark import Lark, Token, Tree

from ifcfg2nm.findings import Finding, FindingCode, Position, Severity, define
from ifcfg2nm.parser.documents import FileKind, RuleEntry, RuleFile
from ifcfg2nm.parser.iproute import (
    PLAIN_IFNAME,
    PLAIN_NUMBER,
    PLAIN_PREFIX4,
    U32_MAX,
    SyntaxProblem,
    one_line,
    parse_address,
    parse_hex,
    parse_prefix,
    parse_uint,
    parse_words,
    plain_decimal,
    plain_prefix4,
    split_lines,
    valid_ifname,
)
from ifcfg2nm.parser.ownership import detect_ownership

RULE_SYNTAX = define(
    "RULE_SYNTAX", Severity.ERROR,
    "a rule line ip rule cannot read",
    "Fix or delete the line: the rule was never installed, and is not migrated.",
)
RULE_BAD_VALUE = define(
    "RULE_BAD_VALUE", Severity.ERROR,
    "a rule selector or action has a value ip rule (or the kernel) rejects",
    "Fix the value: the rule was never installed, and is not migrated.",
)
RULE_FAMILY_MISMATCH = define(
    "RULE_FAMILY_MISMATCH", Severity.ERROR,
    "an address of the other IP family (IPv6 in rule-, IPv4 in rule6-)",
    "Move the rule to the file of its family (rule- for IPv4, rule6- for IPv6).",
)
RULE_DUPLICATE_OPTION = define(
    "RULE_DUPLICATE_OPTION", Severity.INFO,
    "a selector is given twice on one rule line",
    "Remove one: ip rule used the last value.",
)
RULE_HOST_BITS = define(
    "RULE_HOST_BITS", Severity.INFO,
    "a from/to prefix has bits set beyond its length",
    "Write the network address; the kernel matched only the prefix bits.",
)
RULE_TABLE_NAME = define(
    "RULE_TABLE_NAME", Severity.WARNING,
    "the rule's table is given by a name from /etc/iproute2/rt_tables",
    "The name must be resolved through the host's rt_tables; NetworkManager takes numbers only.",
)
RULE_UNSUPPORTED_BY_NM = define(
    "RULE_UNSUPPORTED_BY_NM", Severity.WARNING,
    "a rule selector or action NetworkManager's routing rules cannot express",
    "It is dropped on migration; recreate it with a dispatcher script if it matters.",
)
RULE_OBSOLETE = define(
    "RULE_OBSOLETE", Severity.WARNING,
    "rule NAT (nat/map-to) has had no effect since Linux 2.6",
    "Delete the nat word; the rule only looked its table up.",
)
RULE_NO_PRIORITY = define(
    "RULE_NO_PRIORITY", Severity.INFO,
    "a rule without priority: the kernel chose one just below the first non-zero rule",
    "NetworkManager needs an explicit priority; ifcfg2nm must assign one that keeps the order.",
)
RULE_ADDRESS_FORM = define(
    "RULE_ADDRESS_FORM", Severity.INFO,
    "an address or number written in a form only iproute2 reads (10/8, 010.0.0.1, 0x1a)",
    "Write it as a plain dotted quad and decimal numbers; ifcfg2nm uses iproute2's reading.",
)
RULE_CRLF = define(
    "RULE_CRLF", Severity.WARNING,
    "the file has CRLF line ends",
    "ip rule saw a trailing \\r in the last word of each line and rejected it; convert the "
    "file to LF line ends. ifcfg2nm reads the lines without \\r.",
)
RULE_NOT_UTF8 = define(
    "RULE_NOT_UTF8", Severity.WARNING,
    "the file is not valid UTF-8",
    "Fix the encoding; undecodable bytes were read as U+FFFD.",
)

_ALIASES = {
    "dsfield": "tos", "dev": "iif", "preference": "priority", "pref": "priority",
    "prio": "priority", "order": "priority", "lookup": "table", "proto": "protocol",
    "realm": "realms", "sup_group": "suppress_ifgroup", "map-to": "nat",
}
_TABLES = {"main": 254, "local": 255, "default": 253, "unspec": 0}
_NAME = re.compile(r"[A-Za-z0-9_.-]+\Z")
_NOT_NM = {"goto", "realms", "suppress_ifgroup", "tun_id"}
_FAST_ITEM = (
    rf"(?:(?:from|to)[ \t]+(?:all|any|default|{PLAIN_PREFIX4})"
    rf"|(?:priority|preference|pref|prio|order)[ \t]+{PLAIN_NUMBER}"
    rf"|(?:table|lookup)[ \t]+(?:{PLAIN_NUMBER}|main|local|default|unspec)"
    rf"|(?:iif|dev|oif)[ \t]+{PLAIN_IFNAME})"
)
_FAST_LINE = re.compile(rf"([ \t]*){_FAST_ITEM}(?:[ \t]+{_FAST_ITEM})*[ \t]*")


@functools.cache
def _parser() -> Lark:
    return Lark.open("rule.lark", rel_to=__file__, parser="lalr", lexer="contextual",
                     keep_all_tokens=True)


@dataclass
class _Rule:
    """One rule being read: its fields so far and its findings."""

    path: str
    line: int
    family: int
    findings: list[Finding] = field(default_factory=list)
    failed: bool = False
    values: dict[str, object] = field(default_factory=dict)
    options: list[tuple[str, str]] = field(default_factory=list)
    seen: dict[str, Token] = field(default_factory=dict)
    action: str = "table"
    invert: bool = False

    def at(self, token: Token | None) -> Position:
        column = token.column if token is not None and isinstance(token.column, int) else 1
        return Position(self.path, self.line, column)

    def report(self, code: FindingCode, token: Token | None, message: str,
               severity: Severity | None = None) -> None:
        self.findings.append(code(self.at(token), one_line(message), severity=severity))

    def fail(self, code: FindingCode, token: Token, message: str) -> None:
        if not self.failed:
            self.report(code, token, message)
        self.failed = True

    def once(self, name: str, token: Token) -> None:
        old = self.seen.get(name)
        if old is not None:
            self.report(RULE_DUPLICATE_OPTION, token,
                        f"`{token}` repeats `{old}` of column {old.column}; ip rule used the last")
            self.options = [o for o in self.options if o[0] != name]
        self.seen[name] = token

    def option(self, name: str, value: str) -> None:
        self.options.append((name, value))


def _number(r: _Rule, key: str, token: Token, limit: int = 0xFFFF_FFFF) -> int | None:
    value = parse_uint(str(token), limit)
    if value is None:
        r.fail(RULE_BAD_VALUE, token, f"`{key} {token}`: not a number from 0 to {limit}")
    elif not plain_decimal(str(token)):
        r.report(RULE_ADDRESS_FORM, token, f"`{key} {token}` means {value} to ip rule")
    return value


def _prefix(r: _Rule, key: str, token: Token) -> str | None:
    text = str(token)
    p = parse_prefix(text, r.family, any_word=True)
    if p is None:
        r.fail(RULE_BAD_VALUE, token, f"`{key} {text}`: not an IPv{r.family} prefix or `all`")
        return None
    if p.family != r.family:
        r.fail(RULE_FAMILY_MISMATCH, token,
               f"`{key} {text}`: an IPv{p.family} prefix in an IPv{r.family} rule file")
        return None
    if text in ("all", "any", "default"):
        return None
    if not p.plain:
        r.report(RULE_ADDRESS_FORM, token, f"`{text}` means {p.network} to ip rule")
    if p.host_bits:
        r.report(RULE_HOST_BITS, token, f"`{key} {text}`: the kernel matched {p.network}")
    return str(p.network)


def _range(r: _Rule, key: str, token: Token, limit: int) -> None:
    """``N`` or ``N-M`` (ports, uids)."""
    numbers = [parse_uint(p, limit) for p in str(token).split("-", 1)]
    valid = [n for n in numbers if n is not None]
    if len(valid) != len(numbers) or valid != sorted(valid):
        r.fail(RULE_BAD_VALUE, token, f"`{key} {token}`: not N or N-M with 0 <= N <= M <= {limit}")
        return
    r.option(key, "-".join(str(n) for n in valid))


def _selector(r: _Rule, key_token: Token, token: Token) -> None:
    key = str(key_token)
    name = _ALIASES.get(key, key)
    value = str(token)
    r.once(name, key_token)
    if name in ("from", "to"):
        r.values["source" if name == "from" else "destination"] = _prefix(r, key, token)
    elif name == "priority":
        r.values["priority"] = _number(r, key, token)
    elif name == "table":
        _table(r, key, token)
    elif name in ("iif", "oif"):
        if not valid_ifname(value):
            r.fail(RULE_BAD_VALUE, token, f"`{key} {value}`: not a valid device name")
        r.values[name] = value
    elif name == "fwmark":
        mark_text, slash, mask_text = value.partition("/")
        mark = parse_uint(mark_text)
        mask = parse_uint(mask_text) if slash else None
        if mark is None or (slash and mask is None):
            r.fail(RULE_BAD_VALUE, token, f"`fwmark {value}`: not MARK or MARK/MASK (32-bit)")
            return
        r.values["fwmark"] = mark
        r.values["fwmask"] = mask
    elif name == "tos":
        tos = parse_hex(value)
        if tos is None:
            r.fail(RULE_BAD_VALUE, token, f"`{key} {value}`: not a hexadecimal TOS from 00 to ff")
            return
        r.values["tos"] = tos
    elif name in ("sport", "dport"):
        _range(r, name, token, 0xFFFF)
    elif name == "uidrange":
        _range(r, name, token, 0xFFFF_FFFF)
        if not r.failed and "-" not in value:
            r.fail(RULE_BAD_VALUE, token, f"`uidrange {value}`: needs START-END")
    elif name in ("goto", "suppress_prefixlength", "tun_id"):
        limit = {"goto": 0xFFFF_FFFF, "suppress_prefixlength": 128, "tun_id": 2**64 - 1}[name]
        number = _number(r, key, token, limit)
        if number is not None:
            r.option(name, str(number))
        if name == "goto":
            r.once("action", key_token)
            r.action = "goto"
    elif name in ("protocol", "ipproto", "suppress_ifgroup", "realms"):
        parts = value.split("/", 1) if name == "realms" else [value]
        if not all(_NAME.match(p) for p in parts):
            r.fail(RULE_BAD_VALUE, token, f"`{key} {value}`: not a {name} number or name")
            return
        number = parse_uint(value, 255) if name in ("protocol", "ipproto") else None
        r.option(name, value if number is None else str(number))
    elif name == "nat":
        parsed = parse_address(value)
        if parsed is None or parsed[0].version != 4:
            r.fail(RULE_BAD_VALUE, token, f"`{key} {value}`: not an IPv4 address")
            return
        r.option("nat", str(parsed[0]))
        r.report(RULE_OBSOLETE, key_token, f"`{key} {value}`: the rule only looks its table up")
    if name in _NOT_NM:
        r.report(RULE_UNSUPPORTED_BY_NM, key_token, f"`{key} {value}`")
    elif name == "protocol":
        r.report(RULE_UNSUPPORTED_BY_NM, key_token, f"`{key} {value}`", Severity.INFO)


def _table(r: _Rule, key: str, token: Token) -> None:
    text = str(token)
    if text in _TABLES:
        r.values["table"] = _TABLES[text]
        return
    number = parse_uint(text)
    if number is not None:
        r.values["table"] = number
        if not plain_decimal(text):
            r.report(RULE_ADDRESS_FORM, token, f"`{key} {text}` means table {number} to ip rule")
        return
    if not _NAME.match(text) or text[0].isdigit():
        r.fail(RULE_BAD_VALUE, token, f"`{key} {text}`: not a 32-bit table number or a name")
        return
    r.values["table_name"] = text
    r.report(RULE_TABLE_NAME, token, f"`{key} {text}`: a table named in /etc/iproute2/rt_tables")


def _read(r: _Rule, tree: Tree[Token]) -> RuleEntry | None:
    first: Token | None = None
    for item in tree.children:
        if not isinstance(item, Tree):
            continue
        tokens = [c for c in item.children if isinstance(c, Token)]
        first = first or tokens[0]
        word = str(tokens[-1])
        if item.data == "selector":
            _selector(r, tokens[0], tokens[1])
        elif item.data == "action":
            r.once("action", tokens[0])
            r.action = "table" if word == "unicast" else word
        elif word == "not":
            r.invert = True
        elif word == "nop":
            r.once("action", tokens[0])
            r.action = "nop"
            r.report(RULE_UNSUPPORTED_BY_NM, tokens[0], "`nop`")
        else:
            r.once(word, tokens[0])
            r.option(word, "")
    if r.failed:
        return None
    if r.values.get("priority") is None:
        r.report(RULE_NO_PRIORITY, first, "no `priority`/`pref`: the kernel chose the priority")
    v = r.values
    return RuleEntry(
        family=r.family,
        position=r.at(first),
        priority=_int(v.get("priority")),
        source=_str(v.get("source")),
        destination=_str(v.get("destination")),
        table=_int(v.get("table")),
        table_name=_str(v.get("table_name")),
        iif=_str(v.get("iif")),
        oif=_str(v.get("oif")),
        fwmark=_int(v.get("fwmark")),
        fwmask=_int(v.get("fwmask")),
        tos=_int(v.get("tos")),
        action=r.action,
        invert=r.invert,
        options=tuple(r.options),
    )


def _fast_entry(text: str, path: str, number: int) -> RuleEntry | None:
    """The rule of a plain IPv4 line (see the module docstring); None when the grammar must read it."""
    m = _FAST_LINE.fullmatch(text)
    if m is None:
        return None
    words = text.split()
    values: dict[str, str] = {}
    for key, value in zip(words[::2], words[1::2]):
        name = _ALIASES.get(key, key)
        if name in values:
            return None  # a selector given twice
        values[name] = value
    prefixes: dict[str, str | None] = {"from": None, "to": None}
    for name in prefixes:
        word = values.get(name, "all")
        if word not in ("all", "any", "default"):
            prefixes[name] = plain_prefix4(word)
            if prefixes[name] is None:
                return None  # host bits
    priority = values.get("priority")
    table = values.get("table")
    table_number = None if table is None else _TABLES[table] if table in _TABLES else int(table)
    if priority is None or int(priority) > U32_MAX or (table_number is not None and table_number > U32_MAX):
        return None
    return RuleEntry(
        family=4,
        position=Position(path, number, len(m.group(1)) + 1),
        priority=int(priority),
        source=prefixes["from"],
        destination=prefixes["to"],
        table=table_number,
        iif=values.get("iif"),
        oif=values.get("oif"),
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _describe(word: str, previous: str) -> str:
    if not word:
        return f"`{previous}` needs a value" if previous else "nothing to read"
    if word.startswith("#"):
        return f"`{word}`: a comment may only start a line (ip rule rejected the line)"
    return f"`{word}`: not an ip rule keyword"


def parse_rule_file(data: bytes, path: str, kind: FileKind, host_path: str = "") -> RuleFile:
    """Parse a rule- or rule6- file (``kind`` RULE or RULE6); never raises for any input."""
    family = 6 if kind is FileKind.RULE6 else 4
    split = split_lines(data)
    found: list[Finding] = []
    if split.crlf_line:
        found.append(RULE_CRLF(Position(path, split.crlf_line), "the line ends in \\r\\n (CRLF)"))
    if split.bad_utf8_line:
        found.append(RULE_NOT_UTF8(Position(path, split.bad_utf8_line), "bytes not in UTF-8"))
    rules: list[RuleEntry] = []
    for line in split.lines:
        fast = _fast_entry(line.text, path, line.number) if family == 4 else None
        if fast is not None:
            rules.append(fast)
            continue
        tree = parse_words(_parser(), line.text, _describe)
        if isinstance(tree, SyntaxProblem):
            found.append(RULE_SYNTAX(Position(path, line.number, tree.column), tree.message))
            continue
        r = _Rule(path, line.number, family)
        entry = _read(r, tree)
        found.extend(r.findings)
        if entry is not None:
            rules.append(entry)
    return RuleFile(path, kind, tuple(rules), detect_ownership(data), tuple(found), host_path)
