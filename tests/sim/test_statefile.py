"""Simulator state files: created private, and never someone else's file (both simulators)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicloud.errors import ConfigurationError
from omnicloud.sim.cloudsigma import CloudSigmaState
from omnicloud.sim.cloudstack import CloudStackState

Opener = Callable[[Path], Any]

OPENERS: dict[str, Opener] = {
    "cloudstack": lambda path: CloudStackState(path, api_key="AK", secret="SK"),
    "cloudsigma": lambda path: CloudSigmaState(path, password="secret-pass"),
}


@pytest.fixture(params=sorted(OPENERS))
def opener(request: pytest.FixtureRequest) -> Opener:
    return OPENERS[request.param]


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """umask 0: any mode tighter than 0666 comes from the code, not the environment."""
    saved = os.umask(0)
    try:
        yield
    finally:
        os.umask(saved)


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """An empty directory of this test's own (``tmp_path`` holds the suite's HOME and so on)."""
    path = tmp_path / "place"
    path.mkdir()
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_state_file_and_side_files_are_0600(
    tmp_path: Path, opener: Opener, loose_umask: None
) -> None:
    path = tmp_path / "state.db"
    state = opener(path)
    try:
        side = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal")]
        assert any(p.exists() for p in side)  # WAL mode: the side files exist while open
        assert _mode(path) == 0o600
        for extra in side:
            if extra.exists():
                assert _mode(extra) == 0o600, extra
    finally:
        state.close()
    assert _mode(path) == 0o600
    again = opener(path)  # still a usable simulator database
    again.close()


def test_existing_loose_state_file_is_made_private(
    tmp_path: Path, opener: Opener, loose_umask: None
) -> None:
    path = tmp_path / "state.db"
    opener(path).close()
    os.chmod(path, 0o644)
    opener(path).close()
    assert _mode(path) == 0o600


def test_making_private_never_adds_write_permission(place: Path, opener: Opener) -> None:
    path = place / "state.db"
    opener(path).close()
    os.chmod(path, 0o444)
    with contextlib.suppress(ConfigurationError):  # refused unless root
        opener(path).close()
    assert _mode(path) == 0o400


def test_empty_file_is_accepted_and_made_private(
    tmp_path: Path, opener: Opener, loose_umask: None
) -> None:
    path = tmp_path / "made-by-mktemp.db"
    path.touch(mode=0o644)
    opener(path).close()
    assert _mode(path) == 0o600
    assert path.read_bytes().startswith(b"SQLite format 3\x00")


PASSWD = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"


@pytest.mark.parametrize(
    "content",
    [
        PASSWD,
        b"SQLite format 3\x00" + b"\xff" * 200,  # looks like SQLite, is not
        b"\x00" * 4096,
        b"x",
    ],
)
def test_a_file_that_is_not_a_state_file_is_refused_untouched(
    place: Path, opener: Opener, content: bytes
) -> None:
    path = place / "passwd"
    path.write_bytes(content)
    os.chmod(path, 0o644)
    before = (_digest(path), _mode(path), path.stat().st_mtime_ns)
    with pytest.raises(ConfigurationError) as caught:
        opener(path)
    assert str(path) in str(caught.value)
    assert (_digest(path), _mode(path), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in place.iterdir()) == ["passwd"]


def test_another_programs_sqlite_database_is_refused_untouched(place: Path, opener: Opener) -> None:
    path = place / "app.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (name TEXT)")
        db.execute("INSERT INTO people VALUES ('ann')")
    db.close()
    before = _digest(path)
    with pytest.raises(ConfigurationError, match=r"not a .* simulator state file"):
        opener(path)
    assert _digest(path) == before
    assert sorted(p.name for p in place.iterdir()) == ["app.db"]


def test_the_other_simulators_state_file_is_refused(tmp_path: Path) -> None:
    sigma = tmp_path / "sigma.db"
    CloudSigmaState(sigma).close()
    with pytest.raises(ConfigurationError, match="not a CloudStack simulator state file"):
        CloudStackState(sigma)
    stack = tmp_path / "stack.db"
    CloudStackState(stack).close()
    with pytest.raises(ConfigurationError, match="not a CloudSigma simulator state file"):
        CloudSigmaState(stack)


def test_missing_directory_is_refused_and_not_created(tmp_path: Path, opener: Opener) -> None:
    path = tmp_path / "nonexistent" / "x.db"
    with pytest.raises(ConfigurationError, match="No such file or directory"):
        opener(path)
    assert not path.parent.exists()


def test_directory_is_refused(place: Path, opener: Opener) -> None:
    with pytest.raises(ConfigurationError, match="is a directory"):
        opener(place)
    assert list(place.iterdir()) == []


def test_device_is_refused(opener: Opener) -> None:
    with pytest.raises(ConfigurationError, match="not a regular file"):
        opener(Path(os.devnull))


def test_read_only_location_is_refused(opener: Opener) -> None:
    # /sys refuses new files even to root, so this holds wherever the tests run
    with pytest.raises(ConfigurationError, match="cannot create"):
        opener(Path("/sys/omnicloud-sim-state.db"))


def test_nothing_is_left_behind_when_a_new_file_cannot_be_used(
    place: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from omnicloud.sim.core import statefile as _statefile

    def broken(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(_statefile.sqlite3, "connect", broken)
    with pytest.raises(ConfigurationError, match="disk I/O error"):
        CloudStackState(place / "new.db")
    assert list(place.iterdir()) == []


def test_local_cloud_state_directory_is_0700_and_database_0600(
    place: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    import omnicloud

    data = place / "new" / "data"
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(data))
    with omnicloud.connect("local") as driver:
        assert driver.list_sizes()
    assert _mode(data) == 0o700
    (database,) = data.glob("*.db")
    assert _mode(database) == 0o600


def test_symlinks_to_foreign_or_missing_files_are_refused(place: Path, opener: Opener) -> None:
    target = place / "passwd"
    target.write_bytes(PASSWD)
    link = place / "state.db"
    link.symlink_to(target)
    with pytest.raises(ConfigurationError, match="not a SQLite database"):
        opener(link)
    assert target.read_bytes() == PASSWD
    dangling = place / "dangling.db"
    dangling.symlink_to(place / "gone" / "x.db")
    with pytest.raises(ConfigurationError, match="No such file or directory"):
        opener(dangling)
    assert sorted(p.name for p in place.iterdir()) == ["dangling.db", "passwd", "state.db"]
