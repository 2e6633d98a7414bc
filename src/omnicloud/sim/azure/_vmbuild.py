"""Checking a VM's definition the way the compute API does: size, image, OS profile, NICs."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ._catalog import SIZES, Image, Size, find_image, find_size
from ._errors import ArmError, bad_request, invalid_parameter
from ._request import Req
from ._store import Doc

__all__ = ["check_nics", "image_of", "os_profile", "section", "size_of"]

_RESERVED_USERS = {
    "administrator",
    "admin",
    "user",
    "user1",
    "test",
    "user2",
    "test1",
    "user3",
    "admin1",
    "1",
    "123",
    "a",
    "actuser",
    "adm",
    "admin2",
    "aspnet",
    "backup",
    "console",
    "david",
    "guest",
    "john",
    "owner",
    "root",
    "server",
    "sql",
    "support",
    "support_388945a0",
    "sys",
    "test2",
    "test3",
    "user4",
    "user5",
}
_KEY_TYPES = ("ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-")


def section(value: Any, name: str) -> Doc:
    """An optional object of the body (empty when absent)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(
            "InvalidRequestFormat", f"Cannot parse the request: '{name}' must be an object."
        )
    return value


def size_of(value: Any) -> Size:
    """The VM size ``hardwareProfile.vmSize`` names."""
    size = find_size(value) if isinstance(value, str) else None
    if size is None:
        names = ",".join(s.name for s in SIZES)
        raise invalid_parameter(
            f"The value {value} provided for the VM size is not valid. The valid sizes in the "
            f"current region are: {names}.",
            "vmSize",
        )
    return size


def image_of(reference: Doc) -> tuple[Image, str]:
    """The marketplace image and exact version of ``imageReference``; 404
    ``PlatformImageNotFound`` when there is none."""
    fields = [reference.get(k) for k in ("publisher", "offer", "sku")]
    version = reference.get("version") or "latest"
    if reference.get("id") and not all(fields):
        raise invalid_parameter(
            f"The image {reference['id']} is not a marketplace image the simulator knows; "
            "give publisher, offer, sku and version.",
            "imageReference",
        )
    image = find_image(*(str(f or "") for f in fields))
    exact = None
    if image is not None:
        exact = (
            image.versions[-1]
            if str(version).lower() == "latest"
            else (version if version in image.versions else None)
        )
    if image is None or exact is None:
        urn = ":".join(str(f) for f in [*fields, version])
        raise ArmError(
            404,
            "PlatformImageNotFound",
            f"The platform image '{urn}' is not available. Verify that all fields in the "
            "storage profile are correct. For more details about storage profile information, "
            "please refer to https://aka.ms/storageprofile",
            target="imageReference",
        )
    return image, exact


