"""shared.fingerprint: the digest of a certificate's public key, its long and short forms, the DER walk."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.fingerprint import Fingerprint, public_key_der

SEQUENTIAL = Fingerprint(bytes(range(32)))


def certificate_der(key, days: int = 30) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


def spki(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


KEYS = [
    ec.generate_private_key(ec.SECP256R1()),
    ec.generate_private_key(ec.SECP384R1()),
    rsa.generate_private_key(public_exponent=65537, key_size=2048),
    ed25519.Ed25519PrivateKey.generate(),
]
P256_DER = certificate_der(KEYS[0])


def test_long_form_is_colon_separated_upper_case_hex_pairs() -> None:
    assert SEQUENTIAL.long == ":".join(f"{n:02X}" for n in range(32))
    assert str(SEQUENTIAL) == SEQUENTIAL.long


def test_short_form_is_five_groups_of_four_digits_from_five_bytes_each() -> None:
    # bytes 0-4 = 0x0001020304 = 16909060 -> 9060; bytes 5-9 = 0x0506070809 = 21575960585 -> 0585; ...
    # A fixed value: clients and servers of different versions must show the same digits.
    assert SEQUENTIAL.short == "9060 0585 2110 3635 5160"


def test_short_form_keeps_leading_zeros() -> None:
    assert Fingerprint(bytes(32)).short == "0000 0000 0000 0000 0000"


@given(st.binary(min_size=32, max_size=32))
def test_forms_have_their_shapes_and_read_back(digest: bytes) -> None:
    fingerprint = Fingerprint(digest)
    groups = fingerprint.short.split(" ")
    assert len(groups) == 5 and all(len(g) == 4 and g.isdigit() for g in groups)
    assert len(fingerprint.long) == 95 and fingerprint.long.count(":") == 31
    assert Fingerprint.from_text(fingerprint.long) == fingerprint
    assert Fingerprint.from_text(fingerprint.hex) == fingerprint
    assert Fingerprint.from_text(fingerprint.long.lower()) == fingerprint
    assert fingerprint.matches_short(fingerprint.short.replace(" ", "-"))


def test_short_forms_of_different_keys_differ() -> None:
    shorts = {Fingerprint.of_certificate(certificate_der(key)).short for key in KEYS}
    assert len(shorts) == len(KEYS)


@pytest.mark.parametrize("text", ["", "abc", "zz" * 32, "00" * 31, "00" * 33, "00:" * 31 + "0"])
def test_from_text_refuses_what_is_not_a_sha256(text: str) -> None:
    with pytest.raises(ValueError):
        Fingerprint.from_text(text)


def test_a_digest_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        Fingerprint(b"\x00" * 20)
    with pytest.raises(ValueError):
        Fingerprint.of_public_key(b"")


def test_matches_short_refuses_another_number() -> None:
    assert not SEQUENTIAL.matches_short("9060 0585 2110 3635 5161")
    assert not SEQUENTIAL.matches_short(SEQUENTIAL.short[:-1])


@pytest.mark.parametrize("key", KEYS, ids=["p256", "p384", "rsa2048", "ed25519"])
def test_the_der_walk_finds_the_same_public_key_as_an_x509_library(key) -> None:
    der = certificate_der(key)
    assert public_key_der(der) == spki(key)
    assert Fingerprint.of_certificate(der) == Fingerprint(hashlib.sha256(spki(key)).digest())


def test_a_renewed_certificate_with_the_same_key_keeps_the_fingerprint() -> None:
    key = KEYS[0]
    first, renewed = certificate_der(key, days=30), certificate_der(key, days=3650)
    assert first != renewed
    assert Fingerprint.of_certificate(first) == Fingerprint.of_certificate(renewed)


def test_every_truncation_of_a_certificate_is_refused() -> None:
    der = certificate_der(KEYS[0])
    for end in range(len(der)):
        with pytest.raises(ValueError):
            public_key_der(der[:end])


@pytest.mark.parametrize(
    "der",
    [
        b"\x31\x03\x02\x01\x00",  # a SET, not a SEQUENCE
        b"\x30\x80\x00\x00",  # indefinite length: not DER
        b"\x30\x85\x00\x00\x00\x00\x01\x00",  # a 5-byte length
        b"\x30\x02\x1f\x00",  # high tag number
        b"\x30\x03\x30\x01\x02",  # a tbsCertificate without room for its serial number
        b"\x30\x05\x30\x03\x04\x01\x00",  # an OCTET STRING where the serial number goes
    ],
)
def test_malformed_der_is_refused(der: bytes) -> None:
    with pytest.raises(ValueError):
        public_key_der(der)


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_public_key_or_value_error(data: bytes) -> None:
    try:
        found = public_key_der(data)
    except ValueError:
        return
    assert found[0] == 0x30 and found in data


@settings(max_examples=300)
@given(st.integers(min_value=0), st.integers(min_value=0, max_value=255))
def test_a_certificate_with_one_byte_changed_gives_a_key_or_value_error(position: int, value: int) -> None:
    der = bytearray(P256_DER)
    der[position % len(der)] = value
    try:
        found = public_key_der(bytes(der))
    except ValueError:
        return
    assert found[0] == 0x30 and found in der
