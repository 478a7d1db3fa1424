"""Boot-time restore: make NetworkManager and the kernel match VDSM's persisted networks again.

What VDSM's ``restore-nets`` did at every boot (spec/vdsm-formats.md §4), on a
host ifcfg2nm migrated: once per boot (marker ``<root>/run/ifcfg2nm/restored``,
``--force`` ignores it); the target is the persisted config with networks on
missing NICs left out (``_filter_available``: bond NICs trimmed to the present
ones, networks on absent NICs or unusable bonds skipped and reported, nic-less
networks always kept); each target profile is compared with the profile
NetworkManager stores (by UUID) and with the kernel (link, port, MTU,
addresses, routes of every table, rules), and only what differs is repaired,
greedily, one profile at a time: a failure is reported and the others go on.

The profile comparison is by the target's properties (what the persisted config
decides) plus a few whose absence from the target means "none" (addresses,
gateway, routes, rules, DNS, controller); what else NetworkManager or the admin
added does not count, as VDSM compared only what it persisted. A property
``GetSettings`` leaves out has its default value (:data:`NM_DEFAULTS`). The
kernel comparison is the upgrade's own verification (:mod:`.verify`).

Repairs reuse the upgrade's steps (:mod:`.apply`): a missing profile is added
as the upgrade adds it; a drifted one is updated with the target's properties
laid over it (what the target does not decide stays) and re-applied; an
inactive one activated
(ports first: the controller comes up with them); kernel drift on an active
profile is re-applied (``Device.Reapply``), or the profile re-activated when
the link itself is wrong (missing, down, wrong controller) or re-applying did
not fix it. Profiles that are not in the target are left alone.

The no-op path (everything matches) reads the persisted config, a few D-Bus
properties and ``ip -j`` once; it changes nothing.

An upgrade left unfinished by a crash or a reboot is closed before any of
this, by the command (:mod:`ifcfg2nm.commands.restore`): committed if its
commit had begun, else undone, exactly as a rerun of the upgrade would.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Optional

from ifcfg2nm.emit.dbus_settings import DEPRECATED, DBusSettings, from_dbus, to_dbus
from ifcfg2nm.emit.nmsettings import Profile, Settings, profiles
from ifcfg2nm.findings import Finding, Severity, define
from ifcfg2nm.model.host import HostConfig, VdsmBond, VdsmNetwork
from ifcfg2nm.model.lower import lower_vdsm
from ifcfg2nm.model.vdsm import canonicalize_config
from ifcfg2nm.parser.netconf import read_netconf
from ifcfg2nm.parser.resolv import read_resolv_conf
from ifcfg2nm.upgrade import kernel, verify
from ifcfg2nm.upgrade.deadline import Deadline
from ifcfg2nm.upgrade.nm_dbus import ActiveState, NMClient, NMError
from ifcfg2nm.upgrade.state import MARKER as MARKER  # the boot marker lives in .state (cheap to check)
from ifcfg2nm.upgrade.state import already_restored as already_restored
from ifcfg2nm.upgrade.state import marker_path as marker_path
from ifcfg2nm.upgrade.state import write_marker as write_marker

RESTORE_NIC_MISSING = define(
    "RESTORE_NIC_MISSING", Severity.WARNING,
    "a persisted network sits on a NIC that is not present, and is not restored",
    "VDSM's restore skipped such networks too; it comes back at the next boot with the NIC "
    "(or remove the network from VDSM's persisted config).",
)
RESTORE_BOND_TRIMMED = define(
    "RESTORE_BOND_TRIMMED", Severity.WARNING,
    "some NICs of a persisted bond are not present; the bond is restored without them",
    "Check the missing NICs; the bond gets them back at the next boot when they are present.",
)

NM_DEFAULTS: Mapping[tuple[str, str], Any] = {
    ("connection", "autoconnect"): True,
    ("connection", "autoconnect-retries"): -1,
    ("connection", "autoconnect-slaves"): -1,
    ("connection", "lldp"): -1,
    ("connection", "mdns"): -1,
    ("connection", "llmnr"): -1,
    ("connection", "dns-over-tls"): -1,
    ("connection", "auth-retries"): -1,
    ("connection", "wait-device-timeout"): -1,
    ("connection", "wait-activation-delay"): -1,
    ("802-3-ethernet", "wake-on-lan"): 1,
    ("802-3-ethernet", "accept-all-mac-addresses"): -1,
    ("bridge", "stp"): True,
    ("bridge", "priority"): 32768,
    ("bridge", "forward-delay"): 15,
    ("bridge", "hello-time"): 2,
    ("bridge", "max-age"): 20,
    ("bridge", "ageing-time"): 300,
    ("bridge", "multicast-hash-max"): 4096,
    ("bridge", "multicast-last-member-count"): 2,
    ("bridge", "multicast-last-member-interval"): 100,
    ("bridge", "multicast-membership-interval"): 26000,
    ("bridge", "multicast-querier-interval"): 25500,
    ("bridge", "multicast-query-interval"): 12500,
    ("bridge", "multicast-query-response-interval"): 1000,
    ("bridge", "multicast-snooping"): True,
    ("bridge", "multicast-startup-query-count"): 2,
    ("bridge", "multicast-startup-query-interval"): 3125,
    ("bridge", "vlan-default-pvid"): 1,
    ("bridge-port", "priority"): 32,
    ("bridge-port", "path-cost"): 100,
    **{(ip, prop): value for ip in ("ipv4", "ipv6") for prop, value in (
        ("route-metric", -1), ("dhcp-send-hostname", True), ("may-fail", True), ("dad-timeout", -1),
        ("required-timeout", -1), ("auto-route-ext-gw", -1), ("replace-local-rule", -1))},
    ("ipv6", "ip6-privacy"): -1,
    ("ipv6", "addr-gen-mode"): "default",
    ("vlan", "flags"): 1,
    ("infiniband", "p-key"): -1,
}
"""NetworkManager 1.42's defaults that are not false/zero/empty (read from libnm's
GObject property defaults). ``GetSettings`` leaves out properties at their default."""

ABSENT_MEANS_NONE: Mapping[str, tuple[str, ...]] = {
    "connection": ("master", "slave-type"),
    "ipv4": ("address-data", "gateway", "route-data", "routing-rules", "dns", "never-default"),
    "ipv6": ("address-data", "gateway", "route-data", "routing-rules", "dns", "never-default"),
}
"""Properties a target without them wants unset: extra addresses or routes are drift too."""

PORT_FIRST = {"802-3-ethernet": 0, "infiniband": 0, "bond": 1, "vlan": 2, "bridge": 3}


# -- the target -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What the host should run now, with what the persisted config could not restore."""

    host: HostConfig
    profiles: tuple[Profile, ...]
    skipped: tuple[Finding, ...]
    """Networks left out (NIC missing) and bonds trimmed."""
    findings: tuple[Finding, ...]
    """Every finding of reading and lowering the persisted config."""


