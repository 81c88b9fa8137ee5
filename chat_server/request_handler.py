"""The per-connection handler thread: read, split into lines, rate-limit, dispatch.

socketserver starts one ChatRequestHandler thread per accepted connection.
It is the only reader of its socket.  Frames it produces go to outboxes
(its own and other sessions'), never straight to a socket.
"""

from __future__ import annotations

import logging
import re
import select
import socket
import socketserver
import time
from typing import TYPE_CHECKING, cast

from chat_server.address_groups import computer_key
from chat_server.address_log import held_back_note
from chat_server.farewells import flood_bye, frame_too_large_bye
from chat_server.files.sharing import transfer_hand_off
from chat_server.handlers.listing import LIST_BURST
from chat_server.keepalive import enable_keepalive
from chat_server.opening import open_transport
from chat_server.outbox import SEND_FLAGS, SOCKETS_NEED_NONBLOCKING
from chat_server.rate_limit import FloodGuard, Refusal, TokenBucket
from chat_server.session import Session
from chat_server.telnet_input import TelnetStream, clean_telnet_line
from shared.errors import ErrorCode, ProtocolError
from shared.frames import PROTOCOL_VERSION, Frame, decode_frame, error_frame, server_frame
from shared.framing import FrameTooLarge, LineDecoder
from shared.tls_channel import TlsChannel, TlsError
from shared.tls_socket import TlsSocket
from shared.version import __version__

if TYPE_CHECKING:
    from chat_server.server import ChatServer

log = logging.getLogger("chat_server")

# recv() allocates its whole buffer before it blocks, so a quiet client's thread holds one all the
# time: 1 KiB while the last read was small (5,000 idle clients: about 30 MB less), 64 KiB while
# data is flowing.
IDLE_RECV_BYTES = 1024
BUSY_RECV_BYTES = 64 * 1024
SELECT_SECONDS = 1.0  # where sockets are non-blocking: how often a waiting reader checks for a hang-up
COMMANDS_PER_LOCK = 64  # bounds how long one sender holds the registry lock
# The kernel's send buffer of each connection (set_send_buffer): fixed, so a peer that never reads holds little.
KERNEL_SEND_BUFFER = 256 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
FREE_BLANK_LINES = 3  # a connection's first blank lines cost nothing (clients speak first with one)
TEXT_MODE_GREETING = "Text mode. Type /nick NAME to start, then /join general; /help lists the commands."
# With a join code the first step is PASS (NICK gets code_required before it): the welcome says so
# (the eleventh review found it saying "Choose a nickname" and only the refusal after it asking for the code).
CODE_FIRST = "This server needs the join code first: /pass CODE (the teacher shows it), then /nick NAME."
TEXT_MODE_CODE_GREETING = (
    "Text mode. Type /pass CODE (the join code the teacher shows), then /nick NAME, then /join general; "
    "/help lists the commands."
)
# What every server has switched on, of the contract's optional features (history, accounts, tls,
# files, presence); ChatServer.features adds those its settings switch on ("history"), and the
# identity service "accounts" when the database keeps them (IdentityService.features).
FEATURES: list[str] = ["presence"]
# A command line as both clients and the benchmark write it, {"type":"command","content":"..."} with no
# escape, quote or control character in the text: its content is the bytes between the quotes, which is
# all decode_frame would find (nothing nests, nothing is escaped, UTF-8 is checked by decode()).  The
# message path's most common line, 4.4 to 1.5 us; every other line goes through decode_frame.
_PLAIN_COMMAND = re.compile(rb'\{"type":"command","content":"([^"\\\x00-\x1f]*)"\}')


def _telnet_speaks_first(sock: socket.socket) -> bool:
    """Whether the connection's first byte, if it is here already, is telnet's IAC (never read; no waiting).

    PuTTY in telnet mode offers its options the moment it connects, and the
    first-byte sniff (chat_server/opening.py) has waited for that byte when
    TLS is on: such a client is a person at a terminal, so the connection is
    in text mode from the start and its `welcome` a readable line, not JSON
    (the tenth review).  Without TLS the sniff waits TELNET_WAIT_SECONDS
    for it (opening.py; the eleventh review found PuTTY's users reading JSON).
    """
    try:
        return sock.recv(1, socket.MSG_PEEK | SEND_FLAGS) == b"\xff"
    except OSError:  # nothing yet (BlockingIOError), or gone: the read loop finds out
        return False


class Disconnect:
    """prepare_line's answer when the line ends the connection: these frames, then close."""

    def __init__(self, frames: list[Frame], reason: str) -> None:
        self.frames = frames
        self.reason = reason


