"""chat_server.tls.certificate: the server's own certificate (made once, reused, renewed) and a given --cert/--key pair."""

from __future__ import annotations

import datetime
import ipaddress
import os
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from chat_server.tls import certificate as certificate_module
from chat_server.tls.certificate import (
    CERT_FILE_NAME,
    KEY_FILE_NAME,
    VALID_DAYS,
    CertificateError,
    load_given_certificate,
    load_or_make_certificate,
    machine_names,
    make_certificate,
)
from chat_server.tls.handshake import server_context
from shared.fingerprint import Fingerprint

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


def read_certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def write_pair(folder: Path, key, not_before: datetime.datetime, not_after: datetime.datetime) -> tuple[Path, Path]:
    """A certificate for `key` valid between the two times, and the key, as PEM files; returns their paths."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chat.school.example")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


# -- the server's own certificate --
def test_first_start_makes_an_ecdsa_p256_certificate_for_ten_years(tmp_path) -> None:
    made = load_or_make_certificate(tmp_path / "data", now=NOW)
    assert made.origin == "made" and made.problem == ""
    assert made.cert_path == tmp_path / "data" / CERT_FILE_NAME and made.key_path == tmp_path / "data" / KEY_FILE_NAME
    certificate = read_certificate(made.cert_path)
    public_key = certificate.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey) and public_key.curve.name == "secp256r1"
    assert certificate.not_valid_after_utc - NOW > datetime.timedelta(days=VALID_DAYS - 1)
    assert certificate.not_valid_before_utc < NOW  # a client whose clock is a little behind still accepts it
    assert made.fingerprint == Fingerprint.of_certificate(certificate.public_bytes(serialization.Encoding.DER))
    assert made.not_after == certificate.not_valid_after_utc


def test_the_certificate_names_loopback_and_this_machine(tmp_path) -> None:
    made = load_or_make_certificate(tmp_path)
    alt = read_certificate(made.cert_path).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    addresses = alt.get_values_for_type(x509.IPAddress)
    assert ipaddress.ip_address("127.0.0.1") in addresses and ipaddress.ip_address("::1") in addresses
    names = alt.get_values_for_type(x509.DNSName)
    assert "localhost" in names
    assert set(made.names) >= {"localhost", "127.0.0.1", "::1"}


def test_the_key_file_is_for_its_owner_only(tmp_path) -> None:
    if os.name != "posix":
        pytest.skip("file modes are a POSIX matter")
    made = load_or_make_certificate(tmp_path)
    assert stat.S_IMODE(made.key_path.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary files left behind


def test_later_starts_reuse_the_same_certificate(tmp_path) -> None:
    first = load_or_make_certificate(tmp_path)
    cert_bytes, key_bytes = first.cert_path.read_bytes(), first.key_path.read_bytes()
    again = load_or_make_certificate(tmp_path)
    assert again.origin == "reused"
    assert again.fingerprint == first.fingerprint
    assert first.cert_path.read_bytes() == cert_bytes and first.key_path.read_bytes() == key_bytes


def test_an_expiring_certificate_is_renewed_with_the_same_key(tmp_path) -> None:
    first = load_or_make_certificate(tmp_path, now=NOW)
    later = NOW + datetime.timedelta(days=VALID_DAYS - 10)
    renewed = load_or_make_certificate(tmp_path, now=later)
    assert renewed.origin == "renewed"
    assert renewed.fingerprint == first.fingerprint  # the clients' pins hold
    assert renewed.not_after > later + datetime.timedelta(days=VALID_DAYS - 1)


def test_a_missing_or_damaged_certificate_is_made_again_for_the_kept_key(tmp_path) -> None:
    first = load_or_make_certificate(tmp_path)
    first.cert_path.unlink()
    assert load_or_make_certificate(tmp_path).fingerprint == first.fingerprint
    first.cert_path.write_text("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n")
    again = load_or_make_certificate(tmp_path)
    assert again.origin == "renewed" and again.fingerprint == first.fingerprint


def test_a_certificate_that_does_not_match_the_kept_key_is_replaced(tmp_path) -> None:
    first = load_or_make_certificate(tmp_path)
    other = load_or_make_certificate(tmp_path / "other")
    first.cert_path.write_bytes(other.cert_path.read_bytes())
    again = load_or_make_certificate(tmp_path)
    assert again.origin == "renewed" and again.fingerprint == first.fingerprint


def test_a_damaged_key_gives_a_new_key_and_says_so(tmp_path) -> None:
    first = load_or_make_certificate(tmp_path)
    first.key_path.write_text("not a key")
    again = load_or_make_certificate(tmp_path)
    assert again.origin == "made"
    assert again.fingerprint != first.fingerprint
    assert "could not be read" in again.problem and str(first.key_path) in again.problem
    server_context(again)  # and the new pair works


def test_a_key_that_cannot_be_read_is_kept_aside_not_overwritten(tmp_path) -> None:
    """Found by the eighth review: a key file the server could not read (a passphrase put on it, a restore that got
    its owner wrong) was replaced by the new key, so the key every client had pinned was gone for good."""
    first = load_or_make_certificate(tmp_path)
    pinned_key = serialization.load_pem_private_key(first.key_path.read_bytes(), password=None)
    protected = pinned_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"secret")
    )
    first.key_path.write_bytes(protected)
    again = load_or_make_certificate(tmp_path)
    assert again.origin == "made" and again.fingerprint != first.fingerprint
    kept = list(tmp_path.glob(f"{KEY_FILE_NAME}.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == protected
    assert kept[0].name in again.problem
    # put back without its passphrase, it is the key the clients pinned
    (tmp_path / KEY_FILE_NAME).write_bytes(
        serialization.load_pem_private_key(protected, password=b"secret").private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    assert load_or_make_certificate(tmp_path).fingerprint == first.fingerprint


def test_a_folder_that_cannot_be_written_gives_a_certificate_for_this_run(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the data folder should be here")
    temporary = load_or_make_certificate(blocker / "data")
    assert temporary.origin == "temporary"
    assert "cannot be written" in temporary.problem and str(blocker / "data") in temporary.problem
    assert temporary.cert_path.exists() and not str(temporary.cert_path).startswith(str(tmp_path))
    server_context(temporary)
    folder = temporary.cert_path.parent
    del temporary
    assert not folder.exists()  # the temporary folder goes with the certificate


@pytest.mark.parametrize(
    "hostname, expected",
    [
        ("LAB-PC-07.school.lan", ["lab-pc-07.school.lan", "lab-pc-07.local", "localhost"]),
        ("Schüler-PC", ["xn--schler-pc-s9a", "xn--schler-pc-s9a.local", "localhost"]),
        ("bad_host name!", ["localhost"]),
        ("", ["localhost"]),
    ],
)
def test_host_names_are_spelled_for_the_dns_or_left_out(monkeypatch, hostname: str, expected: list[str]) -> None:
    monkeypatch.setattr(certificate_module.socket, "gethostname", lambda: hostname)
    # netinfo would look the made-up host name up: give the LAN addresses here instead, so nothing asks a DNS server
    monkeypatch.setattr(certificate_module, "lan_addresses", lambda: ["192.0.2.10", "127.0.0.1"])
    names, addresses = machine_names()
    assert names == expected
    assert addresses == [ipaddress.ip_address(a) for a in ("127.0.0.1", "::1", "192.0.2.10")]
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = make_certificate(key, names, addresses, NOW)  # and the certificate takes them
    alt = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert alt.get_values_for_type(x509.DNSName) == expected


def test_the_server_context_is_tls12_or_later_with_no_tickets(tmp_path) -> None:
    context = server_context(load_or_make_certificate(tmp_path))
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.num_tickets == 0
    assert context.options & ssl.OP_NO_RENEGOTIATION
    for cipher in context.get_ciphers():
        assert cipher["protocol"] == "TLSv1.3" or (cipher["kea"] == "kx-ecdhe" and cipher["aead"]), cipher


# -- a given --cert/--key pair --
def test_a_good_given_pair_is_loaded(tmp_path) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    cert_path, key_path = write_pair(tmp_path, key, NOW - DAY, NOW + 365 * DAY)
    given = load_given_certificate(cert_path, key_path)
    assert given.origin == "given" and given.cert_path == cert_path
    server_context(given)


def test_a_given_rsa_pair_is_loaded_too(tmp_path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    given = load_given_certificate(*write_pair(tmp_path, key, NOW - DAY, NOW + DAY))
    server_context(given)


def test_an_expired_given_certificate_is_refused(tmp_path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert_path, key_path = write_pair(tmp_path, key, NOW - 400 * DAY, NOW - 35 * DAY)
    with pytest.raises(CertificateError) as refused:
        load_given_certificate(cert_path, key_path)
    message = str(refused.value)
    assert str(cert_path) in message and "expired on" in message
    assert (NOW - 35 * DAY).strftime("%Y-%m-%d") in message


def test_a_given_certificate_that_runs_out_soon_is_used_and_says_when(tmp_path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    soon = load_given_certificate(*write_pair(tmp_path / "soon", key, NOW - 300 * DAY, NOW + 10 * DAY + DAY / 2))
    assert soon.origin == "given"
    assert "expires on" in soon.problem and "in 10 days" in soon.problem and "same key" in soon.problem
    later = load_given_certificate(*write_pair(tmp_path / "later", key, NOW - DAY, NOW + 90 * DAY))
    assert later.problem == ""


def test_a_given_certificate_not_valid_yet_is_refused(tmp_path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert_path, key_path = write_pair(tmp_path, key, NOW + 3 * DAY, NOW + 300 * DAY)
    with pytest.raises(CertificateError, match="valid only from .* check this computer's date"):
        load_given_certificate(cert_path, key_path)


def test_a_key_that_does_not_belong_to_the_certificate_is_refused(tmp_path) -> None:
    cert_path, _ = write_pair(tmp_path / "a", ec.generate_private_key(ec.SECP256R1()), NOW - DAY, NOW + DAY)
    _, other_key = write_pair(tmp_path / "b", ec.generate_private_key(ec.SECP256R1()), NOW - DAY, NOW + DAY)
    with pytest.raises(CertificateError, match="does not belong to the certificate"):
        load_given_certificate(cert_path, other_key)


@pytest.mark.parametrize("missing", ["cert", "key"])
def test_a_missing_file_is_named(tmp_path, missing: str) -> None:
    cert_path, key_path = write_pair(tmp_path, ec.generate_private_key(ec.SECP256R1()), NOW - DAY, NOW + DAY)
    gone = cert_path if missing == "cert" else key_path
    gone.unlink()
    with pytest.raises(CertificateError) as refused:
        load_given_certificate(cert_path, key_path)
    assert f"{gone} does not exist" in str(refused.value)
    assert ("--cert" if missing == "cert" else "--key") in str(refused.value)


def test_a_folder_instead_of_a_file_is_named(tmp_path) -> None:
    _, key_path = write_pair(tmp_path, ec.generate_private_key(ec.SECP256R1()), NOW - DAY, NOW + DAY)
    with pytest.raises(CertificateError, match="is a folder"):
        load_given_certificate(tmp_path, key_path)


def test_a_passphrase_on_the_key_is_explained(tmp_path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert_path, key_path = write_pair(tmp_path, key, NOW - DAY, NOW + DAY)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(CertificateError, match="protected by a passphrase"):
        load_given_certificate(cert_path, key_path)


@pytest.mark.parametrize(
    "cert_text, key_text, expected",
    [
        ("hello", None, "does not hold a PEM certificate"),
        (None, "hello", "does not hold a PEM private key"),
        ("key", None, "does not hold a PEM certificate"),  # the two files swapped
        (None, "cert", "does not hold a PEM private key"),
    ],
)
def test_files_of_the_wrong_kind_are_named(tmp_path, cert_text, key_text, expected: str) -> None:
    cert_path, key_path = write_pair(tmp_path, ec.generate_private_key(ec.SECP256R1()), NOW - DAY, NOW + DAY)
    originals = {"cert": cert_path.read_bytes(), "key": key_path.read_bytes()}
    if cert_text is not None:
        cert_path.write_bytes(originals.get(cert_text, cert_text.encode()))
    if key_text is not None:
        key_path.write_bytes(originals.get(key_text, key_text.encode()))
    with pytest.raises(CertificateError, match=expected):
        load_given_certificate(cert_path, key_path)
