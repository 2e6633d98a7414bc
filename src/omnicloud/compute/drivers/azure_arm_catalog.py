"""What can be created where: locations, VM sizes (with prices when omnicloud's pricing data has
them) and marketplace images (publishers, offers, SKUs, versions)."""

from __future__ import annotations

from omnicloud._collect import collect
from omnicloud._flow import Gather
from omnicloud.compute._models import NodeImage, NodeLocation, NodeSize
from omnicloud.compute._shell import operation
from omnicloud.errors import NotFoundError

from .azure_arm_base import AzureBase
from .azure_arm_convert import to_image, to_location, to_size
from .azure_arm_nodes import split_urn

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["DEFAULT_PUBLISHERS", "AzureCatalog"]

#: The publishers ``list_images`` walks when none is named (walking all of Azure's thousands
#: takes tens of thousands of requests): Linux distributions and Windows Server.
DEFAULT_PUBLISHERS = (
    "Canonical",
    "Debian",
    "RedHat",
    "SUSE",
    "OpenLogic",
    "kinvolk",
    "almalinux",
    "MicrosoftWindowsServer",
)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


class AzureCatalog(AzureBase):
    """Locations, sizes and marketplace images."""

    @operation
    def list_locations(self) -> Flow[list[NodeLocation]]:
        """The locations of the subscription (physical regions only)."""
        path = self.client.sub("/locations")
        found: list[NodeLocation] = yield from collect(
            self._pages(path, "subscriptions", "list locations"), lambda d: to_location(d, self)
        )
        return [loc for loc in found if loc.extra.get("regionType") in (None, "Physical")]

    @operation
    def list_sizes(self, location: NodeLocation | str | None = None) -> Flow[list[NodeSize]]:
        """The VM sizes of ``location`` (default: the driver's region), priced per hour when
        omnicloud's pricing data knows them."""
        from omnicloud.pricing import get_size_price

        where = self._location(location)
        path = self.client.sub(f"/providers/Microsoft.Compute/locations/{where}/vmSizes")
        docs = yield from collect(self._pages(path, "compute", "list VM sizes"), dict)
        return [
            to_size(d, self, get_size_price("compute", "azure", str(d.get("name")), where))
            for d in docs
        ]

    # -- marketplace images -------------------------------------------------------------------
    def _images_path(self, where: str, rest: str = "") -> str:
        return self.client.sub(f"/providers/Microsoft.Compute/locations/{where}/publishers{rest}")

    @operation
    def ex_list_publishers(self, location: NodeLocation | str | None = None) -> Flow[list[str]]:
        """Image publishers of ``location``."""
        docs = yield from self._array(
            self._images_path(self._location(location)), "compute", "list publishers"
        )
        return [str(d.get("name")) for d in docs if d.get("name")]

    @operation
    def ex_list_offers(
        self, publisher: str, location: NodeLocation | str | None = None
    ) -> Flow[list[str]]:
        """Offers of ``publisher``."""
        path = self._images_path(
            self._location(location), f"/{publisher}/artifacttypes/vmimage/offers"
        )
        docs = yield from self._array(path, "compute", "list image offers")
        return [str(d.get("name")) for d in docs if d.get("name")]

    @operation
    def ex_list_skus(
        self, publisher: str, offer: str, location: NodeLocation | str | None = None
    ) -> Flow[list[str]]:
        """SKUs of an offer."""
        path = self._images_path(
            self._location(location), f"/{publisher}/artifacttypes/vmimage/offers/{offer}/skus"
        )
        docs = yield from self._array(path, "compute", "list image SKUs")
        return [str(d.get("name")) for d in docs if d.get("name")]

    @operation
    def ex_list_image_versions(
        self, publisher: str, offer: str, sku: str, location: NodeLocation | str | None = None
    ) -> Flow[list[str]]:
        """Versions of a SKU, oldest first."""
        path = self._images_path(
            self._location(location),
            f"/{publisher}/artifacttypes/vmimage/offers/{offer}/skus/{sku}/versions",
        )
        docs = yield from self._array(path, "compute", "list image versions")
        return sorted((str(d.get("name")) for d in docs if d.get("name")), key=_version_key)

    @operation
    def list_images(
        self,
        location: NodeLocation | str | None = None,
        ex_publisher: str | None = None,
        ex_offer: str | None = None,
        ex_sku: str | None = None,
        ex_version: str | None = None,
    ) -> Flow[list[NodeImage]]:
        """Marketplace images of ``location`` (ids ``publisher:offer:sku:version``), narrowed by
        publisher, offer, SKU and version. Without ``ex_publisher`` the publishers of
        :data:`DEFAULT_PUBLISHERS` present in the location are walked; ``ex_publisher="*"``
        walks every publisher (slow on public Azure)."""
        where = self._location(location)
        present = yield from type(self).ex_list_publishers(self, where)
        if ex_publisher == "*":
            publishers = present
        elif ex_publisher:
            publishers = [ex_publisher]
        else:
            wanted = {p.lower() for p in DEFAULT_PUBLISHERS}
            publishers = [p for p in present if p.lower() in wanted]
        lists = yield Gather(
            [self._publisher_images(where, p, ex_offer, ex_sku, ex_version) for p in publishers]
        )
        return [image for found in lists for image in found]

    def _publisher_images(
        self, where: str, publisher: str, offer: str | None, sku: str | None, version: str | None
    ) -> Flow[list[NodeImage]]:
        cls = type(self)
        offers = [offer] if offer else (yield from cls.ex_list_offers(self, publisher, where))
        found: list[NodeImage] = []
        for each_offer in offers:
            skus = (
                [sku] if sku else (yield from cls.ex_list_skus(self, publisher, each_offer, where))
            )
            versions = yield Gather(
                [cls.ex_list_image_versions(self, publisher, each_offer, s, where) for s in skus]
            )
            for each_sku, listed in zip(skus, versions, strict=True):
                for each in listed:
                    if version is None or each == version:
                        found.append(to_image(publisher, each_offer, each_sku, each, where, self))
        return found

    @operation
    def get_image(
        self, image_id: str, location: NodeLocation | str | None = None
    ) -> Flow[NodeImage]:
        """A marketplace image by ``publisher:offer:sku:version`` (``latest`` resolves to the
        newest version); NotFoundError when Azure has no such image."""
        urn = split_urn(str(image_id or ""))
        if urn is None:
            raise NotFoundError(
                f"Azure: no image {image_id!r} "
                "(marketplace images are publisher:offer:sku:version)",
                status=404,
                provider="azure",
            )
        publisher, offer, sku, version = urn
        where = self._location(location)
        if version.lower() == "latest":
            versions = yield from type(self).ex_list_image_versions(
                self, publisher, offer, sku, where
            )
            if not versions:
                raise NotFoundError(
                    f"Azure: image {image_id} has no versions", status=404, provider="azure"
                )
            version = versions[-1]
        path = self._images_path(
            where,
            f"/{publisher}/artifacttypes/vmimage/offers/{offer}/skus/{sku}/versions/{version}",
        )
        yield from self._get(path, "compute", "get image")
        return to_image(publisher, offer, sku, version, where, self)
