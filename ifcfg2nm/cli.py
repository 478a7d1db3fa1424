"""The ``ifcfg2nm`` command line (contract: ../shared/design.md and the README).

Every subcommand returns an exit code from :mod:`ifcfg2nm.exitcodes`. Unexpected
exceptions become one line on stderr and exit 70, unless ``--debug``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Callable, Optional, TextIO

from ifcfg2nm import __version__, exitcodes
from ifcfg2nm.commands import audit, convert, parse, restore, upgrade

Handler = Callable[[argparse.Namespace, TextIO], int]

COMMANDS = (parse, convert, audit, restore, upgrade)
"""One module per subcommand, each with ``add_parser(subparsers, common)``."""


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Optional[Handler] = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return exitcodes.USAGE
    try:
        return handler(args, sys.stdout)
    except KeyboardInterrupt:
        print("ifcfg2nm: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return exitcodes.OK
    except Exception as err:  # the CLI's last line of defence: one line, no traceback
        if args.debug:
            raise
        print(
            f"ifcfg2nm: internal error: {type(err).__name__}: {err} (run with --debug for details)",
            file=sys.stderr,
        )
        return exitcodes.INTERNAL


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show Python tracebacks for internal errors")
    parser = argparse.ArgumentParser(
        prog="ifcfg2nm",
        description="Audit and migrate legacy ifcfg / VDSM host networking to NetworkManager.",
        parents=[common],
    )
    parser.set_defaults(debug=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    for module in COMMANDS:
        module.add_parser(sub, common)
    return parser


if __name__ == "__main__":
    sys.exit(main())
