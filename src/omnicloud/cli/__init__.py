"""The ``omnicloud`` command line.

``omnicloud cs ...`` is dispatched before click is even imported (it has its own small parser, like
the ``cs`` tool), and other sub-commands are imported only when invoked, so start-up stays fast.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

# Third-party modules loaded on demand that an install may lack: the extra that brings each one
# (None: a core dependency, so the installation itself is broken).
_PROVIDED_BY: dict[str, str | None] = {
    "pygments": "rich",
    "aiohttp": None,
    "anyio": None,
    "asyncssh": None,
    "click": None,
    "cryptography": None,
    "defusedxml": None,
    "httptools": None,
    "httpx": None,
    "msgspec": None,
    "orjson": None,
    "platformdirs": None,
    "rich": None,
    "starlette": None,
    "urllib3": None,
    "uvicorn": None,
    "yaml": None,
}
EXIT_USAGE = 2


def missing_module_message(error: ModuleNotFoundError) -> str | None:
    """One line for a dependency that is not installed, or None if ``error`` is not about one."""
    top = (error.name or "").partition(".")[0]
    if top not in _PROVIDED_BY:
        return None
    extra = _PROVIDED_BY[top]
    if extra is not None:
        return f"this needs the optional package {top!r}: pip install 'omnicloud[{extra}]'"
    return (
        f"omnicloud's dependency {top!r} is not installed; reinstall omnicloud "
        "(pip install --force-reinstall omnicloud)"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 provider error, 2 usage or configuration)."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        if args[:1] == ["cs"]:
            from omnicloud.cli.cs_cmd import run_cs

            return run_cs(args[1:])
        from omnicloud.cli._root import run

        return run(args)
    except ModuleNotFoundError as exc:
        message = missing_module_message(exc)
        if message is None:
            raise
        sys.stderr.write(f"Error: {message}\n")
        return EXIT_USAGE
