"""The kernel bonding driver's option table, and parsing of option strings.

One parser serves both inputs that carry bond options: VDSM's persisted
``bonds/<name>`` ``options`` and ifcfg ``BONDING_OPTS``. The table mirrors
``drivers/net/bonding/bond_options.c`` (per-bond options only; ``max_bonds`` is
a module parameter and the port options ``queue_id``/``prio`` live on ports),
because NetworkManager drops what it does not know with only a warning and a
wrong option at bond creation can cut a host off (prior-art pain point 12): we
validate before anything is written, and fail closed.

Canonical form (:class:`BondSettings`): the mode by kernel name, every other
option by its sysfs name with values in canonical text (named values by name,
numbers in decimal, ``arp_ip_target``/``ns_ip6_target`` comma-joined),
sorted by option name.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model.host import BondSettings

BOND_OPTION_UNKNOWN = define(
    "BOND_OPTION_UNKNOWN", Severity.ERROR, "unknown bonding option",
    "The kernel bonding driver has no such option; fix or remove it before migrating.",
)
BOND_OPTION_BAD_VALUE = define(
    "BOND_OPTION_BAD_VALUE", Severity.ERROR, "invalid bonding option value",
    "The kernel would refuse this value; the bond would come up with different options.",
)
BOND_OPTION_SYNTAX = define(
    "BOND_OPTION_SYNTAX", Severity.ERROR, "a bonding option is not of the form name=value",
    "Write the options as space-separated name=value pairs.",
)
BOND_OPTION_MODE_MISMATCH = define(
    "BOND_OPTION_MODE_MISMATCH", Severity.WARNING, "bonding option has no effect in this mode",
    "The kernel ignores or rejects this option in the bond's mode; NetworkManager drops it.",
)
BOND_OPTION_DUPLICATE = define(
    "BOND_OPTION_DUPLICATE", Severity.WARNING, "bonding option given more than once",
    "The last occurrence is used, as the kernel would apply them in order.",
)
BOND_OPTION_CUSTOM = define(
    "BOND_OPTION_CUSTOM", Severity.INFO, "VDSM custom= bond pseudo-option removed",
    "VDSM stripped custom=... before applying bond options; it is not a kernel option.",
)
BOND_OPTION_SPACING = define(
    "BOND_OPTION_SPACING", Severity.INFO, "bonding options separated by more than one space",
    "Tolerated here; VDSM's nmstate translation would have failed on this string.",
)

MODES: tuple[str, ...] = (
    "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb",
    "balance-alb",
)
"""Mode names indexed by their kernel number."""

DEFAULT_MODE = "balance-rr"

_ALL: frozenset[str] = frozenset(MODES)
_AB_TLB_ALB = frozenset({"active-backup", "balance-tlb", "balance-alb"})
_LACP = frozenset({"802.3ad"})
_ARP_MON = _ALL - {"802.3ad", "balance-tlb", "balance-alb"}
_HASHING = frozenset({"balance-xor", "802.3ad", "balance-tlb"})

INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class BondOption:
    """One kernel bonding option: how its value is checked and where it has an effect."""

    name: str
    kind: str
    """``enum`` (named values with numbers), ``int`` (range), ``mac``, ``ifname``,
    ``ip4list`` or ``ip6list``."""
    values: tuple[tuple[str, int], ...] = ()
    """For ``enum``: name ↔ number, as the kernel's value table."""
    minimum: int = 0
    maximum: int = INT_MAX
    modes: frozenset[str] = _ALL
    """Modes in which the kernel accepts or honours the option."""
    default: Optional[str] = None
    """Kernel default, as text (None when the default depends on other options)."""

    def named(self, value: str) -> Optional[str]:
        """The canonical name of an enum value given by name or number."""
        for name, number in self.values:
            if value == name or (value.isdigit() and int(value) == number):
                return name
        return None

    def number(self, value: str) -> Optional[int]:
        """The kernel number of an enum value given by name or number."""
        for name, number in self.values:
            if value == name or (value.isdigit() and int(value) == number):
                return number
        return None


def _enum(name: str, values: tuple[str, ...], modes: frozenset[str] = _ALL,
          default: Optional[str] = None) -> BondOption:
    return BondOption(name, "enum", tuple((v, i) for i, v in enumerate(values)),
                      modes=modes, default=default if default is not None else values[0])


