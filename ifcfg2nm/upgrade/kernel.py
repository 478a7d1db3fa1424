"""Read-only kernel network state of the current network namespace, via ``ip -j``.

Verification must compare the target with what the kernel really does, not
with what NetworkManager reports, so this reads links, addresses, routes (all
tables) and policy rules from iproute2's JSON output. Parsing is pure and
separate from running ``ip``, so recorded JSON can be unit-tested; every
``ip`` run is time-bounded.

Routes and rules are read with ``-N`` (numeric): table numbers then never
depend on the host's /etc/iproute2/rt_tables names. Protocol, scope, type and
rule action numbers are mapped back to iproute2's standard names, so the
parsed values are the same whichever way the JSON was produced. Route and rule
prefixes are normalized to ``address/len`` (``default`` -> ``0.0.0.0/0``).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = [
    "Address",
    "KernelError",
    "KernelState",
    "Link",
    "Nexthop",
    "Route",
    "Rule",
    "parse_addresses",
    "parse_links",
    "parse_routes",
    "parse_rules",
    "read_addresses",
    "read_links",
    "read_routes",
    "read_rules",
    "read_state",
    "run_ip",
]

RT_TABLE_MAIN = 254
RT_TABLES: Mapping[str, int] = {"unspec": 0, "default": 253, "main": 254, "local": 255}
RT_PROTOCOLS: Mapping[int, str] = {
    0: "unspec",
    1: "redirect",
    2: "kernel",
    3: "boot",
    4: "static",
    8: "gated",
    9: "ra",
    10: "mrt",
    11: "zebra",
    12: "bird",
    13: "dnrouted",
    14: "xorp",
    15: "ntk",
    16: "dhcp",
    17: "mrouted",
    18: "keepalived",
    42: "babel",
    99: "openr",
    186: "bgp",
    187: "isis",
    188: "ospf",
    189: "rip",
    192: "eigrp",
}
RT_SCOPES: Mapping[int, str] = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}
RT_TYPES: Mapping[int, str] = {
    0: "unspec",
    1: "unicast",
    2: "local",
    3: "broadcast",
    4: "anycast",
    5: "multicast",
    6: "blackhole",
    7: "unreachable",
    8: "prohibit",
    9: "throw",
    10: "nat",
    11: "xresolve",
}
# FR_ACT_*: "lookup" is FR_ACT_TO_TBL; NetworkManager's routing-rule "action" uses the numbers
RULE_ACTIONS: Mapping[int, str] = {
    1: "lookup",
    2: "goto",
    3: "nop",
    6: "blackhole",
    7: "unreachable",
    8: "prohibit",
}
IP_PROTOS: Mapping[str, int] = {"icmp": 1, "tcp": 6, "udp": 17, "ipv6-icmp": 58, "sctp": 132}


class KernelError(Exception):
    """``ip`` failed, timed out, or printed something that is not the expected JSON."""


@dataclass(frozen=True)
class Link:
    """A network interface (``kind`` empty for physical devices and ``lo``)."""

    ifindex: int
    name: str
    kind: str
    slave_kind: str
    master: str
    mtu: int
    state: str
    mac: str
    flags: tuple[str, ...]
    link: str
    info_data: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)

    @property
    def up(self) -> bool:
        """Administratively up (IFF_UP), whatever the carrier."""
        return "UP" in self.flags


@dataclass(frozen=True)
class Address:
    """One address of one link (``family`` 4 or 6)."""

    ifname: str
    family: int
    address: str
    prefixlen: int
    scope: str
    flags: tuple[str, ...]

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.prefixlen}"


@dataclass(frozen=True)
class Nexthop:
    gateway: str
    dev: str
    weight: int


@dataclass(frozen=True)
class Route:
    """A route of any table; ``dst`` is always ``address/len``."""

    family: int
    table: int
    type: str
    dst: str
    gateway: str
    dev: str
    protocol: str
    scope: str
    metric: int
    prefsrc: str
    flags: tuple[str, ...]
    nexthops: tuple[Nexthop, ...] = ()
    metrics: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def is_default(self) -> bool:
        return self.dst in ("0.0.0.0/0", "::/0")


@dataclass(frozen=True)
class Rule:
    """A policy routing rule; ``src``/``dst`` empty means "all".

    ``table`` is 0 for non-lookup actions; ``fwmask`` is the kernel's mask
    (0xffffffff when ``ip`` shows a bare fwmark); ``suppress_prefixlength`` is
    -1 when unset, like NetworkManager's default.
    """

    family: int
    priority: int
    action: str
    table: int
    src: str
    dst: str
    invert: bool
    iif: str
    oif: str
    fwmark: int
    fwmask: int
    tos: int
    ipproto: int
    sport: tuple[int, int]
    dport: tuple[int, int]
    uid_range: tuple[int, int]
    suppress_prefixlength: int
    goto: int
    protocol: str


@dataclass(frozen=True)
class KernelState:
    links: tuple[Link, ...]
    addresses: tuple[Address, ...]
    routes: tuple[Route, ...]
    rules: tuple[Rule, ...]

    def link(self, name: str) -> Optional[Link]:
        return next((x for x in self.links if x.name == name), None)

    def addresses_of(self, name: str, family: Optional[int] = None) -> list[Address]:
        return [a for a in self.addresses if a.ifname == name and (family is None or a.family == family)]

    def ports_of(self, master: str) -> list[str]:
        return sorted(x.name for x in self.links if x.master == master)

    def routes_in(self, table: int, family: Optional[int] = None) -> list[Route]:
        return [r for r in self.routes if r.table == table and (family is None or r.family == family)]


# -- pure parsing ------------------------------------------------------------------


def _load(data: Any, what: str) -> list[Mapping[str, Any]]:
    """Accept JSON text/bytes or already-decoded lists; ``ip`` prints nothing for
    some empty results."""
    if isinstance(data, (str, bytes)):
        text = data.decode() if isinstance(data, bytes) else data
        if not text.strip():
            return []
        try:
            data = json.loads(text)
        except ValueError as e:
            raise KernelError(f"{what}: not JSON: {e}") from None
    if not isinstance(data, list) or not all(isinstance(x, Mapping) for x in data):
        raise KernelError(f"{what}: expected a JSON list of objects")
    return data


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise KernelError(f"{what}: expected a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)  # "0x10", "42"
        except ValueError:
            pass
    raise KernelError(f"{what}: expected a number, got {value!r}")


def _named(value: Any, names: Mapping[int, str], what: str) -> str:
    """A numeric (``-N``) or named value as iproute2's standard name."""
    if isinstance(value, str) and not value.isdigit():
        return value
    number = _int(value, what)
    return names.get(number, str(number))


