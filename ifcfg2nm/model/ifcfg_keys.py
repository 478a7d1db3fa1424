"""What every ifcfg key means for the migration, so that no key is ever dropped silently.

A key of an ifcfg file is either consumed by the model builder (converted, or
checked to equal a default), or it lands in one of these tables, each with
its own finding. Anything else is an unknown key and is reported as such.
"""

from __future__ import annotations

INITSCRIPTS_ONLY: dict[str, str] = {
    "ARPCHECK": "the duplicate-address check before bringing an address up",
    "ARPUPDATE": "the gratuitous ARP announcement after bringing an address up",
    "SCOPE": "the scope of the static addresses",
    "SRCADDR": "the preferred source address of the device's routes",
    "LINKDELAY": "the wait for link before configuring",
    "HOTPLUG": "whether hotplug events bring the device up",
    "PERSISTENT_DHCLIENT": "dhclient retrying forever when no lease arrives",
    "DHCLIENTARGS": "extra dhclient arguments (such as VDSM's DUID lease file)",
    "DHCLIENT_IGNORE_GATEWAY": "dhclient ignoring the router option",
    "PRIO": "the bridge priority set by ifup",
    "AGEING": "the bridge ageing time set by ifup",
    "IPV6_MTU": "the IPv6 MTU of the device",
    "IPV6TO4INIT": "6to4 tunnelling",
    "IPV6TO4_RELAY": "the 6to4 relay",
    "IPV6TO4_IPV4ADDR": "the 6to4 local address",
    "IPV6TO4_MTU": "the 6to4 tunnel MTU",
    "IPV6TO4_ROUTING": "6to4 routes",
    "IPV6_ROUTER": "IPv6 router mode for this device",
    "IPV6_FORCE_ACCEPT_RA": "accepting router advertisements while forwarding",
    "IPV6_SET_SYSCTLS": "ifup writing IPv6 sysctls",
    "IPV6_CONTROL_RADVD": "signalling radvd",
    "DHCPV6C_OPTIONS": "extra dhclient -6 arguments",
    "ETHTOOL_DELAY": "the wait after applying ETHTOOL_OPTS",
    "EXTRA_ROUTE_OPTS": "extra options appended to the device's routes",
    "WINDOW": "the TCP window of the default route",
    "ONPARENT": "bringing an alias up together with its parent",
    "NOZEROCONF": "the 169.254.0.0/16 link-local route (initscripts adds it unless NOZEROCONF is set)",
    "RESOLV_MODS": "rewriting resolv.conf despite PEERDNS=no",
    "NETWORKDELAY": "the wait after starting the network",
    "IPV6FORWARDING": "IPv6 forwarding, and with it the default of IPV6_AUTOCONF",
    "VLAN_NAME_TYPE": "the naming scheme of VLAN devices created by ifup",
    "BRIDGE_STP": "(unused alias of STP)",
    "DEFROUTE6": "(unused alias of IPV6_DEFROUTE)",
}
"""Keys initscripts honoured and NetworkManager ignores: their effect is lost unless reported."""

NO_EFFECT: dict[str, str] = {
    "USERCTL": "non-root users may bring the device up (NetworkManager uses polkit instead)",
    "NM_CONTROLLED": "whether NetworkManager may manage the device",
    "NOARP": "ARP off (NetworkManager has no equivalent)",
    "PEERNTP": "NTP servers from DHCP (handled by chronyd, not the profile)",
    "PEERYP": "NIS servers from DHCP",
    "DEVICETYPE": "initscripts' helper script selector",
    "STARTMODE": "SUSE's start mode, which cloud-init writes for every distribution and initscripts never read",
    "BONDING_SLAVE": "SUSE's list of bond ports (cloud-init writes it; initscripts took ports from their MASTER=)",
    "BONDING_SLAVE_": "SUSE's list of bond ports (cloud-init writes it; initscripts took ports from their MASTER=)",
}
"""Keys that configure nothing a profile can hold; reported once, at info level."""

