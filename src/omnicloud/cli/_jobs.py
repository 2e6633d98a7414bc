"""``--wait/--no-wait``: long-running provider work, waited for or only submitted.

CloudStack runs power, volume and snapshot operations as asynchronous jobs. The drivers always
wait for them; with ``--no-wait`` the CLI submits the same API command through the driver's raw
client (:meth:`ex_api_client`) and returns with the job id, leaving the job running.
"""

from __future__ import annotations

from collections.abc import Callable

import click

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["can_submit", "submit", "wait_option"]


def wait_option(what: str = "the operation finishes") -> Callable[[F], F]:
    """The ``--wait/--no-wait`` option (waiting is the default)."""
    return click.option(
        "--wait/--no-wait",
        default=True,
        show_default=True,
        help=f"Wait until {what} (--no-wait: submit and return at once).",
    )


def can_submit(instance: Any) -> bool:
    """Whether ``instance`` can submit API commands without waiting for their jobs."""
    return callable(getattr(instance, "ex_api_client", None))


def submit(instance: Any, command: str, **params: Any) -> dict[str, Any]:
    """Send the asynchronous API ``command`` without waiting; the answer (``jobid``, ``id``)."""
    client = instance.ex_api_client()
    try:
        body = client.call(command, **{k: v for k, v in params.items() if v is not None})
    finally:
        client.close()
    return body if isinstance(body, dict) else {}
