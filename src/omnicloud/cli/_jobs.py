"""``--wait/--no-wait``, and ``omnicloud jobs wait JOB_ID``: long-running provider work.

CloudStack runs power, volume and snapshot operations as asynchronous jobs. The drivers always
wait for them; with ``--no-wait`` the CLI submits the same API command through the driver's raw
client (:meth:`ex_api_client`) and returns with the job id, leaving the job running. A command
whose wait failed after the job was accepted prints the job id and the ``jobs wait`` command that
picks the wait up again (the driver's ``ex_wait_for_job``).
"""

from __future__ import annotations

from collections.abc import Callable

import click

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["can_submit", "jobs", "program", "submit", "wait_option"]


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


def program(ctx: click.Context) -> str:
    """``omnicloud`` with the ``--cloud`` option this command line chose, for resume hints."""
    import shlex

    from omnicloud.cli._cloud import cloud_name

    name = cloud_name(ctx)
    return "omnicloud" if name is None else f"omnicloud --cloud {shlex.quote(name)}"


@click.group()
def jobs() -> None:
    """Asynchronous provider jobs."""


@jobs.command("wait")
@click.argument("job_id")
@click.pass_context
def wait_job(ctx: click.Context, job_id: str) -> None:
    """Wait for job JOB_ID and print what it made (a node for a deploy).

    Picks up a wait that failed after the job was accepted, or a job started with --no-wait.
    """
    from omnicloud.cli._cloud import driver, output_format, status
    from omnicloud.cli._errors import CliUsageError
    from omnicloud.cli._render import emit

    instance = driver(ctx)
    waiter = getattr(instance, "ex_wait_for_job", None)
    if waiter is None:
        raise CliUsageError("this cloud has no asynchronous jobs to wait for")
    with status(f"waiting for job {job_id}..."):
        result = waiter(job_id)
    emit(result if result is not None else {}, output_format(ctx))
