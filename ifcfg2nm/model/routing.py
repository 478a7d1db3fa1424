"""Static routes and policy rules of an ifcfg tree, attached to the profiles that carry them.

initscripts' ``ifup-routes DEVICE CONFIG`` read ``route-DEVICE`` *and*
``route-CONFIG`` (likewise route6-, rule-, rule6-); NetworkManager's reader
looks only at the file named after the ifcfg suffix, and drops a profile's
routes entirely when a rule- file exists. We follow initscripts and report
each case NetworkManager would have got wrong.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Optional, Union

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model.host import Interface, Route, RoutingRule
from ifcfg2nm.parser.documents import RouteEntry, RouteFile, RuleEntry, RuleFile

ROUTE_ORPHAN_FILE = define(
    "ROUTE_ORPHAN_FILE", Severity.WARNING, "a route- or rule- file that belongs to no ifcfg file",
    "initscripts never applied it; delete it (leapp inhibits the upgrade on such leftovers).",
)
ROUTE_OF_UNCONVERTED_DEVICE = define(
    "ROUTE_OF_UNCONVERTED_DEVICE", Severity.WARNING,
    "a route- or rule- file of a device whose ifcfg file is not converted (loopback, team, OVS …)",
    "Its routes and rules go with that device: re-create them by hand when you migrate the device.",
)
ROUTE_FILE_BY_DEVICE = define(
    "ROUTE_FILE_BY_DEVICE", Severity.WARNING,
    "a route/rule file found through DEVICE, not the ifcfg file name: NetworkManager's reader misses it",
    "Nothing to do for the migration (it is converted); rename it if you keep ifcfg files.",
)
ROUTE_RULES_DROP_ROUTES = define(
    "ROUTE_RULES_DROP_ROUTES", Severity.INFO,
    "rule- files: NetworkManager's ifcfg reader ignores them and the profile's routes",
    "Nothing to do: ifcfg2nm converts both into the profile's routes and routing rules.",
)
ROUTE_DEVICE_MISMATCH = define(
    "ROUTE_DEVICE_MISMATCH", Severity.WARNING, "a route names another device than the file's profile",
    "The route is attached to the named device's profile; check that is what you want.",
)
ROUTE_ATTRIBUTE_NOT_CONVERTED = define(
    "ROUTE_ATTRIBUTE_NOT_CONVERTED", Severity.WARNING, "a route attribute NetworkManager cannot hold",
    "Re-create the route by hand (for example with a dispatcher script) if the attribute matters.",
)

NM_ROUTE_ATTRIBUTES = frozenset({
    "cwnd", "initcwnd", "initrwnd", "mtu", "window", "advmss", "rto_min", "quickack", "scope",
    "tos", "from", "onlink", "weight",
})
"""``ip route`` attributes a NetworkManager route can carry (lockable ones via ``lock-<name>``)."""
LOCKABLE = frozenset({"cwnd", "initcwnd", "initrwnd", "mtu", "window", "advmss"})

ROUTE_RULE_TABLE_EMPTY = define(
    "ROUTE_RULE_TABLE_EMPTY", Severity.WARNING,
    "a routing rule looks up a table that no route file and no profile fills",
    "Whatever filled the table lived outside the ifcfg files (a script, a daemon); the rule sends traffic "
    "to an empty table after the migration unless that is recreated.",
)
BUILTIN_TABLES = frozenset({0, 253, 254, 255})
"""unspec, default, main, local: filled by the kernel."""

RouteDoc = Union[RouteFile, RuleFile]


def attach_routes_and_rules(
    interfaces: Sequence[Interface],
    config_names: Mapping[str, str],
    route_files: Sequence[RouteFile],
    rule_files: Sequence[RuleFile],
    unconverted: frozenset[str] = frozenset(),
) -> tuple[list[Route], list[RoutingRule], list[Finding]]:
    """Routes and rules of every profile. ``config_names`` maps DEVICE to the ifcfg suffix.

    ``unconverted`` names (suffix and DEVICE) the ifcfg files that yield no
    profile: their route files were applied by initscripts, so they are no orphans.
    """
    findings: list[Finding] = []
    devices = {i.name for i in interfaces}
    by_config = {config: device for device, config in config_names.items()}
    routes: list[Route] = []
    rules: list[RoutingRule] = []
    with_rules: dict[str, Position] = {}
    docs: list[RouteDoc] = [*route_files, *rule_files]
    for doc in sorted(docs, key=lambda d: d.path):
        name = _suffix(doc)
        device = by_config.get(name)
        if device is None and name in devices:
            device = name
            findings.append(ROUTE_FILE_BY_DEVICE(
                Position(doc.path, 1),
                f"found through DEVICE={name}, not through the ifcfg file "
                f"ifcfg-{config_names.get(name, name)}",
            ))
        if device is None and name in unconverted:
            findings.append(ROUTE_OF_UNCONVERTED_DEVICE(
                Position(doc.path, 1), f"'{name}' is not converted, so neither is this file"))
            continue
        if device is None:
            findings.append(ROUTE_ORPHAN_FILE(Position(doc.path, 1), f"no ifcfg file for '{name}'"))
            continue
        if isinstance(doc, RouteFile):
            reported = {f.position.line for f in doc.findings}
            for entry in doc.routes:
                route = _route(entry, device, findings, quiet=entry.position.line in reported)
                if route is not None:
                    routes.append(route)
        else:
            with_rules.setdefault(device, Position(doc.path, 1))
            rules.extend(_rule(entry, device) for entry in doc.rules)
    findings.extend(empty_table_findings(rules, routes, interfaces))
    for device, pos in sorted(with_rules.items()):
        findings.append(ROUTE_RULES_DROP_ROUTES(
            pos, f"{device}: NetworkManager's ifcfg reader would ignore its rules and routes; both are converted"))
    return routes, rules, findings


def empty_table_findings(
    rules: Sequence[RoutingRule], routes: Sequence[Route], interfaces: Sequence[Interface]
) -> list[Finding]:
    """Rules whose table no route of the files and no profile's route table (DHCP routes) fills."""
    filled = {r.table for r in routes} | {
        ip.route_table for i in interfaces for ip in (i.ipv4, i.ipv6) if ip.route_table is not None}
    return [
        ROUTE_RULE_TABLE_EMPTY(rule.source, f"rule of {rule.interface}: table {rule.table} has no route in "
                                            "any route file or profile")
        for rule in rules
        if rule.action == "table" and rule.table is not None and rule.table not in BUILTIN_TABLES
        and rule.table not in filled
    ]


