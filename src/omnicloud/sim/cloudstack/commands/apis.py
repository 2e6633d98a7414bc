"""Discovery and throttling info: listApis (from the declarations) and getApiLimit."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing
from .._registry import Command, Declaration, Param, command
from .._store import Doc


def _describe(cmd: Command) -> Doc:
    params = [
        {
            "name": p.name,
            "description": p.description,
            "type": p.type,
            "length": p.length,
            "required": p.required,
            "since": cmd.since,
            "related": "",
        }
        for p in cmd.params
    ]
    response: list[Doc] = []
    if cmd.is_async:
        response = [{"name": "jobid", "description": "the ID of the async job", "type": "string"}]
    return {
        "name": cmd.name,
        "description": cmd.description,
        "isasync": cmd.is_async,
        "since": cmd.since,
        "related": "",
        "type": "",
        "params": params,
        "response": response,
    }


@command(
    "listApis",
    params=(Param("name", "string", description="API name"),),
    list_key="api",
    paged=False,
)
def list_apis(call: Call) -> Listing:
    """Lists all available APIs the caller may call, with their parameters."""
    name = call.text("name")
    visible = [c for c in call.commands.values() if call.caller.is_admin or not c.admin]
    if name:
        visible = [c for c in visible if c.name == name]
        if not visible:
            raise err.param_error(
                f"Unable to find API {name}; or the API is not available for the account"
            )
    items = [_describe(c) for c in sorted(visible, key=lambda c: c.name)]
    return Listing(len(items), items)


@command("getApiLimit", params=())
def get_api_limit(call: Call) -> Doc:
    """Get API limit count for the caller (issued, allowed per second, ms until reset)."""
    if call.faults is None:
        issued, allowed, expire = 0, -1, 0
    else:
        issued, allowed, expire = call.faults.usage(call.caller.account_id, call.now)
    return {
        "apilimit": {
            "account": call.caller.account,
            "accountid": call.caller.account_id,
            "apiIssued": issued,
            "apiAllowed": allowed,
            "expireAfter": expire,
        }
    }


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    list_apis,
    get_api_limit,
)
