"""The Docker Engine API as flows: where the daemon is, version negotiation, errors, streams.

Where: ``endpoint=`` (``unix:///var/run/docker.sock``, ``tcp://host:2376``,
``http(s)://host:port``), or Libcloud's ``host``/``port``/``secure``, or the docker CLI's
environment (``DOCKER_HOST``, ``DOCKER_TLS_VERIFY``, ``DOCKER_CERT_PATH``): :func:`locate`.

Versions: the first call asks ``GET /version`` (unversioned) and every later path is
``/v1.NN/...`` with the lower of the server's ``ApiVersion`` and :data:`MAX_API_VERSION`, never
above what the server speaks (:func:`negotiate`).

Errors: Docker answers ``{"message": "..."}``; 404 becomes :class:`DockerNotFoundError` (a
:class:`~omnicloud.errors.NotFoundError`), 409 :class:`DockerConflictError`.

Streams: logs of a container without a TTY come multiplexed, each frame an 8-byte header
(stream 0/1/2, three zero bytes, a big-endian length) then the payload
(:class:`FrameDecoder`); pulls and imports answer JSON objects one after another, an error
being an object with ``error`` in it (:class:`JsonStreamDecoder`). Nothing here does I/O.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from omnicloud.errors import (
    InvalidCredentialsError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    ValidationError,
)
from omnicloud.http._config import RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = [
    "MAX_API_VERSION",
    "MIN_API_VERSION",
    "DockerAuthError",
    "DockerConflictError",
    "DockerError",
    "DockerNotFoundError",
    "DockerPermissionError",
    "DockerSettings",
    "DockerStreamError",
    "FrameDecoder",
    "JsonStreamDecoder",
    "Location",
    "call",
    "error_from",
    "locate",
    "negotiate",
    "version_text",
]

#: The newest Engine API version omnicloud speaks (what it asks for when the server has newer).
MAX_API_VERSION = "1.45"
#: The oldest it accepts (Docker 1.12): older servers lack the calls and fields used here.
MIN_API_VERSION = "1.24"
#: Libcloud's default daemon address.
DEFAULT_HOST = "localhost"
DEFAULT_PORT = 4243
#: Where a unix-socket request's URL points (the socket decides; the daemon ignores the host).
UNIX_BASE = "http://localhost"


class DockerError(ProviderError):
    """An error answer from the Docker daemon; ``error`` is Docker's own message."""

    def __init__(self, message: str, *, status: int | None = None, error: str = "") -> None:
        super().__init__(message, status=status, code=status, provider="docker")
        self.error = error


class DockerAuthError(DockerError, InvalidCredentialsError):
    """HTTP 401: the daemon (or a proxy in front of it) refused the credentials."""


class DockerPermissionError(DockerError, PermissionDeniedError):
    """HTTP 403: an authorization plugin or proxy refused the call."""


class DockerNotFoundError(DockerError, NotFoundError):
    """HTTP 404: no such container or image."""


class DockerConflictError(DockerError):
    """HTTP 409: a name in use, a running container removed without force, an image in use."""


class DockerStreamError(DockerError):
    """An error reported inside a progress stream (a pull or import that failed midway)."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where the daemon is: ``base`` URL of requests and, for a unix socket, its ``socket``.

    ``cert_file``/``key_file``/``ca_cert`` are TLS file paths (paths only; never read here).
    """

    base: str
    socket: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    ca_cert: str | None = None

    @property
    def tls(self) -> bool:
        return self.base.startswith("https://")

    @property
    def display(self) -> str:
        """The address as a user writes it (``unix:///run/docker.sock``, ``https://h:2376``)."""
        return f"unix://{self.socket}" if self.socket else self.base


def _netloc(host: str, port: int | None) -> str:
    bracketed = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return bracketed + (f":{port}" if port else "")


