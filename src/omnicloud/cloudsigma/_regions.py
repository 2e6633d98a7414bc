"""CloudSigma locations: the known table (seed) and reading the live one from ``/locations/``."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from omnicloud.errors import ConfigurationError, ValidationError

from ._errors import RetiredApiError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

__all__ = [
    "API_PREFIX",
    "DEFAULT_REGION",
    "REGIONS",
    "RETIRED_REGIONS",
    "Region",
    "check_api_version",
    "discovered_endpoint",
    "endpoint_url",
    "is_loopback",
    "regions_from_locations",
    "resolve_target",
]

API_PREFIX = "/api/2.0/"
DEFAULT_REGION = "zrh"
# What a location code looks like (``zrh``, ``mnl2``): anything else is refused outright.
REGION_CODE = re.compile(r"^[a-z][a-z0-9]{1,9}(?:-[a-z0-9]{1,9})?$")


@dataclass(frozen=True, slots=True)
class Region:
    """One CloudSigma location: ``id`` is the lower-case code (``"zrh"``)."""

    id: str
    name: str
    country: str
    host: str

    @property
    def endpoint(self) -> str:
        """The API 2.0 base URL of this location."""
        return f"https://{self.host}{API_PREFIX}"


def _r(code: str, name: str, country: str, host: str) -> tuple[str, Region]:
    return code, Region(code, name, country, host)


# CloudSigma's published locations list (docs, 2025-11); /locations/ is the live source.
REGIONS: dict[str, Region] = dict(
    [
        _r("zrh", "Zurich", "CH", "zrh.cloudsigma.com"),
        _r("gva", "Geneva", "CH", "gva.cloudsigma.com"),
        _r("fra", "Frankfurt", "DE", "fra.cloudsigma.com"),
        _r("dus", "Dusseldorf", "DE", "dus.cloudsigma.com"),
        _r("dub", "Dublin", "IE", "ec.servecentric.com"),
        _r("lon", "London", "GB", "lon.cloudsigma.com"),
        _r("cwl", "Cardiff", "GB", "cwl.cloudsigma.com"),
        _r("adb", "Izmir", "TR", "siaflex.cloud"),
        _r("ruh", "Riyadh", "SA", "ruh.cld.v2.sa"),
        _r("per", "Perth", "AU", "per.cloudsigma.com"),
        _r("tyo", "Tokyo", "JP", "tyo.cloudsigma.com"),
        _r("mnl", "Manila", "PH", "mnl.cloudsigma.com"),
        _r("mnl2", "Manila-2", "PH", "mnl2.cloudsigma.com"),
        _r("crk", "Clark", "PH", "crk.cloudsigma.com"),
        _r("hnl", "Honolulu", "US", "hnl.cloudsigma.com"),
        _r("wdc", "Washington DC", "US", "wdc.alpha3cloud.com"),
    ]
)

# Old codes users may still pass: what became of them.
RETIRED_REGIONS: dict[str, str] = {
    "lvs": "Las Vegas was retired in 2014",
    "sjc": "San Jose was retired in 2025",
    "mia": "Miami was retired in 2021",
    "mel": "Melbourne was retired in 2022",
    "waw": "Warsaw was retired by 2021",
    "bdn": "Boden is a partner cloud now; pass host='cloud.hydro66.com'",
    "dbl": "Dublin's code is 'dub'",
    "ab1": "Izmir's code is 'adb' since 2025-02",
}


def check_api_version(api_version: str | None) -> None:
    """Accept API 2.0; explain that 1.0 is retired; reject anything else."""
    if api_version in (None, "2.0", "2"):
        return
    if str(api_version).startswith("1"):
        raise RetiredApiError(
            "CloudSigma retired API 1.0 (the key/value text protocol at api.<region>."
            "cloudsigma.com); omnicloud speaks API 2.0 only. Drop api_version (or pass "
            "api_version='2.0'): the same account email and password work, and servers and "
            "drives are managed through the 2.0 methods (list_nodes, create_node, ex_*)."
        )
    raise ConfigurationError(f"unsupported CloudSigma API version {api_version!r}; use '2.0'")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (where plain HTTP to a simulator is acceptable)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def endpoint_url(
    region: str | None = None, host: str | None = None, endpoint: str | None = None
) -> str:
    """The API base URL (ending in ``/api/2.0/``) from an endpoint, a host or a region code."""
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValidationError(f"CloudSigma endpoint must be an http(s) URL, got {endpoint!r}")
        path = parts.path if parts.path.rstrip("/") else API_PREFIX
        url = f"{parts.scheme}://{parts.netloc}{path}"
    elif host:
        url = f"https://{host}{API_PREFIX}"
    else:
        code = _region_code(region)
        known = REGIONS.get(code)
        if known is None:
            raise ValidationError(
                f"unknown CloudSigma region {code!r}; known: {', '.join(sorted(REGIONS))} "
                "(the clients and drivers look a new location up in GET /locations/; or "
                "pass host= for a partner cloud)"
            )
        url = known.endpoint
    parts = urlsplit(url)
    if parts.scheme != "https" and not is_loopback(parts.hostname or ""):
        raise ValidationError(
            "CloudSigma uses HTTP Basic authentication, which would send the password in clear "
            f"text over {parts.scheme}://; use https (plain http is only allowed to a loopback "
            "simulator)"
        )
    return url if url.endswith("/") else url + "/"


def _region_code(region: str | None) -> str:
    """The lower-case code of ``region``; retired and malformed codes are refused."""
    code = (region or DEFAULT_REGION).strip().lower()
    if code in RETIRED_REGIONS:
        raise ValidationError(f"CloudSigma region {code!r}: {RETIRED_REGIONS[code]}")
    if not REGION_CODE.match(code):
        raise ValidationError(
            f"{region!r} is not a CloudSigma location code (like 'zrh' or 'mnl2'); "
            f"known: {', '.join(sorted(REGIONS))}"
        )
    return code


def resolve_target(
    region: str | None = None, host: str | None = None, endpoint: str | None = None
) -> tuple[str, str | None]:
    """(API base URL, code to discover) for the client settings.

    A code in the static table (or a host or endpoint) resolves at once and the second item is
    None. A well-formed code the table does not know yet resolves provisionally to the documented
    ``https://{code}.cloudsigma.com/api/2.0/`` and is returned as the second item: the first call
    looks it up in a known location's ``GET /locations/`` (:func:`discovered_endpoint`) and
    either takes the endpoint found there or fails with a clear error. Retired codes are refused.
    """
    if endpoint or host or (region or DEFAULT_REGION).strip().lower() in REGIONS:
        return endpoint_url(region, host, endpoint), None
    code = _region_code(region)
    return endpoint_url(host=f"{code}.cloudsigma.com"), code


def discovered_endpoint(code: str, objects: Iterable[Mapping[str, Any]], source: str) -> str:
    """The API base URL of location ``code`` from ``GET /locations/`` objects read at ``source``.

    A location without ``api_endpoint`` gets the documented ``{code}.cloudsigma.com`` host; a code
    the list does not contain raises ValidationError naming the locations it does contain.
    """
    wanted = code.lower()
    listed: list[str] = []
    for item in objects:
        found = str(item.get("id") or "").lower()
        if not found:
            continue
        listed.append(found)
        if found != wanted:
            continue
        api = str(item.get("api_endpoint") or "").strip()
        if not api:
            return endpoint_url(host=f"{wanted}.cloudsigma.com")
        return endpoint_url(endpoint=api if "//" in api else f"https://{api}")
    if wanted in RETIRED_REGIONS:  # pragma: no cover - refused before any request
        raise ValidationError(f"CloudSigma region {wanted!r}: {RETIRED_REGIONS[wanted]}")
    raise ValidationError(
        f"unknown CloudSigma region {wanted!r}: it is neither in omnicloud's table nor in the "
        f"locations {source} reports ({', '.join(sorted(set(listed))) or 'none'}); check the "
        "code, or pass host= for a partner cloud"
    )


def regions_from_locations(objects: Iterable[Mapping[str, Any]]) -> list[Region]:
    """Regions from the objects of ``GET /locations/`` (``id``, ``api_endpoint``, ...)."""
    found: list[Region] = []
    for item in objects:
        code = str(item.get("id") or "").lower()
        api = str(item.get("api_endpoint") or "")
        host = urlsplit(api).hostname if "//" in api else api.strip("/").split("/")[0]
        if not code or not host:
            continue
        name = str(item.get("display_name") or code.upper())
        found.append(Region(code, name, str(item.get("country_code") or ""), host))
    return found
