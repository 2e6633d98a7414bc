"""CloudStack's error codes and the exception the simulator raises to answer with one."""

from __future__ import annotations

from ..core.resets import SimulatedReset

__all__ = [
    "ACCOUNT_ERROR",
    "INSUFFICIENT_CAPACITY",
    "INTERNAL_ERROR",
    "LIMIT_ERROR",
    "PARAM_ERROR",
    "RESOURCE_IN_USE",
    "UNAUTHORIZED",
    "ApiError",
    "AuthError",
    "SimulatedReset",
]

UNAUTHORIZED = 401
API_LIMIT_EXCEEDED = 429
PARAM_ERROR = 431
UNSUPPORTED_ACTION = 432
INTERNAL_ERROR = 530
ACCOUNT_ERROR = 531
LIMIT_ERROR = 532
INSUFFICIENT_CAPACITY = 533
RESOURCE_UNAVAILABLE = 534
RESOURCE_IN_USE = 536
NETWORK_RULE_CONFLICT = 537

# CSExceptionErrorCode values that go with them.
_CS_CODES = {
    API_LIMIT_EXCEEDED: 4545,
    PARAM_ERROR: 4350,
    UNSUPPORTED_ACTION: 4350,
    INTERNAL_ERROR: 4250,
    ACCOUNT_ERROR: 4365,
    LIMIT_ERROR: 4370,
    INSUFFICIENT_CAPACITY: 4325,
    RESOURCE_UNAVAILABLE: 4380,
    RESOURCE_IN_USE: 4375,
    NETWORK_RULE_CONFLICT: 4250,
}

AUTH_TEXT = "unable to verify user credentials and/or request signature"


class ApiError(Exception):
    """An error answer: HTTP status = ``errorcode``, with CloudStack's ``cserrorcode``."""

    def __init__(self, errorcode: int, errortext: str, *, cserrorcode: int | None = None) -> None:
        super().__init__(errortext)
        self.errorcode = errorcode
        self.errortext = errortext
        self.cserrorcode = cserrorcode if cserrorcode is not None else _CS_CODES.get(errorcode)

    def body(self) -> dict[str, object]:
        """The error object placed inside the response envelope."""
        body: dict[str, object] = {"uuidList": [], "errorcode": self.errorcode}
        if self.cserrorcode is not None:
            body["cserrorcode"] = self.cserrorcode
        body["errortext"] = self.errortext
        return body


class AuthError(ApiError):
    """401: the real server sends no ``cserrorcode`` for a failed signature check."""

    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED, AUTH_TEXT, cserrorcode=None)
        self.cserrorcode = None


def missing(command: str, name: str) -> ApiError:
    """431 for a required parameter that was not sent."""
    return ApiError(
        PARAM_ERROR,
        f"Unable to execute API command {command.lower()} due to missing parameter {name}",
    )


def invalid(command: str, name: str, value: str) -> ApiError:
    """431 for a value that does not parse or names no visible entity (CloudStack's wording)."""
    return ApiError(
        PARAM_ERROR,
        f"Unable to execute API command {command.lower()} due to invalid value. Invalid parameter "
        f"{name} value={value} due to incorrect long value format, or entity does not exist or due "
        "to incorrect parameter annotation for the field in api cmd class.",
    )


def bad_number(command: str, name: str, value: str) -> ApiError:
    """431 for a number parameter that does not parse or overflows its Java type."""
    return ApiError(
        PARAM_ERROR,
        f"Unable to execute API command {command.lower()} due to invalid value {value} "
        f"for parameter {name}",
    )


def param_error(text: str) -> ApiError:
    """431 with a free text."""
    return ApiError(PARAM_ERROR, text)


def denied(text: str) -> ApiError:
    """531 PermissionDenied."""
    return ApiError(ACCOUNT_ERROR, text)
