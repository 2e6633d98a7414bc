"""Async jobs: pending, succeeded, failed (fault knob, capacity), cancelled; listAsyncJobs."""

from __future__ import annotations

from .conftest import Sim

JOB_FIELDS = {
    "jobid", "accountid", "userid", "cmd", "jobstatus", "jobprocstatus", "jobresultcode",
    "jobresulttype", "jobresult", "jobinstancetype", "jobinstanceid", "created", "completed",
}  # fmt: skip


def _submit_deploy(sim: Sim, who: str = "admin", **extra: object) -> dict[str, str]:
    args = {
        "zoneid": sim.zone()["id"],
        "templateid": sim.template()["id"],
        "serviceofferingid": sim.offering()["id"],
    }
    args.update(extra)  # type: ignore[arg-type]
    body: dict[str, str] = sim.call("deployVirtualMachine", who, **args)
    return body


def test_job_succeeds_with_real_fields(sim: Sim) -> None:
    body = _submit_deploy(sim, name="ok1")
    job = sim.wait(body["jobid"])
    assert set(job) >= JOB_FIELDS
    assert job["jobstatus"] == 1 and job["jobresultcode"] == 0 and job["jobprocstatus"] == 0
    assert job["jobresulttype"] == "object"
    assert job["jobinstancetype"] == "VirtualMachine" and job["jobinstanceid"] == body["id"]
    assert job["cmd"] == "org.apache.cloudstack.api.command.user.vm.DeployVMCmd"
    assert job["jobresult"]["virtualmachine"]["state"] == "Running"
    assert not any(key.startswith("_") for key in job)


def test_job_is_pending_until_its_latency_passes(sim: Sim) -> None:
    sim.config.job_latency_by_command["deployvirtualmachine"] = 30
    body = _submit_deploy(sim)
    job = sim.call("queryAsyncJobResult", jobid=body["jobid"])
    assert job["jobstatus"] == 0 and "jobresult" not in job
    vm = sim.call("listVirtualMachines", id=body["id"])["virtualmachine"][0]
    assert vm["state"] == "Starting"


def test_forced_failure_via_fail_jobs(sim: Sim) -> None:
    vm = sim.deploy()
    sim.config.fail_jobs = {"stopVirtualMachine"}
    job = sim.wait(sim.call("stopVirtualMachine", id=vm["id"])["jobid"])
    assert job["jobstatus"] == 2 and job["jobresultcode"] == 530
    assert job["jobresult"]["errorcode"] == 530 and job["jobresult"]["errortext"]
    again = sim.call("listVirtualMachines", id=vm["id"])["virtualmachine"][0]
    assert again["state"] == "Running"  # the failed stop is undone


def test_failed_deploy_reports_533_and_leaves_error_vm(sim: Sim) -> None:
    sim.config.fail_jobs = {"deployVirtualMachine"}
    body = _submit_deploy(sim)
    job = sim.wait(body["jobid"])
    assert job["jobstatus"] == 2 and job["jobresultcode"] == 530
    assert job["jobresult"]["errorcode"] == 533
    vm = sim.call("listVirtualMachines", id=body["id"])["virtualmachine"][0]
    assert vm["state"] == "Error"


def test_insufficient_capacity(sim: Sim) -> None:
    custom = sim.offering("Custom")
    body = _submit_deploy(
        sim,
        serviceofferingid=custom["id"],
        **{"details[0].cpuNumber": 48, "details[0].memory": 4096},
    )
    job = sim.wait(body["jobid"])
    assert job["jobstatus"] == 2
    assert job["jobresult"]["errorcode"] == 533
    assert "insufficient capacity" in job["jobresult"]["errortext"]


def test_cancelled_job(sim: Sim) -> None:
    sim.config.job_latency = 60
    body = _submit_deploy(sim)
    cancelled = sim.call("cancelAsyncJob", jobid=body["jobid"])
    assert cancelled["jobstatus"] == 3
    job = sim.call("queryAsyncJobResult", jobid=body["jobid"])
    assert job["jobstatus"] == 3 and job["jobresultcode"] == 530
    status, _ = sim.error("cancelAsyncJob", jobid=body["jobid"])
    assert status == 431
    status, _ = sim.error("cancelAsyncJob", "alice", jobid=body["jobid"])
    assert status == 531


def test_other_accounts_job_is_531(sim: Sim) -> None:
    body = _submit_deploy(sim, "alice")
    status, _ = sim.error("queryAsyncJobResult", "bob", jobid=body["jobid"])
    assert status == 531
    assert sim.call("queryAsyncJobResult", jobid=body["jobid"])["jobid"] == body["jobid"]


def test_list_async_jobs(sim: Sim) -> None:
    first = _submit_deploy(sim, "alice")
    _submit_deploy(sim, "bob")
    jobs = sim.call("listAsyncJobs", "alice")
    assert jobs["count"] == 1 and jobs["asyncjobs"][0]["jobid"] == first["jobid"]
    assert sim.call("listAsyncJobs", listall="true")["count"] == 2


def test_unknown_job_is_431(sim: Sim) -> None:
    status, _ = sim.error("queryAsyncJobResult", jobid="6a1e6c9e-1111-2222-3333-444444444444")
    assert status == 431
