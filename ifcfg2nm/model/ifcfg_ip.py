"""IPv4, IPv6 and DNS of one ifcfg profile, as initscripts applied them.

initscripts' ``ifup-eth``/``ifup-ipv6``/``ifup-post`` decide what the host
really had; NetworkManager's ifcfg reader differs in a dozen places
(spec/ifcfg-dialect.md §6). The model keeps initscripts' result; each
divergence is a finding that says what NetworkManager would have done.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model.host import IpAddress, IpConfig
from ifcfg2nm.model.keys import Keys
from ifcfg2nm.model.values import (
    classful_prefix,
    in_subnet,
    netmask_to_prefix,
    parse_int,
    parse_ipv4,
    parse_ipv6,
)

IFCFG_BAD_ADDRESS = define(
    "IFCFG_BAD_ADDRESS", Severity.ERROR, "an address that does not parse",
    "Fix the address; the profile cannot be converted faithfully.",
)
IFCFG_BAD_NETMASK = define(
    "IFCFG_BAD_NETMASK", Severity.ERROR, "a netmask or prefix that is malformed or not contiguous",
    "Use PREFIX=<length> or a contiguous NETMASK.",
)
IFCFG_CLASSFUL_PREFIX = define(
    "IFCFG_CLASSFUL_PREFIX", Severity.WARNING, "no PREFIX or NETMASK: the classful default is assumed",
    "Add PREFIX= so the subnet is explicit.",
)
IFCFG_BAD_BOOTPROTO = define(
    "IFCFG_BAD_BOOTPROTO", Severity.ERROR,
    "an unknown BOOTPROTO: NetworkManager rejects the whole profile, initscripts configured static",
    "Set BOOTPROTO to none, static or dhcp.",
)
IFCFG_BOOTPROTO_CASE = define(
    "IFCFG_BOOTPROTO_CASE", Severity.WARNING,
    "BOOTPROTO in upper case: initscripts did not run DHCP, NetworkManager would",
    "Write BOOTPROTO=dhcp if DHCP is meant; the static reading is kept.",
)
IFCFG_STATIC_WITH_DHCP = define(
    "IFCFG_STATIC_WITH_DHCP", Severity.WARNING,
    "static addresses with BOOTPROTO=dhcp: initscripts ignored them, NetworkManager would add them",
    "Remove the static keys, or switch to static; they are not converted.",
)
IFCFG_GATEWAY_NOT_IN_SUBNET = define(
    "IFCFG_GATEWAY_NOT_IN_SUBNET", Severity.WARNING,
    "the gateway is outside the first address's subnet: initscripts installed no default route",
    "Fix GATEWAY or the address; the default route is not converted.",
)
IFCFG_GATEWAYDEV_OVERRIDES = define(
    "IFCFG_GATEWAYDEV_OVERRIDES", Severity.WARNING,
    "GATEWAYDEV in /etc/sysconfig/network keeps the default route off this profile",
    "Check which device must hold the default route; the profile is written never-default.",
)
IFCFG_GLOBAL_GATEWAY = define(
    "IFCFG_GLOBAL_GATEWAY", Severity.WARNING,
    "the global GATEWAY of /etc/sysconfig/network applies to a profile",
    "Move GATEWAY into the one profile that should hold the default route.",
)
IFCFG_DEFROUTE_NO_WITH_GATEWAY = define(
    "IFCFG_DEFROUTE_NO_WITH_GATEWAY", Severity.INFO,
    "GATEWAY with DEFROUTE=no: no default route was installed",
    "Nothing to do; the gateway is not converted into a default route.",
)
IFCFG_METRIC = define(
    "IFCFG_METRIC", Severity.WARNING,
    "METRIC (initscripts' default-route metric) is ignored by NetworkManager's ifcfg reader",
    "It is converted to the profile's route metric, which also applies to its other routes.",
)
IFCFG_PEERDNS_WITH_DNS = define(
    "IFCFG_PEERDNS_WITH_DNS", Severity.WARNING,
    "PEERDNS=no with DNSn: initscripts left resolv.conf alone, NetworkManager would write the servers",
    "Keep resolv.conf by hand with [main] dns=none, or add the servers to the profile deliberately.",
)
IFCFG_DNS_BEYOND_3 = define(
    "IFCFG_DNS_BEYOND_3", Severity.WARNING,
    "DNS4 and later: ignored by initscripts, used by NetworkManager",
    "The extra servers are not converted; add them by hand if they are wanted.",
)
IFCFG_IPV6INIT_UNSET = define(
    "IFCFG_IPV6INIT_UNSET", Severity.WARNING,
    "IPV6INIT unset: initscripts left IPv6 to the kernel; NetworkManager's ifcfg reader says 'ignore'",
    "The profile is written with ipv6.method=ignore (kernel defaults); set IPV6INIT explicitly to decide.",
)
IFCFG_DHCPV6_WITH_AUTOCONF = define(
    "IFCFG_DHCPV6_WITH_AUTOCONF", Severity.WARNING,
    "DHCPV6C=yes with autoconf: initscripts ran both, NetworkManager asks DHCPv6 only when the RA says so",
    "Check the router advertises the managed/other flags, or the DHCPv6 address disappears.",
)
IFCFG_ZEROCONF_ROUTE = define(
    "IFCFG_ZEROCONF_ROUTE", Severity.WARNING,
    "NOZEROCONF unset: initscripts added the 169.254.0.0/16 link-local route, NetworkManager adds none",
    "Add the route to the profile (169.254.0.0/16, scope link) if anything on the link relies on it.",
)
IFCFG_DHCP_CLIENT_ID = define(
    "IFCFG_DHCP_CLIENT_ID", Severity.WARNING,
    "DHCP without DHCP_CLIENT_ID: dhclient sent no client identifier, NetworkManager's client sends one",
    "Reserve the lease by client id on the DHCP server, or set ipv4.dhcp-client-id after the migration.",
)
IFCFG_IPV6_KEYS_WITHOUT_IPV6INIT = define(
    "IFCFG_IPV6_KEYS_WITHOUT_IPV6INIT", Severity.WARNING,
    "IPv6 keys while IPV6INIT is not yes: initscripts never applied them",
    "Set IPV6INIT=yes if they are meant; they are not converted.",
)

IPV6_KEYS = (
    "IPV6ADDR", "IPV6ADDR_SECONDARIES", "IPV6_DEFAULTGW", "IPV6_AUTOCONF", "DHCPV6C",
    "IPV6_DEFROUTE", "IPV6_PEERDNS", "IPV6_PEERROUTES", "IPV6_FAILURE_FATAL", "IPV6_PRIVACY",
    "IPV6_PRIVACY_PREFER_PUBLIC_IP", "IPV6_ADDR_GEN_MODE", "IPV6_TOKEN", "IPV6_ROUTE_METRIC",
    "IPV6_ROUTE_TABLE", "IPV6FORWARDING",
)
MAX_ADDRESS_INDEX = 255
_INDICES = ("", *(str(n) for n in range(MAX_ADDRESS_INDEX + 1)))
"""Address indices in initscripts' order (built once: this is on every profile's path)."""
_GATEWAY_RANK = {"GATEWAY" + index: rank for rank, index in enumerate(_INDICES)}


@dataclass
class GlobalNetwork:
    """/etc/sysconfig/network as initscripts sourced it before every ifcfg file."""

    gateway: Optional[str] = None
    gateway_position: Optional[Position] = None
    gatewaydev: Optional[str] = None
    gatewaydev_position: Optional[Position] = None
    ipv6init: Optional[str] = None
    ipv6forwarding: Optional[str] = None
    ipv6_autoconf: Optional[str] = None
    ipv6_defaultgw: Optional[str] = None
    ipv6_defaultdev: Optional[str] = None
    nozeroconf: Optional[str] = None
    gateway_users: list[str] = field(default_factory=list)
    """Profiles the global GATEWAY was applied to (a builder-side tally)."""
    gateway_skipped: list[tuple[str, str]] = field(default_factory=list)
    """Static profiles without their own gateway whose subnet does not hold the global GATEWAY."""
    findings: list[Finding] = field(default_factory=list)

    def global_gateway_findings(self, ip_profiles: int) -> list[Finding]:
        """Pain point 3: on a host with several IPv4 profiles, say where the global GATEWAY went.

        initscripts used it only where it lies in the profile's subnet; NetworkManager's
        reader gives it to every static profile without its own gateway.
        """
        if not self.gateway or ip_profiles < 2:
            return []
        where = self.gateway_position or Position("")
        out = [IFCFG_GLOBAL_GATEWAY(where, f"{device}: default gateway {self.gateway} comes from the global "
                                           "GATEWAY; written into this profile") for device in self.gateway_users]
        out += [IFCFG_GLOBAL_GATEWAY(
            where, f"{device}: the global GATEWAY={self.gateway} is outside {subnet}: initscripts ignored it "
            f"here, NetworkManager's ifcfg reader would make it {device}'s gateway; not converted")
            for device, subnet in self.gateway_skipped]
        return out

    @classmethod
    def from_keys(cls, keys: Optional[Keys]) -> GlobalNetwork:
        if keys is None:
            return cls()
        glob = cls(
            gateway=keys.get("GATEWAY") or None,
            gateway_position=keys.pos("GATEWAY"),
            gatewaydev=keys.get("GATEWAYDEV") or None,
            gatewaydev_position=keys.pos("GATEWAYDEV"),
            ipv6init=keys.get("IPV6INIT") or keys.get("NETWORKING_IPV6") or None,
            ipv6forwarding=keys.get("IPV6FORWARDING") or None,
            ipv6_autoconf=keys.get("IPV6_AUTOCONF") or None,
            ipv6_defaultgw=keys.get("IPV6_DEFAULTGW") or None,
            ipv6_defaultdev=keys.get("IPV6_DEFAULTDEV") or None,
            nozeroconf=keys.get("NOZEROCONF") or None,
        )
        for key in ("NETWORKING", "HOSTNAME", "NISDOMAIN", "DOMAIN"):
            keys.get(key)
        return glob


def ip_configs(
    keys: Keys, device: str, glob: GlobalNetwork
) -> tuple[IpConfig, IpConfig, list[Finding]]:
    """IPv4 and IPv6 configuration of a non-port profile, with DNS placed by family."""
    findings: list[Finding] = []
    ipv4 = _ipv4(keys, device, glob, findings)
    ipv6 = _ipv6(keys, device, glob, findings)
    dns4, dns6, search = _dns(keys, device, ipv4, findings)
    ipv4 = _with_dns(ipv4, dns4, search)
    ipv6 = _with_dns(ipv6, dns6, search if ipv6.enabled else ())
    findings.extend(_zeroconf(keys, device, glob, ipv4))
    findings.extend(_dhcp_client_id(keys, device, ipv4))
    if ipv4.method == "auto" and ipv4.dhcp_client_id is None:
        ipv4 = replace(ipv4, dhcp_client_id="mac")
    return ipv4, ipv6, findings


def _zeroconf(keys: Keys, device: str, glob: GlobalNetwork, ipv4: IpConfig) -> list[Finding]:
    """initscripts (ifup-eth, dhclient-script) added 169.254.0.0/16 unless NOZEROCONF was non-empty.

    Info for VDSM's files: VDSM's own nmstate era dropped the route the same way.
    """
    own = keys.get("NOZEROCONF")
    if own or glob.nozeroconf or not ipv4.enabled:
        return []
    severity = Severity.INFO if keys.doc.ownership.vdsm_owned else None
    return [IFCFG_ZEROCONF_ROUTE(
        keys.pos(), f"{device}: initscripts added the link-local route 169.254.0.0/16 (NOZEROCONF is not set); "
        "NetworkManager adds none", severity=severity)]


def _dhcp_client_id(keys: Keys, device: str, ipv4: IpConfig) -> list[Finding]:
    """dhclient sent no client id by default; NetworkManager's internal client sends 'mac' (1.16+).

    Info for VDSM's files: VDSM's own nmstate era made the same change.
    """
    if ipv4.method != "auto" or ipv4.dhcp_client_id is not None:
        return []
    severity = Severity.INFO if keys.doc.ownership.vdsm_owned else None
    return [IFCFG_DHCP_CLIENT_ID(
        keys.pos("BOOTPROTO"), f"{device}: dhclient sent no DHCP client identifier; NetworkManager sends "
        "its MAC-based one (written explicitly), so the server may hand out another address", severity=severity)]


def ipv4_addresses(keys: Keys, device: str, findings: list[Finding]) -> tuple[IpAddress, ...]:
    """IPADDR, IPADDR0, IPADDR1, IPADDR2…: the first gap from index 2 ends the list (both readers)."""
    out: list[IpAddress] = []
    for index in _INDICES:
        text = keys.get("IPADDR" + index)
        if not text:
            if index and int(index) >= 2:
                break
            continue
        addr = parse_ipv4(text)
        if addr is None:
            findings.append(IFCFG_BAD_ADDRESS(
                keys.pos("IPADDR" + index), f"{device}: IPADDR{index}={text} is not an IPv4 address"))
            continue
        prefix = _ipv4_prefix(keys, index, addr, device, findings)
        if prefix is not None:
            out.append(IpAddress(addr, prefix))
    return tuple(out)


def _ipv4_prefix(keys: Keys, index: str, addr: str, device: str, findings: list[Finding]) -> Optional[int]:
    prefix_text = keys.get("PREFIX" + index)
    netmask_text = keys.get("NETMASK" + index)
    if prefix_text:
        prefix = parse_int(prefix_text, 0, 32)
        if prefix is None:
            findings.append(IFCFG_BAD_NETMASK(
                keys.pos("PREFIX" + index), f"{device}: PREFIX{index}={prefix_text} is not 0..32"))
        return prefix
    if netmask_text:
        result = netmask_to_prefix(netmask_text)
        if isinstance(result, str):
            findings.append(IFCFG_BAD_NETMASK(keys.pos("NETMASK" + index), f"{device}: {result}"))
            return None
        return result
    prefix = classful_prefix(addr)
    findings.append(IFCFG_CLASSFUL_PREFIX(
        keys.pos("IPADDR" + index), f"{device}: IPADDR{index}={addr} has no PREFIX or NETMASK; /{prefix} assumed"))
    return prefix


def _ipv4(keys: Keys, device: str, glob: GlobalNetwork, findings: list[Finding]) -> IpConfig:
    bootproto = keys.get("BOOTPROTO") or "none"
    dynamic = bootproto in ("dhcp", "bootp")
    method = "auto" if dynamic else "manual"
    if not dynamic and bootproto.lower() in ("dhcp", "bootp"):
        findings.append(IFCFG_BOOTPROTO_CASE(
            keys.pos("BOOTPROTO"), f"{device}: BOOTPROTO={bootproto} configured static addresses under initscripts"))
    elif bootproto == "autoip":
        method = "link-local"
    elif bootproto == "shared":
        method = "shared"
    elif not dynamic and bootproto not in ("none", "static"):
        findings.append(IFCFG_BAD_BOOTPROTO(
            keys.pos("BOOTPROTO"), f"{device}: BOOTPROTO={bootproto} is unknown; static configuration assumed"))
    addresses = ipv4_addresses(keys, device, findings)
    gateway_key, gateway_text = _first_gateway(keys)
    if dynamic and addresses:
        findings.append(IFCFG_STATIC_WITH_DHCP(
            keys.pos("IPADDR"), f"{device}: static addresses with BOOTPROTO={bootproto} are not converted"))
        addresses = ()
    if method == "manual" and not addresses:
        method = "disabled"
    gateway = None
    if gateway_text:
        gateway = parse_ipv4(gateway_text)
        if gateway is None:
            findings.append(IFCFG_BAD_ADDRESS(
                keys.pos(gateway_key), f"{device}: {gateway_key}={gateway_text} is not an IPv4 address"))
    elif glob.gateway and method == "manual":
        gateway = parse_ipv4(glob.gateway)
        if gateway and addresses and in_subnet(gateway, addresses[0].address, addresses[0].prefix):
            glob.gateway_users.append(device)
        else:
            if addresses:
                glob.gateway_skipped.append((device, str(addresses[0])))
            gateway = None
    defroute = keys.boolean("DEFROUTE", default=True, findings=findings)
    never_default = not defroute
    if glob.gatewaydev and glob.gatewaydev != device and defroute and (gateway or dynamic):
        findings.append(IFCFG_GATEWAYDEV_OVERRIDES(
            glob.gatewaydev_position or keys.pos(),
            f"{device}: GATEWAYDEV={glob.gatewaydev} keeps the default route off {device}"))
        never_default = True
    if gateway and not dynamic:
        if never_default:
            if not (glob.gatewaydev and glob.gatewaydev != device):
                findings.append(IFCFG_DEFROUTE_NO_WITH_GATEWAY(
                    keys.pos(gateway_key),
                    f"{device}: {gateway_key}={gateway} with DEFROUTE=no installs no default route"))
            gateway = None
        elif addresses and not in_subnet(gateway, addresses[0].address, addresses[0].prefix):
            findings.append(IFCFG_GATEWAY_NOT_IN_SUBNET(
                keys.pos(gateway_key), f"{device}: gateway {gateway} is outside {addresses[0]}"))
            gateway = None
    if dynamic and gateway_text:
        gateway = None
    metric = _route_metric(keys, "IPV4_ROUTE_METRIC", device, findings)
    metric_text = keys.get("METRIC")
    if metric is None and metric_text:
        metric = parse_int(metric_text, 0, 0xFFFFFFFF)
        if metric is None:
            findings.append(IFCFG_BAD_ADDRESS(keys.pos("METRIC"), f"{device}: METRIC={metric_text} is not a number"))
        else:
            findings.append(IFCFG_METRIC(
                keys.pos("METRIC"), f"{device}: METRIC={metric} becomes ipv4.route-metric"))
    table_text = keys.get("IPV4_ROUTE_TABLE")
    table = parse_int(table_text, 0, 0xFFFFFFFF) if table_text else None
    peerdns = keys.boolean("PEERDNS", default=True, findings=findings)
    peerroutes = keys.boolean("PEERROUTES", default=True, findings=findings)
    fatal = keys.boolean("IPV4_FAILURE_FATAL", default=False, findings=findings)
    send_hostname = keys.get("DHCP_SEND_HOSTNAME")
    # dhclient -F DHCP_FQDN, which wins over DHCP_HOSTNAME (left unread, so reported) in both
    # readers; NetworkManager refuses dhcp-hostname together with dhcp-fqdn.
    fqdn = (keys.get("DHCP_FQDN") or None) if dynamic else None
    return IpConfig(
        family=4,
        method=method,
        addresses=addresses,
        gateway=gateway,
        never_default=never_default,
        may_fail=not fatal,
        route_metric=metric,
        route_table=table,
        ignore_auto_dns=not peerdns,
        ignore_auto_routes=not peerroutes,
        dhcp_hostname=(keys.get("DHCP_HOSTNAME") or None) if dynamic and not fqdn else None,
        dhcp_send_hostname=(
            keys.boolean("DHCP_SEND_HOSTNAME", default=True, findings=findings)
            if dynamic and send_hostname is not None else None
        ),
        dhcp_client_id=(keys.get("DHCP_CLIENT_ID") or None) if dynamic else None,
        extra=(("dhcp-fqdn", fqdn),) if fqdn else (),
    )


def _first_gateway(keys: Keys) -> tuple[str, Optional[str]]:
    """NetworkManager's rule: the first GATEWAYn found while walking the address indices."""
    found: tuple[str, Optional[str]] = ("GATEWAY", None)
    for key in sorted((k for k in keys.names() if k in _GATEWAY_RANK), key=_GATEWAY_RANK.__getitem__):
        text = keys.get(key)
        if text and found[1] is None:
            found = (key, text)
    return found


