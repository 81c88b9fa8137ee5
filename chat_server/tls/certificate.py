"""The server's TLS certificate: made once and kept in the data folder, or loaded from --cert/--key (main thread, at start).

    no --cert/--key:  load_or_make_certificate(data_dir)
        key and certificate there, valid      -> reused as they are
        key there, certificate missing, broken, expiring or expired
                                              -> a new certificate for the same key (clients' pins still hold)
        no key (or an unreadable one)         -> a new ECDSA P-256 key and a certificate valid for 10 years;
                                                 an unreadable key file is kept aside as
                                                 tls-key.pem.unreadable-DATE, never overwritten: with
                                                 its passphrase removed or its owner put right it is
                                                 the key every client pinned
        folder not writable                   -> a certificate for this run only, in a private temporary
                                                 folder (the server still starts; clients see a new key each run)
    --cert and --key: load_given_certificate(cert, key)
        refused with a CertificateError that says what is wrong: a missing or unreadable file, a key that
        does not belong to the certificate, a passphrase on the key, an expired or not yet valid certificate.
        One that runs out within RENEW_DAYS_BEFORE_EXPIRY is used, with a `problem` saying when (the
        server logs it at start): after that day the server will not start with it.

The certificate names this machine (host name, NAME.local, localhost) and its
addresses (LAN addresses from netinfo, 127.0.0.1, ::1) as subjectAltNames.
Clients do not check names (they pin the key, docs/encryption.md); the names
help tools such as `openssl s_client` and a browser's certificate viewer.
Files are written to a temporary name and renamed into place; the key file
is readable by its owner only.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import secrets
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes, PrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from chat_server.netinfo import lan_addresses
from chat_server.storage.data_dir import DATA_FOLDER_MODE
from chat_server.tls.errors import CertificateError
from shared.fingerprint import Fingerprint

CERT_FILE_NAME = "tls-certificate.pem"
KEY_FILE_NAME = "tls-key.pem"
VALID_DAYS = 3650
RENEW_DAYS_BEFORE_EXPIRY = 30
CLOCK_SKEW = datetime.timedelta(days=1)  # valid from yesterday: a client whose clock runs behind still accepts it
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")

Origin = Literal["made", "renewed", "reused", "temporary", "given"]


@dataclass(frozen=True)
class ServerCertificate:
    """A certificate and key pair on disk, ready for `ssl.SSLContext.load_cert_chain`."""

    cert_path: Path
    key_path: Path
    fingerprint: Fingerprint
    not_after: datetime.datetime
    names: tuple[str, ...]  # the subjectAltNames, for the log
    origin: Origin
    problem: str = ""  # why the kept files could not be used as they were, for one warning in the log
    # keeps a temporary folder (origin "temporary") alive as long as the certificate is
    _keep: object = field(default=None, repr=False, compare=False)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _utc_text(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# -- names and addresses --
def _dns_names(hostname: str) -> list[str]:
    names: list[str] = []
    for candidate in (hostname, hostname.split(".")[0] + ".local" if hostname else "", "localhost"):
        candidate = candidate.rstrip(".").lower()
        try:
            ascii_name = candidate.encode("idna").decode("ascii") if candidate else ""
        except UnicodeError:
            continue  # a host name the DNS cannot spell: leave it out
        valid = ascii_name and len(ascii_name) <= 253 and all(_DNS_LABEL.match(p) for p in ascii_name.split("."))
        if valid and ascii_name not in names:
            names.append(ascii_name)
    return names


def machine_names() -> tuple[list[str], list[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
    """This machine's DNS names and addresses for the certificate; reads local interfaces, sends nothing."""
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for text in ["127.0.0.1", "::1", *lan_addresses()]:
        address = ipaddress.ip_address(text)
        if address not in addresses:
            addresses.append(address)
    return _dns_names(socket.gethostname()), addresses


