"""Reading input files safely: bounded size, no escaping the host tree, no surprises.

Every read returns either the bytes or a finding; nothing here raises for bad
input. A symlink may point anywhere inside the tree (VDSM's ``netconf`` is one);
a link that leaves the tree is refused, because ``--root`` trees are collected
from other hosts and their absolute links would read *this* machine's files.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Optional, Union

from ifcfg2nm.findings import Finding, Position, Severity, define

MAX_FILE_SIZE = 10 * 1024 * 1024
"""NetworkManager's own cap on ifcfg files; we apply it to every input."""

INPUT_UNREADABLE = define(
    "INPUT_UNREADABLE", Severity.ERROR, "the file cannot be read",
    "Check permissions and the file system; the file was not interpreted.",
    unreadable_input=True,
)
INPUT_TOO_LARGE = define(
    "INPUT_TOO_LARGE", Severity.ERROR, "the file is larger than 10 MiB",
    "No network configuration file is this large; inspect it by hand.",
    unreadable_input=True,
)
INPUT_BINARY = define(
    "INPUT_BINARY", Severity.ERROR, "the file contains NUL bytes (binary data)",
    "Remove or restore the file; binary content is never interpreted.",
    unreadable_input=True,
)
INPUT_SYMLINK_ESCAPES = define(
    "INPUT_SYMLINK_ESCAPES", Severity.ERROR, "a symbolic link points outside the host tree",
    "Replace the link by the file it should point to inside the tree.",
    unreadable_input=True,
)
INPUT_SYMLINK_LOOP = define(
    "INPUT_SYMLINK_LOOP", Severity.ERROR, "symbolic links form a loop",
    "Remove the looping link.",
    unreadable_input=True,
)
INPUT_NOT_REGULAR = define(
    "INPUT_NOT_REGULAR", Severity.ERROR, "the path is not a regular file",
    "Only regular files are read; remove the directory, device or socket.",
    unreadable_input=True,
)


def inside(root: str, path: str) -> bool:
    """Whether ``path`` (already resolved) lies within ``root`` (already resolved)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve_in_tree(root: str, path: str) -> Union[str, Finding]:
    """The real path of ``path``, provided every link on the way stays within ``root``."""
    real_root = os.path.realpath(root)
    try:
        real = os.path.realpath(path, strict=True) if _has_strict() else _realpath_strict(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return INPUT_SYMLINK_LOOP(Position(path), f"{path}: symbolic link loop")
        if err.errno == errno.ENOENT and os.path.islink(path):
            return INPUT_UNREADABLE(Position(path), f"{path}: dangling symbolic link")
        return INPUT_UNREADABLE(Position(path), f"{path}: {err.strerror or err}")
    if not inside(real_root, real):
        return INPUT_SYMLINK_ESCAPES(
            Position(path), f"{path} resolves to {real}, outside the host tree {root}"
        )
    return real


def read_file(path: str, root: Optional[str] = None) -> Union[bytes, Finding]:
    """The content of ``path``, or a finding saying why it cannot be used.

    With ``root``, links leaving the tree are refused. Without, ``path`` was
    named by the user and may be anything they can read.
    """
    real = path
    if root is not None:
        resolved = resolve_in_tree(root, path)
        if isinstance(resolved, Finding):
            return resolved
        real = resolved
    try:
        fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        if err.errno == errno.ELOOP:
            return INPUT_SYMLINK_LOOP(Position(path), f"{path}: symbolic link loop")
        return INPUT_UNREADABLE(Position(path), f"{path}: {err.strerror or err}")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            return INPUT_NOT_REGULAR(Position(path), f"{path} is {what}")
        if st.st_size > MAX_FILE_SIZE:
            return INPUT_TOO_LARGE(
                Position(path), f"{path} is {st.st_size} bytes, over the {MAX_FILE_SIZE}-byte limit"
            )
        chunks = []
        remaining = MAX_FILE_SIZE + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
    except OSError as err:
        return INPUT_UNREADABLE(Position(path), f"{path}: {err.strerror or err}")
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_SIZE:
        return INPUT_TOO_LARGE(Position(path), f"{path} grew over the {MAX_FILE_SIZE}-byte limit")
    nul = data.find(b"\0")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return INPUT_BINARY(Position(path, line), f"{path} contains a NUL byte (binary data)")
    return data


def _has_strict() -> bool:
    import sys

    return sys.version_info >= (3, 10)


def _realpath_strict(path: str) -> str:
    """``os.path.realpath(path, strict=True)`` for Python 3.9."""
    os.stat(path)  # raises ELOOP / ENOENT like strict realpath
    return os.path.realpath(path)
