"""cs's names in omnicloud.cloudstack, the errors omnicloud raises being instances of them, and
the ``omnicloud cs`` flags cs has (``-q/--quiet``, ``--theme``, ``--version``)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.cloudstack import (
    AIOCloudStack,
    AsyncCloudStack,
    CloudStack,
    CloudStackApiException,
    CloudStackException,
)
from omnicloud.cloudstack._protocol import api_error, job_outcome
from omnicloud.errors import (
    CloudStackApiError,
    CloudStackAuthError,
    JobFailedError,
    JobTimeoutError,
    MalformedResponseError,
    OmnicloudError,
    ValidationError,
)
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.server import serve_in_thread

ERROR = {"uuidList": [], "errorcode": 431, "cserrorcode": 4350, "errortext": "bad id"}


def test_the_errors_omnicloud_raises_are_cs_exceptions() -> None:
    error = api_error("listZones", 431, ERROR)
    assert isinstance(error, CloudStackApiException) and isinstance(error, CloudStackException)
    assert error.error == ERROR and error.error["errortext"] == "bad id"
    assert error.response.status_code == 431
    assert error.response.json() == {"listzonesresponse": ERROR}
    assert isinstance(api_error("listZones", 401, {}), CloudStackApiException | CloudStackAuthError)
    assert issubclass(CloudStackApiError, CloudStackApiException)
    assert issubclass(MalformedResponseError, CloudStackException)
    assert issubclass(JobTimeoutError, CloudStackException)
    assert issubclass(CloudStackException, OmnicloudError)
    assert MalformedResponseError("x").response is None


def test_a_failed_job_is_a_cs_api_exception_with_the_job_result() -> None:
    job = {
        "jobid": "j-1",
        "cmd": "rebootVirtualMachine",
        "jobstatus": 2,
        "jobresultcode": 530,
        "jobresult": {"errorcode": 530, "errortext": "simulated failure"},
    }
    with pytest.raises(CloudStackApiException) as caught:
        job_outcome("j-1", job)
    assert isinstance(caught.value, JobFailedError)
    assert caught.value.error == {"errorcode": 530, "errortext": "simulated failure"}
    assert JobFailedError("x", errorcode=1, errortext="t").error == {
        "errorcode": 1,
        "errortext": "t",
    }


def test_aiocloudstack_is_the_async_client_with_cs_close() -> None:
    import anyio

    client = AIOCloudStack("https://cloud.example.com/client/api", "key", "secret")
    assert isinstance(client, AsyncCloudStack)
    anyio.run(client.close)
    with pytest.raises(ValidationError, match="session"):
        AIOCloudStack("https://cloud.example.com/client/api", "key", "secret", session=object())


def test_cs_names_are_exported() -> None:
    import omnicloud.cloudstack as package

    for name in ("CloudStack", "CloudStackException", "CloudStackApiException", "AIOCloudStack"):
        assert name in package.__all__
    assert package.read_config is not None and CloudStack is package.CloudStack


# ``omnicloud cs`` flags ---------------------------------------------------------------------


@pytest.fixture
def cs_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    state = CloudStackState()
    with serve_in_thread(create_app(state, config=SimConfig(job_latency=0.0))) as server:
        key, secret = state.credentials("admin")
        monkeypatch.setenv("CLOUDSTACK_ENDPOINT", f"{server.url}/client/api")
        monkeypatch.setenv("CLOUDSTACK_KEY", key)
        monkeypatch.setenv("CLOUDSTACK_SECRET", secret)
        yield


Run = Callable[..., tuple[str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*argv: str, code: int = 0) -> tuple[str, str]:
        result = main(list(argv))
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        return out, err

    return invoke


def test_version_flag(run: Run) -> None:
    out, err = run("cs", "--version")
    assert out.strip() == omnicloud.__version__ and err == ""


def test_quiet_keeps_the_error_to_one_line(run: Run, cs_env: None) -> None:
    _, err = run("cs", "listVirtualMachines", "id=nope", code=1)
    assert err.startswith("Error: ") and '"errortext"' in err  # the error document follows
    _, err = run("cs", "-q", "listVirtualMachines", "id=nope", code=1)
    assert len(err.splitlines()) == 1 and err.startswith("Error: ")
    out, err = run("cs", "--quiet", "listZones")
    assert err == "" and len(json.loads(out)["zone"]) == 2


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_theme_colours_the_json_on_a_terminal(
    run: Run, cs_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pygments  # noqa: F401 - the [rich] extra (in the dev extra): fail loudly without it

    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    run("cs", "--theme", "monokai", "listZones")
    assert "\x1b[38;5;" in terminal.getvalue()  # 256-colour escapes of the theme
    monkeypatch.setenv("CLOUDSTACK_THEME", "no-such-theme")
    _, err = run("cs", "listZones", code=2)
    assert err.splitlines()[-1].startswith("Error: unknown --theme 'no-such-theme'")


def test_theme_is_ignored_off_a_terminal(run: Run, cs_env: None) -> None:
    out, _ = run("cs", "--theme", "no-such-theme", "listZones")
    assert "\x1b[" not in out and json.loads(out)["count"] == 2


def test_theme_needs_a_value(run: Run) -> None:
    _, err = run("cs", "--theme", code=2)
    assert "--theme" in err and "Traceback" not in err
