"""What every subcommand shares: exit codes from findings, option types."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from ifcfg2nm import exitcodes
from ifcfg2nm.findings import Finding, Severity, lookup


def exit_code(findings: Iterable[Finding], *, unreadable_is_usage: bool = True) -> int:
    """0 clean, 1 a blocking finding, 2 unreadable input (design.md exit codes)."""
    findings = list(findings)
    if unreadable_is_usage and any(unreadable(f) for f in findings):
        return exitcodes.USAGE
    if any(f.severity is Severity.ERROR for f in findings):
        return exitcodes.BLOCKED
    return exitcodes.OK


def unreadable(f: Finding) -> bool:
    """Whether the finding says an input could not be read at all."""
    try:
        return lookup(f.code).unreadable_input
    except KeyError:
        return False


def seconds(text: str) -> float:
    """An option's number of seconds: more than 0, at most a day (``--timeout``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 86400 seconds")
    return value