NM_KNOWN_NOT_CONVERTED: dict[str, str] = {
    key: "understood by NetworkManager's ifcfg reader, not converted by ifcfg2nm"
    for key in (
        "ZONE", "SECONDARY_UUIDS", "LLDP", "CONNECTION_METERED", "STABLE_ID", "DEVTIMEOUT",
        "MATCH_INTERFACE_NAME", "MATCH_DRIVER", "MATCH_PATH", "MATCH_KERNEL_COMMAND_LINE",
        "SUBCHANNELS", "NETTYPE", "PORTNAME", "CTCPROT", "OPTIONS", "HWADDR_BLACKLIST",
        "GENERATE_MAC_ADDRESS_MASK", "ACCEPT_ALL_MAC_ADDRESSES", "TEAM_CONFIG",
        "TEAM_MASTER", "TEAM_MASTER_UUID", "TEAM_PORT_CONFIG", "BOND_PORT_QUEUE_ID",
        "BOND_PORT_PRIO", "BRIDGE_VLANS", "BRIDGE_PORT_VLANS", "ROUTING_RULE_",
        "DHCP_IAID", "DHCP_VENDOR_CLASS_IDENTIFIER", "DHCP_REJECT_SERVERS",
        "IPV4_DHCP_TIMEOUT", "ACD_TIMEOUT", "ARPING_WAIT", "IPV4_LINK_LOCAL",
        "IPV6_DHCP_TIMEOUT", "IPV6_RA_TIMEOUT", "DHCPV6_DUID", "DHCPV6_IAID",
        "DHCPV6_HOSTNAME", "DHCPV6_PD_HINT", "SRIOV_TOTAL_VFS", "SRIOV_AUTOPROBE_DRIVERS",
        "SRIOV_ESWITCH_MODE", "TC_COMMIT", "PROXY_METHOD", "BROWSER_ONLY", "PAC_URL",
        "PAC_SCRIPT", "HOSTNAME_MODE", "HOSTNAME_PRIORITY", "HOSTNAME_FROM_DHCP",
        "HOSTNAME_FROM_DNS_LOOKUP", "HOSTNAME_ONLY_FROM_DEFAULT", "MDNS", "LLMNR",
        "DNS_OVER_TLS", "MPTCP_FLAGS", "USERS", "AUTOCONNECT_PRIORITY",
        "AUTOCONNECT_RETRIES", "AUTOCONNECT_SLAVES", "IPV4_DNS_PRIORITY",
        "IPV6_DNS_PRIORITY", "IPV6_RES_OPTIONS", "RES_OPTIONS", "IPV6_DOMAIN",
        "ETHTOOL_WAKE_ON_LAN", "DCB", "WIFI_POWERSAVE", "ESSID", "MODE", "KEY_MGMT",
        "IEEE_8021X_EAP_METHODS", "CONNECTED_MODE", "PKEY", "PHYSDEV_PKEY",
    )
}
"""Keys NetworkManager knows that ifcfg2nm does not convert yet: reported as not converted unless at their default."""

NM_DEFAULT_VALUES: dict[str, frozenset[str]] = {
    "PROXY_METHOD": frozenset({"none"}),
    "BROWSER_ONLY": frozenset({"no", "false", "n", "f", "0"}),
    "AUTOCONNECT_PRIORITY": frozenset({"0"}),
    "AUTOCONNECT_RETRIES": frozenset({"-1"}),
}
"""Values of not-converted keys equal to the default of a profile that lacks them (the installer and
NetworkManager's ifcfg writer put PROXY_METHOD=none and BROWSER_ONLY=no in every file): nothing is lost."""

HANDLED = frozenset("""
NAME UUID DEVICE TYPE DEVICETYPE HWADDR MACADDR ONBOOT MTU BRIDGE BRIDGE_UUID MASTER
MASTER_UUID SLAVE BONDING_OPTS BONDING_MASTER STP DELAY BRIDGING_OPTS BRIDGE_MACADDR VLAN
VLAN_ID PHYSDEV VLAN_FLAGS GVRP MVRP REORDER_HDR VLAN_INGRESS_PRIORITY_MAP
VLAN_EGRESS_PRIORITY_MAP VLAN_PROTOCOL ETHTOOL_OPTS BOOTPROTO IPADDR PREFIX NETMASK GATEWAY
DEFROUTE METRIC IPV4_ROUTE_METRIC IPV4_ROUTE_TABLE PEERDNS PEERROUTES IPV4_FAILURE_FATAL
DHCP_HOSTNAME DHCP_FQDN DHCP_SEND_HOSTNAME DHCP_CLIENT_ID DNS DOMAIN SEARCH IPV6INIT IPV6_DISABLED
IPV6FORWARDING IPV6_AUTOCONF DHCPV6C IPV6ADDR IPV6ADDR_SECONDARIES IPV6_DEFAULTGW IPV6_DEFROUTE
IPV6_PEERDNS IPV6_PEERROUTES IPV6_FAILURE_FATAL IPV6_PRIVACY IPV6_PRIVACY_PREFER_PUBLIC_IP
IPV6_ADDR_GEN_MODE IPV6_TOKEN IPV6_ROUTE_METRIC IPV6_ROUTE_TABLE NM_CONTROLLED GATEWAYDEV
IPV6_DEFAULTDEV NETWORKING NETWORKING_IPV6 HOSTNAME
""".split())
"""Keys the model builder reads (by family): left unread, they had no effect in that file."""

NUMBERED_PREFIXES = (
    "IPADDR", "PREFIX", "NETMASK", "GATEWAY", "DNS", "ROUTING_RULE_", "ROUTING_RULE6_",
    "SRIOV_VF", "QDISC", "FILTER", "KEY", "KEY_PASSPHRASE", "NM_USER_", "BONDING_SLAVE_", "BONDING_SLAVE",
)
"""NetworkManager's numbered key families (``IPADDR2`` …), for telling them from unknown keys."""


def family_of(key: str) -> str:
    """The key with a trailing index removed (``IPADDR12`` → ``IPADDR``)."""
    for prefix in NUMBERED_PREFIXES:
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            return prefix
    if key.startswith("NM_USER_"):
        return "NM_USER_"
    return key