# -- making --
def make_certificate(
    key: CertificateIssuerPrivateKeyTypes,
    dns_names: list[str],
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address],
    now: datetime.datetime | None = None,
    valid_days: int = VALID_DAYS,
) -> x509.Certificate:
    """A self-signed server certificate for `key`, naming the given names and addresses."""
    now = now or _now()
    common_name = f"ClassChat server {dns_names[0]}" if dns_names else "ClassChat server"
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    alt_names += [x509.IPAddress(a) for a in addresses]
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)  # positive, at most 20 bytes
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(key, hashes.SHA256())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to `path` through a temporary file and a rename, so a reader sees the old or the new file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)  # left over from a crash
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _describe(certificate: x509.Certificate) -> tuple[Fingerprint, datetime.datetime, tuple[str, ...]]:
    try:
        alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple([*alt.get_values_for_type(x509.DNSName), *map(str, alt.get_values_for_type(x509.IPAddress))])
    except x509.ExtensionNotFound:
        names = ()
    fingerprint = Fingerprint.of_certificate(certificate.public_bytes(serialization.Encoding.DER))
    return fingerprint, certificate.not_valid_after_utc, names


def _public_key_der(key: PrivateKeyTypes | x509.Certificate) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_or_make_certificate(data_dir: Path, now: datetime.datetime | None = None) -> ServerCertificate:
    """The server's own certificate in `data_dir`, made on first use, renewed with the same key when it runs out.

    Never raises for a folder it cannot write: it falls back to a
    certificate for this run only (origin "temporary", `problem` says why).
    """
    now = now or _now()
    cert_path, key_path = data_dir / CERT_FILE_NAME, data_dir / KEY_FILE_NAME
    problem = ""
    key: ec.EllipticCurvePrivateKey | None = None
    if key_path.exists():
        try:
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as exc:
            problem = f"the key file {key_path} could not be read ({exc}); made a new key (clients will warn)"
        else:
            if isinstance(loaded, ec.EllipticCurvePrivateKey):
                key = loaded
            else:
                problem = f"the key file {key_path} does not hold an ECDSA key; made a new key"
    if key is not None:
        existing = _load_kept_certificate(cert_path)
        if existing is not None and _public_key_der(existing) == _public_key_der(key):
            fingerprint, not_after, names = _describe(existing)
            fresh = existing.not_valid_before_utc <= now < not_after - datetime.timedelta(days=RENEW_DAYS_BEFORE_EXPIRY)
            if fresh:
                _tighten_key_mode(key_path)
                return ServerCertificate(cert_path, key_path, fingerprint, not_after, names, "reused")
        origin: Origin = "renewed"
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        origin = "made"
        if problem:
            problem += _keep_aside(key_path, now)
    dns_names, addresses = machine_names()
    certificate = make_certificate(key, dns_names, addresses, now)
    cert_pem = certificate.public_bytes(serialization.Encoding.PEM)
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=DATA_FOLDER_MODE)
        if origin == "made":
            _write_atomically(key_path, _key_pem(key), 0o600)  # the key first: a certificate alone is no use
        _write_atomically(cert_path, cert_pem, 0o644)
    except OSError as exc:
        reason = f"the data folder {data_dir} cannot be written ({exc}); this run uses a temporary certificate"
        return _temporary_certificate(key, cert_pem, certificate, "; ".join(p for p in (problem, reason) if p))
    fingerprint, not_after, names = _describe(certificate)
    return ServerCertificate(cert_path, key_path, fingerprint, not_after, names, origin, problem)


def _keep_aside(key_path: Path, now: datetime.datetime) -> str:
    """Rename an unreadable key file out of the way (the new key takes its name); words for the warning."""
    aside = key_path.with_name(f"{key_path.name}.unreadable-{now.strftime('%Y%m%d-%H%M%S')}")
    try:
        os.replace(key_path, aside)
    except OSError as exc:
        return f" (it could not be kept aside: {exc.strerror or exc})"
    return (
        f"; the old key file is kept as {aside.name}: if it can be made readable again (its owner, a passphrase), "
        f"put it back as {key_path.name} and the clients' pins hold again"
    )


