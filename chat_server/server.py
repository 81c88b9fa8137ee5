"""ChatServer: the listening socket, the life of a connection, start and stop.

    serve thread (serve_forever) --process_request--> one ChatRequestHandler thread per client
    handler threads --run_commands--> CommandHandlers under ChatRegistry.lock --> outboxes
    writer thread (WriterPool): sends what the outboxes queued
    housekeeper thread: timeouts, the `rooms` push, expired RESUME tokens
    stop(): every client gets `system`/shutdown and `bye`; all threads are joined.

Who may come in (`admit`) lives in chat_server/admission.py and carrying
out a connection's lines (`run_commands`) in chat_server/command_runner.py,
both mixed into ChatServer like the admin actions.

Built on socketserver.TCPServer through its public hooks: `process_request`
starts the connection's thread, `handle_error` sends a handler's traceback
to the log, `server_close` joins the threads.  No log line, socket call or
other I/O happens while the registry lock is held: what to log is noted
under the lock and logged after it.

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

from chat_server.address_budget import AddressBudgets
from chat_server.address_log import AddressLogBudget, held_back_note
from chat_server.admin import AdminActions
from chat_server.admin_history import HistoryAdmin
from chat_server.admission import ConnectionAdmission, RefusalLog, allow_open_files
from chat_server.command_runner import CommandRunner
from chat_server.config import ServerConfig
from chat_server.farewells import shutdown_frames
from chat_server.files.sharing import FileSharing
from chat_server.folder_busy import FolderBusy
from chat_server.handlers import CommandHandlers
from chat_server.housekeeper import Housekeeper
from chat_server.identity.admin import IdentityAdmin
from chat_server.identity.wiring import build_identity
from chat_server.opening import Openings
from chat_server.outbox import WriterPool
from chat_server.registry import ChatRegistry
from chat_server.request_handler import FEATURES, ChatRequestHandler
from chat_server.resume_handoff import load_parked, save_parked
from chat_server.rooms_push import RoomsPush
from chat_server.session import Session
from chat_server.storage import open_storage
from chat_server.storage.history import TAIL_SIZE
from chat_server.tls.server_tls import load_server_tls
from shared.frame_text import collapse_blanks
from shared.frames import Frame
from shared.quoted_words import quoted

log = logging.getLogger("chat_server")

THREAD_STACK_BYTES = 512 * 1024  # far below the usual 8 MiB; json nests at most MAX_NESTING deep here
WRITER_JOIN_SECONDS = 2.0
ACCEPT_POLL_SECONDS = 0.05  # how long stop() may wait for the accept loop to notice (every test server pays it)
ACCEPT_BACKOFF_SECONDS = 0.1  # out of file descriptors: the listening socket stays readable, so wait, don't spin


class _HandlerThreads:
    """The live handler threads, for server_close() to join; each thread removes itself when it ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()

    def add(self, thread: threading.Thread) -> None:
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


