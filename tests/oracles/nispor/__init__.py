"""Import-only stand-in for ``nispor`` (on neither PyPI nor Debian 12).

libnmstate 1.2.1 imports ``NisporNetState`` when ``libnmstate`` is imported, but
``generate_configurations()`` and ``validator.schema_validate()`` never read
kernel state. Anything that would (show/apply/commit/rollback) fails loudly
here instead of silently seeing an empty host.
"""

from __future__ import annotations

from typing import Any, NoReturn


class NisporNetState:
    @staticmethod
    def retrieve(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise RuntimeError("nispor stub: live kernel state is not available offline")

