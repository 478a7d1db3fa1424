"""Exit codes of the command line (the contract in ../shared/design.md and the README)."""

OK = 0
"""Success; nothing blocks migration."""
BLOCKED = 1
"""At least one blocking finding, or an upgrade that failed and was rolled back."""
USAGE = 2
"""Usage error or unreadable input."""
INTERNAL = 70
"""Unexpected internal error (EX_SOFTWARE)."""
OUTPUT_FAILED = 74
"""The output could not be written (EX_IOERR): stdout on a full disk or an I/O error; ``convert --output``
when the directory cannot be written. Nothing is left half-written in ``--output``."""
BROKEN_PIPE = 141
"""The reader of stdout went away (``| head``): the command stopped quietly, as SIGPIPE would have (128 + 13).
Only commands that change nothing; upgrade, rollback and restore go on and exit with their outcome."""
