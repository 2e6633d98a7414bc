"""Command declarations: ``@command(...)`` declares a CloudStack API and its parameters.

The declarations drive parameter parsing and validation, the response envelope, async handling and
``listApis``. Declaring registers nothing: each module under ``commands/`` lists what it declares
in ``DECLARED``, and :mod:`._table` assembles the one table the simulator reads.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from ._results import Listing, Pending

# A handler's first argument is a ``_call.Call``; it is ``Any`` here because ``_call`` imports
# this module (the declarations it validates against), and imports go one way.
Result: TypeAlias = dict[str, Any] | Listing | Pending
Handler: TypeAlias = Callable[[Any], Result]
Finisher: TypeAlias = Callable[[Any, dict[str, Any]], dict[str, Any]]
FailHook: TypeAlias = Callable[[Any, dict[str, Any]], None]

__all__ = [
    "LIST_OWNER_PARAMS",
    "Command",
    "Declaration",
    "Param",
    "command",
    "java_class",
    "table",
]

PARAM_TYPES = frozenset(
    {"string", "uuid", "integer", "long", "short", "boolean", "map", "list", "date"}
)


@dataclass(frozen=True, slots=True)
class Param:
    """One request parameter.

    ``entity`` names the stored kind a ``uuid`` (or ``list`` of uuids) must refer to; the
    framework resolves it and checks the caller may use it. ``shared`` lets any account use a
    public (``ispublic``/``isfeatured``) entity, as with templates and ISOs.

    ``exists`` names the kind a filter id must name (live or removed, any owner; ``"host"`` is a
    simulated host) without resolving it. ``since`` is the version that added the parameter: as on
    the server, a parameter added since 3.x ignores a value that is not a uuid, an older one takes
    a number as an internal id.
    """

    name: str
    type: str = "string"
    required: bool = False
    description: str = ""
    entity: str | None = None
    shared: bool = False
    length: int = 255
    exists: str | None = None
    since: str = ""

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"unknown parameter type {self.type!r}")
        if self.exists and (self.entity or self.type not in ("uuid", "list")):
            raise ValueError(f"{self.name}: exists= needs a uuid or list parameter without entity=")


PAGE_PARAMS = (
    Param("keyword", "string", description="List by keyword"),
    Param("page", "integer", description="Page number (1-based)"),
    Param("pagesize", "integer", description="Items per page (-1 for all)"),
)

LIST_OWNER_PARAMS = (
    Param("listall", "boolean", description="List resources of every account the caller may see"),
    Param("account", "string", description="List resources of this account (with domainid)"),
    Param("domainid", "uuid", description="List resources of this domain"),
    Param("isrecursive", "boolean", description="Include subdomains"),
    Param("projectid", "uuid", description="List resources of this project"),
)


@dataclass(slots=True)
class Command:
    """A declared API command and the functions that implement it."""

    name: str
    handler: Handler
    params: tuple[Param, ...]
    is_async: bool = False
    admin: bool = False
    description: str = ""
    response_name: str = ""
    list_key: str | None = None
    paged: bool = False
    family: str = "misc"
    since: str = "4.0.0"
    finish: Finisher | None = None
    on_fail: FailHook | None = None
    by_name: dict[str, Param] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.response_name = self.response_name or f"{self.name.lower()}response"
        self.by_name = {param.name: param for param in self.params}

    def finisher(self, function: Finisher) -> Finisher:
        """Register the function that completes this async command's job."""
        self.finish = function
        return function

    def failure(self, function: FailHook) -> FailHook:
        """Register the function that undoes the submit step when the job fails or is cancelled."""
        self.on_fail = function
        return function

    @property
    def java_class(self) -> str:
        """The command's class name for the ``cmd`` field of jobs.

        The server's own name where known (``...user.vm.DeployVMCmd``), else one built like it.
        """
        return java_class(self.name, self.family, admin=self.admin)


def java_class(name: str, family: str, *, admin: bool = False) -> str:
    """The server's class name of command ``name`` implemented in module ``family``."""
    scope = "admin" if admin else "user"
    package = _JAVA_PACKAGES.get(family, family)
    title = _JAVA_CLASSES.get(name) or name[0].upper() + name[1:]
    return f"org.apache.cloudstack.api.command.{scope}.{package}.{title}Cmd"


