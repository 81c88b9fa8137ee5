"""The server key's fingerprint in the forms people see and compare (pure functions; any thread).

A fingerprint is the SHA-256 of the certificate's public key (its
SubjectPublicKeyInfo, DER, exactly as the certificate holds it), not of the
whole certificate: a certificate renewed with the same key keeps its
fingerprint, so clients that pinned it stay quiet.  Both sides take it from
the certificate's DER with `Fingerprint.of_certificate`, a small DER walk
here, so the server's banner and the client's pin are computed by the same
code from the same bytes (and the client needs no X.509 library for it).

Two forms, the same everywhere (banner, admin window, chat window, the
changed-key warning, the client's trust store):
  long:  SHA-256 as 32 hex pairs with colons, like `openssl x509 -fingerprint`
         prints, for copying and for anyone who checks every bit.
  short: 20 digits in 5 groups of 4 ("0472 9918 3065 4410 7286"), for a
         teacher to read out in class.  Digits are said the same way by
         everyone and have no look-alikes; each group comes from its own
         5 bytes of the digest (about 66 bits in all), the way Signal's
         safety numbers are built.  Making a key whose short form matches a
         given one takes about 2**66 tries: out of reach for a classroom.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

DIGEST_BYTES = 32
SHORT_GROUPS = 5
SHORT_GROUP_DIGITS = 4
_BYTES_PER_GROUP = 5  # 40 bits reduced to 4 digits: the bias is below one in 10**8


@dataclass(frozen=True)
class Fingerprint:
    """The SHA-256 digest of one public key, with its display forms."""

    digest: bytes

    def __post_init__(self) -> None:
        if len(self.digest) != DIGEST_BYTES:
            raise ValueError(f"a fingerprint is {DIGEST_BYTES} bytes, not {len(self.digest)}")

    @classmethod
    def of_public_key(cls, spki_der: bytes) -> Fingerprint:
        """The fingerprint of a SubjectPublicKeyInfo in DER."""
        if not spki_der:
            raise ValueError("no public key to take the fingerprint of")
        return cls(hashlib.sha256(spki_der).digest())

    @classmethod
    def of_certificate(cls, certificate_der: bytes) -> Fingerprint:
        """The fingerprint of an X.509 certificate's public key; ValueError if the DER is not a certificate."""
        return cls.of_public_key(public_key_der(certificate_der))

    @classmethod
    def from_text(cls, text: str) -> Fingerprint:
        """Read the long form or plain hex (any case, with or without colons or spaces); ValueError otherwise."""
        cleaned = "".join(text.split()).replace(":", "")
        try:
            digest = bytes.fromhex(cleaned)
        except ValueError:
            raise ValueError(f"not a SHA-256 fingerprint: {text[:100]!r}") from None
        if len(digest) != DIGEST_BYTES:
            raise ValueError(f"not a SHA-256 fingerprint (needs 64 hex digits): {text[:100]!r}")
        return cls(digest)

    @property
    def hex(self) -> str:
        """64 lower-case hex digits, no separators: how the trust store keeps it."""
        return self.digest.hex()

    @property
    def long(self) -> str:
        """ "AB:CD:...": 32 upper-case hex pairs joined by colons."""
        return ":".join(f"{byte:02X}" for byte in self.digest)

    @property
    def short(self) -> str:
        """ "0472 9918 3065 4410 7286": the form read out and compared by people."""
        groups = []
        for index in range(SHORT_GROUPS):
            chunk = self.digest[index * _BYTES_PER_GROUP : (index + 1) * _BYTES_PER_GROUP]
            groups.append(f"{int.from_bytes(chunk, 'big') % 10**SHORT_GROUP_DIGITS:0{SHORT_GROUP_DIGITS}d}")
        return " ".join(groups)

    def matches_short(self, typed: str) -> bool:
        """Whether someone's copy of the short form (spaces, dashes and dots ignored) is this one."""
        return short_digits(typed) == self.short.replace(" ", "")

    def __str__(self) -> str:
        return self.long


def short_digits(typed: str) -> str:
    """A typed short form without its spaces, dashes and dots."""
    return "".join(ch for ch in typed if ch not in " -.\t")


def is_short_fingerprint(typed: str) -> bool:
    """Whether `typed` could be a short form: 20 ASCII digits once spaces, dashes and dots are left out."""
    digits = short_digits(typed)
    return len(digits) == SHORT_GROUPS * SHORT_GROUP_DIGITS and digits.isascii() and digits.isdigit()


# -- the SubjectPublicKeyInfo inside a certificate's DER --
#   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
#   tbsCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
#                                 issuer, validity, subject, subjectPublicKeyInfo, ... }
_SEQUENCE = 0x30
_INTEGER = 0x02
_EXPLICIT_VERSION = 0xA0


def _read_tlv(data: bytes, offset: int, end: int) -> tuple[int, int, int]:
    """(tag, start of contents, end of contents) of the DER element at `offset`; ValueError if it is malformed."""
    if offset + 2 > end:
        raise ValueError("certificate DER ends early")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise ValueError("unexpected high tag number in certificate DER")
    first = data[offset + 1]
    offset += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise ValueError("bad length in certificate DER")
        if offset + count > end:
            raise ValueError("certificate DER ends early")
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    if offset + length > end:
        raise ValueError("certificate DER element runs past its end")
    return tag, offset, offset + length


def public_key_der(certificate_der: bytes) -> bytes:
    """The SubjectPublicKeyInfo element of a DER certificate, byte for byte."""
    tag, start, end = _read_tlv(certificate_der, 0, len(certificate_der))
    if tag != _SEQUENCE:
        raise ValueError("not a DER certificate")
    tag, position, tbs_end = _read_tlv(certificate_der, start, end)
    if tag != _SEQUENCE:
        raise ValueError("not a DER certificate (no tbsCertificate)")
    tag, _, next_position = _read_tlv(certificate_der, position, tbs_end)
    if tag == _EXPLICIT_VERSION:
        position = next_position
        tag, _, next_position = _read_tlv(certificate_der, position, tbs_end)
    if tag != _INTEGER:
        raise ValueError("not a DER certificate (no serial number)")
    position = next_position
    # signature algorithm, issuer, validity, subject: four SEQUENCEs to step over
    for _ in range(4):
        tag, _, position = _read_tlv(certificate_der, position, tbs_end)
        if tag != _SEQUENCE:
            raise ValueError("not a DER certificate (unexpected element before the public key)")
    tag, _, key_end = _read_tlv(certificate_der, position, tbs_end)
    if tag != _SEQUENCE:
        raise ValueError("not a DER certificate (no public key)")
    return certificate_der[position:key_end]