def _table(value: Any) -> int:
    if value is None:
        return RT_TABLE_MAIN
    if isinstance(value, str) and value in RT_TABLES:
        return RT_TABLES[value]
    return _int(value, "route table")


def _prefix(addr: str, length: Optional[int], family: int) -> str:
    full = 32 if family == 4 else 128
    if addr in ("default", "all"):
        return "0.0.0.0/0" if family == 4 else "::/0"
    if "/" in addr:
        return addr
    return f"{addr}/{full if length is None else length}"


def _family(entry: Mapping[str, Any], default: int) -> int:
    fam = entry.get("family")
    if fam in ("inet", 2):
        return 4
    if fam in ("inet6", 10):
        return 6
    return default


def parse_links(data: Any) -> list[Link]:
    """``ip -j -d link show`` -> links (``-d`` gives kind, port kind and kind data)."""
    out = []
    for e in _load(data, "ip link"):
        info = e.get("linkinfo") or {}
        out.append(
            Link(
                ifindex=_int(e.get("ifindex", 0), "ifindex"),
                name=str(e["ifname"]),
                kind=str(info.get("info_kind", "")),
                slave_kind=str(info.get("info_slave_kind", "")),
                master=str(e.get("master", "")),
                mtu=_int(e.get("mtu", 0), "mtu"),
                state=str(e.get("operstate", "UNKNOWN")),
                mac=str(e.get("address", "")).lower(),
                flags=tuple(str(f) for f in e.get("flags", ())),
                link=str(e.get("link") or ""),
                info_data=dict(info.get("info_data") or {}),
            )
        )
    return out


