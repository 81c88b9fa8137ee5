"""Raw-socket clients for black-box tests: JSON frames checked against the contract, and text mode.

These speak to the server exactly as an outside client would (no code of the
client side in between) and check every server frame they receive against
shared/PROTOCOL.md: the three common fields, each type's required fields, a
known error code, and live `message`/`private` ids increasing per client.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable

from chat_gui.core.tls_client import client_context
from chat_server.telnet_input import WONT_TIMING_MARK
from shared.errors import ErrorCode, ProtocolError
from shared.frame_types import FRAME_TYPES, check_server_frame
from shared.frames import Frame, command_frame, encode_frame
from shared.framing import FrameDecoder
from shared.tls_channel import TlsChannel, run_handshake

DEADLINE = 15.0  # generous: the test machine is shared and loaded

TIMESTAMP = re.compile(r"\d\d:\d\d:\d\d")
UTC_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def check_frame(frame: Frame) -> None:
    """Fail unless `frame` is a server frame as the contract describes it (the shapes of shared.frame_types)."""
    assert isinstance(frame.get("type"), str), frame
    assert frame["type"] in FRAME_TYPES, f"unknown frame type: {frame}"
    try:
        check_server_frame(frame)
    except ProtocolError as exc:
        raise AssertionError(f"{exc.message}: {frame}") from None
    assert TIMESTAMP.fullmatch(frame["timestamp"]), frame
    assert isinstance(frame.get("time"), str) and UTC_TIME.fullmatch(frame["time"]), frame
    if frame["type"] == "welcome":
        assert frame["protocol"] in (1, 2), frame
    if frame["type"] == "error":
        assert frame["code"] in {code.value for code in ErrorCode}, frame
    if frame["type"] == "list":
        for room in frame["rooms"]:
            assert isinstance(room.get("name"), str) and isinstance(room.get("users"), list), frame


def receive_before(sock: socket.socket, deadline: float, waiting_for: str) -> bytes:
    """One recv() that gives up at `deadline`; a reset counts as the end of the stream (b"")."""
    sock.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        return sock.recv(65536)
    except TimeoutError:
        raise TimeoutError(f"no {waiting_for} before the deadline") from None
    except ConnectionResetError:
        return b""


class Closed(AssertionError):
    """The server closed the connection while a frame was still expected."""


PUSHES = frozenset(["rooms"])  # frames the server sends by itself, at times no test can foresee


class WireClient:
    """A JSON-mode client on a plain socket (or over TLS with `tls=True`); every frame it receives is checked.

    The `rooms` push comes when the server decides, so unless a test asks
    for pushes (`pushes=True`) they are kept aside in `self.pushes` and
    `next()` returns only the answers and notices a test can expect.  The
    replay after every `joined` (history messages and a `history` frame) is
    kept aside the same way in `self.replayed` unless `replays=True`.  Every
    line received is at most MAX_FRAME_BYTES, or the decoder refuses it.
    """

    def __init__(
        self,
        address: tuple[str, int],
        welcome: bool = True,
        pushes: bool = False,
        source: str | None = None,
        replays: bool = False,
        tls: bool = False,
        speak_first: bool = True,
    ) -> None:
        self.sock = socket.create_connection(address, timeout=DEADLINE, source_address=(source, 0) if source else None)
        # TLS: the handshake here, then every frame through the channel.  Plain: a blank line first (the server
        # ignores it), so a server with TLS on sees a plain client at once instead of waiting for its first byte.
        self.channel: TlsChannel | None = None
        early = b""
        if tls:
            self.channel = TlsChannel(client_context(), server_side=False)
            early = run_handshake(self.sock, self.channel, DEADLINE)
            self.sock.settimeout(DEADLINE)
        elif speak_first:
            self.sock.sendall(b"\n")
        self._decoder = FrameDecoder()
        self._ready: list[Frame] = []
        self._keep_pushes = pushes
        self._keep_replays = replays
        self._replaying = False  # between a `joined` and the `history` frame that ends its replay
        self.replayed: list[Frame] = []  # the replays kept aside
        self.received: list[Frame] = []  # every frame, in order
        self.pushes: list[Frame] = []  # the pushes kept aside
        self.bytes_received = 0
        self.closed = False
        self._last_id = 0
        self._early = early
        if welcome:
            self.expect("welcome")

    # -- sending --
    def send(self, content: str) -> None:
        self.send_raw(encode_frame(command_frame(content)))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data if self.channel is None else self.channel.encrypt(data))

    def close(self) -> None:
        self.sock.close()

    # -- receiving --
    def _fill(self, deadline: float) -> None:
        while not self._ready:
            if self.closed:
                raise Closed("the connection is closed")
            if self._early:
                data, self._early = self._early, b""
            else:
                data = receive_before(self.sock, deadline, "frame")
                if not data:
                    self.closed = True
                    continue
                self.bytes_received += len(data)
                if self.channel is not None:
                    data = self.channel.feed(data)
                    if self.channel.peer_closed and not data:
                        self.closed = True
                        continue
            for item in self._decoder.feed(data):
                assert isinstance(item, dict), f"the server sent a bad line: {item}"
                check_frame(item)
                if item["type"] in ("message", "private") and not item.get("history"):
                    # Live messages come in id order; history answers (replay, HISTORY) carry older ids.
                    assert item["id"] > self._last_id, f"id {item['id']} after {self._last_id}"
                    self._last_id = item["id"]
                self.received.append(item)
                if item["type"] in PUSHES and not self._keep_pushes:
                    self.pushes.append(item)
                elif self._is_replay(item) and not self._keep_replays:
                    self.replayed.append(item)
                else:
                    self._ready.append(item)

    def _is_replay(self, frame: Frame) -> bool:
        """Whether a frame belongs to the replay after `joined` (its history messages and closing `history` frame)."""
        if frame["type"] == "joined":
            self._replaying = True
        elif frame["type"] == "history" and frame.get("direction") == "replay":
            self._replaying = False
            return True
        return self._replaying and frame["type"] in ("message", "private") and bool(frame.get("history"))

    def next(self, timeout: float = DEADLINE) -> Frame:
        self._fill(time.monotonic() + timeout)
        return self._ready.pop(0)

    def expect(self, match: str | Callable[[Frame], bool], timeout: float = DEADLINE) -> Frame:
        """The next frame that matches (a type name or a predicate); frames before it are skipped."""
        predicate = (lambda frame: frame["type"] == match) if isinstance(match, str) else match
        deadline = time.monotonic() + timeout
        while True:
            frame = self.next(max(0.0, deadline - time.monotonic()))
            if predicate(frame):
                return frame

    def reply(self, content: str, timeout: float = DEADLINE) -> Frame:
        """Send a command and return the next frame (for commands answered only to the sender)."""
        self.send(content)
        return self.next(timeout)

    def error(self, content: str) -> str:
        """Send a command that must be refused; return the error code."""
        frame = self.reply(content)
        assert frame["type"] == "error", f"{content!r} was not refused: {frame}"
        return frame["code"]

    def rest_until_closed(self, timeout: float = DEADLINE) -> list[Frame]:
        """Every frame until the server closes the connection."""
        frames: list[Frame] = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                frames.append(self.next(max(0.0, deadline - time.monotonic())))
        except Closed:
            return frames

    def register(self, nick: str, room: str | None = None) -> WireClient:
        assert self.reply(f"NICK {nick}")["type"] == "nick"
        if room is not None:
            self.send(f"JOIN {room}")
            self.expect("joined")
        return self


class TextClient:
    """An nc/telnet user: sends plain lines, reads human-readable lines back."""

    def __init__(self, address: tuple[str, int], source: str | None = None, telnet: bool = False) -> None:
        self.sock = socket.create_connection(address, timeout=DEADLINE, source_address=(source, 0) if source else None)
        self._buffer = b""
        self.closed = False
        # Sending telnet's DO TIMING-MARK gets IAC WONT TIMING-MARK back (chat_server/telnet_input.py): a telnet
        # client takes it out of the stream; with telnet=True so does this one, and every line is still UTF-8.
        self.telnet = telnet

    def send_line(self, text: str, ending: str = "\n") -> None:
        self.sock.sendall((text + ending).encode("utf-8"))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.sock.close()

    def next_line(self, timeout: float = DEADLINE) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            if self.closed:
                raise Closed("the connection is closed")
            data = receive_before(self.sock, deadline, f"line (have {self._buffer!r})")
            if not data:
                self.closed = True
            self._buffer += data
        raw, self._buffer = self._buffer.split(b"\n", 1)
        if self.telnet:
            raw = raw.replace(WONT_TIMING_MARK, b"")
        return raw.decode("utf-8")

    def expect(self, pattern: str, timeout: float = DEADLINE) -> str:
        """The next line that matches the regular expression; lines before it are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(0.0, deadline - time.monotonic()))
            if re.search(pattern, line):
                return line

    def rest_until_closed(self, timeout: float = DEADLINE) -> list[str]:
        lines = []
        try:
            while True:
                lines.append(self.next_line(timeout))
        except Closed:
            if self._buffer:
                lines.append(self._buffer.decode("utf-8"))
            return lines


