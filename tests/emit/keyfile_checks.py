"""Shared checks for keyfile tests: every keyfile through libnm, and the model read back.

:func:`libnm_checked` emits a host's keyfiles and has libnm read each one:
zero warnings, ``verify()`` passes, every property we set reads back unchanged
(nmsettings' plain settings against libnm's D-Bus form), and the text is what
NetworkManager's own writer produces (explicit defaults aside).
:func:`model_differences` then compares what libnm read with the *model*, for the
properties a valid model must never lose.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "oracles"))

import libnm_oracle as oracle

from ifcfg2nm.emit.keyfile import filenames, serialize
from ifcfg2nm.emit.nmsettings import CONNECTION_TYPES, NO_DEVICE_TYPES, Profile, profiles
from ifcfg2nm.findings import Finding
from ifcfg2nm.model.host import HostConfig, Interface, InterfaceType, IpConfig

requires_libnm = pytest.mark.skipif(oracle.SKIP_REASON is not None,
                                    reason=oracle.SKIP_REASON or "")

VLAN_FLAGS = {"reorder-headers": 1, "gvrp": 2, "loose-binding": 4, "mvrp": 8}


@dataclass
class Emitted:
    host: HostConfig
    profiles: tuple[Profile, ...]
    findings: tuple[Finding, ...]
    files: dict[str, str]
    checks: dict[str, oracle.Check]
    by_interface: dict[tuple[str, InterfaceType], oracle.Check]

    def connection(self, name: str, kind: Optional[InterfaceType] = None) -> Any:
        for (iface, itype), check in self.by_interface.items():
            if iface == name and (kind is None or itype is kind):
                return check.connection
        raise KeyError(name)

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}


def libnm_checked(host: HostConfig) -> Emitted:
    """Emit, then fail the test on any libnm complaint or read-back difference."""
    profs, findings = profiles(host)
    names, name_findings = filenames(profs)
    files: dict[str, str] = {}
    checks: dict[str, oracle.Check] = {}
    by_interface: dict[tuple[str, InterfaceType], oracle.Check] = {}
    problems: list[str] = []
    types = {CONNECTION_TYPES[i.type]: i.type for i in host.interfaces}
    for name, profile in zip(names, profs):
        text = serialize(profile.settings)
        files[name] = text
        check = oracle.check(text, name)
        checks[name] = check
        by_interface[(profile.interface, types[profile.type])] = check
        issues = list(check.problems)
        if check.connection is not None:
            issues += oracle.settings_differences(profile.settings,
                                                  oracle.settings_of(check.connection))
            issues += oracle.text_differences(text, check.rewritten or "")
        problems += [f"{name}: {issue}" for issue in issues]
    if problems:
        shown = "\n".join(f"--- {n}\n{t}" for n, t in files.items())
        pytest.fail("libnm disagrees:\n  " + "\n  ".join(problems) + "\n" + shown)
    return Emitted(host, profs, findings + tuple(name_findings), files, checks, by_interface)


def _ip_differences(iface: Interface, ip: IpConfig, s_ip: Any, emitted: Emitted) -> list[str]:
    out: list[str] = []
    fam = ip.family
    where = f"{iface.name} ipv{fam}"
    if s_ip.get_method() != ip.method:
        out.append(f"{where}: method {s_ip.get_method()} != {ip.method}")
    read = [(a.get_address(), a.get_prefix()) for a in
            (s_ip.get_address(i) for i in range(s_ip.get_num_addresses()))]
    wanted = [(a.address, a.prefix) for a in ip.addresses]
    if read != wanted:
        out.append(f"{where}: addresses {read} != {wanted}")
    if (s_ip.get_gateway() or None) != ip.gateway:
        out.append(f"{where}: gateway {s_ip.get_gateway()} != {ip.gateway}")
    dns = [s_ip.get_dns(i) for i in range(s_ip.get_num_dns())]
    if dns != list(ip.dns):
        out.append(f"{where}: dns {dns} != {list(ip.dns)}")
    search = [s_ip.get_dns_search(i) for i in range(s_ip.get_num_dns_searches())]
    if search != list(ip.dns_search):
        out.append(f"{where}: dns-search {search} != {list(ip.dns_search)}")
    if s_ip.get_never_default() != ip.never_default or s_ip.get_may_fail() != ip.may_fail:
        out.append(f"{where}: never-default/may-fail differ")
    if ip.route_metric is not None and s_ip.get_route_metric() != ip.route_metric:
        out.append(f"{where}: route-metric {s_ip.get_route_metric()} != {ip.route_metric}")
    if ip.route_table is not None and s_ip.get_route_table() != ip.route_table:
        out.append(f"{where}: route-table {s_ip.get_route_table()} != {ip.route_table}")
    routes = [r for r in emitted.host.routes
              if r.interface == iface.name and r.family == fam and not r.absent]
    if s_ip.get_num_routes() != len(routes):
        out.append(f"{where}: {s_ip.get_num_routes()} routes != {len(routes)}")
    for n, route in enumerate(routes[: s_ip.get_num_routes()]):
        got = s_ip.get_route(n)
        dest = f"{got.get_dest()}/{got.get_prefix()}"
        hop = got.get_next_hop()
        want_hop = None if route.gateway in (None, "0.0.0.0", "::") else route.gateway
        table = got.get_attribute("table")
        if (dest != route.destination or hop != want_hop
                or got.get_metric() != (-1 if route.metric is None else route.metric)
                or (table.unpack() if table else None) != route.table):
            out.append(f"{where}: route {n} {dest} via {hop} != {route}")
    rules = [r for r in emitted.host.rules if r.interface == iface.name and r.family == fam]
    if s_ip.get_num_routing_rules() != len(rules):
        out.append(f"{where}: {s_ip.get_num_routing_rules()} rules != {len(rules)}")
    for n, rule in enumerate(rules[: s_ip.get_num_routing_rules()]):
        got = s_ip.get_routing_rule(n)
        if got.get_priority() != rule.priority or (rule.table and got.get_table() != rule.table):
            out.append(f"{where}: rule {n} priority/table {got.get_priority()}/"
                       f"{got.get_table()} != {rule.priority}/{rule.table}")
        if rule.source_prefix and not rule.source_prefix.endswith("/0"):
            text = f"{got.get_from()}/{got.get_from_len()}"
            want = rule.source_prefix if "/" in rule.source_prefix else \
                f"{rule.source_prefix}/{32 if fam == 4 else 128}"
            if text != want:
                out.append(f"{where}: rule {n} from {text} != {want}")
        if got.get_invert() != rule.invert:
            out.append(f"{where}: rule {n} invert differs")
    return out


def model_differences(emitted: Emitted) -> list[str]:
    """What libnm read that differs from the model, for properties that must survive."""
    out: list[str] = []
    for iface in emitted.host.interfaces:
        try:
            conn = emitted.connection(iface.name, iface.type)
        except KeyError:
            out.append(f"{iface.name}: no profile")
            continue
        s_con = conn.get_setting_connection()
        got = (s_con.get_id(), s_con.get_uuid(), s_con.get_interface_name(),
               s_con.get_connection_type(), s_con.get_autoconnect())
        want = (iface.profile_id, iface.uuid, iface.name, CONNECTION_TYPES[iface.type],
                iface.autoconnect)
        if got != want:
            out.append(f"{iface.name}: connection {got} != {want}")
        if (s_con.get_master(), s_con.get_slave_type()) != (
                iface.controller, iface.port_type.value if iface.port_type else None):
            out.append(f"{iface.name}: port of {s_con.get_master()}/{s_con.get_slave_type()}")
        wired = conn.get_setting_wired()
        if iface.type not in NO_DEVICE_TYPES and iface.type is not InterfaceType.INFINIBAND:
            mtu = wired.get_mtu() if wired else 0
            if mtu != (iface.mtu or 0):
                out.append(f"{iface.name}: mtu {mtu} != {iface.mtu}")
            cloned = wired.get_cloned_mac_address() if wired else None
            if (cloned or "").upper() != (iface.cloned_mac_address or "").upper():
                out.append(f"{iface.name}: cloned MAC {cloned} != {iface.cloned_mac_address}")
        if iface.type is InterfaceType.ETHERNET and (
                (wired.get_mac_address() or "").upper() != (iface.mac_address or "").upper()):
            out.append(f"{iface.name}: MAC {wired.get_mac_address()} != {iface.mac_address}")
        if iface.bond is not None:
            mode = conn.get_setting_bond().get_option_by_name("mode")
            if mode != iface.bond.mode:
                out.append(f"{iface.name}: bond mode {mode} != {iface.bond.mode}")
        if iface.bridge is not None and conn.get_setting_bridge().get_stp() != iface.bridge.stp:
            out.append(f"{iface.name}: bridge STP differs")
        if iface.vlan is not None:
            s_vlan = conn.get_setting_vlan()
            flags = sum(VLAN_FLAGS[f] for f in iface.vlan.flags)
            if (s_vlan.get_id(), s_vlan.get_parent(), int(s_vlan.get_flags())) != (
                    iface.vlan.id, iface.vlan.parent, flags):
                out.append(f"{iface.name}: vlan differs")
        if (iface.type is InterfaceType.OVS_PORT and iface.ovs and iface.ovs.vlan_tag
                and conn.get_setting_ovs_port().get_tag() != iface.ovs.vlan_tag):
            out.append(f"{iface.name}: OVS tag differs")
        carries = iface.type not in NO_DEVICE_TYPES and (
            not iface.is_port or iface.type is InterfaceType.OVS_INTERFACE)
        for ip, s_ip in ((iface.ipv4, conn.get_setting_ip4_config()),
                         (iface.ipv6, conn.get_setting_ip6_config())):
            if not carries:
                if s_ip is not None:
                    out.append(f"{iface.name}: a port/OVS record has ipv{ip.family} settings")
                continue
            if s_ip is None:
                out.append(f"{iface.name}: no ipv{ip.family} setting")
                continue
            out += _ip_differences(iface, ip, s_ip, emitted)
    return out
