"""Failure injection for the upgrade's tests. TEST-ONLY: never set these on a real host.

The crash and rollback guarantees can only be shown by making the real
command fail at chosen points, so the runner asks this module (and only this
module reads the variables):

* ``IFCFG2NM_TEST_KILL_AT=<step>``: SIGKILL the process right after the
  journal recorded ``<step>`` (before the step runs), as a power cut would.
* ``IFCFG2NM_TEST_STOP_AT=<step>``: SIGSTOP it there instead, so that a test
  can kill it the way something else would (its whole process group).
* ``IFCFG2NM_TEST_FAIL=<point>``: ``verify`` (verification reports a
  mismatch), ``reject-profile`` (the last profile handed to NetworkManager
  gets an invalid interface name, so NetworkManager refuses it), ``probe``
  (the connectivity probe fails), ``timeout`` (the run hangs at verification
  until ``--timeout`` expires).
* ``IFCFG2NM_TEST_GUARDIAN_DELAY=<seconds>``: the guardian (:mod:`.guardian`) waits that
  long after its runner died before it looks at the lock, so a test can kill it too (a
  crash that takes both, then a reboot) or start another run first.

Unset, every function here is a no-op. The guardian does not inherit the first three.
"""

from __future__ import annotations

import os
import signal
import time

KILL_AT = "IFCFG2NM_TEST_KILL_AT"
STOP_AT = "IFCFG2NM_TEST_STOP_AT"
FAIL = "IFCFG2NM_TEST_FAIL"
FAIL_POINTS = ("verify", "reject-profile", "probe", "timeout")
GUARDIAN_DELAY = "IFCFG2NM_TEST_GUARDIAN_DELAY"


def after_journal(step: str) -> None:
    """Called right after ``step`` is journaled: die there when asked to."""
    if os.environ.get(KILL_AT) == step:
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(60)  # pragma: no cover - SIGKILL is not deliverable late
    if os.environ.get(STOP_AT) == step:
        os.kill(os.getpid(), signal.SIGSTOP)


def failing(point: str) -> bool:
    """Whether the test asked ``point`` to fail."""
    return os.environ.get(FAIL) == point


def hang_if(point: str) -> None:
    """Block (until the run's deadline interrupts it) when the test asked ``point`` to hang."""
    if failing(point):
        while True:
            time.sleep(3600)


def guardian_delay() -> None:
    """Called by the guardian once its runner died, before it takes the lock."""
    text = os.environ.get(GUARDIAN_DELAY)
    if text:
        time.sleep(float(text))