def parse_addresses(data: Any) -> list[Address]:
    """``ip -j addr show`` -> one Address per ``addr_info`` entry."""
    flag_keys = (
        "dynamic",
        "noprefixroute",
        "tentative",
        "deprecated",
        "dadfailed",
        "temporary",
        "mngtmpaddr",
        "stable-privacy",
        "nodad",
        "optimistic",
        "home",
        "secondary",
    )
    out = []
    for e in _load(data, "ip addr"):
        for a in e.get("addr_info", ()):
            fam = _family(a, 0)
            if fam == 0:
                continue  # link-layer entries of exotic families
            out.append(
                Address(
                    ifname=str(e["ifname"]),
                    family=fam,
                    address=str(a["local"]),
                    prefixlen=_int(a["prefixlen"], "prefixlen"),
                    scope=_named(a.get("scope", 0), RT_SCOPES, "scope"),
                    flags=tuple(k for k in flag_keys if a.get(k)),
                )
            )
    return out


def parse_routes(data: Any, family: int) -> list[Route]:
    """``ip -j [-N] -4|-6 route show table all`` -> routes.

    Needs ``table all`` output: ``ip`` leaves the table out for the main
    table (and for every route when filtering by one table).
    """
    out = []
    for e in _load(data, "ip route"):
        hops = tuple(
            Nexthop(
                gateway=str(h.get("gateway", "")),
                dev=str(h.get("dev", "")),
                weight=_int(h.get("weight", 1), "weight"),
            )
            for h in e.get("nexthops", ())
        )
        metrics: dict[str, int] = {}
        for m in e.get("metrics", ()):
            if isinstance(m, Mapping):
                for k, v in m.items():
                    if isinstance(v, int) and not isinstance(v, bool):
                        metrics[str(k)] = v
        out.append(
            Route(
                family=family,
                table=_table(e.get("table")),
                type=_named(e.get("type", 1), RT_TYPES, "route type"),
                dst=_prefix(str(e["dst"]), None, family),
                gateway=str(e.get("gateway", "")),
                dev=str(e.get("dev", "")),
                protocol=_named(e.get("protocol", 3), RT_PROTOCOLS, "protocol"),
                scope=_named(e.get("scope", 0), RT_SCOPES, "scope"),
                metric=_int(e.get("metric", 0), "metric"),
                prefsrc=str(e.get("prefsrc", "")),
                flags=tuple(str(f) for f in e.get("flags", ())),
                nexthops=hops,
                metrics=metrics,
            )
        )
    return out


