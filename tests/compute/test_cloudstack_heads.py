"""list_nodes decodes only the fields nodes map; they equal nodes mapped from full documents."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import anyio
import httpx
import pytest

from omnicloud._wire import bind
from omnicloud.cloudstack import _heads
from omnicloud.compute.drivers.cloudstack import AsyncCloudStackNodeDriver, CloudStackNodeDriver
from omnicloud.compute.drivers.cloudstack._listing import VM_HEADS
from omnicloud.compute.drivers.cloudstack._models import CloudStackNode
from omnicloud.errors import MalformedResponseError

from .conftest import Sim

JSON = {"content-type": "application/json; charset=UTF-8"}


def _fields(node: CloudStackNode) -> dict[str, Any]:
    return {
        f.name: getattr(node, f.name)
        for f in dataclasses.fields(node)
        if f.name not in {"driver", "extra"}
    }


def _assert_same_nodes(fast: list[CloudStackNode], docs: list[dict[str, Any]], driver: Any) -> None:
    full = [bind(CloudStackNode, driver=driver)(doc) for doc in docs]
    assert [_fields(node) for node in fast] == [_fields(node) for node in full]
    assert [dict(node.extra) for node in fast] == [dict(node.extra) for node in full]
    assert [node.extra.raw for node in fast] == docs  # type: ignore[attr-defined]


def test_nodes_on_the_simulator_equal_nodes_mapped_from_full_documents(
    d: Any, sim: Sim, raw: Any
) -> None:
    sim.state.bulk_create_vms(7, name_prefix="heads")
    docs = raw.listVirtualMachines(fetch_list=True, listall=True)
    nodes = d.list_nodes(listall=True)
    assert len(nodes) == len(docs) >= 7
    assert all(type(node.extra._doc).__name__ == "HeadDoc" for node in nodes)
    _assert_same_nodes(nodes, docs, d)


class PagesTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers ``listVirtualMachines`` with canned bodies, one per page number (sync or async)."""

    def __init__(self, pages: Callable[[int], tuple[int, bytes]]) -> None:
        self.pages = pages
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        query = parse_qs(request.url.query.decode())
        status, body = self.pages(int(query["page"][0]))
        return httpx.Response(status, content=body, headers=JSON)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self.handle_request(request)


def _page(items: list[Any], count: int | None = None, key: str = "virtualmachine") -> bytes:
    page: dict[str, Any] = {key: items} if items else {}
    if count is not None:
        page["count"] = count
    return json.dumps({"listvirtualmachinesresponse": page}).encode()


def _vm(number: int, **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": f"vm-{number}",
        "name": f"node-{number}",
        "state": "Running",
        "zoneid": "z1",
        "keypair": "mine",
        "created": "2026-12-01T10:00:00+0000",
        "nic": [{"ipaddress": "10.0.0.5", "isdefault": True}, {"ipaddress": "185.19.28.9"}],
        "tags": [{"key": "role", "value": "web"}],
        "securitygroup": [{"name": "default", "id": "sg1"}],
    }
    doc.update(fields)
    return {key: value for key, value in doc.items() if value is not ...}


def _driver(transport: httpx.BaseTransport, **options: Any) -> CloudStackNodeDriver:
    return CloudStackNodeDriver(
        "key", "secret", url="http://cloud.invalid/client/api", transport=transport, **options
    )


# Shapes where the typed read could differ from the full one: odd types, missing keys, nulls.
ODD_VMS = [
    _vm(1),
    _vm(2, name=..., displayname="shown"),
    _vm(3, name=42),
    _vm(4, state="Migrating", created="not a time"),
    _vm(5, nic=None, publicip="185.19.28.10"),
    _vm(6, nic=[{"isdefault": True}], publicip="185.19.28.9"),
    _vm(7, id=..., state=...),
    _vm(8, nic=[], tags=None, extra_field={"nested": [1, 2, 3]}),
]


def test_odd_documents_map_the_same_as_fully_parsed_ones() -> None:
    transport = PagesTransport(lambda page: (200, _page(ODD_VMS, count=len(ODD_VMS))))
    with _driver(transport) as driver:
        nodes = driver.list_nodes()
        _assert_same_nodes(nodes, ODD_VMS, driver)
    assert transport.requests == 1


