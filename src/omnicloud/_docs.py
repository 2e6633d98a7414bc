"""Documents decoded in part: the fields a model maps now, the whole document on demand."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["PartialDoc"]


class PartialDoc(dict[str, Any]):
    """A dict of some of a wire document's keys; :meth:`document` returns all of them.

    Models map from the dict as from any document; ``extra`` views read the whole one.
    """

    __slots__ = ()

    def document(self) -> Mapping[str, Any]:
        """The whole document."""
        raise NotImplementedError
