"""Compare the keyfiles nmstate generates from our state with our own keyfiles.

Both sides are read through libnm (``NM.keyfile_read`` + ``normalize``) and
compared setting by setting, property by property. Profiles are matched by what
they configure, not by file name or id: ``(type, interface-name)``, except an
ovs-port, which is known by the interfaces attached to it (nmstate names it after
its interface, ifcfg2nm ``ovs-port-<interface>``); ``connection.master`` is
compared through that identity too.

A few things are one fact spelled two ways, and are folded before comparing,
recording that the spelling differed (so the difference table must explain it):

* the main-table default gateway: ``ipvX.gateway`` (ours) versus a ``0/0`` route
  with ``table=254`` in ``route-data`` (nmstate) → key ``(ipvX, gateway)``;
* a route's table: an explicit ``table=254`` equals no table on a profile whose
  ``route-table`` is main → key ``(ipvX, route-data.table)``;
* DNS servers, search domains and routing rules are host-wide in effect; they are
  compared over all profiles (search domains over both families, key
  ``ipv4+ipv6``), and a different profile carrying them is recorded as
  ``(ipvX, dns-data.profile)`` / ``(ipv4+ipv6, dns-search.profile)`` /
  ``(ipvX, routing-rules.profile)``.

Every other difference is recorded under its own ``(setting, property)``; a
setting present on one side only under ``(setting, "*")``; a profile on one side
only under ``("profile", "<type> only in nmstate|ours")``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import nmstate_oracle as oracle

from ifcfg2nm.emit.nmstate import nmstate_state
from ifcfg2nm.model.host import HostConfig

Key = tuple[str, str]
Settings = dict[str, dict[str, Any]]
Differences = dict[Key, list[str]]
"""Difference key → human-readable examples (profile: ours vs nmstate)."""

HOST_WIDE = ("dns-data", "dns-search", "routing-rules")
MAIN = 254


def differences(host: HostConfig) -> Differences:
    """Every difference between nmstate's keyfiles and ours for one host."""
    from ifcfg2nm.emit.keyfile import keyfiles

    out: Differences = {}

    def note(key: Key, example: str) -> None:
        out.setdefault(key, []).append(example)

    def read(texts: Mapping[str, str], side: str) -> list[Settings]:
        profiles = []
        for name, text in sorted(texts.items()):
            try:
                profiles.append(oracle.profile_settings(text))
            except oracle.GLib.Error as exc:
                note(("profile", f"libnm refuses {side}"), f"{name}: {exc.message}")
        return profiles

    state, _ = nmstate_state(host)
    theirs = _by_identity(read(oracle.generate_keyfiles(state), "nmstate's"))
    ours_texts, _ = keyfiles(host)
    ours = _by_identity(read(ours_texts, "ours"))

    for ident in sorted(set(theirs) | set(ours)):
        if ident not in ours:
            note(("profile", f"{ident[0]} only in nmstate"), ident[1])
            continue
        if ident not in theirs:
            note(("profile", f"{ident[0]} only in ours"), ident[1])
            continue
        _compare_profile(f"{ident[0]} {ident[1]}", ours[ident], theirs[ident], note)
    _compare_host_wide(ours, theirs, note)
    return out


def _identity(settings: Settings, children: Mapping[str, list[str]]) -> tuple[str, str]:
    con = settings["connection"]
    if con["type"] == "ovs-port":
        return "ovs-port", ",".join(sorted(children.get(con.get("interface-name", ""), [])) +
                                    sorted(children.get(con["uuid"], [])))
    return con["type"], con.get("interface-name", "")


