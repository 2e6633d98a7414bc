"""CloudSigma account-level extensions: tags, subscriptions, billing, key pairs, firewall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from omnicloud.compute._models import KeyPair, Node
from omnicloud.compute._shell import operation
from omnicloud.errors import NotFoundError, ValidationError

from .cloudsigma_base import CloudSigmaBase, ident
from .cloudsigma_convert import BALANCE, KEY_PAIR, POLICY, PRICING, SUBSCRIPTION, TAG, USAGE
from .cloudsigma_models import (
    CloudSigmaBalance,
    CloudSigmaFirewallPolicy,
    CloudSigmaFirewallPolicyRule,
    CloudSigmaPricing,
    CloudSigmaSubscription,
    CloudSigmaTag,
    CloudSigmaUsage,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["CloudSigmaAccount"]

SUBSCRIPTION_RESOURCES = ("cpu", "mem", "dssd", "tx", "ip", "vlan")
SUBSCRIPTION_STATUSES = ("all", "active", "inactive", "expired", "notexpired")
_FIREWALL = "firewall policies (/fwpolicies/)"


class CloudSigmaAccount(CloudSigmaBase):
    """Account-level extension operations."""

    # -- tags ---------------------------------------------------------------------------------
    @operation
    def ex_list_tags(self) -> Flow[list[CloudSigmaTag]]:
        """Every tag."""
        tags: list[CloudSigmaTag] = yield from self._all("tags/detail", TAG.bind(driver=self))
        return tags

    @operation
    def ex_get_tag(self, tag_id: str) -> Flow[CloudSigmaTag]:
        """One tag."""
        doc = yield from self._get(f"tags/{ident(tag_id)}")
        return TAG(doc, driver=self)

    @operation
    def ex_create_tag(
        self, name: str, resource_uuids: Sequence[Any] | None = None
    ) -> Flow[CloudSigmaTag]:
        """Create a tag, optionally on resources (servers, drives, IPs, VLANs)."""
        resources = [ident(r) for r in resource_uuids or []]
        doc = yield from self._create("tags", [{"name": name, "resources": resources}])
        return TAG(doc, driver=self)

    @operation
    def ex_tag_resources(self, resources: Sequence[Any], tag: Any) -> Flow[CloudSigmaTag]:
        """Add ``resources`` to ``tag`` (keeping the ones it already has)."""
        path = f"tags/{ident(tag)}"
        current = yield from self._get(path)
        existing = [r["uuid"] if isinstance(r, dict) else r for r in current.get("resources", [])]
        wanted = existing + [u for u in map(ident, resources) if u not in existing]
        doc = yield from self._send("PUT", path, {"name": current["name"], "resources": wanted})
        return TAG(doc, driver=self)

    @operation
    def ex_tag_resource(self, resource: Any, tag: Any) -> Flow[CloudSigmaTag]:
        """Add one resource to ``tag``."""
        result: CloudSigmaTag = yield from type(self).ex_tag_resources(self, [resource], tag)
        return result

    @operation
    def ex_untag_resources(self, resources: Sequence[Any], tag: Any) -> Flow[CloudSigmaTag]:
        """Remove ``resources`` from ``tag``."""
        path = f"tags/{ident(tag)}"
        current = yield from self._get(path)
        drop = set(map(ident, resources))
        kept = [r["uuid"] for r in current.get("resources", []) if r["uuid"] not in drop]
        doc = yield from self._send("PUT", path, {"name": current["name"], "resources": kept})
        return TAG(doc, driver=self)

    @operation
    def ex_delete_tag(self, tag: Any) -> Flow[bool]:
        """Delete a tag (the resources stay)."""
        yield from self._send("DELETE", f"tags/{ident(tag)}")
        return True

    # -- subscriptions and billing ------------------------------------------------------------
    @operation
    def ex_list_subscriptions(
        self, status: str = "all", resources: Sequence[str] | None = None
    ) -> Flow[list[CloudSigmaSubscription]]:
        """Subscriptions, by ``status`` and ``resources`` (e.g. ``["vlan", "ip"]``)."""
        if status not in SUBSCRIPTION_STATUSES:
            raise ValidationError(f"status must be one of {', '.join(SUBSCRIPTION_STATUSES)}")
        params: dict[str, Any] = {"status": status}
        if resources:
            params["resource"] = ",".join(resources)
        subs: list[CloudSigmaSubscription] = yield from self._all(
            "subscriptions", SUBSCRIPTION.bind(driver=self), params
        )
        return subs

    @operation
    def ex_create_subscription(
        self, amount: int | str, period: str, resource: str, auto_renew: bool = False
    ) -> Flow[CloudSigmaSubscription]:
        """Buy ``amount`` of ``resource`` for ``period`` ("1 month", "30 days").

        For ``vlan`` and ``ip`` the new object's UUID is ``subscribed_object``.
        """
        if not period or not str(period).strip():
            raise ValidationError("period is required, e.g. '1 month' or '30 days'")
        body = {
            "amount": str(amount),
            "period": period,
            "resource": resource,
            "auto_renew": bool(auto_renew),
        }
        doc = yield from self._create("subscriptions", [body])
        return SUBSCRIPTION(doc, driver=self)

    @operation
    def ex_toggle_subscription_auto_renew(self, subscription: Any) -> Flow[bool]:
        """Flip a subscription's auto-renew flag."""
        yield from self._action(f"subscriptions/{ident(subscription)}", "auto_renew")
        return True

    @operation
    def ex_get_balance(self) -> Flow[CloudSigmaBalance]:
        """The account balance (``balance["balance"]``, ``balance["currency"]`` also work)."""
        raw = yield from self._get("balance")
        return BALANCE(raw)

    @operation
    def ex_get_pricing(self) -> Flow[CloudSigmaPricing]:
        """The price list and current burst levels."""
        raw = yield from self._get("pricing", limit=0)
        return PRICING(raw)

    @operation
    def ex_get_usage(self) -> Flow[CloudSigmaUsage]:
        """Current usage per resource, with the balance."""
        raw = yield from self._get("currentusage")
        return USAGE(raw)

    @operation
    def ex_list_vlans(self) -> Flow[list[dict[str, Any]]]:
        """The account's VLANs (bought through subscriptions)."""
        vlans: list[dict[str, Any]] = yield from self._all("vlans/detail", dict)
        return vlans

    @operation
    def ex_list_ips(self) -> Flow[list[dict[str, Any]]]:
        """The account's IP addresses."""
        ips: list[dict[str, Any]] = yield from self._all("ips/detail", dict)
        return ips

    # -- key pairs ----------------------------------------------------------------------------
    @operation
    def list_key_pairs(self) -> Flow[list[KeyPair]]:
        """Every key pair."""
        keys: list[KeyPair] = yield from self._all("keypairs", KEY_PAIR.bind(driver=self))
        return keys

    @operation
    def get_key_pair(self, name: str) -> Flow[KeyPair]:
        """A key pair by name (or by UUID, as Libcloud's CloudSigma driver took)."""
        keys: list[KeyPair] = yield from type(self).list_key_pairs(self)
        for key in keys:
            if name in (key.name, key.extra.get("uuid")):
                return key
        raise NotFoundError(f"key pair {name!r} not found", provider="cloudsigma")

    @operation
    def create_key_pair(self, name: str) -> Flow[KeyPair]:
        """Have CloudSigma generate a key pair; the private key is in the result."""
        doc = yield from self._create("keypairs", [{"name": name}])
        return KEY_PAIR(doc, driver=self)

    @operation
    def import_key_pair_from_string(self, name: str, key_material: str) -> Flow[KeyPair]:
        """Register an OpenSSH public key."""
        material = " ".join(key_material.split())
        doc = yield from self._create("keypairs", [{"name": name, "public_key": material}])
        return KEY_PAIR(doc, driver=self)

    @operation
    def delete_key_pair(self, key_pair: KeyPair) -> Flow[bool]:
        """Delete a key pair."""
        uuid = key_pair.extra.get("uuid") if isinstance(key_pair, KeyPair) else key_pair
        yield from self._send("DELETE", f"keypairs/{ident(uuid)}")
        return True

    # -- firewall policies (decommissioned upstream) ------------------------------------------
    @operation
    def ex_list_firewall_policies(self) -> Flow[list[CloudSigmaFirewallPolicy]]:
        """Firewall policies (EndpointGoneError where CloudSigma has removed the feature)."""
        flow = self._all("fwpolicies/detail", POLICY.bind(driver=self))
        policies: list[CloudSigmaFirewallPolicy] = yield from self._legacy(flow, _FIREWALL)
        return policies

    @operation
    def ex_create_firewall_policy(
        self,
        name: str,
        rules: Sequence[CloudSigmaFirewallPolicyRule | dict[str, Any]] | None = None,
    ) -> Flow[CloudSigmaFirewallPolicy]:
        """Create a firewall policy."""
        body = [r if isinstance(r, dict) else asdict(r) for r in rules or []]
        flow = self._create("fwpolicies", [{"name": name, "rules": body}])
        doc = yield from self._legacy(flow, _FIREWALL)
        return POLICY(doc, driver=self)

    @operation
    def ex_attach_firewall_policy(
        self, policy: Any, node: Node, nic_mac: str | None = None
    ) -> Flow[Node]:
        """Attach ``policy`` to the node's first public NIC (or the NIC with ``nic_mac``)."""
        yield from self._legacy(self._get("fwpolicies", limit=1), _FIREWALL)
        path = f"servers/{ident(node)}"
        server = yield from self._get(path)
        nics = [dict(n) for n in server.get("nics") or []]
        public = [n for n in nics if not n.get("vlan")]
        chosen = [n for n in nics if n.get("mac") == nic_mac] if nic_mac else public[:1]
        if not chosen:
            raise ValidationError(f"server {ident(node)} has no NIC to attach the policy to")
        chosen[0]["firewall_policy"] = ident(policy)
        yield from self._send("PUT", path, {**server, "nics": nics})
        result: Node = yield from type(self).ex_get_node(self, ident(node))  # type: ignore[attr-defined]
        return result

    @operation
    def ex_delete_firewall_policy(self, policy: Any) -> Flow[bool]:
        """Delete a firewall policy."""
        yield from self._legacy(self._send("DELETE", f"fwpolicies/{ident(policy)}"), _FIREWALL)
        return True
