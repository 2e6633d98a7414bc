"""``configureSimulator``: a root-admin command (a simulator extension) to read or change the
fault knobs and latencies at run time; fault injection never applies to it."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call
from .._registry import Command, Declaration, Param, command
from .._store import Doc

_FLOATS = ("job_latency", "error_rate", "reset_rate", "slow_seconds")


@command(
    "configureSimulator",
    admin=True,
    params=(
        Param("max_page_size", "integer", description="default.page.size (cap of pagesize)"),
        Param("job_latency", "string", description="seconds before async jobs complete"),
        Param(
            "job_latency_by_command",
            "map",
            description="per-command latency: x[0].command, x[0].seconds",
        ),
        Param(
            "rate_limit", "string", description="requests per second per account; 0 turns it off"
        ),
        Param("error_rate", "string", description="probability of a random 5xx HTML answer"),
        Param("seed", "integer", description="seed of the fault generator"),
        Param("reset_rate", "string", description="probability of dropping the connection"),
        Param("slow_seconds", "string", description="delay before every answer"),
        Param(
            "fail_jobs",
            "string",
            description="comma-separated commands whose jobs fail; empty clears",
        ),
        Param(
            "accept_unencoded_tilde", "boolean", description="accept signatures with ~ left literal"
        ),
        Param("max_userdata_length", "integer", description="vm.userdata.max.length for POST"),
    ),
)
def configure_simulator(call: Call) -> Doc:
    """Read (no parameters) or change the simulator's fault knobs and latencies."""
    config = call.config
    try:
        for name in _FLOATS:
            if call.has(name):
                setattr(config, name, float(call.text(name) or 0))
        if call.has("rate_limit"):
            value = float(call.text("rate_limit") or 0)
            config.rate_limit = value if value > 0 else None
    except ValueError as error:
        raise err.param_error(f"Invalid number: {error}") from None
    if call.has("max_page_size"):
        config.max_page_size = call.number("max_page_size") or 500
    if call.has("seed"):
        config.seed = call.number("seed")
    if call.has("fail_jobs"):
        config.fail_jobs = {
            n.strip() for n in (call.text("fail_jobs") or "").split(",") if n.strip()
        }
    if call.has("accept_unencoded_tilde"):
        config.accept_unencoded_tilde = call.flag("accept_unencoded_tilde")
    if call.has("max_userdata_length"):
        config.max_userdata_length = call.number("max_userdata_length") or 32768
    for entry in call.maps("job_latency_by_command"):
        try:
            config.job_latency_by_command[entry["command"]] = float(entry["seconds"])
        except (KeyError, ValueError):
            raise err.param_error("job_latency_by_command needs command and seconds") from None
    return {"simulatorconfig": config.as_dict()}


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (configure_simulator,)
