"""Reading input files safely: bounded size, no escaping the host tree, no surprises.

Every read returns either the bytes or a finding; nothing here raises for bad
input. A symlink may point anywhere inside the tree (VDSM's ``netconf`` is one), and
absolute link targets mean paths inside the tree, as on the host it came from;
a link that climbs out of the tree is refused, because ``--root`` trees are
collected from other hosts and must never make us read *this* machine's files.
"""

from __future__ import annotations

import errno
import functools
import os
import re
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


MAX_LINKS = 40
"""As the kernel's ELOOP limit: more links than this on one path is a loop."""


def inside(root: str, path: str) -> bool:
    """Whether ``path`` (already resolved) lies within ``root`` (already resolved)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve_host_path(root: str, rel: str, real_root: Optional[str] = None) -> Union[str, Finding, None]:
    """The real path of host path ``rel`` under ``root``, following links chroot-style.

    A collected host tree holds the host's own links: an absolute target
    (VDSM's ``netconf`` link, ``var/run -> /run``) means the same path inside the
    tree, never on this machine. None when the path (or a link target) does
    not exist; a finding when a link climbs above the root or loops.
    ``real_root`` is ``os.path.realpath(root)`` when the caller has it already.
    """
    real_root = real_root or real_root_of(root)
    shown = os.path.join(root, rel)
    current = real_root
    pending = [c for c in rel.split("/") if c]
    pending.reverse()
    links = 0
    while pending:
        part = pending.pop()
        if part == ".":
            continue
        if part == "..":
            if current == real_root:
                return INPUT_SYMLINK_ESCAPES(Position(shown), f"{shown}: a link climbs above the host tree {root}")
            current = os.path.dirname(current)
            continue
        candidate = current + part if current.endswith("/") else current + "/" + part  # os.path.join, cheaper
        try:
            mode = os.lstat(candidate).st_mode  # one lstat for islink() and lexists()
        except (OSError, ValueError):
            return None
        if stat.S_ISLNK(mode):
            links += 1
            if links > MAX_LINKS:
                return INPUT_SYMLINK_LOOP(Position(shown), f"{shown}: symbolic link loop")
            try:
                target = os.readlink(candidate)
            except OSError as err:
                return INPUT_UNREADABLE(Position(shown), f"{candidate}: {err.strerror or err}")
            if target.startswith("/"):
                current = real_root
            pending.extend(reversed([c for c in target.split("/") if c]))
            continue
        current = candidate
    return current


@functools.lru_cache(maxsize=256)
def real_root_of(root: str) -> str:
    """``os.path.realpath(root)``, once per root: every file of a tree needs it (a fleet audit's hot path).

    A root is not expected to move while it is being read or upgraded.
    """
    return os.path.realpath(root)


def scan_sorted(path: str) -> list[tuple[str, bool, bool]]:
    """``(name, is a link, is a directory (not through a link))`` of each entry of a directory, by name.

    The kinds come with the listing (``os.scandir``), so no entry needs a ``stat`` of its own;
    raises ``OSError`` as ``os.listdir`` does.
    """
    with os.scandir(path) as entries:
        out = [(e.name, e.is_symlink(), e.is_dir(follow_symlinks=False)) for e in entries]
    out.sort()
    return out


def tree_relative(root: str, path: str) -> str:
    """``path`` relative to ``root``: a cut when ``path`` is a plain path below ``root``, else ``os.path``'s."""
    prefix = root.rstrip(os.sep) + os.sep
    if path.startswith(prefix) and not _UNPLAIN.search(path, len(prefix) - 1):
        return path[len(prefix):]
    return os.path.relpath(os.path.abspath(path), os.path.abspath(root))


_UNPLAIN = re.compile(r"//|/\.\.?(/|$)")


def resolve_in_tree(root: str, path: str) -> Union[str, Finding]:
    """The real path of ``path`` (a path under ``root``), its links followed inside the tree."""
    real_root = real_root_of(root)
    absolute = os.path.abspath(path)
    rel = tree_relative(root, path)
    if rel.startswith(".."):
        rel = os.path.relpath(absolute, real_root)
        if rel.startswith(".."):
            return INPUT_SYMLINK_ESCAPES(Position(path), f"{path} is outside the host tree {root}")
    resolved = resolve_host_path(root, rel, real_root)
    if resolved is None:
        what = "dangling symbolic link" if os.path.islink(path) else "No such file or directory"
        return INPUT_UNREADABLE(Position(path), f"{path}: {what}")
    return resolved


def read_file(
    path: str, root: Optional[str] = None, *, resolved: bool = False, real: Optional[str] = None
) -> Union[bytes, Finding]:
    """The content of ``path``, or a finding saying why it cannot be used.

    With ``root``, links leaving the tree are refused. Without, ``path`` was
    named by the user and may be anything they can read. ``resolved``: the
    caller already has ``path`` from :func:`resolve_host_path` under ``root``;
    ``real``: the caller resolved ``path`` to ``real`` (findings still name
    ``path``). Neither is walked again; a link that appears now is not followed.
    """
    if real is None:
        real = path
    elif root is not None:
        resolved = True
    if root is not None and not resolved:
        found = resolve_in_tree(root, path)
        if isinstance(found, Finding):
            return found
        real = found
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if root is not None:
        flags |= getattr(os, "O_NOFOLLOW", 0)  # resolved above: a link appearing now is not followed
    try:
        fd = os.open(real, flags)
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
        first = os.read(fd, st.st_size + 1)
        chunks = [first]
        remaining = MAX_FILE_SIZE + 1 - len(first)
        # a regular file read short of what was asked is at its end: one read is the common case
        while len(first) > st.st_size and remaining > 0:
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