def filter_available(
    networks: Iterable[VdsmNetwork], bonds: Iterable[VdsmBond], present: Iterable[str]
) -> tuple[list[VdsmNetwork], list[VdsmBond], list[Finding]]:
    """VDSM's ``_filter_available``: keep what the present NICs can carry."""
    nics = set(present)
    out_bonds: list[VdsmBond] = []
    findings: list[Finding] = []
    for bond in bonds:
        kept = tuple(n for n in bond.nics if n in nics)
        if not kept:
            continue  # unusable: its networks are reported below
        if kept != bond.nics:
            missing = ", ".join(n for n in bond.nics if n not in nics)
            findings.append(RESTORE_BOND_TRIMMED(bond.position_of("nics"),
                                                 f"bond {bond.name}: NIC(s) {missing} not present"))
        out_bonds.append(replace(bond, nics=kept))
    usable = {b.name for b in out_bonds}
    known = {b.name for b in bonds}
    out_nets: list[VdsmNetwork] = []
    for net in networks:
        if net.bonding is not None and net.bonding in known and net.bonding not in usable:
            findings.append(RESTORE_NIC_MISSING(
                net.position_of("bonding"), f"network {net.name} is not restored: no NIC of bond {net.bonding} "
                "is present"))
            continue
        if net.nic is not None and net.nic not in nics:
            findings.append(RESTORE_NIC_MISSING(
                net.position_of("nic"), f"network {net.name} is not restored: NIC {net.nic} is not present"))
            continue
        out_nets.append(net)  # nic-less networks always; a bond not persisted is lower_vdsm's finding
    return out_nets, out_bonds, findings


def make_target(root: str, present: Iterable[str]) -> Optional[Target]:
    """The target of ``root``'s persisted config on a host with the ``present`` links; None without one.

    Reads only the persisted config (never the network scripts): that is all the
    target depends on, and it keeps the boot-time no-op cheap.
    """
    config = read_netconf(root, "persistent")
    if config is None or not (config.nets or config.bonds):
        return None
    canonical = canonicalize_config(config, resolv=read_resolv_conf(root))
    reading = [*config.findings, *(f for d in (*config.nets, *config.bonds, *config.devices) for f in d.findings)]
    nets, bonds, skipped = filter_available(canonical.networks, canonical.bonds, present)
    host = lower_vdsm(nets, bonds, (*reading, *canonical.findings))
    profs, emitted = profiles(host)
    return Target(host, profs, tuple(skipped), (*host.findings, *emitted))


# -- comparing ------------------------------------------------------------------------


def _falsy(value: Any) -> bool:
    return value is None or value is False or value == 0 or value in ("", [], {})