def _by_identity(profiles: list[Settings]) -> dict[tuple[str, str], Settings]:
    children: dict[str, list[str]] = {}
    for p in profiles:
        con = p["connection"]
        if con.get("slave-type") == "ovs-port" and "master" in con:
            children.setdefault(con["master"], []).append(con.get("interface-name", ""))
    by_uuid = {p["connection"]["uuid"]: _identity(p, children) for p in profiles}
    out: dict[tuple[str, str], Settings] = {}
    for p in profiles:
        con = p["connection"]
        if "master" in con:
            master = con["master"]
            if con.get("slave-type") == "ovs-port":
                con["master"] = str(("ovs-port", ",".join(sorted(children.get(master, [])))))
            else:  # a UUID, or an interface name of the controller type
                con["master"] = str(by_uuid.get(master, (con.get("slave-type", ""), master)))
        out[_identity(p, children)] = p
    return out


def _compare_profile(name: str, ours: Settings, theirs: Settings, note: Any) -> None:
    for family in ("ipv4", "ipv6"):
        folded = [_fold_routes(side.get(family)) for side in (ours, theirs)]
        if folded[0][1] != folded[1][1]:
            note((family, "gateway"), f"{name}: ours {folded[0][1]} vs nmstate {folded[1][1]}")
        if folded[0][2] != folded[1][2]:
            note((family, "route-data.table"), f"{name}: explicit main table differs")
    for setting in sorted(set(ours) | set(theirs)):
        a, b = ours.get(setting), theirs.get(setting)
        if a is None or b is None:
            note((setting, "*"), f"{name}: only in {'nmstate' if a is None else 'ours'}")
            continue
        for prop in sorted(set(a) | set(b)):
            if prop in HOST_WIDE:
                continue
            va, vb = _canon(a.get(prop)), _canon(b.get(prop))
            if va != vb:
                note((setting, prop), f"{name}: ours {va} vs nmstate {vb}")


def _fold_routes(ip: Any) -> tuple[Any, bool, bool]:
    """Gateway into route-data; an explicit main table dropped where it is the profile's."""
    if ip is None:
        return None, False, False
    routes = [dict(r) for r in ip.get("route-data", [])]
    explicit_main = False
    profile_table = ip.get("route-table", 0)
    for route in routes:
        if route.get("table") == MAIN and profile_table in (0, MAIN):
            del route["table"]
            explicit_main = True
    had_gateway = "gateway" in ip
    if had_gateway:
        gateway: dict[str, Any] = {"dest": "0.0.0.0" if ":" not in ip["gateway"] else "::",
                                   "prefix": 0, "next-hop": ip.pop("gateway")}
        if ip.get("route-metric", -1) != -1:
            gateway["metric"] = ip["route-metric"]
        routes.append(gateway)
    ip["route-data"] = sorted(routes, key=_canon)
    return ip["route-data"], had_gateway, explicit_main


def _compare_host_wide(ours: dict[Any, Settings], theirs: dict[Any, Settings], note: Any) -> None:
    for family in ("ipv4", "ipv6", "ipv4+ipv6"):
        for prop in HOST_WIDE:
            if (prop == "dns-search") != (family == "ipv4+ipv6"):
                continue  # search domains apply to both families, wherever they are kept
            mine = _placed(ours, family, prop)
            nms = _placed(theirs, family, prop)
            if _all(mine) != _all(nms):
                note((family, prop), f"host: ours {_all(mine)} vs nmstate {_all(nms)}")
            elif mine != nms:
                note((family, f"{prop}.profile"), f"host: ours {mine} vs nmstate {nms}")


def _placed(profiles: dict[Any, Settings], family: str, prop: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ident, settings in profiles.items():
        values = [v for f in family.split("+") for v in settings.get(f, {}).get(prop) or []]
        if values:
            canon = [_canon(v) for v in values]
            out[str(ident)] = sorted(canon) if prop == "routing-rules" else canon
    return out


def _all(placed: dict[str, list[str]]) -> list[str]:
    """All values of a host-wide property; ordered as written when one profile holds them."""
    values = [v for vs in placed.values() for v in vs]
    return values if len(placed) == 1 and not values[0].startswith("{") else sorted(values)


def _canon(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value
