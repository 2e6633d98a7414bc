"""Async job queries: queryAsyncJobResult, listAsyncJobs, and the simulator's cancelAsyncJob."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing
from .._jobs import cancel, render_job
from .._registry import Param, command
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
    total, views = call.state.store.job_views(call.visible_owners(), offset, limit)
    return Listing(total, views)


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
