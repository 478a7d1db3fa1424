"""``ifcfg2nm audit``: what a migration would find, change, lose or refuse, read-only.

- :func:`ifcfg2nm.audit.report.audit_host` (``audit_tree``): one host → a frozen
  :class:`~ifcfg2nm.audit.report.HostReport` (findings, file ownership, drift, the
  upgrade's plan preview); never raises, never writes.
- :mod:`ifcfg2nm.audit.drift`: VDSM's persistent, running and ifcfg records compared
  field by field.
- :mod:`ifcfg2nm.audit.ownership`: who wrote each file and what the upgrade does with it.
- :func:`ifcfg2nm.audit.fleet.audit_many`: many hosts, worker processes, streamed output.
- :mod:`ifcfg2nm.audit.render`: text, and the ``ifcfg2nm-audit/1`` JSON document.
"""
