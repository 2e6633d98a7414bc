"""Bad input of every kind ends in an omnicloud error or exit status 1-2: no traceback, no hang."""

from __future__ import annotations

import contextlib
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicloud.cli import main
from omnicloud.cloudstack import CloudStack, read_config
from omnicloud.config import load_profiles
from omnicloud.errors import OmnicloudError
from tests.reliability._ledger import LEDGER
from tests.support.fake_cloudstack import KEY, SECRET
from tests.support.stub_server import Reply, StubServer

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

words = st.text(
    alphabet=st.sampled_from(list("abcXYZ=-_.,:/ ~*\"'é0129[]{}")), min_size=0, max_size=12
)


@FUZZ
@given(
    argv=st.lists(
        st.one_of(
            words,
            st.sampled_from(
                [
                    "cs",
                    "--async",
                    "--post",
                    "--region",
                    "-t",
                    "--help",
                    "fetch_list=maybe",
                    "sync",
                    "demo",
                    "--count",
                    "sim",
                    "serve",
                    "--trace",
                    "listZones",
                    "=",
                    "a=b",
                ]
            ),
        ),
        max_size=6,
    )
)
def test_cli_arguments_never_crash(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    LEDGER.add("fuzz cases: CLI arguments")
    if argv[:1] == ["demo"] or argv[:2] == ["sim", "serve"]:
        argv = ["--help"]  # these really start servers; their argument errors are tested elsewhere
    os.environ["CLOUDSTACK_ENDPOINT"] = "http://127.0.0.1:9/client/api"
    os.environ["CLOUDSTACK_KEY"] = "k"
    os.environ["CLOUDSTACK_SECRET"] = "s"
    os.environ["CLOUDSTACK_RETRY"] = "0"
    try:
        code = main(argv)
    finally:
        for name in (
            "CLOUDSTACK_ENDPOINT",
            "CLOUDSTACK_KEY",
            "CLOUDSTACK_SECRET",
            "CLOUDSTACK_RETRY",
        ):
            os.environ.pop(name, None)
    captured = capsys.readouterr()
    assert code in (0, 1, 2)
    if not {"-t", "--trace"} & set(argv):  # --trace asks for the traceback on purpose
        assert "Traceback" not in captured.err


yaml_text = st.one_of(
    st.text(max_size=200),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10)),
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.text(max_size=8), children, max_size=3),
        ),
        max_leaves=12,
    ).map(lambda value: json.dumps({"cloud": value}) if not isinstance(value, str) else value),
)


@FUZZ
@given(text=yaml_text)
def test_profile_files_never_crash(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    LEDGER.add("fuzz cases: profile files")
    path = tmp_path_factory.mktemp("cfg") / "omnicloud.yaml"
    path.write_text(text)
    os.chmod(path, 0o600)
    with contextlib.suppress(OmnicloudError):
        profiles = load_profiles({"OMNICLOUD_CONFIG": str(path), "HOME": str(path.parent)})
        for name in profiles.names():
            # profiles resolve lazily: a broken one may fail only here, and only as ours
            with contextlib.suppress(OmnicloudError):
                profiles.get(name)


@FUZZ
@given(text=st.text(max_size=300))
def test_ini_files_never_crash(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    LEDGER.add("fuzz cases: ini files")
    home = tmp_path_factory.mktemp("home")
    (home / ".cloudstack.ini").write_text(text)
    with contextlib.suppress(OmnicloudError):
        read_config(env={"HOME": str(home)})


bodies = st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
    st.recursive(
        st.one_of(
            st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
        ),
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.text(max_size=12), children, max_size=3),
        ),
        max_leaves=15,
    ).map(lambda value: json.dumps(value).encode()),
)


@FUZZ
@given(
    body=bodies,
    status=st.sampled_from([200, 200, 200, 401, 431, 500, 530]),
    ctype=st.sampled_from(["application/json", "text/html", "text/javascript", ""]),
)
def test_malformed_provider_answers_are_omnicloud_errors(
    stub_server: StubServer, body: bytes, status: int, ctype: str
) -> None:
    LEDGER.add("fuzz cases: provider answers")
    stub_server.handle(lambda seen: Reply(status, body, {"Content-Type": ctype} if ctype else {}))
    with CloudStack(f"{stub_server.url}/client/api", KEY, SECRET, retry=0) as client:
        for call in (
            lambda: client.listZones(),
            lambda: client.listVirtualMachines(fetch_list=True),
            lambda: client.deployVirtualMachine(fetch_result=True),
        ):
            with contextlib.suppress(OmnicloudError):
                call()


def test_entity_expansion_xml_is_not_expanded(stub: StubServer) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<listzonesresponse>&lol2;</listzonesresponse>"
    )
    stub.handle(lambda seen: Reply(200, bomb, {"Content-Type": "text/xml"}))
    with CloudStack(f"{stub.url}/client/api", KEY, SECRET) as client:
        with pytest.raises(OmnicloudError, match="not JSON") as info:
            client.listZones()
    assert "lollol" not in str(info.value)
