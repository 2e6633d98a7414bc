"""EC2 key pairs, EBS volumes and their snapshots."""

from __future__ import annotations

import base64
from typing import Any

from omnicloud.compute._models import KeyPair, Node, NodeLocation, StorageVolume, VolumeSnapshot
from omnicloud.compute._shell import operation
from omnicloud.errors import ValidationError

from .ec2_base import EC2Base, ident, not_found, tag_specification
from .ec2_convert import KEY_PAIR, SNAPSHOT, VOLUME

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["EC2Storage"]

#: Where ``attach_volume`` puts a volume when no device is named.
DEFAULT_DEVICE = "/dev/sdh"


def key_fingerprints(public_key: str) -> list[str]:
    """The fingerprints EC2 (or an EC2-compatible server) may show for an imported OpenSSH
    public key, the MD5 one first: digests of the DER public key as colon-separated hex (MD5
    for imported RSA keys), and SHA-256 of the OpenSSH key blob in base64 (ED25519 keys)."""
    import hashlib

    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        loaded = serialization.load_ssh_public_key(public_key.strip().encode())
    except (ValueError, TypeError, IndexError, UnsupportedAlgorithm) as exc:
        raise ValidationError(
            "auth= needs an OpenSSH public key (or import one as a key pair and pass ex_keyname=)"
        ) from exc
    der = loaded.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    blob = base64.b64decode(public_key.split()[1])
    found = [":".join(f"{b:02x}" for b in hashlib.new(h, der).digest()) for h in ("md5", "sha1")]
    found.append(":".join(f"{b:02x}" for b in hashlib.sha256(der).digest()))
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii")
    return [*found, digest, digest.rstrip("=")]