def _route_metric(keys: Keys, key: str, device: str, findings: list[Finding]) -> Optional[int]:
    text = keys.get(key)
    if not text:
        return None
    n = parse_int(text, 0, 0xFFFFFFFF)
    if n is None:
        findings.append(IFCFG_BAD_ADDRESS(keys.pos(key), f"{device}: {key}={text} is not a number"))
    return n


def _ipv6(keys: Keys, device: str, glob: GlobalNetwork, findings: list[Finding]) -> IpConfig:
    init_text = keys.get("IPV6INIT")
    if init_text is None:
        init_text = glob.ipv6init
    present = [k for k in IPV6_KEYS if keys.peek(k)]
    if keys.boolean("IPV6_DISABLED", default=False, findings=findings):
        _consume(keys, IPV6_KEYS)
        return IpConfig(6, "disabled")
    if (init_text is None or init_text.strip() == "") and keys.doc.ownership.vdsm_like:
        # VDSM before 4.17.1 wrote IPV6INIT only for its IPv6 networks: unset is its IPV6INIT=no
        _consume(keys, IPV6_KEYS)
        if present:
            findings.append(IFCFG_IPV6_KEYS_WITHOUT_IPV6INIT(
                keys.pos(present[0]), f"{device}: {', '.join(present)} not applied without IPV6INIT=yes"))
        return IpConfig(6, "disabled")
    if init_text is None or init_text.strip() == "":
        _consume(keys, IPV6_KEYS)
        findings.append(IFCFG_IPV6INIT_UNSET(
            keys.pos(), f"{device}: IPV6INIT is not set; IPv6 is left to the kernel (method ignore)"))
        if present:
            findings.append(IFCFG_IPV6_KEYS_WITHOUT_IPV6INIT(
                keys.pos(present[0]), f"{device}: {', '.join(present)} not applied without IPV6INIT=yes"))
        return IpConfig(6, "ignore")
    enabled = (
        keys.boolean("IPV6INIT", default=False, findings=findings)
        if keys.peek("IPV6INIT") is not None
        else _truthy(init_text)
    )
    if not enabled:
        _consume(keys, IPV6_KEYS)
        meaningful = [k for k in present if k not in ("IPV6_AUTOCONF", "IPV6_DEFROUTE", "IPV6FORWARDING")]
        if meaningful:
            findings.append(IFCFG_IPV6_KEYS_WITHOUT_IPV6INIT(
                keys.pos(meaningful[0]), f"{device}: {', '.join(meaningful)} not applied with IPV6INIT=no"))
        # ifup-ipv6 exits on IPV6INIT=no and leaves the kernel's link-local address and RA
        # handling alone; NetworkManager's reader says ignore too (only IPV6_DISABLED=yes
        # disables). VDSM's translation disables IPv6 on its devices.
        return IpConfig(6, "disabled" if keys.doc.ownership.vdsm_like else "ignore")
    forwarding = _bool_with_global(keys, "IPV6FORWARDING", glob.ipv6forwarding, False, findings)
    autoconf_text = keys.get("IPV6_AUTOCONF")
    if autoconf_text is None:
        autoconf_text = glob.ipv6_autoconf
    shared = autoconf_text is not None and autoconf_text.strip().lower() == "shared"
    autoconf = (not forwarding) if autoconf_text in (None, "") else _truthy(autoconf_text)
    dhcpv6 = keys.boolean("DHCPV6C", default=False, findings=findings)
    addresses = _ipv6_addresses(keys, device, findings)
    if shared:
        method = "shared"
    elif autoconf:
        method = "auto"
        if dhcpv6:
            findings.append(IFCFG_DHCPV6_WITH_AUTOCONF(
                keys.pos("DHCPV6C"), f"{device}: DHCPV6C=yes with IPv6 autoconf becomes ipv6.method=auto"))
    elif dhcpv6:
        method = "dhcp"
    elif addresses:
        method = "manual"
    else:
        method = "link-local"
    gateway = _ipv6_gateway(keys, device, glob, addresses, findings)
    defroute = keys.boolean("IPV6_DEFROUTE", default=True, findings=findings)
    extra: list[tuple[str, str]] = []
    gen_mode = keys.get("IPV6_ADDR_GEN_MODE")
    if gen_mode in ("eui64", "stable-privacy"):
        extra.append(("addr-gen-mode", gen_mode))
    elif method in ("auto", "dhcp", "link-local"):
        extra.append(("addr-gen-mode", "eui64"))
    privacy = keys.get("IPV6_PRIVACY")
    if privacy:
        prefer_public = keys.boolean("IPV6_PRIVACY_PREFER_PUBLIC_IP", default=False, findings=findings)
        on = privacy.lower() in ("rfc3041", "rfc4941") or _truthy(privacy)
        extra.append(("ip6-privacy", ("1" if prefer_public else "2") if on else "0"))
    token = keys.get("IPV6_TOKEN")
    if token:
        extra.append(("token", token))
    table_text = keys.get("IPV6_ROUTE_TABLE")
    return IpConfig(
        family=6,
        method=method,
        addresses=addresses,
        gateway=gateway if defroute else None,
        never_default=not defroute,
        may_fail=not keys.boolean("IPV6_FAILURE_FATAL", default=False, findings=findings),
        route_metric=_route_metric(keys, "IPV6_ROUTE_METRIC", device, findings),
        route_table=parse_int(table_text, 0, 0xFFFFFFFF) if table_text else None,
        ignore_auto_dns=not keys.boolean("IPV6_PEERDNS", default=True, findings=findings),
        ignore_auto_routes=not keys.boolean("IPV6_PEERROUTES", default=True, findings=findings),
        extra=tuple(sorted(extra)),
    )


