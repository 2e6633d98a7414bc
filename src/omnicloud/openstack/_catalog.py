"""The service catalog: which URL serves a service type, in which region, on which interface.

Keystone v3 lists ``{"type", "name", "endpoints": [{"interface", "region_id", "url"}]}``;
v2.0 lists ``{"type", "name", "endpoints": [{"region", "publicURL", "internalURL",
"adminURL"}]}``; Swift's auth v1.0 gives one storage URL. All three become one :class:`Catalog`
of :class:`Endpoint` values, and :meth:`Catalog.url_for` picks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from omnicloud._wire import from_wire, wire
from omnicloud.errors import ConfigurationError

__all__ = ["INTERFACES", "Catalog", "Endpoint", "EndpointNotFoundError"]

#: The interfaces an endpoint is published on (``publicURL`` and the like in v2.0).
INTERFACES = ("public", "internal", "admin")


class EndpointNotFoundError(ConfigurationError):
    """The catalog has no endpoint for the service, region and interface asked for."""


def _interface(value: Any) -> str:
    text = str(value).lower()
    return text[: -len("url")] if text.endswith("url") else text


def _region(doc: Mapping[str, Any]) -> str | None:
    value = doc.get("region_id") or doc.get("region")
    return str(value) if value else None


@dataclass(slots=True)
class Endpoint:
    """One URL of one service."""

    service_type: str = wire("type", str, default="")
    service_name: str | None = wire("name", str)
    url: str = wire("url", str, default="")
    interface: str = wire("interface", _interface, default="public")
    region: str | None = wire("*", _region, reads=("region_id", "region"))
    id: str | None = wire("id", str)


@dataclass(slots=True)
class Catalog:
    """Every endpoint the identity service listed (empty for an unscoped token)."""

    endpoints: list[Endpoint] = field(default_factory=list)

    @classmethod
    def from_v3(cls, services: Iterable[Mapping[str, Any]]) -> Catalog:
        """The ``token.catalog`` of a Keystone v3 answer."""
        found = []
        for service in services or ():
            head = {"type": service.get("type"), "name": service.get("name")}
            for doc in service.get("endpoints") or ():
                found.append(from_wire(Endpoint, {**doc, **head}))
        return cls(found)

    @classmethod
    def from_v2(cls, services: Iterable[Mapping[str, Any]]) -> Catalog:
        """The ``access.serviceCatalog`` of a Keystone v2.0 answer."""
        found = []
        for service in services or ():
            head = {"type": service.get("type"), "name": service.get("name")}
            for doc in service.get("endpoints") or ():
                for interface in INTERFACES:
                    url = doc.get(f"{interface}URL")
                    if url:
                        entry = {**head, "url": url, "interface": interface, "id": doc.get("id")}
                        entry["region"] = doc.get("region")
                        found.append(from_wire(Endpoint, entry))
        return cls(found)

    @classmethod
    def single(cls, service_type: str, url: str, name: str | None = None) -> Catalog:
        """A catalog of one public endpoint (Swift's auth v1.0 storage URL)."""
        return cls([Endpoint(service_type=service_type, service_name=name, url=url)])

    def service_types(self) -> list[str]:
        """The service types listed, each once, in catalog order."""
        return list(dict.fromkeys(e.service_type for e in self.endpoints))

    def regions(self) -> list[str]:
        """The regions named, each once, in catalog order."""
        return list(dict.fromkeys(e.region for e in self.endpoints if e.region))

    def url_for(
        self,
        service_type: str,
        *,
        region: str | None = None,
        interface: str = "public",
        name: str | None = None,
    ) -> str:
        """The URL of ``service_type`` on ``interface`` (``public``, ``internal``, ``admin``),
        in ``region`` when given (else the first listed; an endpoint naming no region serves
        any), named ``name`` when given.

        Raises :class:`EndpointNotFoundError` saying what the catalog does offer.
        """
        wanted = _interface(interface)
        if wanted not in INTERFACES:
            raise ConfigurationError(f"interface must be one of {INTERFACES}, not {interface!r}")
        candidates = [
            endpoint
            for endpoint in self.endpoints
            if endpoint.service_type == service_type
            and endpoint.interface == wanted
            and (name is None or endpoint.service_name == name)
        ]
        # the region asked for; else an endpoint of no region (Swift's auth v1.0 names none)
        for endpoint in candidates:
            if region is None or endpoint.region == region:
                return endpoint.url.rstrip("/")
        for endpoint in candidates:
            if endpoint.region is None:
                return endpoint.url.rstrip("/")
        offered = sorted(
            {f"{e.service_type}/{e.interface}/{e.region or '-'}" for e in self.endpoints}
        )
        where = f" in region {region!r}" if region else ""
        named = f" named {name!r}" if name else ""
        raise EndpointNotFoundError(
            f"no {wanted} endpoint for service type {service_type!r}{named}{where} in the "
            f"catalog (it lists: {', '.join(offered) or 'nothing'})"
        )
