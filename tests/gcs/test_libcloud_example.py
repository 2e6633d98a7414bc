"""Libcloud's Google Storage example runs on omnicloud with only the imports changed.

The driver line is the one Libcloud's ``GoogleStorageDriver`` docstring gives for service
accounts (``cls(key=client_email, secret=private_key, ...)``, the ``...`` being Libcloud's
``project``/``host``/``port``/``secure``), in the upload example of
``docs/examples/storage/upload_with_metadata.py`` (Apache License 2.0). The names it leaves to
the reader (the key, the file, the container, the server's address) are given in its scope: the
key file's ``token_uri`` is the test's token stand-in, which checks the signed JWT, and the
server is fake-gcs-server.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from omnicloud.storage.drivers.gcs import GoogleStorageDriver
from tests.conformance.storage import unique
from tests.support.gcs import GcsServer
from tests.support.stub_server import StubServer

from ._fake import serve
from .conftest import write_key

EXAMPLE = """\
from libcloud.storage.types import Provider
from libcloud.storage.providers import get_driver

cls = get_driver(Provider.GOOGLE_STORAGE)
driver = cls(key=client_email, secret=private_key, project=project,
             host=host, port=port, secure=False)

container = driver.create_container(container_name=container_name)

extra = {"meta_data": {"owner": "myuser", "created": "2014-02-2"}}

with open(FILE_PATH, "rb") as iterator:
    obj = driver.upload_object_via_stream(
        iterator=iterator, container=container, object_name="backup.tar.gz", extra=extra
    )
"""


def test_the_example_runs_with_only_the_imports_changed(
    fake_gcs_server: GcsServer,
    stub: StubServer,
    rsa_key: Any,
    key_info: dict[str, str],
    tmp_path: Path,
) -> None:
    tokens = serve(stub)
    tokens.public_key = rsa_key.public_key()
    key_info["token_uri"] = f"{stub.url}/token"
    payload = b"backup bytes " * 5000
    source = tmp_path / "myfile.tar.gz"
    source.write_bytes(payload)
    scope: dict[str, Any] = {
        "client_email": key_info["client_email"],
        "private_key": str(write_key(tmp_path, key_info)),
        "project": fake_gcs_server.project,
        "host": "127.0.0.1",
        "port": fake_gcs_server.port,
        "container_name": unique("backups"),
        "FILE_PATH": str(source),
    }
    text = EXAMPLE.replace("from libcloud.", "from omnicloud.")
    assert text.count("omnicloud") == 2 and "libcloud" not in text
    exec(compile(text, "<libcloud example>", "exec"), scope)
    driver = scope["driver"]
    try:
        assert type(driver) is GoogleStorageDriver
        obj = scope["obj"]
        assert obj.hash == hashlib.md5(payload).hexdigest()
        got = driver.get_object(scope["container_name"], "backup.tar.gz")
        assert got.meta_data == {"owner": "myuser", "created": "2014-02-2"}
        assert got.content_type == "application/x-tar"  # guessed from the name, as Libcloud does
        assert b"".join(driver.download_object_as_stream(got)) == payload
        assert len(tokens.tokens) == 1  # signed once, verified by the stand-in, then cached
        assert tokens.tokens[0]["claims"]["iss"] == key_info["client_email"]
        driver.delete_object(got)
        driver.delete_container(scope["container"])
    finally:
        driver.close()
