"""A scriptable CloudStack API on the stub server: checks signatures, dispatches by command."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.server_rule import verify
from tests.support.stub_server import Reply, Seen

KEY, SECRET = "test-api-key-1234", "test-secret-key-5678"

CommandHandler = Callable[[Seen], Reply]


def ok(command: str, body: dict[str, Any]) -> Reply:
    """A 200 answer under CloudStack's envelope."""
    return Reply(200, {f"{command.lower()}response": body})


def error(command: str, status: int, text: str, cserrorcode: int = 4350) -> Reply:
    """An error answer with CloudStack's body and header."""
    body = {"uuidList": [], "errorcode": status, "cserrorcode": cserrorcode, "errortext": text}
    return Reply(status, {f"{command.lower()}response": body}, {"X-Description": text})


class FakeCloudStack:
    """Routes signed requests to per-command handlers; bad signatures get 401."""

    def __init__(self, **handlers: CommandHandler) -> None:
        self.handlers = handlers

    def __call__(self, seen: Seen) -> Reply:
        if seen.params.get("apiKey") != KEY or not verify(seen.params, SECRET):
            return error(
                "error", 401, "unable to verify user credentials and/or request signature", 4290
            )
        command = seen.params.get("command", "")
        handler = self.handlers.get(command)
        if handler is None:
            return error(
                "error", 401, "unable to verify user credentials and/or request signature", 4290
            )
        return handler(seen)


def paged(command: str, item_key: str, items: list[dict[str, Any]], cap: int = 500):
    """A list handler with CloudStack's paging rules and page-size cap."""

    def handler(seen: Seen) -> Reply:
        page = seen.params.get("page")
        size = seen.params.get("pagesize")
        if page and not size:
            return error(command, 431, '"pagesize" parameter is required when "page" is specified')
        size_n = int(size) if size else cap
        if size_n > cap:
            return error(command, 431, f"Page size can't exceed max allowed page size value: {cap}")
        start = (int(page) - 1) * size_n if page else 0
        chunk = items[start : start + size_n]
        if not items:
            return ok(command, {})
        if not chunk:
            return ok(command, {"count": len(items)})
        return ok(command, {"count": len(items), item_key: chunk})

    return handler
