"""TLS for a LAN: a self-signed certificate for the sync server (`mustafid-admin server make-cert`) and fingerprints.

A branch network rarely has a certificate authority; a self-signed certificate is safe when each desk
pins its fingerprint at enrolment (the administrator compares the fingerprint the desk shows with the
one this command printed) and refuses any other certificate afterwards.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
from pathlib import Path

from desktop.sync.protocol import certificate_fingerprint, fingerprint_text

__all__ = ["CertificateFiles", "certificate_fingerprint", "fingerprint_text", "make_self_signed"]


class CertificateFiles:
    """The PEM files made by `make_self_signed` and the certificate's SHA-256 fingerprint (64 hex digits)."""

    def __init__(self, cert: Path, key: Path, fingerprint: str) -> None:
        self.cert = cert
        self.key = key
        self.fingerprint = fingerprint


def make_self_signed(directory: Path, hosts: list[str], *, days: int = 825) -> CertificateFiles:
    """Write ``server.crt`` and ``server.key`` (0600) into `directory` for these host names / addresses."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    names: list[x509.GeneralName] = []
    for host in dict.fromkeys([*hosts, socket.gethostname(), "localhost", "127.0.0.1"]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0] if hosts else socket.gethostname()),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Mustafid sync server")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "server.crt", directory / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return CertificateFiles(cert_path, key_path, certificate_fingerprint(cert.public_bytes(serialization.Encoding.DER)))
