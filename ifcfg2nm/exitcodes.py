"""Exit codes of the command line (the contract in ../shared/design.md and the README)."""

OK = 0
"""Success; nothing blocks migration."""
BLOCKED = 1
"""At least one blocking finding, or an upgrade that failed and was rolled back."""
USAGE = 2
"""Usage error or unreadable input."""
INTERNAL = 70
"""Unexpected internal error (EX_SOFTWARE)."""
