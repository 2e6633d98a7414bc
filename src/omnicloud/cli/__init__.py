"""The ``omnicloud`` command line.

``omnicloud cs ...`` is dispatched before click is even imported (it has its own small parser, like
the ``cs`` tool), and other sub-commands are imported only when invoked, so start-up stays fast.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 provider error, 2 usage or configuration)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["cs"]:
        from omnicloud.cli.cs_cmd import run_cs

        return run_cs(args[1:])
    from omnicloud.cli._root import run

    return run(args)
