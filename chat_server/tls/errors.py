"""CertificateError, apart from certificate.py so that catching it does not import `cryptography` (any thread)."""

from __future__ import annotations


class CertificateError(Exception):
    """The certificate or key cannot be used; the message says which file and why, for the person starting the server."""
