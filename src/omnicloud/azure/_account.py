"""Where an Azure storage account is and how requests to it are authorized.

An account is reached through its Blob service URL: ``https://<account>.blob.core.windows.net``,
or a custom endpoint (an emulator such as Azurite serves accounts path-style, as
``http://127.0.0.1:10000/devstoreaccount1``). It is authorized by the account key (Shared Key)
or by a shared access signature appended to every request. Connection strings give either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from omnicloud.azure._signing import DEV_ACCOUNT, DEV_KEY, decode_key
from omnicloud.errors import ConfigurationError

__all__ = [
    "AZURE_SUFFIXES",
    "CONNECTION_STRING_ENV",
    "AzureAccount",
    "parse_connection_string",
    "resolve_account",
]

#: The hosts of Azure's public and sovereign clouds: accounts there are virtual-hosted.
AZURE_SUFFIXES = (
    ".core.windows.net",
    ".core.chinacloudapi.cn",
    ".core.usgovcloudapi.net",
    ".core.cloudapi.de",
)
CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING"
#: ``UseDevelopmentStorage=true``: the emulator's Blob service on its default port.
DEV_BLOB_ENDPOINT = f"http://127.0.0.1:10000/{DEV_ACCOUNT}"


@dataclass(slots=True)
class AzureAccount:
    """An account name, its Blob service URL (no trailing ``/``), and the base64 account key
    (``secret``) or a SAS query string (without ``?``). Neither secret appears in ``repr``.

    The key is decoded when first used (:attr:`key`), so a driver can be made with a placeholder,
    as Libcloud's examples do; signing with a key that is not base64 raises
    :class:`~omnicloud.errors.ConfigurationError`.
    """

    name: str
    blob_url: str
    secret: str | None = field(default=None, repr=False)
    sas: str | None = field(default=None, repr=False)
    _key: bytes | None = field(default=None, init=False, repr=False)

    @property
    def key(self) -> bytes | None:
        """The account key's bytes (None with a SAS)."""
        if self._key is None and self.secret is not None:
            self._key = decode_key(self.secret)
        return self._key

    def __repr__(self) -> str:
        auth = "shared key" if self.secret is not None else "SAS" if self.sas else "anonymous"
        return f"AzureAccount(name={self.name!r}, blob_url={self.blob_url!r}, auth={auth!r})"

    @property
    def path_style(self) -> bool:
        """True when the account is the first path segment of every URL (emulators)."""
        return bool(urlsplit(self.blob_url).path.strip("/"))


def parse_connection_string(text: str) -> dict[str, str]:
    """``Name=value;Name=value`` pairs (values may contain ``=``; empty parts are skipped)."""
    found: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise ConfigurationError("an Azure connection string is made of Name=value pairs")
        found[name.strip().lower()] = value.strip()
    return found


def _is_azure_host(host: str) -> bool:
    return host.lower().endswith(AZURE_SUFFIXES)


def _blob_url(account: str, url: str) -> str:
    """A Blob service URL with the account in the path for hosts that are not Azure's."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError("the Azure Blob endpoint must be an http(s) URL")
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    if not parts.path.strip("/") and not _is_azure_host(parts.hostname):
        base += f"/{account}"
    return base


def _sas_of(value: str) -> str:
    """A SAS given as a query string, with or without ``?``; it must carry a signature."""
    query = value.strip().lstrip("?")
    if "sig" not in {name for name, _ in parse_qsl(query, keep_blank_values=True)}:
        raise ConfigurationError("the shared access signature has no sig parameter")
    return query


def _from_connection_string(text: str) -> AzureAccount:
    values = parse_connection_string(text)
    if values.get("usedevelopmentstorage", "").lower() == "true":
        proxy = values.get("developmentstorageproxyuri")
        base = DEV_BLOB_ENDPOINT
        if proxy:
            parts = urlsplit(proxy)
            base = f"{parts.scheme}://{parts.hostname}:10000/{DEV_ACCOUNT}"
        return AzureAccount(DEV_ACCOUNT, base, secret=DEV_KEY)
    name = values.get("accountname", "")
    endpoint = values.get("blobendpoint")
    if endpoint is None:
        if not name:
            raise ConfigurationError(
                "the connection string names neither AccountName nor BlobEndpoint"
            )
        scheme = values.get("defaultendpointsprotocol", "https")
        suffix = values.get("endpointsuffix", "core.windows.net")
        endpoint = f"{scheme}://{name}.blob.{suffix}"
    if not name:
        host = urlsplit(endpoint).hostname or ""
        name = host.split(".", 1)[0] if _is_azure_host(host) else urlsplit(endpoint).path.strip("/")
    key = values.get("accountkey")
    sas = values.get("sharedaccesssignature")
    return AzureAccount(
        name,
        _blob_url(name, endpoint),
        secret=key or None,
        sas=_sas_of(sas) if sas else None,
    )


def resolve_account(
    key: str | None,
    secret: str | None,
    *,
    secure: bool,
    host: str | None,
    port: int | None,
    endpoint: str | None,
    sas_token: str | None,
    connection_string: str | None,
    environ: Mapping[str, str],
) -> AzureAccount:
    """The account from Libcloud's arguments (``key`` the account name, ``secret`` its base64
    key; ``host``/``port``/``secure`` or ``endpoint`` for another service URL), a SAS (alone, or
    a URL carrying one as ``endpoint``), or a connection string (the argument, else
    ``AZURE_STORAGE_CONNECTION_STRING`` when no account name is given)."""
    if connection_string is None and key is None and not endpoint:
        connection_string = environ.get(CONNECTION_STRING_ENV) or None
    if connection_string is not None:
        account = _from_connection_string(connection_string)
        if sas_token:
            account.sas = _sas_of(sas_token)
        return account
    sas = _sas_of(sas_token) if sas_token else None
    if endpoint and "?" in endpoint:  # a URL with a SAS
        endpoint, _, query = endpoint.partition("?")
        sas = sas or _sas_of(query)
    if endpoint:
        parts = urlsplit(endpoint)
        host_name = parts.hostname or ""
        if not key:
            key = (
                host_name.split(".", 1)[0]
                if _is_azure_host(host_name)
                else parts.path.strip("/").split("/", 1)[0]
            )
        if not key:
            raise ConfigurationError("the Azure account name (key) is missing")
        url = _blob_url(key, endpoint)
    else:
        if not key:
            raise ConfigurationError("the Azure account name (key) is missing")
        scheme = "https" if secure else "http"
        if host is None:
            host = f"{key}.blob.core.windows.net"
        netloc = host if port is None else f"{host}:{port}"
        url = _blob_url(key, f"{scheme}://{netloc}")
    if secret is None and sas is None:
        raise ConfigurationError(
            "give the account key (secret), a SAS token or a connection string"
        )
    return AzureAccount(key, url, secret=secret or None, sas=sas)
