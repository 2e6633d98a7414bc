"""AWS regions and service endpoints: the commercial region table and the global services.

A regional service is reached at ``https://{service}.{region}.amazonaws.com`` (China regions end
in ``.amazonaws.com.cn``); a global one (Route53, IAM) has one host and signs for ``us-east-1``.
A region missing from the table but spelled like one (a region opened after this release) still
gets its regional endpoint, so new regions work without an upgrade.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from omnicloud.errors import ValidationError

__all__ = [
    "GLOBAL_SERVICES",
    "REGIONS",
    "country",
    "endpoint_url",
    "given_endpoint",
    "signing_region",
]

#: Every commercial ("aws" partition) region and its name.
REGIONS: Mapping[str, str] = MappingProxyType(
    {
        "af-south-1": "Africa (Cape Town)",
        "ap-east-1": "Asia Pacific (Hong Kong)",
        "ap-east-2": "Asia Pacific (Taipei)",
        "ap-northeast-1": "Asia Pacific (Tokyo)",
        "ap-northeast-2": "Asia Pacific (Seoul)",
        "ap-northeast-3": "Asia Pacific (Osaka)",
        "ap-south-1": "Asia Pacific (Mumbai)",
        "ap-south-2": "Asia Pacific (Hyderabad)",
        "ap-southeast-1": "Asia Pacific (Singapore)",
        "ap-southeast-2": "Asia Pacific (Sydney)",
        "ap-southeast-3": "Asia Pacific (Jakarta)",
        "ap-southeast-4": "Asia Pacific (Melbourne)",
        "ap-southeast-5": "Asia Pacific (Malaysia)",
        "ap-southeast-6": "Asia Pacific (New Zealand)",
        "ap-southeast-7": "Asia Pacific (Thailand)",
        "ca-central-1": "Canada (Central)",
        "ca-west-1": "Canada West (Calgary)",
        "eu-central-1": "Europe (Frankfurt)",
        "eu-central-2": "Europe (Zurich)",
        "eu-north-1": "Europe (Stockholm)",
        "eu-south-1": "Europe (Milan)",
        "eu-south-2": "Europe (Spain)",
        "eu-west-1": "Europe (Ireland)",
        "eu-west-2": "Europe (London)",
        "eu-west-3": "Europe (Paris)",
        "il-central-1": "Israel (Tel Aviv)",
        "me-central-1": "Middle East (UAE)",
        "me-south-1": "Middle East (Bahrain)",
        "mx-central-1": "Mexico (Central)",
        "sa-east-1": "South America (Sao Paulo)",
        "us-east-1": "US East (N. Virginia)",
        "us-east-2": "US East (Ohio)",
        "us-west-1": "US West (N. California)",
        "us-west-2": "US West (Oregon)",
    }
)

#: Services with one endpoint for all regions: host and the region their signatures name.
GLOBAL_SERVICES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "route53": ("route53.amazonaws.com", "us-east-1"),
        "iam": ("iam.amazonaws.com", "us-east-1"),
    }
)

_REGION_SHAPE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


def _check(region: str) -> str:
    if not _REGION_SHAPE.match(region):
        known = ", ".join(sorted(REGIONS))
        raise ValidationError(f"{region!r} is not an AWS region name (known: {known})")
    return region


def endpoint_url(service: str, region: str) -> str:
    """The HTTPS endpoint of ``service`` (its endpoint prefix, ``"ec2"``) in ``region``."""
    if service in GLOBAL_SERVICES:
        return f"https://{GLOBAL_SERVICES[service][0]}"
    suffix = "amazonaws.com.cn" if _check(region).startswith("cn-") else "amazonaws.com"
    return f"https://{service}.{region}.{suffix}"


def given_endpoint(
    endpoint: str | None, host: str | None, port: int | None, secure: bool
) -> str | None:
    """The endpoint a driver was given: ``endpoint=``, or Libcloud's ``host``/``port``/``secure``
    made into a URL; None leaves the region's AWS endpoint."""
    if endpoint is None and host:
        endpoint = f"{'https' if secure else 'http'}://{host}" + (f":{port}" if port else "")
    return endpoint


def signing_region(service: str, region: str) -> str:
    """The region a SigV4 signature for ``service`` names (``us-east-1`` for global ones)."""
    if service in GLOBAL_SERVICES:
        return GLOBAL_SERVICES[service][1]
    return region


_COUNTRIES = {
    "af-south-1": "South Africa",
    "ap-east-1": "Hong Kong",
    "ap-east-2": "Taiwan",
    "ap-northeast-1": "Japan",
    "ap-northeast-2": "South Korea",
    "ap-northeast-3": "Japan",
    "ap-south-1": "India",
    "ap-south-2": "India",
    "ap-southeast-1": "Singapore",
    "ap-southeast-2": "Australia",
    "ap-southeast-3": "Indonesia",
    "ap-southeast-4": "Australia",
    "ap-southeast-5": "Malaysia",
    "ap-southeast-6": "New Zealand",
    "ap-southeast-7": "Thailand",
    "ca-central-1": "Canada",
    "ca-west-1": "Canada",
    "eu-central-1": "Germany",
    "eu-central-2": "Switzerland",
    "eu-north-1": "Sweden",
    "eu-south-1": "Italy",
    "eu-south-2": "Spain",
    "eu-west-1": "Ireland",
    "eu-west-2": "United Kingdom",
    "eu-west-3": "France",
    "il-central-1": "Israel",
    "me-central-1": "United Arab Emirates",
    "me-south-1": "Bahrain",
    "mx-central-1": "Mexico",
    "sa-east-1": "Brazil",
}
_PREFIX_COUNTRIES = {"us": "USA", "cn": "China"}


def country(region: str) -> str:
    """The country a region is in (``""`` when unknown)."""
    return _COUNTRIES.get(region) or _PREFIX_COUNTRIES.get(region.split("-", 1)[0], "")
