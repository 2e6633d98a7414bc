"""``omnicloud cs COMMAND [key=value ...]``: the whole CloudStack API from the shell, like cs.

It has its own small argparse parser, so it runs without importing click.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from omnicloud.cli._errors import CliUsageError, guarded

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NoReturn

__all__ = ["parse_arguments", "run_cs"]

USAGE = """Usage: omnicloud cs [OPTIONS] COMMAND [key=value ...]
       omnicloud cs sync [--region REGION]

  Call any CloudStack API command and print the result as JSON.

  Configuration comes from CLOUDSTACK_ENDPOINT/KEY/SECRET or the [REGION] section of
  ./cloudstack.ini, ~/.cloudstack.ini or $CLOUDSTACK_CONFIG (region: --region,
  $CLOUDSTACK_REGION, else 'cloudstack').

  Jobs of asynchronous commands are awaited unless --async is given. fetch_list=true
  follows every page. Repeated keys are joined with commas, in order.
  After 'omnicloud cs sync', 'omnicloud cs COMMAND --help' describes COMMAND and missing
  required parameters are reported before anything is sent.

Options:
  -r, --region TEXT  Section of cloudstack.ini to use.
  --cloud NAME       Use the named omnicloud cloud (a CloudStack one) instead.
  -o, --output FMT   json (default), yaml, table or csv (tables list the response's items).
  --async            Do not wait for asynchronous jobs.
  --post             Send the request as a POST form.
  -t, --trace        Print HTTP requests and responses (secrets redacted).
  -q, --quiet        No status messages (job progress, the error document after an error).
  --theme THEME      Pygments style of the JSON on a terminal ($CLOUDSTACK_THEME, or theme=
                     in cloudstack.ini); needs pygments: pip install "omnicloud[rich]".
  --version          Show the version and exit.
  -h, --help         Show this message and exit.
"""

_FORMATS = ("json", "yaml", "table", "csv")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def parse_arguments(words: Sequence[str]) -> dict[str, str]:
    """``key=value`` words into parameters; repeated keys keep their order, comma-joined."""
    collected: dict[str, list[str]] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise CliUsageError(f"expected key=value, got {word!r}")
        values = collected.setdefault(key, [])
        if value not in values:
            values.append(value)
    return {key: ",".join(values) for key, values in collected.items()}


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise CliUsageError(f"{name} must be true or false, got {value!r}")


def _region(option: str | None) -> str:
    from omnicloud.cloudstack._config import DEFAULT_REGION

    return option or os.environ.get("CLOUDSTACK_REGION") or DEFAULT_REGION


def _client(region: str | None, post: bool, trace: bool, cloud: str | None = None) -> Any:
    from omnicloud.cloudstack import CloudStack, read_config

    if cloud is not None:
        return _profile_client(cloud, post)
    config = read_config(region)
    if post:
        config["method"] = "post"
    if trace or os.environ.get("CLOUDSTACK_TRACE", "").lower() in _TRUE:
        config["trace"] = True
    config.pop("theme", None)
    return CloudStack(**config)


def _profile_client(cloud: str, post: bool) -> Any:
    """The raw client of a CloudStack-family profile (``omnicloud --cloud local cs ...``)."""
    from omnicloud import connect

    driver = connect(cloud)
    make = getattr(driver, "ex_api_client", None)
    if make is None:
        raise CliUsageError(f"cloud {cloud!r} is not a CloudStack cloud; 'cs' needs one")
    return make(method="post" if post else None)


def _theme(option: str | None, region: str | None, cloud: str | None) -> str | None:
    """--theme, else $CLOUDSTACK_THEME, else ``theme`` in cloudstack.ini (as cs)."""
    theme = option or os.environ.get("CLOUDSTACK_THEME")
    if theme or cloud is not None:
        return theme
    from omnicloud.cloudstack import read_config

    configured = read_config(region).get("theme")
    return str(configured) if configured else None


def _formatter(theme: str | None) -> Any:
    """A pygments terminal formatter in ``theme`` (an unknown theme is a usage error)."""
    from pygments.formatters import Terminal256Formatter, TerminalFormatter

    if theme is None:
        return TerminalFormatter()
    from pygments.styles import get_all_styles, get_style_by_name
    from pygments.util import ClassNotFound

    try:
        return Terminal256Formatter(style=get_style_by_name(theme))
    except ClassNotFound:
        known = ", ".join(sorted(get_all_styles()))
        raise CliUsageError(f"unknown --theme {theme!r}; pygments has: {known}") from None


def _print_json(value: Any, theme: str | None = None) -> None:
    import json

    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        try:
            from pygments import highlight
            from pygments.lexers import JsonLexer
        except ImportError:
            pass  # colours are optional, as in cs: plain JSON without pygments
        else:
            text = highlight(text, JsonLexer(), _formatter(theme)).rstrip("\n")
    sys.stdout.write(text + "\n")


def _progress(command: str) -> Any:
    if not sys.stderr.isatty():
        return None
    import time

    started = time.monotonic()

    def show(job: Any) -> None:
        status = job.get("jobstatus") if isinstance(job, dict) else None
        state = "running" if status == 0 else "done"
        elapsed = time.monotonic() - started
        sys.stderr.write(
            f"\r{command}: job {state} ({elapsed:.0f} s)  " + ("" if status == 0 else "\n")
        )
        sys.stderr.flush()

    return show


def _api_set(region: str | None, cloud: str | None) -> str:
    """The name the discovered APIs are cached under: the profile's, else the region's."""
    return f"cloud-{cloud}" if cloud is not None else _region(region)


def _sync(region: str | None, trace: bool, cloud: str | None = None) -> None:
    from omnicloud.cloudstack._discovery import save_apis

    name = _api_set(region, cloud)
    with _client(region, False, trace, cloud) as client:
        apis = client.listApis(listall=True).get("api", [])
    path = save_apis(name, apis)
    where = f"cloud {cloud!r}" if cloud is not None else f"region {name!r}"
    print(f"Discovered {len(apis)} APIs for {where} (cached in {path})")


def _api_help(command: str, region: str | None, cloud: str | None = None) -> None:
    from omnicloud.cloudstack._discovery import format_help, load_apis

    apis = load_apis(_api_set(region, cloud))
    if apis is None:
        print(USAGE)
        where = f"cloud {cloud!r}" if cloud is not None else f"region {_region(region)!r}"
        print(
            f"No API descriptions cached for {where}: "
            "run 'omnicloud cs sync' to get help for each command."
        )
        return
    if command not in apis:
        raise CliUsageError(_unknown(command, apis))
    print(format_help(apis[command]))


def _unknown(command: str, apis: dict[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(command, list(apis), n=3)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return f"unknown API command {command!r} (per 'omnicloud cs sync').{hint}"


def _check(
    command: str, params: dict[str, str], region: str | None, cloud: str | None = None
) -> None:
    from omnicloud.cloudstack._discovery import load_apis, missing_required

    apis = load_apis(_api_set(region, cloud))
    if apis is None:
        return
    if command not in apis:
        raise CliUsageError(_unknown(command, apis))
    missing = missing_required(apis[command], params)
    if missing:
        raise CliUsageError(f"{command}: missing required parameter(s): {', '.join(missing)}")


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad options as our usage error (exit 2) instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise CliUsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="omnicloud cs", add_help=False, allow_abbrev=False)
    parser.add_argument("-r", "--region", default=None)
    parser.add_argument("--cloud", default=None)
    parser.add_argument("-o", "--output", choices=_FORMATS, default=None)
    parser.add_argument("--async", dest="no_wait", action="store_true")
    parser.add_argument("--post", action="store_true")
    parser.add_argument("-t", "--trace", action="store_true")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("--theme", default=None)
    parser.add_argument("--version", action="store_true")
    parser.add_argument("-h", "--help", action="store_true")
    return parser


def _items(result: dict[str, Any]) -> Any:
    """The rows of a response for a table: its one list (``listZones`` -> zones), else itself."""
    lists = [value for key, value in result.items() if key != "count" and isinstance(value, list)]
    if len(lists) == 1:
        return lists[0]
    return [result] if result else []


def _print(result: dict[str, Any], fmt: str, theme: str | None) -> None:
    """The response in ``fmt``: JSON as cs prints it; YAML; or a table/CSV of its items."""
    if fmt == "json":
        _print_json(result, theme)
    elif fmt == "yaml":
        import yaml

        sys.stdout.write(yaml.safe_dump(result, sort_keys=True, default_flow_style=False))
    else:
        from omnicloud.cli._render import emit

        emit(_items(result), fmt)


def _run(argv: Sequence[str], cloud: str | None = None, output: str | None = None) -> None:
    options, words = _parser().parse_known_args(list(argv))
    cloud = options.cloud or cloud
    fmt = options.output or output or "json"
    stray = [word for word in words if word.startswith("-")]
    if options.version:
        from omnicloud import __version__

        print(__version__)
        return
    if options.help and not words:
        print(USAGE)
        return
    if not words:
        raise CliUsageError("missing COMMAND")
    command, rest = words[0], words[1:]
    if command.startswith("-"):
        raise CliUsageError(f"unknown option {command!r}")
    if options.help:
        _api_help(command, options.region, cloud)
        return
    if stray:
        raise CliUsageError(f"unknown option {stray[0]!r}")
    if command == "sync":
        _sync(options.region, options.trace, cloud)
        return
    params: dict[str, Any] = dict(parse_arguments(rest))
    fetch_list = _flag("fetch_list", params.pop("fetch_list")) if "fetch_list" in params else False
    if not command.isidentifier():
        raise CliUsageError(f"not a CloudStack command name: {command!r}")
    _check(command, params, options.region, cloud)
    wait = not options.no_wait and "Async" not in command
    theme = _theme(options.theme, options.region, cloud) if sys.stdout.isatty() else None
    progress = None if options.quiet else _progress(command)
    with _client(options.region, options.post, options.trace, cloud) as client:
        if fetch_list:
            result = client.call(command, fetch_list=True, **params)
        else:
            result = client.call(command, fetch_result=wait, on_progress=progress, **params)
    _print(result if result else {}, fmt, theme)


def run_cs(argv: Sequence[str], cloud: str | None = None, output: str | None = None) -> int:
    """Run ``omnicloud cs`` with ``argv`` (on the named profile when ``cloud`` is given, else
    on ``cs``'s own configuration; printed as ``output``, JSON by default); returns the exit
    status."""
    from omnicloud.cli._notices import one_line_notices

    trace = any(word in {"-t", "--trace"} for word in argv)
    quiet = any(word in {"-q", "--quiet"} for word in argv)
    with one_line_notices():  # the insecure-TLS warning as one line, not a Python warning
        return guarded(
            lambda: _run(argv, cloud, output),
            trace=trace,
            usage=USAGE.split("\n\n", 1)[0],
            details=not quiet,
        )
