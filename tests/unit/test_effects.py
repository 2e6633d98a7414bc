"""The effect vocabulary is declared once, every runner performs it, and every family's drivers
use the same shells."""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from omnicloud import _flow
from omnicloud._flow import CORE_EFFECTS, Call, Effect
from omnicloud._shell import AsyncShell, SyncShell, computed, operation
from omnicloud._stream_effects import STREAM_EFFECTS, StreamEffect
from omnicloud.http import _streaming
from omnicloud.http._transport import AsyncHttp, SyncHttp

SRC = Path(__file__).resolve().parents[2] / "src" / "omnicloud"
VOCABULARY = {cls.__name__ for cls in (*CORE_EFFECTS, *STREAM_EFFECTS)}


def test_the_vocabulary_is_the_effect_unions() -> None:
    assert set(Effect.__args__) == set(CORE_EFFECTS)
    assert set(StreamEffect.__args__) == set(CORE_EFFECTS) | set(STREAM_EFFECTS)
    for cls in CORE_EFFECTS:
        assert dataclasses.is_dataclass(cls) and cls.__doc__, cls
        assert cls.__module__ == "omnicloud._flow"
    for cls in STREAM_EFFECTS:
        assert dataclasses.is_dataclass(cls) and cls.__doc__, cls
        assert cls.__module__ == "omnicloud._stream_effects"


def test_the_streaming_runner_reuses_the_declared_effects() -> None:
    for cls in STREAM_EFFECTS:
        assert getattr(_streaming, cls.__name__) is cls
    assert _streaming.Call is _flow.Call


def test_no_effect_class_is_declared_outside_the_vocabulary_module() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name in ("_flow.py", "_stream_effects.py") and path.parent == SRC:
            continue  # the vocabulary: core effects and the streaming ones
        if "sim" in path.relative_to(SRC).parts:
            continue  # the simulators run no flows (their ``Call`` is an API request)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name in VOCABULARY:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}")
    assert offenders == []


def _call_flow(record: list[int]) -> Generator[Any, Any, int]:
    ident = yield Call(threading.get_ident)
    record.append(ident)
    try:
        yield Call(_fail, ("boom",))
    except ValueError as exc:
        assert str(exc) == "boom"
    total: int = yield Call(sum, ((1, 2, 3),))
    return total


def _fail(message: str) -> None:
    raise ValueError(message)


def test_sync_runner_calls_in_place() -> None:
    record: list[int] = []
    http = SyncHttp()
    try:
        assert http.run(_call_flow(record)) == 6
    finally:
        http.close()
    assert record == [threading.get_ident()]


def test_async_runner_calls_in_a_worker_thread() -> None:
    record: list[int] = []

    async def main() -> tuple[int, int]:
        http = AsyncHttp()
        try:
            return await http.run(_call_flow(record)), threading.get_ident()
        finally:
            await http.aclose()

    result, loop_thread = asyncio.run(main())
    assert result == 6
    assert record and record[0] != loop_thread


class _Core:
    @operation
    def sizes(self) -> Generator[Any, Any, list[str]]:
        return (yield from _flow_of_sizes())

    @computed
    def protocols(self, extra: str = "udp") -> list[str]:
        return ["tcp", extra]

    @operation
    def both(self) -> Generator[Any, Any, list[str]]:
        protocols: list[str] = yield from type(self).protocols(self, "sctp")
        return protocols


def _flow_of_sizes() -> Generator[Any, Any, list[str]]:
    yield Call(int)
    return ["small"]


class _Sync(SyncShell, _Core):
    def __init__(self) -> None:
        self._http = SyncHttp()


class _Async(AsyncShell, _Core):
    def __init__(self) -> None:
        self._http = AsyncHttp()


def test_computed_operation_is_plain_in_sync_awaitable_in_async_and_a_flow_for_cores() -> None:
    with _Sync() as sync:
        assert sync.protocols() == ["tcp", "udp"]
        assert sync.both() == ["tcp", "sctp"]
        assert sync.sizes() == ["small"]

    async def main() -> tuple[list[str], list[str]]:
        async with _Async() as driver:
            return await driver.protocols(), await driver.both()

    assert asyncio.run(main()) == (["tcp", "udp"], ["tcp", "sctp"])


def _dead_yields(tree: ast.AST) -> list[str]:
    """Operations whose only ``yield`` is a bare marker (``yield`` or ``yield from ()``)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        names = {ast.unparse(d).rsplit(".", 1)[-1] for d in node.decorator_list}
        if not names & {"operation", "stream_operation"}:
            continue
        yields = [
            sub
            for sub in ast.walk(node)
            if isinstance(sub, ast.Yield | ast.YieldFrom)
            and not any(sub in ast.walk(inner) for inner in node.body if _nested(inner))
        ]
        markers = [
            sub
            for sub in yields
            if (isinstance(sub, ast.Yield) and sub.value is None)
            or (isinstance(sub, ast.YieldFrom) and ast.unparse(sub.value) == "()")
        ]
        if yields and len(markers) == len(yields):
            found.append(f"{node.name}:{node.lineno}")
    return found


def _nested(node: ast.AST) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef)


def test_no_operation_yields_only_to_be_a_generator() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(SRC)} {name}" for name in _dead_yields(tree)]
    assert offenders == []


def test_the_dead_yield_check_sees_one() -> None:
    source = "@operation\ndef f(self):\n    return 1\n    yield\n"
    assert _dead_yields(ast.parse(source)) == ["f:2"]


@pytest.mark.parametrize("family", ["compute", "storage", "loadbalancer"])
def test_every_family_uses_the_shared_shells(family: str) -> None:
    from omnicloud.compute.drivers.cloudstack import (
        AsyncCloudStackNodeDriver,
        CloudStackNodeDriver,
    )
    from omnicloud.loadbalancer.drivers.cloudstack import (
        AsyncCloudStackLBDriver,
        CloudStackLBDriver,
    )
    from omnicloud.storage.base import AsyncStorageDriver, StorageCore, StorageDriver

    sync, asynchronous = {
        "compute": (CloudStackNodeDriver, AsyncCloudStackNodeDriver),
        "storage": (StorageDriver, AsyncStorageDriver),
        "loadbalancer": (CloudStackLBDriver, AsyncCloudStackLBDriver),
    }[family]
    assert issubclass(sync, SyncShell) and issubclass(asynchronous, AsyncShell)
    if family == "storage":
        # the Libcloud methods are declared once, on the core, not in each facade
        for shell in (StorageDriver, AsyncStorageDriver):
            written = {name for name in vars(shell) if not name.startswith("_")}
            assert written <= {"close", "aclose"}, written
        assert "upload_object" in vars(StorageCore)
