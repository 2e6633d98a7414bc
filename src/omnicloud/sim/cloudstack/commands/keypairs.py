"""SSH key pairs: create (a real RSA key), register, list, delete; MD5 fingerprints."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .. import _errors as err
from .._call import Call, Listing
from .._docs import new_id, owner_fields, timestamp
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc, public
from ._common import SYNC_SUCCESS, by_name

_OWNER = (
    Param("account", "string", description="an optional account for the ssh key"),
    Param("domainid", "uuid", description="an optional domainId for the ssh key"),
    Param("projectid", "uuid", description="an optional project for the ssh key"),
)


def fingerprint(public_key: str) -> str:
    """Colon-separated MD5 of the base64-decoded key blob (the second field of an OpenSSH key)."""
    parts = public_key.strip().split()
    if len(parts) < 2:
        raise err.param_error("Public key is invalid")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise err.param_error("Public key is invalid") from None
    digest = hashlib.md5(blob).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def _check_key(public_key: str) -> str:
    try:
        serialization.load_ssh_public_key(public_key.strip().encode())
    except (ValueError, TypeError, Exception):
        raise err.param_error("Public key is invalid") from None
    return " ".join(public_key.strip().split()[:3])


def _store_pair(call: Call, name: str, public_key: str) -> Doc:
    account = call.target_account()
    if by_name(call, "sshkeypair", name, account) is not None:
        raise err.param_error(f"A key pair with name '{name}' already exists.")
    doc: Doc = {
        "id": new_id(),
        "name": name,
        "fingerprint": fingerprint(public_key),
        **owner_fields(account),
        "created": timestamp(call.now),
        "_publickey": public_key,
    }
    call.state.store.put("sshkeypair", doc)
    return doc


@command(
    "createSSHKeyPair",
    params=(Param("name", "string", required=True, description="Name of the keypair"), *_OWNER),
)
def create_key_pair(call: Call) -> Doc:
    """Create a new keypair and returns the private key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public_key = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    doc = _store_pair(call, call.need_text("name"), public_key)
    return {"keypair": {**public(doc), "privatekey": private}}


@command(
    "registerSSHKeyPair",
    params=(
        Param("name", "string", required=True, description="Name of the keypair"),
        Param(
            "publickey",
            "string",
            required=True,
            description="Public key material of the keypair",
            length=5120,
        ),
        *_OWNER,
    ),
)
def register_key_pair(call: Call) -> Doc:
    """Register a public key in a keypair under a certain name."""
    public_key = _check_key(call.need_text("publickey"))
    doc = _store_pair(call, call.need_text("name"), public_key)
    return {"keypair": public(doc)}


@command(
    "listSSHKeyPairs",
    params=(
        Param("id", "uuid", description="the ID of the ssh keypair"),
        Param("name", "string", description="A key pair name to look for"),
        Param("fingerprint", "string", description="A public key fingerprint to look for"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="sshkeypair",
)
def list_key_pairs(call: Call) -> Listing:
    """List registered keypairs."""
    fields = {k: call.text(k) for k in ("fingerprint",) if call.has(k)}
    offset, limit = call.window()
    total, docs = call.state.store.find(
        "sshkeypair",
        owners=call.visible_owners(),
        ids=[call.need_text("id")] if call.has("id") else None,
        name=call.text("name"),
        fields=fields,
        keyword=call.text("keyword"),
        offset=offset,
        limit=limit,
    )
    return Listing(total, [public(doc) for doc in docs])


@command(
    "deleteSSHKeyPair",
    params=(Param("name", "string", required=True, description="Name of the keypair"), *_OWNER),
)
def delete_key_pair(call: Call) -> Doc:
    """Deletes a keypair by name."""
    account = call.target_account()
    name = call.need_text("name")
    doc = by_name(call, "sshkeypair", name, account)
    if doc is None:
        raise err.param_error(
            f"A key pair with name '{name}' does not exist for account {account['name']} "
            "in specified domain id"
        )
    call.state.store.delete(doc["id"])
    return dict(SYNC_SUCCESS)


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create_key_pair,
    register_key_pair,
    list_key_pairs,
    delete_key_pair,
)
