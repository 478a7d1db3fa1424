"""NetworkManager keyfiles (``.nmconnection``) from the profiles of :mod:`ifcfg2nm.emit.nmsettings`.

The text is what NetworkManager 1.42's own keyfile writer produces for the same
profile (``NM.keyfile_write``): the same section order, key order, value
syntax and GKeyFile escaping, so a profile NetworkManager loads and saves again
does not change — the test suite checks that against libnm for every fixture.
The only keys it writes that NetworkManager's writer would leave out are
explicit defaults (``bridge.stp=true``, ``vlan.flags=1``): the host's meaning
must not depend on a NetworkManager default.

This module knows keyfile syntax only; which properties a profile has, and what
they mean, is decided in nmsettings. Pure: no I/O; identical input gives
identical bytes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ifcfg2nm.emit.nmsettings import ADDR_GEN_MODES, Profile, Settings, profiles
from ifcfg2nm.findings import Finding, Severity, define
from ifcfg2nm.model.host import NOWHERE, HostConfig

SUFFIX = ".nmconnection"
NAME_MAX = 255
"""Longest file name (bytes) Linux file systems take."""

EMIT_DUPLICATE_PROFILE_ID = define(
    "EMIT_DUPLICATE_PROFILE_ID", Severity.INFO,
    "two profiles would get the same keyfile name",
    "The later one gets its UUID appended to the file name; give the profiles distinct "
    "names (NAME=) so nmcli can tell them apart by id.",
)

SECTION_NAMES: Mapping[str, str] = {"802-3-ethernet": "ethernet"}
"""Keyfile aliases of D-Bus setting names (also used for ``connection.type``)."""

_SETTING_GROUPS: Sequence[frozenset[str]] = (
    frozenset({"connection"}),
    frozenset({"802-3-ethernet", "bond", "bridge", "dummy", "infiniband", "ovs-bridge",
               "ovs-dpdk", "ovs-interface", "ovs-patch", "ovs-port", "vlan"}),
    frozenset({"802-1x", "sriov"}),
    frozenset({"bond-port", "bridge-port", "ethtool", "match", "ovs-external-ids", "team-port"}),
    frozenset({"hostname", "ipv4", "ipv6", "proxy", "tc"}),
    frozenset({"user"}),
)
"""NetworkManager's setting priorities: sections are written by group, then by D-Bus name."""

_CONNECTION_FIRST = ("id", "uuid", "type")

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:+-]*")
_NEEDS_ESCAPE = re.compile(r"^[ \t]|[\n\r\\]")


@functools.lru_cache(maxsize=256)
def _setting_rank(name: str) -> tuple[int, str]:
    """Cached, as :func:`_sort_key` and :func:`_valid_key`: every profile of a fleet asks for the same names."""
    for rank, group in enumerate(_SETTING_GROUPS):
        if name in group:
            return rank, name
    return len(_SETTING_GROUPS), name


# -- GKeyFile value syntax ------------------------------------------------------------


def escape(value: str, list_item: bool = False) -> str:
    """``g_key_file_set_string`` escaping (leading blanks, controls, ``\\``; ``;`` in lists)."""
    if not _NEEDS_ESCAPE.search(value) and not (list_item and ";" in value):
        return value
    out: list[str] = []
    leading = True
    for ch in value:
        if ch == " ":
            out.append("\\s" if leading else " ")
        elif ch == "\t":
            out.append("\\t" if leading else "\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\\":
            out.append("\\\\")
            leading = False
        elif list_item and ch == ";":
            out.append("\\;")
            leading = False
        else:
            out.append(ch)
            leading = False
    return "".join(out)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, (list, tuple)):
        return "".join(escape(str(item), list_item=True) + ";" for item in value)
    raise TypeError(f"no keyfile form for {value!r}")


