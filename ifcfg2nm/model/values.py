"""Meaning of single ifcfg values: booleans, numbers, addresses, masks, MACs, interface names.

Each function returns the value initscripts would have used, plus whether
NetworkManager's reader would read it differently, so callers can both keep
the host's semantics and report the divergence. The address readers are pure
and cached: a host's addresses are read again by each stage of an audit.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from typing import Optional, Union

TRUE_WORDS = frozenset({"y", "yes", "t", "true", "on", "1"})
FALSE_WORDS = frozenset({"n", "no", "f", "false", "off", "0"})
NM_TRUE_WORDS = TRUE_WORDS - {"on"}
NM_FALSE_WORDS = FALSE_WORDS - {"off"}

IFNAME_MAX = 15
MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}$")
INFINIBAND_MAC_RE = re.compile(r"^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){19}$")


@dataclass(frozen=True)
class Boolean:
    value: Optional[bool]
    """What initscripts' ``is_true``/``is_false`` make of it (None: neither)."""
    nm_value: Optional[bool]
    """What NetworkManager's ``svParseBoolean`` makes of it (None: invalid, default used)."""


def parse_bool(text: str) -> Boolean:
    word = text.strip().lower()
    value = True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
    nm = True if word in NM_TRUE_WORDS else False if word in NM_FALSE_WORDS else None
    return Boolean(value, nm)


def parse_int(text: str, low: int, high: int) -> Optional[int]:
    """A decimal integer in [low, high] (bash-style leading ``+`` allowed), else None."""
    t = text.strip()
    if not re.fullmatch(r"\+?[0-9]+", t):
        return None
    n = int(t)
    return n if low <= n <= high else None


@functools.lru_cache(maxsize=4096)
def parse_ipv4(text: str) -> Optional[str]:
    """Canonical dotted quad, or None. Leading zeros are refused (ambiguous: octal for inet_aton)."""
    try:
        return str(ipaddress.IPv4Address(text.strip()))
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def parse_ipv6(text: str) -> Optional[str]:
    try:
        return str(ipaddress.IPv6Address(text.strip()))
    except ValueError:
        return None


def parse_ip(text: str) -> Optional[str]:
    return parse_ipv4(text) or parse_ipv6(text)


@functools.lru_cache(maxsize=4096)
def netmask_to_prefix(text: str) -> Union[int, str]:
    """Prefix length of a dotted netmask, or an error message (non-contiguous, malformed)."""
    addr = parse_ipv4(text)
    if addr is None:
        return f"'{text}' is not a dotted IPv4 netmask"
    n = int(ipaddress.IPv4Address(addr))
    prefix = bin(n).count("1")
    if n != ((0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF):
        return f"netmask {addr} is not contiguous"
    return prefix


@functools.lru_cache(maxsize=4096)
def prefix_to_netmask(prefix: int) -> str:
    return str(ipaddress.IPv4Network(f"0.0.0.0/{prefix}").netmask)


def classful_prefix(address: str) -> int:
    """The pre-CIDR default prefix that ipcalc and NetworkManager assume without a mask."""
    first = int(address.split(".")[0])
    if first < 128:
        return 8
    if first < 192:
        return 16
    if first < 224:
        return 24
    return 32


@functools.lru_cache(maxsize=4096)
def network_of(address: str, prefix: int) -> str:
    return str(ipaddress.ip_interface(f"{address}/{prefix}").network)


@functools.lru_cache(maxsize=4096)
def in_subnet(address: str, network_address: str, prefix: int) -> bool:
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_interface(
            f"{network_address}/{prefix}"
        ).network
    except ValueError:
        return False


def parse_mac(text: str) -> Optional[str]:
    """Upper-case colon-separated MAC (Ethernet or InfiniBand), or None."""
    t = text.strip().replace("-", ":")
    if MAC_RE.match(t) or INFINIBAND_MAC_RE.match(t):
        return t.upper()
    return None


def ifname_problem(name: str) -> Optional[str]:
    """Why the kernel would refuse ``name`` as an interface name, or None."""
    if not name:
        return "the interface name is empty"
    raw = name.encode("utf-8", "surrogateescape")  # a file name's bytes that are not UTF-8 (ifcfg-<name>)
    if len(raw) > IFNAME_MAX:
        return f"interface name '{name}' is longer than {IFNAME_MAX} bytes"
    if raw.decode("utf-8", "replace") != name:
        return f"interface name '{name}' is not valid UTF-8 (NetworkManager's names are UTF-8)"
    if name in (".", ".."):
        return f"'{name}' is not a valid interface name"
    if "/" in name or ":" in name or any(c.isspace() for c in name):
        return f"interface name '{name}' contains '/', ':' or white space"
    return None
