"""Clear errors: missing zones and records, a zone that exists, PowerDNS's own 422 text, a
rejected key (never shown: not in errors, reprs or the HTTP trace), bad arguments."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from omnicloud.dns import (
    RecordDoesNotExistError,
    RecordType,
    Zone,
    ZoneAlreadyExistsError,
    ZoneDoesNotExistError,
)
from omnicloud.dns.drivers.powerdns import AsyncPowerDNSDriver, PowerDNSDriver
from omnicloud.errors import InvalidCredentialsError, NotFoundError, ProviderError, ValidationError
from omnicloud.http import HttpConfig, enable_trace
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.powerdns import PowerDNSServer

from .conftest import QUICK, fresh_domain


def test_a_missing_zone(d: PowerDNSDriver) -> None:
    gone = d.create_zone(fresh_domain())
    d.delete_zone(gone)
    calls: dict[str, Callable[[], object]] = {
        "get_zone": lambda: d.get_zone(gone.id),
        "list_records": lambda: d.list_records(gone),
        "get_record": lambda: d.get_record(gone.id, "A:www"),
        "create_record": lambda: d.create_record("www", gone, RecordType.A, "192.0.2.1"),
        "update_zone": lambda: d.update_zone(gone, extra={"account": "x"}),
        "delete_zone": lambda: d.delete_zone(gone),
    }
    for name, call in calls.items():
        with pytest.raises(ZoneDoesNotExistError) as caught:
            call()
        assert caught.value.zone_id == gone.id, name
        assert isinstance(caught.value, NotFoundError) and caught.value.status == 404, name


def test_a_missing_record(d: PowerDNSDriver, zone: Zone) -> None:
    with pytest.raises(RecordDoesNotExistError) as caught:
        d.get_record(zone.id, "MX:nothing")
    assert caught.value.record_id == "MX:nothing"
    made = d.create_record("here", zone, RecordType.A, "192.0.2.1")
    d.delete_record(made)
    with pytest.raises(RecordDoesNotExistError):
        d.update_record(made, None, None, "192.0.2.2", None)
    with pytest.raises(ValidationError, match="TYPE:name"):
        d.get_record(zone.id, "no-type-here")


def test_a_zone_that_exists(d: PowerDNSDriver, zone: Zone) -> None:
    with pytest.raises(ZoneAlreadyExistsError) as caught:
        d.create_zone(zone.domain.rstrip("."))
    assert caught.value.zone_id == zone.id and caught.value.status == 409


def test_powerdns_422_text_is_passed_on(d: PowerDNSDriver, zone: Zone) -> None:
    d.create_record("web", zone, RecordType.A, "192.0.2.1")
    with pytest.raises(ProviderError) as caught:
        d.create_record("web", zone, RecordType.CNAME, "target.example.net")
    assert caught.value.status == 422 and caught.value.provider == "powerdns"
    assert "Conflicts with pre-existing RRset" in str(caught.value)


def test_a_rejected_key_is_never_shown(
    mode: str, portal: Portal, powerdns_server: PowerDNSServer
) -> None:
    wrong = "wrong-key-" + powerdns_server.key[-8:]
    driver = open_in_mode(
        mode, portal, PowerDNSDriver, AsyncPowerDNSDriver, wrong,
        endpoint=powerdns_server.url, http=HttpConfig(retry=QUICK),
    )  # fmt: skip
    trace = io.StringIO()
    enable_trace(trace)
    try:
        with pytest.raises(InvalidCredentialsError) as caught:
            driver.list_zones()
    finally:
        close_in_mode(driver, portal)
    error = caught.value
    assert error.status == 401 and "API key was rejected" in str(error)
    shown = [str(error), repr(error), repr(error.args), repr(driver), trace.getvalue()]
    native = getattr(driver, "driver", driver)
    shown += [repr(native), repr(native._settings), str(vars(error))]
    assert "X-API-Key" in trace.getvalue()  # the trace did show the request
    for text in shown:
        assert wrong not in text and powerdns_server.key not in text


def test_the_good_key_is_not_in_reprs_or_errors(d: PowerDNSDriver, zone: Zone) -> None:
    native = getattr(d, "driver", d)
    key = native._settings.key
    with pytest.raises(ZoneDoesNotExistError) as caught:
        d.get_zone("absent.example.invalid")
    for text in (repr(d), repr(native), repr(native._settings), str(caught.value), repr(zone)):
        assert key not in text


def test_bad_arguments_are_refused_before_any_request(powerdns_server: PowerDNSServer) -> None:
    key = powerdns_server.key
    with pytest.raises(ValidationError, match="experimental"):
        PowerDNSDriver(key, host="127.0.0.1", port=powerdns_server.port, api_version="experimental")
    with pytest.raises(ValidationError, match="host="):
        PowerDNSDriver(key)
    with pytest.raises(ValidationError, match="API key"):
        PowerDNSDriver("", endpoint=powerdns_server.url)
    with pytest.raises(ValidationError, match="http"):
        PowerDNSDriver(key, endpoint="ftp://127.0.0.1")
    with PowerDNSDriver(key, endpoint=powerdns_server.url) as d:
        with pytest.raises(ValidationError, match="master' or 'slave"):
            d.create_zone(fresh_domain(), type="hint")
        with pytest.raises(ValidationError, match="masters"):
            d.create_zone(fresh_domain(), type="slave")
        with pytest.raises(ValidationError, match="kind"):
            d.create_zone(fresh_domain(), extra={"kind": "Slave"})


def test_the_server_id_is_used(powerdns_server: PowerDNSServer) -> None:
    with PowerDNSDriver(powerdns_server.key, endpoint=powerdns_server.url, ex_server="nope") as d:
        with pytest.raises(NotFoundError):
            d.list_zones()
        d.ex_server = "localhost"
        assert isinstance(d.list_zones(), list)
