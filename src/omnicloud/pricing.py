"""Prices per size, in Libcloud's ``pricing.json`` format.

The file maps ``{"compute": {driver: {size_id: price | {region: price}}}, "storage": {...},
"updated": unix_time}``. Which file is read, first match wins: the ``pricing_file_path`` argument,
``$OMNICLOUD_PRICING_FILE``, ``omnicloud/pricing.json`` in the user data directory,
``~/.libcloud/pricing.json`` (so an existing Libcloud download is reused), then the small file
bundled with omnicloud. The bundled file holds the built-in simulators' prices (driver
``cloudstack_sim``, keyed by the simulator's service offering ids); it also answers for drivers a
chosen file lacks, so a downloaded Libcloud file does not hide the simulators' prices.

Prices are hourly, in US dollars, as in Libcloud.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from omnicloud.errors import ConfigurationError, OmnicloudError, ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

__all__ = [
    "DEFAULT_PRICING_URL",
    "PricingNotFoundError",
    "clear_pricing_data",
    "download_pricing_file",
    "first_size_price",
    "get_pricing",
    "get_pricing_file_path",
    "get_size_price",
    "set_pricing",
]

DEFAULT_PRICING_URL = "https://libcloud-pricing-data.s3.amazonaws.com/pricing.json"
DRIVER_TYPES = ("compute", "storage")
SIMULATOR_DRIVER = "cloudstack_sim"
"""The bundled file's driver name for the built-in CloudStack simulator's service offerings."""
_CACHE: dict[tuple[str, str, str], dict[str, Any]] = {}
_MISSING: set[tuple[str, str, str]] = set()  # (file, type, driver) known to have no prices


class PricingNotFoundError(OmnicloudError, KeyError):
    """The pricing file has no data for this driver."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no pricing data"


def _bundled() -> Path:
    return Path(__file__).with_name("data") / "pricing.json"


def get_pricing_file_path(pricing_file_path: str | Path | None = None) -> Path:
    """The pricing file that will be read (see the module docstring for the order)."""
    if pricing_file_path:
        return Path(pricing_file_path).expanduser()
    if os.environ.get("OMNICLOUD_PRICING_FILE"):
        return Path(os.environ["OMNICLOUD_PRICING_FILE"]).expanduser()
    from platformdirs import user_data_dir

    for candidate in (
        Path(user_data_dir("omnicloud")) / "pricing.json",
        Path.home() / ".libcloud" / "pricing.json",
    ):
        if candidate.is_file():
            return candidate
    return _bundled()


def _check_type(driver_type: str) -> None:
    if driver_type not in DRIVER_TYPES:
        raise ValidationError(f"driver_type must be one of {', '.join(DRIVER_TYPES)}")


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read pricing file {path}: {exc}") from None
    except ValueError as exc:
        raise ConfigurationError(f"pricing file {path} is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ConfigurationError(f"pricing file {path} must hold a JSON object")
    return document


def _section(path: Path, driver_type: str, driver_name: str) -> dict[str, Any] | None:
    key = (str(path), driver_type, driver_name)
    if key in _CACHE:
        return _CACHE[key]
    if key in _MISSING:
        return None
    section = _read(path).get(driver_type) or {}
    if not isinstance(section, dict) or driver_name not in section:
        _MISSING.add(key)
        return None
    prices = section[driver_name]
    if not isinstance(prices, dict):
        raise ConfigurationError(f"pricing for {driver_name!r} in {path} is not an object")
    _CACHE[key] = prices
    return prices


def get_pricing(
    driver_type: str, driver_name: str, pricing_file_path: str | Path | None = None
) -> dict[str, Any]:
    """All prices of one driver (``{size_id: price or {region: price}}``), cached in memory.

    Raises :class:`PricingNotFoundError` when neither the chosen file nor (unless a file was
    passed explicitly) the bundled one has the driver.
    """
    _check_type(driver_type)
    path = get_pricing_file_path(pricing_file_path)
    prices = _section(path, driver_type, driver_name)
    if prices is None and not pricing_file_path and path != _bundled():
        prices = _section(_bundled(), driver_type, driver_name)
    if prices is None:
        raise PricingNotFoundError(f"no {driver_type} pricing for {driver_name!r} in {path}")
    return prices


def get_size_price(
    driver_type: str,
    driver_name: str,
    size_id: str,
    region: str | None = None,
    pricing_file_path: str | Path | None = None,
) -> float | None:
    """Hourly price of ``size_id`` (in ``region`` where prices vary), or None if unknown."""
    try:
        prices = get_pricing(driver_type, driver_name, pricing_file_path)
    except PricingNotFoundError:
        return None
    price = prices.get(size_id)
    if isinstance(price, dict):
        price = price.get(region) if region is not None else None
    if price is None:
        return None
    try:
        return float(price)
    except (TypeError, ValueError):
        return None


def first_size_price(
    driver_type: str,
    candidates: Sequence[tuple[str, str]],
    region: str | None = None,
    pricing_file_path: str | Path | None = None,
) -> float | None:
    """The first known price among ``(driver_name, size_key)`` candidates, else None.

    Drivers use it to try, say, their own name by size id, then by size name.
    """
    for driver_name, size_key in candidates:
        price = get_size_price(driver_type, driver_name, size_key, region, pricing_file_path)
        if price is not None:
            return price
    return None


def set_pricing(driver_type: str, driver_name: str, pricing: dict[str, Any]) -> None:
    """Use ``pricing`` for a driver in this process, whatever the file says."""
    _check_type(driver_type)
    for path in {get_pricing_file_path(), _bundled(), *(Path(k[0]) for k in _CACHE)}:
        _CACHE[(str(path), driver_type, driver_name)] = dict(pricing)


def clear_pricing_data() -> None:
    """Forget cached prices (the file is read again on next use)."""
    _CACHE.clear()
    _MISSING.clear()


def download_pricing_file(
    file_url: str = DEFAULT_PRICING_URL, file_path: str | Path | None = None
) -> Path:
    """Fetch a pricing file and store it (default: the user data directory), atomically.

    The body must be JSON with a truthy ``updated`` field, otherwise nothing is written.
    """
    from omnicloud.http import HttpRequest, SyncHttp, send_with_retries

    if file_path is None:
        from platformdirs import user_data_dir

        target = Path(user_data_dir("omnicloud")) / "pricing.json"
        target.parent.mkdir(parents=True, exist_ok=True)
    else:
        target = Path(file_path).expanduser()
        if target.is_dir():
            raise ValidationError(f"{target} is a directory, not a file path")
        if not target.parent.is_dir():
            raise ValidationError(f"directory {target.parent} does not exist")
    http = SyncHttp()
    try:
        request = HttpRequest("GET", file_url, operation="download pricing file")
        response = http.run(send_with_retries(request, http.config.retry))
    finally:
        http.close()
    if response.status != 200:
        raise OmnicloudError(f"downloading {file_url}: HTTP {response.status}")
    document = response.json()
    if not isinstance(document, dict) or not document.get("updated"):
        raise OmnicloudError(f"{file_url} is not a pricing file (no 'updated' field)")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(response.content)
    temporary.replace(target)
    clear_pricing_data()
    return target
