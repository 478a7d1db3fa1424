"""Words as iproute2 reads them: shared by the route- and rule- file parsers.

Every line of these files was run as ``ip [-6] route|rule add <line>``, so the
host saw iproute2's reading of each word, not NetworkManager's: numbers go
through ``strtoul(…, 0)`` (``0x10`` is 16, ``010`` is 8) and IPv4 addresses
through iproute2's own loop (``10/8`` is ``10.0.0.0/8``, ``010.1.0.0`` is
``8.1.0.0``). NetworkManager's reader uses base 10 and ``inet_pton``; each
parsed value therefore says whether it was written plainly (``plain``), so the
callers can tell when the two readers disagree.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Callable, Union

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

U32_MAX = 0xFFFF_FFFF
IFNAMSIZ = 16

_DIGITS = {
    8: frozenset("01234567"),
    10: frozenset("0123456789"),
    16: frozenset("0123456789abcdefABCDEF"),
}
_DECIMAL = _DIGITS[10]


def parse_uint(text: str, limit: int = U32_MAX) -> int | None:
    """``strtoul(text, 0)`` over the whole word, as iproute2's ``get_u32`` and friends."""
    if text[:2] in ("0x", "0X"):
        digits, base = text[2:], 16
    elif len(text) > 1 and text[0] == "0":
        digits, base = text[1:], 8
    else:
        digits, base = text, 10
    if not digits or not _DIGITS[base].issuperset(digits):
        return None
    value = int(digits, base)
    return value if value <= limit else None


def parse_hex(text: str, limit: int = 0xFF) -> int | None:
    """``strtoul(text, 16)``: how iproute2 and NetworkManager read ``tos``/``dsfield``."""
    digits = text[2:] if text[:2] in ("0x", "0X") else text
    if not digits or not _DIGITS[16].issuperset(digits):
        return None
    value = int(digits, 16)
    return value if value <= limit else None


def plain_decimal(text: str) -> bool:
    """Whether a base-10 reader (NetworkManager) gets the same number as ``strtoul(…, 0)``."""
    return bool(text) and _DECIMAL.issuperset(text) and (text == "0" or text[0] != "0")


def _ipv4(text: str) -> tuple[ipaddress.IPv4Address, bool] | None:
    """iproute2's ``get_addr_ipv4``: one to four ``strtoul(…, 0)`` parts, missing ones zero."""
    parts = text.split(".")
    if len(parts) > 4:
        return None
    octets: list[int] = []
    for part in parts:
        value = parse_uint(part, 255)
        if value is None:
            return None
        octets.append(value)
    octets.extend([0] * (4 - len(octets)))
    plain = len(parts) == 4 and all(plain_decimal(p) for p in parts)
    return ipaddress.IPv4Address(bytes(octets)), plain


def _ipv6(text: str) -> ipaddress.IPv6Address | None:
    if "%" in text or not text.isascii():
        return None
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


def parse_address(text: str) -> tuple[IPAddress, bool] | None:
    """An address of either family (a ``:`` means IPv6, as in iproute2), and whether it is plain."""
    if ":" in text:
        v6 = _ipv6(text)
        return None if v6 is None else (v6, True)
    return _ipv4(text)


@dataclass(frozen=True)
class Prefix:
    network: IPNetwork
    """Canonical network (host bits cleared)."""
    host_bits: bool
    """The address had bits set beyond the prefix length."""
    plain: bool
    """Written as ``inet_pton`` address and decimal length (or without a length)."""
    explicit_length: bool

    @property
    def family(self) -> int:
        return self.network.version


def _prefix_length(text: str, bits: int) -> int | None:
    """iproute2's ``get_netmask``: a number (``strtoul(…, 0)``) or a contiguous dotted mask."""
    length = parse_uint(text, bits)
    if length is not None:
        return length
    if bits != 32:
        return None
    mask = _ipv4(text)
    return None if mask is None else netmask_length(int(mask[0]))


def netmask_length(mask: int) -> int | None:
    """The prefix length of a contiguous IPv4 netmask, or None when it has holes."""
    inverted = ~mask & U32_MAX
    if inverted & (inverted + 1):
        return None
    return 32 - inverted.bit_length()


_ANY4 = ipaddress.IPv4Network("0.0.0.0/0")
_ANY6 = ipaddress.IPv6Network("::/0")