def _int(name: str, minimum: int = 0, maximum: int = INT_MAX, modes: frozenset[str] = _ALL,
         default: Optional[str] = "0") -> BondOption:
    return BondOption(name, "int", minimum=minimum, maximum=maximum, modes=modes, default=default)


_OFF_ON = ("off", "on")

OPTIONS: Mapping[str, BondOption] = {o.name: o for o in (
    _enum("mode", MODES),
    _enum("xmit_hash_policy",
          ("layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac"), _HASHING),
    _enum("arp_validate",
          ("none", "active", "backup", "all", "filter", "filter_active", "filter_backup"),
          _ARP_MON),
    _enum("arp_all_targets", ("any", "all"), _ARP_MON),
    _enum("fail_over_mac", ("none", "active", "follow"), frozenset({"active-backup"})),
    _enum("lacp_rate", ("slow", "fast"), _LACP),
    _enum("lacp_active", _OFF_ON, _LACP, default="on"),
    _enum("ad_select", ("stable", "bandwidth", "count", "actor_port_prio"), _LACP),
    _enum("primary_reselect", ("always", "better", "failure"), _AB_TLB_ALB),
    _enum("use_carrier", _OFF_ON, default="on"),
    _enum("all_slaves_active", _OFF_ON),
    _enum("tlb_dynamic_lb", _OFF_ON, frozenset({"balance-tlb", "balance-alb"}), default="on"),
    _enum("coupled_control", _OFF_ON, _LACP, default="on"),
    _enum("broadcast_neighbor", _OFF_ON, _LACP),
    _int("miimon", default=None),
    _int("updelay"),
    _int("downdelay"),
    _int("peer_notif_delay"),
    _int("arp_interval", modes=_ARP_MON),
    _int("arp_missed_max", 1, 255, _ARP_MON, default="2"),
    _int("min_links", modes=_LACP),
    _int("packets_per_slave", 0, 65535, frozenset({"balance-rr"}), default="1"),
    _int("num_grat_arp", 0, 255, default="1"),
    _int("num_unsol_na", 0, 255, default="1"),
    _int("resend_igmp", 0, 255, default="1"),
    _int("lp_interval", 1, INT_MAX, default="1"),
    _int("ad_actor_sys_prio", 1, 65535, _LACP, default="65535"),
    _int("ad_user_port_key", 0, 1023, _LACP),
    BondOption("ad_actor_system", "mac", modes=_LACP),
    BondOption("primary", "ifname", modes=_AB_TLB_ALB),
    BondOption("active_slave", "ifname", modes=_AB_TLB_ALB),
    BondOption("arp_ip_target", "ip4list", modes=_ARP_MON),
    BondOption("ns_ip6_target", "ip6list", modes=_ARP_MON),
)}
"""Every per-bond option of the kernel bonding driver, by sysfs name."""

MAX_ARP_TARGETS = 16
"""BOND_MAX_ARP_TARGETS / BOND_MAX_NS_TARGETS."""

_MAC = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")


def mode_name(value: str) -> Optional[str]:
    """The kernel mode name for a mode given by name or number (``4`` → ``802.3ad``)."""
    return OPTIONS["mode"].named(value.strip())


def mode_number(value: str) -> Optional[int]:
    return OPTIONS["mode"].number(value.strip())


def valid_ifname(name: str) -> bool:
    """Linux's dev_valid_name: 1 to 15 bytes, not ``.``/``..``, no ``/``, ``:`` or whitespace."""
    raw = name.encode("utf-8", "surrogateescape")
    return (0 < len(raw) <= 15 and name not in (".", "..")
            and not any(c in name for c in "/:") and not any(c.isspace() for c in name))


def format_bond_options(settings: BondSettings) -> str:
    """The options as VDSM's ifcfg configurator stored them: ``mode`` first, the rest sorted."""
    return " ".join([f"mode={settings.mode}"] + [f"{k}={v}" for k, v in settings.options])


