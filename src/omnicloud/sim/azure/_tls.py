"""A self-signed certificate for serving the simulator over HTTPS (the Azure SDKs refuse to
send a token over plain HTTP). Clients trust it with ``connection_verify=<cert path>``."""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

__all__ = ["CERT_NAME", "KEY_NAME", "ensure_certificate"]

CERT_NAME = "azure-sim-cert.pem"
KEY_NAME = "azure-sim-key.pem"
_VALID_DAYS = 825
_MIN_LEFT = datetime.timedelta(days=7)


def ensure_certificate(directory: Path) -> tuple[Path, Path]:
    """``(cert, key)`` in ``directory``: reused when both exist, match, name 127.0.0.1 and
    localhost and stay valid for another week; otherwise written anew (the key 0600).

    :class:`~omnicloud.errors.ConfigurationError` when the directory cannot be written.
    """
    directory = Path(directory)
    cert_path, key_path = directory / CERT_NAME, directory / KEY_NAME
    if _usable(cert_path, key_path):
        return cert_path, key_path
    cert_pem, key_pem = _generate()
    try:
        _write(key_path, key_pem, 0o600)
        _write(cert_path, cert_pem, 0o644)
    except OSError as error:
        from omnicloud.errors import ConfigurationError

        reason = error.strerror or type(error).__name__
        raise ConfigurationError(
            f"cannot write the TLS certificate in {directory}: {reason}"
        ) from None
    return cert_path, key_path


def _write(path: Path, data: bytes, mode: int) -> None:
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _usable(cert_path: Path, key_path: Path) -> bool:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, x509.ExtensionNotFound):
        return False
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.DER
    same_key = key.public_key().public_bytes(encoding, public) == cert.public_key().public_bytes(
        encoding, public
    )
    ips = names.get_values_for_type(x509.IPAddress)
    dns = names.get_values_for_type(x509.DNSName)
    now = datetime.datetime.now(datetime.UTC)
    return (
        same_key
        and ipaddress.ip_address("127.0.0.1") in ips
        and "localhost" in dns
        and cert.not_valid_before_utc <= now
        and cert.not_valid_after_utc - now > _MIN_LEFT
    )


def _generate() -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "omnicloud simulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    identifier = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=_VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(identifier, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(identifier),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