def _load_kept_certificate(cert_path: Path) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError):
        return None  # missing or damaged: a new one is made for the same key


def _tighten_key_mode(key_path: Path) -> None:
    if os.name == "posix" and key_path.stat().st_mode & 0o077:
        try:
            os.chmod(key_path, 0o600)
        except OSError:
            pass  # not ours to change (another owner): it still works


def _temporary_certificate(
    key: ec.EllipticCurvePrivateKey, cert_pem: bytes, certificate: x509.Certificate, problem: str
) -> ServerCertificate:
    folder = tempfile.TemporaryDirectory(prefix="classchat-tls-")  # mode 0700; removed when the object goes
    cert_path, key_path = Path(folder.name) / CERT_FILE_NAME, Path(folder.name) / KEY_FILE_NAME
    _write_atomically(key_path, _key_pem(key), 0o600)
    _write_atomically(cert_path, cert_pem, 0o644)
    fingerprint, not_after, names = _describe(certificate)
    return ServerCertificate(cert_path, key_path, fingerprint, not_after, names, "temporary", problem, folder)


# -- loading a given pair --
def load_given_certificate(cert_path: Path, key_path: Path, now: datetime.datetime | None = None) -> ServerCertificate:
    """Check a --cert/--key pair before the server uses it; CertificateError with a clear message if it cannot."""
    now = now or _now()
    cert_data = _read(cert_path, "certificate (--cert)")
    key_data = _read(key_path, "key (--key)")
    try:
        chain = x509.load_pem_x509_certificates(cert_data)
    except ValueError:
        raise CertificateError(
            f"{cert_path} does not hold a PEM certificate (it should start with -----BEGIN CERTIFICATE-----)"
        ) from None
    certificate = chain[0]  # the server's own certificate comes first, any intermediates after it
    try:
        key = serialization.load_pem_private_key(key_data, password=None)
    except TypeError:
        raise CertificateError(
            f"the key {key_path} is protected by a passphrase; the server needs it without one "
            f"(for example: openssl pkey -in {key_path} -out server-key.pem)"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise CertificateError(
            f"{key_path} does not hold a PEM private key (it should start with -----BEGIN ... PRIVATE KEY-----)"
        ) from None
    if _public_key_der(certificate) != _public_key_der(key):
        raise CertificateError(
            f"the key {key_path} does not belong to the certificate {cert_path} (their public keys differ)"
        )
    if now >= certificate.not_valid_after_utc:
        raise CertificateError(
            f"the certificate {cert_path} expired on {_utc_text(certificate.not_valid_after_utc)}. {_RENEW_ADVICE}. "
            "Or start without --cert and --key to use the server's own certificate (another key: every client "
            "that knew this one warns that the key changed)"
        )
    if now < certificate.not_valid_before_utc:
        raise CertificateError(
            f"the certificate {cert_path} is valid only from {_utc_text(certificate.not_valid_before_utc)}; "
            "check this computer's date and time"
        )
    fingerprint, not_after, names = _describe(certificate)
    problem = ""
    if not_after - now < datetime.timedelta(days=RENEW_DAYS_BEFORE_EXPIRY):
        days = (not_after - now).days
        problem = (
            f"the certificate {cert_path} expires on {_utc_text(not_after)} "
            f"({'today' if days < 1 else f'in {days} days'}); after that the server will not start with it. "
            f"{_RENEW_ADVICE}."
        )
    return ServerCertificate(cert_path, key_path, fingerprint, not_after, names, "given", problem)


_RENEW_ADVICE = "Renew it for the same key (clients remember the key, not the certificate, so they will not warn)"


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CertificateError(f"the {what} file {path} does not exist") from None
    except IsADirectoryError:
        raise CertificateError(f"the {what} {path} is a folder, not a file") from None
    except OSError as exc:
        raise CertificateError(f"the {what} file {path} cannot be read: {exc.strerror or exc}") from None