class ChatServer(CommandRunner, ConnectionAdmission, AdminActions, IdentityAdmin, HistoryAdmin, socketserver.TCPServer):
    allow_reuse_address = True

    def __init__(self, config: ServerConfig | None = None) -> None:
        self.config = config or ServerConfig()
        self.request_queue_size = self.config.listen_backlog
        if ":" in self.config.host:
            self.address_family = socket.AF_INET6
        self.registry = ChatRegistry(self.config.resume_seconds)
        self.rooms_push = RoomsPush(self.registry)
        self._stopping = False
        self._serve_thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._out_of_files = False  # warned once that accept() ran out of file descriptors
        self._handler_threads = _HandlerThreads()
        self._refusals = RefusalLog()
        self._transport_refusals = RefusalLog()  # garbage, failed handshakes, plain under --require-tls
        self.address_budgets = AddressBudgets(self.config.rate_per_second, self.config.rate_burst)
        self.address_log = AddressLogBudget()  # "connection from", "disconnected": a budget per address
        # Before binding: a --cert that cannot be used stops the start with CertificateError, holding no port.
        self.tls = load_server_tls(self.config)
        self.openings = Openings(self.config.max_unregistered_per_address, self.config.max_per_address)
        super().__init__((self.config.host, self.config.port), ChatRequestHandler)
        # After binding, so a refused port leaks no wake-up socket pair and no open database.
        self.writer = WriterPool()
        try:
            self.storage = open_storage(
                self.config.data_dir,
                history=self.config.history,
                history_days=self.config.history_days,
                history_max_mb=self.config.history_max_mb,
                # A replay comes from memory, and knows if more exist.
                tail_size=max(TAIL_SIZE, self.config.replay + 1),
            )
        except FolderBusy:  # another live server has this data folder: do not run beside it (nor hold the port)
            self.socket.close()
            raise
        # Ids go on from the highest kept, and from the clock in ms at least: a data folder restored from a
        # backup (or a new one at the same address) would otherwise count again through ids the clients still
        # show, and a client drops a replayed id it has shown and deletes the line it shows under an id.
        # Ids from the clock are above any count of messages a server has given out since its last start.
        first_id_floor = int(time.time() * 1000) if self.config.history else 0
        self.registry.continue_ids_after(max(self.storage.messages.highest_id(), first_id_floor))
        self.who = build_identity(self.registry, self.storage, self.config)
        self.registry.ignores.load(self.storage.accounts.ignores_kept())  # account to account: kept across restarts
        self._resume_folder = self.storage.folder
        if self._resume_folder is not None:  # the last run's RESUME tokens (resume_handoff.py); nobody is served yet
            code_form = self.who.service.entered_form()  # a session that came in with another code asks again
            back = load_parked(
                self._resume_folder,
                self.registry.parked,
                time.monotonic(),
                time.time(),
                code_form,
                self.registry.superseded,
            )
            if back:
                log.info("%d connections of the last run may take their names back (RESUME)", back)
        self._sweep_unclaimed_rooms()
        self.files = FileSharing(self.registry, self.config, self.storage, self.who.service.sent_away_since)
        self.handlers = CommandHandlers(self.registry, self.config, self.rooms_push, self.storage, self.who, self.files)
        self.housekeeper = Housekeeper(self.registry, self.config, self.rooms_push)
        # The contract's optional features this server has switched on (the `welcome` frame lists them).
        self.features: list[str] = [*FEATURES, *(["history"] if self.config.history else []), *self.files.features()]
        # The welcome names them (request_handler.py): ids the last run lost when it stopped without closing.
        self.unsaved_ids = self.storage.unsaved_ids if self.config.history else None
        if self.tls is not None:
            self.features.append("tls")  # plain welcomes name it too: a plain client learns it could encrypt

    def _sweep_unclaimed_rooms(self) -> None:
        """Forget kept rooms with nothing left (storage/rooms.py), keeping those of guests who may RESUME."""
        keep = {parked.owner for _, parked in self.registry.parked.all() if parked.owner is not None}
        swept = self.storage.rooms.sweep_unclaimed(keep)
        if not swept:
            return
        with self.registry.lock:
            for name in swept:
                self.registry.room_index.discard(name)
        log.info("forgot %d kept rooms with no topic, key, account owner or message left", len(swept))

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
        allow_open_files(self.config.max_clients + 64)
        self.writer.start()
        self._serve_thread = threading.Thread(
            target=self.serve_forever, args=(ACCEPT_POLL_SECONDS,), name="chat-accept", daemon=True
        )
        self._serve_thread.start()
        self.housekeeper.start()
        self.files.start()
        host, port = self.address
        log.info("listening on %s port %d", host, port)
        if self.tls is not None:
            if self.tls.certificate.problem:
                log.warning("TLS certificate: %s", self.tls.certificate.problem)
            for line in self.tls.describe():
                log.info("%s", line.strip())
        else:
            log.warning("TLS is off (--no-tls): connections are not encrypted")
        # A store that could not open its folder or database has logged one warning saying so already;
        # the admin window, the banner and /history-info show its status (history_info()).
        with self.registry.lock:
            self.registry.emit("server_started", address=self.address)
        return self

    def stop(self, reason: str = "The server is shutting down.") -> None:
        """Tell every client, hang up on them, join every thread, release the port."""
        if self._stopped.is_set():
            return
        with self.registry.lock:
            self._stopping = True
            sessions = list(self.registry.sessions)
            for frame in shutdown_frames(reason):
                self.registry.deliver(sessions, frame)
            for session in sessions:
                session.outbox.close()  # the bye stays the last frame: nothing is queued after it
        for session in sessions:
            session.hang_up("server shutdown")
        self.openings.close_all()  # connections still in the first-byte wait or the TLS handshake
        self.files.stop()  # transfers under way end (resumable); their threads are joined below
        if self._serve_thread is not None:
            self.shutdown()
            self._serve_thread.join()
        self.housekeeper.stop()
        self.server_close()  # joins the handler threads, which wait for their outboxes
        if self._resume_folder is not None:  # every connection the stop ended is parked: hand them to the next run
            with self.registry.lock:
                parked = self.registry.parked.all()
                superseded = self.registry.superseded.all()  # copied here, written below off the lock
            kept = save_parked(self._resume_folder, parked, time.monotonic(), time.time(), superseded)
            if kept:
                log.info("%d RESUME tokens kept for the next start", kept)
        self.writer.stop()
        self.storage.close()  # after every handler: nothing appends any more
        self._stopped.set()
        log.info("stopped")
        with self.registry.lock:
            self.registry.emit("server_stopped")

    def __exit__(self, *args: object) -> None:
        self.stop()

    # -- socketserver's public hooks --
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

    def process_request(self, request: Any, client_address: Any) -> None:
        """One thread per connection (joined by server_close); called on the serve thread."""
        thread = threading.Thread(
            target=self._serve_connection, args=(request, client_address), name="chat-handler", daemon=False
        )
        self._handler_threads.add(thread)
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._handler_threads.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A handler thread raised: its traceback goes to the log (the admin window's log pane too), not to stderr."""
        log.error(
            "the connection from %s failed with an unexpected error", _address_text(client_address), exc_info=True
        )

    def server_close(self) -> None:
        super().server_close()
        self._handler_threads.join()

    # -- the life of one connection, called by its handler thread (admit, run_commands: the mixins) --
    def send_last(self, session: Session, frames: list[Frame], reason: str) -> None:
        """End a connection from its own handler thread: these frames, then nothing more (see Session.send_last)."""
        with self.registry.lock:
            session.send_last(*frames)
            session.end(reason)

    def end_session(self, session: Session) -> None:
        """Forget a connection and free its writer; runs on its handler thread at the end."""
        with self.registry.lock:
            if session.registered and session.keep_token and session.key is not None and session.token:
                room = session.room.name if session.room else None
                self.registry.parked.park(
                    session.key,
                    session.nick or "",
                    session.token,
                    room,
                    session.muted,
                    time.monotonic(),
                    account=session.account,
                    owner=session.guest_owner,
                    account_owner=session.account_owner if session.account is not None else None,
                    room_key_hash=session.room.key_hash if session.room else None,
                    address=session.computer,  # its share of the table: with --ipv6-prefix-length, the prefix
                    entered_code=session.entered_code,
                )
            for recipients, frame in self.handlers.leave(session):
                self.registry.deliver(recipients, frame)
            if session in self.registry.sessions:
                self.registry.remove_session(session)
                if session.address_budget is not None:
                    self.address_budgets.leave(session.computer)
        self.files.session_ended(session)  # off the lock: uploads never begun give their room back
        session.outbox.close()
        if not session.outbox.join(WRITER_JOIN_SECONDS):
            session.hang_up(session.close_reason)
            try:
                session.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            session.outbox.join()
        if session.nick or session.close_reason:
            held = self.address_log.take(session.host)
            if held is not None:
                why = session.close_reason or "closed"
                if session.said:
                    why += f": {quoted(collapse_blanks(session.said))}"  # padding cannot push a forged line to column 0
                note = held_back_note(held, session.host)
                log.info("%s disconnected (%s)%s", session.nick or session.address_text, why, note)


def _address_text(address: Any) -> str:
    try:
        host, port = address[0], address[1]
    except (TypeError, IndexError):
        return str(address)
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def run_in_thread(config: ServerConfig | None = None) -> ChatServer:
    """Bind, start serving on background threads, return the server (call stop() to end)."""
    return ChatServer(config).start()
