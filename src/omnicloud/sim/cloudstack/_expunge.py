"""The expunge thread: destroyed VMs disappear once ``expunge.delay`` has passed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._store import Doc, Store

if TYPE_CHECKING:
    from ._state import CloudStackState

__all__ = ["DUE_KEY", "mark_destroyed", "remove_vm", "sweep"]

DUE_KEY = "earliest-destroyed"  # meta: the oldest destroy time still waiting for its expunge


def remove_vm(store: Store, vm: Doc, volume_ids: list[str]) -> None:
    """Remove a VM, its ROOT volume and the listed data volumes; detach other data volumes."""
    _, volumes = store.find("volume", ref=vm["id"])
    for volume in volumes:
        if volume["type"] == "ROOT" or volume["id"] in volume_ids:
            store.delete(volume["id"])
            continue
        for key in ("virtualmachineid", "vmname", "vmdisplayname", "deviceid", "attached", "_ref"):
            volume.pop(key, None)
        volume["state"] = "Ready"
        store.save(volume)
    for summary in vm.get("securitygroup", []):
        group = store.get("securitygroup", summary["id"])
        if group is not None:
            members = [m for m in group.get("virtualmachineids", []) if m != vm["id"]]
            group["virtualmachineids"] = members
            group["virtualmachinecount"] = len(members)
            store.save(group)
    _, tags = store.find("tag", ref=vm["id"])
    for tag in tags:
        store.delete(tag["id"])
    store.delete(vm["id"])


def mark_destroyed(store: Store, vm: Doc, now: float) -> None:
    """Record when ``vm`` was destroyed, so that :func:`sweep` expunges it later."""
    vm["_destroyed_at"] = now
    due = store.setting(DUE_KEY)
    if due is None or float(due) > now:
        store.set_setting(DUE_KEY, repr(now))


def sweep(state: CloudStackState, delay: float | None, now: float) -> int:
    """Expunge every VM destroyed at least ``delay`` seconds ago (None: never); how many."""
    store = state.store
    due = store.setting(DUE_KEY)
    if delay is None or due is None or float(due) + delay > now:
        return 0
    removed = 0
    earliest: float | None = None
    with store.transaction():
        _, vms = store.find("vm", fields={"state": "Destroyed"})
        for vm in vms:
            destroyed_at = float(vm.get("_destroyed_at", 0.0))
            if destroyed_at + delay <= now:
                remove_vm(store, vm, [])
                removed += 1
            elif earliest is None or destroyed_at < earliest:
                earliest = destroyed_at
        store.set_setting(DUE_KEY, repr(earliest if earliest is not None else float("inf")))
    return removed
