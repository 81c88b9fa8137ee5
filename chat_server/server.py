"""ChatServer: the listening socket, the life of a connection, start and stop.

    serve thread (serve_forever) --accepts--> one ChatRequestHandler thread per client
    handler threads --run_command--> CommandHandlers under ChatRegistry.lock --> outboxes
    writer thread (WriterPool): sends what the outboxes queued
    housekeeper thread: registration and silence timeouts
    stop(): every client gets `system`/shutdown and `bye`; all threads are joined.

Methods here may be called from any thread; `stop()` must not be called
from a handler thread.
"""

from __future__ import annotations

import errno
import logging
import socket
import socketserver
import threading
import time
from typing import Any

from chat_server.admin import AdminActions
from chat_server.config import ServerConfig
from chat_server.handlers import CommandHandlers
from chat_server.housekeeper import Housekeeper
from chat_server.outbox import WriterPool
from chat_server.registry import ChatRegistry
from chat_server.request_handler import ChatRequestHandler
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.frames import Frame, error_frame, server_frame

log = logging.getLogger("chat_server")

THREAD_STACK_BYTES = 512 * 1024  # room for json's C recursion on a 32 KiB frame, far below 8 MiB
WRITER_JOIN_SECONDS = 2.0
ACCEPT_POLL_SECONDS = 0.2
ACCEPT_BACKOFF_SECONDS = 0.1  # out of file descriptors: the listening socket stays readable, so wait, don't spin


