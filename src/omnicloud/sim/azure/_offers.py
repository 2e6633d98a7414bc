"""Read-only catalogue endpoints: locations, VM sizes, resource SKUs, compute usages and the
marketplace image tree (publishers → offers → SKUs → versions)."""

from __future__ import annotations

from typing import Any

from ._catalog import IMAGES, LOCATIONS, SIZES, Image
from ._common import known_location
from ._errors import ArmError
from ._request import Reply, Req

__all__ = ["ROUTES", "image_version_id"]

_LOC = "subscriptions/*/providers/microsoft.compute/locations/*"
_PUB = f"{_LOC}/publishers/*/artifacttypes/vmimage/offers"


def _locations(req: Req) -> Reply:
    value = []
    for name, display, geography, latitude, longitude, paired in LOCATIONS:
        value.append(
            {
                "id": f"/subscriptions/{req.subscription}/locations/{name}",
                "name": name,
                "type": "Region",
                "displayName": display,
                "regionalDisplayName": f"({geography}) {display}",
                "metadata": {
                    "regionType": "Physical",
                    "regionCategory": "Recommended",
                    "geographyGroup": geography,
                    "latitude": latitude,
                    "longitude": longitude,
                    "pairedRegion": [
                        {
                            "name": paired,
                            "id": f"/subscriptions/{req.subscription}/locations/{paired}",
                        }
                    ],
                },
            }
        )
    return Reply(200, {"value": value})


def _vm_sizes(req: Req) -> Reply:
    known_location(req.args[1], "resource type 'Microsoft.Compute/virtualMachines'")
    return Reply(200, {"value": [size.document() for size in SIZES]})


def _skus(req: Req) -> Reply:
    value = []
    for size in SIZES:
        for name, *_ in LOCATIONS:
            value.append(
                {
                    "resourceType": "virtualMachines",
                    "name": size.name,
                    "tier": "Standard",
                    "size": size.name.removeprefix("Standard_"),
                    "family": size.family,
                    "locations": [name],
                    "locationInfo": [
                        {"location": name, "zones": ["1", "2", "3"], "zoneDetails": []}
                    ],
                    "capabilities": [
                        {"name": "vCPUs", "value": str(size.cores)},
                        {"name": "MemoryGB", "value": f"{size.memory_mb / 1024:g}"},
                        {"name": "MaxDataDiskCount", "value": str(size.max_data_disks)},
                        {"name": "MaxResourceVolumeMB", "value": str(size.resource_disk_mb)},
                        {"name": "OSVhdSizeMB", "value": "1047552"},
                        {"name": "HyperVGenerations", "value": "V1,V2"},
                        {"name": "CpuArchitectureType", "value": "x64"},
                    ],
                    "restrictions": [],
                }
            )
    return Reply(200, {"value": value})


def _usages(req: Req) -> Reply:
    location = known_location(req.args[1])
    store = req.state.store
    count, cores = store.usage("vm", location)

    def usage(value: str, local: str, current: int, limit: int) -> dict[str, Any]:
        return {
            "unit": "Count",
            "currentValue": current,
            "limit": limit,
            "name": {"value": value, "localizedValue": local},
        }

    return Reply(
        200,
        {
            "value": [
                usage("cores", "Total Regional vCPUs", cores, req.config.core_quota),
                usage("virtualMachines", "Virtual Machines", count, 25000),
            ]
        },
    )


def _base(req: Req, location: str) -> str:
    return f"/Subscriptions/{req.subscription}/Providers/Microsoft.Compute/Locations/{location}"


def _entry(name: str, location: str, rid: str) -> dict[str, str]:
    return {"name": name, "location": location, "id": rid}


def _no_artifact() -> ArmError:
    return ArmError(404, "NotFound", "Artifact: VMImage was not found.")


def _matching(publisher: str, offer: str | None = None, sku: str | None = None) -> list[Image]:
    found = [
        image
        for image in IMAGES
        if image.publisher.lower() == publisher.lower()
        and (offer is None or image.offer.lower() == offer.lower())
        and (sku is None or image.sku.lower() == sku.lower())
    ]
    if not found:
        raise _no_artifact()
    return found


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _publishers(req: Req) -> Reply:
    location = known_location(req.args[1])
    base = _base(req, location)
    names = _unique([image.publisher for image in IMAGES])
    return Reply(200, [_entry(n, location, f"{base}/Publishers/{n}") for n in names])


def _offers(req: Req) -> Reply:
    location = known_location(req.args[1])
    images = _matching(req.args[2])
    base = f"{_base(req, location)}/Publishers/{images[0].publisher}/ArtifactTypes/VMImage"
    names = _unique([image.offer for image in images])
    return Reply(200, [_entry(n, location, f"{base}/Offers/{n}") for n in names])


def _skus_of_offer(req: Req) -> Reply:
    location = known_location(req.args[1])
    images = _matching(req.args[2], req.args[3])
    first = images[0]
    base = (
        f"{_base(req, location)}/Publishers/{first.publisher}/ArtifactTypes/VMImage"
        f"/Offers/{first.offer}"
    )
    return Reply(200, [_entry(i.sku, location, f"{base}/Skus/{i.sku}") for i in images])


def image_version_id(subscription: str, location: str, image: Image, version: str) -> str:
    """The ARM id of one image version."""
    return (
        f"/Subscriptions/{subscription}/Providers/Microsoft.Compute/Locations/{location}"
        f"/Publishers/{image.publisher}/ArtifactTypes/VMImage/Offers/{image.offer}"
        f"/Skus/{image.sku}/Versions/{version}"
    )


def _versions(req: Req) -> Reply:
    location = known_location(req.args[1])
    image = _matching(req.args[2], req.args[3], req.args[4])[0]
    versions = list(image.versions)
    if (req.q("$orderby") or "").lower().endswith("desc"):
        versions.reverse()
    top = req.q("$top")
    if top and top.isdigit():
        versions = versions[: int(top)]
    return Reply(
        200,
        [
            _entry(v, location, image_version_id(req.subscription, location, image, v))
            for v in versions
        ],
    )


def _version(req: Req) -> Reply:
    location = known_location(req.args[1])
    image = _matching(req.args[2], req.args[3], req.args[4])[0]
    version = req.args[5]
    if version.lower() == "latest":
        version = image.versions[-1]
    if version not in image.versions:
        raise _no_artifact()
    document = _entry(
        version, location, image_version_id(req.subscription, location, image, version)
    )
    document["properties"] = {  # type: ignore[assignment]
        "osDiskImage": {"operatingSystem": image.os_type, "sizeInGb": image.os_disk_gb},
        "dataDiskImages": [],
        "hyperVGeneration": image.generation,
        "architecture": "x64",
        "automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": False},
        "imageDeprecationStatus": {"imageState": "Active"},
    }
    return Reply(200, document)


ROUTES = [
    ("GET", "subscriptions/*/locations", _locations),
    ("GET", f"{_LOC}/vmsizes", _vm_sizes),
    ("GET", "subscriptions/*/providers/microsoft.compute/skus", _skus),
    ("GET", f"{_LOC}/usages", _usages),
    ("GET", f"{_LOC}/publishers", _publishers),
    ("GET", _PUB, _offers),
    ("GET", f"{_PUB}/*/skus", _skus_of_offer),
    ("GET", f"{_PUB}/*/skus/*/versions", _versions),
    ("GET", f"{_PUB}/*/skus/*/versions/*", _version),
]
