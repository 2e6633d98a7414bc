"""Subscriptions (which create VLANs and IPs), balance, pricing and current usage."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ._catalog import PRICES
from ._errors import invalid, payment
from ._listing import filtered, list_reply
from ._request import Reply, Req
from ._state import CloudSigmaState, public, ref
from ._store import Doc

__all__ = ["ROUTES"]

_PERIOD = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)
_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_ACTIVE = ("active",)


def _days(period: Any) -> int:
    match = _PERIOD.match(str(period or ""))
    if not match:
        raise invalid(
            f"Invalid period {period!r}; use e.g. '1 month', '30 days', '2 weeks'", "period"
        )
    return int(match.group(1)) * _DAYS[match.group(2).lower()]


def _price(resource: str, amount: Decimal, days: int) -> Decimal:
    _unit, price, multiplier = PRICES[resource]
    units = amount / multiplier if multiplier > 1 else amount
    months = Decimal(days) / 30 if resource != "tx" else Decimal(1)
    return (units * Decimal(price) * months).quantize(Decimal("0.0001"))


def _noon(moment: datetime) -> str:
    return moment.replace(hour=12, minute=0, second=0, microsecond=0).strftime(
        "%Y-%m-%dT%H:%M:%S+00:00"
    )


def _network_object(state: CloudSigmaState, kind: str, subscription: Doc) -> str:
    if kind == "vlans":
        doc = state.base("vlans")
        doc.update(servers=[], bottom_vlan_tag=None)
    else:
        number = int(state.store.setting("next_static_ip") or "2")
        state.store.set_setting("next_static_ip", str(number + 1))
        address = f"31.171.{number // 250}.{number % 250 + 2}"
        doc = state.base("ips", address)
        doc.update(
            gateway=f"31.171.{number // 250}.1",
            netmask=24,
            nameservers=["69.194.139.62", "178.22.66.167"],
            server=None,
        )
    doc["subscription"] = {"id": subscription["id"], "resource_uri": subscription["resource_uri"]}
    state.save(kind, doc)
    return str(doc["uuid"])


def _one(req: Req, fields: dict[str, Any]) -> list[Doc]:
    state = req.state
    resource = str(fields.get("resource") or "")
    if resource == "hdd":
        resource = "dssd"
    if resource not in PRICES:
        raise invalid(
            f"Select a valid choice. {resource!r} is not one of the available choices.", "resource"
        )
    try:
        amount = Decimal(str(fields.get("amount")))
    except ArithmeticError:
        raise invalid("A valid number is required.", "amount") from None
    if amount <= 0:
        raise invalid("Ensure this value is greater than 0.", "amount")
    days = _days(fields.get("period")) if "end_time" not in fields else 30
    count = int(amount) if resource in ("ip", "vlan") else 1
    each = Decimal(1) if resource in ("ip", "vlan") else amount
    start = datetime.now(UTC)
    docs = []
    for _ in range(count):
        number = int(state.store.setting("next_subscription") or "1000") + 1
        state.store.set_setting("next_subscription", str(number))
        price = _price(resource, each, days)
        if price > state.balance:
            raise payment(f"Insufficient funds: the subscription costs {price} EUR")
        state.charge(price)
        doc = state.base("subscriptions")
        doc.update(
            uuid=str(number),
            id=str(number),
            resource_uri=f"/api/2.0/subscriptions/{number}/",
            resource=resource,
            amount=str(int(each)),
            period=str(fields.get("period") or "30 days"),
            start_time=_noon(start),
            end_time=_noon(start + timedelta(days=days)),
            status="active",
            price=str(price),
            remaining=str(int(each)),
            auto_renew=bool(fields.get("auto_renew", False)),
            subscribed_object=None,
            descendants=[],
            discount_amount="0",
            discount_percent="0",
            discounts=None,
            free_tier=False,
            was_billed=True,  # the price was taken from the balance above
        )
        if resource in ("ip", "vlan"):
            doc["subscribed_object"] = _network_object(state, resource + "s", doc)
        state.save("subscriptions", doc)
        docs.append(doc)
    return docs


def _view(doc: Doc) -> Doc:
    """A subscription's public fields (those older state files lack get their defaults)."""
    view = public(doc)
    view.setdefault("discounts", None)
    view.setdefault("was_billed", True)
    return view


def _create(req: Req) -> Reply:
    created: list[Doc] = []
    for fields in req.objects():
        created.extend(_one(req, fields))
    total = sum((Decimal(d["price"]) for d in created), Decimal(0))
    return Reply(201, {"objects": [_view(d) for d in created], "price": str(total)})


