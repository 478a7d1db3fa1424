import sys

from ifcfg2nm.cli import main

sys.exit(main())
