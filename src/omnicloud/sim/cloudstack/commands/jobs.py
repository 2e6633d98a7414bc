"""Async job queries: queryAsyncJobResult, listAsyncJobs, and the simulator's cancelAsyncJob."""

from __future__ import annotations

from datetime import UTC, datetime

from .. import _errors as err
from .._call import Call, Listing
from .._jobs import cancel, render_job
from .._registry import Command, Declaration, Param, command
from .._store import Doc


def _job(call: Call, *, view: bool = False) -> Doc:
    """The job ``jobid`` names (its shared public view with ``view``), if the caller may see it."""
    job_id = call.need_text("jobid")
    store = call.state.store
    job = store.job_view(job_id) if view else store.job(job_id)
    if job is None:
        raise err.invalid(call.command.name, "jobid", job_id)
    if not call.caller.is_admin and job["accountid"] != call.caller.account_id:
        raise err.denied(
            f"Account '{call.caller.account}' does not have permission to access job {job_id}"
        )
    return job


@command(
    "queryAsyncJobResult",
    params=(Param("jobid", "uuid", required=True, description="the ID of the asynchronous job"),),
)
def query_async_job_result(call: Call) -> Doc:
    """Retrieves the current status of asynchronous job."""
    return _job(call, view=True)


@command(
    "listAsyncJobs",
    params=(
        Param("startdate", "date", description="the start date of the async job"),
        Param("listall", "boolean", description="list jobs of every account (admins)"),
        Param("account", "string", description="list jobs of this account (admins)"),
        Param("domainid", "uuid", description="list jobs of this domain"),
        Param("isrecursive", "boolean", description="include subdomains"),
    ),
    list_key="asyncjobs",
)
def list_async_jobs(call: Call) -> Listing:
    """Lists all pending asynchronous jobs for the account."""
    offset, limit = call.window()
    owners = call.visible_owners()
    store = call.state.store
    first = 0
    start = _start_date(call)
    if start is not None:
        # jobs are kept in submission order, so their ``created`` times only grow: the first
        # one created at or after ``start`` is found by bisection, as an index would
        total, _ = store.job_views(owners, 0, 0)
        low, high = 0, total
        while low < high:
            middle = (low + high) // 2
            _, (view,) = store.job_views(owners, middle, 1)
            if str(view.get("created", "")) < start:
                low = middle + 1
            else:
                high = middle
        first = low
    total, views = store.job_views(owners, first + offset, limit)
    return Listing(max(total - first, 0), views)


_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def _start_date(call: Call) -> str | None:
    """``startdate`` in the form jobs' ``created`` times take (UTC), or None when not given.

    CloudStack takes ``yyyy-MM-dd'T'HH:mm:ssZ``, ``yyyy-MM-dd HH:mm:ss`` and ``yyyy-MM-dd``;
    jobs created at that moment or later are listed.
    """
    value = call.text("startdate")
    if not value:
        return None
    text = value.strip()
    if len(text) == 24 and text[19] == " ":  # "+0000" sent unencoded: its "+" read as a space
        text = f"{text[:19]}+{text[20:]}"
    for pattern in _DATE_FORMATS:
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    raise err.invalid(call.command.name, "startdate", value)


@command(
    "cancelAsyncJob",
    admin=True,
    params=(
        Param("jobid", "uuid", required=True, description="the ID of the pending job to cancel"),
    ),
)
def cancel_async_job(call: Call) -> Doc:
    """Simulator extension: cancel a pending job; it ends with jobstatus 3."""
    return render_job(cancel(call, _job(call)))


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    query_async_job_result,
    list_async_jobs,
    cancel_async_job,
)
