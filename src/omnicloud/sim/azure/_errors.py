"""ARM's error documents: ``{"error": {"code", "message"}}`` with the HTTP status."""

from __future__ import annotations

__all__ = [
    "ArmError",
    "bad_request",
    "conflict",
    "group_not_found",
    "invalid_parameter",
    "not_found",
]


class ArmError(Exception):
    """An ARM error answer: status, code, message, optional target and extra headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = dict(headers or {})

    @property
    def document(self) -> dict[str, dict[str, str]]:
        """The JSON body."""
        error = {"code": self.code, "message": self.message}
        if self.target is not None:
            error["target"] = self.target
        return {"error": error}


def not_found(type_name: str, name: str, group: str) -> ArmError:
    """ARM's 404 for a missing resource (``type_name`` like ``Microsoft.Compute/disks``)."""
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{type_name}/{name}' under resource group '{group}' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    )


def group_not_found(group: str) -> ArmError:
    """ARM's 404 for a missing resource group."""
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found.")


def bad_request(code: str, message: str, target: str | None = None) -> ArmError:
    """A 400 answer."""
    return ArmError(400, code, message, target=target)


def invalid_parameter(message: str, target: str | None = None) -> ArmError:
    """Compute's 400 ``InvalidParameter``."""
    return ArmError(400, "InvalidParameter", message, target=target)


def conflict(code: str, message: str) -> ArmError:
    """A 409 answer."""
    return ArmError(409, code, message)