def _ipv6_addresses(keys: Keys, device: str, findings: list[Finding]) -> tuple[IpAddress, ...]:
    out: list[IpAddress] = []
    words: list[tuple[str, str]] = []
    primary = keys.get("IPV6ADDR")
    if primary:
        words.append(("IPV6ADDR", primary))
    for word in (keys.get("IPV6ADDR_SECONDARIES") or "").split():
        words.append(("IPV6ADDR_SECONDARIES", word))
    for key, word in words:
        addr_text, slash, prefix_text = word.partition("/")
        addr = parse_ipv6(addr_text)
        prefix = parse_int(prefix_text, 0, 128) if slash else 64
        if addr is None or prefix is None:
            findings.append(IFCFG_BAD_ADDRESS(keys.pos(key), f"{device}: {key} {word} is not an IPv6 address/prefix"))
            continue
        ip = IpAddress(addr, prefix)
        if ip not in out:
            out.append(ip)
    return tuple(out)


def _ipv6_gateway(
    keys: Keys, device: str, glob: GlobalNetwork, addresses: tuple[IpAddress, ...], findings: list[Finding]
) -> Optional[str]:
    text = keys.get("IPV6_DEFAULTGW")
    key = "IPV6_DEFAULTGW"
    if not text and glob.ipv6_defaultgw:
        global_gw, _, dev = glob.ipv6_defaultgw.partition("%")
        dev = dev or (glob.ipv6_defaultdev or "")
        if dev and dev != device:
            return None
        if not dev and not any(in_subnet(global_gw, a.address, a.prefix) for a in addresses):
            return None
        return parse_ipv6(global_gw)
    if not text:
        return None
    gw_text, _, iface = text.partition("%")
    if iface and iface != device:
        return None
    gw = parse_ipv6(gw_text)
    if gw is None:
        findings.append(IFCFG_BAD_ADDRESS(keys.pos(key), f"{device}: {key}={text} is not an IPv6 address"))
    return gw


