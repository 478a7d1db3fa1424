"""The connectivity probe (``--probe ADDRESS``): can the host still reach something that matters?

Verification compares the host with its configuration; only a probe shows
that the network really works (a switch port, a gateway). ``ADDRESS`` is an
IP (ICMP echo, raw socket: the upgrade runs as root) or ``HOST:PORT`` /
``[V6]:PORT`` (a TCP connection). Retried until it answers or its time is up;
never blocks longer than asked.
"""

from __future__ import annotations

import ipaddress
import os
import select
import socket
import struct
import time
from typing import Optional, Union

from ifcfg2nm.upgrade import testhooks

ICMP_ECHO = (8, 0)
ICMP6_ECHO = (128, 129)


class ProbeError(ValueError):
    """The probe address is not an IP address or HOST:PORT."""


def parse(target: str) -> tuple[Union[ipaddress.IPv4Address, ipaddress.IPv6Address], Optional[int]]:
    """``(address, port)``; port None means ICMP echo."""
    text, port = target.strip(), None
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ProbeError(f"bad probe address {target!r}")
        text, port_text = host, rest[1:] or None
        port = _port(port_text, target) if port_text else None
    elif text.count(":") == 1:
        text, port_text = text.split(":")
        port = _port(port_text, target)
    try:
        return ipaddress.ip_address(text), port
    except ValueError:
        raise ProbeError(f"bad probe address {target!r}: not an IP address") from None


def _port(text: str, target: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ProbeError(f"bad probe port in {target!r}")
    return int(text)


def probe(target: str, timeout: float, interval: float = 0.2) -> Optional[str]:
    """None when ``target`` answered within ``timeout`` seconds, else why not."""
    address, port = parse(target)
    if testhooks.failing("probe"):
        return f"injected probe failure ({testhooks.FAIL})"
    end = time.monotonic() + timeout
    last = "no answer"
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return f"{target}: {last} within {timeout:g} s"
        try:
            once = min(1.0, left)
            if port is None:
                _echo(address, once)
            else:
                with socket.create_connection((str(address), port), timeout=once):
                    pass
            return None
        except OSError as e:
            last = e.strerror or str(e) or "no answer"
        time.sleep(min(interval, max(0.0, end - time.monotonic())))


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _echo(address: Union[ipaddress.IPv4Address, ipaddress.IPv6Address], timeout: float) -> None:
    """One ICMP echo request; returns on the matching reply, raises OSError otherwise."""
    v6 = address.version == 6
    request, reply = ICMP6_ECHO if v6 else ICMP_ECHO
    family, proto = (socket.AF_INET6, socket.IPPROTO_ICMPV6) if v6 else (socket.AF_INET, socket.IPPROTO_ICMP)
    ident, seq = os.getpid() & 0xFFFF, int(time.monotonic() * 1000) & 0xFFFF
    header = struct.pack("!BBHHH", request, 0, 0, ident, seq)
    payload = b"ifcfg2nm-probe"
    if not v6:  # the kernel fills in ICMPv6 checksums
        header = struct.pack("!BBHHH", request, 0, _checksum(header + payload), ident, seq)
    with socket.socket(family, socket.SOCK_RAW, proto) as sock:
        sock.sendto(header + payload, (str(address), 0))
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                raise TimeoutError("no echo reply")
            data, _ = sock.recvfrom(2048)
            icmp = data if v6 else data[(data[0] & 0x0F) * 4:]
            if len(icmp) >= 8:
                kind, _code, _sum, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
                if kind == reply and rid == ident and rseq == seq:
                    return
