"""Reading an ifcfg file's keys while remembering which ones were used.

The builder asks for keys through :class:`Keys`; whatever it never asked for
is, by construction, a key the conversion did not use and must be reported.
"""

from __future__ import annotations

from typing import Optional

from ifcfg2nm.findings import Finding, Position, Severity, define
from ifcfg2nm.model.values import parse_bool
from ifcfg2nm.parser.documents import ShellFile

IFCFG_BAD_BOOLEAN = define(
    "IFCFG_BAD_BOOLEAN", Severity.WARNING, "a boolean that is neither yes nor no",
    "Write yes or no; the default was used.",
)
IFCFG_BOOL_ON_OFF = define(
    "IFCFG_BOOL_ON_OFF", Severity.WARNING,
    "on/off boolean: initscripts reads it, NetworkManager's ifcfg reader falls back to the default",
    "Nothing to do for the migration (initscripts' meaning is kept); write yes/no in files you keep.",
)


class Keys:
    """The last-wins values of one ifcfg file, with consumption tracking."""

    def __init__(self, doc: ShellFile) -> None:
        self.doc = doc
        self._values: dict[str, str] = doc.values()
        self._used: set[str] = set()

    def get(self, key: str) -> Optional[str]:
        """The value, marking the key as used."""
        self._used.add(key)
        return self._values.get(key)

    def peek(self, key: str) -> Optional[str]:
        """The value, without marking the key as used."""
        return self._values.get(key)

    def names(self) -> list[str]:
        """Every key of the file, in first-assignment order."""
        return list(self._values)

    def pos(self, key: Optional[str] = None) -> Position:
        """Where ``key`` was last assigned; else the DEVICE line, else line 1 of the file."""
        for name in (key, "DEVICE"):
            a = self.doc.last(name) if name is not None else None
            if a is not None:
                return a.position
        return Position(self.doc.path, 1)

    def consume_all(self) -> None:
        self._used.update(self._values)

    def unconsumed(self) -> list[str]:
        return [k for k in self._values if k not in self._used]

    def boolean(
        self, key: str, *, default: bool, findings: list[Finding], nm_accepts_on_off: bool = False
    ) -> bool:
        """initscripts' reading of a boolean key; divergences from NetworkManager become findings."""
        text = self.get(key)
        if text is None or text.strip() == "":
            return default
        b = parse_bool(text)
        if b.value is None:
            findings.append(IFCFG_BAD_BOOLEAN(
                self.pos(key), f"{key}={text} is neither yes nor no; {'yes' if default else 'no'} is used"))
            return default
        if b.nm_value is None and not nm_accepts_on_off:
            findings.append(IFCFG_BOOL_ON_OFF(
                self.pos(key),
                f"{key}={text} means {'yes' if b.value else 'no'} to initscripts but the default "
                "to NetworkManager's reader; kept as initscripts read it",
            ))
        return b.value