class _HandlerThreads:
    """The live handler threads, for server_close() to join.

    socketserver's own list prunes finished threads on every accept, which
    costs O(clients) per connection (seconds when thousands connect at
    once); here each thread removes itself when it ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()

    def append(self, thread: threading.Thread) -> None:
        with self._lock:
            self._threads.add(thread)

    def discard(self, thread: threading.Thread) -> None:
        with self._lock:
            self._threads.discard(thread)

    def join(self) -> None:
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join()


class ChatServer(AdminActions, socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False  # server_close() joins every handler thread
    block_on_close = True

    def __init__(self, config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        self.request_queue_size = self.config.listen_backlog
        if ":" in self.config.host:
            self.address_family = socket.AF_INET6
        self.registry = ChatRegistry()
        self.handlers = CommandHandlers(self.registry, self.config)
        self.housekeeper = Housekeeper(self.registry, self.config)
        self._stopping = False
        self._serve_thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._out_of_files = False  # warned once that accept() ran out of file descriptors
        self._threads = _HandlerThreads()  # socketserver's ThreadingMixIn appends and joins
        super().__init__((self.config.host, self.config.port), ChatRequestHandler)
        self.writer = WriterPool()  # after binding, so a refused port leaks no wake-up socket pair

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.server_address[:2]
        return str(host), int(port)

    @property
    def running(self) -> bool:
        return self._serve_thread is not None and not self._stopped.is_set()

    # -- lifecycle --
    def start(self) -> ChatServer:
        """Serve on a background thread; returns at once."""
        threading.stack_size(THREAD_STACK_BYTES)
        _allow_open_files(self.config.max_clients + 64)
        self.writer.start()
        self._serve_thread = threading.Thread(
            target=self.serve_forever, args=(ACCEPT_POLL_SECONDS,), name="chat-accept", daemon=True
        )
        self._serve_thread.start()
        self.housekeeper.start()
        host, port = self.address
        log.info("listening on %s port %d", host, port)
        self.registry.emit("server_started", address=self.address)
        return self

    def stop(self, reason: str = "The server is shutting down.") -> None:
        """Tell every client, hang up on them, join every thread, release the port."""
        if self._stopped.is_set():
            return
        with self.registry.lock:
            self._stopping = True
            sessions = list(self.registry.sessions)
            notice = server_frame("system", reason, event="shutdown")
            self.registry.deliver(sessions, notice)
            self.registry.deliver(sessions, server_frame("bye", reason))
        for session in sessions:
            session.hang_up("server shutdown")
        if self._serve_thread is not None:
            self.shutdown()
            self._serve_thread.join()
        self.housekeeper.stop()
        self.server_close()  # joins the handler threads, which wait for their outboxes
        self.writer.stop()
        self._stopped.set()
        log.info("stopped")
        with self.registry.lock:
            self.registry.emit("server_stopped")

    def __exit__(self, *args: object) -> None:
        self.stop()

    def get_request(self) -> tuple[socket.socket, Any]:
        """accept(), but out of file descriptors it pauses instead of spinning at 100% CPU."""
        try:
            return super().get_request()
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE):
                if not self._out_of_files:
                    log.warning(
                        "cannot accept more connections: %s (%d clients); raise the open-file limit or lower --max-clients",
                        exc.strerror,
                        len(self.registry.sessions),
                    )
                self._out_of_files = True
                time.sleep(ACCEPT_BACKOFF_SECONDS)
            raise

    # -- the life of one connection, called by its handler thread --
    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._threads.discard(threading.current_thread())

    def admit(self, session: Session) -> list[Frame] | None:
        """Register a new connection, or return the frames that refuse it."""
        with self.registry.lock:
            if self._stopping:
                return [
                    server_frame("system", "The server is shutting down.", event="shutdown"),
                    server_frame("bye", "The server is shutting down."),
                ]
            limit = self.config.max_clients
            if limit and len(self.registry.sessions) >= limit:
                log.warning("refused %s: server full (%d clients)", session.address_text, limit)
                return [
                    error_frame(ErrorCode.SERVER_FULL, f"The server is full ({limit} clients); try again later."),
                    server_frame("bye", "The server is full.", reason="server_full"),
                ]
            self.registry.add_session(session)
        return None

    def run_commands(self, session: Session, contents: list[str]) -> None:
        """Carry out command lines in order under one lock hold and queue every frame they cause; stop after QUIT."""
        with self.registry.lock:
            for content in contents:
                if session.closing:
                    return
                try:
                    deliveries = self.handlers.dispatch(session, content)
                except ProtocolError as exc:
                    deliveries = [([session], error_frame(exc.code, exc.message))]
                    if log.isEnabledFor(logging.DEBUG) or exc.code in (ErrorCode.NICK_TAKEN, ErrorCode.BAD_NICK):
                        log.info("refused %s from %s: %s", exc.code, session.nick or session.address_text, exc.message)
                for recipients, frame in deliveries:
                    self.registry.deliver(recipients, frame)
                    if frame["type"] in ("nick", "joined", "left"):
                        _log_change(session, frame)

    def end_session(self, session: Session) -> None:
        """Forget a connection and free its writer; runs on its handler thread at the end."""
        with self.registry.lock:
            for recipients, frame in self.handlers.leave(session, session.close_reason or "disconnected"):
                self.registry.deliver(recipients, frame)
            if session in self.registry.sessions:
                self.registry.remove_session(session)
        session.outbox.close()
        if not session.outbox.join(WRITER_JOIN_SECONDS):
            session.hang_up(session.close_reason)
            try:
                session.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            session.outbox.join()
        if session.nick or session.close_reason:
            log.info("%s disconnected (%s)", session.nick or session.address_text, session.close_reason or "closed")


def _log_change(session: Session, frame: Frame) -> None:
    """INFO lines for registrations, renames, joins and leaves (never message text)."""
    kind = frame["type"]
    if kind == "nick":
        old = frame.get("old")
        if old:
            log.info("%s renamed %s -> %s", session.address_text, old, session.nick)
        else:
            log.info("%s registered as %s", session.address_text, session.nick)
    else:
        log.info("%s %s #%s", session.nick, "joined" if kind == "joined" else "left", frame["room"])


def _allow_open_files(wanted: int) -> None:
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


def run_in_thread(config: ServerConfig | None = None) -> ChatServer:
    """Bind, start serving on background threads, return the server (call stop() to end)."""
    return ChatServer(config).start()
