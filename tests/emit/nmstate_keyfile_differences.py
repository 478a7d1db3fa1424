"""Every known difference between the keyfiles nmstate 1.2.1 generates from our state and
ifcfg2nm's own keyfiles, with the reason it is acceptable (or whose bug it is).

Maintained by tests/emit/test_nmstate_oracle.py: a difference not listed here fails
the test, and so does an entry that no longer occurs over the fixed corpus (hand-built
models and every fixture host). Keys are ``(setting, property)`` as libnm names them
(see nmstate_compare.py for ``*``, ``.table``/``.profile`` and ``profile`` keys).
"""

from __future__ import annotations

DIFFERENCES: dict[tuple[str, str], str] = {
    # -- identity ----------------------------------------------------------------------
    ("connection", "uuid"):
        "nmstate 1.2 gives every new profile a random uuid4; ifcfg2nm keeps the ifcfg "
        "UUID or derives a stable uuid5.",
    ("connection", "id"):
        "nmstate names profiles after the interface (OVS: '-br'/'-if'/'-port' suffixes); "
        "ifcfg2nm keeps the ifcfg NAME (e.g. 'System eth0') or the interface name.",
    ("connection", "interface-name"):
        "an ovs-port: nmstate names it after its interface, ifcfg2nm 'ovs-port-<interface>' "
        "(profiles are matched by the interfaces attached to them).",
    ("connection", "autoconnect-slaves"):
        "nmstate pins autoconnect-slaves=yes on every controller; ifcfg2nm leaves NM's "
        "default (ports autoconnect by their own profiles anyway).",
    ("connection", "autoconnect"):
        "nmstate 1.2 has no autoconnect=no (ONBOOT=no): the state brings the interface up "
        "(NMSTATE_AUTOCONNECT).",
    ("connection", "zone"):
        "nmstate 1.2 has no firewalld zone; reported as NMSTATE_UNSUPPORTED.",
    ("connection", "master"):
        "a port whose controller is not in the model (broken fixture): nmstate lists ports "
        "on the controller, so the port becomes a standalone profile (NMSTATE_CONFLICT).",
    ("connection", "slave-type"):
        "the same standalone port as connection.master (NMSTATE_CONFLICT).",
    ("ipv4", "*"):
        "the same standalone port: nmstate gives it IP settings, ours is a port without them.",
    ("ipv6", "*"):
        "the same standalone port: nmstate gives it IP settings, ours is a port without them.",
    ("proxy", "*"):
        "the same standalone port: nmstate writes an empty [proxy] on non-port profiles.",
    # -- Ethernet, bridge, VLAN, ethtool -------------------------------------------------
    ("802-3-ethernet", "mac-address"):
        "binding a profile to a permanent MAC (HWADDR) has no nmstate 1.2 field: nmstate's "
        "mac-address is the cloned MAC (NMSTATE_UNSUPPORTED).",
    ("802-3-ethernet", "wake-on-lan"):
        "nmstate 1.2 has no wake-on-lan (NMSTATE_UNSUPPORTED).",
    ("bridge", "multicast-router"):
        "in nmstate 1.2's schema, but its NetworkManager plugin never writes it "
        "(NMSTATE_UNSUPPORTED).",
    ("vlan", "flags"):
        "nmstate 1.2 cannot set VLAN flags and leaves NM's default (reorder-headers, 1); the "
        "model has none or others (NMSTATE_UNSUPPORTED). VDSM-lowered VLANs get flags=0 from "
        "the model, unlike VDSM's nmstate (reported to the lowering).",
    ("ethtool", "feature-tso"):
        "nmstate 1.2 writes kernel feature tx-tcp-segmentation as NM's feature-tso alias; the "
        "model asked for feature-tx-tcp-segmentation (same kernel feature; NMSTATE_PINNED).",
    ("ethtool", "feature-tx-tcp-segmentation"):
        "the other side of ethtool.feature-tso: ours writes the name the model used.",
    ("ethtool", "feature-sg"):
        "as ethtool.feature-tso, for kernel tx-scatter-gather and NM's feature-sg alias.",
    ("ethtool", "feature-tx-scatter-gather"):
        "the other side of ethtool.feature-sg: ours writes the name the model used.",
    ("ethtool", "pause-rx"):
        "nmstate 1.2 applies pause rx/tx only with pause-autoneg off; without pause-autoneg "
        "(or with it on) they are left out (NMSTATE_UNSUPPORTED).",
    ("ethtool", "pause-tx"):
        "as ethtool.pause-rx.",
    ("ethtool", "*"):
        "a profile whose only ethtool settings are pause rx/tx nmstate cannot write has no "
        "[ethtool] at all on nmstate's side.",
    ("bridge", "forward-delay"):
        "nmstate 1.2 writes STP timers only with STP on; with STP off they are left out "
        "(NMSTATE_UNSUPPORTED).",
    ("ovs-external-ids", "*"):
        "nmstate writes an empty [ovs-external-ids] on every OVS profile and OVS system port.",
    ("ovs-external-ids", "data"):
        "ovn-bridge-mappings is global in nmstate (ovs-db.external_ids, applied by its OVS DB "
        "plugin, not in any keyfile), as VDSM sets it; ifcfg2nm's keyfiles carry it on the "
        "OVS bridge profile.",
    # -- IP --------------------------------------------------------------------------------
    ("ipv4", "dhcp-client-id"):
        "nmstate pins dhcp-client-id=mac on every profile; ifcfg2nm leaves NM's default "
        "unless the host set one.",
    ("ipv4", "dhcp-timeout"):
        "nmstate pins dhcp-timeout=2147483647 so NM never gives up on DHCP.",
    ("ipv6", "dhcp-timeout"):
        "nmstate pins dhcp-timeout=2147483647 so NM never gives up on DHCPv6.",
    ("ipv6", "ra-timeout"):
        "nmstate pins ra-timeout=2147483647 so NM never gives up waiting for RAs.",
    ("ipv6", "addr-gen-mode"):
        "nmstate pins addr-gen-mode=eui64; ifcfg2nm writes the host's (default-or-eui64 "
        "for VDSM and initscripts hosts, or what IPV6_ADDR_GEN_MODE said).",
    ("ipv6", "dhcp-duid"):
        "nmstate pins dhcp-duid=ll (DUID from the MAC).",
    ("ipv6", "dhcp-iaid"):
        "nmstate pins dhcp-iaid=mac.",
    ("ipv4", "dhcp-hostname"):
        "nmstate 1.2 has no DHCP hostname (NMSTATE_UNSUPPORTED).",
    ("ipv4", "method"):
        "IPv4 methods nmstate 1.2 lacks (link-local, shared) are disabled "
        "(NMSTATE_IP_METHOD); and ovs-bridge profiles, which carry no IP: nmstate writes "
        "method=disabled, ifcfg2nm writes no [ipv4] (libnm normalizes to auto, which an OVS "
        "bridge ignores).",
    ("ipv6", "method"):
        "IPv6 method ignore becomes disabled in nmstate 1.2 (NMSTATE_IP_METHOD); ovs-bridge "
        "profiles as for ipv4.method.",
    ("ipv4", "never-default"):
        "never-default on a static profile without gateway has no effect and no nmstate "
        "field (NMSTATE_PINNED).",
    ("ipv4", "ignore-auto-dns"):
        "ignore-auto-dns (PEERDNS=no) on a static profile has no effect and no nmstate field.",
    ("ipv4", "route-metric"):
        "nmstate 1.2 has no profile route metric: it is written on each static route instead "
        "(NMSTATE_UNSUPPORTED).",
    ("ipv4", "gateway"):
        "nmstate writes the main-table default gateway as route 0.0.0.0/0 table=254 in "
        "route-data, ifcfg2nm as ipv4.gateway: the same route (compared folded).",
    ("ipv6", "gateway"):
        "as ipv4.gateway, for ::/0.",
    ("ipv4", "route-data.table"):
        "nmstate writes table=254 on every main-table route; ifcfg2nm leaves the table out on "
        "a profile whose route-table is main: the same table (compared folded).",
    ("ipv6", "route-data.table"):
        "as ipv4 route-data.table.",
    ("ipv4", "route-data"):
        "static routes nmstate 1.2 refuses (next hop on a DHCP or IP-less interface, route "
        "types) are left out of the state (NMSTATE_ROUTE).",
    ("ipv6", "route-data"):
        "as ipv4.route-data, for IPv6 routes (e.g. on an interface whose IPv6 is ignored).",
    ("ipv4", "routing-rules"):
        "rules nmstate 1.2 cannot store (no route or auto table in their table, selectors "
        "beyond from/to, non-table actions) are left out of the state (NMSTATE_RULE).",
    ("ipv4", "dns-data"):
        "DNS servers nmstate 1.2 cannot store (no interface with a static gateway of that "
        "family, nor DHCP with auto-dns off) are left out of the state (NMSTATE_DNS).",
    ("ipv6", "dns-data"):
        "as ipv4.dns-data, for IPv6 name servers.",
    ("ipv4+ipv6", "dns-search"):
        "search domains without a storable name server are left out of the state: nmstate 1.2 "
        "stores them only next to one (NMSTATE_DNS).",
    ("ipv4+ipv6", "dns-search.profile"):
        "nmstate keeps the global search list next to its first name server; ifcfg2nm where "
        "the host had it. The resolver's search list is the same.",
    ("ipv4", "routing-rules.profile"):
        "nmstate stores a rule on the first interface with a route in the rule's table; "
        "ifcfg2nm on the profile the host had it on (rule-<dev>). Rules are global in the "
        "kernel; only when they are installed differs.",
    ("ipv4", "dns-priority"):
        "nmstate orders its global DNS list with dns-priority 40 + position.",
    ("ipv6", "dns-priority"):
        "as ipv4.dns-priority.",
    ("ipv4", "dns-data.profile"):
        "nmstate stores global DNS on the last interface (in route order) with any 0.0.0.0/0 "
        "route, VDSM's source-routing tables included; ifcfg2nm on the default-route "
        "network's profile (or where the host had them). The resolver list is the same.",
    ("ipv6", "dns-data.profile"):
        "as ipv4 dns-data.profile, for IPv6 name servers (on an interface with an IPv6 "
        "gateway).",
}
