"""Async jobs: submission, lazy completion when their time has come, cancellation, rendering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from . import _errors as err
from ._call import Call, Caller, Pending, parse_args
from ._docs import new_id, timestamp
from ._registry import Command, java_class
from ._store import Doc, public

if TYPE_CHECKING:
    from ._config import SimConfig
    from ._state import CloudStackState
    from ._world import World

__all__ = ["cancel", "render_job", "seed_history", "settle", "submit"]

PENDING, SUCCEEDED, FAILED, CANCELLED = 0, 1, 2, 3
_CAPACITY_BOUND = {"deployvirtualmachine", "startvirtualmachine", "scalevirtualmachine"}


def submit(call: Call, pending: Pending) -> Doc:
    """Record the job of an async command; the answer body ``{"jobid"[, "id"]}``."""
    job_id = new_id()
    name = call.command.name
    job: Doc = {
        "jobid": job_id,
        "accountid": call.caller.account_id,
        "userid": call.caller.user_id,
        "account": call.caller.account,
        "domainid": call.caller.domain_id,
        "cmd": call.command.java_class,
        "jobstatus": PENDING,
        "jobprocstatus": 0,
        "jobresultcode": 0,
        "created": timestamp(call.now),
        "_command": name,
        "_params": call.raw,
        "_payload": pending.payload,
        "_fail": call.config.fails(name),
    }
    if pending.instance_type:
        job["jobinstancetype"] = pending.instance_type
    if pending.instance_id:
        job["jobinstanceid"] = pending.instance_id
    call.state.store.add_job(job, call.now + max(call.config.latency_for(name), 0.0))
    body: Doc = {"jobid": job_id}
    if pending.returns_id and pending.instance_id:
        body["id"] = pending.instance_id
    return body


def render_job(job: Doc) -> Doc:
    """The public fields of a job, as queryAsyncJobResult returns them."""
    return public(job)


def _caller(state: World, job: Doc) -> Caller | None:
    account = state.account(job["accountid"])
    if account is None:
        return None
    username = next(
        (u[1] for u in state.store.users_of(account["id"]) if u[0] == job["userid"]), ""
    )
    return Caller(
        user_id=job["userid"],
        username=username,
        account_id=account["id"],
        account=account["name"],
        is_admin=account["accounttype"] == 1,
        domain_id=account["domainid"],
        domain=account["domain"],
    )


def _close(job: Doc, status: int, code: int, result: Doc, now: float) -> None:
    job["jobstatus"] = status
    job["jobresultcode"] = code
    job["jobresulttype"] = "object"
    job["jobresult"] = result
    job["completed"] = timestamp(now)


def _undo(call: Call, job: Doc) -> None:
    hook = call.command.on_fail
    if hook is None:
        return
    try:
        with call.state.store.savepoint():
            hook(call, job.get("_payload") or {})
    except Exception:
        return


def _forced_failure(call: Call) -> err.ApiError:
    name = call.command.name
    if name.lower() in _CAPACITY_BOUND:
        return err.ApiError(
            err.INSUFFICIENT_CAPACITY,
            f"Unable to create a deployment for VM instance (simulated failure of {name})",
        )
    return err.ApiError(err.INTERNAL_ERROR, f"Failed to execute {name} (simulated failure)")


def _finish(
    state: World,
    config: SimConfig,
    commands: Mapping[str, Command],
    job: Doc,
    now: float,
) -> None:
    command = commands.get(job["_command"])
    caller = _caller(state, job)
    if command is None or command.finish is None or caller is None:
        _close(job, FAILED, err.INTERNAL_ERROR, {"errorcode": 530, "errortext": "Unknown job"}, now)
        return
    call = Call(command, caller, state, config, now, raw=dict(job["_params"]), commands=commands)
    try:
        with state.store.savepoint():
            if job.get("_fail"):
                raise _forced_failure(call)
            parse_args(call)
            result = command.finish(call, job.get("_payload") or {})
    except err.ApiError as error:
        _undo(call, job)
        _close(
            job,
            FAILED,
            err.INTERNAL_ERROR,
            {"errorcode": error.errorcode, "errortext": error.errortext},
            now,
        )
        return
    except Exception as error:
        _undo(call, job)
        _close(
            job,
            FAILED,
            err.INTERNAL_ERROR,
            {"errorcode": 530, "errortext": f"Internal error: {error}"},
            now,
        )
        return
    _close(job, SUCCEEDED, 0, result, now)


def settle(state: World, config: SimConfig, commands: Mapping[str, Command], now: float) -> int:
    """Complete every pending job whose due time has passed; how many were completed."""
    jobs = state.store.due_jobs(now)
    if not jobs:
        return 0
    with state.store.transaction():
        for job in jobs:
            _finish(state, config, commands, job, now)
            state.store.save_job(job)
    return len(jobs)


def cancel(call: Call, job: Doc) -> Doc:
    """Cancel a pending job (jobstatus 3), undoing its submit step."""
    if job["jobstatus"] != PENDING:
        raise err.param_error(f"Job {job['jobid']} has already completed")
    command = call.commands.get(job["_command"])
    caller = _caller(call.state, job)
    if command is not None and caller is not None:
        _undo(
            Call(
                command,
                caller,
                call.state,
                call.config,
                call.now,
                raw=dict(job["_params"]),
                commands=call.commands,
            ),
            job,
        )
    _close(
        job,
        CANCELLED,
        err.INTERNAL_ERROR,
        {"errorcode": 530, "errortext": "Job was cancelled"},
        call.now,
    )
    call.state.store.save_job(job)
    return job


def seed_history(
    state: CloudStackState,
    count: int,
    *,
    account: str = "admin",
    oldest: float = 600.0,
    newest: float = 60.0,
    now: float | None = None,
) -> list[str]:
    """Record ``count`` finished deploy jobs of ``account``, created evenly from ``oldest`` to
    ``newest`` seconds ago: an account's job history, as listAsyncJobs shows it. Each result is
    a full VM document, as a real deploy's is. Returns the job ids, oldest first."""
    owner = state.account_by_name(account)
    if owner is None:
        raise KeyError(f"unknown account {account!r}")
    (vm_id,) = state.bulk_create_vms(1, account=account, name_prefix="history")
    vm = public(state.store.get("vm", vm_id) or {})
    user_id = state.store.users_of(owner["id"])[0][0]
    moment = state.clock.now() if now is None else now
    step = (oldest - newest) / max(count, 1)
    ids: list[str] = []
    with state.store.transaction():
        for index in range(count):
            created = moment - oldest + index * step
            job: Doc = {
                "jobid": new_id(),
                "accountid": owner["id"],
                "userid": user_id,
                "account": owner["name"],
                "domainid": owner["domainid"],
                "cmd": java_class("deployVirtualMachine", "vms"),
                "jobstatus": SUCCEEDED,
                "jobprocstatus": 0,
                "jobresultcode": 0,
                "jobresulttype": "object",
                "jobresult": {"virtualmachine": vm},
                "jobinstancetype": "VirtualMachine",
                "jobinstanceid": vm_id,
                "created": timestamp(created),
                "completed": timestamp(created + 1.0),
                "_command": "deployVirtualMachine",
                "_params": {},
                "_payload": {},
                "_fail": False,
            }
            state.store.add_job(job, created + 1.0)
            ids.append(job["jobid"])
    return ids
