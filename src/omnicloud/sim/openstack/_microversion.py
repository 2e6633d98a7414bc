"""Microversions: reading ``OpenStack-API-Version`` (and Nova's legacy header), answering 406
outside the served range, and echoing the version used."""

from __future__ import annotations

from ._errors import ApiError, nova
from ._request import Version

__all__ = ["echo_headers", "negotiate", "parse"]

_LEGACY = {"compute": "x-openstack-nova-api-version", "volume": "openstack-volume-microversion"}


def parse(text: str) -> Version:
    """``"2.53"`` as ``(2, 53)``; ValueError when malformed."""
    major, dot, minor = text.strip().partition(".")
    if not dot or not major.isdigit() or not minor.isdigit():
        raise ValueError(text)
    return int(major), int(minor)


def _requested(service: str, headers: dict[str, str]) -> str | None:
    for part in headers.get("openstack-api-version", "").split(","):
        name, _, value = part.strip().partition(" ")
        if name.lower() == service and value.strip():
            return value.strip()
    legacy = headers.get(_LEGACY[service])
    return legacy.strip() if legacy else None


def negotiate(service: str, headers: dict[str, str], low: str, high: str) -> Version:
    """The microversion to serve: the requested one, ``latest`` = the highest, none = the lowest.

    406 (``computeFault``) when it is outside ``low``..``high``; 400 when malformed.
    """
    minimum, maximum = parse(low), parse(high)
    wanted = _requested(service, headers)
    if wanted is None:
        return minimum
    if wanted.lower() == "latest":
        return maximum
    try:
        version = parse(wanted)
    except ValueError:
        raise nova(
            400,
            f"API Version String {wanted} is of invalid format. Must be of format "
            "MajorNum.MinorNum.",
        ) from None
    if not minimum <= version <= maximum:
        raise _unacceptable(wanted, low, high)
    return version


def _unacceptable(wanted: str, low: str, high: str) -> ApiError:
    return nova(
        406,
        f"Version {wanted} is not supported by the API. Minimum is {low} and maximum is {high}.",
    )


def echo_headers(service: str, version: Version) -> dict[str, str]:
    """The headers saying which microversion answered."""
    text = f"{version[0]}.{version[1]}"
    headers = {
        "OpenStack-API-Version": f"{service} {text}",
        "Vary": "OpenStack-API-Version",
    }
    if service == "compute":
        headers["X-OpenStack-Nova-API-Version"] = text
        headers["Vary"] = "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
    return headers