def _ipproto(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        if value.startswith("ipproto-"):  # -N spelling
            value = value[len("ipproto-") :]
        if value in IP_PROTOS:
            return IP_PROTOS[value]
    return _int(value, "ipproto")


def _range(e: Mapping[str, Any], single: str, start: str, end: str) -> tuple[int, int]:
    if single in e:
        port = _int(e[single], single)
        return port, port
    if start in e:
        return _int(e[start], start), _int(e.get(end, e[start]), end)
    return 0, 0


def parse_rules(data: Any, family: int) -> list[Rule]:
    """``ip -j [-N] -4|-6 rule show`` -> rules."""
    out = []
    for e in _load(data, "ip rule"):
        if "goto" in e:
            action = "goto"
        elif "action" in e:
            action = _named(e["action"], RULE_ACTIONS, "rule action")
        else:
            action = "lookup"
        src = str(e.get("src", "all"))
        dst = str(e.get("dst", "all"))
        fwmark = _int(e["fwmark"], "fwmark") if "fwmark" in e else 0
        # ip shows no mask for a full one
        full = 0xFFFFFFFF if "fwmark" in e else 0
        fwmask = _int(e["fwmask"], "fwmask") if "fwmask" in e else full
        out.append(
            Rule(
                family=family,
                priority=_int(e.get("priority", 0), "priority"),
                action=action,
                table=_table(e["table"]) if "table" in e else 0,
                src="" if src == "all" else _prefix(src, e.get("srclen"), family),
                dst="" if dst == "all" else _prefix(dst, e.get("dstlen"), family),
                invert="not" in e,  # ip prints "not": null
                iif=str(e.get("iif", "")),
                oif=str(e.get("oif", "")),
                fwmark=fwmark,
                fwmask=fwmask,
                tos=_int(e.get("tos", 0), "tos"),
                ipproto=_ipproto(e.get("ipproto")),
                sport=_range(e, "sport", "sport_start", "sport_end"),
                dport=_range(e, "dport", "dport_start", "dport_end"),
                uid_range=_range(e, "uid", "uid_start", "uid_end"),
                suppress_prefixlength=_int(e.get("suppress_prefixlen", -1), "suppress_prefixlen"),
                goto=_int(e.get("goto", 0), "goto"),
                protocol=_named(e.get("protocol", 0), RT_PROTOCOLS, "protocol"),
            )
        )
    return out


# -- reading (subprocess) ----------------------------------------------------------


def run_ip(args: Sequence[str], netns: Optional[str] = None, timeout: float = 5.0) -> str:
    """Run ``ip -j ARGS`` (in ``netns`` when given, via ``ip -n``) and return stdout."""
    cmd = ["ip", "-j"]
    if netns:
        cmd += ["-n", netns]
    cmd += list(args)
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise KernelError(f"{' '.join(cmd)}: no answer within {timeout:g} s") from None
    except OSError as e:
        raise KernelError(f"{' '.join(cmd)}: {e}") from None
    if proc.returncode != 0:
        raise KernelError(f"{' '.join(cmd)}: exit {proc.returncode}: {proc.stderr.strip()}")
    return proc.stdout


def _run_family(args: Sequence[str], netns: Optional[str], timeout: float) -> str:
    """Like run_ip, but an absent IPv6 stack reads as "nothing" instead of failing."""
    try:
        return run_ip(args, netns, timeout)
    except KernelError as e:
        if "-6" in args and "not supported" in str(e).lower():
            return "[]"
        raise


def read_links(netns: Optional[str] = None, timeout: float = 5.0) -> list[Link]:
    return parse_links(run_ip(["-d", "link", "show"], netns, timeout))


def read_addresses(netns: Optional[str] = None, timeout: float = 5.0) -> list[Address]:
    return parse_addresses(run_ip(["addr", "show"], netns, timeout))


def read_routes(netns: Optional[str] = None, timeout: float = 5.0) -> list[Route]:
    """IPv4 then IPv6 routes of every table."""
    v4 = parse_routes(run_ip(["-N", "-4", "route", "show", "table", "all"], netns, timeout), 4)
    v6 = _run_family(["-N", "-6", "route", "show", "table", "all"], netns, timeout)
    return v4 + parse_routes(v6, 6)


def read_rules(netns: Optional[str] = None, timeout: float = 5.0) -> list[Rule]:
    """IPv4 then IPv6 policy rules."""
    v4 = parse_rules(run_ip(["-N", "-4", "rule", "show"], netns, timeout), 4)
    v6 = _run_family(["-N", "-6", "rule", "show"], netns, timeout)
    return v4 + parse_rules(v6, 6)


def read_state(netns: Optional[str] = None, timeout: float = 5.0) -> KernelState:
    """Everything verification compares, read in one go (``timeout`` per ``ip`` run)."""
    return KernelState(
        links=tuple(read_links(netns, timeout)),
        addresses=tuple(read_addresses(netns, timeout)),
        routes=tuple(read_routes(netns, timeout)),
        rules=tuple(read_rules(netns, timeout)),
    )
