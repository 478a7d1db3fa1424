"""Take down what the old configurator made: its rules and routes, then its devices.

Devices go upper first (bridges, then vlans, then bonds) with ``ip link del``,
which is what VDSM's own rollback did for bridges (``ip link del``) and what
ifdown amounted to for software devices; NICs are never deleted. Rules are
not tied to a device and would outlive it, so the rules of VDSM's rule files
go first (ifdown-routes did the same), as do VDSM's routes on devices that
stay (a bridgeless network's NIC). Every ``ip`` run is time-bounded.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.deadline import Deadline
from ifcfg2nm.upgrade.plan import PlannedDevice

IP_TIMEOUT = 5.0
GONE = ("Cannot find device", "No such file or directory", "No such process", "does not exist")
"""``ip`` messages meaning "already gone" (a resumed or repeated step)."""


class IpError(Exception):
    """An ``ip`` command failed or timed out."""


def ip_do(args: Sequence[str], timeout: float = IP_TIMEOUT, missing_ok: bool = False) -> None:
    """Run ``ip ARGS`` (in this process's network namespace), bounded by ``timeout``."""
    cmd = ["ip", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise IpError(f"{' '.join(cmd)}: no answer within {timeout:g} s") from None
    except OSError as e:
        raise IpError(f"{' '.join(cmd)}: {e}") from None
    if proc.returncode != 0:
        err = proc.stderr.strip()
        if missing_ok and any(g in err for g in GONE):
            return
        raise IpError(f"{' '.join(cmd)}: {err or f'exit {proc.returncode}'}")


def family_flag(family: int) -> str:
    return "-6" if family == 6 else "-4"


def rule_args(r: kernel.Rule) -> list[str]:
    """``ip rule`` selector and action arguments that reproduce (or match) ``r``."""
    args = ["priority", str(r.priority)]
    if r.invert:
        args.append("not")
    args += ["from", r.src or "all"]
    if r.dst:
        args += ["to", r.dst]
    if r.tos:
        args += ["tos", str(r.tos)]
    if r.fwmark or r.fwmask not in (0, 0xFFFFFFFF):
        args += ["fwmark", f"{r.fwmark:#x}/{r.fwmask:#x}"]
    if r.iif:
        args += ["iif", r.iif]
    if r.oif:
        args += ["oif", r.oif]
    if r.ipproto:
        args += ["ipproto", str(r.ipproto)]
    for name, (start, end) in (("sport", r.sport), ("dport", r.dport), ("uidrange", r.uid_range)):
        if (start, end) != (0, 0):
            args += [name, f"{start}-{end}"]
    if r.suppress_prefixlength >= 0:
        args += ["suppress_prefixlength", str(r.suppress_prefixlength)]
    if r.protocol not in ("unspec", ""):
        args += ["protocol", r.protocol]
    if r.action == "lookup":
        args += ["table", str(r.table)]
    elif r.action == "goto":
        args += ["goto", str(r.goto)]
    else:
        args.append(r.action)
    return args


def route_args(r: kernel.Route) -> list[str]:
    """``ip route`` arguments that reproduce (or match exactly) ``r``."""
    args = [] if r.type == "unicast" else [r.type]
    args.append(r.dst)
    if r.gateway:
        args += ["via", r.gateway]
    if r.dev:
        args += ["dev", r.dev]
    args += ["table", str(r.table), "proto", r.protocol]
    if r.metric:
        args += ["metric", str(r.metric)]
    if r.family == 4 and r.scope:
        args += ["scope", r.scope]
    if r.prefsrc:
        args += ["src", r.prefsrc]
    if "onlink" in r.flags:
        args.append("onlink")
    return args


def delete_rule(r: kernel.Rule, timeout: float = IP_TIMEOUT) -> None:
    ip_do([family_flag(r.family), "rule", "del", *rule_args(r)], timeout, missing_ok=True)


def delete_route(r: kernel.Route, timeout: float = IP_TIMEOUT) -> None:
    ip_do([family_flag(r.family), "route", "del", *route_args(r)], timeout, missing_ok=True)


def take_down(devices: Sequence[PlannedDevice], rules: Sequence[kernel.Rule], routes: Sequence[kernel.Route],
              deadline: Deadline) -> list[str]:
    """Remove the old rules and routes, then delete the devices in the given order; returns what was done."""
    done = []
    for rule in rules:
        delete_rule(rule, deadline.bound(IP_TIMEOUT))
        done.append(f"rule {rule.priority} table {rule.table}")
    for route in routes:
        delete_route(route, deadline.bound(IP_TIMEOUT))
        done.append(f"route {route.dst} dev {route.dev} table {route.table}")
    for dev in devices:
        ip_do(["link", "del", "dev", dev.name], deadline.bound(IP_TIMEOUT), missing_ok=True)
        done.append(f"{dev.kind} {dev.name}")
    return done
