"""NMClient and the D-Bus settings converter against a real NetworkManager 1.42.

Everything runs in the module's sandbox (tests/upgrade/conftest.py): profiles
go in through AddConnection2/Update2 and NetworkManager writes them to the
sandbox's keyfile dir itself; what the kernel does is read back with
ifcfg2nm.upgrade.kernel. This kernel has bridge and veth but no bonding or
8021q modules, so bonds and VLANs are checked at the profile level only.
"""

from __future__ import annotations

import json
import stat
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional

import pytest
from dbus_next.signature import Variant

from ifcfg2nm.emit.dbus_settings import PROPERTIES, from_dbus, setting_name, to_dbus
from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.nm_dbus import (
    ERROR_ACTIVATION,
    ERROR_CONNECT,
    ERROR_TIMEOUT,
    ActiveState,
    CheckpointFlags,
    NMClient,
    NMError,
    RollbackResult,
)

from nmsandbox import NM_KEYFILE_DIR, Sandbox

pytestmark = pytest.mark.nm

U = "6f1c2b1e-0000-4000-8000-"
VDSM_TABLE = 329647082  # a VDSM source-routing table id (hash of the network)


def bridge_profile(
    name: str, uuid: str, address: str = "198.51.100.1", prefix: int = 24, **ipv4: Any
) -> dict[str, dict[str, Any]]:
    return {
        "connection": {
            "id": name,
            "uuid": uuid,
            "type": "bridge",
            "interface-name": name,
            "autoconnect": False,
        },
        "bridge": {"stp": False, "forward-delay": 0},
        "ipv4": {
            "method": "manual",
            "address-data": [{"address": address, "prefix": prefix}],
            **ipv4,
        },
        "ipv6": {"method": "disabled"},
    }


def port_profile(iface: str, master: str, uuid: str, mtu: Optional[int] = None) -> dict[str, dict[str, Any]]:
    profile: dict[str, dict[str, Any]] = {
        "connection": {
            "id": f"{master}-port-{iface}",
            "uuid": uuid,
            "type": "ethernet",
            "interface-name": iface,
            "master": master,
            "slave-type": "bridge",
            "autoconnect": False,
        },
        "bridge-port": {},
    }
    if mtu is not None:
        profile["ethernet"] = {"mtu": mtu}
    return profile


@dataclass
class Bridge:
    name: str
    port: str
    uuid: str
    port_uuid: str
    seconds: float  # AddConnection2 x2 + activation


def bring_up_bridge(sandbox: Sandbox, nm: NMClient, name: str, uuid_tag: str, **ipv4: Any) -> Bridge:
    """veth pair + bridge/port profiles through AddConnection2, activated port first."""
    port = f"{name}v"
    sandbox.add_veth(port)
    uuid, port_uuid = f"{U}{uuid_tag}00000001", f"{U}{uuid_tag}00000002"
    t0 = time.monotonic()
    nm.add_connection(to_dbus(bridge_profile(name, uuid, **ipv4)))
    nm.add_connection(to_dbus(port_profile(port, name, port_uuid)))
    nm.ensure_active([port_uuid, uuid], timeout=20)
    return Bridge(name, port, uuid, port_uuid, time.monotonic() - t0)


