"""ifcfg2nm: move hosts from legacy ifcfg network scripts to NetworkManager, safely."""

__version__ = "0.1.0"
