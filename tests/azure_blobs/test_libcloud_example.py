"""Libcloud's Azure Blobs examples run on omnicloud with only the imports changed.

The texts are Apache Libcloud's ``docs/examples/storage/azure/instantiate.py``,
``docs/examples/storage/azure/instantiate_azurite.py`` and
``docs/examples/storage/upload_with_metadata.py`` (Apache License 2.0), kept verbatim. The Azurite
example names port 10000, the emulator's default; the tests' Azurite runs on a free port, so the
round trip below changes that number too (and the upload example's placeholders: the file, the
container, and the S3 driver line, replaced by the Azure example's driver).
"""

from __future__ import annotations

from pathlib import Path

from omnicloud.storage.drivers.azure_blobs import AzureBlobsStorageDriver
from tests.conformance.storage import unique
from tests.support.azurite import Azurite

# docs/examples/storage/azure/instantiate.py
AZURE_INSTANTIATE = """\
from libcloud.storage.types import Provider
from libcloud.storage.providers import get_driver

cls = get_driver(Provider.AZURE_BLOBS)

driver = cls(key="your storage account name", secret="your access key")
"""

# docs/examples/storage/azure/instantiate_azurite.py
AZURE_AZURITE = """\
from libcloud.storage.types import Provider
from libcloud.storage.providers import get_driver

cls = get_driver(Provider.AZURE_BLOBS)

driver = cls(key='devstoreaccount1',
             secret='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6'
                    'IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
             host='localhost',
             port=10000,
             secure=False)
"""

# docs/examples/storage/upload_with_metadata.py
UPLOAD_WITH_METADATA = """\
from libcloud.storage.types import Provider
from libcloud.storage.providers import get_driver

FILE_PATH = "/home/user/myfile.tar.gz"

cls = get_driver(Provider.S3)
driver = cls("api key", "api secret key")

container = driver.get_container(container_name="my-backups-12345")

extra = {"meta_data": {"owner": "myuser", "created": "2014-02-2"}}

with open(FILE_PATH, "rb") as iterator:
    obj = driver.upload_object_via_stream(
        iterator=iterator, container=container, object_name="backup.tar.gz", extra=extra
    )
"""


def _omnicloud(text: str) -> str:
    """The example with Libcloud's imports made omnicloud's: the only change."""
    return text.replace("from libcloud.", "from omnicloud.")


def test_the_examples_make_the_azure_driver() -> None:
    for text in (AZURE_INSTANTIATE, AZURE_AZURITE):
        scope: dict[str, object] = {}
        exec(compile(_omnicloud(text), "<libcloud example>", "exec"), scope)
        driver = scope["driver"]
        assert type(driver) is AzureBlobsStorageDriver
        driver.close()
    scope = {}
    exec(compile(_omnicloud(AZURE_AZURITE), "<libcloud example>", "exec"), scope)
    azurite = scope["driver"]
    assert isinstance(azurite, AzureBlobsStorageDriver)
    assert azurite.blob_url == "http://localhost:10000/devstoreaccount1"
    azurite.close()


def test_the_azurite_example_uploads_with_metadata(azurite_server: Azurite, tmp_path: Path) -> None:
    setup = _omnicloud(AZURE_AZURITE).replace("port=10000", f"port={azurite_server.port}")
    scope: dict[str, object] = {}
    exec(compile(setup, "<libcloud example>", "exec"), scope)
    driver = scope["driver"]
    assert isinstance(driver, AzureBlobsStorageDriver)
    name = unique("backups")
    driver.create_container(name)
    source = tmp_path / "myfile.tar.gz"
    source.write_bytes(b"\x1f\x8b" + b"backup" * 1000)
    upload = (
        _omnicloud(UPLOAD_WITH_METADATA)
        .replace('FILE_PATH = "/home/user/myfile.tar.gz"', f"FILE_PATH = {str(source)!r}")
        .replace('cls = get_driver(Provider.S3)\ndriver = cls("api key", "api secret key")\n', "")
        .replace("my-backups-12345", name)
    )
    exec(compile(upload, "<libcloud example>", "exec"), scope)
    stored = driver.get_object(name, "backup.tar.gz")
    assert stored.meta_data == {"owner": "myuser", "created": "2014-02-2"}
    assert stored.size == source.stat().st_size
    assert b"".join(driver.download_object_as_stream(stored)) == source.read_bytes()
    driver.delete_object(stored)
    driver.delete_container(driver.get_container(name))
    driver.close()