def _same(setting: str, prop: str, want: Any, have: Any) -> bool:
    if have is None:
        default = NM_DEFAULTS.get((setting, prop))
        return want == default if default is not None else _falsy(want)
    if isinstance(want, str) and isinstance(have, str) and prop.endswith("mac-address"):
        return want.upper() == have.upper()
    return bool(want == have)


def settings_drift(target: Settings, stored: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """``setting.property`` names where NetworkManager's profile (plain, :func:`from_dbus`) differs."""
    out: list[str] = []
    for setting, props in target.items():
        have = stored.get(setting, {})
        for prop, want in props.items():
            if not _same(setting, prop, want, have.get(prop)):
                out.append(f"{setting}.{prop}")
        for prop in ABSENT_MEANS_NONE.get(setting, ()):
            if prop not in props and not _falsy(have.get(prop)):
                out.append(f"{setting}.{prop}")
    return out


def merged_settings(target: Settings, stored: DBusSettings) -> DBusSettings:
    """What Update2 gets for a drifted profile: NetworkManager's stored profile (D-Bus values, so
    properties ifcfg2nm does not know pass through) with the target laid over it. Only what the
    target decides changes; what it wants unset goes, with its deprecated spellings."""
    out: DBusSettings = {s: dict(p) for s, p in stored.items()}
    for setting, props in to_dbus(target).items():
        dest = out.setdefault(setting, {})
        for prop in (*DEPRECATED.get(setting, ()), *ABSENT_MEANS_NONE.get(setting, ())):
            if prop not in props:
                dest.pop(prop, None)
        if setting in ("ipv4", "ipv6"):
            dest.pop("dns-data", None)  # NetworkManager's newer spelling of dns: the target's dns decides
        dest.update(props)
    return out


LINK_PROBLEMS = (": no such device", ": down", ": controller ", ": is a ")
"""verify.check's messages that mean the link itself is wrong: re-activate, not Reapply."""


def kernel_drift(target: Sequence[Profile], state: kernel.KernelState) -> dict[str, tuple[list[str], bool]]:
    """uuid -> (what the kernel does differently, whether the link itself is wrong), by the
    upgrade's own verification (every profile taken as activated). A bridge missing a port is
    repaired through the port's profile (its controller is wrong), so it is not counted here."""
    problems = verify.check(target, [p.uuid for p in target], state)
    out: dict[str, tuple[list[str], bool]] = {}
    for p in target:
        mine = [m for m in problems if m.startswith(f"{p.interface}: ")
                and not (p.type == "bridge" and m.startswith(f"{p.interface}: ports "))]
        if mine:
            out[p.uuid] = (mine, any(k in m for m in mine for k in LINK_PROBLEMS))
    return out


# -- the run --------------------------------------------------------------------------


@dataclass
class Outcome:
    """What happened to one profile."""

    profile: str
    action: str
    """``unchanged``, ``added``, ``updated``, ``activated``, ``reapplied``, ``failed``."""
    why: list[str] = field(default_factory=list)
    error: str = ""

    def line(self) -> str:
        text = f"{self.profile}: {self.action}"
        if self.why:
            text += " (" + "; ".join(self.why) + ")"
        if self.error:
            text += f": {self.error}"
        return text


@dataclass(frozen=True)
class RestoreResult:
    outcomes: tuple[Outcome, ...]
    findings: tuple[Finding, ...]
    """Skipped networks, trimmed bonds."""

    @property
    def failed(self) -> bool:
        return any(o.action == "failed" for o in self.outcomes)

    @property
    def changed(self) -> bool:
        return any(o.action not in ("unchanged", "failed") for o in self.outcomes)


def restore(nm: NMClient, target: Target, *, timeout: float = 60.0, settle: float = 5.0) -> RestoreResult:
    """Compare and repair every target profile, greedily (NetworkManager must have finished start-up).

    ``timeout`` bounds each activation, ``settle`` the wait for the kernel to show the repairs.
    """
    profs = sorted(target.profiles, key=lambda p: PORT_FIRST.get(p.type, 5))
    outcomes = {p.uuid: Outcome(p.id, "unchanged") for p in profs}
    drift = kernel_drift(profs, kernel.read_state())
    active = nm.active_uuids()
    stored: dict[str, Optional[DBusSettings]] = {}
    for p in profs:  # decide first: the no-op path ends here
        outcome = outcomes[p.uuid]
        try:
            info = nm.get_connection(p.uuid)
        except NMError as e:
            outcome.action, outcome.error = "failed", str(e)
            continue
        stored[p.uuid] = info.settings if info is not None else None
        running = active.get(p.uuid) == ActiveState.ACTIVATED
        differs = settings_drift(p.settings, from_dbus(info.settings)) if info is not None else []
        if info is None:
            outcome.action, outcome.why = "added", ["profile missing"]
        elif differs:
            outcome.action, outcome.why = "updated", [f"profile differs: {', '.join(differs)}"]
        elif not running:
            outcome.action, outcome.why = "activated", ["profile not active"]
        elif p.uuid in drift:
            found, link_wrong = drift[p.uuid]
            outcome.action, outcome.why = ("activated" if link_wrong else "reapplied"), list(found)
    if all(o.action == "unchanged" for o in outcomes.values()):
        return RestoreResult(tuple(outcomes[p.uuid] for p in profs), target.skipped)
    _repair(nm, target, profs, outcomes, stored, active, drift, timeout, settle)
    return RestoreResult(tuple(outcomes[p.uuid] for p in profs), target.skipped)


def _repair(nm: NMClient, target: Target, profs: Sequence[Profile], outcomes: Mapping[str, Outcome],
            stored: Mapping[str, Optional[DBusSettings]], active: Mapping[str, ActiveState],
            drift: Mapping[str, tuple[list[str], bool]], timeout: float, settle: float) -> None:
    from ifcfg2nm.upgrade import apply  # only when something differs: it pulls in the planner and parsers

    reapply: list[Profile] = []
    activate: list[Profile] = []
    again: set[str] = set()
    """Active profiles whose link is wrong: activated although they are active."""
    for p in profs:
        outcome = outcomes[p.uuid]
        running = active.get(p.uuid) == ActiveState.ACTIVATED
        try:
            if outcome.action == "added":
                apply.hand_over(nm, [p], [])
                activate.append(p)
            elif outcome.action == "updated":
                have = stored[p.uuid]
                assert have is not None
                nm.update_connection(p.uuid, merged_settings(p.settings, have))
                (reapply if running else activate).append(p)
            elif outcome.action == "reapplied":
                reapply.append(p)
            elif outcome.action == "activated":
                activate.append(p)
                if running and drift.get(p.uuid, ([], False))[1]:
                    again.add(p.uuid)
        except (NMError, apply.ApplyError) as e:
            outcome.action, outcome.error = "failed", str(e)
    for p in reapply:
        try:
            nm.reapply(p.interface)
        except NMError as e:  # a change Reapply cannot make: re-activate instead
            outcomes[p.uuid].why.append(f"Reapply refused ({e.name})")
            activate.append(p)
            again.add(p.uuid)
    _activate(nm, target.profiles, activate, outcomes, timeout, again)
    touched = [p for p in profs if outcomes[p.uuid].action not in ("unchanged", "failed")]
    left = _wait_settled(nm, target.profiles, touched, settle)
    retry = [p for p in touched if p.uuid in left and outcomes[p.uuid].action in ("reapplied", "updated")]
    if retry:  # Reapply did not fix the kernel: re-activate once
        for p in retry:
            outcomes[p.uuid].why.append("still differs after Reapply, re-activated")
        _activate(nm, target.profiles, retry, outcomes, timeout, {p.uuid for p in retry})
        left = _wait_settled(nm, target.profiles, touched, settle)
    for p in touched:
        if p.uuid in left and outcomes[p.uuid].action != "failed":
            outcomes[p.uuid].action = "failed"
            outcomes[p.uuid].error = "still differs: " + "; ".join(left[p.uuid])


def _activate(nm: NMClient, profs: Sequence[Profile], todo: Sequence[Profile], outcomes: Mapping[str, Outcome],
              timeout: float, again: Iterable[str] = ()) -> None:
    """Activate one at a time, ports first, with the upgrade's activation (which also manages
    the device again); a profile in ``again`` is re-activated even though it is active."""
    from ifcfg2nm.upgrade import apply

    again = set(again)
    for p in sorted(todo, key=lambda p: PORT_FIRST.get(p.type, 5)):
        outcome = outcomes[p.uuid]
        if outcome.action == "failed":
            continue
        try:
            if p.uuid in again:
                nm.activate(p.uuid, timeout=timeout)
            else:  # skips what is already coming up (a port brought its controller) and waits for it
                apply.activate(nm, profs, [p.uuid], Deadline(timeout))
        except (NMError, apply.ApplyError) as e:
            outcome.action, outcome.error = "failed", str(e)


def _wait_settled(nm: NMClient, profs: Sequence[Profile], touched: Sequence[Profile],
                  settle: float) -> dict[str, list[str]]:
    """uuid -> what still differs for the ``touched`` profiles, once nothing does or after ``settle`` s."""
    deadline = time.monotonic() + settle
    while True:
        drift = kernel_drift(profs, kernel.read_state())
        active = nm.active_uuids()
        left: dict[str, list[str]] = {}
        for p in touched:
            found = list(drift.get(p.uuid, ([], False))[0])
            if active.get(p.uuid) != ActiveState.ACTIVATED:
                found.append("profile not active")
            if found:
                left[p.uuid] = found
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)
