"""Golden nmstate YAML for every fixture host (source ``auto``, as ``convert`` reads it).

Regenerate with ``IFCFG2NM_UPDATE_GOLDEN=1 python3 -m pytest tests/emit/test_nmstate_golden.py``
and review the diff: it is the change in what a migrated host would be given.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml

from ifcfg2nm.emit.nmstate import dump_state, nmstate_state
from ifcfg2nm.hosttree import load_host
from ifcfg2nm.model.build import build_host

from fixturehosts import FIXTURES, ROOT, fixture_hosts

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("IFCFG2NM_UPDATE_GOLDEN") == "1"
HOSTS = fixture_hosts()


def render(host: str, fmt: str = "yaml") -> str:
    model = build_host(load_host(str(FIXTURES / host)), "auto")
    return dump_state(nmstate_state(model)[0], fmt)


@pytest.mark.parametrize("host", HOSTS)
def test_nmstate_yaml_matches_golden(host: str) -> None:
    text = render(host)
    golden = GOLDEN / host / "nmstate.yaml"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file; run with IFCFG2NM_UPDATE_GOLDEN=1 to create {golden}"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("host", HOSTS)
def test_second_run_is_byte_identical(host: str) -> None:
    assert render(host) == render(host)
    assert render(host, "json") == render(host, "json")


@pytest.mark.parametrize("host", HOSTS)
def test_json_and_yaml_carry_the_same_state(host: str) -> None:
    assert json.loads(render(host, "json")) == yaml.safe_load(render(host))