def wait_until(check: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def ipv4_of(sandbox: Sandbox, iface: str) -> list[str]:
    state = kernel.parse_addresses(sandbox.ip("-j", "addr", "show", "dev", iface))
    return [a.cidr for a in state if a.family == 4]


# -- daemon basics -----------------------------------------------------------------


def test_daemon_is_up(nm: NMClient) -> None:
    assert nm.running()
    assert nm.startup_complete()
    assert nm.version().split(".")[0] == "1"
    nm.wait_startup_complete(timeout=5)
    assert [c.interface_name for c in nm.list_connections()] == ["lo"]


# -- profiles and activation -------------------------------------------------------


def test_bridge_with_port_saved_by_nm_and_active_in_kernel(nm_sandbox: Sandbox, nm: NMClient) -> None:
    br = bring_up_bridge(
        nm_sandbox,
        nm,
        "br0",
        "0000",
        gateway="198.51.100.254",
        **{
            "route-metric": 425,
        },
    )

    # NetworkManager wrote both profiles itself, into its keyfile dir, mode 0600
    by_uuid = {c.uuid: c for c in nm.list_connections()}
    for uuid, cid in ((br.uuid, "br0"), (br.port_uuid, "br0-port-br0v")):
        info = by_uuid[uuid]
        assert info.filename == f"{NM_KEYFILE_DIR}/{cid}.nmconnection"
        assert not info.unsaved
        host_file = nm_sandbox.keyfile_dir / f"{cid}.nmconnection"
        assert stat.S_IMODE(host_file.stat().st_mode) == 0o600
    text = (nm_sandbox.keyfile_dir / "br0.nmconnection").read_text()
    assert "address1=198.51.100.1/24,198.51.100.254" in text
    assert by_uuid[br.port_uuid].type == "802-3-ethernet"

    # and the kernel agrees
    state = nm_sandbox.kernel()
    link = state.link("br0")
    assert link is not None and link.kind == "bridge" and link.up
    assert [a.cidr for a in state.addresses_of("br0", 4)] == ["198.51.100.1/24"]
    assert state.ports_of("br0") == ["br0v"]
    defaults = [r for r in state.routes_in(254, 4) if r.is_default]
    assert [(r.gateway, r.dev, r.metric) for r in defaults] == [("198.51.100.254", "br0", 425)]

    assert nm.active_uuids()[br.uuid] == ActiveState.ACTIVATED
    devices = {d.iface: d for d in nm.list_devices()}
    assert devices["br0"].state == 100 and devices["br0v"].state == 100
    assert devices["br0"].type == "bridge" and devices["br0v"].type == "veth"


def test_routes_in_custom_table_and_routing_rules_reach_the_kernel(nm_sandbox: Sandbox, nm: NMClient) -> None:
    bring_up_bridge(
        nm_sandbox,
        nm,
        "br1",
        "0100",
        address="192.0.2.10",
        **{
            "route-data": [
                {"dest": "0.0.0.0", "prefix": 0, "next-hop": "192.0.2.1", "table": VDSM_TABLE},
                {"dest": "192.0.2.0", "prefix": 24, "table": VDSM_TABLE},
            ],
            "routing-rules": [
                {
                    "family": 2,
                    "priority": 3200,
                    "from": "192.0.2.0",
                    "from-len": 24,
                    "table": VDSM_TABLE,
                },
                {
                    "family": 2,
                    "priority": 3200,
                    "to": "192.0.2.0",
                    "to-len": 24,
                    "table": VDSM_TABLE,
                },
                {"family": 2, "priority": 3201, "iifname": "br1", "table": VDSM_TABLE},
            ],
        },
    )
    state = nm_sandbox.kernel()
    table = {(r.dst, r.gateway, r.dev) for r in state.routes_in(VDSM_TABLE, 4)}
    assert ("0.0.0.0/0", "192.0.2.1", "br1") in table
    assert ("192.0.2.0/24", "", "br1") in table
    rules = {(r.priority, r.src, r.dst, r.iif, r.table) for r in state.rules if r.family == 4}
    assert (3200, "192.0.2.0/24", "", "", VDSM_TABLE) in rules
    assert (3200, "", "192.0.2.0/24", "", VDSM_TABLE) in rules
    assert (3201, "", "", "br1", VDSM_TABLE) in rules


def test_update2_rewrites_profile_on_disk_or_only_in_memory(nm_sandbox: Sandbox, nm: NMClient) -> None:
    uuid = f"{U}020000000001"
    nm.add_connection(to_dbus(bridge_profile("br2", uuid)))
    path = nm_sandbox.keyfile_dir / "br2.nmconnection"

    changed = bridge_profile("br2", uuid, address="203.0.113.5", dns=["192.0.2.53"])
    changed["ethernet"] = {"mtu": 9000}
    nm.update_connection(uuid, to_dbus(changed))
    plain = from_dbus(nm.get_settings(uuid))
    assert plain["ipv4"]["address-data"] == [{"address": "203.0.113.5", "prefix": 24}]
    assert plain["ipv4"]["dns"] == ["192.0.2.53"]
    assert plain["802-3-ethernet"]["mtu"] == 9000
    text = path.read_text()
    assert "address1=203.0.113.5/24" in text and "dns=192.0.2.53;" in text

    in_memory = bridge_profile("br2", uuid, address="203.0.113.6")
    nm.update_connection(uuid, to_dbus(in_memory), save_to_disk=False)
    info = nm.get_connection(uuid)
    assert info is not None and info.unsaved
    assert "address1=203.0.113.5/24" in path.read_text()  # disk unchanged


def test_delete_removes_profile_and_file(nm_sandbox: Sandbox, nm: NMClient) -> None:
    uuid = f"{U}030000000001"
    path = nm.add_connection(to_dbus(bridge_profile("br3", uuid)))
    assert (nm_sandbox.keyfile_dir / "br3.nmconnection").exists()
    nm.delete_connection(uuid)
    assert nm.get_connection(uuid) is None
    assert nm.get_connection(path) is None
    assert not (nm_sandbox.keyfile_dir / "br3.nmconnection").exists()


def test_in_memory_add_writes_no_file(nm_sandbox: Sandbox, nm: NMClient) -> None:
    uuid = f"{U}030000000002"
    nm.add_connection(to_dbus(bridge_profile("br3m", uuid)), save_to_disk=False)
    info = nm.get_connection(uuid)
    assert info is not None and info.unsaved
    assert not (nm_sandbox.keyfile_dir / "br3m.nmconnection").exists()


def test_bond_and_vlan_profiles_are_accepted_and_stored(nm_sandbox: Sandbox, nm: NMClient) -> None:
    """No bonding/8021q modules here: NetworkManager stores them, nothing is activated."""
    bond = {
        "connection": {
            "id": "bond0",
            "uuid": f"{U}040000000001",
            "type": "bond",
            "interface-name": "bond0",
            "autoconnect": False,
        },
        "bond": {"options": {"mode": "802.3ad", "miimon": "100", "xmit_hash_policy": "layer3+4"}},
        "ipv4": {"method": "disabled"},
        "ipv6": {"method": "disabled"},
    }
    bond_port = {
        "connection": {
            "id": "bond0-port-eth9",
            "uuid": f"{U}040000000002",
            "type": "ethernet",
            "interface-name": "eth9",
            "master": "bond0",
            "slave-type": "bond",
            "autoconnect": False,
        },
    }
    vlan = {
        "connection": {
            "id": "bond0.162",
            "uuid": f"{U}040000000003",
            "type": "vlan",
            "interface-name": "bond0.162",
            "autoconnect": False,
        },
        "vlan": {"id": 162, "parent": "bond0", "flags": 1},
        "ipv4": {
            "method": "manual",
            "address-data": [{"address": "10.16.2.5", "prefix": 24}],
            "never-default": True,
        },
        "ipv6": {"method": "disabled"},
    }
    for profile in (bond, bond_port, vlan):
        nm.add_connection(to_dbus(profile))
        back = from_dbus(nm.get_settings(profile["connection"]["uuid"]))
        for setting, props in profile.items():
            for prop, value in props.items():
                expected = setting_name(value) if prop == "type" else value
                assert back[setting_name(setting)][prop] == expected, (setting, prop)
    assert "mode=802.3ad" in (nm_sandbox.keyfile_dir / "bond0.nmconnection").read_text()
    vlan_text = (nm_sandbox.keyfile_dir / "bond0.162.nmconnection").read_text()
    assert "id=162" in vlan_text and "parent=bond0" in vlan_text
    assert nm_sandbox.kernel().link("bond0") is None


# -- checkpoints -------------------------------------------------------------------


def test_checkpoint_rollback_restores_kernel_and_profile(nm_sandbox: Sandbox, nm: NMClient) -> None:
    br = bring_up_bridge(nm_sandbox, nm, "br4", "0500")
    cp = nm.checkpoint_create([br.name, br.port], rollback_timeout=60)

    nm.update_connection(br.uuid, to_dbus(bridge_profile("br4", br.uuid, address="203.0.113.1")))
    nm.reapply("br4")
    wait_until(lambda: ipv4_of(nm_sandbox, "br4") == ["203.0.113.1/24"], what="new address")
    assert "address1=203.0.113.1/24" in (nm_sandbox.keyfile_dir / "br4.nmconnection").read_text()

    t0 = time.monotonic()
    results = nm.checkpoint_rollback(cp)
    wait_until(lambda: ipv4_of(nm_sandbox, "br4") == ["198.51.100.1/24"], what="old address")
    print(f"rollback took {time.monotonic() - t0:.3f}s")
    assert {r.iface: r.result for r in results} == {
        "br4": RollbackResult.OK,
        "br4v": RollbackResult.OK,
    }
    assert "address1=198.51.100.1/24" in (nm_sandbox.keyfile_dir / "br4.nmconnection").read_text()
    assert nm.list_checkpoints() == []  # a rollback consumes the checkpoint


def test_checkpoint_rollback_removes_profiles_and_devices_added_after_it(nm_sandbox: Sandbox, nm: NMClient) -> None:
    """What a failed upgrade relies on: everything it added goes away again."""
    cp = nm.checkpoint_create(
        rollback_timeout=60,
        flags=CheckpointFlags.DESTROY_ALL
        | CheckpointFlags.DELETE_NEW_CONNECTIONS
        | CheckpointFlags.DISCONNECT_NEW_DEVICES,
    )
    br = bring_up_bridge(nm_sandbox, nm, "br5", "0600")
    assert nm_sandbox.kernel().link("br5") is not None

    nm.checkpoint_rollback(cp)
    assert nm.get_connection(br.uuid) is None
    assert nm.get_connection(br.port_uuid) is None
    assert not (nm_sandbox.keyfile_dir / "br5.nmconnection").exists()
    wait_until(lambda: nm_sandbox.kernel().link("br5") is None, what="br5 removed")


def test_stale_checkpoints_are_listed_and_destroyed(nm: NMClient) -> None:
    stale = nm.checkpoint_create(rollback_timeout=0, flags=CheckpointFlags.NONE)
    (info,) = nm.list_checkpoints()
    assert info.path == stale and info.rollback_timeout == 0 and info.devices

    # a second one over the same devices is refused while the stale one exists ...
    with pytest.raises(NMError) as err:
        nm.checkpoint_create(rollback_timeout=30, flags=CheckpointFlags.NONE)
    assert err.value.name == "org.freedesktop.NetworkManager.InvalidArguments"
    assert "already included in checkpoint" in err.value.message

    # ... until it is destroyed
    assert nm.destroy_checkpoints() == [stale]
    assert nm.list_checkpoints() == []
    assert nm.destroy_checkpoints([stale]) == []  # already gone: skipped
    fresh = nm.checkpoint_create(rollback_timeout=30, flags=CheckpointFlags.NONE)
    nm.checkpoint_adjust_rollback_timeout(fresh, 120)
    assert [c.rollback_timeout for c in nm.list_checkpoints()] == [120]
    # DESTROY_ALL replaces it in one step
    replacement = nm.checkpoint_create(rollback_timeout=30)
    assert [c.path for c in nm.list_checkpoints()] == [replacement]
    nm.checkpoint_destroy(replacement)
    assert nm.list_checkpoints() == []


def test_checkpoint_rolls_back_by_itself_when_its_timeout_expires(nm_sandbox: Sandbox, nm: NMClient) -> None:
    """The safety net when the upgrade dies: no one destroys the checkpoint."""
    br = bring_up_bridge(nm_sandbox, nm, "br6", "0700")
    cp = nm.checkpoint_create([br.name, br.port], rollback_timeout=0)
    nm.update_connection(br.uuid, to_dbus(bridge_profile("br6", br.uuid, address="203.0.113.6")))
    nm.reapply("br6")
    wait_until(lambda: ipv4_of(nm_sandbox, "br6") == ["203.0.113.6/24"], what="new address")
    nm.checkpoint_adjust_rollback_timeout(cp, 1)
    wait_until(lambda: ipv4_of(nm_sandbox, "br6") == ["198.51.100.1/24"], timeout=10, what="auto rollback")
    assert nm.list_checkpoints() == []


# -- devices -----------------------------------------------------------------------


def test_device_managed_disconnect_and_delete(nm_sandbox: Sandbox, nm: NMClient) -> None:
    br = bring_up_bridge(nm_sandbox, nm, "br7", "0800")
    nm_sandbox.add_veth("spare7")

    nm.set_managed("spare7", False)
    dev = nm.get_device("spare7")
    assert dev is not None and not dev.managed and dev.state == 10  # unmanaged
    nm.set_managed("spare7", True)
    wait_until(lambda: (nm.get_device("spare7") or dev).managed, what="managed again")

    assert nm.deactivate(br.port_uuid)
    assert br.port_uuid not in nm.active_uuids()
    assert not nm.deactivate(br.port_uuid)  # not active any more

    # deactivating a software device makes NetworkManager remove it from the kernel
    nm.disconnect("br7")
    wait_until(lambda: br.uuid not in nm.active_uuids(), what="br7 down")
    wait_until(lambda: nm_sandbox.kernel().link("br7") is None, what="br7 removed")

    # Delete works on a realized software device (here: while active)
    nm.ensure_active([br.port_uuid, br.uuid])
    assert nm_sandbox.kernel().ports_of("br7") == ["br7v"]
    nm.delete_device("br7")
    wait_until(lambda: nm_sandbox.kernel().link("br7") is None, what="br7 deleted")
    nm.delete_device("br7v")  # veths count as software devices, wherever they came from
    wait_until(lambda: nm_sandbox.kernel().link("br7vp") is None, what="veth pair deleted")


# -- errors ------------------------------------------------------------------------


def test_dbus_errors_become_nmerror(nm: NMClient) -> None:
    bad = to_dbus(bridge_profile("br8", f"{U}090000000001"))
    bad["bridge"]["no-such-property"] = Variant("u", 1)
    with pytest.raises(NMError) as err:
        nm.add_connection(bad)
    assert err.value.name == "org.freedesktop.NetworkManager.Settings.Connection.InvalidProperty"
    assert "bridge.no-such-property" in err.value.message
    assert err.value.name in str(err.value)

    with pytest.raises(NMError) as err:
        nm.delete_connection(f"{U}09000000dead")
    assert err.value.name.startswith("org.freedesktop.NetworkManager.")
    assert nm.get_connection(f"{U}09000000dead") is None

    with pytest.raises(NMError) as err:
        nm.set_managed("nosuch0", True)
    assert err.value.name == "ifcfg2nm.Error.NotFound"

    with pytest.raises(NMError) as err:
        nm.wait_activated([f"{U}09000000dead"], timeout=0.2)
    assert err.value.name == ERROR_TIMEOUT


def test_failed_activation_is_reported_with_reason(nm_sandbox: Sandbox, nm: NMClient) -> None:
    """DHCP with nobody answering and a 1 s timeout: activation starts, then fails."""
    nm_sandbox.add_veth("dhcp9")
    uuid = f"{U}090000000002"
    nm.add_connection(
        to_dbus(
            {
                "connection": {
                    "id": "dhcp9",
                    "uuid": uuid,
                    "type": "ethernet",
                    "interface-name": "dhcp9",
                    "autoconnect": False,
                },
                "ipv4": {"method": "auto", "dhcp-timeout": 1, "may-fail": False},
                "ipv6": {"method": "disabled"},
            }
        )
    )
    with pytest.raises(NMError) as err:
        nm.activate(uuid, timeout=20)
    assert err.value.name == ERROR_ACTIVATION
    assert uuid in err.value.message


def test_unreachable_bus_is_a_connect_error(nm_sandbox: Sandbox) -> None:
    with pytest.raises(NMError) as err:
        NMClient(bus_address=f"unix:path={nm_sandbox.dir}/no-such-socket", timeout=2)
    assert err.value.name == ERROR_CONNECT


def test_closed_client_raises_typed_error(nm_sandbox: Sandbox) -> None:
    client = nm_sandbox.client()
    client.close()
    client.close()  # idempotent
    with pytest.raises(NMError):
        client.version()


# -- the way the upgrade runs: a subprocess inside the namespace -------------------

SCRIPTLET = """
import json
from ifcfg2nm.upgrade import kernel
from ifcfg2nm.upgrade.nm_dbus import NMClient
with NMClient() as nm:  # DBUS_SYSTEM_BUS_ADDRESS from the environment
    print(json.dumps({
        "version": nm.version(),
        "profiles": sorted(c.id for c in nm.list_connections()),
        "links": sorted(link.name for link in kernel.read_links()),
    }))
"""


def test_scriptlet_style_subprocess_sees_the_sandbox(nm_sandbox: Sandbox, nm: NMClient) -> None:
    bring_up_bridge(nm_sandbox, nm, "br9", "0a00")
    proc = nm_sandbox.run([sys.executable, "-c", SCRIPTLET])
    out = json.loads(proc.stdout)
    assert out["version"] == nm.version()
    assert out["profiles"] == ["br9", "br9-port-br9v", "lo"]
    assert out["links"] == ["br9", "br9v", "br9vp", "lo"]  # the netns, not the host


# -- the signature table, checked by NetworkManager itself -------------------------

IP4_ALL: dict[str, Any] = {
    "method": "manual",
    "address-data": [{"address": "192.0.2.10", "prefix": 24}],
    "gateway": "192.0.2.1",
    "dns": ["192.0.2.53", "198.51.100.53"],
    "dns-search": ["example.com"],
    "dns-options": ["rotate"],
    "dns-priority": 50,
    "may-fail": False,
    "route-metric": 425,
    "route-table": 254,
    "route-data": [
        {
            "dest": "203.0.113.0",
            "prefix": 24,
            "next-hop": "192.0.2.2",
            "metric": 7,
            "table": VDSM_TABLE,
            "src": "192.0.2.10",
            "tos": 16,
            "scope": 0,
            "type": "unicast",
            "onlink": True,
            "mtu": 1400,
            "window": 10,
            "cwnd": 10,
            "initcwnd": 10,
            "initrwnd": 10,
            "advmss": 1300,
            "rto_min": 50,
            "quickack": True,
            "weight": 0,
            "lock-mtu": True,
            "lock-window": True,
            "lock-cwnd": True,
            "lock-initcwnd": True,
            "lock-initrwnd": True,
            "lock-advmss": True,
        },
    ],
    "routing-rules": [
        {"family": 2, "priority": 3200, "from": "192.0.2.0", "from-len": 24, "table": VDSM_TABLE},
        {
            "family": 2,
            "priority": 3201,
            "to": "192.0.2.0",
            "to-len": 24,
            "table": VDSM_TABLE,
            "invert": True,
            "tos": 16,
            "ipproto": 6,
            "iifname": "eth0",
            "oifname": "eth1",
            "fwmark": 5,
            "fwmask": 255,
            "sport-start": 10,
            "sport-end": 20,
            "dport-start": 30,
            "dport-end": 40,
            "suppress-prefixlength": 0,
            "uid-range-start": 1000,
            "uid-range-end": 2000,
        },
        {"family": 2, "priority": 3202, "action": 7},
    ],
    "ignore-auto-dns": True,
    "ignore-auto-routes": True,
    "dhcp-fqdn": "h1.example.com",
    "dhcp-timeout": 30,
    "dhcp-iaid": "mac",
    "dhcp-hostname-flags": 1,
    "required-timeout": 100,
    "dhcp-client-id": "mac",
    "dhcp-vendor-class-identifier": "vendor",
    "dad-timeout": 200,
}
IP6_ALL: dict[str, Any] = {
    "method": "manual",
    "address-data": [{"address": "2001:db8::10", "prefix": 64}],
    "dns": ["2001:db8::53"],
    "dns-search": ["example.org"],
    "dns-options": ["rotate"],
    "dns-priority": 60,
    "never-default": True,
    "may-fail": False,
    "route-metric": 426,
    "route-table": 254,
    "route-data": [
        {
            "dest": "2001:db8:1::",
            "prefix": 48,
            "next-hop": "2001:db8::2",
            "metric": 9,
            "table": VDSM_TABLE,
            "from": "2001:db8::/64",
            "src": "2001:db8::10",
        },
    ],
    "routing-rules": [
        {"family": 10, "priority": 3200, "from": "2001:db8::", "from-len": 64, "table": VDSM_TABLE},
    ],
    "ignore-auto-dns": True,
    "ignore-auto-routes": True,
    "dhcp-hostname": "h1",
    "dhcp-send-hostname": False,
    "dhcp-timeout": 30,
    "dhcp-iaid": "mac",
    "required-timeout": 100,
    "addr-gen-mode": "eui64",
    "ip6-privacy": "disabled",
    "token": "::1",
    "dhcp-duid": "llt",
    "ra-timeout": 30,
    "mtu": 1400,
}


def _con(name: str, ctype: str, tag: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"all-{name}",
        "uuid": f"{U}ff00000000{tag}",
        "type": ctype,
        "interface-name": name,
        "autoconnect": False,
        **extra,
    }


# Non-default values only: GetSettings leaves defaults out.
EVERY_PROPERTY: list[dict[str, dict[str, Any]]] = [
    {
        "connection": _con(
            "abr0",
            "bridge",
            "01",
            **{
                "autoconnect-priority": 5,
                "autoconnect-retries": 3,
                "autoconnect-slaves": 1,
                "zone": "trusted",
                "lldp": 1,
                "multi-connect": 1,
                "wait-device-timeout": 5000,
                "stable-id": "sid",
                "permissions": ["user:root:"],
                "secondaries": [f"{U}ff00000000ff"],
                "auth-retries": 2,
                "mdns": 1,
                "llmnr": 1,
                "metered": 2,
                "gateway-ping-timeout": 10,
            },
        ),
        "bridge": {
            "stp": False,
            "priority": 100,
            "forward-delay": 4,
            "hello-time": 3,
            "max-age": 10,
            "ageing-time": 100,
            "group-forward-mask": 8,
            "multicast-snooping": False,
            "multicast-router": "enabled",
            "multicast-querier": True,
            "multicast-hash-max": 1024,
            "vlan-filtering": True,
            "vlan-default-pvid": 2,
            "vlan-protocol": "802.1ad",
            "vlan-stats-enabled": True,
            "multicast-last-member-count": 3,
            "multicast-last-member-interval": 200,
            "multicast-membership-interval": 26100,
            "multicast-querier-interval": 25600,
            "multicast-query-interval": 12000,
            "multicast-query-response-interval": 900,
            "multicast-query-use-ifaddr": True,
            "multicast-startup-query-count": 3,
            "multicast-startup-query-interval": 3000,
            "group-address": "01:80:C2:00:00:0A",
            "mac-address": "52:54:00:00:00:01",
        },
        "ipv4": IP4_ALL,
        "ipv6": IP6_ALL,
    },
    {  # the properties that exclude ones above (gateway vs never-default, fqdn vs hostname)
        "connection": _con("abr1", "bridge", "0a"),
        "ipv4": {
            "method": "manual",
            "address-data": [{"address": "192.0.2.20", "prefix": 24}],
            "never-default": True,
            "dhcp-hostname": "h2",
            "dhcp-send-hostname": False,
        },
        "ipv6": {
            "method": "manual",
            "address-data": [{"address": "2001:db8::20", "prefix": 64}],
            "gateway": "2001:db8::1",
            "dhcp-hostname": "h2.example.com",
            "dhcp-hostname-flags": 1,
        },
    },
    {
        "connection": _con("aveth0", "ethernet", "02", master="abr0", **{"slave-type": "bridge"}),
        "ethernet": {
            "mtu": 1400,
            "mac-address": "52:54:00:00:00:02",
            "cloned-mac-address": "52:54:00:00:00:03",
            "generate-mac-address-mask": "FE:FF:FF:00:00:00",
            "mac-address-blacklist": ["52:54:00:00:00:09"],
            "auto-negotiate": True,
            "speed": 1000,
            "duplex": "full",
            "wake-on-lan": 2,
            "accept-all-mac-addresses": 1,
        },
        "bridge-port": {"priority": 10, "path-cost": 50, "hairpin-mode": True},
        "ethtool": {"feature-tso": False, "ring-rx": 512, "coalesce-rx-usecs": 10, "pause-autoneg": False},
    },
    {
        "connection": _con("abond0", "bond", "03"),
        "bond": {"options": {"mode": "active-backup", "miimon": "100", "primary": "aveth1"}},
        "ipv4": {"method": "disabled"},
        "ipv6": {"method": "disabled"},
    },
    {
        "connection": _con("aveth1", "ethernet", "04", master="abond0", **{"slave-type": "bond"}),
        "ethernet": {"cloned-mac-address": "preserve"},
        "bond-port": {"queue-id": 3},
    },
    {
        "connection": _con("abond0.100", "vlan", "05"),
        "vlan": {
            "id": 100,
            "parent": "abond0",
            "flags": 3,
            "ingress-priority-map": ["1:2"],
            "egress-priority-map": ["3:4"],
            "protocol": "802.1ad",
        },
        "ipv4": {"method": "disabled"},
        "ipv6": {"method": "ignore"},
    },
    {
        "connection": _con("aib1.8001", "infiniband", "0c"),
        "infiniband": {"mtu": 2044, "transport-mode": "datagram", "p-key": 32769, "parent": "aib1",
                       "mac-address": "80:00:02:08:FE:80:00:00:00:00:00:00:00:02:C9:03:00:31:78:F2"},
        "ipv4": {"method": "disabled"},
        "ipv6": {"method": "disabled"},
    },
    {
        "connection": _con("adummy0", "dummy", "06"),
        "dummy": {},
        "ipv4": {"method": "disabled"},
        "ipv6": {"method": "disabled"},
    },
    {
        "connection": _con("aovsbr0", "ovs-bridge", "07"),
        "ovs-bridge": {
            "rstp-enable": True,
            "mcast-snooping-enable": True,
            "fail-mode": "secure",
            "datapath-type": "netdev",
        },
    },
    {
        "connection": _con("aovsbr1", "ovs-bridge", "0b"),
        "ovs-bridge": {"stp-enable": True},
    },
    {
        "connection": _con("aovsport0", "ovs-port", "08", master="aovsbr0", **{"slave-type": "ovs-bridge"}),
        "ovs-port": {
            "vlan-mode": "access",
            "tag": 10,
            "lacp": "off",
            "bond-mode": "active-backup",
            "bond-updelay": 5,
            "bond-downdelay": 6,
        },
    },
    {
        "connection": _con("aovsif0", "ovs-interface", "09", master="aovsport0", **{"slave-type": "ovs-port"}),
        "ovs-interface": {"type": "internal"},
        "ovs-external-ids": {"data": {"ifcfg2nm": "test"}},
        "ipv4": {"method": "disabled"},
        "ipv6": {"method": "disabled"},
    },
]


def _covered() -> set[tuple[str, str]]:
    seen = set()
    for profile in EVERY_PROPERTY:
        for setting, props in to_dbus(profile).items():
            seen.update((setting, prop) for prop in props)
    return seen


def test_sample_covers_the_whole_signature_table() -> None:
    table = {(s, p) for s, props in PROPERTIES.items() for p in props}
    # (the cloned-mac-address keyword "preserve" covers assigned-mac-address)
    assert table - _covered() == set()


@pytest.mark.parametrize("profile", EVERY_PROPERTY, ids=[p["connection"]["type"] for p in EVERY_PROPERTY])
def test_every_signature_round_trips_through_networkmanager(
    nm: NMClient, profile: Mapping[str, Mapping[str, Any]]
) -> None:
    """NetworkManager accepts wrongly typed plain properties silently, so the
    check is the read-back: same signature, same value, for every property."""
    sent = to_dbus(profile)
    uuid = profile["connection"]["uuid"]
    nm.add_connection(sent, save_to_disk=False)
    back = nm.get_settings(uuid)
    for setting, props in sent.items():
        for prop, variant in props.items():
            got = back.get(setting, {}).get(prop)
            assert got is not None, f"{setting}.{prop} not stored"
            assert got.signature == variant.signature, f"{setting}.{prop}"
            assert from_dbus({setting: {prop: got}}) == from_dbus({setting: {prop: variant}}), f"{setting}.{prop}"