def _dns(
    keys: Keys, device: str, ipv4: IpConfig, findings: list[Finding]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """DNS1..DNS3, as initscripts wrote resolv.conf (only while PEERDNS is not no)."""
    servers: list[tuple[str, str]] = []
    for n in range(1, 100):
        key = f"DNS{n}"
        text = keys.get(key)
        if not text:
            break
        if n > 3:
            findings.append(IFCFG_DNS_BEYOND_3(keys.pos(key), f"{device}: {key}={text} was never used by initscripts"))
            continue
        servers.append((key, text))
    for key in keys.names():
        if key.startswith("DNS") and key[3:].isdigit():
            keys.get(key)
    search = tuple((keys.get("DOMAIN") or keys.get("SEARCH") or "").split())
    keys.get("SEARCH")
    if servers and ipv4.ignore_auto_dns:
        findings.append(IFCFG_PEERDNS_WITH_DNS(
            keys.pos("PEERDNS"),
            f"{device}: PEERDNS=no with {', '.join(k for k, _ in servers)}: initscripts did not write them; "
            "not converted",
        ))
        return (), (), ()
    v4: list[str] = []
    v6: list[str] = []
    for key, text in servers:
        addr_text = text.split("#", 1)[0]
        a4, a6 = parse_ipv4(addr_text), parse_ipv6(addr_text)
        if a4:
            v4.append(a4)
        elif a6:
            v6.append(a6)
        else:
            findings.append(IFCFG_BAD_ADDRESS(keys.pos(key), f"{device}: {key}={text} is not an address"))
    return tuple(v4), tuple(v6), search


def _with_dns(ip: IpConfig, servers: tuple[str, ...], search: tuple[str, ...]) -> IpConfig:
    if not servers and not search:
        return ip
    return replace(ip, dns=servers, dns_search=search)


def _bool_with_global(
    keys: Keys, key: str, global_text: Optional[str], default: bool, findings: list[Finding]
) -> bool:
    if keys.peek(key) is not None:
        return keys.boolean(key, default=default, findings=findings)
    keys.get(key)
    return _truthy(global_text) if global_text else default


def _truthy(text: str) -> bool:
    return text.strip().lower() in ("y", "yes", "t", "true", "on", "1")


def _consume(keys: Keys, names: tuple[str, ...]) -> None:
    for name in names:
        keys.get(name)
