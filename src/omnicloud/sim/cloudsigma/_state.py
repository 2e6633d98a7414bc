"""``CloudSigmaState``: the simulator's persistent world (SQLite), seeded on first use."""

from __future__ import annotations

import os
import secrets
import uuid as uuidlib
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.clock import SYSTEM_CLOCK, Clock, begin, settle
from ._catalog import library_drives, sim_uuid
from ._errors import missing
from ._store import Doc, Store

__all__ = ["OWNER_UUID", "CloudSigmaState", "new_server_doc", "public", "ref"]

USERNAME_ENV = "OMNICLOUD_SIM_CLOUDSIGMA_USERNAME"
PASSWORD_ENV = "OMNICLOUD_SIM_CLOUDSIGMA_PASSWORD"
DEFAULT_USERNAME = "sim@cloudsigma.local"
OWNER_UUID = sim_uuid("user:owner")
START_BALANCE = "1000.00"


def public(doc: Doc) -> Doc:
    """``doc`` without its internal ``_``-prefixed fields."""
    return {key: value for key, value in doc.items() if not key.startswith("_")}


def ref(kind: str, uuid: str) -> Doc:
    """A related-object reference as CloudSigma writes it."""
    return {"uuid": uuid, "resource_uri": f"/api/2.0/{kind}/{uuid}/"}


