"""One validated API call: the caller, typed arguments, resolved entities and list windows."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.paging import Window
from . import _errors as err
from ._hosts import is_host
from ._registry import Command, Param
from ._results import Caller, Listing, Pending
from ._store import Doc

if TYPE_CHECKING:
    from ..core.faults import Faults
    from ._config import SimConfig
    from ._world import World

__all__ = ["Call", "Caller", "Listing", "Pending", "parse_args"]

_MAP_KEY = re.compile(r"^([a-z0-9_]+)\[(\d+)\]\.(.+)$")
_INT_RANGES = {"short": 2**15, "integer": 2**31, "long": 2**63}
_UUID = re.compile(r"^[0-9a-fA-F-]{1,64}$")
# what ParamProcessWorker takes for a uuid (anything else is a number or not an id at all)
_CANONICAL = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_LONG = 2**63


@dataclass(slots=True)
class Call:
    """A command invocation with parsed arguments; handlers read it and use ``state``."""

    command: Command
    caller: Caller
    state: World
    config: SimConfig
    now: float
    raw: dict[str, str]
    method: str = "GET"
    faults: Faults | None = None
    commands: Mapping[str, Command] = field(default_factory=dict)
    args: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, Any] = field(default_factory=dict)

    # typed accessors ------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        """Whether the parameter was sent."""
        return name in self.args

    def text(self, name: str, default: str | None = None) -> str | None:
        """A string parameter."""
        value = self.args.get(name, default)
        return None if value is None else str(value)

    def need_text(self, name: str) -> str:
        """A string parameter the handler requires (431 when absent)."""
        value = self.text(name)
        if value is None or value == "":
            raise err.missing(self.command.name, name)
        return value

    def number(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter."""
        value = self.args.get(name, default)
        return None if value is None else int(value)

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean parameter."""
        return bool(self.args.get(name, default))

    def items(self, name: str) -> list[str]:
        """A comma-separated list parameter."""
        value = self.args.get(name)
        return list(value) if isinstance(value, list) else []

    def maps(self, name: str) -> list[dict[str, str]]:
        """A map parameter ``name[i].key=value`` as a list of dicts (keys lower-cased)."""
        value = self.args.get(name)
        return list(value) if isinstance(value, list) else []

    def ref(self, name: str) -> Doc | None:
        """The entity a uuid parameter names."""
        value = self.refs.get(name)
        return value if isinstance(value, dict) else None

    def need_ref(self, name: str) -> Doc:
        """The entity a uuid parameter names (431 when the parameter is absent)."""
        doc = self.ref(name)
        if doc is None:
            raise err.missing(self.command.name, name)
        return doc

    def ref_list(self, name: str) -> list[Doc]:
        """The entities a list-of-uuids parameter names."""
        value = self.refs.get(name)
        return list(value) if isinstance(value, list) else []

    # ownership ------------------------------------------------------------------------------

    def owns(self, doc: Doc) -> bool:
        """Whether the caller may act on ``doc`` (its own, or any for a root admin)."""
        owner = doc.get("_owner")
        return owner is None or self.caller.is_admin or owner == self.caller.account_id

    def check_owner(self, doc: Doc) -> None:
        """531 unless the caller may act on ``doc``."""
        if not self.owns(doc):
            raise err.denied(
                f"Account '{self.caller.account}' does not have permission to operate with "
                f"resource {doc.get('id')}"
            )

    def target_account(self) -> Doc:
        """The account a new resource belongs to: ``account`` (admins only) or the caller's."""
        name = self.text("account")
        if name and name != self.caller.account:
            if not self.caller.is_admin:
                raise err.denied(
                    f"Account '{self.caller.account}' does not have permission to operate "
                    f"within account '{name}'"
                )
            doc = self.state.account_by_name(name)
            if doc is None:
                raise err.param_error(f"Unable to find account by name {name}")
            return doc
        doc = self.state.account(self.caller.account_id)
        assert doc is not None
        return doc

    def visible_owners(self) -> list[str] | None:
        """Accounts whose resources a list shows (None = all), per listall/account filters."""
        name = self.text("account")
        if self.caller.is_admin:
            if name:
                doc = self.state.account_by_name(name)
                return [] if doc is None else [doc["id"]]
            if self.flag("listall"):
                return None
            return [self.caller.account_id]
        if name and name != self.caller.account:
            raise err.denied(
                f"Account '{self.caller.account}' does not have permission to operate within "
                f"account '{name}'"
            )
        return [self.caller.account_id]

    # pagination -----------------------------------------------------------------------------

    def window(self) -> tuple[int, int | None]:
        """(offset, limit) of the requested page; limit None means everything."""
        page = self.number("page")
        size = self.number("pagesize")
        cap = self.config.max_page_size
        if page is not None and size is None:
            raise err.param_error('"pagesize" parameter is required when "page" is specified')
        if size is not None:
            if size == -1:
                if page is not None:
                    raise err.param_error(
                        "Can't specify page parameter when pagesize is -1 (Unlimited)"
                    )
                return 0, None
            if page is None:
                raise err.param_error('"page" parameter is required when "pagesize" is specified')
            if size < 0:  # 0 is accepted, as by the real server: the count and no items
                raise err.param_error(f"Invalid page size {size}: it must be at least 0 or -1")
            if cap > 0 and size > cap:
                raise err.param_error(f"Page size can't exceed max allowed page size value: {cap}")
            window = Window.of_page(page, size)
            return window.offset, window.limit
        return 0, (None if cap <= 0 else cap)

    def listing(self, items: list[Doc]) -> Listing:
        """Cut an in-memory list to the requested page."""
        return Listing(len(items), Window(*self.window()).cut(items))


