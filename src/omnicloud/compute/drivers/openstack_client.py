"""The OpenStack compute driver's wire helpers: error documents of Nova, Neutron, Cinder and
Glance as exceptions, the Nova microversion, and ``limit``/``marker`` paging by next links.

Errors keep the class of :mod:`omnicloud.openstack` (a 404 is an
:class:`~omnicloud.openstack.OpenStackNotFoundError`, hence a ``NotFoundError``) and add two:
:class:`OpenStackConflictError` (409: the server is busy, a name is taken) and
:class:`OpenStackQuotaError` (Nova's quota 403, Cinder's 413, Neutron's ``OverQuota``). The
message names the operation, the status and the service's own words; the session's redactor
removes any secret it knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnicloud.http import HttpResponse, Redactor
from omnicloud.openstack._errors import (
    OpenStackAuthError,
    OpenStackError,
    OpenStackNotFoundError,
    OpenStackPermissionError,
    OpenStackRateLimitedError,
)

__all__ = [
    "WANTED_MICROVERSION",
    "OpenStackConflictError",
    "OpenStackQuotaError",
    "choose_microversion",
    "compute_error",
    "error_words",
    "next_link",
    "version_tuple",
]

#: The Nova microversion the driver is written for; a server offering less gets its maximum.
WANTED_MICROVERSION = "2.79"


class OpenStackConflictError(OpenStackError):
    """HTTP 409: the resource is in a state that refuses the request (busy server, name taken)."""


class OpenStackQuotaError(OpenStackError):
    """A quota is exhausted (Nova's 403 "Quota exceeded", Cinder's 413, Neutron's OverQuota)."""


def _words(doc: Any) -> tuple[str, str]:
    """(kind, message) of a Nova/Cinder fault, a Neutron error or a Keystone error document."""
    if not isinstance(doc, Mapping) or not doc:
        return "", ""
    neutron = doc.get("NeutronError")
    if isinstance(neutron, Mapping):
        return str(neutron.get("type") or ""), str(neutron.get("message") or "")
    if isinstance(doc.get("message"), str):  # Neutron's plain {"message": ...}, Placement's
        return "", str(doc["message"])
    for kind, body in doc.items():  # {"itemNotFound": {"code": 404, "message": ...}}
        if isinstance(body, Mapping) and ("message" in body or "code" in body):
            return str(kind), str(body.get("message") or body.get("title") or "")
    return "", ""


def error_words(response: HttpResponse) -> tuple[str, str]:
    """(kind, message) of an error answer: the JSON document's words, else Glance's text page
    without its title line."""
    if response.content and "json" in response.content_type:
        try:
            kind, said = _words(response.json())
        except ValueError:
            kind, said = "", ""
        if said or kind:
            return kind, said
    lines = [line.strip() for line in response.text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith(str(response.status)):
        lines = lines[1:]  # "404 Not Found" then the message
    return "", " ".join(" ".join(lines).split())[:300]


def compute_error(response: HttpResponse, operation: str, redactor: Redactor) -> OpenStackError:
    """The exception for an error answer of Nova, Neutron, Cinder or Glance."""
    kind, said = error_words(response)
    said = redactor.text(said)
    status = response.status
    lowered = said.lower()
    cls: type[OpenStackError] = OpenStackError
    if status == 404:
        cls = OpenStackNotFoundError
    elif status == 401:
        cls = OpenStackAuthError
    elif status == 413 or kind == "OverQuota" or (status == 403 and "quota" in lowered):
        cls = OpenStackQuotaError
    elif status == 403:
        cls = OpenStackPermissionError
    elif status == 409:
        cls = OpenStackConflictError
    elif status in (429, 498):
        cls = OpenStackRateLimitedError
    message = f"{operation}: HTTP {status}" + (f" {kind}" if kind else "")
    message += f": {said}" if said else ""
    if cls is OpenStackRateLimitedError:
        from omnicloud.http._retry import retry_after_header

        return OpenStackRateLimitedError(
            message, status=status, code=kind or None, provider="openstack",
            retry_after=retry_after_header(response),
        )  # fmt: skip
    return cls(message, status=status, code=kind or None, provider="openstack")


def version_tuple(text: str) -> tuple[int, int]:
    """``"2.79"`` as ``(2, 79)``; ``(0, 0)`` when empty or malformed."""
    major, _, minor = str(text or "").strip().partition(".")
    if not major.isdigit() or not minor.isdigit():
        return 0, 0
    return int(major), int(minor)


def choose_microversion(document: Any, wanted: str = WANTED_MICROVERSION) -> str | None:
    """The microversion to send, from Nova's version document (``{"version": {...}}`` or the
    ``{"versions": [...]}`` list): ``wanted`` when the server has it, else its highest, else
    None (a server without microversions: send no header)."""
    entry: Any = None
    if isinstance(document, Mapping):
        entry = document.get("version")
        if not isinstance(entry, Mapping):
            versions = document.get("versions")
            if isinstance(versions, Mapping):
                versions = versions.get("values")
            listed = [v for v in versions or [] if isinstance(v, Mapping)]
            entry = next((v for v in listed if v.get("status") == "CURRENT"), None)
            entry = entry or next((v for v in listed if v.get("id") == "v2.1"), None)
    if not isinstance(entry, Mapping):
        return None
    high, low = version_tuple(entry.get("version", "")), version_tuple(entry.get("min_version", ""))
    if high == (0, 0):
        return None
    chosen = min(version_tuple(wanted), high)
    chosen = max(chosen, low)
    return f"{chosen[0]}.{chosen[1]}"


def next_link(document: Any, key: str) -> str | None:
    """The ``next`` link of a page: Nova/Cinder/Neutron ``<key>_links``, Glance's ``next``."""
    if not isinstance(document, Mapping):
        return None
    for link in document.get(f"{key}_links") or []:
        if isinstance(link, Mapping) and link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    following = document.get("next")
    return str(following) if isinstance(following, str) and following else None
