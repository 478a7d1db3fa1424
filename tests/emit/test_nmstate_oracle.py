"""nmstate itself judges the emitted states: its JSON schema accepts them, its
NetworkManager plugin generates keyfiles from them, and those keyfiles agree with
ifcfg2nm's own keyfiles on every setting both express, except the differences listed
(with reasons) in nmstate_keyfile_differences.py."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

TESTS = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(TESTS / "oracles"), str(TESTS)]

import nmstate_models as models  # noqa: E402
import nmstate_oracle as oracle  # noqa: E402
from nmstate_keyfile_differences import DIFFERENCES  # noqa: E402
from strategies_nmstate import hosts  # noqa: E402

from ifcfg2nm.emit.nmstate import nmstate_state  # noqa: E402
from ifcfg2nm.model.host import HostConfig  # noqa: E402

pytestmark = [
    pytest.mark.oracle,
    pytest.mark.skipif(oracle.SKIP_REASON is not None, reason=str(oracle.SKIP_REASON)),
    pytest.mark.skipif(oracle.NM_SKIP_REASON is not None, reason=str(oracle.NM_SKIP_REASON)),
]

FIXTURES = TESTS.parent / "fixtures" / "hosts"


def _fixture_builders() -> dict[str, Callable[[], HostConfig]]:
    try:
        from ifcfg2nm.hosttree import load_host
        from ifcfg2nm.model.build import build_host
    except ImportError:
        return {}
    out: dict[str, Callable[[], HostConfig]] = {}
    for host in sorted(os.listdir(FIXTURES)):
        for source in ("persisted", "ifcfg"):
            out[f"{host}:{source}"] = functools.partial(
                lambda h, s: build_host(load_host(str(FIXTURES / h)), s), host, source)
    return out


CORPUS: dict[str, Callable[[], HostConfig]] = {
    **{f"model:{name}": build for name, build in models.ALL.items()},
    **_fixture_builders(),
}


def _keyfiles_available() -> bool:
    try:
        from ifcfg2nm.emit.keyfile import keyfiles  # noqa: F401
    except ImportError:
        return False
    return True


needs_keyfiles = pytest.mark.skipif(not _keyfiles_available(),
                                    reason="ifcfg2nm.emit.keyfile is not there yet")


@functools.cache
def corpus_differences(name: str) -> dict[tuple[str, str], list[str]]:
    import nmstate_compare

    return nmstate_compare.differences(CORPUS[name]())


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_state_passes_nmstate_schema(name: str) -> None:
    oracle.schema_validate(nmstate_state(CORPUS[name]())[0])


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_nmstate_generates_keyfiles_from_the_state(name: str) -> None:
    state = nmstate_state(CORPUS[name]())[0]
    files = oracle.generate_keyfiles(state)
    kernel = [i for i in state["interfaces"] if i.get("type") != "ovs-bridge"]
    assert len(files) >= len(kernel)


@needs_keyfiles
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_nmstate_keyfiles_agree_with_ours(name: str) -> None:
    unknown = {key: examples for key, examples in corpus_differences(name).items()
               if key not in DIFFERENCES}
    assert not unknown, "differences not in nmstate_keyfile_differences.py: " + "\n".join(
        f"{key}: {examples[:3]}" for key, examples in sorted(unknown.items()))


@needs_keyfiles
def test_every_listed_difference_still_occurs() -> None:
    if len(CORPUS) == len(models.ALL):
        pytest.skip("the fixture loaders are not there yet")
    seen = {key for name in CORPUS for key in corpus_differences(name)}
    stale = sorted(set(DIFFERENCES) - seen)
    assert not stale, f"entries of nmstate_keyfile_differences.py that no longer occur: {stale}"


SLOW = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SLOW
@given(hosts())
def test_random_models_give_states_nmstate_accepts(host: HostConfig) -> None:
    state, findings = nmstate_state(host)
    oracle.schema_validate(state)
    oracle.generate_keyfiles(state)
    assert all(f.code.startswith("NMSTATE_") for f in findings)
    assert nmstate_state(host) == (state, findings)


@needs_keyfiles
@SLOW
@given(hosts())
def test_random_models_differ_from_our_keyfiles_only_as_listed(host: HostConfig) -> None:
    import nmstate_compare

    unknown = {key: examples for key, examples in nmstate_compare.differences(host).items()
               if key not in DIFFERENCES}
    assert not unknown, unknown
