"""Docker container drivers, sync and async, on the Docker Engine API.

``get_driver(Provider.DOCKER)(host="localhost", port=4243)`` as in Libcloud (``secure=True``
or a ``key_file``/``cert_file`` for TLS, ``ca_cert`` the CA to trust), or
``endpoint="unix:///var/run/docker.sock"`` / ``"tcp://127.0.0.1:2375"`` /
``"https://host:2376"``; with neither, ``DOCKER_HOST``, ``DOCKER_TLS_VERIFY`` and
``DOCKER_CERT_PATH`` as the docker CLI reads them (``ex_environ`` replaces the process
environment), else Libcloud's ``http://localhost:4243``. ``key``/``secret``, when both given, go
as HTTP Basic credentials (for a proxy in front of the daemon).

The API version is negotiated on the first call (``api_version=`` pins one). Logs and pull
progress are lazy iterators (:meth:`~DockerContainerDriverCore.ex_iterate_logs`,
:meth:`~DockerContainerDriverCore.ex_pull_image`).

Pulls and pushes carry registry credentials (``X-Registry-Auth``): a call's
``ex_registry_auth``, else the driver's for that registry, else what the docker client has in
its ``config.json`` (:mod:`~omnicloud.container.drivers.docker_auth`).
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, cast

from omnicloud._flow import Emit
from omnicloud._gc import long_lived
from omnicloud._shell import (
    AsyncShell,
    Items,
    SyncShell,
    emitted,
    listing,
    operation,
    stream_operation,
)
from omnicloud._stream_effects import Close, Open, Read
from omnicloud.container._base import (
    Container,
    ContainerCluster,
    ContainerDriverCore,
    ContainerImage,
)
from omnicloud.errors import NotSupportedError, ValidationError
from omnicloud.http import HttpConfig, Redactor
from omnicloud.http._streaming import StreamingAsyncHttp, StreamingSyncHttp

from .docker_auth import RegistryAuth, from_config, registry_of, registry_table, server_of
from .docker_client import (
    DockerAuthError,
    DockerError,
    DockerSettings,
    DockerStreamError,
    FrameDecoder,
    JsonStreamDecoder,
    Location,
    call,
    error_from,
    locate,
    request,
    segment,
    version,
    version_text,
)
from .docker_convert import CONTAINER, IMAGE, LogChunk, split_reference

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from omnicloud._flow import Flow
    from omnicloud._stream_effects import StreamFlow
    from omnicloud.http._base import AsyncStream, SyncStream
    from omnicloud.http._streaming import ResponseStream

__all__ = [
    "AsyncDockerContainerDriver",
    "DockerContainerDriver",
    "DockerContainerDriverCore",
    "DockerRegistryAuthError",
    "LogChunk",
    "RegistryAuth",
]

_READ = 65536


class _Pieces:
    """A response body read as it arrives (``read1``), so followed logs come line by line in
    sync code too (``ResponseStream.read`` waits for a full buffer)."""

    __slots__ = ("_stream",)

    def __init__(self, stream: ResponseStream) -> None:
        self._stream = stream

    def read(self, size: int) -> bytes:
        return cast("SyncStream", self._stream._stream).read1(size)

    async def aread(self, size: int) -> bytes:
        return await cast("AsyncStream", self._stream._stream).aread(size)


def _bool(value: bool) -> str:
    return "1" if value else "0"


#: What a registry's refusal looks like in the daemon's message (a pull's error answer, or an
#: error object in a push's progress stream).
_REFUSED = re.compile(
    r"(?i)no basic auth credentials|unauthorized|authentication required"
    r"|incorrect username or password|^denied:"
)


class DockerRegistryAuthError(DockerAuthError):
    """The registry refused a pull or push: credentials missing, wrong, or without the right
    to that repository (Docker's message in ``error``)."""


#: Credentials a pull or push may be given: a RegistryAuth, a docker SDK ``auth_config``
#: mapping, or ``(username, password[, server])``.
AuthArg = RegistryAuth | Mapping[str, Any] | Sequence[str] | None


class DockerContainerDriverCore(ContainerDriverCore):
    """Docker operations as flows (no I/O); pick the sync or async class to run them.

    ``DockerContainerDriver(key=None, secret=None, secure=False, host=None, port=None,
    key_file=None, cert_file=None, ca_cert=None)`` as Libcloud's (``host`` defaults to
    ``localhost`` and ``port`` to 4243 when the environment names no daemon); ``endpoint=``
    instead; ``api_version`` pins the API version (default: negotiated); ``stop_timeout`` the
    seconds a stop or restart waits before killing; ``http`` timeouts and retries.
    ``ex_registry_auth`` are registry credentials (a :class:`RegistryAuth`, a docker SDK
    ``auth_config`` mapping, or a list of them), each for the registry its ``serveraddress``
    names (Docker Hub when none); ``ex_docker_config=False`` stops reading the docker client's
    ``config.json`` (and running its credential helpers) for pulls and pushes.
    """

    name = "Docker"
    website = "https://www.docker.com/"
    type: str | None = "docker"

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        secure: bool = False,
        host: str | None = None,
        port: int | None = None,
        key_file: str | None = None,
        cert_file: str | None = None,
        ca_cert: str | None = None,
        *,
        endpoint: str | None = None,
        api_version: str | None = None,
        stop_timeout: int = 10,
        ex_environ: Mapping[str, str] | None = None,
        ex_registry_auth: AuthArg | Sequence[AuthArg] = None,
        ex_docker_config: bool = True,
        http: HttpConfig | None = None,
    ) -> None:
        try:
            stop_timeout = int(stop_timeout)  # a profile's option may be text
        except (TypeError, ValueError):
            raise ValidationError(
                f"stop_timeout must be whole seconds, not {stop_timeout!r}"
            ) from None
        if stop_timeout < 0:
            raise ValidationError("stop_timeout must not be negative")
        location = locate(
            endpoint=endpoint, host=host, port=port, secure=secure, key_file=key_file,
            cert_file=cert_file, ca_cert=ca_cert, environ=ex_environ,
        )  # fmt: skip
        config = http or HttpConfig()
        if location.socket is not None:
            from .docker_transport import unix_socket_config

            config = unix_socket_config(
                config, location.socket, asynchronous=isinstance(self, AsyncShell)
            )
        elif location.tls:
            config = replace(
                config,
                verify=location.ca_cert or config.verify,
                client_cert=location.cert_file or config.client_cert,
                client_key=location.key_file or config.client_key,
            )
        secrets: list[str] = []
        authorization = ""
        if key and secret:
            token = base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")
            authorization = f"Basic {token}"
            secrets = [secret, token]
        if api_version is not None:
            api_version = version_text(api_version)  # the shape is checked now
        self._registry_auths = registry_table(ex_registry_auth)
        for auth in self._registry_auths.values():
            secrets += [*auth.secrets, auth.header()]
        self._environ = ex_environ
        self._docker_config = bool(ex_docker_config)
        self.location: Location = location
        self.stop_timeout = stop_timeout
        self._settings = DockerSettings(
            location, pinned=api_version, authorization=authorization, retry=config.retry
        )
        self._redactor = Redactor(secrets)
        self._open(config, self._redactor)

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    @property
    def endpoint(self) -> str:
        """The daemon's address (``unix:///run/docker.sock``, ``http://127.0.0.1:2375``)."""
        return self.location.display

    @property
    def api_version(self) -> str | None:
        """The API version in use (None until the first call negotiated it)."""
        return self._settings.api_version

    def __repr__(self) -> str:
        tls = ""
        if self.location.tls:
            tls = f", cert {self.location.cert_file}" if self.location.cert_file else ", TLS"
        version_text = f"API {self.api_version}" if self.api_version else "API not negotiated"
        return f"<{type(self).__name__} at {self.endpoint} ({version_text}{tls})>"

    # -- flow helpers -------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        body: Any = None,
        idempotent: bool | None = None,
    ) -> Flow[Any]:
        return call(
            self._settings, method, path, what, params=params, body=body, idempotent=idempotent
        )

    @staticmethod
    def _ident(container: Container | str) -> str:
        ident = container.id if isinstance(container, Container) else container
        if not ident:
            raise ValidationError("a container id or name is required")
        return ident

    def _open_stream(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        content: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> StreamFlow[ResponseStream]:
        """A response whose body is read as it arrives; error answers raise here."""
        yield from version(self._settings)
        built = request(
            self._settings, method, path, what, params=params, content=content,
            headers=headers, idempotent=False,
        )  # fmt: skip
        stream: ResponseStream = yield Open(built)
        if stream.status < 400:
            return stream
        body = bytearray()
        try:
            while chunk := (yield Read(stream, _READ)):
                body += chunk
        finally:
            yield Close(stream)
        stream.response.content = bytes(body)
        raise error_from(stream.response, what)

    def _progress(self, stream: ResponseStream, what: str) -> StreamFlow[None]:
        """Emit each object of a JSON progress stream; an error object raises."""
        decoder = JsonStreamDecoder(what)
        pieces = _Pieces(stream)
        try:
            while chunk := (yield Read(pieces, _READ)):
                items: list[dict[str, Any]] = []
                try:
                    items.extend(decoder.feed(chunk))
                except DockerStreamError:
                    if items:  # what came before the error is handed over first
                        yield Emit(items)
                    raise
                if items:
                    yield Emit(items)
            decoder.close()
        finally:
            yield Close(stream)

    # -- version ------------------------------------------------------------------------------
    @operation
    def ex_version(self) -> Flow[dict[str, Any]]:
        """The daemon's ``GET /version`` document (``Version``, ``ApiVersion``, ...)."""
        yield from version(self._settings)
        return dict(self._settings.server)

    # -- images -------------------------------------------------------------------------------
    @operation
    def list_images(self) -> Flow[list[ContainerImage]]:
        """Every image (each tagged image once, under its first tag)."""
        docs = yield from self._call("GET", "/images/json", "list images", idempotent=True)
        return [IMAGE(doc, driver=self) for doc in docs or ()]

    @operation
    def ex_get_image(self, reference: str) -> Flow[ContainerImage]:
        """One image by id or reference (``busybox:latest``); DockerNotFoundError if absent."""
        doc = yield from self._call(
            "GET", f"/images/{segment(reference)}/json", f"inspect image {reference}",
            idempotent=True,
        )  # fmt: skip
        return IMAGE(doc, driver=self)

    def _registry_header(self, reference: str, given: AuthArg, *, push: bool) -> Flow[str]:
        """The ``X-Registry-Auth`` value for ``reference``'s registry ("" when nobody has
        credentials for it; a push sends an empty object then, as the daemon wants one)."""
        registry = registry_of(reference)
        auth = RegistryAuth.of(given) if given is not None else self._registry_auths.get(registry)
        if auth is None and self._docker_config:
            from omnicloud._flow import Call

            auth = yield Call(from_config, (registry, self._environ))
        if auth is None:
            return "e30=" if push else ""  # base64url of {}
        if not auth.serveraddress:
            auth = replace(auth, serveraddress=server_of(registry))
        header = auth.header()
        self._redactor.add(*auth.secrets, header)
        return header

    @staticmethod
    def _refused(error: DockerError, what: str) -> DockerRegistryAuthError:
        """``error`` (the registry refused) as a :class:`DockerRegistryAuthError`."""
        return DockerRegistryAuthError(
            f"docker {what}: the registry refused: {error.error} (give ex_registry_auth=, or "
            "log in with docker login)",
            status=error.status,
            error=error.error,
        )

    @listing
    def ex_pull_image(self, path: str, ex_registry_auth: AuthArg = None) -> Items[dict[str, Any]]:
        """Pull image ``path`` (``repository[:tag]``), lazily: each progress object as Docker
        sends it (``status``, ``id``, ``progressDetail``); an error in the stream raises
        :class:`~omnicloud.container.drivers.docker_client.DockerStreamError`, a registry's
        refusal :class:`DockerRegistryAuthError`. ``ex_registry_auth`` are the registry
        credentials (default: the driver's, else the docker client's ``config.json``)."""
        return Items(self._pull(path, ex_registry_auth))

    def _pull(self, path: str, auth: AuthArg) -> StreamFlow[None]:
        if not path:
            raise ValidationError("an image reference is required")
        name, tag = split_reference(path)
        params = [("fromImage", path if "@" in path else name)]
        if tag and "@" not in path:
            params.append(("tag", tag))
        what = f"pull {path}"
        header = yield from self._registry_header(name, auth, push=False)
        try:
            stream = yield from self._open_stream(
                "POST", "/images/create", what, params=params,
                headers={"X-Registry-Auth": header} if header else None,
            )  # fmt: skip
            yield from self._progress(stream, what)
        except DockerError as exc:
            if not _REFUSED.search(exc.error) or isinstance(exc, DockerRegistryAuthError):
                raise
            raise self._refused(exc, what) from None

    @stream_operation
    def install_image(
        self, path: str, ex_registry_auth: AuthArg = None
    ) -> StreamFlow[ContainerImage]:
        """Pull image ``path`` (``busybox``, ``busybox:1.36``) and return it
        (``ex_registry_auth`` as for :meth:`ex_pull_image`)."""
        yield from emitted(self._pull(path, ex_registry_auth))
        name, tag = split_reference(path)
        reference = path if "@" in path or tag else f"{name}:latest"
        image: ContainerImage = yield from type(self).ex_get_image(self, reference)
        return image

    @listing
    def ex_push_image(
        self, image: ContainerImage | str, tag: str | None = None, ex_registry_auth: AuthArg = None
    ) -> Items[dict[str, Any]]:
        """Push ``image`` (a model or a reference such as ``registry:5000/team/app:1.2``) to
        its registry, lazily: each progress object as Docker sends it; the last one has
        ``aux`` with the pushed ``Digest``. Without a tag in the reference or ``tag``, every
        tag of the repository is pushed. A registry's refusal raises
        :class:`DockerRegistryAuthError`."""
        return Items(self._push(image, tag, ex_registry_auth))

    def _push(
        self, image: ContainerImage | str, tag: str | None, auth: AuthArg
    ) -> StreamFlow[None]:
        reference = image.path if isinstance(image, ContainerImage) else image
        if not reference:
            raise ValidationError("an image reference is required")
        name, version = split_reference(reference)
        if "@" in reference:
            raise ValidationError("push a tag, not a digest reference")
        tag = tag or version
        what = f"push {name}:{tag}" if tag else f"push {name}"
        header = yield from self._registry_header(name, auth, push=True)
        try:
            stream = yield from self._open_stream(
                "POST", f"/images/{segment(name)}/push", what,
                params=[("tag", tag)] if tag else [], headers={"X-Registry-Auth": header},
            )  # fmt: skip
            yield from self._progress(stream, what)
        except DockerError as exc:
            if not _REFUSED.search(exc.error) or isinstance(exc, DockerRegistryAuthError):
                raise
            raise self._refused(exc, what) from None

    @operation
    def ex_tag_image(
        self, image: ContainerImage | str, repository: str, tag: str = "latest"
    ) -> Flow[ContainerImage]:
        """Give ``image`` (a model, id or reference) the name ``repository:tag`` (as
        ``docker tag``, e.g. to push it to another registry); the image as it is then."""
        ref = image.id if isinstance(image, ContainerImage) else image
        if not ref or not repository:
            raise ValidationError("an image and a repository are required")
        yield from self._call(
            "POST", f"/images/{segment(ref)}/tag", f"tag image {ref}",
            params=[("repo", repository), ("tag", tag)], idempotent=True,
        )  # fmt: skip
        tagged: ContainerImage = yield from type(self).ex_get_image(self, f"{repository}:{tag}")
        return tagged

    @stream_operation
    def ex_import_image(
        self,
        source: bytes | Iterable[bytes] | AsyncIterable[bytes],
        repository: str,
        tag: str = "latest",
        changes: Sequence[str] = (),
    ) -> StreamFlow[ContainerImage]:
        """``docker import``: make image ``repository:tag`` from a tar of a root file system
        (bytes, or an iterable of bytes sent as they come); ``changes`` are Dockerfile
        instructions (``'CMD ["/bin/sh"]'``)."""
        if not repository:
            raise ValidationError("a repository name is required")
        what = f"import {repository}:{tag}"
        params = [("fromSrc", "-"), ("repo", repository), ("tag", tag)]
        params += [("changes", change) for change in changes]
        stream = yield from self._open_stream(
            "POST", "/images/create", what, params=params, content=source,
            headers={"Content-Type": "application/x-tar"},
        )  # fmt: skip
        yield from emitted(self._progress(stream, what))
        image: ContainerImage = yield from type(self).ex_get_image(self, f"{repository}:{tag}")
        return image

    @operation
    def ex_delete_image(self, image: ContainerImage | str, force: bool = False) -> Flow[bool]:
        """Remove an image (by model, id or reference); ``force`` untags it from stopped
        containers' use too."""
        ref = image.id if isinstance(image, ContainerImage) else image
        yield from self._call(
            "DELETE", f"/images/{segment(ref)}", f"remove image {ref}",
            params=[("force", _bool(force))], idempotent=True,
        )  # fmt: skip
        return True

    # -- containers ---------------------------------------------------------------------------
    @operation
    def list_containers(
        self,
        image: ContainerImage | None = None,
        all: bool = True,
        cluster: ContainerCluster | None = None,
    ) -> Flow[list[Container]]:
        """The containers (stopped ones too unless ``all`` is false), of ``image`` only when
        given (matched by image id)."""
        if cluster is not None:
            raise NotSupportedError("Docker has no clusters")
        docs = yield from self._call(
            "GET", "/containers/json", "list containers", params=[("all", _bool(all))],
            idempotent=True,
        )  # fmt: skip
        with long_lived():  # nothing unless the application opted in (omnicloud.tuning)
            found = list(map(CONTAINER.bind(driver=self), docs or ()))
        if image is not None:
            found = [c for c in found if c.image.id == image.id or c.image.path == image.path]
        return found

    @operation
    def get_container(self, id: str) -> Flow[Container]:
        """One container by id (or name); DockerNotFoundError if absent."""
        ident = self._ident(id)
        doc = yield from self._call(
            "GET", f"/containers/{segment(ident)}/json", f"inspect container {ident}",
            idempotent=True,
        )  # fmt: skip
        return CONTAINER(doc, driver=self)

    @operation
    def deploy_container(
        self,
        name: str,
        image: ContainerImage,
        parameters: Mapping[str, Any] | None = None,
        start: bool = True,
        command: str | Sequence[str] | None = None,
        hostname: str | None = None,
        user: str = "",
        stdin_open: bool = True,
        tty: bool = True,
        mem_limit: int = 0,
        environment: Mapping[str, str] | Sequence[str] | None = None,
        entrypoint: str | Sequence[str] | None = None,
        working_dir: str = "",
        network_mode: str | None = None,
        labels: Mapping[str, str] | None = None,
        cluster: ContainerCluster | None = None,
    ) -> Flow[Container]:
        """Create container ``name`` of ``image`` and start it (unless ``start`` is false).

        The positional order is Libcloud's Docker driver's (``parameters`` third). The
        keywords are Libcloud's Docker ones (``tty`` and ``stdin_open`` default to true as
        there, so a shell image keeps running); ``parameters`` are Docker's own create fields
        (``{"HostConfig": {...}}``), merged over what the keywords set.
        """
        if cluster is not None:
            raise NotSupportedError("Docker has no clusters")
        if not isinstance(image, ContainerImage):
            raise ValidationError("image must be a ContainerImage (list_images, install_image)")
        body: dict[str, Any] = {
            "Image": image.path or image.id,
            "Tty": tty,
            "OpenStdin": stdin_open,
            "AttachStdin": False,
            "AttachStdout": False,
            "AttachStderr": False,
            "User": user,
            "WorkingDir": working_dir,
        }
        if command is not None:
            body["Cmd"] = ["/bin/sh", "-c", command] if isinstance(command, str) else [*command]
        if entrypoint is not None:
            body["Entrypoint"] = [entrypoint] if isinstance(entrypoint, str) else [*entrypoint]
        if hostname:
            body["Hostname"] = hostname
        if environment:
            body["Env"] = (
                [f"{k}={v}" for k, v in environment.items()]
                if isinstance(environment, Mapping)
                else [*environment]
            )
        if labels:
            body["Labels"] = dict(labels)
        host_config: dict[str, Any] = {}
        if mem_limit:
            host_config["Memory"] = mem_limit
        if network_mode:
            host_config["NetworkMode"] = network_mode
        if host_config:
            body["HostConfig"] = host_config
        for field_name, value in (parameters or {}).items():
            if isinstance(value, Mapping) and isinstance(body.get(field_name), dict):
                body[field_name] = {**body[field_name], **value}
            else:
                body[field_name] = value
        params = [("name", name)] if name else []
        made = yield from self._call(
            "POST", "/containers/create", f"create container {name}", params=params, body=body,
            idempotent=False,
        )  # fmt: skip
        ident = str((made or {}).get("Id", ""))
        if not ident:
            raise DockerError(f"docker create container {name}: the answer has no Id")
        if start:
            yield from self._action(ident, "start")
        container: Container = yield from type(self).get_container(self, ident)
        return container

    def _action(
        self, ident: str, action: str, params: Sequence[tuple[str, str]] = ()
    ) -> Flow[None]:
        yield from self._call(
            "POST", f"/containers/{segment(ident)}/{action}", f"{action} container {ident}",
            params=params, idempotent=action not in ("kill", "rename"),
        )  # fmt: skip

    def _acted(
        self, container: Container, action: str, params: Sequence[tuple[str, str]] = ()
    ) -> Flow[Container]:
        ident = self._ident(container)
        yield from self._action(ident, action, params)
        current: Container = yield from type(self).get_container(self, ident)
        return current

    @operation
    def start_container(self, container: Container) -> Flow[Container]:
        """Start ``container`` (a running one stays as it is)."""
        return (yield from self._acted(container, "start"))

    @operation
    def stop_container(self, container: Container) -> Flow[Container]:
        """Stop ``container`` (SIGTERM, then SIGKILL after ``stop_timeout`` seconds)."""
        return (yield from self._acted(container, "stop", [("t", str(self.stop_timeout))]))

    @operation
    def restart_container(self, container: Container) -> Flow[Container]:
        """Restart ``container``."""
        return (yield from self._acted(container, "restart", [("t", str(self.stop_timeout))]))

    @operation
    def destroy_container(self, container: Container, ex_force: bool = True) -> Flow[bool]:
        """Remove ``container`` (a running one too, unless ``ex_force`` is false) and its
        anonymous volumes."""
        ident = self._ident(container)
        yield from self._call(
            "DELETE", f"/containers/{segment(ident)}", f"remove container {ident}",
            params=[("force", _bool(ex_force)), ("v", "1")], idempotent=True,
        )  # fmt: skip
        return True

    @operation
    def ex_kill_container(self, container: Container, signal: str = "SIGKILL") -> Flow[Container]:
        """Send ``signal`` to ``container``'s main process."""
        return (yield from self._acted(container, "kill", [("signal", signal)]))

    @operation
    def ex_pause_container(self, container: Container) -> Flow[Container]:
        """Freeze every process of ``container`` (state PAUSED)."""
        return (yield from self._acted(container, "pause"))

    @operation
    def ex_unpause_container(self, container: Container) -> Flow[Container]:
        """Thaw a paused ``container``."""
        return (yield from self._acted(container, "unpause"))

    @operation
    def ex_rename_container(self, container: Container, name: str) -> Flow[Container]:
        """Give ``container`` a new name."""
        if not name:
            raise ValidationError("a new name is required")
        return (yield from self._acted(container, "rename", [("name", name)]))

    # -- logs ---------------------------------------------------------------------------------
    @listing
    def ex_iterate_logs(
        self,
        container: Container | str,
        *,
        stdout: bool = True,
        stderr: bool = True,
        follow: bool = False,
        tail: int | None = None,
        timestamps: bool = False,
    ) -> Items[LogChunk]:
        """``container``'s output, lazily, as :class:`LogChunk` pieces (stdout and stderr told
        apart unless the container has a TTY); ``follow`` keeps reading until it stops."""
        return Items(self._logs(container, stdout, stderr, follow, tail, timestamps))

    def _logs(
        self,
        container: Container | str,
        stdout: bool,
        stderr: bool,
        follow: bool,
        tail: int | None,
        timestamps: bool,
    ) -> StreamFlow[None]:
        ident = self._ident(container)
        doc = yield from self._call(
            "GET", f"/containers/{segment(ident)}/json", f"inspect container {ident}",
            idempotent=True,
        )  # fmt: skip
        tty = bool(((doc or {}).get("Config") or {}).get("Tty"))
        params = [
            ("stdout", _bool(stdout)),
            ("stderr", _bool(stderr)),
            ("follow", _bool(follow)),
            ("timestamps", _bool(timestamps)),
            ("tail", "all" if tail is None else str(tail)),
        ]
        what = f"logs {ident}"
        path = f"/containers/{segment(ident)}/logs"
        stream = yield from self._open_stream("GET", path, what, params=params)
        decoder = FrameDecoder()
        pieces = _Pieces(stream)
        try:
            while chunk := (yield Read(pieces, _READ)):
                if tty:
                    yield Emit([LogChunk("stdout", chunk)])
                    continue
                frames = [LogChunk(kind, data) for kind, data in decoder.feed(chunk)]
                if frames:
                    yield Emit(frames)
            if not tty:
                decoder.close()
        finally:
            yield Close(stream)

    @stream_operation
    def ex_get_logs(
        self, container: Container | str, stdout: bool = True, stderr: bool = True
    ) -> StreamFlow[str]:
        """``container``'s output so far as text (Libcloud's ``ex_get_logs``)."""
        chunks = yield from emitted(
            self._logs(container, stdout, stderr, follow=False, tail=None, timestamps=False)
        )
        return b"".join(chunk.data for chunk in chunks).decode("utf-8", errors="replace")


class DockerContainerDriver(SyncShell, DockerContainerDriverCore):
    """Docker, sync."""

    _http: StreamingSyncHttp

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:
        self._http = StreamingSyncHttp(config, redactor)

    def _iterate(self, flow: StreamFlow[None]) -> Iterator[Any]:
        # a consumer that stops early still gets the flow's clean-up (the stream closed)
        return self._http.iterate_closing(flow)


class AsyncDockerContainerDriver(AsyncShell, DockerContainerDriverCore):
    """Docker, async."""

    _http: StreamingAsyncHttp

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:
        self._http = StreamingAsyncHttp(config, redactor)

    def _iterate(self, flow: StreamFlow[None]) -> AsyncIterator[Any]:
        return self._http.iterate_closing(flow)
