"""A small scripted CloudStack for commands the simulator does not have yet (networking, VPN,
affinity groups, projects, load balancer rules): canned documents, async jobs, recorded params."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from tests.support.fake_cloudstack import FakeCloudStack, ok
from tests.support.stub_server import Reply, Seen

Doc = dict[str, Any]


class ScriptedCloud:
    """``sync(cmd, fn)`` / ``job(cmd, key, fn)`` / ``listing(cmd, key, items)`` declare commands."""

    def __init__(self) -> None:
        self.handlers: dict[str, Callable[[Seen], Reply]] = {}
        self.jobs: dict[str, Doc] = {}
        self.calls: list[tuple[str, dict[str, str]]] = []
        self._ids = itertools.count(1)
        self.handlers["queryAsyncJobResult"] = self._query

    def new_id(self, prefix: str = "id") -> str:
        return f"{prefix}-{next(self._ids)}"

    def _record(self, fn: Callable[[Seen], Reply]) -> Callable[[Seen], Reply]:
        def handler(seen: Seen) -> Reply:
            params = {k: v for k, v in seen.params.items() if k not in {"apiKey", "signature"}}
            self.calls.append((seen.params["command"], params))
            return fn(seen)

        return handler

    def _query(self, seen: Seen) -> Reply:
        job_id = seen.params["jobid"]
        return ok(
            "queryAsyncJobResult",
            {"jobid": job_id, "jobstatus": 1, "jobresultcode": 0, "jobresult": self.jobs[job_id]},
        )

    def sync(self, command: str, fn: Callable[[dict[str, str]], Doc]) -> None:
        self.handlers[command] = self._record(lambda seen: ok(command, fn(seen.params)))

    def job(self, command: str, fn: Callable[[dict[str, str]], Doc]) -> None:
        def handler(seen: Seen) -> Reply:
            job_id = self.new_id("job")
            self.jobs[job_id] = fn(seen.params)
            return ok(command, {"jobid": job_id})

        self.handlers[command] = self._record(handler)

    def listing(self, command: str, key: str, items: Callable[[dict[str, str]], list[Doc]]) -> None:
        def handler(seen: Seen) -> Reply:
            found = items(seen.params)
            return ok(command, {"count": len(found), key: found} if found else {})

        self.handlers[command] = self._record(handler)

    def params(self, command: str) -> dict[str, str]:
        """The parameters of the last call to ``command``."""
        return next(p for c, p in reversed(self.calls) if c == command)

    def app(self) -> FakeCloudStack:
        return FakeCloudStack(**self.handlers)