@pytest.mark.parametrize(
    "items",
    [
        [_vm(1), "not an object"],
        [_vm(1, nic="eth0")],
        [_vm(1, nic=[["not", "an", "object"]])],
    ],
    ids=["item is a string", "nic is a string", "nic entry is a list"],
)
def test_a_page_the_typed_read_refuses_is_read_in_full(items: list[Any]) -> None:
    """Whatever the full read makes of such a page (a node, or a clear error), the result is
    the same as before the typed read existed."""
    body = _page(items, count=len(items))
    transport = PagesTransport(lambda page: (200, body))
    assert json.loads(body)  # valid JSON, just not of the typed shape
    assert VM_HEADS(body) is None
    with _driver(transport) as driver:
        try:
            expected: Any = [_fields(bind(CloudStackNode, driver=driver)(doc)) for doc in items]
        except Exception as exc:  # the full read's own outcome is the reference
            expected = type(exc)
        try:
            got: Any = [_fields(node) for node in driver.list_nodes()]
        except Exception as exc:
            got = type(exc)
    assert got == expected


def test_pages_are_followed_and_each_page_is_parsed_in_full_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vms = [_vm(number) for number in range(5)]
    pages = {1: vms[:2], 2: vms[2:4], 3: vms[4:]}
    transport = PagesTransport(lambda page: (200, _page(pages[page], count=5)))
    parses: list[int] = []
    original = _heads._PageSource._parse

    def counting(source: Any) -> list[Any]:
        parses.append(1)
        return original(source)

    monkeypatch.setattr(_heads._PageSource, "_parse", counting)
    with _driver(transport, page_size=2, concurrency=1) as driver:
        nodes = driver.list_nodes()
    assert [node.id for node in nodes] == [f"vm-{n}" for n in range(5)]
    assert transport.requests == 3
    assert parses == []  # nothing parsed in full yet
    assert nodes[0].extra["key_name"] == "mine"
    assert nodes[1].extra["tags"] == {"role": "web"}
    assert len(parses) == 1  # both on page 1
    assert [dict(node.extra) for node in nodes] == [
        dict(bind(CloudStackNode, driver=None)(doc).extra) for doc in vms
    ]
    assert len(parses) == 3  # one per page


def test_a_page_with_several_lists_is_refused_as_before() -> None:
    body = json.dumps(
        {"listvirtualmachinesresponse": {"count": 1, "virtualmachine": [_vm(1)], "other": []}}
    ).encode()
    assert VM_HEADS(body) is None
    with _driver(PagesTransport(lambda page: (200, body)), retries=0) as driver:
        with pytest.raises(MalformedResponseError, match="several item keys"):
            driver.list_nodes()


def test_async_pages_fetched_concurrently_are_read_typed_and_in_order() -> None:
    vms = [_vm(number) for number in range(7)]
    transport = PagesTransport(
        lambda page: (200, _page(vms[(page - 1) * 2 : page * 2], count=len(vms)))
    )

    async def main() -> list[CloudStackNode]:
        driver = AsyncCloudStackNodeDriver(
            "key",
            "secret",
            url="http://cloud.invalid/client/api",
            transport=transport,
            page_size=2,
            concurrency=3,
        )
        try:
            nodes: list[CloudStackNode] = await driver.list_nodes()
        finally:
            await driver.aclose()
        return nodes

    nodes = anyio.run(main)
    assert transport.requests == 4
    assert all(type(node.extra._doc).__name__ == "HeadDoc" for node in nodes)  # type: ignore[attr-defined]
    _assert_same_nodes(nodes, vms, None)


def test_a_truncated_page_is_fetched_again() -> None:
    good = _page([_vm(1)], count=1)
    answers = [good[: len(good) // 2], good]
    transport = PagesTransport(lambda page: (200, answers.pop(0)))
    with _driver(transport, retries=2) as driver:
        nodes = driver.list_nodes()
    assert [node.id for node in nodes] == ["vm-1"]
    assert transport.requests == 2


def test_an_empty_listing_and_an_error_answer() -> None:
    with _driver(PagesTransport(lambda page: (200, _page([])))) as driver:
        assert driver.list_nodes() == []
    error = json.dumps(
        {"listvirtualmachinesresponse": {"errorcode": 431, "errortext": "bad zone id"}}
    ).encode()
    with _driver(PagesTransport(lambda page: (431, error))) as driver:
        with pytest.raises(Exception, match="bad zone id"):
            driver.list_nodes()


def test_a_document_that_cannot_be_read_in_full_says_so() -> None:
    source = _heads._PageSource(b'{"a": {"other": []}}', "virtualmachine")
    with pytest.raises(MalformedResponseError, match="could not be read in full"):
        source.documents()