def set_send_buffer(sock: socket.socket) -> None:
    """Fix the kernel's send buffer at KERNEL_SEND_BUFFER (no socket I/O; a refusal leaves the system's default).

    Left to itself, Linux grows a socket's send buffer up to tcp_wmem's
    largest (4 MiB here) for a peer that does not read, on top of the
    outbox's --max-outbound-bytes: a probe's 190 connections that asked for
    history and never read held 2.7 MB each in the kernel.  A fixed buffer
    (the kernel doubles it for its own bookkeeping) bounds that; on a LAN
    it still lets a connection move hundreds of megabytes a second.
    """
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, KERNEL_SEND_BUFFER)
    except OSError:
        pass


class ChatRequestHandler(socketserver.BaseRequestHandler):
    server: ChatServer

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        set_send_buffer(self.request)
        config = self.server.config
        enable_keepalive(self.request, config)
        if SOCKETS_NEED_NONBLOCKING:
            self.request.setblocking(False)
        self.session = Session(
            self.request,
            self.client_address,
            config.max_outbound_bytes,
            TokenBucket(config.rate_per_second, config.rate_burst),
            self.server.writer,
            FloodGuard(config.flood_seconds),
            TokenBucket(1 / config.list_interval if config.list_interval else 0, LIST_BURST),
        )
        self.session.computer = computer_key(self.session.host, config.ipv6_prefix_length)
        self.mode_known = False
        self.free_blank_lines = FREE_BLANK_LINES
        self.telnet = TelnetStream()

    def _text_mode_greeting(self) -> str:
        """The first text-mode line: where to start, the join code first when the server has one."""
        return TEXT_MODE_CODE_GREETING if self.server.join_code() is not None else TEXT_MODE_GREETING

    def handle(self) -> None:
        session = self.session
        opened = open_transport(self.server, session)  # TLS or plain, by the first byte (chat_server/opening.py)
        if opened is None:
            return
        refusal = self.server.admit(session)
        if refusal is not None:
            session.send_last(*refusal)  # not in the registry: nobody else can queue anything for it
            return
        held = self.server.address_log.take(session.host)
        if held is not None:
            log.info("connection from %s%s", session.address_text, held_back_note(held, session.host))
        first_step = CODE_FIRST if self.server.join_code() is not None else "Choose a nickname: /nick NAME."
        welcome = server_frame(
            "welcome",
            f"Welcome to {self.server.config.name}. {first_step} /help lists the commands.",
            server=f"{self.server.config.name} {__version__}",
            protocol=PROTOCOL_VERSION,
            features=[*self.server.features, *self.server.who.service.features()],
        )
        if self.server.unsaved_ids is not None:  # so clients tell messages lost in a crash from deleted ones
            welcome["unsaved_ids"] = list(self.server.unsaved_ids)
        sock = self.request
        channel = session.outbox.channel
        telnet = channel is None and _telnet_speaks_first(sock)
        if telnet:  # no JSON for a telnet user to read past: the welcome is its first text-mode line
            session.text_mode = self.mode_known = True
        session.send(welcome)
        if telnet:
            session.send(server_frame("system", self._text_mode_greeting(), event="text_mode"))
        decoder = LineDecoder()
        recv_bytes = IDLE_RECV_BYTES
        early = opened.early  # plaintext that came with the TLS handshake
        try:
            while not session.closing:
                if early:
                    data, early = early, b""
                else:
                    data = self.receive(sock, recv_bytes)
                    recv_bytes = BUSY_RECV_BYTES if len(data) >= IDLE_RECV_BYTES else IDLE_RECV_BYTES
                    if data and channel is not None:
                        plaintext = self.decrypt(channel, data)
                        if plaintext is None:
                            break
                        if not plaintext:
                            continue  # a TLS record with no chat data in it
                        data = plaintext
                if not data:
                    if not session.closing:
                        session.close_reason = "client closed the connection"
                    break
                if session.text_mode or not self.mode_known:
                    data, answer = self.telnet.feed(data)  # telnet's CR NUL and Ctrl+C (telnet_input.py)
                    if answer:
                        session.outbox.put(answer)
                try:
                    lines = decoder.feed(data)
                except FrameTooLarge as exc:
                    self.handle_lines(exc.lines_before)
                    if session.closing:  # one of those lines was QUIT: its bye was the last word
                        break  # type: ignore[unreachable]  # mypy keeps the loop condition's narrowing
                    self.server.send_last(
                        session, [error_frame(exc.code, exc.message), frame_too_large_bye()], "frame too large"
                    )
                    break
                if not self.mode_known and (transfer := transfer_hand_off(lines, decoder)) is not None:
                    hello, leftover = transfer  # a transfer connection, not a chat client
                    if channel is None:
                        self.server.files.serve(session, sock, hello, leftover)
                    else:  # encrypted like the chat: the transfer reads and writes through the same TLS channel
                        self.server.files.serve(
                            session, cast(socket.socket, TlsSocket(sock, channel, leftover)), hello, b""
                        )
                    break
                self.handle_lines(lines)
        except OSError as exc:
            session.close_reason = session.close_reason or f"connection error: {exc}"

    def receive(self, sock: socket.socket, size: int) -> bytes:
        """recv(), waiting for input first where client sockets are non-blocking (see outbox.SEND_FLAGS)."""
        while True:
            try:
                return sock.recv(size)
            except BlockingIOError:
                if self.session.closing:
                    return b""
                select.select([sock], [], [], SELECT_SECONDS)

    def decrypt(self, channel: TlsChannel, data: bytes) -> bytes | None:
        """The plaintext in what a TLS client sent (often b""); None when the connection must end."""
        session = self.session
        try:
            plaintext = channel.feed(data)
        except TlsError as exc:
            session.close_reason = session.close_reason or str(exc)
            return None
        if channel.wants_write:
            session.outbox.put(b"")  # the TLS layer has an answer of its own (a key update): wake the writer
        if channel.peer_closed and not plaintext:
            session.close_reason = session.close_reason or "client closed the connection"
            return None
        return plaintext

    def finish(self) -> None:
        self.server.end_session(self.session)

    def handle_lines(self, lines: list[bytes]) -> None:
        """Carry out the lines of one read in order, taking the registry lock once per run of commands.

        A flat-out sender's read holds dozens of commands; one lock hold for
        them instead of one each spares the other handler threads a lock
        convoy.  Replies to refused lines keep their place in the order.
        """
        session = self.session
        commands: list[str] = []
        for line in lines:
            reply = self.prepare_line(line)
            if isinstance(reply, str):
                commands.append(reply)
                if len(commands) < COMMANDS_PER_LOCK:
                    continue
            if commands:
                self.server.run_commands(session, commands)
                commands = []
            if session.closing:
                return
            if isinstance(reply, Disconnect):
                self.server.send_last(session, reply.frames, reply.reason)
                return
            if reply is not None and not isinstance(reply, str):
                session.send(reply)
        if commands:
            self.server.run_commands(session, commands)

    def prepare_line(self, line: bytes) -> str | Frame | Disconnect | None:
        """The command in one line; or the error frame that refuses it, or what ends the connection; None to say nothing."""
        session = self.session
        if line.endswith(b"\r"):
            line = line[:-1]
        if session.text_mode or (not self.mode_known and not line.removeprefix(UTF8_BOM).lstrip().startswith(b"{")):
            line = clean_telnet_line(line)  # a real telnet's negotiation, Ctrl+C and backspaces (telnet_input.py)
        if not line.strip():
            # Said nothing, but paid for after the first few (the bundled clients speak first with one):
            # twenty connections sending only newlines as fast as TCP allowed took 84% of a core and slowed
            # everyone's PING to 180 ms, unlimited (a probe).
            if self.free_blank_lines:
                self.free_blank_lines -= 1
                return None
            if session.bucket.allow() or session.flood.refuse_command() is not Refusal.DISCONNECT:
                return None
            return Disconnect([flood_bye(self.server.config.flood_seconds)], "flooding")
        session.last_heard = time.monotonic()
        if not self.mode_known:
            self.mode_known = True
            line = line.removeprefix(UTF8_BOM)  # what Windows tools put before the first line
            if not line.lstrip().startswith(b"{"):
                session.text_mode = True
                session.send(server_frame("system", self._text_mode_greeting(), event="text_mode"))
        if not session.bucket.allow():
            refusal = session.flood.refuse_command()
            if refusal is Refusal.DISCONNECT:
                return Disconnect([flood_bye(self.server.config.flood_seconds)], "flooding")
            if refusal is Refusal.DROP:
                return None
            return error_frame(
                ErrorCode.RATE_LIMITED,
                "Slow down: too many commands. They are not carried out, and further ones this second get no answer.",
            )
        try:
            return self.command_content(line)
        except ProtocolError as exc:
            return error_frame(exc.code, exc.message, **exc.fields)

    def command_content(self, line: bytes) -> str:
        if self.session.text_mode:
            try:
                return line.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(
                    ErrorCode.BAD_FRAME, "That line is not valid UTF-8; set your terminal to UTF-8."
                ) from None
        plain = _PLAIN_COMMAND.fullmatch(line)
        if plain is not None:  # what decode_frame would find, without the JSON scanner (see _PLAIN_COMMAND)
            try:
                return plain[1].decode("utf-8")
            except UnicodeDecodeError:
                pass  # decode_frame refuses it with its own words
        frame = decode_frame(line)
        if frame["type"] != "command":
            raise ProtocolError(ErrorCode.BAD_FRAME, 'Clients send frames of type "command" only.')
        content = frame.get("content")
        if not isinstance(content, str):
            raise ProtocolError(ErrorCode.BAD_FRAME, 'A command frame needs a string "content", e.g. "/join general".')
        return content
