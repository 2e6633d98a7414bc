# ruff: noqa: RUF009  (wire()/context() return dataclasses.field objects, like field())
"""Models of the other CloudStack extensions (:mod:`._extras`): security groups and their rules,
affinity groups, projects, OS types, ISOs and limits.

Libcloud returned dicts for several of these (security groups, OS types, ISOs, limits); here every
one is a class. Like :mod:`._network_models`, imported when an operation first needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from omnicloud._wire import Extra, context, wire

from ._convert import as_bool, split_csv, tags_dict

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CloudStackAffinityGroup",
    "CloudStackAffinityGroupType",
    "CloudStackIso",
    "CloudStackLimits",
    "CloudStackOsType",
    "CloudStackProject",
    "CloudStackSecurityGroup",
    "CloudStackSecurityGroupRule",
]


# -- security groups --------------------------------------------------------------------------
@dataclass(slots=True)
class CloudStackSecurityGroupRule:
    """One ingress or egress rule of a security group."""

    id: str = wire("ruleid", default="")
    protocol: str = wire("protocol", default="")
    start_port: int | None = wire("startport", int)
    end_port: int | None = wire("endport", int)
    cidr: str | None = wire("cidr")
    icmp_type: int | None = wire("icmptype", int)
    icmp_code: int | None = wire("icmpcode", int)
    security_group_name: str | None = wire("securitygroupname")
    account: str | None = wire("account")


def _rules(value: Any) -> list[CloudStackSecurityGroupRule]:
    from omnicloud._wire import mapper

    build = mapper(CloudStackSecurityGroupRule)
    return [build(item) for item in value]


@dataclass(slots=True)
class CloudStackSecurityGroup:
    """A security group with its rules (a class, where Libcloud returned dicts)."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    description: str = wire("description", default="")
    account: str | None = wire("account")
    domain: str | None = wire("domain")
    project_id: str | None = wire("projectid")
    ingress_rules: list[CloudStackSecurityGroupRule] = wire("ingressrule", _rules, factory=list)
    egress_rules: list[CloudStackSecurityGroupRule] = wire("egressrule", _rules, factory=list)
    tags: dict[str, str] = wire("tags", tags_dict, factory=dict)
    driver: Any = context()

    def __getitem__(self, key: str) -> Any:
        """Libcloud compatibility: ``group["name"]``."""
        return getattr(
            self, {"ingressrule": "ingress_rules", "egressrule": "egress_rules"}.get(key, key)
        )


# -- affinity groups, projects, OS types, ISOs, limits ----------------------------------------
@dataclass(slots=True)
class CloudStackAffinityGroup:
    """An affinity group."""

    id: str = wire("id", default="")
    account: str | None = wire("account")
    description: str | None = wire("description")
    domain: str | None = wire("domain")
    domainid: str | None = wire("domainid")
    name: str = wire("name", default="")
    group_type: str = wire("type", default="")
    virtualmachine_ids: list[str] = wire("virtualmachineIds", split_csv, factory=list)


@dataclass(slots=True)
class CloudStackAffinityGroupType:
    """An affinity group type such as ``host anti-affinity``."""

    type: str = wire("type", default="")


@dataclass(slots=True)
class CloudStackProject:
    """A project."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    display_text: str = wire("displaytext", default="")
    state: str = wire("state", default="")
    driver: Any = context()
    extra: Mapping[str, Any] = wire("*", lambda d: Extra(d, {}), repr=False)


@dataclass(slots=True)
class CloudStackOsType:
    """An OS type (for registering templates and ISOs)."""

    id: str = wire("id", default="")
    description: str = wire("description", default="")
    os_category_id: str | None = wire("oscategoryid")


@dataclass(slots=True)
class CloudStackIso:
    """A registered ISO."""

    id: str = wire("id", default="")
    name: str = wire("name", default="")
    display_text: str = wire("displaytext", default="")
    bootable: bool = wire("bootable", as_bool, default=False)
    is_ready: bool = wire("isready", as_bool, default=False)
    zone_id: str | None = wire("zoneid")
    os_type_id: str | None = wire("ostypeid")


@dataclass(slots=True)
class CloudStackLimits:
    """Resource limits of the account (-1 = unlimited), Libcloud's ``ex_limits`` names."""

    max_instances: int = -1
    max_public_ips: int = -1
    max_volumes: int = -1
    max_snapshots: int = -1
    max_images: int = -1
    max_projects: int = -1
    max_networks: int = -1
    max_vpc: int = -1
    max_cpu: int = -1
    max_memory: int = -1
    max_primary_storage: int = -1
    max_secondary_storage: int = -1

    def __getitem__(self, key: str) -> int:
        """Libcloud compatibility: ``limits["max_instances"]``."""
        value: int = getattr(self, key)
        return value
