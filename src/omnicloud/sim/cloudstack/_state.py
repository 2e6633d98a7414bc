"""``CloudStackState``: the simulator's persistent world (SQLite), seeded on first use."""

from __future__ import annotations

import os
from pathlib import Path

from ..core.clock import SYSTEM_CLOCK, Clock
from ._docs import allocate_ips, mac_addresses
from ._seed import new_keys, seed, seed_id, upgrade
from ._store import Doc, Store
from ._vmbuild import VmSpec, build_vm, root_volume

__all__ = ["CloudStackState"]

API_KEY_ENV = "OMNICLOUD_SIM_API_KEY"
SECRET_ENV = "OMNICLOUD_SIM_SECRET_KEY"


class CloudStackState:
    """Accounts, catalogue and resources of one simulated cloud.

    ``path=None`` keeps everything in memory; a file path persists it across restarts. A new
    database is seeded with accounts ``admin`` (root admin), ``alice`` and ``bob`` (users), two
    zones, offerings, templates and OS types. The admin's keys come from ``api_key``/``secret``,
    else ``OMNICLOUD_SIM_API_KEY``/``OMNICLOUD_SIM_SECRET_KEY``, else are random; either way they
    are stored, so a state file keeps its keys, and explicitly given keys replace stored ones.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        api_key: str | None = None,
        secret: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.store = Store(path)
        self.clock: Clock = clock if clock is not None else SYSTEM_CLOCK
        api_key = api_key or os.environ.get(API_KEY_ENV) or None
        secret = secret or os.environ.get(SECRET_ENV) or None
        with self.store.transaction():
            if self.store.setting("seeded") is None:
                generated = new_keys()
                seed(self, (api_key or generated[0], secret or generated[1]))
                self.store.set_setting("seeded", "1")
            elif api_key or secret:
                old_key, old_secret = self.credentials("admin")
                self.store.set_user_keys(
                    seed_id("user:admin"), api_key or old_key, secret or old_secret
                )
            upgrade(self)

    # accounts -------------------------------------------------------------------------------

    @property
    def accounts(self) -> list[str]:
        """Names of all accounts."""
        _, docs = self.store.find("account")
        return [doc["name"] for doc in docs]

    def credentials(self, account: str = "admin") -> tuple[str, str]:
        """(API key, secret key) of the first user of ``account``."""
        doc = self.account_by_name(account)
        if doc is None:
            raise KeyError(f"no account named {account!r}")
        users = self.store.users_of(doc["id"])
        if not users:
            raise KeyError(f"account {account!r} has no users")
        _, _, key, secret = users[0]
        return key, secret

    def account(self, account_id: str) -> Doc | None:
        """An account by id."""
        return self.store.get("account", account_id)

    def account_by_name(self, name: str) -> Doc | None:
        """An account by name."""
        _, docs = self.store.find("account", name=name)
        return docs[0] if docs else None

    def zone_by_name(self, name: str) -> Doc | None:
        """A zone by name."""
        _, docs = self.store.find("zone", name=name)
        return docs[0] if docs else None

    # seeding helpers ------------------------------------------------------------------------

    def bulk_create_vms(
        self,
        count: int,
        *,
        account: str = "admin",
        zone: str = "Sandbox-Advanced",
        state: str = "Running",
        name_prefix: str = "bulk",
    ) -> list[str]:
        """Create ``count`` VMs with ROOT volumes at once, bypassing jobs and limits; their ids."""
        owner = self.account_by_name(account)
        zone_doc = self.zone_by_name(zone)
        if owner is None or zone_doc is None:
            raise KeyError(f"unknown account {account!r} or zone {zone!r}")
        template = self.store.get("template", seed_id("template:CentOS 7.9"))
        offering = self.store.get("serviceoffering", seed_id("serviceoffering:Small Instance"))
        assert template is not None and offering is not None
        user_id, username, _, _ = self.store.users_of(owner["id"])[0]
        if zone_doc["networktype"] == "Basic":
            network = self.store.get(
                "network", seed_id(f"network:{zone_doc['id']}:defaultGuestNetwork")
            )
            _, groups = self.store.find("securitygroup", owners=[owner["id"]], name="default")
        else:
            network = self.store.get(
                "network", seed_id(f"network:{zone_doc['id']}:{account}-network")
            )
            groups = []
        assert network is not None
        now = self.clock.now()
        with self.store.transaction():
            first = self.store.next_value("vm", count)
            ips = allocate_ips(self, network, count)
            macs = mac_addresses(self, count)
            vms: list[Doc] = []
            volumes: list[Doc] = []
            for i in range(count):
                spec = VmSpec(
                    account=owner,
                    user_id=user_id,
                    username=username,
                    zone=zone_doc,
                    template=template,
                    offering=offering,
                    networks=[network],
                    security_groups=groups,
                    name=f"{name_prefix}-{first + i}",
                    state=state,
                )
                vm = build_vm(self, spec, first + i, [ips[i]], [macs[i]], now)
                vms.append(vm)
                volumes.append(root_volume(vm, template, None, now))
            self.store.put_many("vm", vms)
            self.store.put_many("volume", volumes)
        return [vm["id"] for vm in vms]

    def close(self) -> None:
        """Close the database."""
        self.store.close()
