"""CloudSigma's error answers: a JSON list of ``{error_type, error_message, error_point}``."""

from __future__ import annotations

from typing import Any

__all__ = ["SimError", "denied", "invalid", "missing", "payment"]


class SimError(Exception):
    """An error answer with HTTP ``status`` and CloudSigma's error list as body."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        point: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.point = point
        self.headers = dict(headers or {})

    def body(self) -> list[dict[str, Any]]:
        """The JSON error list."""
        return [
            {
                "error_point": self.point,
                "error_type": self.error_type,
                "error_message": self.message,
            }
        ]


def invalid(message: str, point: str | None = None) -> SimError:
    """400 validation error naming the field."""
    return SimError(400, "validation", message, point)


def missing(kind: str, uuid: str) -> SimError:
    """404 for an object that does not exist."""
    return SimError(404, "notexist", f"Object with uuid {uuid} does not exist", None)


def denied(message: str) -> SimError:
    """403 permission error (also used for operations in the wrong state)."""
    return SimError(403, "permission", message)


def payment(message: str) -> SimError:
    """402 when the account cannot pay."""
    return SimError(402, "payment", message)
