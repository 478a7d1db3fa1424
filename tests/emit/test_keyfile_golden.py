"""Golden keyfiles for every fixture host (source ``auto``, as ``convert --to keyfile`` reads it).

Each fixture's keyfiles live in ``tests/golden/<host>/keyfile/``. Regenerate with
``IFCFG2NM_UPDATE_GOLDEN=1 python3 -m pytest tests/emit/test_keyfile_golden.py`` and
review the diff: it is the change in the profiles a migrated host would get.
Every keyfile of every fixture, from every source, also goes through libnm.
"""

from __future__ import annotations

import os
import zlib

import pytest
from keyfile_checks import libnm_checked, requires_libnm

from ifcfg2nm.emit.keyfile import keyfiles
from ifcfg2nm.hosttree import load_host
from ifcfg2nm.model.build import build_host

from fixturehosts import FIXTURES, ROOT, fixture_hosts

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("IFCFG2NM_UPDATE_GOLDEN") == "1"
HOSTS = fixture_hosts()


def render(host: str, source: str = "auto") -> dict[str, str]:
    return keyfiles(build_host(load_host(str(FIXTURES / host)), source))[0]


@pytest.mark.parametrize("host", HOSTS)
def test_keyfiles_match_golden(host: str) -> None:
    files = render(host)
    directory = GOLDEN / host / "keyfile"
    if UPDATE:
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.nmconnection"):
            if stale.name not in files:
                stale.unlink()
        for name, text in files.items():
            (directory / name).write_text(text, encoding="utf-8")
    golden = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.nmconnection")}
    assert golden or not files, (
        f"no golden keyfiles; run with IFCFG2NM_UPDATE_GOLDEN=1 to create {directory}")
    assert sorted(files) == sorted(golden)
    for name, text in files.items():
        assert text == golden[name], name


@pytest.mark.parametrize("host", HOSTS)
def test_second_run_is_byte_identical(host: str) -> None:
    assert render(host) == render(host)


@requires_libnm
@pytest.mark.parametrize("source", ["auto", "ifcfg", "persisted"])
@pytest.mark.parametrize("host", HOSTS)
def test_every_fixture_keyfile_passes_libnm(host: str, source: str) -> None:
    libnm_checked(build_host(load_host(str(FIXTURES / host)), source))


@requires_libnm
@pytest.mark.parametrize("source", ["persisted", "ifcfg"])
def test_vdsm_source_routing_reads_back_with_tables_and_priorities(source: str) -> None:
    """VDSM source routing (spec/vdsm-formats.md §5.7): table adler32(next hop), rules at 3200."""
    emitted = libnm_checked(build_host(load_host(str(FIXTURES / "source-routing")), source))
    for device, subnet, gateway in (("ovirtmgmt", "192.0.2.0/24", "192.0.2.1"),
                                    ("gluster", "10.0.30.0/24", "10.0.30.1")):
        table = zlib.adler32(device.encode())
        s_ip = emitted.connection(device).get_setting_ip4_config()
        rules = [s_ip.get_routing_rule(n) for n in range(s_ip.get_num_routing_rules())]
        assert [r.to_string(0, None) for r in rules] == [
            f"priority 3200 from {subnet} table {table}",
            f"priority 3200 to {subnet} table {table}",
        ]
        assert [(r.get_priority(), r.get_table()) for r in rules] == [(3200, table)] * 2
        routes = [s_ip.get_route(n) for n in range(s_ip.get_num_routes())]
        assert [(f"{r.get_dest()}/{r.get_prefix()}", r.get_next_hop(),
                 r.get_attribute("table").unpack()) for r in routes] == [
            ("0.0.0.0/0", gateway, table), (subnet, None, table)]
