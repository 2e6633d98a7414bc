"""Nova key pairs, server metadata and server tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from omnicloud.compute._models import KeyPair, Node
from omnicloud.compute._shell import operation
from omnicloud.errors import NotFoundError

from .openstack_base import OpenStackBase, ident
from .openstack_convert import KEY_PAIR

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["OpenStackExtras"]


class OpenStackExtras(OpenStackBase):
    """Key pairs, metadata, tags."""

    # -- key pairs ----------------------------------------------------------------------------
    @operation
    def list_key_pairs(self) -> Flow[list[KeyPair]]:
        """The user's key pairs."""
        convert = KEY_PAIR.bind(driver=self)
        entries: list[KeyPair] = yield from self._all(
            "compute", "/os-keypairs", "keypairs", lambda e: convert(e.get("keypair") or e)
        )
        return entries

    @operation
    def get_key_pair(self, name: str) -> Flow[KeyPair]:
        """One key pair by name."""
        doc = yield from self._get("compute", f"/os-keypairs/{quote(str(name), safe='')}")
        return KEY_PAIR(doc["keypair"], driver=self)

    def _create_key(self, body: Mapping[str, Any]) -> Flow[KeyPair]:
        doc = yield from self._json("compute", "POST", "/os-keypairs", {"keypair": dict(body)})
        return KEY_PAIR(doc["keypair"], driver=self)

    @operation
    def create_key_pair(self, name: str) -> Flow[KeyPair]:
        """Have Nova generate a key pair; its private key is in the answer only."""
        return (yield from self._create_key({"name": name}))

    @operation
    def import_key_pair_from_string(self, name: str, key_material: str) -> Flow[KeyPair]:
        """Register an existing public key."""
        return (yield from self._create_key({"name": name, "public_key": key_material}))

    @operation
    def delete_key_pair(self, key_pair: KeyPair) -> Flow[bool]:
        """Delete a key pair."""
        name = getattr(key_pair, "name", key_pair)
        yield from self._send("compute", "DELETE", f"/os-keypairs/{quote(str(name), safe='')}")
        return True

    # -- metadata and tags --------------------------------------------------------------------
    @operation
    def ex_get_metadata(self, node: Node) -> Flow[dict[str, str]]:
        """The server's metadata."""
        doc = yield from self._get("compute", f"/servers/{ident(node)}/metadata")
        return dict((doc or {}).get("metadata") or {})

    @operation
    def ex_set_metadata(self, node: Node, metadata: Mapping[str, str]) -> Flow[dict[str, str]]:
        """Replace the server's metadata."""
        doc = yield from self._json(
            "compute", "PUT", f"/servers/{ident(node)}/metadata", {"metadata": dict(metadata)}
        )
        return dict((doc or {}).get("metadata") or {})

    @operation
    def ex_update_metadata(self, node: Node, metadata: Mapping[str, str]) -> Flow[dict[str, str]]:
        """Add or change some metadata items; the whole metadata after."""
        doc = yield from self._json(
            "compute", "POST", f"/servers/{ident(node)}/metadata", {"metadata": dict(metadata)}
        )
        return dict((doc or {}).get("metadata") or {})

    @operation
    def ex_delete_metadata_item(self, node: Node, key: str) -> Flow[bool]:
        """Remove one metadata item."""
        yield from self._send(
            "compute", "DELETE", f"/servers/{ident(node)}/metadata/{quote(key, safe='')}"
        )
        return True

    @operation
    def ex_get_tags(self, node: Node) -> Flow[list[str]]:
        """The server's tags (microversion 2.26 and later)."""
        doc = yield from self._get("compute", f"/servers/{ident(node)}/tags")
        return [str(t) for t in (doc or {}).get("tags") or []]

    @operation
    def ex_set_tags(self, node: Node, tags: Sequence[str]) -> Flow[list[str]]:
        """Replace the server's tags."""
        doc = yield from self._json(
            "compute", "PUT", f"/servers/{ident(node)}/tags", {"tags": list(tags)}
        )
        return [str(t) for t in (doc or {}).get("tags") or []]

    @operation
    def ex_add_tag(self, node: Node, tag: str) -> Flow[bool]:
        """Add one tag."""
        yield from self._send(
            "compute", "PUT", f"/servers/{ident(node)}/tags/{quote(tag, safe='')}"
        )
        return True

    @operation
    def ex_delete_tag(self, node: Node, tag: str) -> Flow[bool]:
        """Remove one tag (NotFoundError when the server lacks it)."""
        yield from self._send(
            "compute", "DELETE", f"/servers/{ident(node)}/tags/{quote(tag, safe='')}"
        )
        return True

    @operation
    def ex_has_tag(self, node: Node, tag: str) -> Flow[bool]:
        """Whether the server has ``tag``."""
        try:
            yield from self._send(
                "compute", "GET", f"/servers/{ident(node)}/tags/{quote(tag, safe='')}"
            )
        except NotFoundError:
            return False
        return True
