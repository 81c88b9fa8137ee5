"""Who may connect: the refusals at the door, their rate-limited log, the open-file limit (handler and serve threads).

Mixed into ChatServer (chat_server/server.py).  A new connection's handler
thread calls `admit()` once, before it reads a line: under the registry
lock it is either added to the registry or given the frames that refuse
it (shutting down, a banned address, --max-clients, --max-per-address,
too many connections from one address that have no nickname yet).  The
refusal is logged after the lock is released, at most once per
REFUSAL_LOG_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time

from chat_server.address_budget import AddressBudgets
from chat_server.config import ServerConfig
from chat_server.farewells import (
    address_full_frames,
    address_full_log,
    banned_frames,
    server_full_frames,
    shutdown_frames,
)
from chat_server.identity.wiring import WhoIsWho
from chat_server.moderation import now_ms
from chat_server.registry import ChatRegistry
from chat_server.session import Session
from shared.frames import Frame

log = logging.getLogger("chat_server")

REFUSAL_LOG_SECONDS = 10.0


class RefusalLog:
    """Refused connections, logged at most once per REFUSAL_LOG_SECONDS with how many went unlogged (any thread).

    A machine knocking a thousand times a second must not write a thousand
    log lines a second.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._unlogged = 0

    def note(self, address_text: str, why: str) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last < REFUSAL_LOG_SECONDS:
                self._unlogged += 1
                return
            self._last, unlogged, self._unlogged = now, self._unlogged, 0
        more = f" ({unlogged} more refused since the last line like this)" if unlogged else ""
        log.warning("refused %s: %s%s", address_text, why, more)


class ConnectionAdmission:
    config: ServerConfig
    registry: ChatRegistry
    who: WhoIsWho
    _stopping: bool
    _refusals: RefusalLog
    _transport_refusals: RefusalLog  # garbage, failed handshakes, plain under --require-tls
    address_budgets: AddressBudgets  # what each computer may say, all its connections together

    def admit(self, session: Session) -> list[Frame] | None:
        """Register a new connection, or return the frames that refuse it."""
        with self.registry.lock:
            refusal, note = self._refusal(session)
            if refusal is None:
                self.registry.add_session(session)
                session.address_budget = self.address_budgets.join(session.computer)
        if note:
            self._refusals.note(session.address_text, note)
        return refusal

    def note_transport_problem(self, address_text: str, why: str) -> None:
        """Log a connection closed before its transport was settled (garbage, a failed handshake); rate-limited."""
        self._transport_refusals.note(address_text, why)

    def _refusal(self, session: Session) -> tuple[list[Frame] | None, str]:
        """Why this connection cannot come in: the frames it gets and the log's line (None, "": it can; lock held).

        The log's line names the option behind a limit, so the teacher whose
        class shares one address learns which to raise.
        """
        config = self.config
        if self._stopping:
            frames = shutdown_frames()
            return frames, frames[0]["content"]
        ban = self.who.moderator.address_ban(session.computer)
        if ban is not None:
            frames = banned_frames(ban, now_ms())
            return frames, frames[0]["content"]
        if config.max_clients and len(self.registry.sessions) >= config.max_clients:
            frames = server_full_frames(config.max_clients)
            return frames, f"{frames[0]['content']} (--max-clients {config.max_clients})"
        connections, unregistered = self.registry.connections_from(session.computer)
        if config.max_per_address and connections >= config.max_per_address:
            limit = config.max_per_address
            return address_full_frames(limit, unregistered=False), address_full_log(session.computer, limit, False)
        if config.max_unregistered_per_address and unregistered >= config.max_unregistered_per_address:
            limit = config.max_unregistered_per_address
            return address_full_frames(limit, unregistered=True), address_full_log(session.computer, limit, True)
        return None, ""


def allow_open_files(wanted: int) -> None:
    """Raise the soft open-file limit towards `wanted` (one descriptor per client) where the hard limit allows.

    Many systems start programs with a soft limit of 1,024 and a much higher
    hard limit; a server told to take more clients than that would
    otherwise refuse them at accept().  Nothing to do on Windows.
    """
    try:
        import resource
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-file limit to %d: %s", target, exc)
