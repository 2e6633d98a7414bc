"""``omnicloud storage``: ls, mb, rb, put, get, rm, stat over any storage driver.

The store is the cloud profile's (``omnicloud --cloud NAME storage ...``; by default the default
cloud, whose built-in ``local`` has local storage in the user data directory), or one given by
options: ``--provider local --root DIR`` or ``--provider s3 --endpoint URL --region R`` with keys
from ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` or, without them, the AWS credentials chain.
Progress bars appear only when stderr is a terminal. Heavy modules load inside the commands.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import click

from omnicloud.cli._errors import CliUsageError
from omnicloud.storage import check_name_encoding

__all__ = ["storage"]

CHUNK = 1024 * 1024


def _split(target: str, *, need_name: bool) -> tuple[str, str]:
    container, _, name = target.partition("/")
    if not container or (need_name and not name):
        shape = "CONTAINER/NAME" if need_name else "CONTAINER[/PREFIX]"
        raise CliUsageError(f"expected {shape}, got {target!r}")
    check_name_encoding(container, "container")  # bytes that are not UTF-8 reach no store
    check_name_encoding(name)
    return container, name


def _driver(ctx: click.Context) -> Any:
    options = ctx.obj["storage"]
    provider = options["provider"]
    cloud = ctx.obj.get("cloud")
    if provider is None and options["root"] is None:
        from omnicloud._connect import connect

        return connect(cloud, "storage")
    if cloud is not None:
        raise CliUsageError("give either --cloud or storage --provider/--root, not both")
    if provider in (None, "local"):
        from omnicloud.storage.drivers.local import LocalStorageDriver

        root = options["root"]
        if root:  # given: a typo must not silently create a tree
            return LocalStorageDriver(root, create=False)
        import platformdirs

        return LocalStorageDriver(str(platformdirs.user_data_path("omnicloud") / "storage"))
    key, secret = options["access_key"] or None, options["secret_key"] or None
    if (key is None) != (secret is None):
        raise CliUsageError(
            "S3 needs both an access key and a secret key (AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or --access-key/--secret-key), or neither to use the AWS "
            "credentials chain (AWS_PROFILE, ~/.aws/credentials, credential_process)"
        )
    from omnicloud.storage.drivers.s3 import S3StorageDriver

    return S3StorageDriver(
        key,
        secret,
        region=options["region"],
        endpoint=options["endpoint"],
        addressing=options["addressing"],
        part_size=options["part_size"] * CHUNK,
        concurrency=options["concurrency"],
        checksum=None if options["part_checksum"] == "md5" else "CRC32",
    )


class _StorageGroup(click.Group):
    """Reports a file system failure (a full disk, a permission) as one line, exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            from omnicloud.errors import OmnicloudError
            from omnicloud.storage.errors import StorageError

            if isinstance(exc, BrokenPipeError | OmnicloudError) or exc.strerror is None:
                raise

            where = f": {exc.filename}" if exc.filename else ""
            raise StorageError(f"{exc.strerror}{where}") from None


class _Progress:
    """A rich progress bar on a terminal's stderr; nothing otherwise."""

    def __init__(self, label: str, total: int | None, enabled: bool) -> None:
        self._bar: Any = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TransferSpeedColumn,
            )

            self._bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, amount: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, amount)


def _read(handle: Any, progress: _Progress) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        progress.advance(len(chunk))
        yield chunk


