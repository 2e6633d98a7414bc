"""Resource limits: listResourceLimits, updateResourceLimit (root admin)."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing
from .._ids import LIMIT_TYPES
from .._registry import Command, Declaration, Param, command
from .._store import Doc
from ._common import usage

_BY_NAME = {name: number for number, name in LIMIT_TYPES.items()}


def _type(call: Call) -> int | None:
    if call.has("resourcetype"):
        number = call.number("resourcetype")
        if number not in LIMIT_TYPES:
            raise err.param_error(f"Please specify a valid resource type (0-11), not {number}")
        return number
    if call.has("resourcetypename"):
        name = call.text("resourcetypename") or ""
        if name not in _BY_NAME:
            raise err.param_error(f"Please specify a valid resource type name, not {name}")
        return _BY_NAME[name]
    return None


def _limit_doc(call: Call, account: Doc, number: int) -> Doc:
    return {
        "account": account["name"],
        "domainid": account["domainid"],
        "domain": account["domain"],
        "resourcetype": str(number),
        "resourcetypename": LIMIT_TYPES[number],
        "max": int(account["_limits"].get(str(number), -1)),
        "_used": usage(call.state, account["id"], number),
    }


@command(
    "listResourceLimits",
    params=(
        Param("resourcetype", "integer", description="Type of resource (0-11)"),
        Param("resourcetypename", "string", description="Type of resource by name, e.g. user_vm"),
        Param("account", "string", description="list resources by account (admins)"),
        Param(
            "domainid", "uuid", description="list only resources belonging to the domain specified"
        ),
        Param("id", "long", description="Lists resource limits by ID"),
        Param("projectid", "uuid", description="List resource limits in a project"),
    ),
    list_key="resourcelimit",
)
def list_resource_limits(call: Call) -> Listing:
    """Lists resource limits."""
    account = call.target_account()
    wanted = _type(call)
    numbers = [wanted] if wanted is not None else sorted(LIMIT_TYPES)
    rows = [_limit_doc(call, account, n) for n in numbers]
    return call.listing([{k: v for k, v in row.items() if not k.startswith("_")} for row in rows])


@command(
    "updateResourceLimit",
    admin=True,
    params=(
        Param(
            "resourcetype",
            "integer",
            required=True,
            description="Type of resource to update (0-11)",
        ),
        Param("max", "long", description="Maximum resource limit (-1 for unlimited)"),
        Param("account", "string", description="Update resource for a specified account"),
        Param(
            "domainid",
            "uuid",
            description="Update resource limits for all accounts in specified domain",
        ),
    ),
)
def update_resource_limit(call: Call) -> Doc:
    """Updates resource limits for an account or domain."""
    account = call.target_account()
    number = _type(call)
    assert number is not None
    maximum = call.number("max", -1)
    assert maximum is not None
    if maximum < -1:
        raise err.param_error(
            "Please specify either '-1' for an infinite limit, or a limit that is at least '0'."
        )
    account["_limits"][str(number)] = maximum
    call.state.store.save(account)
    row = _limit_doc(call, account, number)
    return {"resourcelimit": {k: v for k, v in row.items() if not k.startswith("_")}}


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    list_resource_limits,
    update_resource_limit,
)
