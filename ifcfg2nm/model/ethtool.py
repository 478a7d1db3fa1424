"""``ETHTOOL_OPTS``: the ethtool invocations initscripts ran, as NetworkManager settings.

Each ``;``-separated segment is either ``-K|-G|-C|-A IFACE name value…`` or
``-s``-style words (``[-s IFACE] autoneg on speed 1000 duplex full wol g``).
NetworkManager's ifcfg reader skips what it does not know silently; we report it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model.host import EthernetSettings, Pairs
from ifcfg2nm.model.values import parse_int

IFCFG_ETHTOOL_UNSUPPORTED = define(
    "IFCFG_ETHTOOL_UNSUPPORTED", Severity.WARNING, "an ETHTOOL_OPTS setting NetworkManager cannot hold",
    "Apply it with a NetworkManager dispatcher script after the migration, or drop it.",
)

NM_FEATURES = frozenset("""
esp-hw-offload esp-tx-csum-hw-offload fcoe-mtu gro gso highdma hw-tc-offload l2-fwd-offload
loopback lro macsec-hw-offload ntuple rx rx-all rx-fcs rx-gro-hw rx-gro-list
rx-udp-gro-forwarding rx-udp_tunnel-port-offload rx-vlan-filter rx-vlan-stag-filter
rx-vlan-stag-hw-parse rxhash rxvlan sg tls-hw-record tls-hw-rx-offload tls-hw-tx-offload tso tx
tx-checksum-fcoe-crc tx-checksum-ip-generic tx-checksum-ipv4 tx-checksum-ipv6 tx-checksum-sctp
tx-esp-segmentation tx-fcoe-segmentation tx-gre-csum-segmentation tx-gre-segmentation
tx-gso-list tx-gso-partial tx-gso-robust tx-ipxip4-segmentation tx-ipxip6-segmentation
tx-nocache-copy tx-scatter-gather tx-scatter-gather-fraglist tx-sctp-segmentation
tx-tcp-ecn-segmentation tx-tcp-mangleid-segmentation tx-tcp-segmentation tx-tcp6-segmentation
tx-tunnel-remcsum-segmentation tx-udp-segmentation tx-udp_tnl-csum-segmentation
tx-udp_tnl-segmentation tx-vlan-stag-hw-insert txvlan
""".split())
"""NetworkManager 1.42's ``ethtool.feature-*`` names (ethtool's short and kernel names)."""
RINGS = frozenset({"rx", "rx-mini", "rx-jumbo", "tx"})
COALESCE = frozenset("""
adaptive-rx adaptive-tx pkt-rate-low pkt-rate-high rx-usecs rx-frames rx-usecs-irq
rx-frames-irq tx-usecs tx-frames tx-usecs-irq tx-frames-irq stats-block-usecs rx-usecs-low
rx-frames-low tx-usecs-low tx-frames-low rx-usecs-high rx-frames-high tx-usecs-high
tx-frames-high sample-interval
""".split())
PAUSE = frozenset({"autoneg", "rx", "tx"})
WOL_FLAGS = {"p": "phy", "u": "unicast", "m": "multicast", "b": "broadcast", "a": "arp", "g": "magic"}
PAIR_COMMANDS = {"-K": "feature", "--features": "feature", "--offload": "feature",
                 "-G": "ring", "--set-ring": "ring", "-C": "coalesce", "--coalesce": "coalesce",
                 "-A": "pause", "--pause": "pause"}
SETTINGS_COMMANDS = frozenset({"-s", "--change"})

IFCFG_ETHTOOL_OTHER_DEVICE = define(
    "IFCFG_ETHTOOL_OTHER_DEVICE", Severity.WARNING,
    "ETHTOOL_OPTS names another device: initscripts ran ethtool on that one, the profile applies it to its own",
    "Check the settings are wanted on this device (often a leftover of a NIC rename); remove them otherwise.",
)

Report = Callable[[str], None]


def parse_ethtool_opts(
    text: Optional[str], device: str, position: Position
) -> tuple[Optional[EthernetSettings], Pairs, list[Finding]]:
    """Link settings for ``[ethernet]`` and ``[ethtool]`` properties, plus what cannot be kept."""
    if not text or not text.strip():
        return None, (), []
    findings: list[Finding] = []

    def unsupported(what: str) -> None:
        findings.append(IFCFG_ETHTOOL_UNSUPPORTED(position, f"{device}: ETHTOOL_OPTS {what} is not converted"))

    ethtool: dict[str, str] = {}
    link = EthernetSettings()
    for segment in text.split(";"):
        words = segment.split()
        if not words:
            continue
        command = PAIR_COMMANDS.get(words[0])
        named = words[1] if len(words) > 1 and (command or words[0] in SETTINGS_COMMANDS) else device
        if named != device:
            findings.append(IFCFG_ETHTOOL_OTHER_DEVICE(position, (
                f"{device}: ETHTOOL_OPTS '{segment.strip()}' names {named}: initscripts ran it on {named}, "
                f"the converted profile applies it to {device}")))
        if command is None:
            args = words[2:] if words[0] in SETTINGS_COMMANDS else words
            link = _link_settings(args, link, unsupported)
            continue
        pairs = words[2:]
        if len(pairs) % 2:
            unsupported(f"'{segment.strip()}' (a name without a value)")
            pairs = pairs[:-1]
        for name, value in zip(pairs[::2], pairs[1::2]):
            _ethtool_pair(command, name, value, ethtool, unsupported)
    return (link if link != EthernetSettings() else None), tuple(sorted(ethtool.items())), findings


def _ethtool_pair(command: str, name: str, value: str, out: dict[str, str], unsupported: Report) -> None:
    on = {"on": "true", "off": "false"}.get(value)
    number = parse_int(value, 0, 0xFFFFFFFF)
    if command == "feature" and name in NM_FEATURES and on is not None:
        out[f"feature-{name}"] = on
    elif command == "ring" and name in RINGS and number is not None:
        out[f"ring-{name}"] = str(number)
    elif command == "coalesce" and name in ("adaptive-rx", "adaptive-tx") and on is not None:
        out[f"coalesce-{name}"] = "1" if on == "true" else "0"
    elif command == "coalesce" and name in COALESCE and number is not None:
        out[f"coalesce-{name}"] = str(number)
    elif command == "pause" and name in PAUSE and on is not None:
        out[f"pause-{name}"] = on
    else:
        unsupported(f"{command} {name} {value}")


def _link_settings(words: list[str], link: EthernetSettings, unsupported: Report) -> EthernetSettings:
    for word, value in zip(words[::2], [*words[1::2], ""]):
        speed = parse_int(value, 1, 10_000_000)
        if word == "autoneg" and value in ("on", "off"):
            link = replace(link, auto_negotiate=value == "on")
        elif word == "speed" and speed is not None:
            link = replace(link, speed=speed)
        elif word == "duplex" and value in ("half", "full"):
            link = replace(link, duplex=value)
        elif word == "wol" and value == "d":
            # ethtool disabled Wake-on-LAN ('d'); NetworkManager's reader and writer agree
            # ('wol d' <-> none). 'ignore' would leave whatever the NIC had enabled.
            link = replace(link, wake_on_lan="none")
        elif word == "wol" and value and all(c in WOL_FLAGS for c in value):
            link = replace(link, wake_on_lan=",".join(WOL_FLAGS[c] for c in value))
        else:
            unsupported(f"'{word} {value}'".replace(" '", "'"))
    return link
