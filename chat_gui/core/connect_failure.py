"""Why a connection could not be opened, in words that say what to check (connect thread; pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConnectFailed:
    """Put on the inbox by the connect thread when the socket could not be opened."""

    reason: str
    refused: bool


def describe_os_error(exc: OSError, host: str, port: int) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"Nothing answers on {host}:{port}. Is the chat server running there, and are the address and port right?"
        )
    if isinstance(exc, TimeoutError):
        return f"{host}:{port} did not answer in time. Check the address, and that you are on the same network."
    if "Name or service not known" in str(exc) or "getaddrinfo" in str(exc) or "nodename" in str(exc):
        return f"The address {host!r} is unknown. Check its spelling, or use a numeric address like 192.168.1.20."
    return f"Could not connect to {host}:{port}: {exc.strerror or exc}."
