"""Keep httpx's command-line client out of omnicloud processes.

``import httpx`` also imports ``httpx._main``, its command-line client, whenever click, rich and
pygments are installed, as they are beside omnicloud's own CLI: about 50 ms and 6 MiB of memory
that no request uses. :func:`defer_httpx_cli` puts a stand-in there first; ``httpx.main()``
still works, loading the real client when called.
"""

from __future__ import annotations

import sys
import types

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["defer_httpx_cli"]

_NAME = "httpx._main"


def defer_httpx_cli() -> None:
    """Install the stand-in for ``httpx._main`` unless httpx (or its CLI) is already loaded."""
    if "httpx" in sys.modules or _NAME in sys.modules:
        return
    stand_in = types.ModuleType(_NAME, "Loads httpx's command-line client when it is first run.")

    def main(*args: Any, **kwargs: Any) -> Any:
        if sys.modules.get(_NAME) is stand_in:
            del sys.modules[_NAME]
        import importlib

        real = importlib.import_module(_NAME)
        return real.main(*args, **kwargs)

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules[_NAME] = stand_in