def _attribute(value: Any) -> str:
    """A route attribute value as ``nm_utils_format_variant_attributes`` writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return re.sub(r"([\\,=])", r"\\\1", text)


# -- structured properties --------------------------------------------------------------


def _addresses(ip: Mapping[str, Any]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    gateway = ip.get("gateway")
    for n, addr in enumerate(ip["address-data"], 1):
        text = f"{addr['address']}/{addr['prefix']}"
        if n == 1 and gateway:
            text += f",{gateway}"
        lines.append((f"address{n}", escape(text)))
    return lines


def _routes(ip: Mapping[str, Any]) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for n, route in enumerate(ip["route-data"], 1):
        dest = route["dest"]
        text = f"{dest}/{route['prefix']}"
        next_hop = route.get("next-hop")
        metric = route.get("metric")
        if metric is not None:
            unspecified = "::" if ":" in dest else "0.0.0.0"
            text += f",{next_hop or unspecified},{metric}"
        elif next_hop:
            text += f",{next_hop}"
        lines.append((f"route{n}", escape(text)))
        attrs = sorted((k, v) for k, v in route.items()
                       if k not in ("dest", "prefix", "next-hop", "metric"))
        if attrs:
            lines.append((f"route{n}_options",
                          escape(",".join(f"{k}={_attribute(v)}" for k, v in attrs))))
    return lines


def _rule_prefix(address: str, length: int) -> str:
    full = 32 if ":" not in address else 128
    return address if length == full else f"{address}/{length}"


def rule_text(rule: Mapping[str, Any]) -> str:
    """A routing rule in ``nm_ip_routing_rule_to_string`` form (what keyfiles hold)."""
    family = rule["family"]
    parts = [f"priority {rule['priority']}"]
    if rule.get("invert"):
        parts.append("not")
    has_from = rule.get("from-len", 0) > 0
    has_to = rule.get("to-len", 0) > 0
    if has_from:
        parts.append("from " + _rule_prefix(rule["from"], rule["from-len"]))
    elif not has_to:
        parts.append("from 0.0.0.0/0" if family == 2 else "from ::/0")
    if has_to:
        parts.append("to " + _rule_prefix(rule["to"], rule["to-len"]))
    if rule.get("tos"):
        parts.append(f"tos 0x{rule['tos']:02x}")
    fwmark, fwmask = rule.get("fwmark", 0), rule.get("fwmask", 0)
    if fwmark or fwmask:
        text = f"fwmark {fwmark:#x}" if fwmark else "fwmark 0"
        if fwmask != 0xFFFFFFFF:
            text += f"/{fwmask:#x}" if fwmask else "/0"
        parts.append(text)
    if rule.get("iifname"):
        parts.append(f"iif {rule['iifname']}")
    if rule.get("oifname"):
        parts.append(f"oif {rule['oifname']}")
    action = rule.get("action", 1)
    if action == 1:
        parts.append(f"table {rule['table']}")
    else:
        parts.append("type " + {6: "blackhole", 7: "unreachable", 8: "prohibit"}[action])
    return " ".join(parts)


def _property_lines(setting: str, prop: str, value: Any,
                    props: Mapping[str, Any]) -> list[tuple[str, str]]:
    if setting in ("ipv4", "ipv6"):
        if prop == "address-data":
            return _addresses(props)
        if prop == "gateway":
            return [] if props.get("address-data") else [("gateway", escape(value))]
        if prop == "route-data":
            return _routes(props)
        if prop == "routing-rules":
            return [(f"routing-rule{n}", escape(rule_text(r))) for n, r in enumerate(value, 1)]
        if prop == "addr-gen-mode" and isinstance(value, int):
            return [(prop, ADDR_GEN_MODES[value])]
    if setting == "bond" and prop == "options":
        return [(name, escape(text)) for name, text in sorted(value.items())]
    if setting == "ovs-external-ids" and prop == "data":
        return [(f"data.{name}", escape(text)) for name, text in sorted(value.items())]
    if setting == "connection" and prop == "type":
        return [(prop, SECTION_NAMES.get(value, value))]
    return [(prop, _scalar(value))]


_SORT_NAMES = {"address-data": "addresses", "route-data": "routes"}


@functools.lru_cache(maxsize=1024)
def _sort_key(setting: str, prop: str) -> tuple[int, str]:
    if setting == "connection" and prop in _CONNECTION_FIRST:
        return _CONNECTION_FIRST.index(prop), ""
    return len(_CONNECTION_FIRST), _SORT_NAMES.get(prop, prop)


@functools.lru_cache(maxsize=4096)
def _valid_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def serialize(settings: Settings) -> str:
    """One profile's settings as keyfile text, byte for byte as NetworkManager writes it."""
    chunks: list[str] = []
    for setting in sorted(settings, key=_setting_rank):
        props = settings[setting]
        lines = [f"[{SECTION_NAMES.get(setting, setting)}]\n"]
        for prop in sorted(props, key=lambda p: _sort_key(setting, p)):
            for key, text in _property_lines(setting, prop, props[prop], props):
                if not _valid_key(key):
                    raise ValueError(f"{setting}.{prop}: {key!r} cannot be a keyfile key")
                lines.append(f"{key}={text}\n")
        chunks.append("".join(lines))
    return "\n".join(chunks)


# -- file names ----------------------------------------------------------------------


def filename_for(profile_id: str) -> str:
    """The file name NetworkManager would give a profile with this id.

    As ``nm_keyfile_utils_create_filename``: ``/`` becomes ``_``, a leading ``.``
    (hidden file) and a trailing ``~`` (backup file) are replaced; control
    characters are replaced too, and over-long names are cut to fit NAME_MAX.
    """
    name = "".join("_" if c == "/" or ord(c) < 0x20 or c == "\x7f" else c for c in profile_id)
    if name.startswith("."):
        name = "_" + name[1:]
    if name.endswith("~"):
        name = name[:-1] + "_"
    limit = NAME_MAX - len(SUFFIX)
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) > limit:
        name = raw[:limit].decode("utf-8", "ignore")
    return (name or "_") + SUFFIX


def filenames(profs: Sequence[Profile]) -> tuple[list[str], list[Finding]]:
    """One distinct name per profile; later duplicates get ``-<uuid>`` like NetworkManager does."""
    used: set[str] = set()
    names: list[str] = []
    findings: list[Finding] = []
    for profile in profs:
        name = filename_for(profile.id)
        if name in used:
            stem = name[: -len(SUFFIX)]
            candidate = filename_for(f"{stem}-{profile.uuid}")
            n = 1
            while candidate in used:
                n += 1
                candidate = filename_for(f"{stem}-{profile.uuid}-{n}")
            findings.append(EMIT_DUPLICATE_PROFILE_ID(
                NOWHERE, f"profile {profile.id!r} ({profile.interface}) is written as {candidate}: "
                         f"{name} is taken by another profile"))
            name = candidate
        used.add(name)
        names.append(name)
    return names, findings


def keyfiles_of(profs: Sequence[Profile]) -> tuple[dict[str, str], tuple[Finding, ...]]:
    """Keyfile texts of already built profiles, by file name (sorted)."""
    names, findings = filenames(profs)
    files = {name: serialize(p.settings) for name, p in zip(names, profs)}
    return dict(sorted(files.items())), tuple(findings)


def keyfiles(host: HostConfig) -> tuple[dict[str, str], tuple[Finding, ...]]:
    """``{file name: keyfile text}`` for every profile of the host, and the findings."""
    profs, findings = profiles(host)
    files, name_findings = keyfiles_of(profs)
    return files, findings + name_findings

