"""The write-ahead journal: every step is on disk before it starts.

The journal is one JSON file (``var/lib/ifcfg2nm/journal.json``) rewritten
atomically at each record, so after a crash it holds exactly the steps that
may have begun, and the data needed to undo them (checkpoint path, profile
UUIDs the run added, devices it took down). While it exists a run is
unfinished; when the run ends (committed or rolled back) it moves into the
run's directory next to the backups. A run its own process did not close
says who did (``recovered_by``: a rerun of ``upgrade``, ``rollback``, the
run's guardian, or the boot unit).
"""

from __future__ import annotations

import os
from typing import Any, Optional

from ifcfg2nm import __version__
from ifcfg2nm.upgrade import testhooks
from ifcfg2nm.upgrade.state import StatePaths, now, read_json, remove, write_json

FORMAT = 1

STEPS_LIVE = ("plan", "backup", "checkpoint", "prepare", "flush", "takedown", "activate", "verify", "probe", "commit")
"""Journal steps of the NetworkManager (D-Bus and nmstate) backends, in order."""
STEPS_OFFLINE = ("plan", "backup", "prepare", "flush", "verify", "commit")
"""Journal steps of the offline backend (keyfiles under --root only)."""

RUNNING = "running"
COMMITTED = "committed"
ROLLED_BACK = "rolled-back"


class Journal:
    """The journal of one run; ``record`` before each step, ``note`` to add what a step learnt."""

    def __init__(self, paths: StatePaths, doc: dict[str, Any]) -> None:
        self.paths = paths
        self.doc = doc

    @classmethod
    def start(cls, paths: StatePaths, run_id: str, backend: str, **fields: Any) -> Journal:
        """A new run's journal; ``fields``: further top-level fields (the guardian's pid)."""
        paths.ensure()
        doc: dict[str, Any] = {
            "format": FORMAT, "run_id": run_id, "version": __version__, "root": os.path.abspath(paths.root),
            "backend": backend, "started": now(), "state": RUNNING, "steps": [], **fields,
        }
        journal = cls(paths, doc)
        journal._write()
        return journal

    @classmethod
    def load(cls, paths: StatePaths) -> Optional[Journal]:
        """The unfinished run's journal, if there is one."""
        doc = read_json(paths.journal)
        if doc is None:
            return None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("steps"), list):
            raise ValueError(f"{paths.journal}: not an ifcfg2nm journal (format {FORMAT})")
        return cls(paths, doc)

    @property
    def run_id(self) -> str:
        return str(self.doc["run_id"])

    @property
    def backend(self) -> str:
        return str(self.doc["backend"])

    @property
    def state(self) -> str:
        return str(self.doc["state"])

    @property
    def run_dir(self) -> str:
        return self.paths.run_dir(self.run_id)

    def steps(self) -> list[str]:
        return [str(s["step"]) for s in self.doc["steps"]]

    def began(self, step: str) -> bool:
        return step in self.steps()

    def data(self, step: str) -> dict[str, Any]:
        """What was noted for ``step`` (empty when it never began)."""
        for entry in self.doc["steps"]:
            if entry["step"] == step:
                return dict(entry["data"])
        return {}

    def record(self, step: str, **data: Any) -> None:
        """Journal ``step`` (durably) before it runs."""
        self.doc["steps"].append({"step": step, "at": now(), "data": data})
        self._write()
        testhooks.after_journal(step)

    def note(self, **data: Any) -> None:
        """Add to the current step's data (durably)."""
        self.doc["steps"][-1]["data"].update(data)
        self._write()

    def set(self, **fields: Any) -> None:
        """Top-level fields (outcome details, timings)."""
        self.doc.update(fields)
        self._write()

    def finish(self, state: str) -> None:
        """Close the run: the journal moves into the run directory, the host has no run in progress."""
        self.doc["state"] = state
        self.doc["finished"] = now()
        self._write()
        write_json(os.path.join(self.run_dir, "journal.json"), self.doc)
        remove(self.paths.journal)

    def _write(self) -> None:
        write_json(self.paths.journal, self.doc)


def last_finished(paths: StatePaths) -> Optional[dict[str, Any]]:
    """The most recent finished run's journal (by run id), or None."""
    base = os.path.join(paths.dir, "backup")
    try:
        runs = sorted(os.listdir(base), reverse=True)
    except OSError:
        return None
    for run_id in runs:
        doc = read_json(os.path.join(base, run_id, "journal.json"))
        if isinstance(doc, dict):
            return doc
    return None