class EC2Storage(EC2Base):
    """Key pair, volume and snapshot operations."""

    # -- key pairs ----------------------------------------------------------------------------
    @operation
    def list_key_pairs(self) -> Flow[list[KeyPair]]:
        """Every key pair of the region."""
        found: list[KeyPair] = yield from self._all(
            "DescribeKeyPairs", "keySet", KEY_PAIR.bind(driver=self), paged=False
        )
        return found

    @operation
    def get_key_pair(self, name: str) -> Flow[KeyPair]:
        """One key pair by name (NotFoundError if absent)."""
        found: list[KeyPair] = yield from self._all(
            "DescribeKeyPairs", "keySet", KEY_PAIR.bind(driver=self), {"KeyName": [name]},
            paged=False,
        )  # fmt: skip
        if not found:
            raise not_found("key pair", name)
        return found[0]

    @operation
    def create_key_pair(self, name: str) -> Flow[KeyPair]:
        """A new key pair; its private key is in the result only (EC2 keeps no copy)."""
        answer = yield from self._call("CreateKeyPair", {"KeyName": name})
        return KEY_PAIR(answer, driver=self)

    @operation
    def import_key_pair_from_string(self, name: str, key_material: str) -> Flow[KeyPair]:
        """Register an OpenSSH public key."""
        material = base64.b64encode(key_material.strip().encode()).decode("ascii")
        answer = yield from self._call(
            "ImportKeyPair", {"KeyName": name, "PublicKeyMaterial": material}
        )
        pair = KEY_PAIR(answer, driver=self)
        pair.public_key = key_material.strip()
        return pair

    @operation
    def delete_key_pair(self, key_pair: KeyPair) -> Flow[bool]:
        """Delete a key pair (by name)."""
        name = key_pair.name if isinstance(key_pair, KeyPair) else str(key_pair)
        answer = yield from self._call("DeleteKeyPair", {"KeyName": name}, idempotent=True)
        return bool(answer.get("return", "true") == "true")

    # -- volumes ------------------------------------------------------------------------------
    @operation
    def list_volumes(self) -> Flow[list[StorageVolume]]:
        """Every EBS volume of the region."""
        found: list[StorageVolume] = yield from self._all(
            "DescribeVolumes", "volumeSet", VOLUME.bind(driver=self)
        )
        return found

    def _zone(self, location: NodeLocation | None) -> Flow[str]:
        if location is not None:
            return location.name
        zones: list[NodeLocation] = yield from type(self).list_locations(self)
        return zones[0].name

    @operation
    def create_volume(
        self,
        size: int,
        name: str,
        location: NodeLocation | None = None,
        snapshot: VolumeSnapshot | None = None,
        ex_volume_type: str | None = None,
        ex_iops: int | None = None,
        ex_encrypted: bool | None = None,
        ex_kms_key_id: str | None = None,
        ex_metadata: dict[str, str] | None = None,
    ) -> Flow[StorageVolume]:
        """A ``size`` GiB volume in availability zone ``location`` (default: the first),
        tagged ``Name=name``; resent safely (it carries a ``ClientToken``)."""
        zone = yield from self._zone(location)
        params: dict[str, Any] = {
            "Size": size,
            "AvailabilityZone": zone,
            "SnapshotId": ident(snapshot) if snapshot is not None else None,
            "VolumeType": ex_volume_type,
            "Iops": ex_iops,
            "Encrypted": ex_encrypted,
            "KmsKeyId": ex_kms_key_id,
            "TagSpecification": tag_specification(name, ex_metadata, "volume"),
        }
        answer = yield from self._call("CreateVolume", params)
        volume = VOLUME(answer, driver=self)
        volume.name = name
        return volume

    @operation
    def attach_volume(
        self, node: Node, volume: StorageVolume, device: str | None = None
    ) -> Flow[bool]:
        """Attach ``volume`` to ``node`` as ``device`` (default ``/dev/sdh``)."""
        params = {
            "VolumeId": ident(volume),
            "InstanceId": ident(node),
            "Device": device or DEFAULT_DEVICE,
        }
        yield from self._call("AttachVolume", params)
        return True

    @operation
    def detach_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Detach ``volume`` from its instance (looked up when ``volume`` does not say)."""
        volume_id = ident(volume)
        instance = volume.extra.get("instance_id") if isinstance(volume, StorageVolume) else None
        if not instance:
            found: list[StorageVolume] = yield from self._all(
                "DescribeVolumes", "volumeSet", VOLUME.bind(driver=self),
                {"VolumeId": [volume_id]}, paged=False,
            )  # fmt: skip
            instance = found[0].extra.get("instance_id") if found else None
        yield from self._call("DetachVolume", {"VolumeId": volume_id, "InstanceId": instance})
        return True

    @operation
    def destroy_volume(self, volume: StorageVolume) -> Flow[bool]:
        """Delete ``volume``."""
        answer = yield from self._call("DeleteVolume", {"VolumeId": ident(volume)})
        return bool(answer.get("return", "true") == "true")

    # -- snapshots ----------------------------------------------------------------------------
    @operation
    def list_volume_snapshots(self, volume: StorageVolume) -> Flow[list[VolumeSnapshot]]:
        """The account's snapshots of ``volume``."""
        params = {"Owner": ["self"], "Filter": [{"Name": "volume-id", "Value": [ident(volume)]}]}
        found: list[VolumeSnapshot] = yield from self._all(
            "DescribeSnapshots", "snapshotSet", SNAPSHOT.bind(driver=self), params
        )
        return found

    @operation
    def create_volume_snapshot(
        self, volume: StorageVolume, name: str | None = None
    ) -> Flow[VolumeSnapshot]:
        """Snapshot ``volume`` (``name`` is its description and ``Name`` tag)."""
        params = {
            "VolumeId": ident(volume),
            "Description": name,
            "TagSpecification": tag_specification(name, None, "snapshot") or None,
        }
        answer = yield from self._call("CreateSnapshot", params)
        snapshot = SNAPSHOT(answer, driver=self)
        snapshot.name = snapshot.name or name
        return snapshot

    @operation
    def destroy_volume_snapshot(self, snapshot: VolumeSnapshot) -> Flow[bool]:
        """Delete ``snapshot``."""
        answer = yield from self._call("DeleteSnapshot", {"SnapshotId": ident(snapshot)})
        return str(answer.get("return", "true")) == "true"
