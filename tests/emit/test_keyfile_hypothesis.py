"""Property test: every keyfile of every generated host model passes libnm unchanged.

For hosts from :func:`strategies.hosts` (consistent, but roaming over values
NetworkManager partly refuses), each keyfile is read by libnm with zero
warnings, passes ``verify()``, reads back exactly the settings we meant, is
byte for byte what NetworkManager's writer makes of it, and keeps the model's
identity, topology, addresses, routes and rules. What NetworkManager cannot
hold must be a finding.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keyfile_checks import libnm_checked, model_differences, requires_libnm

from ifcfg2nm.emit.keyfile import keyfiles
from ifcfg2nm.model.host import HostConfig

import strategies

EXPECTED_CODES = {
    "EMIT_BOND_OPTION_UNSUPPORTED",  # kernel options NetworkManager 1.42 lacks
    "EMIT_BOND_OPTION_REJECTED",  # combinations its verify() refuses
    "EMIT_NOT_EXPRESSIBLE",  # bridge timers/options outside NetworkManager's ranges
    "EMIT_DUPLICATE_PROFILE_ID",  # generated ids may collide
}


@requires_libnm
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.hosts())
def test_generated_hosts_pass_libnm_and_keep_the_model(host: HostConfig) -> None:
    emitted = libnm_checked(host)
    assert model_differences(emitted) == []
    assert emitted.codes() <= EXPECTED_CODES, [str(f) for f in emitted.findings]
    assert keyfiles(host) == keyfiles(host)
