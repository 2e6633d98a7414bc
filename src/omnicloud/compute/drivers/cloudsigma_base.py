"""Construction of CloudSigma drivers and the flow helpers every operation is built from."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from omnicloud._collect import collect
from omnicloud.cloudsigma import _protocol as p
from omnicloud.cloudsigma._client import make_settings
from omnicloud.cloudsigma._errors import CloudSigmaNotFoundError, EndpointGoneError
from omnicloud.cloudsigma._regions import DEFAULT_REGION, is_loopback
from omnicloud.compute._driver import NodeDriverCore
from omnicloud.errors import MalformedResponseError, ValidationError
from omnicloud.http._config import HttpConfig
from omnicloud.http._redact import Redactor

from .cloudsigma_models import DEFAULT_MHZ_PER_CORE, CloudSigmaCapabilities

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["CloudSigmaBase", "ident"]

M = TypeVar("M")


def ident(value: Any) -> str:
    """The UUID of a model object or a plain id string."""
    found = getattr(value, "id", value)
    if not found or not isinstance(found, str | int):
        raise ValidationError(f"expected an object with an id or an id string, got {value!r}")
    return str(found)


class CloudSigmaBase(NodeDriverCore):
    """Holds the endpoint, credentials and HTTP options; builds API calls as flows.

    ``CloudSigmaNodeDriver(email, password, region="zrh")``; ``host=``/``port=`` or
    ``endpoint=`` point it elsewhere (plain HTTP only to a loopback simulator, with
    ``secure=False``). ``api_version="1.0"`` raises: CloudSigma retired it. A region code
    missing from the static table is looked up in ``GET /locations/`` of a known location
    (``discovery_endpoint``, default Zurich) before the first call.
    """

    name = "CloudSigma (API v2.0)"
    website = "https://www.cloudsigma.com/"
    type: str | None = "cloudsigma"
    features = {"create_node": ["ssh_key"]}

    def __init__(
        self,
        key: str,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        region: str = DEFAULT_REGION,
        api_version: str | None = "2.0",
        *,
        endpoint: str | None = None,
        discovery_endpoint: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        verify: bool | str = True,
        page_size: int = 100,
        concurrency: int = 4,
        poll_interval: float = 2.0,
        wait_timeout: float = 600.0,
        mhz_per_core: int = DEFAULT_MHZ_PER_CORE,
        http: HttpConfig | None = None,
        transport: Any = None,
    ) -> None:
        if secret is None:
            raise ValidationError("CloudSigma needs the account email (key) and password (secret)")
        if host and not endpoint and (port is not None or not secure):
            if not secure and not is_loopback(host):
                raise ValidationError(
                    "secure=False would send the password in clear text (HTTP Basic); only a "
                    "loopback simulator may be reached over plain http"
                )
            scheme = "https" if secure else "http"
            endpoint = f"{scheme}://{host}{f':{port}' if port else ''}/api/2.0/"
            host = None
        elif not secure and not endpoint:
            raise ValidationError(
                "secure=False would send the password in clear text (HTTP Basic); CloudSigma "
                "needs https"
            )
        self.region = region
        self.mhz_per_core = mhz_per_core
        settings, config, redactor = make_settings(
            key,
            secret,
            region=region,
            host=host,
            endpoint=endpoint,
            api_version=api_version,
            discovery_endpoint=discovery_endpoint,
            timeout=timeout,
            verify=verify,
            retry=retries,
            page_size=page_size,
            concurrency=concurrency,
            poll_interval=poll_interval,
            wait_timeout=wait_timeout,
            http=http,
            transport=transport,
        )
        self._settings = settings
        self._capabilities: CloudSigmaCapabilities | None = None
        self._open(config, redactor)

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    @property
    def endpoint(self) -> str:
        """The API base URL (provisional for a region still to be discovered)."""
        return self._settings.endpoint

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.endpoint}>"

    # -- flow helpers -------------------------------------------------------------------------
    def _get(self, path: str, **params: Any) -> Flow[Any]:
        result = yield from p.call(self._settings, "GET", path, params=params)
        return result

    def _send(self, method: str, path: str, body: Any = None, **params: Any) -> Flow[Any]:
        result = yield from p.call(self._settings, method, path, params=params, body=body)
        return result

    def _create(self, path: str, objects: Sequence[Mapping[str, Any]], **params: Any) -> Flow[Any]:
        """POST ``{"objects": [...]}``; the first created object."""
        body = {"objects": [dict(o) for o in objects]}
        result = yield from p.call(self._settings, "POST", path, params=params, body=body)
        return _first(result, path)

    def _action(self, path: str, do: str, body: Any = None, **params: Any) -> Flow[Any]:
        result = yield from p.action(self._settings, path, do, body=body, params=params)
        return result

    def _all(
        self,
        path: str,
        convert: Callable[[Any], M],
        params: Mapping[str, Any] | None = None,
        pages: Callable[[list[Any]], Flow[list[Any]]] | None = None,
    ) -> Flow[list[M]]:
        """Every object of a list endpoint across pages, converted."""
        flow = p.list_items(
            self._settings,
            path,
            dict(params or {}),
            concurrency=self._settings.concurrency,
            pages=pages,
        )
        items: list[M] = yield from collect(flow, convert)
        return items

    def _wait(
        self, path: str, status: str | Sequence[str], timeout: float | None = None
    ) -> Flow[dict[str, Any]]:
        result = yield from p.wait_for_status(self._settings, path, status, timeout=timeout)
        return result

    def _legacy(self, flow: Flow[M], feature: str) -> Flow[M]:
        """Run ``flow``; a 404 from a decommissioned endpoint becomes EndpointGoneError."""
        try:
            result: M = yield from flow
        except CloudSigmaNotFoundError as exc:
            if "object with uuid" not in (exc.error_message or "").lower():
                raise EndpointGoneError(
                    f"CloudSigma no longer serves {feature} (decommissioned on 2022-10-05); "
                    "use virtual-router firewalls in the CloudSigma web app instead",
                    status=404,
                    error_type=exc.error_type,
                    error_message=exc.error_message,
                ) from None
            raise
        return result


def _first(result: Any, path: str) -> Any:
    if isinstance(result, dict) and isinstance(result.get("objects"), list) and result["objects"]:
        return result["objects"][0]
    if isinstance(result, dict) and "uuid" in result:
        return result
    raise MalformedResponseError(f"POST /{path}/: expected the created object in 'objects'")
