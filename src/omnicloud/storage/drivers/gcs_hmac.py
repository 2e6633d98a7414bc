"""Cloud Storage through its XML API with an HMAC interoperability key (``GOOG...``).

Cloud Storage's XML API speaks S3's protocol and accepts AWS Signature Version 4 made with an
HMAC key, so a :class:`~omnicloud.storage.drivers.gcs.GoogleStorageDriver` given Libcloud's
``key="GOOG..."``, ``secret=...`` runs the S3 operations against
``https://storage.googleapis.com`` (signing region ``auto``, path-style addressing), with
``Content-MD5`` on every multipart part (Cloud Storage does not check S3's CRC32 part
checksums). Buckets are created in Cloud Storage's default location unless ``ex_location``
names one.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from omnicloud.aws._s3 import error_from_response
from omnicloud.http._config import HttpConfig
from omnicloud.http._redact import Redactor
from omnicloud.storage._models import Container
from omnicloud.storage.drivers.s3 import S3StorageOps
from omnicloud.storage.drivers.s3 import _make_ops as _make_s3_ops
from omnicloud.storage.errors import ContainerAlreadyExistsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._streaming import StreamFlow

__all__ = ["SIGNING_REGION", "XML_ENDPOINT", "GcsXmlOps", "is_hmac_key", "make_hmac_ops"]

#: Where the XML API is served.
XML_ENDPOINT = "https://storage.googleapis.com"
#: The region Cloud Storage expects in an S3-style signature's scope.
SIGNING_REGION = "auto"


def is_hmac_key(key: object) -> bool:
    """Whether ``key`` is an HMAC access id (``GOOG...``) rather than a service account."""
    return isinstance(key, str) and key.startswith("GOOG") and "@" not in key


class GcsXmlOps(S3StorageOps):
    """S3's operations against Cloud Storage's XML API."""

    name = "Google Cloud Storage (XML API)"

    def create_container(
        self, container_name: str, location: str | None = None
    ) -> StreamFlow[Container]:
        """Create a bucket in ``location`` (``"EU"``, ``"us-central1"``...; None: Cloud
        Storage's default), never in the signing region ``auto``."""
        probe = yield from self._send("HEAD", container_name, operation="gcs HeadBucket")
        if probe.status == 200:
            raise ContainerAlreadyExistsError(
                f"gcs CreateBucket: bucket {container_name!r} exists already",
                status=409,
                code="BucketAlreadyOwnedByYou",
                provider="gcs",
            )
        body = None
        if location:
            body = (
                "<CreateBucketConfiguration><LocationConstraint>"
                f"{escape(location)}</LocationConstraint></CreateBucketConfiguration>"
            ).encode()
        response = yield from self._send(
            "PUT", container_name, content=body, operation="gcs CreateBucket", idempotent=False
        )
        if response.status != 200:
            raise error_from_response(response, "gcs CreateBucket", missing="container")
        return self._container(container_name, region=location)


def make_hmac_ops(
    key: str,
    secret: object,
    *,
    endpoint: str | None,
    part_size: int,
    concurrency: int,
    http: HttpConfig | None,
) -> tuple[GcsXmlOps, HttpConfig, Redactor]:
    """The XML API's operations signed with the HMAC key ``key``/``secret``."""
    if not isinstance(secret, str) or not secret:
        from omnicloud.errors import ConfigurationError

        raise ConfigurationError(
            "an HMAC key (GOOG...) needs its secret as secret= (the 40-character string shown "
            "when the key was made)"
        )
    s3_ops, config, redactor = _make_s3_ops(
        key, secret, region=SIGNING_REGION, endpoint=endpoint or XML_ENDPOINT, host=None,
        port=None, secure=True, token=None, profile=None, session=None, addressing="path",
        sign_payload=False, part_size=part_size, concurrency=concurrency, checksum=None,
        http=http,
    )  # fmt: skip
    ops = GcsXmlOps(s3_ops.endpoint, s3_ops.retry, s3_ops.transfer)
    ops.session = s3_ops.session
    return ops, config, redactor
