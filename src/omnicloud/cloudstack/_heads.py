"""List pages read as only the fields a model maps; each full document is parsed when first asked.

A 500-VM ``listVirtualMachines`` page is about 800 KB of JSON, roughly 120 Python objects per VM
once parsed, and a node needs six of its fields. :class:`HeadReader` decodes just those fields
(msgspec skips the rest without building them), which is what most of a listing's CPU went to.
Every item it returns is a :class:`HeadDoc`: a plain dict of the decoded fields that also knows
its page, whose whole body is parsed, once for all of its items, when one of them is asked for
its full document (by a node's ``extra`` view).

A page the reader cannot type (an unexpected shape, a null where a list belongs) is left to the
generic reader, which parses everything and reports malformed answers as it always does.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from omnicloud._docs import PartialDoc
from omnicloud.errors import MalformedResponseError

__all__ = ["HeadDoc", "HeadReader"]


class _PageSource:
    """One page's body, parsed in full on first use."""

    __slots__ = ("_body", "_documents", "_item_key", "_lock")

    def __init__(self, body: bytes, item_key: str) -> None:
        self._body: bytes | None = body
        self._item_key = item_key
        self._documents: list[Any] | None = None
        self._lock = threading.Lock()

    def documents(self) -> list[Any]:
        """Every item of the page as a full document (parsed once)."""
        if self._documents is None:
            with self._lock:
                if self._documents is None:
                    self._documents = self._parse()
                    self._body = None
        return self._documents

    def _parse(self) -> list[Any]:
        import msgspec

        assert self._body is not None
        try:
            (page,) = msgspec.json.decode(self._body).values()
            items = page[self._item_key]
        except (msgspec.DecodeError, ValueError, TypeError, KeyError) as exc:
            raise MalformedResponseError(f"list page could not be read in full: {exc}") from None
        if not isinstance(items, list):
            raise MalformedResponseError(f"list page: '{self._item_key}' is not a list")
        return items


class HeadDoc(PartialDoc):
    """The decoded fields of one list item (a dict), with :meth:`document` for all of it."""

    __slots__ = ("_index", "_source")

    _source: _PageSource
    _index: int

    def document(self) -> Mapping[str, Any]:
        """The item's full document, as the generic reader would have returned it."""
        documents = self._source.documents()
        if self._index >= len(documents):
            raise MalformedResponseError("list page: fewer items on the second read")
        document: Mapping[str, Any] = documents[self._index]
        return document


class HeadReader:
    """Reads a CloudStack list page into :class:`HeadDoc` items of type ``head`` (a TypedDict).

    ``item_key`` is the page's list key (``"virtualmachine"``). Calling the reader with a 200
    answer's body gives ``(count, items)``, or None when the page is not of the expected shape.
    """

    def __init__(self, item_key: str, head: type) -> None:
        self.item_key = item_key
        self.head = head
        self._decoder: Any = None

    def _build(self) -> Any:
        import msgspec

        # another key beside count and the items (several lists) is for the generic reader
        page = msgspec.defstruct(
            "Page",
            [("count", Any, None), (self.item_key, list[self.head] | None, None)],  # type: ignore[name-defined]
            forbid_unknown_fields=True,
        )
        return msgspec.json.Decoder(dict[str, page])  # type: ignore[valid-type]

    def __call__(self, body: bytes) -> tuple[int | None, list[HeadDoc]] | None:
        import msgspec

        decoder = self._decoder
        if decoder is None:
            decoder = self._decoder = self._build()
        try:
            document = decoder.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        if len(document) != 1:
            return None
        (page,) = document.values()
        items = getattr(page, self.item_key)
        if items is None:
            return None
        count = page.count
        if count is not None:
            try:
                count = int(count)
            except (TypeError, ValueError):
                count = None
        source = _PageSource(body, self.item_key)
        heads: list[HeadDoc] = []
        for index, fields in enumerate(items):
            head = HeadDoc(fields)
            head._source = source
            head._index = index
            heads.append(head)
        return count, heads
