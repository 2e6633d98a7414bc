"""Helpers shared by command modules: success bodies, resource limits, lookups by name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _errors as err
from .._ids import LIMIT_TYPES
from .._store import Doc

if TYPE_CHECKING:
    from .._call import Call
    from .._world import World

__all__ = ["SYNC_SUCCESS", "async_success", "check_limit", "usage", "zone_names"]

SYNC_SUCCESS: Doc = {"success": "true"}

_LIVE_VM = "json_extract(data, '$.state') NOT IN ('Destroyed', 'Expunging', 'Error')"


def async_success() -> Doc:
    """The job result of a command that answers with SuccessResponse."""
    return {"success": True}


def usage(state: World, account_id: str, resource_type: int) -> float:
    """How much of a limited resource type an account uses."""
    store = state.store
    if resource_type == 0:
        return store.count("vm", owner=account_id, where=_LIVE_VM)
    if resource_type == 8:
        return store.total("vm", account_id, "json_extract(data, '$.cpunumber')", _LIVE_VM)
    if resource_type == 9:
        return store.total("vm", account_id, "json_extract(data, '$.memory')", _LIVE_VM)
    if resource_type == 10:
        return store.total("volume", account_id, "json_extract(data, '$.size')") / 1024**3
    if resource_type == 11:
        return store.total("snapshot", account_id, "json_extract(data, '$.physicalsize')") / 1024**3
    kind = {
        1: "publicipaddress",
        2: "volume",
        3: "snapshot",
        4: "template",
        5: "project",
        6: "network",
        7: "vpc",
    }
    return store.count(kind[resource_type], owner=account_id)


def check_limit(call: Call, account: Doc, resource_type: int, adding: float = 1) -> None:
    """532 if adding ``adding`` units of ``resource_type`` would pass the account's limit."""
    limit = int(account.get("_limits", {}).get(str(resource_type), -1))
    if limit < 0:
        return
    if usage(call.state, account["id"], resource_type) + adding > limit:
        raise err.ApiError(
            err.LIMIT_ERROR,
            f"Maximum number of resources of type '{LIMIT_TYPES[resource_type]}' for account "
            f"name={account['name']} in domain id={account['domainid']} has been exceeded.",
        )


def zone_names(state: World) -> dict[str, str]:
    """Zone id -> name."""
    _, zones = state.store.find("zone")
    return {zone["id"]: zone["name"] for zone in zones}


def by_name(call: Call, kind: str, name: str, account: Doc) -> Doc | None:
    """An account's resource of ``kind`` called ``name``."""
    _, docs = call.state.store.find(
        kind, owners=[account["id"]], name=name, limit=1, with_total=False
    )
    return docs[0] if docs else None


_TAGGED = (
    "id IN (SELECT ref FROM resources WHERE kind = 'tag' "
    "AND json_extract(data, '$.key') = ? AND json_extract(data, '$.value') = ?)"
)


def tag_filters(call: Call) -> list[tuple[str, tuple[object, ...]]]:
    """SQL conditions for the ``tags[i].key``/``tags[i].value`` filters of a list command."""
    return [(_TAGGED, (tag.get("key", ""), tag.get("value", ""))) for tag in call.maps("tags")]