class CloudSigmaState:
    """One simulated CloudSigma account: its objects, balance and credentials.

    ``path=None`` keeps everything in memory; a file persists it. The credentials come from
    ``username``/``password``, else ``OMNICLOUD_SIM_CLOUDSIGMA_USERNAME``/``..._PASSWORD``, else a
    default email and a random password; they are stored, so a state file keeps them.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.store = Store(path)
        self.clock: Clock = clock if clock is not None else SYSTEM_CLOCK
        username = username or os.environ.get(USERNAME_ENV) or None
        password = password or os.environ.get(PASSWORD_ENV) or None
        with self.store.transaction():
            if self.store.setting("seeded") is None:
                self.store.put_many("libdrives", library_drives())
                self.store.set_setting("username", username or DEFAULT_USERNAME)
                self.store.set_setting("password", password or secrets.token_urlsafe(18))
                self.store.set_setting("balance", START_BALANCE)
                self.store.set_setting("seeded", "1")
            else:
                if username:
                    self.store.set_setting("username", username)
                if password:
                    self.store.set_setting("password", password)

    def __repr__(self) -> str:
        return f"<CloudSigmaState {self.store.path or ':memory:'} user={self.username}>"

    @property
    def username(self) -> str:
        """The account email the simulator accepts."""
        return self.store.setting("username") or DEFAULT_USERNAME

    @property
    def password(self) -> str:
        """The account password the simulator accepts."""
        return self.store.setting("password") or ""

    @property
    def credentials(self) -> tuple[str, str]:
        """(username, password)."""
        return self.username, self.password

    # balance ---------------------------------------------------------------------------------

    @property
    def balance(self) -> Decimal:
        """The account balance in EUR."""
        return Decimal(self.store.setting("balance") or START_BALANCE)

    def charge(self, amount: Decimal) -> None:
        """Take ``amount`` from the balance."""
        self.store.set_setting("balance", str((self.balance - amount).quantize(Decimal("0.01"))))

    # objects ---------------------------------------------------------------------------------

    @staticmethod
    def new_uuid() -> str:
        """A fresh object UUID."""
        return str(uuidlib.uuid4())

    def settle(self, kind: str, doc: Doc, now: float | None = None) -> Doc:
        """Apply a due status transition (``_until``/``_next``) and store it."""
        if settle(doc, self.clock.now() if now is None else now):
            self.store.put(kind, doc)
        return doc

    def find(self, kind: str, uuid: str) -> Doc | None:
        """An object (transitions settled), or None."""
        doc = self.store.get(kind, uuid)
        return None if doc is None else self.settle(kind, doc)

    def load(self, kind: str, uuid: str) -> Doc:
        """An object, or the 404 error."""
        doc = self.find(kind, uuid)
        if doc is None:
            raise missing(kind, uuid)
        return doc

    def all(self, kind: str) -> list[Doc]:
        """All objects of ``kind`` (transitions settled)."""
        now = self.clock.now()
        return [self.settle(kind, doc, now) for doc in self.store.all(kind)]

    def save(self, kind: str, doc: Doc) -> Doc:
        """Store ``doc``."""
        self.store.put(kind, doc)
        return doc

    def transition(self, doc: Doc, status: str, then: str, seconds: float) -> None:
        """Put ``doc`` in ``status`` now and ``then`` after ``seconds``."""
        begin(doc, status, then, seconds, self.clock.now())

    def base(self, kind: str, uuid: str | None = None) -> Doc:
        """The fields every owned object has."""
        ident = uuid or self.new_uuid()
        return {
            "uuid": ident,
            "resource_uri": f"/api/2.0/{kind}/{ident}/",
            "owner": ref("user", OWNER_UUID),
            "meta": {},
            "tags": [],
            "grantees": [],
            "permissions": [],
        }

    def seed_servers(self, count: int, prefix: str = "bench") -> None:
        """Bulk-create ``count`` stopped servers, each with a cloned boot disk (benchmarks)."""
        image = library_drives()[0]
        servers: list[Doc] = []
        drives: list[Doc] = []
        for index in range(count):
            drive = self.base("drives")
            drive.update(
                name=f"{prefix}-{index}-drive",
                size=image["size"],
                media="disk",
                status="mounted",
                storage_type="dssd",
                affinities=[],
                allow_multimount=False,
                licenses=[],
                jobs=[],
                snapshots=[],
                runtime=None,
                meta={"distribution": image["distribution"], "version": image["version"]},
            )
            server = new_server_doc(
                self,
                {
                    "name": f"{prefix}-{index}",
                    "cpu": 2000,
                    "mem": 2 * 1024**3,
                    "vnc_password": "sim-vnc",
                },
            )
            server["drives"] = [
                {
                    "drive": ref("drives", drive["uuid"]),
                    "device": "virtio",
                    "dev_channel": "0:0",
                    "boot_order": 1,
                    "runtime": None,
                }
            ]
            server["nics"] = [
                {
                    "ip_v4_conf": {"conf": "dhcp", "ip": None},
                    "ip_v6_conf": None,
                    "vlan": None,
                    "mac": "22:00:" + ":".join(f"{b:02x}" for b in index.to_bytes(4, "big")),
                    "model": "virtio",
                    "boot_order": None,
                    "firewall_policy": None,
                    "runtime": None,
                }
            ]
            drive["mounted_on"] = [ref("servers", server["uuid"])]
            servers.append(server)
            drives.append(drive)
        with self.store.transaction():
            self.store.put_many("drives", drives)
            self.store.put_many("servers", servers)

    def close(self) -> None:
        """Close the database."""
        self.store.close()


def new_server_doc(state: CloudSigmaState, fields: dict[str, Any]) -> Doc:
    """A server document with defaults for every field (no validation of drives or NICs)."""
    doc = state.base("servers")
    doc.update(
        name=fields.get("name"),
        status="stopped",
        cpu=fields.get("cpu"),
        mem=fields.get("mem"),
        smp=fields.get("smp") or 1,
        cpu_type=fields.get("cpu_type") or "amd",
        hypervisor=fields.get("hypervisor") or "kvm",
        cpu_model=fields.get("cpu_model"),
        cpus_instead_of_cores=bool(fields.get("cpus_instead_of_cores", False)),
        enable_numa=bool(fields.get("enable_numa", False)),
        hv_relaxed=bool(fields.get("hv_relaxed", False)),
        hv_tsc=bool(fields.get("hv_tsc", False)),
        vnc_password=fields.get("vnc_password"),
        context=bool(fields.get("context", True)),
        meta=dict(fields.get("meta") or {}),
        pubkeys=[],
        requirements=list(fields.get("requirements") or []),
        drives=[],
        nics=[],
        runtime=None,
        auto_start=bool(fields.get("auto_start", False)),
        jobs=[],
        gpus=[],
    )
    return doc


def describe(doc: Any) -> str:
    """A short description of an object for messages."""
    return f"{doc.get('name', '')} ({doc.get('uuid', '')})" if isinstance(doc, dict) else ""