@click.group("storage", cls=_StorageGroup)
@click.option(
    "--provider",
    type=click.Choice(["local", "s3"]),
    envvar="OMNICLOUD_STORAGE_PROVIDER",
    default=None,
    help="Storage backend given by options (default: the cloud profile's storage).",
)
@click.option("--root", envvar="OMNICLOUD_STORAGE_ROOT", help="Local storage directory.")
@click.option("--endpoint", envvar="AWS_ENDPOINT_URL", help="S3 endpoint URL (default: AWS).")
@click.option("--region", envvar="AWS_REGION", default="us-east-1", show_default=True)
@click.option("--access-key", envvar="AWS_ACCESS_KEY_ID", help="S3 access key.")
@click.option("--secret-key", envvar="AWS_SECRET_ACCESS_KEY", help="S3 secret key.")
@click.option("--addressing", type=click.Choice(["auto", "path", "virtual"]), default="auto")
@click.option("--part-size", type=click.IntRange(5, 5120), default=8, help="Multipart MiB.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, help="Parts in flight.")
@click.option(
    "--part-checksum",
    type=click.Choice(["crc32", "md5"]),
    default="crc32",
    show_default=True,
    help="Multipart part checksum: CRC32 where the store confirms it, or always Content-MD5.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.pass_context
def storage(ctx: click.Context, /, **options: Any) -> None:
    """Object storage: local directories or any S3-compatible store."""
    ctx.ensure_object(dict)
    ctx.obj["storage"] = options


def _format(ctx: click.Context) -> str:
    """The ``-o`` format (table: the ls-like listing, no header)."""
    return str(ctx.find_root().obj.get("output") or "table")


_OBJECT_COLUMNS = ["name", "size", "last_modified", "is_prefix"]


def _timestamp(value: object) -> str:
    """``value`` (ISO 8601 or an HTTP date) as ISO 8601 to the second with its time zone
    (UTC when it names none); text that is neither is shown as is."""
    from datetime import UTC, datetime

    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            from email.utils import parsedate_to_datetime

            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError):
                return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0).isoformat()


@storage.command("ls")
@click.argument("target", required=False)
@click.option("-r", "--recursive", is_flag=True, help="List every object, not one level.")
@click.pass_context
def ls(ctx: click.Context, target: str | None, recursive: bool) -> None:
    """List containers, or objects in CONTAINER[/PREFIX]."""
    fmt = _format(ctx)
    with _driver(ctx) as driver:
        if not target:
            names = [container.name for container in driver.iterate_containers()]
            if fmt == "table":
                for name in names:
                    click.echo(name)
            else:
                from omnicloud.cli._render import emit

                emit([{"name": name} for name in names], fmt, columns=["name"])
            return
        name, prefix = _split(target, need_name=False)
        container = driver.get_container(name)
        delimiter = None if recursive else "/"
        rows: list[dict[str, Any]] = []
        for obj in driver.iterate_container_objects(container, prefix or None, delimiter):
            when = obj.extra.get("last_modified")
            if fmt != "table":
                rows.append(
                    {
                        "name": obj.name,
                        "size": None if obj.is_prefix else obj.size,
                        "last_modified": None if when is None else str(when),
                        "is_prefix": bool(obj.is_prefix),
                    }
                )
            elif obj.is_prefix:
                click.echo(f"{'DIR':>12}  {'':<25}  {obj.name}")
            else:
                click.echo(f"{obj.size:>12}  {_timestamp(when):<25}  {obj.name}")
    if fmt != "table":
        from omnicloud.cli._render import emit

        emit(rows, fmt, columns=_OBJECT_COLUMNS)


@storage.command("mb")
@click.argument("container")
@click.pass_context
def mb(ctx: click.Context, container: str) -> None:
    """Make a container."""
    check_name_encoding(container, "container")
    with _driver(ctx) as driver:
        driver.create_container(container)


@storage.command("rb")
@click.argument("container")
@click.pass_context
def rb(ctx: click.Context, container: str) -> None:
    """Remove an empty container."""
    check_name_encoding(container, "container")
    with _driver(ctx) as driver:
        driver.delete_container(driver.get_container(container))