def _suffix(doc: RouteDoc) -> str:
    base = os.path.basename(doc.host_path or doc.path)
    return base.split("-", 1)[1] if "-" in base else base


def _route(entry: RouteEntry, device: str, findings: list[Finding], *, quiet: bool) -> Optional[Route]:
    """The model's route; ``quiet`` when the parser already reported what this line loses."""
    interface = device
    if entry.device and entry.device != device:
        interface = entry.device
        findings.append(ROUTE_DEVICE_MISMATCH(
            entry.position, f"route to {entry.destination} names dev {entry.device} in {device}'s file"))
    options: list[tuple[str, str]] = []
    onlink = False
    for name, value in entry.options:
        if name == "onlink":
            onlink = True
        elif name.startswith("lock ") and name[5:] in LOCKABLE:
            options.append((f"lock-{name[5:]}", "true"))
            if value:
                options.append((name[5:], value))
        elif name in NM_ROUTE_ATTRIBUTES:
            options.append((name, value))
        elif not quiet:
            findings.append(ROUTE_ATTRIBUTE_NOT_CONVERTED(
                entry.position, f"route to {entry.destination}: '{name} {value}'".rstrip() + " is not converted"))
    return Route(
        destination=entry.destination,
        interface=interface,
        gateway=entry.gateway,
        metric=entry.metric,
        table=entry.table,
        type=entry.type,
        source_address=entry.source_address,
        onlink=onlink,
        options=tuple(options),
        source=entry.position,
    )


def _rule(entry: RuleEntry, device: str) -> RoutingRule:
    return RoutingRule(
        family=entry.family,
        priority=entry.priority,
        table=entry.table,
        source_prefix=entry.source,
        destination_prefix=entry.destination,
        iif=entry.iif,
        oif=entry.oif,
        fwmark=entry.fwmark,
        fwmask=entry.fwmask,
        tos=entry.tos,
        action=entry.action,
        invert=entry.invert,
        interface=device,
        source=entry.position,
    )
