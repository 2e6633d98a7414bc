"""Construction of Compute Engine drivers (Libcloud's arguments: a service account's e-mail and
key file, project, zone) and the flow helpers every operation uses: JSON calls through
:class:`~omnicloud.gcp._compute.GceClient`, lazy ``pageToken`` listings (per zone or aggregated
across zones), and waits on zonal, regional and global operations."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from omnicloud._collect import collect
from omnicloud._flow import Emit
from omnicloud._poll import PollSettings, PollStatus, poll
from omnicloud.compute._driver import NodeDriverCore
from omnicloud.errors import ConfigurationError, NotSupportedError, ValidationError
from omnicloud.gcp._compute import DEFAULT_ENDPOINT, GceClient, last_segment, operation_error
from omnicloud.gcp.auth import (
    COMPUTE_SCOPES,
    AccessToken,
    ServiceAccount,
    TokenSource,
    load_service_account,
)
from omnicloud.http import HttpConfig, Redactor
from omnicloud.http._config import driver_config

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["GCEBase", "check_name", "name_of", "segment", "size_gb"]

M = TypeVar("M")

#: A Compute Engine resource name (RFC 1035 label, at most 63 characters).
_NAME = re.compile(r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?")
_SCOPE_ROOT = "https://www.googleapis.com/auth/"


def check_name(name: Any, what: str = "name") -> str:
    """``name`` if Compute Engine accepts it as a resource name, else ValidationError."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValidationError(
            f"{what} {name!r} is not a valid Compute Engine name (lower-case letters, digits "
            "and '-', starting with a letter, at most 63 characters)"
        )
    return name


def name_of(value: Any, what: str = "resource") -> str:
    """The name of a model object (its ``name``), a resource URL's last segment, or a string."""
    found = getattr(value, "name", value)
    if not isinstance(found, str) or not found:
        raise ValidationError(f"expected a {what} or its name, got {value!r}")
    return last_segment(found) if "/" in found else found


