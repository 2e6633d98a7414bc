"""``get_driver`` is typed: mypy --strict sees each provider constant's driver class.

That holds for ``omnicloud.get_driver``, ``omnicloud.aio.get_driver`` and the family modules'
``get_driver``/``get_async_driver``.

The checked snippet is made from the driver table, so an entry without its overload fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import omnicloud
import omnicloud.aio
from omnicloud._providers import Provider
from omnicloud._registry import DriverType
from omnicloud._table import ENTRIES, DriverEntry

ENUMS = {
    "compute": "ComputeProvider",
    "storage": "StorageProvider",
    "loadbalancer": "LoadBalancerProvider",
    "dns": "DNSProvider",
    "container": "ContainerProvider",
}


def _member(enum_name: str, value: str) -> str:
    import omnicloud._providers as providers

    enum = getattr(providers, enum_name)
    return next(name for name, member in enum.__members__.items() if member.value == value)


def _checks(entry: DriverEntry, asynchronous: bool) -> list[str]:
    """``assert_type`` lines for every way to name ``entry``'s driver."""
    path = entry.asynchronous if asynchronous else entry.sync
    assert path is not None
    cls = path.partition(":")[2]
    call = "omnicloud.aio.get_driver" if asynchronous else "omnicloud.get_driver"
    enum = ENUMS[entry.family]
    member = _member(enum, entry.provider)
    family = getattr(DriverType, entry.family.upper())
    forms = [
        f"{call}({enum}.{member})",
        f"{call}(DriverType.{entry.family.upper()}, {enum}.{member})",
        f"{call}({entry.family!r}, {entry.provider!r})",
    ]
    module = f"omnicloud.{entry.family}.providers"
    getter = "get_async_driver" if asynchronous else "get_driver"
    forms += [f"{module}.{getter}({enum}.{member})", f"{module}.{getter}({entry.provider!r})"]
    if not hasattr(Provider, member):  # a DNS name: omnicloud.Provider has not got it
        forms.append(f"{call}({entry.provider!r})")
        return [f"assert_type({form}, type[{cls}])" for form in forms]
    forms.append(f"{call}(DriverType.{entry.family.upper()}, Provider.{member})")
    lone = getattr(Provider, member)
    get = omnicloud.aio.get_driver if asynchronous else omnicloud.get_driver
    if get(lone) is get(family, lone):  # a lone Provider constant names this family
        forms += [f"{call}(Provider.{member})", f"{call}({entry.provider!r})"]
    return [f"assert_type({form}, type[{cls}])" for form in forms]


def _snippet() -> str:
    imports = {
        f"from {e.sync.partition(':')[0]} import {e.sync.partition(':')[2]}, "
        f"{(e.asynchronous or '').partition(':')[2]}"
        for e in ENTRIES
    }
    lines = [
        "from typing import assert_type",
        "import omnicloud",
        "import omnicloud.aio",
        *(f"import omnicloud.{family}.providers" for family in ENUMS),
        "from omnicloud import DriverType, Provider",
        "from omnicloud._providers import (",
        "    ComputeProvider, ContainerProvider, DNSProvider, LoadBalancerProvider,",
        "    StorageProvider,",
        ")",
        *sorted(imports),
    ]
    for entry in ENTRIES:
        for asynchronous in (False, True):
            lines += _checks(entry, asynchronous)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for this module's runs (the second one starts warm)."""
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(tmp_path: Path, cache: Path, text: str) -> tuple[int, str]:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(text)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(cache),
            str(snippet),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_every_table_entry_has_its_typed_overload(tmp_path: Path, cache: Path) -> None:
    text = _snippet()
    assert text.count("assert_type(") >= 6 * 2 * len(ENTRIES)
    code, output = _mypy(tmp_path, cache, text)
    assert code == 0, output


def test_the_wrong_class_is_a_type_error(tmp_path: Path, cache: Path) -> None:
    text = (
        "import omnicloud\n"
        "import omnicloud.aio\n"
        "from omnicloud import DriverType, Provider\n"
        "from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver\n"
        "from omnicloud.storage.drivers.local import LocalStorageDriver\n"
        "ok: type[CloudStackNodeDriver] = omnicloud.get_driver(Provider.CLOUDSTACK)\n"
        "wrong: type[LocalStorageDriver] = omnicloud.get_driver(Provider.CLOUDSTACK)\n"
        "wrong_async: type[LocalStorageDriver] = omnicloud.aio.get_driver(Provider.LOCAL)\n"
        "wrong_lb: type[CloudStackNodeDriver] = omnicloud.get_driver(\n"
        "    DriverType.LOADBALANCER, Provider.CLOUDSTACK\n"
        ")\n"
        "loose = omnicloud.get_driver('cloudstack', 'nimbus')\n"
        "reveal_type(loose)\n"
    )
    code, output = _mypy(tmp_path, cache, text)
    assert code == 1
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert [line.split(":")[1] for line in errors] == ["7", "8", "9"], output
    assert all("Incompatible types in assignment" in line for line in errors), output
    assert 'Revealed type is "type[Any]"' in output
