"""The server's encryption for one run: off, on beside plain, or required; its certificate and context (main thread).

    load_server_tls(config)
        --no-tls                   -> None: every connection is plain, with no first-byte wait
        --cert FILE --key FILE     -> that pair, checked first (CertificateError says what is wrong)
        otherwise                  -> the server's own certificate in the data folder, made on first start

Built once before the server binds; handler threads then only read it.
`cryptography` (certificate.py) is imported here, when a server starts,
so a program that never runs a server (the chat window until it starts
its own) does not pay for it.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chat_server.config import ServerConfig
from chat_server.storage import default_data_dir
from chat_server.tls.errors import CertificateError
from chat_server.tls.handshake import server_context
from shared.fingerprint import Fingerprint

if TYPE_CHECKING:
    from chat_server.tls.certificate import ServerCertificate


@dataclass(frozen=True)
class ServerTls:
    """TLS as this server runs it; `required` turns plain connections away."""

    certificate: ServerCertificate
    context: ssl.SSLContext
    required: bool

    @property
    def fingerprint(self) -> Fingerprint:
        return self.certificate.fingerprint

    def describe(self) -> list[str]:
        """Lines for the banner and the log: the state, where the certificate comes from, the fingerprint."""
        fingerprint = self.fingerprint
        plain = "plain connections are refused (--require-tls)" if self.required else "plain connections still work"
        origin = {
            "made": "made now",
            "renewed": "renewed for the same key",
            "reused": "kept",
            "temporary": "for this run only",
            "given": "from --cert",
        }[self.certificate.origin]
        return [
            f"Encryption: TLS 1.2 or later on the same port; {plain}.",
            f"Server key fingerprint: {fingerprint.short}",
            f"    (SHA-256 {fingerprint.long}; certificate {origin}: {self.certificate.cert_path})",
        ]


NO_TLS_LINE = "Encryption: off (--no-tls): messages and passwords cross the network readable by anyone on it."


def load_server_tls(config: ServerConfig) -> ServerTls | None:
    """The certificate and context for `config`; raises CertificateError when a given --cert/--key cannot be used."""
    if not config.tls:
        return None
    from chat_server.tls.certificate import load_given_certificate, load_or_make_certificate

    if config.cert_file or config.key_file:
        if not (config.cert_file and config.key_file):
            raise CertificateError("--cert and --key go together: give both, or neither")
        certificate = load_given_certificate(Path(config.cert_file), Path(config.key_file))
    else:
        folder = Path(config.data_dir) if config.data_dir is not None else default_data_dir()
        certificate = load_or_make_certificate(folder)
    return ServerTls(certificate, server_context(certificate), config.require_tls)
