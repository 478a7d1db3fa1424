"""The YAML dump uses libyaml when present; its bytes must equal PyYAML's pure-Python dumper."""

from __future__ import annotations

import pytest
import yaml

from ifcfg2nm.emit.nmstate import dump_state, nmstate_state
from ifcfg2nm.hosttree import load_host
from ifcfg2nm.model.build import build_host

from fixturehosts import FIXTURES, fixture_hosts


@pytest.mark.skipif(not hasattr(yaml, "CSafeDumper"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("host", fixture_hosts())
def test_libyaml_dump_equals_the_pure_python_dump(host: str) -> None:
    state, _ = nmstate_state(build_host(load_host(str(FIXTURES / host)), "auto"))
    pure = yaml.dump(state, Dumper=yaml.SafeDumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=4096)
    assert dump_state(state, "yaml") == pure


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("host", fixture_hosts())
def test_output_read_back_and_dumped_again_is_the_same_bytes(host: str, fmt: str) -> None:
    state, _ = nmstate_state(build_host(load_host(str(FIXTURES / host)), "auto"))
    text = dump_state(state, fmt)
    assert dump_state(yaml.safe_load(text), fmt) == text
