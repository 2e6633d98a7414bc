"""The container conformance suite: what every container driver does, sync and async.

A provider declares a ``container_driver`` fixture yielding a
:class:`~tests.conformance._twin.Subject` whose ``caps`` is a :class:`ContainerCaps` and imports
:class:`TestContainerConformance`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from omnicloud.container import Container, ContainerImage, ContainerState
from omnicloud.errors import NotFoundError, NotSupportedError

from ._twin import Subject

__all__ = ["ContainerCaps", "TestContainerConformance"]


def _name() -> str:
    return f"conf-{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class ContainerCaps:
    """``image``: the image to deploy (from the driver); ``deploy``: keywords that make a
    container keep running once started; ``missing_id``: an id no container has;
    ``created_state``: the state of a container deployed with ``start=False``."""

    image: Callable[[Any], ContainerImage]
    deploy: Mapping[str, Any] = field(default_factory=dict)
    missing_id: str = "0" * 64
    created_state: ContainerState = ContainerState.PENDING
    supports_clusters: bool = False


class TestContainerConformance:
    """Libcloud's container contract (fixture ``container_driver``)."""

    @pytest.fixture
    def made(self, container_driver: Subject[ContainerCaps]) -> Iterator[list[Container]]:
        """Containers a test deploys (append them); each is destroyed after the test."""
        containers: list[Container] = []
        yield containers
        for container in containers:
            with contextlib.suppress(NotFoundError):
                container_driver.driver.destroy_container(container)

    def _deploy(
        self, subject: Subject[ContainerCaps], made: list[Container], *, start: bool = True
    ) -> Container:
        image = subject.caps.image(subject.driver)
        container = subject.driver.deploy_container(
            _name(), image, start=start, **dict(subject.caps.deploy)
        )
        made.append(container)
        assert isinstance(container, Container)
        return container

    def test_list_images(self, container_driver: Subject[ContainerCaps]) -> None:
        d = container_driver.driver
        images = d.list_images()
        wanted = container_driver.caps.image(d)
        assert isinstance(wanted, ContainerImage)
        assert wanted.id in {image.id for image in images}
        for image in images:
            assert isinstance(image, ContainerImage)
            assert image.driver is container_driver.native
            assert image.id and image.path

    def test_deploy_listed_get_destroy(
        self, container_driver: Subject[ContainerCaps], made: list[Container]
    ) -> None:
        d = container_driver.driver
        container = self._deploy(container_driver, made)
        assert isinstance(container, Container)
        assert container.driver is container_driver.native
        assert container.state is ContainerState.RUNNING
        assert container.image.id == container_driver.caps.image(d).id
        listed = {c.id: c for c in d.list_containers()}
        assert container.id in listed
        assert listed[container.id].name == container.name
        assert listed[container.id].state is ContainerState.RUNNING
        got = d.get_container(container.id)
        assert (got.id, got.name, got.state) == (
            container.id,
            container.name,
            ContainerState.RUNNING,
        )
        assert d.destroy_container(container) is True
        assert container.id not in {c.id for c in d.list_containers()}
        with pytest.raises(NotFoundError):
            d.get_container(container.id)

    def test_deploy_without_start_then_start(
        self, container_driver: Subject[ContainerCaps], made: list[Container]
    ) -> None:
        d = container_driver.driver
        container = self._deploy(container_driver, made, start=False)
        assert container.state is container_driver.caps.created_state
        started = d.start_container(container)
        assert started.id == container.id
        assert started.state is ContainerState.RUNNING

    def test_stop_start_restart(
        self, container_driver: Subject[ContainerCaps], made: list[Container]
    ) -> None:
        d = container_driver.driver
        container = self._deploy(container_driver, made)
        stopped = d.stop_container(container)
        assert stopped.state is ContainerState.STOPPED
        assert d.get_container(container.id).state is ContainerState.STOPPED
        assert d.start_container(stopped).state is ContainerState.RUNNING
        restarted = d.restart_container(container)
        assert restarted.state is ContainerState.RUNNING
        assert restarted.id == container.id

    def test_all_false_lists_only_running(
        self, container_driver: Subject[ContainerCaps], made: list[Container]
    ) -> None:
        d = container_driver.driver
        running = self._deploy(container_driver, made)
        stopped = d.stop_container(self._deploy(container_driver, made))
        everything = {c.id for c in d.list_containers(all=True)}
        only_running = {c.id for c in d.list_containers(all=False)}
        assert {running.id, stopped.id} <= everything
        assert running.id in only_running
        assert stopped.id not in only_running

    def test_list_containers_of_an_image(
        self, container_driver: Subject[ContainerCaps], made: list[Container]
    ) -> None:
        d = container_driver.driver
        container = self._deploy(container_driver, made)
        image = container_driver.caps.image(d)
        of_image = d.list_containers(image=image)
        assert container.id in {c.id for c in of_image}
        assert all(c.image.id == image.id for c in of_image)

    def test_model_methods(
        self, container_driver: Subject[ContainerCaps], made: list[Container]
    ) -> None:
        s = container_driver
        image = s.caps.image(s.driver)
        container = s.settle(image.deploy(_name(), parameters=None, start=True))
        made.append(container)
        assert container.state is ContainerState.RUNNING
        assert s.settle(container.stop()).state is ContainerState.STOPPED
        assert s.settle(container.start()).state is ContainerState.RUNNING
        assert s.settle(container.restart()).state is ContainerState.RUNNING
        assert s.settle(container.destroy()) is True
        with pytest.raises(NotFoundError):
            s.driver.get_container(container.id)

    def test_missing_container(self, container_driver: Subject[ContainerCaps]) -> None:
        d = container_driver.driver
        missing = container_driver.caps.missing_id
        with pytest.raises(NotFoundError):
            d.get_container(missing)
        image = container_driver.caps.image(d)
        ghost = Container(missing, "ghost", image, ContainerState.UNKNOWN, [], driver=None)
        with pytest.raises(NotFoundError):
            d.start_container(ghost)
        with pytest.raises(NotFoundError):
            d.destroy_container(ghost)

    def test_states_are_container_states(
        self, container_driver: Subject[ContainerCaps], made: list[Container]
    ) -> None:
        self._deploy(container_driver, made)
        for container in container_driver.driver.list_containers():
            assert isinstance(container.state, ContainerState)

    def test_clusters(self, container_driver: Subject[ContainerCaps]) -> None:
        d = container_driver.driver
        if container_driver.caps.supports_clusters:
            assert isinstance(d.list_clusters(), list)
            return
        assert container_driver.native.supports_clusters is False
        for call in (
            d.list_clusters,
            d.list_locations,
            lambda: d.create_cluster("c"),
            lambda: d.get_cluster("c"),
        ):
            with pytest.raises(NotSupportedError):
                call()