def os_profile(raw: Doc, image: Image) -> tuple[Doc, str | None]:
    """The stored ``osProfile`` (no password, no custom data) and the custom data."""
    computer = raw.get("computerName")
    user = raw.get("adminUsername")
    if not isinstance(computer, str) or not computer:
        raise invalid_parameter(
            "Required parameter 'computerName' is missing (null).", "computerName"
        )
    limit = 15 if image.os_type == "Windows" else 64
    if len(computer) > limit:
        raise invalid_parameter(
            f"The value of parameter computerName is longer than {limit} characters.",
            "computerName",
        )
    if not isinstance(user, str) or not user:
        raise invalid_parameter(
            "Required parameter 'adminUsername' is missing (null).", "adminUsername"
        )
    if user.lower() in _RESERVED_USERS or user.endswith("."):
        raise invalid_parameter("The Admin Username specified is not allowed.", "adminUsername")
    password = raw.get("adminPassword")
    custom = raw.get("customData")
    if custom is not None:
        try:
            if not isinstance(custom, str) or len(custom) > 87380:
                raise ValueError
            base64.b64decode(custom, validate=True)
        except (ValueError, binascii.Error):
            raise invalid_parameter(
                "Custom data in OSProfile must be in Base64 encoding and with a maximum length "
                "of 87380 characters.",
                "customData",
            ) from None
    profile: Doc = {
        "computerName": computer,
        "adminUsername": user,
        "secrets": [],
        "allowExtensionOperations": True,
        "requireGuestProvisionSignal": True,
    }
    if image.os_type == "Windows":
        if not password:
            raise invalid_parameter(
                "Required parameter 'adminPassword' is missing (null).", "adminPassword"
            )
        profile["windowsConfiguration"] = {
            "provisionVMAgent": True,
            "enableAutomaticUpdates": True,
            "patchSettings": {"patchMode": "AutomaticByOS", "assessmentMode": "ImageDefault"},
        }
        return profile, custom
    linux = section(raw.get("linuxConfiguration"), "linuxConfiguration")
    keys = section(linux.get("ssh"), "ssh").get("publicKeys") or []
    for key in keys:
        data = key.get("keyData") if isinstance(key, dict) else None
        if not isinstance(data, str) or not data.startswith(_KEY_TYPES):
            raise invalid_parameter(
                "The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.",
                "linuxConfiguration.ssh.publicKeys.keyData",
            )
        path = key.get("path") or f"/home/{user}/.ssh/authorized_keys"
        if path != f"/home/{user}/.ssh/authorized_keys":
            raise invalid_parameter(
                "Destination path for SSH public keys is currently limited to its default "
                f"value /home/{user}/.ssh/authorized_keys due to a known issue in Linux "
                "provisioning agent.",
                "linuxConfiguration.ssh.publicKeys.path",
            )
    disable = linux.get("disablePasswordAuthentication", not password)
    if disable and not keys:
        raise invalid_parameter(
            "Authentication using either SSH or by user name and password must be enabled in "
            "Linux profile.",
            "linuxConfiguration",
        )
    if not disable and not password:
        raise invalid_parameter(
            "Required parameter 'adminPassword' is missing (null).", "adminPassword"
        )
    profile["linuxConfiguration"] = {
        "disablePasswordAuthentication": bool(disable),
        "ssh": {
            "publicKeys": [
                {
                    "path": k.get("path") or f"/home/{user}/.ssh/authorized_keys",
                    "keyData": k["keyData"],
                }
                for k in keys
            ]
        },
        "provisionVMAgent": True,
        "patchSettings": {"patchMode": "ImageDefault", "assessmentMode": "ImageDefault"},
        "enableVMAgentPlatformUpdates": False,
    }
    return profile, custom


def check_nics(req: Req, vm_id: str, location: str, raw: Any) -> list[tuple[Doc, Doc]]:
    """(NIC document, stored reference) for ``networkProfile.networkInterfaces``."""
    if not isinstance(raw, list) or not raw:
        raise invalid_parameter(
            "At least one network interface is required in networkProfile.networkInterfaces.",
            "networkProfile",
        )
    result = []
    primaries = 0
    for ref in raw:
        nic_id = ref.get("id") if isinstance(ref, dict) else None
        nic = req.state.store.get(nic_id) if isinstance(nic_id, str) else None
        if nic is None or nic["_kind"] != "nic":
            raise ArmError(
                404, "NotFound", f"Resource {nic_id} not found.", target="networkInterfaces"
            )
        owner = nic["properties"].get("virtualMachine")
        if owner and owner["id"].lower() != vm_id.lower():
            raise bad_request(
                "NicInUse",
                f"Network interface {nic['id']} is already used by virtual machine {owner['id']}.",
            )
        if nic["location"] != location:
            raise invalid_parameter(
                f"Network interface {nic['id']} is in location {nic['location']}, while the "
                f"virtual machine is in {location}.",
                "networkInterfaces",
            )
        extra = section(ref.get("properties"), "properties")
        primary = extra.get("primary", ref.get("primary"))
        if primary is None:
            primary = len(raw) == 1
        primaries += bool(primary)
        delete_option = extra.get("deleteOption", ref.get("deleteOption")) or "Detach"
        result.append(
            (
                nic,
                {
                    "id": nic["id"],
                    "properties": {"primary": bool(primary), "deleteOption": delete_option},
                },
            )
        )
    if primaries != 1:
        raise invalid_parameter(
            f"Virtual machine {vm_id.rsplit('/', 1)[-1]} must have one network interface set "
            "as the primary.",
            "networkInterfaces",
        )
    return result
