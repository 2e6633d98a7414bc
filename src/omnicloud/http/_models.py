"""Transport-neutral request and response values passed between flows and runners."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from omnicloud.errors import MalformedResponseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["IDEMPOTENT_METHODS", "HttpRequest", "HttpResponse"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@functools.cache
def _json_loads() -> Callable[[bytes], Any]:
    """orjson's parser when installed (several times faster on large lists), else the stdlib's."""
    try:
        import orjson
    except ImportError:
        import json

        return json.loads
    return orjson.loads


@dataclass(slots=True)
class HttpRequest:
    """One HTTP request as a flow describes it.

    ``operation`` names the call in errors (``"cloudstack deployVirtualMachine"``). ``idempotent``
    decides whether the retry policy may send it again; by default it follows the method.
    """

    method: str
    url: str
    params: Sequence[tuple[str, str]] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    form: Sequence[tuple[str, str]] | None = None
    content: bytes | Iterable[bytes] | AsyncIterable[bytes] | None = None
    operation: str = ""
    idempotent: bool | None = None
    stream: bool = False

    @property
    def is_idempotent(self) -> bool:
        """Whether sending this request twice has the same effect as sending it once."""
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() in IDEMPOTENT_METHODS

    @property
    def label(self) -> str:
        """A short name for messages: the operation, or the method and URL path."""
        if self.operation:
            return self.operation
        return f"{self.method} {self.url.split('?', 1)[0]}"


@dataclass(slots=True)
class HttpResponse:
    """A received response; ``content`` is fully read unless the request asked to stream."""

    status: int
    headers: Mapping[str, str]
    content: bytes = b""
    reason: str = ""
    url: str = ""
    elapsed: float = 0.0

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased (``"application/json"``)."""
        value = self.headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.content.decode("utf-8", errors="replace")

    def excerpt(self, limit: int = 200) -> str:
        """The start of the body on one line, for error messages."""
        text = " ".join(self.text.split())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def json(self) -> Any:
        """The body parsed as JSON, or :class:`MalformedResponseError`."""
        try:
            return _json_loads()(self.content)
        except ValueError as exc:
            raise MalformedResponseError(
                f"HTTP {self.status}: body is not valid JSON ({exc})",
                status=self.status,
                excerpt=self.excerpt(),
            ) from None
