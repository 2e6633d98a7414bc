"""The OpenStack tests' servers: a real Keystone (``tests/support/keystone.py``, registered here
only) and the session's real Swift (``swift_server``, from ``tests/conftest.py``)."""

from __future__ import annotations

from tests.support.keystone import keystone_server  # noqa: F401 - session fixture