# CloudStack's API command packages (org.apache.cloudstack.api.command.user.<package>) by the
# simulator module that implements them, and the server's class names where they differ from
# the command name (the VM commands are ``...VMCmd``).
_JAVA_PACKAGES = {
    "vms": "vm",
    "nics": "vm",
    "volumes": "volume",
    "snapshots": "snapshot",
    "templates": "template",
    "networks": "network",
    "keypairs": "ssh",
    "security_groups": "securitygroup",
    "addresses": "address",
    "affinity": "affinitygroup",
    "projects": "project",
    "tags": "tag",
    "loadbalancers": "loadbalancer",
    "jobs": "job",
    "limits": "resource",
    "rules": "firewall",
}
_JAVA_CLASSES = {
    "deployVirtualMachine": "DeployVM",
    "startVirtualMachine": "StartVM",
    "stopVirtualMachine": "StopVM",
    "rebootVirtualMachine": "RebootVM",
    "destroyVirtualMachine": "DestroyVM",
    "expungeVirtualMachine": "ExpungeVM",
    "recoverVirtualMachine": "RecoverVM",
    "restoreVirtualMachine": "RestoreVM",
    "scaleVirtualMachine": "ScaleVM",
    "changeServiceForVirtualMachine": "UpgradeVM",
    "resetPasswordForVirtualMachine": "ResetVMPassword",
    "updateVirtualMachine": "UpdateVM",
    "listVirtualMachines": "ListVMs",
    "addNicToVirtualMachine": "AddNicToVM",
    "removeNicFromVirtualMachine": "RemoveNicFromVM",
}


class Declaration:
    """What ``command(...)`` returns: decorate the submit handler with it, then register the
    completion (``@decl.finisher``) and undo (``@decl.failure``) functions of an async command."""

    def __init__(self, name: str, options: dict[str, Any]) -> None:
        self.name = name
        self.options = options
        self.command: Command | None = None

    def __call__(self, handler: Handler) -> Command:
        options = self.options
        declared = tuple(options["params"])
        is_paged = bool(options["list_key"]) if options["paged"] is None else bool(options["paged"])
        if is_paged:
            known = {param.name for param in declared}
            declared += tuple(p for p in PAGE_PARAMS if p.name not in known)
        module = inspect.getmodule(handler)
        family = (module.__name__.rsplit(".", 1)[-1] if module else "misc").strip("_")
        cmd = Command(
            name=self.name,
            handler=handler,
            params=declared,
            is_async=options["is_async"],
            admin=options["admin"],
            description=options["description"] or (inspect.getdoc(handler) or "").split("\n")[0],
            response_name=options["response"] or "",
            list_key=options["list_key"],
            paged=is_paged,
            family=family,
            since=options["since"],
        )
        self.command = cmd
        return cmd

    def declared(self) -> Command:
        """The command, once its handler is declared."""
        return self._registered()

    def _registered(self) -> Command:
        if self.command is None:
            raise RuntimeError(f"declare the handler of {self.name} first")
        return self.command

    def finisher(self, function: Finisher) -> Finisher:
        """Register the function that completes the job."""
        return self._registered().finisher(function)

    def failure(self, function: FailHook) -> FailHook:
        """Register the function that undoes the submit step on failure or cancellation."""
        return self._registered().failure(function)


def command(
    name: str,
    *,
    params: Iterable[Param] = (),
    is_async: bool = False,
    admin: bool = False,
    description: str = "",
    response: str | None = None,
    list_key: str | None = None,
    paged: bool | None = None,
    since: str = "4.0.0",
) -> Declaration:
    """Declare the CloudStack API ``name``; the decorated function handles a validated call.

    A list command names its item key with ``list_key``; it is paged (``keyword``, ``page``,
    ``pagesize``) unless ``paged=False``. An async command returns ``Pending`` and registers its
    completion with ``@decl.finisher``.
    """
    return Declaration(
        name,
        {
            "params": tuple(params),
            "is_async": is_async,
            "admin": admin,
            "description": description,
            "response": response,
            "list_key": list_key,
            "paged": paged,
            "since": since,
        },
    )


def table(*groups: Iterable[Command | Declaration]) -> dict[str, Command]:
    """The command table by name from the modules' ``DECLARED`` lists; a name twice is an error."""
    commands: dict[str, Command] = {}
    for group in groups:
        for item in group:
            cmd = item.declared() if isinstance(item, Declaration) else item
            if cmd.name in commands:
                raise ValueError(f"command {cmd.name} is declared twice")
            commands[cmd.name] = cmd
    return commands
