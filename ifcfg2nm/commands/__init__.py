"""The subcommands of ``ifcfg2nm``, one module each (``add_parser`` registers it)."""
