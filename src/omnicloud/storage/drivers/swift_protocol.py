"""Swift's wire details: names in URL paths, error answers, and temp URL signatures.

Object names go into the path percent-encoded segment by segment; a ``.`` or ``..`` segment is
sent as ``%2E``/``%2E%2E``, which no client library, proxy or server normalises away, and which
Swift decodes back to the very name given: ``logs/../victim`` is stored and read as that exact
name and can never address ``victim`` (the S3 driver's choice, made safe for Swift too).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

from omnicloud.errors import (
    InvalidCredentialsError,
    OmnicloudError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
    ValidationError,
)
from omnicloud.http import HttpResponse, Redactor
from omnicloud.openstack._errors import provider_message
from omnicloud.storage._names import check_utf8
from omnicloud.storage.errors import (
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidContainerNameError,
    InvalidObjectNameError,
    InvalidRangeError,
    ObjectDoesNotExistError,
    ObjectHashMismatchError,
    StorageError,
)

__all__ = [
    "MAX_CONTAINER_BYTES",
    "MAX_OBJECT_BYTES",
    "TEMP_URL_DIGESTS",
    "container_path",
    "object_path",
    "storage_error",
    "temp_url_query",
]

#: Swift's default ``max_container_name_length`` and ``max_object_name_length``.
MAX_CONTAINER_BYTES = 256
MAX_OBJECT_BYTES = 1024
#: The digests Swift's tempurl middleware accepts (``allowed_digests``; SHA-1 is deprecated).
TEMP_URL_DIGESTS = ("sha256", "sha512", "sha1")


def container_path(name: str) -> str:
    """``/<container>`` encoded, or :class:`InvalidContainerNameError`."""
    if not isinstance(name, str) or not name:
        raise InvalidContainerNameError("Swift container names must be non-empty strings")
    encoded = check_utf8(name, "container")
    if "/" in name:
        raise InvalidContainerNameError(f"Swift container name {name!r} contains '/'")
    if len(encoded) > MAX_CONTAINER_BYTES:
        raise InvalidContainerNameError(
            f"Swift container names are at most {MAX_CONTAINER_BYTES} bytes of UTF-8"
        )
    return "/" + quote(name, safe="")


def _segment(segment: str) -> str:
    if segment in (".", ".."):
        return "%2E" * len(segment)
    return quote(segment, safe="")


def object_path(container: str, name: str) -> str:
    """``/<container>/<object>`` encoded (dot segments kept, see the module), or
    :class:`InvalidObjectNameError` for a name Swift cannot hold."""
    if not isinstance(name, str) or not name:
        raise InvalidObjectNameError("Swift object names must be non-empty strings")
    encoded = check_utf8(name)
    if len(encoded) > MAX_OBJECT_BYTES:
        raise InvalidObjectNameError(
            f"Swift object names are at most {MAX_OBJECT_BYTES} bytes of UTF-8, not {len(encoded)}"
        )
    if "\x00" in name:
        raise InvalidObjectNameError("Swift object names must not contain NUL")
    return container_path(container) + "/" + "/".join(_segment(s) for s in name.split("/"))


def storage_error(
    response: HttpResponse,
    operation: str,
    missing: str = "object",
    redactor: Redactor | None = None,
) -> OmnicloudError:
    """The storage exception for a Swift error answer. ``missing`` says what a 404 means
    (``"container"`` or ``"object"``); a 409 to a container DELETE is a non-empty container."""
    status = response.status
    said = provider_message(response, redactor) if response.content else ""
    message = f"{operation}: HTTP {status}" + (f": {said}" if said else "")
    cls: type[ProviderError] = StorageError
    if status == 404:
        cls = ContainerDoesNotExistError if missing == "container" else ObjectDoesNotExistError
    elif status == 401:
        cls = InvalidCredentialsError
    elif status == 403:
        cls = PermissionDeniedError
    elif status == 409 and missing == "container":
        cls = ContainerIsNotEmptyError
    elif status == 416:
        cls = InvalidRangeError
    elif status == 422:
        cls = ObjectHashMismatchError
    elif status in (429, 498):
        cls = RateLimitedError
    return cls(message, status=status, provider="openstack_swift")


def temp_url_query(
    key: str, method: str, path: str, expires: int, digest: str = "sha256"
) -> list[tuple[str, str]]:
    """``temp_url_sig`` and ``temp_url_expires`` for ``method`` on ``path`` (the URL path, not
    encoded, ``/v1/AUTH_x/container/object``) until epoch second ``expires``.

    The signature is the HMAC of ``"METHOD\\nEXPIRES\\nPATH"`` under the account's temp URL key:
    hex for SHA-1 and SHA-256, ``sha512:`` and URL-safe base64 for SHA-512 (Swift's tempurl
    documentation).
    """
    algorithm = digest.lower()
    if algorithm not in TEMP_URL_DIGESTS:
        raise ValidationError(f"temp URL digest must be one of {TEMP_URL_DIGESTS}, not {digest!r}")
    body = f"{method.upper()}\n{expires}\n{path}".encode()
    mac = hmac.new(key.encode(), body, getattr(hashlib, algorithm))
    if algorithm == "sha512":
        signature = "sha512:" + base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")
    else:
        signature = mac.hexdigest()
    return [("temp_url_sig", signature), ("temp_url_expires", str(expires))]
