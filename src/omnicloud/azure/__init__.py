"""Azure Storage protocol pieces: Shared Key signing, shared access signatures, connection strings
and the Blob service's requests and errors (used by
:mod:`omnicloud.storage.drivers.azure_blobs`).

Nothing here imports an HTTP library; the driver's runners do, on the first request.
"""

from __future__ import annotations

__all__: list[str] = []
