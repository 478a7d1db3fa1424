"""Start-up cost guards: what importing the CLI, and the boot-time restore's no-op path, load.

The boot unit runs ``ifcfg2nm restore`` on every boot with a 300 ms budget for the
whole command, most of which is Python's start-up and imports (scripts/bench-upgrade
prints the figures). These tests only check which modules get imported, in a fresh
interpreter, so the budget does not silently erode: the CLI imports no command's heavy
modules, and restoring from clean persisted JSON needs neither a parser generator nor
GLib nor the ifcfg parsers, emitters or the upgrade runner.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = ROOT / "fixtures" / "hosts" / "mgmt-bridge-static"


def _modules(code: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"],
                          capture_output=True, text=True, timeout=60, check=True, cwd=ROOT,
                          env={**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/ifcfg2nm-bus"})
    return proc.stdout.split()


def _matching(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def test_cli_import_is_light() -> None:
    loaded = _modules("import ifcfg2nm.cli")
    assert _matching(loaded, ("lark", "regex", "dbus_next", "gi", "yaml", "ifcfg2nm.emit", "ifcfg2nm.model",
                              "ifcfg2nm.upgrade", "ifcfg2nm.audit", "ifcfg2nm.hosttree", "ifcfg2nm.parser.shell",
                              "ifcfg2nm.parser.persisted")) == []


def test_noop_restore_path_loads_only_what_it_needs() -> None:
    """What ``ifcfg2nm restore`` imports until it has compared (the marker check and the D-Bus
    connection aside): the target from the persisted JSON, the comparison and the D-Bus client."""
    loaded = _modules(
        "import ifcfg2nm.cli\n"
        "from ifcfg2nm.upgrade import kernel\n"
        "from ifcfg2nm.upgrade.nm_dbus import NMClient\n"
        "from ifcfg2nm.upgrade.restore import make_target, restore\n"
        f"assert make_target({str(HOST)!r}, ['lo', 'eth0']).profiles\n")
    assert "ifcfg2nm.upgrade.restore" in loaded and "dbus_next.aio" in loaded
    assert _matching(loaded, ("lark", "regex", "gi", "yaml", "ifcfg2nm.parser.shell", "ifcfg2nm.parser.route",
                              "ifcfg2nm.parser.rule", "ifcfg2nm.parser.persisted_lark", "ifcfg2nm.emit.keyfile",
                              "ifcfg2nm.emit.nmstate", "ifcfg2nm.hosttree", "ifcfg2nm.model.from_ifcfg",
                              "ifcfg2nm.upgrade.runner", "ifcfg2nm.upgrade.plan", "ifcfg2nm.upgrade.apply",
                              "ifcfg2nm.audit")) == []


def test_gi_still_imports_after_dbus_next() -> None:
    """dbus-next is imported with ``gi`` hidden (ifcfg2nm.dbusnext); ``gi`` itself stays importable."""
    proc = subprocess.run([sys.executable, "-c", "import ifcfg2nm.dbusnext, sys\nassert 'gi' not in sys.modules\n"
                           "try:\n    import gi\nexcept ImportError as e:\n    assert 'halted' not in str(e), e\n"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