def _convert(call: Call, param: Param, value: str) -> Any:
    name = call.command.name
    kind = param.type
    if kind in _INT_RANGES:
        try:
            number = int(value.strip())
        except ValueError:
            raise err.bad_number(name, param.name, value) from None
        bound = _INT_RANGES[kind]
        if not -bound <= number < bound:
            raise err.bad_number(name, param.name, value)
        return number
    if kind == "boolean":
        return value.strip().lower() == "true"
    if kind == "list":
        return [item.strip() for item in value.split(",") if item.strip()]
    if kind == "uuid":
        if not _UUID.match(value.strip()):
            raise err.invalid(name, param.name, value)
        return value.strip()
    if kind == "string" and len(value) > param.length:
        raise err.param_error(
            f"Unable to execute API command {name.lower()} due to invalid value. Value greater "
            f"than max allowed length {param.length} for param: {param.name}"
        )
    return value


def _resolve(call: Call, param: Param, value: str) -> Doc:
    assert param.entity is not None
    doc = call.state.store.get(param.entity, value)
    if doc is None or (doc.get("_removed") and param.entity != "job"):
        raise err.invalid(call.command.name, param.name, value)
    shared = param.shared and (doc.get("ispublic") or doc.get("isfeatured"))
    if not shared:
        call.check_owner(doc)
    return doc


def _is_long(value: str) -> bool:
    try:
        return -_LONG <= int(value) < _LONG
    except ValueError:
        return False


def _filter_id(call: Call, param: Param, value: str) -> str | None:
    """Check an id filter the way the server translates a uuid: the value to filter by, or None
    when the server would ignore it."""
    assert param.exists is not None
    if _CANONICAL.match(value):
        store = call.state.store
        kinds = param.exists.split(",")
        if not any(is_host(store, value) if k == "host" else store.known(k, value) for k in kinds):
            raise err.invalid(call.command.name, param.name, value)
        return value
    if param.since:  # added since 3.x: not a uuid, so not translated (null)
        return None
    if _is_long(value):  # an internal id; the simulator has none, so it matches nothing
        return value
    raise err.invalid(call.command.name, param.name, value)


def _maps(raw: dict[str, str], name: str, keys: list[str]) -> list[dict[str, str]] | None:
    entries: dict[int, dict[str, str]] = {}
    for key in keys:
        match = _MAP_KEY.match(key)
        if match and match.group(1) == name:
            entries.setdefault(int(match.group(2)), {})[match.group(3)] = raw[key]
    return [entries[index] for index in sorted(entries)] if entries else None


def parse_args(call: Call) -> None:
    """Check and convert the declared parameters of ``call.raw`` into ``args`` and ``refs``."""
    raw = call.raw
    indexed = [key for key in raw if "[" in key]  # the ``name[i].key`` parameter names
    # in declaration order (it decides which error comes first), leaving out what was not sent
    wanted = [
        param
        for param in call.command.params
        if param.name in raw or param.required or (indexed and param.type == "map")
    ]
    for param in wanted:
        if param.type == "map":
            mapped = _maps(raw, param.name, indexed)
            if mapped is None:
                if param.required:
                    raise err.missing(call.command.name, param.name)
                continue
            call.args[param.name] = mapped
            continue
        value = raw.get(param.name)
        if value is None or (value == "" and param.type != "string"):
            if param.required:
                raise err.missing(call.command.name, param.name)
            continue
        if param.exists:
            if param.type == "list":
                items = [item.strip() for item in value.split(",") if item.strip()]
                # an item the server cannot translate becomes null, which matches nothing
                call.args[param.name] = [_filter_id(call, param, item) or item for item in items]
            else:
                checked = _filter_id(call, param, value.strip())
                if checked is not None:
                    call.args[param.name] = checked
            continue
        converted = _convert(call, param, value)
        call.args[param.name] = converted
        if param.entity:
            if param.type == "list":
                call.refs[param.name] = [_resolve(call, param, item) for item in converted]
            else:
                call.refs[param.name] = _resolve(call, param, converted)
