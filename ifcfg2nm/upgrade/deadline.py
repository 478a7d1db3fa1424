"""The run's time budget: ``--timeout`` bounds everything, so a ``%posttrans`` never hangs.

Every D-Bus call and subprocess gets ``bound()`` as its own timeout; should
anything still block, :meth:`Deadline.alarm` interrupts it with SIGALRM when
the budget is spent, and the runner rolls back under a fresh, fixed budget.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Optional

ROLLBACK_BUDGET = 60.0
"""Seconds a rollback (or the completion of a commit) may take after a run failed, its --timeout
expired or its process died: the runner's own, the guardian's, the boot unit's."""


class DeadlineExceeded(Exception):
    """The run's ``--timeout`` expired."""


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def bound(self, limit: float) -> float:
        """A per-call timeout: ``limit``, but never past the deadline (and never zero)."""
        return max(0.05, min(limit, self.remaining()))

    def whole_seconds(self) -> int:
        return max(1, math.ceil(self.remaining()))

    def check(self, what: str) -> None:
        if self.remaining() <= 0:
            raise DeadlineExceeded(f"--timeout of {self.seconds:g} s expired before {what}")

    @contextlib.contextmanager
    def alarm(self) -> Iterator[None]:
        """Raise :class:`DeadlineExceeded` in the main thread when the budget runs out."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def expired(signum: int, frame: Optional[FrameType]) -> None:
            raise DeadlineExceeded(f"--timeout of {self.seconds:g} s expired")

        old = signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, max(0.01, self.remaining()))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
