"""The seed's S3 walk-through (``Provider.S3_US_EAST2``: list containers, list a container's
objects, upload a file with metadata) runs on omnicloud against moto with its import lines
switched from ``libcloud`` to ``omnicloud``.

The seed's code is Python 2 in Markdown's indented blocks; to run at all it needs ``print d`` as
``print(d)`` and the body of its ``with`` block indented (Markdown flattened it), and its
placeholders (``'<bucket name>'``, ``'/<file path>/<filename>'``) filled in. Nothing else
changes: not the keys, not ``get_driver(Provider.S3_US_EAST2)``, no endpoint. The endpoint comes
from ``AWS_ENDPOINT_URL_S3``, as boto3 takes it; the driver signs for ``us-east-2`` as the
constant says, and the bucket lives there (boto3 is the oracle).
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

from tests.storage.conftest import S3Server, unique

#: The seed's S3 sections, verbatim (``seeds/003_e5cfd99d2150f9b5.txt``; tabs as ``\\t``).
SEED = """\
### List Containers

List Containers function list all the containers of buckets available
for the user in that particular region.

\tfrom libcloud.storage.types import Provider
\tfrom libcloud.storage.providers import get_driver


\tcls = get_driver(Provider.S3_US_EAST2)
\tdriver = cls('api key', 'api secret key')
\x20
\td = driver.list_containers();

\tprint d;


### List container objects

List container objects function shows the list of all objects in that
container. Please note the output could be large depending on the
files present in the bucket.

\tfrom libcloud.storage.types import Provider
\tfrom libcloud.storage.providers import get_driver
\t
\t# Note I have used S3_US_EAST2 as this is the
    # "region" where my S3 bucket is located.

\tcls = get_driver(Provider.S3_US_EAST2)
\tdriver = cls('api key', 'api secret key')
\t
\tcontainer = driver.get_container(container_name='<bucket name>')
\t
\td = driver.list_container_objects(container);
\t
\tprint d;

### Upload a file

Upload a file helps in uploading a local file to S3 bucket.

\tfrom libcloud.storage.types import Provider
\tfrom libcloud.storage.providers import get_driver

\tFILE_PATH = '/<file path>/<filename>'

    # Note I have used S3_US_EAST2 as this is
    # the "region" where my S3 bucket is located.

\tcls = get_driver(Provider.S3_US_EAST2)
\tdriver = cls('api key', 'api secret key')

\tcontainer = driver.get_container(container_name='<bucket name>')

    extra = {'meta_data': {
        'owner': '<owner name>',
        'created': '2018-03-24'}}

\twith open(FILE_PATH, 'rb') as iterator:
    obj = driver.upload_object_via_stream(
        iterator=iterator,
        container=container,
        object_name='backup.tar.gz',
        extra=extra)


"""
SECTIONS = ("List Containers", "List container objects", "Upload a file")
_IMPORT = re.compile(r"^(\s*)(from|import) libcloud\b", re.MULTILINE)


def seed_blocks(text: str) -> dict[str, str]:
    """The indented code blocks of the seed's S3 sections, as Markdown renders them (a tab is
    four columns; four columns of indentation are the block's own)."""
    blocks: dict[str, str] = {}
    for title in SECTIONS:
        section = text.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0]
        lines = [line.expandtabs(4) for line in section.splitlines()]
        code = [line[4:] if line.startswith("    ") else "" for line in lines]
        first = next(i for i, line in enumerate(lines) if line.startswith("    "))
        last = max(i for i, line in enumerate(lines) if line.startswith("    "))
        blocks[title] = "\n".join(code[first : last + 1]) + "\n"
    return blocks


def runnable(block: str, replacements: dict[str, str]) -> str:
    """``block`` with its imports switched to omnicloud, made Python 3 (prints, the flattened
    ``with`` body) and its placeholders filled; every other line stays as it is."""
    out: list[str] = []
    inside_with = False
    for line in block.splitlines():
        changed = _IMPORT.sub(r"\1\2 omnicloud", line)
        changed = re.sub(r"^(\s*)print (\w+);?$", r"\1print(\2)", changed)
        for placeholder, value in replacements.items():
            changed = changed.replace(placeholder, value)
        if inside_with and changed.strip():
            changed = "    " + changed
        if changed.startswith("with ") and changed.endswith(":"):
            inside_with = True
        elif not changed.strip():
            inside_with = False
        out.append(changed)
    return "\n".join(out) + "\n"


def test_the_port_changes_only_imports_prints_placeholders_and_the_with_body() -> None:
    blocks = seed_blocks(SEED)
    assert all("Provider.S3_US_EAST2" in block for block in blocks.values())
    for block in blocks.values():
        ported = runnable(block, {"<bucket name>": "b", "/<file path>/<filename>": "/f"})
        for before, after in zip(block.splitlines(), ported.splitlines(), strict=True):
            if before == after:
                continue
            kinds = [
                before.startswith(("from libcloud", "import libcloud"))
                and after == before.replace("libcloud", "omnicloud", 1),
                before.startswith("print ") and after.startswith("print("),
                "<bucket name>" in before or "<file path>" in before,
                after == "    " + before,  # the with block's body
            ]
            assert any(kinds), (before, after)


def test_seed_s3_walk_through_on_moto(
    moto_server: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server.endpoint)
    import boto3

    oracle = boto3.client(
        "s3",
        endpoint_url=moto_server.endpoint,
        aws_access_key_id=moto_server.key,
        aws_secret_access_key=moto_server.secret,
        region_name="us-east-2",
    )
    bucket = unique("seed")
    oracle.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-east-2"}
    )
    oracle.put_object(Bucket=bucket, Key="existing.txt", Body=b"already there")
    backup = tmp_path / "backup.tar.gz"
    backup.write_bytes(b"\x1f\x8b" + bytes(range(256)) * 64)
    replacements = {"<bucket name>": bucket, "/<file path>/<filename>": str(backup)}
    blocks = seed_blocks(SEED)
    printed: dict[str, str] = {}
    names: dict[str, dict[str, Any]] = {}
    for title, block in blocks.items():
        code = runnable(block, replacements)
        namespace: dict[str, Any] = {"__name__": "seed"}
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(compile(code, f"seed:{title}", "exec"), namespace)
        printed[title], names[title] = output.getvalue(), namespace

    # List Containers: every bucket of the account, ours among them
    assert f"name='{bucket}'" in printed["List Containers"]
    driver = names["List Containers"]["driver"]
    assert type(driver).__name__ == "S3UsEast2StorageDriver" and driver.region == "us-east-2"
    # List container objects: the object boto3 put there
    assert "name='existing.txt'" in printed["List container objects"]
    assert names["List container objects"]["container"].extra["region"] == "us-east-2"
    # Upload a file: the object and its metadata, as boto3 reads them
    obj = names["Upload a file"]["obj"]
    assert (obj.name, obj.size) == ("backup.tar.gz", backup.stat().st_size)
    stored = oracle.get_object(Bucket=bucket, Key="backup.tar.gz")
    assert stored["Body"].read() == backup.read_bytes()
    assert stored["Metadata"] == {"owner": "<owner name>", "created": "2018-03-24"}
    assert oracle.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "us-east-2"
    for key in ("existing.txt", "backup.tar.gz"):
        oracle.delete_object(Bucket=bucket, Key=key)
    oracle.delete_bucket(Bucket=bucket)
