"""``/etc/resolv.conf``: only its ``nameserver`` lines, which VDSM read at setup time.

VDSM's canonicalization gave a static default-route network without a
``nameservers`` key the host's resolv.conf servers (spec/vdsm-formats.md §2.4);
converting such a config faithfully needs the same servers.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Optional

from ifcfg2nm.findings import Finding
from ifcfg2nm.hostfiles import read_file

RESOLV_CONF = "etc/resolv.conf"


@dataclass(frozen=True)
class ResolvConf:
    path: str
    nameservers: tuple[tuple[str, int], ...] = ()
    """Valid IP addresses in file order, each with its 1-based line."""


def parse_resolv_conf(data: bytes, path: str) -> ResolvConf:
    """The ``nameserver ADDRESS`` lines glibc's resolver reads (``#``/``;`` comments, other lines ignored)."""
    servers: list[tuple[str, int]] = []
    for number, raw in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        words = raw.split()
        if len(words) < 2 or words[0] != "nameserver":
            continue
        try:
            servers.append((ipaddress.ip_address(words[1].split("%")[0]).compressed, number))
        except ValueError:
            continue
    return ResolvConf(path, tuple(servers))


def read_resolv_conf(root: str) -> Optional[ResolvConf]:
    """The resolv.conf of the host tree at ``root``; None when absent or unreadable (it is only
    consulted, never converted: a link into the missing /run of a collected tree is no finding)."""
    path = os.path.join(root, RESOLV_CONF)
    if not os.path.lexists(path):
        return None
    data = read_file(path, root)
    return None if isinstance(data, Finding) else parse_resolv_conf(data, path)
