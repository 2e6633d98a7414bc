"""CloudStack extensions besides networking: security groups (real classes), affinity groups,
projects, ISOs, limits, tags, OS types, and Libcloud's deprecated key pair names.

Operations import their models from :mod:`._extras_models` when they run (as in ``_network``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

from omnicloud.cloudstack._driver_base import success
from omnicloud.compute._models import KeyPair, Node
from omnicloud.compute._shell import operation
from omnicloud.errors import ValidationError

from ._compute import CloudStackCompute
from ._convert import LIMIT_NAMES
from ._models import CloudStackKeyPair, CloudStackNode
from ._network import filters

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

    from ._extras_models import (
        CloudStackAffinityGroup,
        CloudStackAffinityGroupType,
        CloudStackIso,
        CloudStackLimits,
        CloudStackOsType,
        CloudStackProject,
        CloudStackSecurityGroup,
    )

__all__ = ["CloudStackExtras"]

_PORT_PROTOCOLS = frozenset({"TCP", "UDP"})


def _rule_params(
    protocol: str,
    cidrlist: str | Sequence[str],
    startport: int | str | None,
    endport: int | str | None,
    icmptype: int | None,
    icmpcode: int | None,
) -> dict[str, Any]:
    proto = protocol.upper()
    params: dict[str, Any] = {
        "protocol": proto,
        "cidrlist": cidrlist if isinstance(cidrlist, str) else ",".join(cidrlist),
    }
    if proto in _PORT_PROTOCOLS:
        if startport is None:
            raise ValidationError(f"{proto} rules need startport")
        params["startport"] = int(startport)
        params["endport"] = int(endport if endport is not None else startport)
    elif proto == "ICMP":
        params["icmptype"] = -1 if icmptype is None else icmptype
        params["icmpcode"] = -1 if icmpcode is None else icmpcode
    return params


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated; use {new}", DeprecationWarning, stacklevel=4)


class CloudStackExtras(CloudStackCompute):
    """Security groups, affinity groups, projects, ISOs, limits, tags, OS types."""

    # -- security groups ----------------------------------------------------------------------
    @operation
    def ex_list_security_groups(self, /, **kwargs: Any) -> Flow[list[CloudStackSecurityGroup]]:
        """Security groups with their rules (filters such as ``securitygroupname=``)."""
        from ._extras_models import CloudStackSecurityGroup

        groups = yield from self._models(
            "listSecurityGroups", CloudStackSecurityGroup, **self._with_project(filters(kwargs))
        )
        return groups

    @operation
    def ex_create_security_group(
        self, /, name: str, description: str | None = None, **kwargs: Any
    ) -> Flow[CloudStackSecurityGroup]:
        """Create a group; ValidationError if one with exactly this name exists."""
        from ._extras_models import CloudStackSecurityGroup

        existing = yield from self._models(
            "listSecurityGroups", CloudStackSecurityGroup, securitygroupname=name
        )
        if any(group.name == name for group in existing):
            raise ValidationError(f"security group {name!r} already exists")
        body = yield from self._job(
            "createSecurityGroup",
            name=name,
            description=description,
            **self._with_project(filters(kwargs)),
        )
        return self._build(CloudStackSecurityGroup, body, "securitygroup")

    @operation
    def ex_delete_security_group(self, name: str) -> Flow[bool]:
        """Delete the group called ``name``."""
        body = yield from self._job("deleteSecurityGroup", name=name)
        return success(body)

    @operation
    def ex_authorize_security_group_ingress(
        self,
        /,
        securitygroupname: str,
        protocol: str,
        cidrlist: str | Sequence[str],
        startport: int | str | None = None,
        endport: int | str | None = None,
        icmptype: int | None = None,
        icmpcode: int | None = None,
        **kwargs: Any,
    ) -> Flow[CloudStackSecurityGroup]:
        """Allow inbound traffic; returns the group with its new rules."""
        from ._extras_models import CloudStackSecurityGroup

        params = _rule_params(protocol, cidrlist, startport, endport, icmptype, icmpcode)
        result = yield from self._job(
            "authorizeSecurityGroupIngress",
            securitygroupname=securitygroupname,
            **params,
            **filters(kwargs),
        )
        return self._build(CloudStackSecurityGroup, result, "securitygroup")

    @operation
    def ex_authorize_security_group_egress(
        self,
        /,
        securitygroupname: str,
        protocol: str,
        cidrlist: str | Sequence[str],
        startport: int | str | None = None,
        endport: int | str | None = None,
        icmptype: int | None = None,
        icmpcode: int | None = None,
        **kwargs: Any,
    ) -> Flow[CloudStackSecurityGroup]:
        """Allow outbound traffic; returns the group with its new rules."""
        from ._extras_models import CloudStackSecurityGroup

        params = _rule_params(protocol, cidrlist, startport, endport, icmptype, icmpcode)
        result = yield from self._job(
            "authorizeSecurityGroupEgress",
            securitygroupname=securitygroupname,
            **params,
            **filters(kwargs),
        )
        return self._build(CloudStackSecurityGroup, result, "securitygroup")

    @operation
    def ex_revoke_security_group_ingress(self, rule_id: str) -> Flow[bool]:
        """Remove an ingress rule."""
        result = yield from self._job("revokeSecurityGroupIngress", id=rule_id)
        return success(result)

    @operation
    def ex_revoke_security_group_egress(self, rule_id: str) -> Flow[bool]:
        """Remove an egress rule."""
        result = yield from self._job("revokeSecurityGroupEgress", id=rule_id)
        return success(result)

    # -- affinity groups ----------------------------------------------------------------------
    @operation
    def ex_list_affinity_groups(self) -> Flow[list[CloudStackAffinityGroup]]:
        """Affinity groups."""
        from ._extras_models import CloudStackAffinityGroup

        groups = yield from self._models("listAffinityGroups", CloudStackAffinityGroup)
        return groups

    @operation
    def ex_list_affinity_group_types(self) -> Flow[list[CloudStackAffinityGroupType]]:
        """Affinity group types."""
        from ._extras_models import CloudStackAffinityGroupType

        types = yield from self._models("listAffinityGroupTypes", CloudStackAffinityGroupType)
        return types

    @operation
    def ex_create_affinity_group(
        self, name: str, group_type: CloudStackAffinityGroupType | str
    ) -> Flow[CloudStackAffinityGroup]:
        """Create an affinity group; ValidationError if the name is taken."""
        from ._extras_models import CloudStackAffinityGroup

        existing = yield from self._models("listAffinityGroups", CloudStackAffinityGroup, name=name)
        if any(group.name == name for group in existing):
            raise ValidationError(f"affinity group {name!r} already exists")
        kind = group_type if isinstance(group_type, str) else group_type.type
        result = yield from self._job("createAffinityGroup", name=name, type=kind)
        return self._build(CloudStackAffinityGroup, result, "affinitygroup")

    @operation
    def ex_delete_affinity_group(self, affinity_group: CloudStackAffinityGroup) -> Flow[bool]:
        """Delete an affinity group."""
        result = yield from self._job("deleteAffinityGroup", id=affinity_group.id)
        return success(result)

    @operation
    def ex_update_node_affinity_group(
        self, node: Node, affinity_group_list: Sequence[CloudStackAffinityGroup]
    ) -> Flow[CloudStackNode]:
        """Replace the node's affinity groups (the node must be stopped)."""
        result = yield from self._job(
            "updateVMAffinityGroup",
            id=node.id,
            affinitygroupids=[group.id for group in affinity_group_list],
        )
        return self._build(CloudStackNode, result, "virtualmachine")

    # -- projects, ISOs, OS types, limits -----------------------------------------------------
    @operation
    def ex_list_projects(self) -> Flow[list[CloudStackProject]]:
        """Projects."""
        from ._extras_models import CloudStackProject

        projects = yield from self._models("listProjects", CloudStackProject)
        return projects

    @operation
    def ex_list_os_types(self) -> Flow[list[CloudStackOsType]]:
        """OS types."""
        from ._extras_models import CloudStackOsType

        types = yield from self._models("listOsTypes", CloudStackOsType)
        return types

    @operation
    def ex_list_isos(self, /, **kwargs: Any) -> Flow[list[CloudStackIso]]:
        """ISOs (``isofilter`` defaults to executable)."""
        from ._extras_models import CloudStackIso

        params = {"isofilter": "executable", **filters(kwargs)}
        isos = yield from self._models("listIsos", CloudStackIso, **params)
        return isos

    @operation
    def ex_register_iso(
        self, /, name: str, url: str, location: Any = None, **kwargs: Any
    ) -> Flow[CloudStackIso]:
        """Register an ISO from ``url`` (``bootable=True`` needs ``ostypeid``)."""
        from ._extras_models import CloudStackIso

        zone = yield from self._zone_id(location)
        params = filters(kwargs)
        if params.get("bootable") and not params.get("ostypeid"):
            raise ValidationError("a bootable ISO needs ostypeid=")
        body = yield from self._job(
            "registerIso",
            name=name,
            displaytext=params.pop("displaytext", name),
            url=url,
            zoneid=zone,
            **self._with_project(params),
        )
        isos = body.get("iso") if isinstance(body, dict) else None
        return self._build(CloudStackIso, isos[0] if isos else body)

    @operation
    def ex_limits(self) -> Flow[CloudStackLimits]:
        """The account's resource limits (-1 = unlimited)."""
        from ._extras_models import CloudStackLimits

        rows = yield from self._list("listResourceLimits", dict, **self._with_project({}))
        values: dict[str, int] = {}
        for row in rows:
            name = LIMIT_NAMES.get(int(row.get("resourcetype", -99)))
            if name is not None:
                values[name] = int(row.get("max", -1))
        return CloudStackLimits(**values)

    # -- tags ---------------------------------------------------------------------------------
    @operation
    def ex_create_tags(
        self, resource_ids: Sequence[str], resource_type: str, tags: Mapping[str, str]
    ) -> Flow[bool]:
        """Tag resources of ``resource_type`` (UserVm, Volume, Template ...)."""
        yield from self._job(
            "createTags",
            resourceids=list(resource_ids),
            resourcetype=resource_type,
            tags=[{"key": key, "value": value} for key, value in tags.items()],
        )
        return True

    @operation
    def ex_delete_tags(
        self, resource_ids: Sequence[str], resource_type: str, tag_keys: Sequence[str]
    ) -> Flow[bool]:
        """Remove tags by key."""
        yield from self._job(
            "deleteTags",
            resourceids=list(resource_ids),
            resourcetype=resource_type,
            tags=[{"key": key} for key in tag_keys],
        )
        return True

    # -- Libcloud's deprecated key pair names --------------------------------------------------
    @operation
    def ex_list_keypairs(self, /, **kwargs: Any) -> Flow[list[CloudStackKeyPair]]:
        """Deprecated: use list_key_pairs."""
        _deprecated("ex_list_keypairs", "list_key_pairs")
        pairs: list[CloudStackKeyPair] = yield from type(self).list_key_pairs(self, **kwargs)
        return pairs

    @operation
    def ex_create_keypair(self, /, name: str, **kwargs: Any) -> Flow[CloudStackKeyPair]:
        """Deprecated: use create_key_pair."""
        _deprecated("ex_create_keypair", "create_key_pair")
        pair: CloudStackKeyPair = yield from type(self).create_key_pair(self, name, **kwargs)
        return pair

    @operation
    def ex_import_keypair_from_string(self, name: str, key_material: str) -> Flow[KeyPair]:
        """Deprecated: use import_key_pair_from_string."""
        _deprecated("ex_import_keypair_from_string", "import_key_pair_from_string")
        pair: KeyPair = yield from type(self).import_key_pair_from_string(self, name, key_material)
        return pair

    @operation
    def ex_import_keypair(self, name: str, keyfile: str) -> Flow[KeyPair]:
        """Deprecated: use import_key_pair_from_file."""
        _deprecated("ex_import_keypair", "import_key_pair_from_file")
        pair: KeyPair = yield from type(self).import_key_pair_from_file(self, name, keyfile)
        return pair

    @operation
    def ex_delete_keypair(self, /, keypair: str | KeyPair, **kwargs: Any) -> Flow[bool]:
        """Deprecated: use delete_key_pair."""
        _deprecated("ex_delete_keypair", "delete_key_pair")
        name = keypair if isinstance(keypair, str) else keypair.name
        body = yield from self._call("deleteSSHKeyPair", name=name, **filters(kwargs))
        return success(body)