def parse_prefix(text: str, family: int, any_word: bool = False) -> Prefix | None:
    """A ``PREFIX`` word: a bare address is a host prefix, ``default``/``all`` the ``/0``."""
    if text in ("default", "all") or (any_word and text == "any"):
        net: IPNetwork = _ANY4 if family == 4 else _ANY6
        return Prefix(net, False, text == "default", False)
    address_text, slash, length_text = text.partition("/")
    parsed = parse_address(address_text)
    if parsed is None:
        return None
    address, plain = parsed
    bits = address.max_prefixlen
    if slash:
        length = _prefix_length(length_text, bits)
        if length is None:
            return None
        plain = plain and plain_decimal(length_text)
    else:
        length = bits
    network = ipaddress.ip_network((address, length), strict=False)
    return Prefix(network, network.network_address != address, plain, bool(slash))


def valid_ifname(name: str) -> bool:
    """iproute2's ``check_ifname``: 1 to 15 bytes, no ``/`` and no blanks."""
    return (
        0 < len(name.encode("utf-8", "surrogateescape")) < IFNAMSIZ
        and "/" not in name
        and not any(c.isspace() for c in name)
    )


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    """Without the line end (``\\n`` or ``\\r\\n``)."""


@dataclass(frozen=True)
class SplitFile:
    lines: tuple[SourceLine, ...]
    """The lines that carry arguments: comments and blank lines are left out."""
    crlf_line: int
    """The first line that ended in ``\\r\\n`` (0 = none)."""
    bad_utf8_line: int
    """The first line that was not valid UTF-8 (0 = none); its bad bytes became U+FFFD."""


_COMMENT_OR_BLANK = re.compile(r"[ \t\r\f\v]*(#.*)?\Z", re.S)


def split_lines(data: bytes) -> SplitFile:
    """The argument lines, as initscripts' ``handle_ip_file`` read them.

    It skipped lines matching ``^[[:space:]]*(#.*)?$``, so a ``#`` later in a line is a word.
    """
    lines: list[SourceLine] = []
    crlf = bad = 0
    for number, raw in enumerate(data.split(b"\n"), 1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
            crlf = crlf or number
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "replace")
            bad = bad or number
        if not _COMMENT_OR_BLANK.match(text):
            lines.append(SourceLine(number, text))
    return SplitFile(tuple(lines), crlf, bad)


# --- the fast path's vocabulary: words both readers take alike, with no finding to report -------

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
PLAIN_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
"""A dotted quad of plain decimal octets: ``inet_pton`` and iproute2 read it alike, and it is canonical."""
PLAIN_PREFIX4 = rf"{PLAIN_IPV4}(?:/(?:3[0-2]|[12]?[0-9]))?"
"""A plain dotted quad with an optional plain decimal length (0-32)."""
PLAIN_NUMBER = r"(?:0|[1-9][0-9]{0,9})"
"""A plain decimal of at most ten digits (the caller checks the 32-bit limit)."""
PLAIN_IFNAME = r"[!-.0-~]{1,15}"
"""1 to 15 printable ASCII characters other than ``/``: a name :func:`valid_ifname` accepts."""


def plain_prefix4(text: str) -> str | None:
    """The canonical network of a :data:`PLAIN_PREFIX4` word; None when host bits are set.

    Such a word is already canonical (``str`` of its network) when it has a
    length; a bare address is the ``/32`` host prefix.
    """
    address, slash, length = text.partition("/")
    if not slash:
        return text + "/32"
    a, b, c, d = address.split(".")
    value = (int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d)
    if value & ((1 << (32 - int(length))) - 1):
        return None
    return text


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CONTROL.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def one_line(text: str) -> str:
    """A message with control characters escaped, so a finding stays on one line."""
    return text.translate(_CONTROL)


_BLANKS = re.compile(r"[ \t]+")
"""What separates words: initscripts' IFS minus the newline, and NetworkManager's split."""


@dataclass(frozen=True)
class SyntaxProblem:
    column: int
    word: str
    message: str


def parse_words(
    parser: Lark, text: str, describe: Callable[[str, str], str]
) -> Tree[Token] | SyntaxProblem:
    """Parse one argument line; on failure say which word broke it.

    ``describe(word, previous)`` phrases the message for an unexpected word
    (``""`` for the end of the line) following the word ``previous``.
    """
    try:
        return parser.parse(text)
    except UnexpectedInput as exc:
        column = _error_column(exc, text)
        before = _BLANKS.split(text[: column - 1].strip(" \t"))
        rest = _BLANKS.split(text[column - 1:].strip(" \t"), maxsplit=1)
        previous, word = before[-1], rest[0]
        return SyntaxProblem(column, word, one_line(describe(word, previous)))


def _error_column(exc: UnexpectedInput, text: str) -> int:
    if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
        return len(text.rstrip(" \t")) + 1
    if isinstance(exc, (UnexpectedToken, UnexpectedCharacters)):
        column = exc.column
        if isinstance(column, int) and column > 0:
            return column
    return 1

