"""The client's own copy of the server's tls_required rule: which lines carry a secret, where plain is safe (any thread; pure).

    PASS, LOGIN, REGISTER (any case, with or without '/')
        over TLS                               -> sent
        plain, to 127.0.0.1 or ::1             -> sent: loopback traffic never reaches the network
        plain, to any other address            -> held back until the person allows it
                                                  (the window asks, chat-term needs --allow-plain-passwords)

The server refuses these lines in plain from the network itself
(chat_server/plain_secrets.py), but a server can only judge the connection
it sees: a relay that strips TLS between the client and the server talks
to the server over TLS, so the server never sees the plain hop.  Only the
client knows its own hop is plain, so it keeps the same rule before
anything secret leaves.  The address judged is the one the socket really
reached (a name such as "localhost" counts for what it resolved to).
"""

from __future__ import annotations

import ipaddress

from shared.commands import parse_command_line

SECRET_COMMANDS = frozenset({"PASS", "REGISTER", "LOGIN"})  # the same as chat_server/plain_secrets.py
THIS_COMPUTER = frozenset({"127.0.0.1", "::1"})  # ... and the same addresses


def secret_kind(command: str) -> str:
    """ "join code" for PASS, "password" for LOGIN and REGISTER, "" for a line that carries no secret."""
    name = parse_command_line(command).name
    if name not in SECRET_COMMANDS:
        return ""
    return "join code" if name == "PASS" else "password"


def is_this_computer(peer_ip: str) -> bool:
    """Whether the address a socket reached is this computer's own loopback, as the server counts it."""
    try:
        address = ipaddress.ip_address(peer_ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address) in THIS_COMPUTER


def question(kind: str) -> str:
    """What the window asks before a secret goes out unencrypted; "No" is the default answer."""
    return f"This connection is not encrypted: anyone on the network could read your {kind}. Send it anyway?"


def not_sent(kind: str, address: str) -> str:
    """Why a secret was held back and the connection given up: nothing secret was sent."""
    return (
        f"Not sent: the connection to {address} is not encrypted, and anyone on the network could read your "
        f"{kind}, so it was not sent. Ask the teacher for a server with encryption."
    )
