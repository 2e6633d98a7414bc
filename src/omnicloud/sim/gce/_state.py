"""``GceState``: one simulated project (SQLite via the core store), its key and its clock.

A new state is seeded with the ``default`` network (a subnetwork per region), Google's default
firewall rules and empty project metadata, and generates the service-account RSA key once
(kept in the store, so a state file keeps it). Long operations are settled lazily: a document
whose status changes later has ``_steps`` (``[due, status, fields]`` in order) and a row in the
store's ``pending`` table; every request first applies whatever has come due on the clock.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ...errors import ValidationError
from ..core.clock import SYSTEM_CLOCK, Clock
from ._catalog import REGIONS, SUBNET_RANGES, ZONES
from ._store import Doc, Store

__all__ = ["DEFAULT_PROJECT", "DEFAULT_ZONE", "GONE", "LINK", "GceState", "fingerprint", "rfc3339"]

DEFAULT_PROJECT = "omnicloud-sim"
DEFAULT_ZONE = "us-central1-a"
LINK = "gce-sim:"
"""Stored in front of a resource path (``projects/...``) where answers carry its URL."""
GONE = "_gone"
_EXTERNAL_BASE = ipaddress.IPv4Address("34.16.0.0")
_PROJECT_RE = re.compile(r"[a-z][-a-z0-9]{4,28}[a-z0-9]")
"""The status that deletes a document when its step comes due."""

_DEFAULT_FIREWALLS: tuple[tuple[str, str, list[dict[str, Any]], list[str], int], ...] = (
    (
        "default-allow-internal",
        "Allow internal traffic on the default network",
        [
            {"IPProtocol": "tcp", "ports": ["0-65535"]},
            {"IPProtocol": "udp", "ports": ["0-65535"]},
            {"IPProtocol": "icmp"},
        ],
        ["10.128.0.0/9"],
        65534,
    ),
    (
        "default-allow-ssh",
        "Allow SSH from anywhere",
        [{"IPProtocol": "tcp", "ports": ["22"]}],
        ["0.0.0.0/0"],
        65534,
    ),
    (
        "default-allow-rdp",
        "Allow RDP from anywhere",
        [{"IPProtocol": "tcp", "ports": ["3389"]}],
        ["0.0.0.0/0"],
        65534,
    ),
    (
        "default-allow-icmp",
        "Allow ICMP from anywhere",
        [{"IPProtocol": "icmp"}],
        ["0.0.0.0/0"],
        65534,
    ),
)


def rfc3339(moment: float) -> str:
    """``2026-01-02T03:04:05.678-00:00``, as Compute writes timestamps."""
    stamp = datetime.fromtimestamp(moment, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}-00:00"


def fingerprint(value: Any) -> str:
    """The fingerprint of a value (labels, metadata items, tags): base64 of a short hash."""
    raw = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    return base64.b64encode(hashlib.sha256(raw).digest()[:8]).decode("ascii")


class GceState:
    """The simulator's world: one project, its documents, its service-account key, its clock.

    ``path=None`` keeps everything in memory; a file persists it (0600). ``project`` and
    ``zone`` apply to a new state (a state file keeps its own).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        project: str | None = None,
        zone: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        if project is not None and _PROJECT_RE.fullmatch(project) is None:
            raise ValidationError(
                f"invalid GCE project id {project!r}: 6 to 30 lowercase letters, digits or "
                "hyphens, starting with a letter"
            )
        if zone is not None and zone not in ZONES:
            raise ValidationError(f"unknown zone {zone!r}; the simulator has {sorted(ZONES)}")
        self.store = Store(path)
        self.clock: Clock = clock if clock is not None else SYSTEM_CLOCK
        with self.store.transaction():
            if self.store.setting("seeded") is None:
                self._create(project or DEFAULT_PROJECT, zone or DEFAULT_ZONE)
        self.project = self._setting("project")
        self.zone = self._setting("zone")
        self.private_key_id = self._setting("private_key_id")
        self.client_id = self._setting("client_id")
        self.client_email = f"omnicloud-sim@{self.project}.iam.gserviceaccount.com"
        self._private_key: rsa.RSAPrivateKey | None = None
        self._public_key: rsa.RSAPublicKey | None = None

    def __repr__(self) -> str:
        return f"<GceState {self.store.path or ':memory:'} project={self.project}>"

    def _setting(self, key: str) -> str:
        value = self.store.setting(key)
        assert value is not None, key
        return value

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    # the key ----------------------------------------------------------------------------------

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        """The service account's RSA key."""
        if self._private_key is None:
            loaded = serialization.load_pem_private_key(
                self._setting("private_key").encode(), password=None
            )
            assert isinstance(loaded, rsa.RSAPrivateKey)
            self._private_key = loaded
        return self._private_key

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        """The public half of :attr:`private_key` (what signatures are verified with)."""
        if self._public_key is None:
            self._public_key = self.private_key.public_key()
        return self._public_key

    def service_account_info(self, token_uri: str) -> dict[str, str]:
        """A complete service-account key (the JSON of a key file) using ``token_uri``."""
        return {
            "type": "service_account",
            "project_id": self.project,
            "private_key_id": self.private_key_id,
            "private_key": self._setting("private_key"),
            "client_email": self.client_email,
            "client_id": self.client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + self.client_email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        }

    def write_key_file(self, path: str | Path, token_uri: str) -> Path:
        """Write :meth:`service_account_info` to ``path`` (mode 0600); the path."""
        where = Path(path)
        data = json.dumps(self.service_account_info(token_uri), indent=2).encode()
        fd = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, data)
        finally:
            os.close(fd)
        return where

    # ids, links, addresses -------------------------------------------------------------------

    def new_id(self) -> str:
        """A fresh numeric id (decimal string, as Compute's uint64 ids travel)."""
        return str(10**18 + secrets.randbelow(8 * 10**18))

    def path(self, scope: str, collection: str, name: str) -> str:
        """``projects/{p}/{scope}/{collection}/{name}`` (``scope`` ``global`` or ``zones/z``)."""
        return f"projects/{self.project}/{scope}/{collection}/{name}"

    def link(self, path: str) -> str:
        """What a document stores where answers carry the URL of ``path``."""
        return LINK + path

    def next_number(self, counter: str) -> int:
        """The next value of a named counter (starting at 0), kept in the store."""
        with self.store.transaction():
            value = int(self.store.setting(f"counter:{counter}") or "0")
            self.store.set_setting(f"counter:{counter}", str(value + 1))
        return value

    def external_ip(self) -> str:
        """A fresh external address (from 34.16.0.0 on, never a .0 or .255)."""
        while True:
            address = _EXTERNAL_BASE + self.next_number("external-ip") + 1
            if str(address).rsplit(".", 1)[1] not in ("0", "255"):
                return str(address)

    def internal_ip(self, cidr: str, counter: str) -> str | None:
        """A fresh address of the subnetwork ``cidr`` (its first two are the network's and the
        gateway's), or None when the range is used up."""
        network = ipaddress.IPv4Network(cidr)
        offset = self.next_number(f"ip:{counter}") + 2
        if offset >= network.num_addresses - 1:
            return None
        return str(network.network_address + offset)

    # transitions ------------------------------------------------------------------------------

    def schedule(self, kind: str, scope: str, doc: Doc) -> None:
        """Store ``doc`` and remember when its first pending step is due."""
        steps = doc.get("_steps") or []
        if not steps:
            doc.pop("_steps", None)
        self.store.put(kind, scope, doc)
        self.store.schedule(kind, scope, doc["name"], steps[0][0] if steps else None)

    def settle(self) -> None:
        """Apply every step that has come due (inside the caller's transaction)."""
        now = self.clock.now()
        for kind, scope, name in self.store.due(now):
            doc = self.store.get(kind, scope, name)
            if doc is None:
                self.store.schedule(kind, scope, name, None)
                continue
            steps = doc.get("_steps") or []
            gone = False
            while steps and steps[0][0] <= now:
                _, status, fields = steps.pop(0)
                if status == GONE:
                    gone = True
                    break
                doc["status"] = status
                doc.update(fields)
            if gone:
                self.store.delete(kind, scope, name)
                self.on_gone(kind, doc)
            else:
                doc["_steps"] = steps
                self.schedule(kind, scope, doc)

    def on_gone(self, kind: str, doc: Doc) -> None:
        """Clean up after a deleted document (an instance: its auto-delete disks, addresses)."""
        if kind != "instance":
            return
        me = doc["selfLink"]
        zone_scope = f"zones/{doc['_zone']}"
        for attached in doc.get("disks", []):
            name = attached["source"].rsplit("/", 1)[-1]
            disk = self.store.get("disk", zone_scope, name)
            if disk is None:
                continue
            if attached.get("autoDelete"):
                self.store.delete("disk", zone_scope, name)
            else:
                disk["users"] = [u for u in disk.get("users", []) if u != me]
                if not disk["users"]:
                    disk.pop("users")
                    disk.pop("_mode", None)
                self.store.put("disk", zone_scope, disk)
        for nic in doc.get("networkInterfaces", []):
            for access in nic.get("accessConfigs", []):
                self.release_address(doc["_region"], access.get("natIP"), me)

    def release_address(self, region: str, ip: str | None, user: str) -> None:
        """Mark a reserved address no longer used by ``user``."""
        if not ip:
            return
        for doc in self.store.all("address", f"regions/{region}"):
            if doc.get("address") == ip and user in doc.get("users", []):
                doc["users"] = [u for u in doc["users"] if u != user]
                if not doc["users"]:
                    doc.pop("users")
                    doc["status"] = "RESERVED"
                self.store.put("address", f"regions/{region}", doc)

    # the first open ---------------------------------------------------------------------------

    def _create(self, project: str, zone: str) -> None:
        store = self.store
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        store.set_setting("project", project)
        store.set_setting("zone", zone)
        store.set_setting("private_key", pem)
        store.set_setting("private_key_id", secrets.token_hex(20))
        store.set_setting("client_id", str(10**20 + secrets.randbelow(9 * 10**20)))
        store.set_setting("page_secret", secrets.token_hex(32))
        self.project = project
        now = self.clock.now()
        created = rfc3339(now)
        network_path = f"projects/{project}/global/networks/default"
        subnets = []
        for region in REGIONS:
            prefix = SUBNET_RANGES.get(region, "10.150.0")
            path = f"projects/{project}/regions/{region}/subnetworks/default"
            subnets.append(LINK + path)
            store.put(
                "subnetwork",
                f"regions/{region}",
                {
                    "kind": "compute#subnetwork",
                    "id": self.new_id(),
                    "creationTimestamp": created,
                    "name": "default",
                    "network": LINK + network_path,
                    "ipCidrRange": f"{prefix}.0/20",
                    "gatewayAddress": f"{prefix}.1",
                    "region": LINK + f"projects/{project}/regions/{region}",
                    "selfLink": LINK + path,
                    "privateIpGoogleAccess": False,
                    "fingerprint": fingerprint(path),
                    "purpose": "PRIVATE",
                    "stackType": "IPV4_ONLY",
                },
            )
        store.put(
            "network",
            "global",
            {
                "kind": "compute#network",
                "id": self.new_id(),
                "creationTimestamp": created,
                "name": "default",
                "description": "Default network for the project",
                "selfLink": LINK + network_path,
                "autoCreateSubnetworks": True,
                "subnetworks": subnets,
                "routingConfig": {"routingMode": "REGIONAL"},
                "networkFirewallPolicyEnforcementOrder": "AFTER_CLASSIC_FIREWALL",
            },
        )
        for name, description, allowed, ranges, priority in _DEFAULT_FIREWALLS:
            store.put(
                "firewall",
                "global",
                {
                    "kind": "compute#firewall",
                    "id": self.new_id(),
                    "creationTimestamp": created,
                    "name": name,
                    "description": description,
                    "network": LINK + network_path,
                    "priority": priority,
                    "sourceRanges": ranges,
                    "allowed": allowed,
                    "direction": "INGRESS",
                    "logConfig": {"enable": False},
                    "disabled": False,
                    "selfLink": LINK + f"projects/{project}/global/firewalls/{name}",
                },
            )
        store.put(
            "project",
            "global",
            {
                "kind": "compute#project",
                "id": str(10**11 + secrets.randbelow(9 * 10**11)),
                "creationTimestamp": created,
                "name": project,
                "commonInstanceMetadata": {
                    "kind": "compute#metadata",
                    "fingerprint": fingerprint([]),
                },
                "selfLink": LINK + f"projects/{project}",
                "defaultServiceAccount": f"{10**11}-compute@developer.gserviceaccount.com",
                "xpnProjectStatus": "UNSPECIFIED_XPN_PROJECT_STATUS",
                "defaultNetworkTier": "PREMIUM",
                "vmDnsSetting": "ZONAL_ONLY",
            },
        )
        store.set_setting("seeded", "1")
