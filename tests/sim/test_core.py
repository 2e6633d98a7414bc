"""The simulator core on its own: store transactions, faults, clock, paging, auth, registry, app."""

from __future__ import annotations

import base64
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from omnicloud.errors import ConfigurationError
from omnicloud.sim.core import (
    BaseConfig,
    BasicAuth,
    Credentials,
    Faults,
    ManualClock,
    Option,
    Registry,
    SimulatorSpec,
    SqliteStore,
    Window,
)
from omnicloud.sim.core.clock import begin, settle
from omnicloud.sim.registry import SIMULATORS
from omnicloud.sim.transport import SyncASGITransport


class NoteStore(SqliteStore):
    KIND = "Notes"
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
    """
    TABLES = ("settings", "notes")

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path)
        self.events: list[str] = []

    def add(self, text: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO notes (text) VALUES (?)", (text,))

    def texts(self) -> list[str]:
        with self._lock:
            return [str(row[0]) for row in self._db.execute("SELECT text FROM notes ORDER BY id")]

    def _began(self) -> None:
        self.events.append("began")

    def _rolled_back(self) -> None:
        self.events.append("rolled back" if not self.in_transaction else "savepoint undone")

    def _committed(self) -> None:
        self.events.append("committed")


# store ------------------------------------------------------------------------------------------


def test_a_failed_transaction_leaves_nothing() -> None:
    store = NoteStore()
    with store.transaction():
        store.add("kept")
    with pytest.raises(RuntimeError), store.transaction():
        store.add("lost")
        store.set_setting("also", "lost")
        raise RuntimeError("boom")
    assert store.texts() == ["kept"]
    assert store.setting("also") is None
    assert store.events == ["began", "committed", "began", "rolled back"]
    assert not store.in_transaction


def test_nested_transactions_join_the_outer_one() -> None:
    store = NoteStore()
    with pytest.raises(ValueError), store.transaction():
        store.add("outer")
        with store.transaction():
            store.add("inner")
        assert store.in_transaction
        raise ValueError("the outer block fails after the inner one finished")
    assert store.texts() == []
    assert store.events == ["began", "rolled back"]


def test_a_savepoint_undoes_only_its_own_writes() -> None:
    store = NoteStore()
    with store.transaction():
        store.add("before")
        with pytest.raises(KeyError), store.savepoint():
            store.add("inside")
            raise KeyError("step fails")
        store.add("after")
    assert store.texts() == ["before", "after"]
    assert store.events == ["began", "savepoint undone", "committed"]


def test_settings_round_trip_and_persist(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    store = NoteStore(path)
    store.set_setting("seeded", "1")
    store.set_setting("seeded", "2")
    store.close()
    again = NoteStore(path)
    assert again.setting("seeded") == "2"
    assert again.setting("missing") is None
    assert path.stat().st_mode & 0o077 == 0
    again.close()


def test_another_simulators_state_file_is_refused(tmp_path: Path) -> None:
    from omnicloud.sim.cloudsigma import CloudSigmaState

    path = tmp_path / "sigma.db"
    CloudSigmaState(path).close()
    with pytest.raises(ConfigurationError, match="not a Notes simulator state file"):
        NoteStore(path)


# faults -----------------------------------------------------------------------------------------


def _outcomes(faults: Faults, count: int) -> list[bool]:
    return [faults.error_draw() is not None for _ in range(count)]


def test_seeded_faults_fail_the_same_requests_every_time() -> None:
    first = _outcomes(Faults(BaseConfig(error_rate=0.3, seed=7)), 200)
    second = _outcomes(Faults(BaseConfig(error_rate=0.3, seed=7)), 200)
    other = _outcomes(Faults(BaseConfig(error_rate=0.3, seed=8)), 200)
    assert first == second
    assert first != other
    assert 30 < sum(first) < 90


def test_changing_the_seed_restarts_the_generator() -> None:
    config = BaseConfig(error_rate=0.5, seed=1)
    faults = Faults(config)
    start = _outcomes(faults, 50)
    config.seed = 2
    _outcomes(faults, 10)
    config.seed = 1
    assert _outcomes(faults, 50) == start


def test_a_knob_that_is_off_draws_nothing() -> None:
    config = BaseConfig(error_rate=0.5, seed=3)
    plain = _outcomes(Faults(config), 40)
    faults = Faults(BaseConfig(error_rate=0.5, seed=3))
    mixed = []
    for _ in range(40):
        assert not faults.should_reset()  # reset_rate 0: no number drawn
        mixed.append(faults.error_draw() is not None)
    assert mixed == plain
    assert Faults(BaseConfig()).roll(0.0) is None


def test_rate_windows_are_per_key_and_reset_each_second() -> None:
    faults = Faults(BaseConfig(rate_limit=2))
    assert faults.over_limit("a", 100.0) is None
    assert faults.over_limit("a", 100.2) is None
    assert faults.over_limit("a", 100.5) == 500
    assert faults.over_limit("b", 100.5) is None
    assert faults.usage("a", 100.6) == (3, 0, 400)
    assert faults.over_limit("a", 101.0) is None
    assert Faults(BaseConfig()).usage("a", 1.0) == (0, -1, 1000)


def test_slow_requests_count_down() -> None:
    config = BaseConfig(slow_seconds=0.5, slow_requests=2)
    faults = Faults(config)
    assert [faults.delay() for _ in range(3)] == [0.5, 0.5, 0.0]
    assert config.slow_requests == 0
    assert Faults(BaseConfig(slow_seconds=0.25)).delay() == 0.25


# clock and paging -------------------------------------------------------------------------------


def test_a_manual_clock_settles_transitions_when_advanced() -> None:
    clock = ManualClock(1000.0)
    doc: dict[str, Any] = {}
    begin(doc, "starting", "running", 5.0, clock.now())
    assert doc["status"] == "starting"
    assert not settle(doc, clock.now())
    clock.advance(5.0)
    assert settle(doc, clock.now())
    assert doc == {"status": "running"}
    begin(doc, "stopping", "stopped", 0, clock.now())
    assert doc == {"status": "stopped"}
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_a_state_on_a_manual_clock() -> None:
    from omnicloud.sim.cloudsigma import CloudSigmaState

    clock = ManualClock(50.0)
    state = CloudSigmaState(clock=clock)
    doc = state.base("drives")
    state.transition(doc, "creating", "unmounted", 2.0)
    state.save("drives", doc)
    assert state.load("drives", doc["uuid"])["status"] == "creating"
    clock.advance(2.0)
    assert state.load("drives", doc["uuid"])["status"] == "unmounted"


def test_windows() -> None:
    items = list(range(10))
    assert Window(2, 3).cut(items) == [2, 3, 4]
    assert Window(8).cut(items) == [8, 9]
    assert Window.of_page(2, 4) == Window(4, 4)
    assert Window.of_page(0, 4) == Window(0, 4)
    assert Window(5, None).sql() == (-1, 5)
    assert Window(20, 5).cut(items) == []
    assert Window(3, 0).cut(items) == []


# auth -------------------------------------------------------------------------------------------


def _basic(user: bytes, password: bytes) -> str:
    return "Basic " + base64.b64encode(user + b":" + password).decode()


def test_basic_auth() -> None:
    auth = BasicAuth(lambda: ("ann@example.com", "pässword"))
    good = _basic(b"ann@example.com", "pässword".encode())
    assert auth.authenticate(Credentials(headers={"authorization": good})) == "ann@example.com"
    for header in (
        "",
        "Bearer x",
        _basic(b"ann@example.com", b"wrong"),
        "Basic not*base64",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Basic \u00e9\u00e9",
    ):
        assert auth.check(header) is None


# registry ---------------------------------------------------------------------------------------


def test_the_registry_lists_without_importing_and_loads_specs() -> None:
    assert SIMULATORS.names() == ["azure", "cloudsigma", "cloudstack", "gce", "openstack"]
    spec = SIMULATORS.load("cloudstack")
    assert isinstance(spec, SimulatorSpec)
    assert spec.default_port == 8080
    assert [option.name for option in spec.options] == [
        "api_key",
        "secret_key",
        "job_latency",
        "max_page_size",
    ]
    with pytest.raises(KeyError):
        SIMULATORS.load("no-such-cloud")


def test_a_registry_refuses_duplicates_and_non_specs() -> None:
    registry = Registry({"x": ("omnicloud.sim.core.registry:Option", "not a spec")})
    with pytest.raises(ValueError):
        registry.add("x", "a:b", "again")
    with pytest.raises(TypeError):
        registry.load("x")
    assert Option("--no-thing", "flag", "help").name == "no_thing"


# app and serve ----------------------------------------------------------------------------------


def test_the_app_factory_serves_endpoints_and_health() -> None:
    from omnicloud.sim.core.app import MAX_BODY, create_sim_app, read_body, send_bytes

    async def echo(scope: Any, receive: Any, send: Any) -> None:
        body = await read_body(dict(scope["headers"]), receive, limit=8)
        if body is None:
            await send_bytes(send, 413, b"too large", "text/plain")
        else:
            await send_bytes(send, 200, body, None, {"X-Seen": scope["method"]})

    app = create_sim_app(
        endpoints={"/echo": echo}, health=lambda: {"name": "demo"}, state={"demo": 1}
    )
    assert app.state.demo == 1
    assert MAX_BODY == 8 * 1024 * 1024
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://sim") as client:
        assert client.get("/sim/health").json() == {"status": "ok", "name": "demo"}
        answer = client.post("/echo", content=b"12345678")
        assert (answer.status_code, answer.content, answer.headers["x-seen"]) == (
            200,
            b"12345678",
            "POST",
        )
        assert "content-type" not in answer.headers
        assert client.post("/echo", content=b"123456789").status_code == 413
        assert client.get("/elsewhere").status_code == 404


class _State:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_serve_app_closes_the_state_when_the_port_is_taken() -> None:
    from omnicloud.sim.core.serve import serve_app

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    state = _State()
    lines: list[str] = []
    try:
        with pytest.raises(ConfigurationError, match="cannot listen"):
            serve_app(
                lambda: state,
                lambda s: None,
                lambda s, url: ["never"],
                "127.0.0.1",
                taken.getsockname()[1],
                echo=lines.append,
            )
    finally:
        taken.close()
    assert state.closed
    assert lines == []


def test_cloudstack_jobs_complete_when_a_manual_clock_moves() -> None:
    from omnicloud.cloudstack._signing import sign
    from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app

    clock = ManualClock()
    state = CloudStackState(clock=clock)
    key, secret = state.credentials()
    app = create_app(state, config=SimConfig(job_latency=30.0))

    def call(client: httpx.Client, **params: str) -> Any:
        params = {**params, "response": "json", "apiKey": key}
        params["signature"] = sign(params, secret)
        return client.get("/client/api", params=params).json()

    with httpx.Client(transport=SyncASGITransport(app), base_url="http://sim") as client:
        job = call(client, command="createAffinityGroup", name="g", type="host anti-affinity")
        job_id = job["createaffinitygroupresponse"]["jobid"]
        status = call(client, command="queryAsyncJobResult", jobid=job_id)
        assert status["queryasyncjobresultresponse"]["jobstatus"] == 0
        clock.advance(30.0)
        status = call(client, command="queryAsyncJobResult", jobid=job_id)
        assert status["queryasyncjobresultresponse"]["jobstatus"] == 1


def test_path_router_prefers_literals_and_tells_404_from_405() -> None:
    from omnicloud.sim.core import NoRoute, PathRouter

    router = PathRouter(
        [
            ("GET", "servers/*", "one"),
            ("GET", "servers/detail", "detail"),
            ("POST", "servers/*/action", "act"),
        ]
    )
    assert router.resolve("GET", ["servers", "detail"]) == ("detail", [])
    assert router.resolve("GET", ["servers", "abc"]) == ("one", ["abc"])
    assert router.resolve("POST", ["servers", "abc", "action"]) == ("act", ["abc"])
    with pytest.raises(NoRoute) as wrong_method:
        router.resolve("DELETE", ["servers", "abc"])
    assert wrong_method.value.path_known
    with pytest.raises(NoRoute) as nowhere:
        router.resolve("GET", ["drives"])
    assert not nowhere.value.path_known
    assert nowhere.value.path == "drives"
