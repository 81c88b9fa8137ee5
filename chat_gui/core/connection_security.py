"""How a client connection secures itself: TLS with trust on first use, or plain where the server has no TLS (connect thread).

    secure(sock, host, port, policy, reopen)
        policy.tls off          -> plain; a blank line goes first so a TLS-capable server need not wait for us
        TLS, key new or pinned  -> Secured with the channel (the key is pinned now if it was new)
        TLS, another key        -> ServerKeyChanged (nothing was sent), unless policy.accept_new_key
        the server answers plain (NotTls):
            no pin for the address -> a new plain connection (`reopen()`): "not encrypted", marked
                                      `tls_refused`; if its `welcome` then lists `tls` in `features`,
                                      someone between us blocked TLS: `encryption_blocked` says so and
                                      the session stops (chat_gui/core/session.py)
            a pin for the address  -> TlsMissing: a server that had TLS does not lose it by itself,
                                      and that is what someone stripping TLS would look like;
                                      unless the person allowed plain there (accept_warning): then
                                      plain as above, the pin kept for when TLS comes back
        the handshake fails     -> TlsError (the connection is closed)

A plain connection to any address but 127.0.0.1 and ::1 carries no password
or join code unless the person allowed it (chat_gui/core/plain_secrets.py).

A person accepts a changed key (or a server that stopped encrypting) with
`accept_warning`, after comparing the fingerprints with the teacher's
screen; then the front end reconnects.  Going on without encryption keeps
the old pin (TrustStore.allow_plain): the key of a server that later
answers with TLS there is checked against it, never pinned as new.  The
window asks with a dialog; chat-term takes `--accept-key DIGITS` (that key
only) or `--accept-new-key` (any key).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chat_gui.core.plain_secrets import is_this_computer
from chat_gui.core.tls_client import HANDSHAKE_SECONDS, ServerKeyChanged, start_tls
from chat_gui.core.trust_store import STORE_FILE_NAME, PinStatus, TrustStore, address_key
from shared.fingerprint import Fingerprint
from shared.tls_channel import NotTls, TlsChannel, TlsError

PLAIN_HELLO = b"\n"  # a blank line: the server ignores it, and it tells a TLS-capable server at once that we are plain


@dataclass(frozen=True)
class TlsPolicy:
    """How to connect: TLS or plain, and whether a changed key may replace the pinned one without asking."""

    tls: bool = True
    accept_new_key: bool = False
    # chat-term's --accept-key: a changed key is accepted only if its short form is these digits (the key the
    # person compared with the teacher's screen, not whichever answers next); no key at all is not accepted
    accept_only: str = ""
    allow_plain_passwords: bool = False  # chat-term's option: PASS, LOGIN, REGISTER may go over plain to the network
    store_path: str | None = None  # None: known_servers.json beside the client's settings

    def store(self) -> TrustStore:
        return TrustStore(Path(self.store_path) if self.store_path else None)


@dataclass(frozen=True)
class Security:
    """What protects an open connection: for the padlock, the title and "Connection details"."""

    address: str  # "host:port" as the trust store names it
    encrypted: bool
    fingerprint: Fingerprint | None = None
    version: str = ""  # "TLSv1.3"
    cipher: str = ""
    pin: PinStatus | None = None  # "new": remembered now; "match": as before; "changed": a new key was accepted
    pinned_since: str = ""  # when the key was first remembered (UTC ISO time), for "match"
    why_plain: str = ""  # for a plain connection: why, in words
    this_computer: bool = False  # the socket reached 127.0.0.1 or ::1: nothing of it crosses the network
    tls_refused: bool = False  # TLS was asked for and the answer came in plain: the server's own, or a relay's
    store_damaged: bool = False  # "new" as the known-servers file could not be read (set aside as .broken...)

    @property
    def exposes_secrets(self) -> bool:
        """A password sent on this connection could be read on the network (the client's tls_required rule)."""
        return not self.encrypted and not self.this_computer

    def describe(self) -> str:
        """One line for a terminal or a status bar."""
        if not self.encrypted:
            return f"Not encrypted: {self.why_plain} Anyone on the network can read what is sent."
        assert self.fingerprint is not None
        if self.pin == "new" and self.store_damaged:
            return (
                f"Encrypted ({self.version}); server key {self.fingerprint.short}. This computer's list of known "
                f"servers could not be read (it was kept aside as {STORE_FILE_NAME}.broken, or .broken.1 and so on), "
                "so this key could not be compared with the one remembered: compare it with the key on your teacher's screen."
            )
        if self.pin == "new":  # the only moment trust on first use can be checked: say how (as the window does)
            return (
                f"Encrypted ({self.version}); server key {self.fingerprint.short} (first connection to this server: "
                "its key is remembered from now on). Compare it with the key on your teacher's screen: if it differs, "
                "this is not your teacher's server."
            )
        remembered = {
            "match": "the same key as before",
            "changed": "the new key you accepted",
        }.get(self.pin or "", "")
        return f"Encrypted ({self.version}); server key {self.fingerprint.short} ({remembered})."


class TlsMissing(TlsError):
    """A server whose key is pinned answered without TLS: maybe it was restarted with --no-tls, maybe an attack."""

    def __init__(self, address: str, pinned: Fingerprint) -> None:
        super().__init__(
            f"The server at {address} used to encrypt the connection (key {pinned.short}) and now does not. "
            "If the teacher turned encryption off on purpose, you may go on without it; otherwise someone may "
            "be between you and the server."
        )
        self.address = address
        self.pinned = pinned


@dataclass(frozen=True)
class KeyWarning:
    """What the person must decide on: a changed key (`presented` set) or a server that stopped encrypting (None)."""

    address: str
    pinned: Fingerprint
    presented: Fingerprint | None
    pinned_since: str
    text: str

    @classmethod
    def of(cls, problem: ServerKeyChanged | TlsMissing) -> KeyWarning:
        if isinstance(problem, ServerKeyChanged):
            check = problem.check
            assert check.pinned is not None
            return cls(check.address, check.pinned, check.presented, check.pinned_since, str(problem))
        return cls(problem.address, problem.pinned, None, "", str(problem))


def accept_warning(warning: KeyWarning, policy: TlsPolicy) -> bool:
    """The person chose to go on: pin the new key (or allow plain, keeping the pin); False if it could not be saved."""
    store = policy.store()
    if warning.presented is not None:
        return store.accept(warning.address, warning.presented)
    return store.allow_plain(warning.address)


@dataclass
class Secured:
    """The outcome of `secure`: the socket to use (a new one after a plain fallback) and what protects it."""

    sock: socket.socket
    security: Security
    channel: TlsChannel | None = None
    early_data: bytes = b""


def secure(
    sock: socket.socket,
    host: str,
    port: int,
    policy: TlsPolicy,
    reopen: Callable[[], socket.socket],
    timeout: float = HANDSHAKE_SECONDS,
) -> Secured:
    """Secure a freshly connected socket as the module's table says; on failure the socket is closed and it raises."""
    address = address_key(host, port)
    if not policy.tls:
        why = "this connection was opened without encryption."
        return _plain(sock, Security(address, False, why_plain=why, this_computer=_reached_this_computer(sock)))
    store = policy.store()
    try:
        tls = start_tls(
            sock,
            host,
            port,
            store,
            accept_new_key=policy.accept_new_key or bool(policy.accept_only),
            accept_only=policy.accept_only,
            timeout=timeout,
        )
    except NotTls:
        sock.close()
        pinned = store.pinned(address)
        if pinned is not None and not store.plain_allowed(address):
            if not policy.accept_new_key:
                raise TlsMissing(address, pinned) from None
            store.allow_plain(address)
        why = (
            "the server answered without encryption: an older server, one started with --no-tls, "
            "or something between you and the server that blocks encryption."
        )
        plain = reopen()
        return _plain(
            plain,
            Security(address, False, why_plain=why, this_computer=_reached_this_computer(plain), tls_refused=True),
        )
    except BaseException:
        sock.close()
        raise
    since = tls.pin.pinned_since if tls.pin.status == "match" else ""
    security = Security(
        address,
        True,
        tls.fingerprint,
        tls.version,
        tls.cipher,
        tls.pin.status,
        since,
        store_damaged=tls.pin.store_damaged,
    )
    return Secured(sock, security, tls.channel, tls.early_data)


def encryption_blocked(security: Security | None, features: object) -> bool:
    """A TLS opening was answered in plain, yet the plain `welcome` lists `tls`: the server offers encryption, so
    something between us answered for it (a relay stripping TLS).  An older server or a --no-tls one lists no `tls`."""
    return security is not None and security.tls_refused and isinstance(features, list) and "tls" in features


def blocked_words(address: str) -> str:
    return (
        f"Not connected: the server at {address} offers encryption, but something between you and it blocked it "
        "(this computer's encrypted opening was answered without encryption). Someone on the network may be trying "
        "to read what you send; nothing was sent. Tell your teacher."
    )


def _reached_this_computer(sock: socket.socket) -> bool:
    try:
        peer = sock.getpeername()
    except OSError:
        return False
    return is_this_computer(str(peer[0]))


def _plain(sock: socket.socket, security: Security) -> Secured:
    try:
        sock.sendall(PLAIN_HELLO)
    except OSError:
        sock.close()
        raise
    return Secured(sock, security)
