"""Why a connection could not be opened, in words that say what to check (connect thread; pure)."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from chat_gui.core.connection_security import KeyWarning, TlsMissing
from chat_gui.core.events import Problem
from chat_gui.core.tls_client import ServerKeyChanged
from shared.frames import DEFAULT_PORT
from shared.tls_channel import HandshakeTimeout, TlsError


@dataclass(frozen=True)
class ConnectFailed:
    """Put on the inbox by the connect thread when the socket could not be opened."""

    reason: str
    refused: bool
    key_warning: KeyWarning | None = None  # the server's key changed: a person decides, nothing is retried
    problem: Problem | None = None  # on a first connection: fail with this problem instead of retrying


def describe_os_error(exc: OSError, host: str, port: int) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"Nothing answers on {host}:{port}. Is the chat server running there, and are the address and port right?"
        )
    if isinstance(exc, TimeoutError):
        return f"{host}:{port} did not answer in time. Check the address, and that you are on the same network."
    if isinstance(exc, socket.gaierror):  # unknown, or no name server to ask: either way the name did not work
        return (
            f"Could not look up the name {host}: check its spelling, or use the numbers the teacher's screen shows "
            f"(like 192.168.1.20)."
        )
    return f"Could not connect to {host}:{port}: {exc.strerror or exc}."


def describe_tls_error(exc: TlsError, host: str, port: int) -> ConnectFailed:
    """A failed secure connection: a key to decide on (changed, or TLS gone), or a handshake that did not work."""
    if isinstance(exc, (ServerKeyChanged, TlsMissing)):
        warning = KeyWarning.of(exc)
        return ConnectFailed(str(exc), refused=False, key_warning=warning)
    if isinstance(exc, HandshakeTimeout):  # it accepted the connection and then said nothing, TLS or plain
        return ConnectFailed(not_chat_server(host, port), False, problem=Problem.NOT_CHAT_SERVER)
    reason = f"Could not set up an encrypted connection to {host}:{port}: {exc}."
    return ConnectFailed(reason, False, problem=Problem.TLS_FAILED)


def not_chat_server(host: str, port: int) -> str:
    """Both front ends say this when a program answers that never says `welcome` (a web server, a silent one)."""
    return (
        f"Something answers at {host}:{port}, but it is not a ClassChat server: "
        f"check the port the teacher gave (the default is {DEFAULT_PORT})."
    )