class Collector:
    """Reads a WireClient on a thread of its own until the connection closes, keeping every frame.

    For tests in which a client must keep reading while the test thread does
    something else; only the collector's thread reads the client from then on.
    """

    def __init__(self, client: WireClient) -> None:
        self.client = client
        self.frames: list[Frame] = []
        self.error: BaseException | None = None
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="collector", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                frame = self.client.next(timeout=60)
                with self._changed:
                    self.frames.append(frame)
                    self._changed.notify_all()
        except Closed:
            pass
        except BaseException as exc:  # reported by wait_for on the test's thread
            self.error = exc
        with self._changed:
            self._changed.notify_all()

    def wait_closed(self, timeout: float = DEADLINE) -> None:
        """Wait until the reading thread has seen the connection end."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the connection did not end"

    def of_type(self, frame_type: str) -> list[Frame]:
        with self._changed:
            return [frame for frame in self.frames if frame["type"] == frame_type]

    def wait_for(self, frame_type: str, count: int, timeout: float = DEADLINE) -> list[Frame]:
        """Wait until `count` frames of the type have arrived; return them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [frame for frame in self.frames if frame["type"] == frame_type]
                if len(found) >= count:
                    return found
                if self.error is not None:
                    raise AssertionError(f"the collector failed: {self.error!r}")
                if not self._thread.is_alive():
                    raise AssertionError(f"the connection closed after {len(found)} {frame_type} frames")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"only {len(found)} of {count} {frame_type} frames arrived")
                self._changed.wait(remaining)


def nothing_more(client: WireClient) -> list[dict]:
    """Every frame the client gets before the answer to a PING sent now (the server answers in order)."""
    client.send("PING fence")
    frames = []
    while True:
        frame = client.next()
        if frame["type"] == "pong" and frame["content"] == "fence":
            return frames
        frames.append(frame)