def _from_url(url: str, tls: bool, cert: str | None, key: str | None, ca: str | None) -> Location:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "unix":
        path = (parts.netloc + parts.path) if parts.netloc else parts.path
        if not path:
            raise ValidationError(f"the docker endpoint {url!r} names no socket path")
        return Location(UNIX_BASE, path)
    if scheme == "tcp":
        scheme = "https" if tls or cert else "http"
    elif scheme not in ("http", "https"):
        raise ValidationError(
            f"the docker endpoint must be unix://, tcp://, http:// or https://, not {url!r}"
        )
    if not parts.hostname:
        raise ValidationError(f"the docker endpoint {url!r} names no host")
    if scheme == "http" and (tls or cert):
        scheme = "https"
    default = 2376 if scheme == "https" else 2375
    port = parts.port if parts.port is not None else default
    base = f"{scheme}://{_netloc(parts.hostname, port)}{parts.path.rstrip('/')}"
    return Location(base, None, cert, key, ca)


def locate(
    *,
    endpoint: str | None = None,
    host: str | None = None,
    port: int | None = None,
    secure: bool = False,
    key_file: str | None = None,
    cert_file: str | None = None,
    ca_cert: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Location:
    """Where the daemon is, from the arguments, else the environment, else Libcloud's default.

    ``host`` may carry a scheme as Libcloud allows (``https://198.51.100.7``), or be a
    ``unix://`` path. Without ``endpoint`` and ``host``, ``DOCKER_HOST`` is read (with
    ``DOCKER_TLS_VERIFY``/``DOCKER_CERT_PATH`` for ``ca.pem``, ``cert.pem``, ``key.pem``, as the
    docker CLI does); without it, ``http://localhost:4243`` (Libcloud's default).
    """
    if key_file and not cert_file:
        raise ValidationError("key_file given without cert_file")
    if endpoint is None and host is None:
        env = os.environ if environ is None else environ
        docker_host = env.get("DOCKER_HOST", "").strip()
        if docker_host:
            endpoint = docker_host
            if env.get("DOCKER_TLS_VERIFY", "").strip() not in ("", "0"):
                secure = True
                folder = env.get("DOCKER_CERT_PATH", "").strip() or os.path.join(
                    os.path.expanduser("~"), ".docker"
                )
                ca_cert = ca_cert or os.path.join(folder, "ca.pem")
                cert_file = cert_file or os.path.join(folder, "cert.pem")
                key_file = key_file or os.path.join(folder, "key.pem")
        else:
            host = DEFAULT_HOST
    if endpoint is not None:
        if not endpoint.strip():
            raise ValidationError("the docker endpoint must not be empty")
        if "://" not in endpoint:
            endpoint = f"tcp://{endpoint}"
        return _from_url(endpoint, secure, cert_file, key_file, ca_cert)
    assert host is not None
    if "://" in host:
        parts = urlsplit(host)
        if parts.scheme.lower() == "unix":
            return _from_url(host, False, None, None, None)
        if parts.port is None and port:
            host = f"{parts.scheme}://{_netloc(parts.hostname or '', port)}{parts.path}"
        return _from_url(host, secure, cert_file, key_file, ca_cert)
    scheme = "https" if secure or cert_file else "http"
    return _from_url(
        f"{scheme}://{_netloc(host, port or DEFAULT_PORT)}", secure, cert_file, key_file, ca_cert
    )


def _version(text: str) -> tuple[int, int]:
    major, _, minor = text.strip().lstrip("v").partition(".")
    try:
        return int(major), int(minor or 0)
    except ValueError:
        raise ValidationError(f"{text!r} is not a Docker API version (like 1.41)") from None


def version_text(text: str) -> str:
    """``text`` as an API version (``"v1.41"`` -> ``"1.41"``); ValidationError if it is none."""
    major, minor = _version(text)
    return f"{major}.{minor}"


def negotiate(server: str, server_min: str | None, pinned: str | None) -> str:
    """The API version to speak: ``pinned`` (checked against the server's range), else the
    lower of the server's version and :data:`MAX_API_VERSION`."""
    top = _version(server)
    bottom = _version(server_min) if server_min else (1, 12)
    if pinned is not None:
        wanted = _version(pinned)
        if wanted > top or wanted < bottom:
            raise ValidationError(
                f"docker API version {pinned} is outside what the server speaks "
                f"({'.'.join(map(str, bottom))} to {server})"
            )
        return f"{wanted[0]}.{wanted[1]}"
    chosen = min(top, _version(MAX_API_VERSION))
    if chosen < _version(MIN_API_VERSION):
        raise DockerError(
            f"the Docker daemon speaks API {server}; omnicloud needs {MIN_API_VERSION} or newer"
        )
    return f"{chosen[0]}.{chosen[1]}"


@dataclass(slots=True)
class DockerSettings:
    """What a call needs besides the transport: the daemon, the negotiated version and the
    ``Authorization`` header (never shown)."""

    location: Location
    api_version: str | None = None
    pinned: str | None = None
    authorization: str = field(default="", repr=False)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    server: dict[str, Any] = field(default_factory=dict, repr=False)

    def url(self, path: str, *, versioned: bool = True) -> str:
        """The URL of ``path`` (``/containers/json``), under ``/v1.NN`` when ``versioned``."""
        prefix = f"/v{self.api_version}" if versioned and self.api_version else ""
        return f"{self.location.base}{prefix}{path}"

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.authorization:
            headers["Authorization"] = self.authorization
        headers.update(extra or {})
        return headers


def segment(value: str) -> str:
    """One path segment (an id, a name, an image reference with its ``/`` and ``:``)."""
    if not value:
        raise ValidationError("an empty id or name")
    return quote(value, safe=":@")


def _message(response: HttpResponse) -> str:
    try:
        document = json.loads(response.content) if response.content else None
    except ValueError:
        document = None
    if isinstance(document, dict) and document.get("message"):
        return str(document["message"])
    return response.excerpt() or response.reason


def error_from(response: HttpResponse, operation: str) -> DockerError:
    """The exception for an error ``response`` to ``operation`` (``"inspect container x"``)."""
    status = response.status
    text = _message(response)
    message = f"docker {operation}: HTTP {status}: {text}"
    kinds: dict[int, type[DockerError]] = {
        401: DockerAuthError,
        403: DockerPermissionError,
        404: DockerNotFoundError,
        409: DockerConflictError,
    }
    return kinds.get(status, DockerError)(message, status=status, error=text)


def parse(response: HttpResponse, operation: str) -> Any:
    """The JSON answer (None for an empty one) or the error."""
    if response.status >= 400:
        raise error_from(response, operation)
    if response.status in (204, 304) or not response.content.strip():
        return None
    if response.content_type and "json" not in response.content_type:
        raise MalformedResponseError(
            f"docker {operation}: HTTP {response.status} is {response.content_type}, not JSON; "
            "is the endpoint a Docker daemon?",
            status=response.status,
            excerpt=response.excerpt(),
        )
    return response.json()


def request(
    settings: DockerSettings,
    method: str,
    path: str,
    operation: str,
    *,
    params: Sequence[tuple[str, str]] = (),
    body: Any = None,
    content: Any = None,
    headers: Mapping[str, str] | None = None,
    idempotent: bool | None = None,
    versioned: bool = True,
) -> HttpRequest:
    """The request for ``path`` (JSON ``body``, or raw ``content``)."""
    extra = dict(headers or {})
    if body is not None:
        content = json.dumps(body, separators=(",", ":")).encode("utf-8")
        extra["Content-Type"] = "application/json"
    return HttpRequest(
        method=method,
        url=settings.url(path, versioned=versioned),
        params=list(params),
        headers=settings.headers(extra),
        content=content,
        operation=f"docker {operation}",
        idempotent=idempotent,
    )


def version(settings: DockerSettings) -> Flow[str]:
    """The API version to speak, asked of the server once (``GET /version``)."""
    if settings.api_version is None:
        from omnicloud.http._retry import send_parsed

        probe = request(settings, "GET", "/version", "version", versioned=False)
        doc = yield from send_parsed(probe, settings.retry, lambda r: parse(r, "version"))
        if not isinstance(doc, dict) or not doc.get("ApiVersion"):
            raise MalformedResponseError("docker version: the answer has no ApiVersion")
        settings.server = doc
        settings.api_version = negotiate(
            str(doc["ApiVersion"]), doc.get("MinAPIVersion"), settings.pinned
        )
    return settings.api_version


def call(
    settings: DockerSettings,
    method: str,
    path: str,
    operation: str,
    *,
    params: Sequence[tuple[str, str]] = (),
    body: Any = None,
    idempotent: bool | None = None,
) -> Flow[Any]:
    """One API call on ``/v1.NN`` + ``path``: the JSON answer (None for 204/304), or a
    :class:`DockerError`. Safe calls are retried by the shared retry flow."""
    from omnicloud.http._retry import send_parsed

    yield from version(settings)
    built = request(
        settings, method, path, operation, params=params, body=body, idempotent=idempotent
    )
    result = yield from send_parsed(built, settings.retry, lambda r: parse(r, operation))
    return result


# -- streams ---------------------------------------------------------------------------------
STREAMS = {0: "stdin", 1: "stdout", 2: "stderr"}
_HEADER = struct.Struct(">BxxxL")


class FrameDecoder:
    """Docker's multiplexed stream: feed bytes as they arrive, get ``(stream, payload)`` frames.

    A frame may arrive in pieces, or several in one piece; :meth:`feed` keeps the remainder.
    """

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> Iterator[tuple[str, bytes]]:
        self._buffer += data
        while len(self._buffer) >= _HEADER.size:
            kind, size = _HEADER.unpack_from(self._buffer)
            if kind not in STREAMS:
                raise MalformedResponseError(
                    f"docker logs: stream type {kind} in a multiplexed stream (a TTY container's "
                    "raw stream read as multiplexed?)"
                )
            end = _HEADER.size + size
            if len(self._buffer) < end:
                return
            payload = bytes(self._buffer[_HEADER.size : end])
            del self._buffer[:end]
            yield STREAMS[kind], payload

    def close(self) -> None:
        """The stream ended: a partial frame left over is an error."""
        if self._buffer:
            raise MalformedResponseError(
                f"docker logs: the stream ended inside a frame ({len(self._buffer)} bytes left)"
            )


class JsonStreamDecoder:
    """A progress stream of JSON objects (one per line, or back to back): feed bytes, get dicts;
    an object with ``error`` raises :class:`DockerStreamError`."""

    __slots__ = ("_buffer", "_decoder", "operation")

    def __init__(self, operation: str) -> None:
        self._buffer = ""
        self._decoder = json.JSONDecoder()
        self.operation = operation

    def feed(self, data: bytes) -> Iterator[dict[str, Any]]:
        self._buffer += data.decode("utf-8", errors="replace")
        while True:
            text = self._buffer.lstrip()
            if not text:
                self._buffer = ""
                return
            try:
                item, end = self._decoder.raw_decode(text)
            except ValueError:
                self._buffer = text
                return  # incomplete: wait for more
            self._buffer = text[end:]
            if not isinstance(item, dict):
                continue
            if item.get("error") or item.get("errorDetail"):
                detail = item.get("errorDetail") or {}
                text_error = str(item.get("error") or detail.get("message") or "failed")
                raise DockerStreamError(
                    f"docker {self.operation}: {text_error}", status=None, error=text_error
                )
            yield item

    def close(self) -> None:
        if self._buffer.strip():
            raise MalformedResponseError(
                f"docker {self.operation}: the progress stream ended inside an object",
                excerpt=self._buffer[:200],
            )
