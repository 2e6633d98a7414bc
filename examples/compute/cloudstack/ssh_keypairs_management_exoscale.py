"""Create, import (from a file), get and delete SSH key pairs."""

import os
import tempfile

from _sim import credentials

from omnicloud import Provider, get_driver

cls = get_driver(Provider.EXOSCALE)
driver = cls(**credentials("EXOSCALE"))

created = driver.create_key_pair(name="test-keypair")
print(created.name, created.fingerprint, "private key received:", created.private_key is not None)

# import_key_pair_from_file reads a public key; here we write one from the created pair's key
from cryptography.hazmat.primitives import serialization  # noqa: E402

private = serialization.load_pem_private_key(created.private_key.encode(), password=None)
public = private.public_key().public_bytes(
    serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
)
with tempfile.TemporaryDirectory() as folder:
    key_file_path = os.path.join(folder, "id_rsa.pub")
    with open(key_file_path, "wb") as handle:
        handle.write(public)
    imported = driver.import_key_pair_from_file(
        name="imported-keypair", key_file_path=key_file_path
    )

key_pair = driver.get_key_pair(name="test-keypair")
print(key_pair, imported.fingerprint == key_pair.fingerprint)
driver.delete_key_pair(key_pair)
driver.delete_key_pair(imported)