def size_gb(value: Any, what: str = "size") -> str:
    """A positive whole number of GB as the API's string, else ValidationError."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or isinstance(value, bool) or (isinstance(value, float) and value != number):
        raise ValidationError(f"{what} must be a positive whole number of GB, not {value!r}")
    return str(number)


def segment(value: str) -> str:
    """``value`` encoded as one path segment."""
    return quote(value, safe="")


def _scopes(scopes: Any) -> tuple[str, ...]:
    if not scopes:
        return COMPUTE_SCOPES
    listed = [scopes] if isinstance(scopes, str) else list(scopes)
    return tuple(s if "://" in s else _SCOPE_ROOT + s for s in listed)


def _key_info(user_id: str | None, key: Any) -> dict[str, Any]:
    """Libcloud's ``key``: a JSON key file's path, its JSON (text or dict), or a PEM key."""
    if not isinstance(key, str | os.PathLike | Mapping):
        raise ConfigurationError("key must be a key file's path, its JSON text or a dict")
    if isinstance(key, str) and "PRIVATE KEY-----" in key and not key.lstrip().startswith("{"):
        if not user_id:
            raise ConfigurationError(
                "a PEM private key needs user_id=<the service account's email>"
            )
        return {"type": "service_account", "client_email": user_id, "private_key": key}
    info = load_service_account(key)
    if user_id and not info.get("client_email"):
        info["client_email"] = user_id
    return info


class GCEBase(NodeDriverCore):
    """Holds the API client and the default zone; builds API calls as flows.

    ``GCENodeDriver(user_id, key, datacenter="us-central1-a", project="my-project")`` with
    ``user_id`` the service account's e-mail (optional: the key file has it) and ``key`` its
    JSON key (a file's path, the JSON text or a dict). ``ex_token=`` sends an access token
    instead; ``endpoint=`` is the API origin (default ``https://compute.googleapis.com``).
    """

    name = "Google Compute Engine"
    website = "https://cloud.google.com/"
    type: str | None = "gce"
    features: dict[str, list[str]] = {"create_node": ["ssh_key"]}

    def __init__(
        self,
        user_id: str | None = None,
        key: Any = None,
        *,
        datacenter: str | None = None,
        project: str | None = None,
        auth_type: str | None = None,
        scopes: Any = None,
        credential_file: str | None = None,
        endpoint: str | None = None,
        ex_token: str | None = None,
        page_size: int = 500,
        poll_interval: float = 1.0,
        wait_timeout: float = 600.0,
        refresh_margin: float = 300.0,
        timeout: float | None = None,
        verify: bool | str | None = None,
        http: HttpConfig | None = None,
        transport: Any = None,
    ) -> None:
        if not 1 <= page_size <= 500:
            raise ValidationError("page_size must be 1 to 500 (Compute Engine's maxResults)")
        if auth_type not in (None, "SA", "service_account"):
            raise NotSupportedError(
                f"auth_type={auth_type!r} is not supported: use a service account key (SA) "
                "or ex_token="
            )
        config = driver_config(http, timeout=timeout, verify=verify, transport=transport)
        redactor = Redactor()
        auth: TokenSource
        if key is None and ex_token is None:
            key = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS") or None
        if ex_token is not None:
            auth = AccessToken(ex_token, redactor)
        elif key is not None:
            info = _key_info(user_id, key)
            if info.get("type", "service_account") != "service_account":
                raise NotSupportedError(
                    f"credentials of type {info.get('type')!r} are not supported: use a "
                    "service account key or ex_token="
                )
            account = ServiceAccount(
                info, redactor, config.retry, scopes=_scopes(scopes),
                refresh_margin=refresh_margin, provider="gce",
            )  # fmt: skip
            project = project or account.project_id
            auth = account
        else:
            raise ConfigurationError(
                "Compute Engine needs credentials: a service account key (key=<key file>), "
                "ex_token=, or GOOGLE_APPLICATION_CREDENTIALS"
            )
        if not project:
            raise ConfigurationError("Compute Engine needs project= (the key file has none)")
        self.project = project
        self.zone = datacenter
        self.credential_file = credential_file  # Libcloud's token cache: tokens stay in memory
        self.page_size = page_size
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout
        self.client = GceClient(endpoint or DEFAULT_ENDPOINT, project, auth, config.retry, redactor)
        self._open(config, redactor)

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} project={self.project!r} zone={self.zone!r}>"

    @property
    def ex_auth(self) -> TokenSource:
        """Where access tokens come from (never a secret in its ``repr``)."""
        return self.client.auth

    @property
    def region(self) -> str | None:
        """The region of the default zone (``us-central1`` for ``us-central1-a``)."""
        return self.zone.rsplit("-", 1)[0] if self.zone and "-" in self.zone else None

    # -- places -------------------------------------------------------------------------------
    def _zone_of(self, location: Any = None, what: str = "this call") -> str:
        """The zone name of ``location`` (a NodeLocation, name or URL), else the default."""
        if location is not None:
            return name_of(location, "location")
        if not self.zone:
            raise ValidationError(f"{what} needs a zone: pass location= or datacenter=")
        return self.zone

    def _region_of(self, region: Any = None) -> str:
        if region is not None:
            return name_of(region, "region")
        found = self.region
        if not found:
            raise ValidationError("pass region= or create the driver with datacenter=")
        return found

    def _zone_of_node(self, node: Any) -> str:
        extra = getattr(node, "extra", None) or {}
        return self._zone_of(extra.get("zone"), "a node without a zone")

    def _node_path(self, node: Any) -> str:
        name = check_name(name_of(node, "node"), "instance name")
        return f"zones/{segment(self._zone_of_node(node))}/instances/{segment(name)}"

    # -- requests -----------------------------------------------------------------------------
    def _get(self, path: str, **query: Any) -> Flow[dict[str, Any]]:
        pairs = [(k, str(v)) for k, v in query.items() if v is not None]
        return (yield from self.client.json("GET", path, query=pairs))

    def _pages(self, path: str, query: Mapping[str, Any] | None = None) -> Flow[None]:
        """Emit the ``items`` of a list page by page, following ``nextPageToken``."""
        yield from self._paged(path, query, _list_items)

    def _aggregated(self, kind: str, query: Mapping[str, Any] | None = None) -> Flow[None]:
        """Emit the resources of ``aggregated/<kind>`` (every zone or region) page by page."""

        def items(doc: Mapping[str, Any]) -> list[Any]:
            scopes = doc.get("items")
            found: list[Any] = []
            if isinstance(scopes, Mapping):
                for scope in scopes.values():
                    if isinstance(scope, Mapping):
                        listed = scope.get(kind) or []
                        found.extend(i for i in listed if isinstance(i, Mapping))
            return found

        yield from self._paged(f"aggregated/{kind}", query, items)

    def _paged(
        self,
        path: str,
        query: Mapping[str, Any] | None,
        items: Callable[[Mapping[str, Any]], list[Any]],
    ) -> Flow[None]:
        params = [(k, str(v)) for k, v in (query or {}).items() if v is not None]
        params.append(("maxResults", str(self.page_size)))
        seen: set[str] = set()
        page = list(params)
        while True:
            doc = yield from self.client.json("GET", path, query=page)
            found = items(doc)
            if found:
                yield Emit(found)
            token = doc.get("nextPageToken")
            if not isinstance(token, str) or not token or token in seen:
                return
            seen.add(token)
            page = [*params, ("pageToken", token)]

    def _all(self, flow: Flow[None], convert: Callable[[Any], M]) -> Flow[list[M]]:
        found: list[M] = yield from collect(flow, convert)
        return found

    # -- operations ---------------------------------------------------------------------------
    def _operation_path(self, doc: Mapping[str, Any]) -> str:
        name = segment(str(doc.get("name") or ""))
        if doc.get("zone"):
            return f"zones/{segment(last_segment(doc['zone']))}/operations/{name}"
        if doc.get("region"):
            return f"regions/{segment(last_segment(doc['region']))}/operations/{name}"
        return f"global/operations/{name}"

    def _wait_operation(
        self, doc: Mapping[str, Any], what: str, timeout: float | None = None
    ) -> Flow[dict[str, Any]]:
        """Poll an operation until it is DONE; its document, or the error it finished with."""
        if not doc.get("name"):
            return dict(doc)  # not an operation: nothing to wait for
        path = self._operation_path(doc)
        redactor = self.client.redactor

        def finished(current: Mapping[str, Any]) -> PollStatus:
            if current.get("status") != "DONE":
                return PollStatus(done=False, progress=current.get("progress"))
            if current.get("error"):
                raise operation_error(current, what, redactor)
            return PollStatus(done=True, value=dict(current))

        first = finished(doc)
        if first.done:
            result: dict[str, Any] = first.value
            return result

        def check() -> Flow[PollStatus]:
            current = yield from self.client.json("GET", path, operation=f"gce wait: {what}")
            return finished(current)

        settings = PollSettings(
            interval=self.poll_interval,
            first_interval=min(self.poll_interval, 0.25),
            timeout=self.wait_timeout if timeout is None else timeout,
        )
        result = yield from poll(check, settings, what=what, job_id=str(doc.get("name")))
        return result

    def _act(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        what: str,
        query: Mapping[str, Any] | None = None,
    ) -> Flow[dict[str, Any]]:
        """Send a mutating call and wait for the operation it starts."""
        pairs = [(k, str(v)) for k, v in (query or {}).items() if v is not None]
        doc = yield from self.client.json(method, path, body, query=pairs, operation=f"gce {what}")
        return (yield from self._wait_operation(doc, what))


def _list_items(doc: Mapping[str, Any]) -> list[Any]:
    return [i for i in doc.get("items") or [] if isinstance(i, Mapping)]