def _list(req: Req) -> Reply:
    status = req.query.get("status", "all")
    docs = [_view(d) for d in req.state.all("subscriptions")]
    if status != "all":
        wanted = _ACTIVE if status == "notexpired" else tuple(status.split(","))
        docs = [d for d in docs if d["status"] in wanted]
    docs = filtered(docs, req, ("resource", "subscribed_object", "uuid"))
    total = sum((Decimal(d["price"]) for d in docs), Decimal(0))
    return list_reply(req, docs, extra={"price": str(total)})


def _action(req: Req) -> Reply:
    doc = req.state.load("subscriptions", req.args[0])
    do = req.query.get("do", "")
    if do == "auto_renew":
        fields = req.fields()
        doc["auto_renew"] = bool(fields.get("auto_renew", not doc["auto_renew"]))
    elif do == "extend":
        end = datetime.fromisoformat(doc["end_time"])
        doc["end_time"] = _noon(end + timedelta(days=_days(req.fields().get("period", "1 month"))))
    else:
        raise invalid(f"Unknown action {do!r}", "do")
    req.state.save("subscriptions", doc)
    return Reply(200, _view(doc))


def _balance(req: Req) -> Reply:
    return Reply(200, {"balance": str(req.state.balance), "currency": "EUR", "credit_limit": None})


def _pricing(req: Req) -> Reply:
    objects = [
        {
            "id": str(index),
            "resource": resource,
            "level": 0,
            "currency": "EUR",
            "price": price,
            "unit": unit,
            "multiplier": multiplier,
        }
        for index, (resource, (unit, price, multiplier)) in enumerate(sorted(PRICES.items()), 1)
    ]
    levels = {resource: 0 for resource in PRICES}
    return list_reply(req, objects, lambda d: d, extra={"current": levels, "next": levels})


def _usage(req: Req) -> Reply:
    state = req.state
    running = [s for s in state.all("servers") if s["status"] in ("running", "starting")]
    using = {
        "cpu": sum(int(s["cpu"]) for s in running),
        "mem": sum(int(s["mem"]) for s in running),
        "dssd": sum(int(d["size"]) for d in state.all("drives")),
        "ip": len(state.all("ips")),
        "vlan": len(state.all("vlans")),
        "tx": 0,
    }
    subscribed: dict[str, int] = dict.fromkeys(using, 0)
    for sub in state.all("subscriptions"):
        if sub["status"] == "active" and sub["resource"] in subscribed:
            subscribed[sub["resource"]] += int(Decimal(sub["amount"]))
    usage = {
        name: {
            "using": value,
            "subscribed": subscribed[name],
            "burst": max(0, value - subscribed[name]),
        }
        for name, value in using.items()
    }
    balance = {"balance": str(state.balance), "currency": "EUR"}
    return Reply(200, {"balance": balance, "usage": usage})


# the short list of ``/ips/`` keeps the server the address is attached to (null when none)
_SHORT_KEYS = {
    "vlans": ("uuid", "owner", "resource_uri"),
    "ips": ("uuid", "owner", "resource_uri", "server"),
}


def _network_list(kind: str, detail: bool) -> Any:
    def handler(req: Req) -> Reply:
        docs = filtered(req.state.all(kind), req, ("uuid", "tag"))
        if detail:
            return list_reply(req, docs)
        keys = _SHORT_KEYS[kind]
        return list_reply(req, docs, lambda d: {k: d.get(k) for k in keys})

    return handler


def _network_update(kind: str) -> Any:
    def handler(req: Req) -> Reply:
        doc = req.state.load(kind, req.args[0])
        fields = req.fields()
        if "meta" in fields:
            doc["meta"] = dict(fields["meta"] or {})
        req.state.save(kind, doc)
        return Reply(200, public(doc))

    return handler


def _network_servers(kind: str, doc: Doc, req: Req) -> Doc:
    if kind != "vlans":
        return public(doc)
    users = [
        ref("servers", s["uuid"])
        for s in req.state.all("servers")
        if any((n.get("vlan") or {}).get("uuid") == doc["uuid"] for n in s["nics"])
    ]
    return {**public(doc), "servers": users}


ROUTES = [
    ("GET", "subscriptions", _list),
    ("POST", "subscriptions", _create),
    (
        "GET",
        "subscriptions/*",
        lambda r: Reply(200, _view(r.state.load("subscriptions", r.args[0]))),
    ),
    ("POST", "subscriptions/*/action", _action),
    ("GET", "balance", _balance),
    ("GET", "pricing", _pricing),
    ("GET", "currentusage", _usage),
]
for _kind in ("vlans", "ips"):
    ROUTES += [
        ("GET", _kind, _network_list(_kind, False)),
        ("GET", f"{_kind}/detail", _network_list(_kind, True)),
        (
            "GET",
            f"{_kind}/*",
            (lambda k: lambda r: Reply(200, _network_servers(k, r.state.load(k, r.args[0]), r)))(
                _kind
            ),
        ),
        ("PUT", f"{_kind}/*", _network_update(_kind)),
    ]
