"""``list_nodes`` at scale: VM pages decoded into only the fields a node maps.

The rest of each VM's document stays in its page's body, parsed when ``node.extra`` is first read
(see :mod:`omnicloud.cloudstack._heads`). Nodes come out equal, field for field and key for key in
``extra``, to those mapped from fully parsed pages.
"""

from __future__ import annotations

from typing import Any, TypedDict

from omnicloud.cloudstack._heads import HeadReader

__all__ = ["VM_HEADS"]


class _NicHead(TypedDict, total=False):
    ipaddress: Any


class _VmHead(TypedDict, total=False):
    """Every key :class:`~._models.CloudStackNode`'s mapper reads, besides ``extra``."""

    id: Any
    name: Any
    displayname: Any
    state: Any
    created: Any
    nic: list[_NicHead] | None
    publicip: Any


#: Reads ``listVirtualMachines`` pages into :class:`_VmHead` items.
VM_HEADS = HeadReader("virtualmachine", _VmHead)
