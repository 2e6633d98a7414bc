"""The protocol core: one request's parameters in, CloudStack's status and document out."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.auth import Credentials
from ..core.faults import Faults
from . import _errors as err
from ._auth import SignatureAuth, pick
from ._call import Call, Listing, Pending, parse_args
from ._config import SimConfig
from ._expunge import sweep
from ._jobs import settle, submit
from ._state import CloudStackState
from ._store import Doc
from ._table import COMMANDS

__all__ = ["Answer", "Simulator"]

_FAULT_EXEMPT = frozenset({"configureSimulator"})
# what ApiServer rejects as "illegal ASCII non-printable characters": C0 controls but CR, LF; DEL
_ILLEGAL = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(slots=True)
class Answer:
    """What to send back: HTTP status, the whole JSON document, and the error text if any."""

    status: int
    document: Doc
    json: bool
    description: str | None = None


def first_wins(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Parameters by name; a repeated name keeps its first value, as the server does."""
    params = dict(pairs)  # right unless a name repeats (rare), which the loop below handles
    if len(params) == len(pairs):
        return params
    params = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params


def _bad_characters(params: dict[str, str]) -> str | None:
    """The first parameter whose value holds a control character other than CR and LF."""
    text = "".join(params.values())
    if (text.isascii() and text.isprintable()) or not _ILLEGAL.search(text):
        return None
    return next(name for name, value in params.items() if _ILLEGAL.search(value))


def list_body(listing: Listing, key: str) -> Doc:
    """CloudStack's list shape: ``{}`` when empty, ``{"count": N}`` past the end."""
    if listing.total == 0 and not listing.items:
        return {}
    if not listing.items:
        return {"count": listing.total}
    return {"count": listing.total, key: listing.items}


class Simulator:
    """Authenticates, dispatches and answers CloudStack API requests against a state."""

    def __init__(self, state: CloudStackState, config: SimConfig) -> None:
        self.state = state
        self.config = config
        self.faults = Faults(config)
        self.commands = COMMANDS
        self.auth = SignatureAuth(state, COMMANDS, lambda: config.accept_unencoded_tilde)

    def exempt(self, params: dict[str, str]) -> bool:
        """Whether fault injection skips this request (the simulator's own admin command)."""
        return pick(params, "command") in _FAULT_EXEMPT

    def handle(
        self, params: dict[str, str], now: float | None = None, method: str = "GET"
    ) -> Answer:
        """Answer one request given its (first-wins) parameters."""
        moment = self.state.clock.now() if now is None else now
        wants_json = (pick(params, "response") or "").lower() == "json"
        name = pick(params, "command") or ""
        known = self.commands.get(name)
        response_name = known.response_name if known else "errorresponse"
        settle(self.state, self.config, self.commands, moment)
        sweep(self.state, self.config.expunge_delay, moment)
        try:
            body = self._dispatch(params, moment, method)
        except err.ApiError as error:
            return Answer(
                error.errorcode, {response_name: error.body()}, wants_json, error.errortext
            )
        return Answer(200, {response_name: body}, wants_json)

    def _throttle(self, account_id: str, now: float) -> None:
        """Count a request; 429 with CloudStack's text past ``rate_limit`` per second."""
        wait = self.faults.over_limit(account_id, now)
        if wait is not None:
            raise err.ApiError(
                err.API_LIMIT_EXCEEDED,
                "The given user has reached his/her account api limit, "
                f"please retry after {max(wait, 1)} ms.",
            )

    def _dispatch(self, params: dict[str, str], now: float, method: str) -> Doc:
        caller = self.auth.authenticate(Credentials(params=params, now=now))
        if caller is None:
            raise err.AuthError()
        command = self.commands[pick(params, "command") or ""]
        if not caller.is_admin:
            self._throttle(caller.account_id, now)
        bad = _bad_characters(params)
        if bad is not None:
            raise err.param_error(
                f"Received value for parameter {bad} is invalid, contains illegal ASCII "
                "non-printable characters"
            )
        if command.admin and not caller.is_admin:
            raise err.denied(
                f"The API [{command.name}] does not exist or is not available for this account."
            )
        raw = {key.lower(): value for key, value in params.items()}
        if len(raw) != len(params):  # names differing only in case: the first one wins
            raw = first_wins([(key.lower(), value) for key, value in params.items()])
        call = Call(
            command,
            caller,
            self.state,
            self.config,
            now,
            raw=raw,
            method=method,
            faults=self.faults,
            commands=self.commands,
        )
        with self.state.store.transaction():
            parse_args(call)
            if command.paged:
                call.window()
            result = command.handler(call)
            if isinstance(result, Pending):
                return submit(call, result)
        if isinstance(result, Listing):
            return list_body(result, command.list_key or "item")
        return result
