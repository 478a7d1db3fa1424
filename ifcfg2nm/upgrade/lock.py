"""One upgrade (or rollback) at a time per host tree: an fcntl lock under ``var/lib/ifcfg2nm/``.

``flock`` locks die with the process, so a crashed run never leaves the host
locked; the pid written into the file only serves the "who holds it" message.
"""

from __future__ import annotations

import fcntl
import os
import stat
from types import TracebackType
from typing import Optional


class LockBusy(Exception):
    """Another run holds the lock."""

    def __init__(self, path: str, holder: str) -> None:
        who = f"pid {holder}" if holder else "another process"
        super().__init__(f"another ifcfg2nm upgrade or rollback is running ({who}; lock {path})")
        self.holder = holder


class LockUnusable(LockBusy):
    """The lock file cannot be opened or is not a regular file: no run can be sure it is alone."""

    def __init__(self, path: str, why: str) -> None:
        Exception.__init__(self, f"cannot take the lock {path}: {why}")
        self.holder = ""


class RunLock:
    """``with RunLock(path):`` holds an exclusive, non-blocking lock or raises :class:`LockBusy`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: Optional[int] = None

    def __enter__(self) -> RunLock:
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as err:  # a directory, a link, a read-only file system
            raise LockUnusable(self.path, err.strerror or str(err)) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise LockUnusable(self.path, "not a regular file")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            raise LockBusy(self.path, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, kind: Optional[type[BaseException]], value: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the flock
            self._fd = None
