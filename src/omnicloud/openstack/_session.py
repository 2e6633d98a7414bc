"""One authenticated identity, shared by every request of a client or driver.

The token is reused until ``refresh_margin`` seconds before it expires, then a new one is asked
for. A request answered 401 gets one new token and is sent once more; a second 401 raises
:class:`~omnicloud.openstack._errors.OpenStackAuthError` (never a loop). Concurrent flows (the
segments of a parallel upload) that hit the same expired token re-authenticate once: a flow whose
token was already replaced uses the new one.

Endpoints come from the catalog (service type, region, interface, name), unless an override
gives the URL (Libcloud's ``ex_force_base_url``); with a fixed token (``ex_force_auth_token``)
and a base URL no authentication happens at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from omnicloud._flow import Send
from omnicloud.errors import ConfigurationError
from omnicloud.http import HttpRequest, HttpResponse, Redactor, RetryPolicy, send_with_retries
from omnicloud.openstack._auth import AuthSettings, Token, authenticate
from omnicloud.openstack._catalog import Catalog
from omnicloud.openstack._errors import error_from_response

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["EndpointChoice", "OpenStackSession"]


@dataclass(slots=True, frozen=True)
class EndpointChoice:
    """Which catalog entry serves a service: region, interface and (optionally) name."""

    region: str | None = None
    interface: str = "public"
    name: str | None = None


@dataclass(slots=True)
class OpenStackSession:
    """Token reuse and re-authentication for ``settings`` (see the module)."""

    settings: AuthSettings | None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    redactor: Redactor = field(default_factory=Redactor)
    choice: EndpointChoice = field(default_factory=EndpointChoice)
    overrides: dict[str, str] = field(default_factory=dict)
    fixed_token: str | None = field(default=None, repr=False)
    refresh_margin: float = 60.0
    clock: Callable[[], float] = field(default=time.time, repr=False)
    token: Token | None = field(default=None, repr=False)
    authentications: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.settings is None and self.fixed_token is None:
            raise ConfigurationError("OpenStack: give credentials or a token")
        if self.settings is not None:
            self.redactor.add(*self.settings.secrets())
        self.redactor.add(self.fixed_token)
        self.overrides = {k: v.rstrip("/") for k, v in self.overrides.items()}
        if self.fixed_token is not None:
            self.token = Token(self.fixed_token, None, Catalog())

    def __repr__(self) -> str:
        where = self.settings.auth_url if self.settings is not None else "a fixed token"
        version = self.settings.version if self.settings is not None else "token"
        return f"OpenStackSession({where!r}, auth {version})"

    # tokens -----------------------------------------------------------------------------------
    def _needs_auth(self, held: Token | None) -> bool:
        if held is None:
            return True
        return not held.fresh(self.refresh_margin, self.clock())

    def current_token(self) -> Flow[Token]:
        """A token fit for use: the one held, or a new one."""
        with self._lock:
            held = self.token
        if not self._needs_auth(held):
            assert held is not None
            return held
        return (yield from self.reauthenticate(held))

    def reauthenticate(self, stale: Token | None) -> Flow[Token]:
        """A new token in place of ``stale``; when another flow replaced ``stale`` meanwhile,
        its token (no second authentication)."""
        with self._lock:
            held = self.token
        if held is not None and held is not stale and not self._needs_auth(held):
            return held
        if self.settings is None:
            raise ConfigurationError(
                "OpenStack: the token expired and no credentials were given to get another"
            )
        fresh = yield from authenticate(self.settings, self.retry, self.redactor)
        with self._lock:
            self.token = fresh
            self.authentications += 1
        return fresh

    # endpoints --------------------------------------------------------------------------------
    def endpoint_of(self, token: Token, service_type: str) -> str:
        """The URL of ``service_type`` (override first, then ``token``'s catalog)."""
        override = self.overrides.get(service_type)
        if override:
            return override
        choice = self.choice
        return token.catalog.url_for(
            service_type, region=choice.region, interface=choice.interface, name=choice.name
        )

    def endpoint(self, service_type: str) -> Flow[str]:
        """The URL of ``service_type``, authenticating first when the catalog is needed."""
        override = self.overrides.get(service_type)
        if override:
            return override
        token = yield from self.current_token()
        return self.endpoint_of(token, service_type)

    def catalog(self) -> Flow[Catalog]:
        """The catalog of the current token."""
        token = yield from self.current_token()
        return token.catalog

    # requests ---------------------------------------------------------------------------------
    def send(
        self,
        service_type: str,
        build: Callable[[str], HttpRequest],
        *,
        operation: str = "",
        replayable: bool = True,
    ) -> Flow[HttpResponse]:
        """Send ``build(base_url)`` with the token (``X-Auth-Token``) under the retry policy; a
        401 gets one new token and one resend, then is returned like any other answer. A
        request whose body can be sent only once (``replayable=False``) is never resent."""
        token = yield from self.current_token()
        request = self.signed(build, token, service_type)
        if not replayable:
            response: HttpResponse = yield Send(request)
            if response.status == 401 and self.can_renew(token):
                yield from self.reauthenticate(token)  # the next request has a good token
            return response
        response = yield from send_with_retries(request, self.retry)
        if response.status != 401 or not self.can_renew(token):
            return response
        token = yield from self.reauthenticate(token)
        return (yield from send_with_retries(self.signed(build, token, service_type), self.retry))

    def can_renew(self, token: Token) -> bool:
        """Whether a 401 to ``token`` may be answered with a new one."""
        settings = self.settings
        return settings is not None and (
            settings.can_reauthenticate() or settings.version == "3.x_token"
        )

    def signed(
        self, build: Callable[[str], HttpRequest], token: Token, service_type: str
    ) -> HttpRequest:
        """``build(base)`` carrying ``token``."""
        request = build(self.endpoint_of(token, service_type))
        request.headers = {**request.headers, "X-Auth-Token": token.value}
        return request

    def fail(self, response: HttpResponse, operation: str) -> Exception:
        """The exception for an error answer (the provider's words, secrets removed)."""
        return error_from_response(response, operation, self.redactor)

    def json(
        self,
        service_type: str,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        operation: str = "",
        expected: tuple[int, ...] = (200, 201, 202, 204),
    ) -> Flow[Any]:
        """Call a JSON API of ``service_type`` (``path`` after its endpoint URL); the parsed
        answer (None when empty), or the error it maps to."""
        import json

        label = operation or f"{service_type} {method} {path.split('?', 1)[0]}"
        content = json.dumps(body).encode() if body is not None else None
        headers = {"Accept": "application/json"}
        if content is not None:
            headers["Content-Type"] = "application/json"

        def build(base: str) -> HttpRequest:
            return HttpRequest(
                method, base + path, headers=headers, content=content, operation=label
            )

        response = yield from self.send(service_type, build, operation=label)
        if response.status not in expected:
            raise self.fail(response, label)
        return response.json() if response.content else None
