"""Cloud Storage's error answers become the storage family's errors."""

from __future__ import annotations

import json

import pytest

from omnicloud.errors import InvalidCredentialsError, PermissionDeniedError, RateLimitedError
from omnicloud.gcp._storage import error_from_response
from omnicloud.http import HttpResponse, Redactor
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidRangeError,
    ObjectDoesNotExistError,
    ObjectHashMismatchError,
    StorageError,
)


def _answer(status: int, message: str, reason: str = "invalid") -> HttpResponse:
    body = {"error": {"code": status, "message": message, "errors": [{"reason": reason}]}}
    return HttpResponse(status, {"content-type": "application/json"}, json.dumps(body).encode())


@pytest.mark.parametrize(
    ("status", "message", "missing", "expected"),
    [
        (404, "No such object: bk/a", "object", ObjectDoesNotExistError),
        (404, "The specified bucket does not exist.", "object", ContainerDoesNotExistError),
        (404, "Not Found", "container", ContainerDoesNotExistError),
        (409, "You already own this bucket.", "create", ContainerAlreadyExistsError),
        (409, "The bucket you tried to delete is not empty.", "delete", ContainerIsNotEmptyError),
        (412, "bucket must be empty prior to deletion", "delete", ContainerIsNotEmptyError),
        (400, "Provided MD5 hash \"x\" doesn't match calculated MD5 hash \"y\".", "container",
         ObjectHashMismatchError),
        (400, "Provided CRC32C \"x\" doesn't match calculated CRC32C \"y\".", "container",
         ObjectHashMismatchError),
        (401, "Invalid Credentials", "object", InvalidCredentialsError),
        (403, "uploader does not have storage.objects.get access", "object",
         PermissionDeniedError),
        (416, "The requested range cannot be satisfied.", "object", InvalidRangeError),
        (429, "The rate of change requests is too high", "object", RateLimitedError),
        (409, "Conflict", "object", StorageError),
    ],
)  # fmt: skip
def test_error_answers_map_to_the_family(
    status: int, message: str, missing: str, expected: type[Exception]
) -> None:
    error = error_from_response(_answer(status, message), "gcs op", missing)
    assert type(error) is expected
    assert f"HTTP {status}" in str(error) and message in str(error)
    assert getattr(error, "code", None) == "invalid"


def test_messages_are_redacted() -> None:
    redactor = Redactor(["ya29.secret-token"])
    error = error_from_response(_answer(403, "ya29.secret-token denied"), "gcs op", "object",
                                redactor)  # fmt: skip
    assert "ya29.secret-token" not in str(error)
