"""Libcloud's retired ``Provider.AZURE`` (classic, ASM) explains what to use instead."""

from __future__ import annotations

import pytest

from omnicloud.compute.drivers.azure_classic import AsyncAzureNodeDriver, AzureNodeDriver
from omnicloud.errors import ConfigurationError


@pytest.mark.parametrize("cls", [AzureNodeDriver, AsyncAzureNodeDriver])
def test_classic_driver_points_to_arm(cls: type[AzureNodeDriver]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        cls("subscription-id", "/path/to/management.pem")
    text = str(caught.value)
    assert "retired" in text and "Provider.AZURE_ARM" in text
    assert "tenant_id" in text and "subscription_id" in text and "secret" in text


def test_get_driver_azure_raises_the_clear_error() -> None:
    from omnicloud.compute.providers import get_driver
    from omnicloud.compute.types import Provider

    cls = get_driver(Provider.AZURE)
    with pytest.raises(ConfigurationError, match=r"Provider\.AZURE_ARM"):
        cls("subscription-id", "/path/to/management.pem")