def parse_bond_options(text: str, position: Position) -> tuple[BondSettings, tuple[Finding, ...]]:
    """Parse a bond option string into canonical settings, reporting every problem.

    Options the kernel would refuse (unknown names, bad values) are left out of the
    result and reported as errors; options that do nothing in the bond's mode are
    kept and reported as warnings, since the host ran with them.
    """
    findings: list[Finding] = []
    if re.search(r"\S\s{2,}\S", text.strip()) or "\t" in text:
        findings.append(BOND_OPTION_SPACING(position, f"bond options {text!r} contain repeated "
                                                      "or non-space blanks"))
    given: dict[str, str] = {}
    for token in text.split():
        name, sep, value = token.partition("=")
        if not sep or not name:
            findings.append(
                BOND_OPTION_SYNTAX(position, f"bond option {token!r} is not name=value"))
            continue
        if name == "custom":
            findings.append(BOND_OPTION_CUSTOM(position, f"VDSM pseudo-option {token!r} removed"))
            continue
        if name in given:
            if name == "arp_ip_target" or name == "ns_ip6_target":
                # initscripts and NetworkManager accumulate repeated targets
                given[name] = given[name] + "," + value
                continue
            findings.append(BOND_OPTION_DUPLICATE(
                position, f"bond option {name} given more than once; {name}={value} is used"))
        given[name] = value

    mode = DEFAULT_MODE
    if "mode" in given:
        raw_mode = given.pop("mode")
        named = mode_name(_unquote(raw_mode))
        if named is None:
            findings.append(BOND_OPTION_BAD_VALUE(
                position, f"bond mode {raw_mode!r} is not a kernel bonding mode (name or 0-6)"))
        else:
            mode = named

    options: list[tuple[str, str]] = []
    for name, value in given.items():
        option = OPTIONS.get(name)
        if option is None:
            findings.append(BOND_OPTION_UNKNOWN(position, f"unknown bonding option {name}={value}"))
            continue
        canonical, error = _check_value(option, value)
        if canonical is None:
            findings.append(
                BOND_OPTION_BAD_VALUE(position, f"bonding option {name}={value}: {error}"))
            continue
        if mode not in option.modes:
            findings.append(BOND_OPTION_MODE_MISMATCH(
                position, f"bonding option {name} has no effect in mode {mode} "
                          f"(valid in {', '.join(m for m in MODES if m in option.modes)})"))
        options.append((name, canonical))
    options.sort()
    return BondSettings(mode, tuple(options)), tuple(findings)


def _unquote(value: str) -> str:
    return value.strip().strip("'\"")


def _check_value(option: BondOption, raw: str) -> tuple[Optional[str], str]:
    """The canonical text of a value, or None and why it is invalid."""
    value = _unquote(raw)
    if option.kind == "enum":
        named = option.named(value)
        if named is None:
            allowed = ", ".join(f"{n} ({i})" for n, i in option.values)
            return None, f"expected one of {allowed}"
        return named, ""
    if option.kind == "int":
        if not re.fullmatch(r"\d+", value):
            return None, "expected a non-negative integer"
        number = int(value)
        if not option.minimum <= number <= option.maximum:
            return None, f"out of range {option.minimum}..{option.maximum}"
        return str(number), ""
    if option.kind == "mac":
        if not _MAC.match(value):
            return None, "expected a MAC address"
        if int(value[:2], 16) & 1:
            return None, "a multicast MAC address is not allowed"
        return value.lower(), ""
    if option.kind == "ifname":
        if not valid_ifname(value):
            return None, "not a valid interface name"
        return value, ""
    # ip4list / ip6list: commas, quotes and the sysfs +/- prefixes are tolerated
    family = 4 if option.kind == "ip4list" else 6
    targets: list[str] = []
    for part in re.split(r"[,\s]+", value):
        part = part.strip("'\"").lstrip("+-")
        if not part:
            continue
        try:
            address = ipaddress.ip_address(part)
        except ValueError:
            return None, f"{part!r} is not an IPv{family} address"
        if address.version != family:
            return None, f"{part!r} is not an IPv{family} address"
        if str(address) not in targets:
            targets.append(str(address))
    if not targets:
        return None, "no target address"
    if len(targets) > MAX_ARP_TARGETS:
        return None, f"more than {MAX_ARP_TARGETS} targets"
    return ",".join(targets), ""
