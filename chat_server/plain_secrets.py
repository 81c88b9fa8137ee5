"""The tls_required rule: passwords and codes travel only encrypted or from this computer (handler threads, lock held).

    PASS, REGISTER, LOGIN over a plain connection
        from 127.0.0.1 or ::1            -> carried out (nobody on the network sees loopback traffic)
        from any other address           -> error `tls_required`, unless --allow-plain-passwords
    the same over TLS, from anywhere     -> carried out

The check runs before the command is looked up, so it holds for every
module that handles these commands, whenever it is added; it reads only
the session and the settings (no I/O), as it runs under the registry lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.errors import ErrorCode, ProtocolError

if TYPE_CHECKING:
    from chat_server.config import ServerConfig
    from chat_server.session import Session

SECRET_COMMANDS = frozenset({"PASS", "REGISTER", "LOGIN"})
THIS_COMPUTER = frozenset({"127.0.0.1", "::1"})  # Session.host has ::ffff:127.0.0.1 as 127.0.0.1 already

WITH_TLS = (
    "Passwords and codes are accepted only over an encrypted connection from another computer. "
    "The ClassChat window and chat-term encrypt by default; this connection does not."
)
WITHOUT_TLS = (
    "Passwords and codes are accepted only over an encrypted connection from another computer, and this server "
    "has encryption off (--no-tls). Ask the teacher to start it with encryption."
)


def check_secret_transport(session: Session, command_name: str, config: ServerConfig) -> None:
    """Raise ProtocolError(tls_required) when `command_name` would carry a secret in plain over the network."""
    if command_name not in SECRET_COMMANDS or session.encrypted or config.allow_plain_passwords:
        return
    if session.host in THIS_COMPUTER:
        return
    raise ProtocolError(ErrorCode.TLS_REQUIRED, WITH_TLS if config.tls else WITHOUT_TLS)
