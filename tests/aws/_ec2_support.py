"""Shared by the EC2 test modules: a driver factory in the test's mode (sync, or async behind
the portal), closed after the test. Import ``make`` into a test module to use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from omnicloud.compute.drivers.ec2 import AsyncEC2NodeDriver, EC2NodeDriver
from omnicloud.http import HttpConfig
from tests.aws.conftest import QUICK, Moto, fresh_region
from tests.support.modes import Portal, close_in_mode, open_in_mode

__all__ = ["AMI", "Factory", "make", "on_moto"]

AMI = "ami-12c6146b"  # one of moto's built-in images
Factory = Callable[..., Any]


@pytest.fixture
def make(mode: str, portal: Portal) -> Iterator[Factory]:
    """``make(*args, **kwargs)``: an EC2 driver in this test's mode, closed afterwards."""
    made: list[Any] = []

    def build(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("http", HttpConfig(retry=QUICK))
        driver = open_in_mode(mode, portal, EC2NodeDriver, AsyncEC2NodeDriver, *args, **kwargs)
        made.append(driver)
        return driver

    yield build
    for driver in made:
        close_in_mode(driver, portal)


def on_moto(make: Factory, moto: Moto, region: str | None = None) -> Any:
    """A driver on the session's moto server, in a region no other test has used."""
    return make(moto.key, moto.secret, region=region or fresh_region(), endpoint=moto.endpoint)
