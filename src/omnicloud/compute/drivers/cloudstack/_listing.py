"""``list_nodes`` at scale: VM pages decoded into only the fields a node maps.

The keys decoded are those :class:`~._models.CloudStackNode`'s ``wire()`` declarations read
(:func:`omnicloud._wire.heads`), so the partial decoding is an option of the one mapping style,
not a second list of fields. The rest of each VM's document stays in its page's body, parsed
when ``node.extra`` is first read (see :mod:`omnicloud.cloudstack._heads`). Nodes come out
equal, field for field and key for key in ``extra``, to those mapped from fully parsed pages.
"""

from __future__ import annotations

from omnicloud._wire import heads
from omnicloud.cloudstack._heads import HeadReader

from ._models import CloudStackNode

__all__ = ["VM_HEADS"]

#: Reads ``listVirtualMachines`` pages into the keys a :class:`CloudStackNode` maps.
VM_HEADS = HeadReader("virtualmachine", heads(CloudStackNode, "VmHead"))
