"""Errors specific to object storage (all under :class:`~omnicloud.errors.OmnicloudError`)."""

from __future__ import annotations

from omnicloud.errors import NotFoundError, OmnicloudError, ProviderError, ValidationError

__all__ = [
    "ContainerAlreadyExistsError",
    "ContainerDoesNotExistError",
    "ContainerIsNotEmptyError",
    "IntegrityError",
    "InvalidContainerNameError",
    "InvalidObjectNameError",
    "InvalidRangeError",
    "ObjectDoesNotExistError",
    "ObjectHashMismatchError",
    "StorageError",
    "UnsupportedOperationError",
]


class StorageError(ProviderError):
    """A storage operation failed at the provider (or in the local store)."""


class ContainerDoesNotExistError(NotFoundError, StorageError):
    """The container (bucket) does not exist."""


class ObjectDoesNotExistError(NotFoundError, StorageError):
    """The object does not exist."""


class ContainerAlreadyExistsError(StorageError):
    """A container with that name exists already."""


class ContainerIsNotEmptyError(StorageError):
    """The container still holds objects, so it cannot be deleted."""


class IntegrityError(StorageError):
    """Data did not arrive intact (size or checksum differs from what was sent or stored)."""


class ObjectHashMismatchError(IntegrityError):
    """The object's hash differs from the hash of the bytes sent or received."""


class InvalidContainerNameError(ValidationError):
    """The container name is not allowed (empty, a path, ``..``, NUL, ...)."""


class InvalidObjectNameError(ValidationError):
    """The object name is not allowed (absolute, contains ``..`` or NUL, ...)."""


class InvalidRangeError(ValidationError, StorageError):
    """The requested byte range lies beyond the object's end (S3 ``InvalidRange``, HTTP 416).

    A :class:`ValidationError` (the caller asked for bytes that do not exist) that every driver
    raises alike, whether the local driver noticed it or the server answered 416.
    """


class UnsupportedOperationError(OmnicloudError):
    """The provider has no such operation (for example presigned URLs on local storage)."""
