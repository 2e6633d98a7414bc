"""Request body shapes: what the resource providers' model binding accepts.

:func:`check` walks a body against a shape (a dict of field shapes, ``[item shape]``, or a
type), drops ``null`` fields (ARM reads them as absent) and answers 400
``InvalidRequestFormat`` naming the JSON path of the first value of the wrong type, so the
handlers can rely on the types. Fields a shape does not name pass through unchecked.
"""

from __future__ import annotations

from typing import Any

from ._errors import bad_request

__all__ = ["DISK", "NIC", "NSG", "PIP", "RG", "RULE", "SUBNET", "TAGS", "VM", "VNET", "check"]

Shape = Any
REF: Shape = {"id": str}
_COMMON: dict[str, Shape] = {"location": str, "tags": dict, "zones": [str]}
SUBNET: Shape = {
    "name": str,
    "properties": {"addressPrefix": str, "addressPrefixes": [str], "networkSecurityGroup": REF},
}
VNET: Shape = {
    **_COMMON,
    "properties": {"addressSpace": {"addressPrefixes": [str]}, "subnets": [SUBNET]},
}
PIP: Shape = {
    **_COMMON,
    "sku": {"name": str},
    "properties": {
        "publicIPAllocationMethod": str,
        "publicIPAddressVersion": str,
        "idleTimeoutInMinutes": int,
        "dnsSettings": {"domainNameLabel": str},
    },
}
RULE: Shape = {
    "name": str,
    "properties": {
        "priority": int,
        "direction": str,
        "access": str,
        "protocol": str,
        "description": str,
        **{f"{end}PortRange": str for end in ("source", "destination")},
        **{f"{end}AddressPrefix": str for end in ("source", "destination")},
        **{f"{end}PortRanges": [str] for end in ("source", "destination")},
        **{f"{end}AddressPrefixes": [str] for end in ("source", "destination")},
    },
}
NSG: Shape = {**_COMMON, "properties": {"securityRules": [RULE]}}
NIC: Shape = {
    **_COMMON,
    "properties": {
        "networkSecurityGroup": REF,
        "enableAcceleratedNetworking": bool,
        "enableIPForwarding": bool,
        "ipConfigurations": [
            {
                "name": str,
                "properties": {
                    "subnet": REF,
                    "publicIPAddress": REF,
                    "privateIPAllocationMethod": str,
                    "privateIPAddress": str,
                    "primary": bool,
                },
            }
        ],
    },
}
DISK: Shape = {
    **_COMMON,
    "sku": {"name": str},
    "properties": {
        "diskSizeGB": int,
        "incremental": bool,
        "creationData": {"createOption": str, "sourceResourceId": str},
    },
}
_MANAGED: Shape = {"id": str, "storageAccountType": str}
VM: Shape = {
    **_COMMON,
    "properties": {
        "hardwareProfile": {"vmSize": str},
        "storageProfile": {
            "imageReference": {
                "publisher": str,
                "offer": str,
                "sku": str,
                "version": str,
                "id": str,
            },
            "osDisk": {
                "createOption": str,
                "name": str,
                "caching": str,
                "diskSizeGB": int,
                "deleteOption": str,
                "managedDisk": _MANAGED,
            },
            "dataDisks": [
                {
                    "lun": int,
                    "name": str,
                    "createOption": str,
                    "caching": str,
                    "diskSizeGB": int,
                    "deleteOption": str,
                    "toBeDetached": bool,
                    "managedDisk": _MANAGED,
                }
            ],
        },
        "osProfile": {
            "computerName": str,
            "adminUsername": str,
            "adminPassword": str,
            "customData": str,
            "linuxConfiguration": {
                "disablePasswordAuthentication": bool,
                "ssh": {"publicKeys": [{"path": str, "keyData": str}]},
            },
        },
        "networkProfile": {
            "networkInterfaces": [
                {
                    "id": str,
                    "primary": bool,
                    "deleteOption": str,
                    "properties": {"primary": bool, "deleteOption": str},
                }
            ],
        },
    },
}
RG: Shape = {"location": str, "tags": dict}
TAGS: Shape = {"tags": dict}

_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    int: "an integer",
    bool: "a boolean",
}


def check(value: Any, shape: Shape, where: str = "$") -> Any:
    """``value`` checked against ``shape`` (``null`` fields dropped); 400 when it does not fit."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise _wrong(where, dict)
        return {
            key: check(item, shape[key], f"{where}.{key}") if key in shape else item
            for key, item in value.items()
            if item is not None
        }
    if isinstance(shape, list):
        if not isinstance(value, list):
            raise _wrong(where, list)
        return [check(item, shape[0], f"{where}[{i}]") for i, item in enumerate(value)]
    if shape is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise _wrong(where, int)
    if not isinstance(value, shape):
        raise _wrong(where, shape)
    return value


def _wrong(where: str, expected: type) -> Exception:
    return bad_request(
        "InvalidRequestFormat",
        f"Cannot parse the request: the value at '{where}' must be {_NAMES[expected]}.",
    )