@storage.command("put")
@click.argument("source")
@click.argument("target")
@click.option("--content-type", help="Media type (default: guessed from the name).")
@click.option("--meta", multiple=True, metavar="KEY=VALUE", help="User metadata (repeatable).")
@click.pass_context
def put(
    ctx: click.Context, source: str, target: str, content_type: str | None, meta: tuple[str, ...]
) -> None:
    """Upload FILE (or - for stdin) to CONTAINER/NAME."""
    import os

    name, object_name = _split(target, need_name=True)
    meta_data = {}
    for item in meta:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliUsageError(f"--meta expects KEY=VALUE, got {item!r}")
        meta_data[key] = value
    quiet = ctx.obj["storage"]["quiet"]
    if source == "-":
        handle: Any = sys.stdin.buffer
        total = None
    else:
        try:
            handle = open(source, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise CliUsageError(f"cannot read {source}: {exc.strerror}") from None
        total = os.fstat(handle.fileno()).st_size
        if content_type is None:
            import mimetypes

            content_type = mimetypes.guess_type(source)[0]
    try:
        with _driver(ctx) as driver:
            container = driver.get_container(name)
            with _Progress(f"put {object_name}", total, not quiet) as progress:
                obj = driver.upload_object_via_stream(
                    _read(handle, progress),
                    container,
                    object_name,
                    content_type=content_type,
                    meta_data=meta_data,
                )
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    if not quiet and sys.stderr.isatty():
        click.echo(f"{obj.size} bytes -> {name}/{obj.name} ({obj.hash})", err=True)


@storage.command("get")
@click.argument("source")
@click.argument("destination")
@click.option("-f", "--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
def get(ctx: click.Context, source: str, destination: str, force: bool) -> None:
    """Download CONTAINER/NAME to FILE (or - for stdout)."""
    import os

    name, object_name = _split(source, need_name=True)
    quiet = ctx.obj["storage"]["quiet"]
    if destination != "-" and os.path.isdir(destination):
        destination = os.path.join(destination, os.path.basename(object_name))
    if destination != "-" and os.path.exists(destination) and not force:
        raise CliUsageError(f"{destination} exists (use --force to overwrite)")
    with _driver(ctx) as driver:
        obj = driver.get_object(name, object_name)
        if destination == "-":
            _copy_out(driver, obj, sys.stdout.buffer, quiet)
            sys.stdout.buffer.flush()
            return
        import tempfile

        folder = os.path.dirname(os.path.abspath(destination))
        fd, temp = tempfile.mkstemp(prefix=".omnicloud-", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                _copy_out(driver, obj, out, quiet)
            os.replace(temp, destination)
        except BaseException:
            os.unlink(temp)
            raise


def _copy_out(driver: Any, obj: Any, out: Any, quiet: bool) -> None:
    with _Progress(f"get {obj.name}", obj.size, not quiet) as progress:
        for chunk in driver.download_object_as_stream(obj, chunk_size=CHUNK):
            out.write(chunk)
            progress.advance(len(chunk))


@storage.command("rm")
@click.argument("targets", nargs=-1, required=True)
@click.pass_context
def rm(ctx: click.Context, targets: tuple[str, ...]) -> None:
    """Delete CONTAINER/NAME objects."""
    with _driver(ctx) as driver:
        for target in targets:
            name, object_name = _split(target, need_name=True)
            driver.delete_object(driver.get_object(name, object_name))


@storage.command("stat")
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (as -o json).")
@click.pass_context
def stat(ctx: click.Context, target: str, as_json: bool) -> None:
    """Show an object's size, hash, type and metadata."""
    name, object_name = _split(target, need_name=True)
    with _driver(ctx) as driver:
        obj = driver.get_object(name, object_name)
    record = {
        "container": name,
        "name": obj.name,
        "size": obj.size,
        "hash": obj.hash,
        "content_type": obj.content_type,
        "last_modified": obj.extra.get("last_modified"),
        "meta_data": obj.meta_data,
    }
    fmt = "json" if as_json else _format(ctx)
    if fmt != "table":
        from omnicloud.cli._render import emit

        emit(record, fmt, columns=list(record))
        return
    for key, value in record.items():
        if key == "meta_data":
            for meta_key, meta_value in sorted(obj.meta_data.items()):
                click.echo(f"meta.{meta_key}: {meta_value}")
        else:
            click.echo(f"{key}: {'' if value is None else value}")
