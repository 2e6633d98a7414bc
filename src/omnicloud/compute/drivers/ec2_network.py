"""EC2 security groups and their rules, elastic IP addresses, and tags as operations, with
Libcloud's ``ex_*`` names and arguments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud._wire import bind
from omnicloud.compute._models import Node
from omnicloud.compute._shell import computed, operation
from omnicloud.errors import ValidationError

from .ec2_base import EC2Base, filters, ident, tag_specification
from .ec2_models import EC2SecurityGroup, ElasticIP

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["EC2Network"]


def _ok(answer: Any) -> bool:
    return str(answer.get("return", "true") if isinstance(answer, Mapping) else "true") == "true"


def _permission(
    group_id: str,
    protocol: str,
    from_port: int | str | None,
    to_port: int | str | None,
    cidr_ips: Sequence[str] | None,
    group_pairs: Sequence[Mapping[str, str]] | None,
    description: str | None = None,
) -> dict[str, Any]:
    """The ``GroupId`` and one ``IpPermissions`` entry of an authorize or revoke call."""
    if isinstance(cidr_ips, str):
        cidr_ips = [cidr_ips]
    pairs = [
        {"GroupId": p.get("group_id"), "GroupName": p.get("group_name"), "UserId": p.get("user_id")}
        for p in group_pairs or []
    ]
    permission = {
        "IpProtocol": str(protocol),
        "FromPort": None if from_port is None else int(from_port),
        "ToPort": None if to_port is None else int(to_port),
        "IpRanges": [{"CidrIp": c, "Description": description} for c in cidr_ips or []] or None,
        "Groups": pairs or None,
    }
    return {"GroupId": group_id, "IpPermissions": [permission]}


def _address(value: ElasticIP | str) -> ElasticIP:
    return value if isinstance(value, ElasticIP) else ElasticIP(ip=str(value), domain="standard")


def _domain(domain: str | None) -> None:
    if domain not in (None, "vpc"):
        raise ValidationError("domain can only be 'vpc' (or None: decided by the address)")


def _vpc(address: ElasticIP, domain: str | None) -> bool:
    """Whether to name ``address`` by its VPC ids: asked for, or an address that has them."""
    _domain(domain)
    return domain == "vpc" or (address.domain == "vpc" and bool(address.extra.get("allocation_id")))


class EC2Network(EC2Base):
    """Security groups, elastic IPs and tags."""

    # -- security groups ----------------------------------------------------------------------
    @operation
    def ex_get_security_groups(
        self,
        group_ids: Sequence[str] | None = None,
        group_names: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> Flow[list[EC2SecurityGroup]]:
        """Security groups with their rules (``filters={"vpc-id": "vpc-1"}``)."""
        params = {
            "GroupId": list(group_ids or []) or None,
            "GroupName": list(group_names or []) or None,
            "Filter": _filters(filters),
        }
        paged = not (group_ids or group_names)
        convert = bind(EC2SecurityGroup, driver=self)
        found: list[EC2SecurityGroup] = yield from self._all(
            "DescribeSecurityGroups", "securityGroupInfo", convert, params, paged=paged
        )
        return found

    @operation
    def ex_list_security_groups(self) -> Flow[list[str]]:
        """The names of every security group (Libcloud's EC2 answer; the groups themselves:
        :meth:`ex_get_security_groups`)."""
        groups: list[EC2SecurityGroup] = yield from type(self).ex_get_security_groups(self)
        return [group.name for group in groups]

    @operation
    def ex_create_security_group(
        self,
        name: str,
        description: str | None = None,
        vpc_id: str | None = None,
        ex_metadata: Mapping[str, str] | None = None,
    ) -> Flow[EC2SecurityGroup]:
        """A new group (in ``vpc_id``, else the default VPC); ``description`` defaults to the
        name. ``group["group_id"]`` works as with Libcloud's dict."""
        params = {
            "GroupName": name,
            "GroupDescription": description or name,
            "VpcId": vpc_id,
            "TagSpecification": tag_specification(None, ex_metadata, "security-group") or None,
        }
        answer = yield from self._call("CreateSecurityGroup", params)
        extra = {"tags": dict(ex_metadata or {}), "vpc_id": vpc_id}
        return EC2SecurityGroup(
            id=str(answer.get("groupId") or ""),
            name=name,
            description=description or name,
            vpc_id=vpc_id,
            extra=extra,
            driver=self,
        )

    @operation
    def ex_delete_security_group_by_id(self, group_id: str) -> Flow[bool]:
        """Delete the group with id ``group_id``."""
        answer = yield from self._call("DeleteSecurityGroup", {"GroupId": ident(group_id)})
        return _ok(answer)

    @operation
    def ex_delete_security_group_by_name(self, group_name: str) -> Flow[bool]:
        """Delete the group called ``group_name`` (default VPC only, as EC2 allows)."""
        answer = yield from self._call("DeleteSecurityGroup", {"GroupName": group_name})
        return _ok(answer)

    @operation
    def ex_delete_security_group(self, name: str) -> Flow[bool]:
        """Delete a group by name (Libcloud: :meth:`ex_delete_security_group_by_name`)."""
        return (yield from type(self).ex_delete_security_group_by_name(self, name))

    def _rule(self, action: str, params: dict[str, Any]) -> Flow[bool]:
        answer = yield from self._call(action, params)
        return _ok(answer)

    @operation
    def ex_authorize_security_group_ingress(
        self,
        id: str,
        from_port: int | str | None,
        to_port: int | str | None,
        cidr_ips: Sequence[str] | None = None,
        group_pairs: Sequence[Mapping[str, str]] | None = None,
        protocol: str = "tcp",
        description: str | None = None,
    ) -> Flow[bool]:
        """Allow inbound ``protocol`` traffic on ports ``from_port``-``to_port`` from
        ``cidr_ips`` and/or ``group_pairs`` (``[{"group_id": "sg-1"}]``) into group ``id``."""
        params = _permission(
            ident(id), protocol, from_port, to_port, cidr_ips, group_pairs, description
        )
        return (yield from self._rule("AuthorizeSecurityGroupIngress", params))

    @operation
    def ex_authorize_security_group_egress(
        self,
        id: str,
        from_port: int | str | None,
        to_port: int | str | None,
        cidr_ips: Sequence[str] | None = None,
        group_pairs: Sequence[Mapping[str, str]] | None = None,
        protocol: str = "tcp",
        description: str | None = None,
    ) -> Flow[bool]:
        """Allow outbound traffic from group ``id`` (VPC groups)."""
        params = _permission(
            ident(id), protocol, from_port, to_port, cidr_ips, group_pairs, description
        )
        return (yield from self._rule("AuthorizeSecurityGroupEgress", params))

    @operation
    def ex_revoke_security_group_ingress(
        self,
        id: str,
        from_port: int | str | None,
        to_port: int | str | None,
        cidr_ips: Sequence[str] | None = None,
        group_pairs: Sequence[Mapping[str, str]] | None = None,
        protocol: str = "tcp",
    ) -> Flow[bool]:
        """Remove an inbound rule (the same arguments it was authorized with)."""
        params = _permission(ident(id), protocol, from_port, to_port, cidr_ips, group_pairs)
        return (yield from self._rule("RevokeSecurityGroupIngress", params))

    @operation
    def ex_revoke_security_group_egress(
        self,
        id: str,
        from_port: int | str | None,
        to_port: int | str | None,
        cidr_ips: Sequence[str] | None = None,
        group_pairs: Sequence[Mapping[str, str]] | None = None,
        protocol: str = "tcp",
    ) -> Flow[bool]:
        """Remove an outbound rule."""
        params = _permission(ident(id), protocol, from_port, to_port, cidr_ips, group_pairs)
        return (yield from self._rule("RevokeSecurityGroupEgress", params))

    # -- elastic IPs --------------------------------------------------------------------------
    @operation
    def ex_allocate_address(self, domain: str = "standard") -> Flow[ElasticIP]:
        """A new elastic IP (``domain="vpc"`` asks for a VPC address; EC2 gives one anyway
        where EC2-Classic is gone)."""
        params = {"Domain": "vpc" if domain == "vpc" else None}
        answer = yield from self._call("AllocateAddress", params)
        return bind(ElasticIP, driver=self)(answer)

    @operation
    def ex_describe_all_addresses(self, only_associated: bool = False) -> Flow[list[ElasticIP]]:
        """Every elastic IP of the account in this region (``only_associated``: those
        associated with an instance)."""
        found: list[ElasticIP] = yield from self._all(
            "DescribeAddresses", "addressesSet", bind(ElasticIP, driver=self), paged=False
        )
        return [a for a in found if a.instance_id] if only_associated else found

    @operation
    def ex_associate_address_with_node(
        self, node: Node, elastic_ip: ElasticIP | str, domain: str | None = None
    ) -> Flow[str | None]:
        """Associate ``elastic_ip`` with ``node``; the association id (VPC addresses)."""
        address = _address(elastic_ip)
        params: dict[str, Any] = {"InstanceId": ident(node)}
        if _vpc(address, domain):
            params["AllocationId"] = address.extra.get("allocation_id")
        else:
            params["PublicIp"] = address.ip
        answer = yield from self._call("AssociateAddress", params)
        association = answer.get("associationId") if isinstance(answer, Mapping) else None
        return str(association) if association else None

    @operation
    def ex_associate_addresses(
        self, node: Node, elastic_ip: ElasticIP | str, domain: str | None = None
    ) -> Flow[str | None]:
        """Libcloud's older name of :meth:`ex_associate_address_with_node`."""
        return (
            yield from type(self).ex_associate_address_with_node(self, node, elastic_ip, domain)
        )

    @operation
    def ex_disassociate_address(
        self, elastic_ip: ElasticIP | str, domain: str | None = None
    ) -> Flow[bool]:
        """Detach ``elastic_ip`` from its instance (a VPC address by its association id,
        looked up when ``elastic_ip`` does not carry it)."""
        address = _address(elastic_ip)
        if not _vpc(address, domain):
            answer = yield from self._call("DisassociateAddress", {"PublicIp": address.ip})
            return _ok(answer)
        association = address.extra.get("association_id")
        if not association:
            params = {"AllocationId": [address.extra.get("allocation_id")]}
            found: list[ElasticIP] = yield from self._all(
                "DescribeAddresses",
                "addressesSet",
                bind(ElasticIP, driver=self),
                params,
                paged=False,
            )
            association = found[0].extra.get("association_id") if found else None
        if not association:
            raise ValidationError(f"elastic IP {address.ip} is not associated with an instance")
        answer = yield from self._call("DisassociateAddress", {"AssociationId": association})
        return _ok(answer)

    @operation
    def ex_release_address(
        self, elastic_ip: ElasticIP | str, domain: str | None = None
    ) -> Flow[bool]:
        """Give ``elastic_ip`` back (a VPC address by its allocation id)."""
        address = _address(elastic_ip)
        if _vpc(address, domain):
            params = {"AllocationId": address.extra.get("allocation_id")}
        else:
            params = {"PublicIp": address.ip}
        answer = yield from self._call("ReleaseAddress", params)
        return _ok(answer)

    @operation
    def ex_describe_addresses(self, nodes: Sequence[Node]) -> Flow[dict[str, list[str]]]:
        """``{node id: [elastic IPs]}`` for ``nodes``."""
        if not nodes:
            return {}
        wanted = [ident(node) for node in nodes]
        params = {"Filter": filters({"instance-id": wanted})}
        found: list[ElasticIP] = yield from self._all(
            "DescribeAddresses", "addressesSet", bind(ElasticIP, driver=self), params, paged=False
        )
        mapping: dict[str, list[str]] = {node_id: [] for node_id in wanted}
        for address in found:
            if address.instance_id in mapping:
                mapping[address.instance_id].append(address.ip)
        return mapping

    @operation
    def ex_describe_addresses_for_node(self, node: Node) -> Flow[list[str]]:
        """The elastic IPs associated with ``node``."""
        mapping = yield from type(self).ex_describe_addresses(self, [node])
        return mapping[ident(node)]

    # -- tags ---------------------------------------------------------------------------------
    @operation
    def ex_describe_tags(self, resource: Any) -> Flow[dict[str, str]]:
        """The tags of ``resource`` (a node, volume, snapshot, image, group... or an id)."""
        params = {"Filter": filters({"resource-id": ident(resource)})}
        found: list[Any] = yield from self._all("DescribeTags", "tagSet", _same, params)
        return {str(t.get("key")): str(t.get("value") or "") for t in found}

    @operation
    def ex_create_tags(self, resource: Any, tags: Mapping[str, str]) -> Flow[bool]:
        """Add (or overwrite) ``tags`` on ``resource``."""
        if not tags:
            return False
        params = {
            "ResourceId": [ident(resource)],
            "Tag": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
        answer = yield from self._call("CreateTags", params, idempotent=True)
        return _ok(answer)

    @operation
    def ex_delete_tags(self, resource: Any, tags: Mapping[str, str | None]) -> Flow[bool]:
        """Remove ``tags`` from ``resource`` (a None value removes the key whatever its
        value)."""
        if not tags:
            return False
        params = {
            "ResourceId": [ident(resource)],
            "Tag": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
        answer = yield from self._call("DeleteTags", params, idempotent=True)
        return _ok(answer)

    @computed
    def ex_get_metadata_for_node(self, node: Node) -> dict[str, str]:
        """The node's tags as listed (no request)."""
        return dict(node.extra.get("tags") or {})


def _same(value: Any) -> Any:
    return value


def _filters(values: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """:func:`~.ec2_base.filters` (where a parameter is called ``filters``)."""
    return filters(values)
