"""Encryption: the server's certificate and the per-connection TLS handshake (see docs/encryption.md)."""
