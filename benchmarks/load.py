"""A load process: many client sockets in one selector loop, driven by the controller over a pipe.

    controller --"connect"--> LoadProcess: connect, register, join; reply with timings
    controller --"run"------> LoadProcess: send (at a rate or flat out), receive, reply with counts
    controller --"close"----> LoadProcess: close every socket and exit

With `tls` set (a ClassChat server started with --require-tls) every client
speaks TLS: its socket stays non-blocking in the selector loop and TLS runs
on a shared.tls_channel TlsChannel over memory buffers.  The handshake is
driven by the same reads and writes as everything else; what the client
wants to say before it has finished (its NICK) waits in `plain_waiting`.

Each load process runs in its own OS process with one thread, so the
generator can use every core the server does not.  Receiving is kept cheap
(one regular expression over each batch of complete lines); only "probe"
clients parse every token for latency and per-sender order, the others
count tokens and fold them into a CRC so the controller can check that all
members of a room saw the same order.  In a typing run the typists' TYPING
and the count of `typing` frames received are benchmarks/typing_load.py's.
"""

from __future__ import annotations

import errno
import gc
import os
import selectors
import socket
import time
import zlib
from multiprocessing.connection import Connection

from benchmarks.load_client import Client, LatencyBook
from benchmarks.load_plan import ClientPlan, RunPlan
from benchmarks.procstat import own_cpu_seconds
from benchmarks.typing_load import TypingLoad
from benchmarks.wire import DIALECTS, PONG_RE, TOKEN_RE, Dialect, message_token
from chat_gui.core.tls_client import client_context
from shared.tls_channel import TlsChannel, TlsError

# What one recv() may take.  Read into one buffer kept for the process: a plain recv(256 KiB) allocates
# its result at full size first, which glibc serves with mmap/munmap and fresh pages each time, about
# 20 us a call that a chat line's receipt paid and the latency figures counted as the server's.
RECV_BYTES = 256 * 1024
SETUP_TIMEOUT = 60.0  # per phase
QUIET_SECONDS = 0.3  # no data for this long: the setup traffic is over
BACKLOG_QUIET_S = 0.001  # fixed rate: a select that finds nothing for this long ends a burst of input
BACKLOG_MAX_NS = 10_000_000  # ... and input waits no longer than this to be decrypted and parsed all the same


class LoadProcess:
    def __init__(
        self, host: str, port: int, dialect_name: str, plans: list[ClientPlan], pipe: Connection, tls: bool = False
    ) -> None:
        self.host = host
        self.port = port
        self.tls_context = client_context() if tls else None
        self.dialect: Dialect = DIALECTS[dialect_name]
        self.plans = plans
        self.pipe = pipe
        self.selector = selectors.DefaultSelector()
        self.clients: list[Client] = []
        self.latency = LatencyBook()
        self.typing: TypingLoad | None = None  # typists and the typing-frame count, during a typing run only
        self._recv_buffer = bytearray(RECV_BYTES)
        self._recv_view = memoryview(self._recv_buffer)

    # -- the controller's commands --
    def serve(self) -> None:
        while True:
            command, argument = self.pipe.recv()
            if command == "connect":
                self.pipe.send(self.connect_all(argument))
            elif command == "run":
                self.pipe.send(self.run(argument))
            elif command == "close":
                self.close_all()
                self.pipe.send("closed")
                return

    def connect_all(self, window: int) -> dict:
        """Connect and register every client, at most `window` at a time (0: all at once, as a class does)."""
        cpu_before = own_cpu_seconds()
        started = time.monotonic()
        failures: list[str] = []
        plans = list(reversed(self.plans))

        def start_more(waiting: dict[int, Client]) -> bool:
            while plans and (not window or len(waiting) < window):
                client = self.open_client(plans.pop(), failures)
                if client is not None:
                    waiting[id(client)] = client
            return bool(plans)

        failures += self.wait_for_markers(lambda c: self.dialect.registered_marker(), start_more)
        registered = time.monotonic()
        registered_count = sum(1 for client in self.clients if client.sock.fileno() >= 0)
        for client in self.clients:
            if client.plan.room is not None and client.sock.fileno() >= 0:
                self.write(client, self.dialect.join(client.plan.room))
        failures += self.wait_for_markers(lambda c: self.dialect.joined_marker(c.plan.room) if c.plan.room else b"")
        self.drain_until_quiet()
        return {
            "registered": registered_count,
            "registered_at": registered,
            "started_at": started,
            "failures": failures[:5],
            "failed": len(failures),
            "cpu": own_cpu_seconds() - cpu_before,
        }

    def open_client(self, plan: ClientPlan, failures: list[str]) -> Client | None:
        """Start a non-blocking connect; the NICK goes out as soon as the socket is writable."""
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as exc:  # typically too many open files: see the limit printed at the start
            failures.append(f"socket: {exc}")
            return None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        error = sock.connect_ex((self.host, self.port))
        if error not in (0, errno.EINPROGRESS):
            failures.append(f"connect: {os.strerror(error)}")
            sock.close()
            return None
        marker_char = b'"' if self.dialect.echoes_sender else b":"
        client = Client(plan, sock, marker_char + b"M%d." % plan.index)
        if self.tls_context is not None:
            client.channel = TlsChannel(self.tls_context, server_side=False)
            client.handshaking = True
            client.outgoing += client.channel.handshake_step(b"")[1]  # the ClientHello
            client.plain_waiting += self.dialect.register(f"b{plan.index}")
        else:
            client.outgoing += self.dialect.register(f"b{plan.index}")
        client.writing = True
        self.clients.append(client)
        self.selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, client)
        return client

    def wait_for_markers(self, marker_of, start_more=None) -> list[str]:
        """Read until every client's answer holds its marker; drop clients that fail.

        `start_more(waiting)` may add clients as others finish; it says whether any are left to add.
        """
        waiting = {id(c): c for c in self.clients if marker_of(c) and c.sock.fileno() >= 0}
        for client in waiting.values():
            client.setup_seen = b""
        deadline = time.monotonic() + SETUP_TIMEOUT
        failures: list[str] = []
        more = start_more(waiting) if start_more else False
        while (waiting or more) and time.monotonic() < deadline:
            if start_more:
                more = start_more(waiting)
            for key, _events in self.selector.select(timeout=1.0):
                client = key.data
                if _events & selectors.EVENT_WRITE:
                    if not client.connected:
                        error = client.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if error:
                            waiting.pop(id(client), None)
                            self.drop(client)
                            failures.append(f"connect: {os.strerror(error)}")
                            continue
                        client.connected = True
                    self.flush(client)
                if not _events & selectors.EVENT_READ:
                    continue
                try:
                    data = self.recv(client)
                except BlockingIOError:
                    continue
                except (OSError, TlsError) as exc:
                    data = None
                    failures.append(f"setup: {exc}")
                if data is None:
                    waiting.pop(id(client), None)
                    self.drop(client)
                    failures.append(f"setup: b{client.plan.index} closed: {client.setup_seen[-200:]!r}")
                    continue
                if id(client) in waiting:
                    # Keep only a tail: the marker may straddle two reads.
                    client.setup_seen = client.setup_seen[-64:] + data
                    if marker_of(client) in client.setup_seen:
                        del waiting[id(client)]
        failures += [f"setup: b{c.plan.index} timed out" for c in waiting.values()]
        if more:
            failures.append("setup: not every client was started before the deadline")
        for client in waiting.values():
            self.drop(client)
        return failures

    def drain_until_quiet(self) -> None:
        """Read away the join notices still on their way, so that the timed run measures only its own traffic."""
        deadline = time.monotonic() + SETUP_TIMEOUT
        while time.monotonic() < deadline:
            events = self.selector.select(timeout=QUIET_SECONDS)
            if not events:
                return
            for key, _events in events:
                try:
                    data = self.recv(key.data)
                except BlockingIOError:
                    continue
                except (OSError, TlsError):
                    data = None
                if data is None:
                    self.drop(key.data)

    def run(self, run_plan: RunPlan) -> dict:
        start_ns = run_plan.start_ns or time.monotonic_ns()
        # Nothing goes out before the shared start (flat out too): the run's time is counted from it.
        time.sleep(max(0, start_ns - time.monotonic_ns()) / 1e9)
        cpu_before = own_cpu_seconds()
        # No cyclic garbage collection while measuring: one load process holds the state of dozens of clients, and
        # a collection of it (up to 6 ms measured) stops all of them at once, which read as server latency.  The
        # server's own collections still count.  The few cycles made meanwhile are collected after the run.
        gc.disable()
        try:
            return self._run(run_plan, start_ns, cpu_before)
        finally:
            gc.enable()
            self.typing = None

    def _run(self, run_plan: RunPlan, start_ns: int, cpu_before: float) -> dict:
        senders = [c for c in self.clients if c.plan.sender]
        total = run_plan.messages_per_sender
        echoes = self.dialect.echoes_sender
        for client in self.clients:
            client.pending = b""
        deadline = time.monotonic() + run_plan.deadline_seconds
        interval_ns = int(1e9 / run_plan.rate) if run_plan.rate else 0
        offsets = {id(c): int(c.plan.send_phase * interval_ns) for c in senders}
        typing = self.typing = (
            TypingLoad.for_clients(self.clients, start_ns, run_plan.typing_seconds, self.dialect)
            if run_plan.typing_seconds
            else None
        )
        unfinished = {
            id(c): c for c in self.clients if c.received - c.own_received < run_plan.expected.get(c.plan.index, 0)
        }
        backlog: list[tuple[Client, bytes | None, int]] = []  # bytes received, not yet decrypted and parsed
        while time.monotonic() < deadline:
            timeout = 0.5
            # A sender is done once its messages are out, answered and (where the server echoes) back: the room-order
            # check compares its stream with the others', and a last echo still on its way would read as a reorder.
            busy_senders = [
                c
                for c in senders
                if c.next_seq < total or c.pings_answered < c.pings_sent or (echoes and c.own_received < c.next_seq)
            ]
            if not unfinished and not busy_senders and (typing is None or typing.window_over(time.monotonic_ns())):
                break
            if interval_ns:
                now_ns = time.monotonic_ns()
                for client in senders:
                    while (
                        client.next_seq < total
                        and start_ns + offsets[id(client)] + client.next_seq * interval_ns <= now_ns
                    ):
                        token = message_token(client.plan.index, client.next_seq, time.monotonic_ns())
                        self.write(client, self.dialect.say(client.plan.room or "", token))
                        client.next_seq += 1
                due = [start_ns + offsets[id(c)] + c.next_seq * interval_ns for c in senders if c.next_seq < total]
                if due:
                    timeout = max(0.0, min(timeout, (min(due) - time.monotonic_ns()) / 1e9))
            else:
                for client in senders:
                    self.fill_window(client, run_plan)
            if typing is not None:
                now_ns = time.monotonic_ns()
                typing.send_due(now_ns, self.write)
                timeout = typing.timeout(now_ns, timeout)
            # Two passes: first take every ready socket's bytes (noting when each recv returned), then
            # decrypt and parse them.  A message's latency then ends when its client had the bytes, not
            # after the clients ahead of it in this batch were decrypted and parsed too: the generator's
            # own work (which TLS makes several times larger) stays out of the server's figure.  At a fixed
            # rate the second pass waits for a moment without input (BACKLOG_QUIET_S, at most BACKLOG_MAX_NS):
            # the decrypting and parsing then run between the server's fan-outs, not on a core the server's
            # writer needs in the middle of one.  Flat out, the replies are needed at once (each PONG lets the
            # next batch go).
            if backlog:
                timeout = min(timeout, BACKLOG_QUIET_S)
            ready = self.selector.select(timeout=timeout)
            closed = False  # a connection that ended is dropped at once (its socket would stay readable)
            for key, events in ready:
                client = key.data
                if events & selectors.EVENT_WRITE:
                    self.flush(client)
                if events & selectors.EVENT_READ:
                    try:
                        data: bytes | None = self.recv_bytes(client.sock) or None
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        data = None
                    backlog.append((client, data, time.monotonic_ns()))
                    closed = closed or data is None
            if not backlog:
                continue
            if interval_ns and ready and not closed and time.monotonic_ns() - backlog[0][2] < BACKLOG_MAX_NS:
                continue
            self.digest(backlog, unfinished, run_plan.expected)
        self.digest(backlog, unfinished, run_plan.expected)  # the deadline passed with input still waiting
        return {
            "cpu": own_cpu_seconds() - cpu_before,
            "start_ns": start_ns,
            "clients": [
                {
                    "index": c.plan.index,
                    "room": c.plan.room,
                    "sender": c.plan.sender,
                    "probe": c.plan.probe,
                    "others": c.received - c.own_received,
                    "own": c.own_received,
                    "sent": c.next_seq,
                    "crc": c.crc,
                    "order_violations": c.order_violations,
                    "last_receive_ns": c.last_receive_ns,
                }
                for c in self.clients
            ],
            "latency_histogram": self.latency.histogram,
            "latency_max_ns": self.latency.max_ns,
            "typing": typing.report() if typing is not None else None,
        }

    # -- sending --
    def fill_window(self, client: Client, run_plan: RunPlan) -> None:
        """Flat out: keep `window` batches in flight, each closed by a PING the server must answer."""
        total = run_plan.messages_per_sender
        room = client.plan.room or ""
        while client.next_seq < total and client.pings_sent - client.pings_answered < run_plan.window:
            now_ns = time.monotonic_ns()
            end = min(total, client.next_seq + run_plan.batch)
            say = self.dialect.say
            parts = [say(room, message_token(client.plan.index, seq, now_ns)) for seq in range(client.next_seq, end)]
            client.next_seq = end
            client.pings_sent += 1
            parts.append(self.dialect.ping(f"PK{client.pings_sent}"))
            self.write(client, b"".join(parts))

    def write(self, client: Client, data: bytes) -> None:
        if client.channel is None:
            client.outgoing += data
        elif client.handshaking:
            client.plain_waiting += data
        else:
            client.outgoing += client.channel.encrypt(data)
        self.flush(client)

    def flush(self, client: Client) -> None:
        if client.outgoing:
            try:
                sent = client.sock.send(client.outgoing)
                del client.outgoing[:sent]
            except BlockingIOError:
                pass
            except OSError:
                client.outgoing.clear()
        want_write = bool(client.outgoing)
        if want_write != client.writing:
            client.writing = want_write
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if want_write else 0)
            self.selector.modify(client.sock, events, client)

    # -- receiving --
    def recv(self, client: Client) -> bytes | None:
        """What the server sent (plaintext; b"" when a TLS record or handshake step held none); None once closed.

        Raises BlockingIOError when there is nothing to read yet.
        """
        data = self.recv_bytes(client.sock)
        if not data:
            return None
        channel = client.channel
        if channel is None:
            return data
        if client.handshaking:
            done, to_send = channel.handshake_step(data)
            client.outgoing += to_send
            if done:
                client.handshaking = False
                client.outgoing += channel.encrypt(bytes(client.plain_waiting))
                client.plain_waiting.clear()
            self.flush(client)
            return channel.take_early_data() if done else b""
        return self.decrypt(client, data)

    def recv_bytes(self, sock: socket.socket) -> bytes:
        """sock.recv(RECV_BYTES) through the process's buffer (see RECV_BYTES); raises as recv does."""
        count = sock.recv_into(self._recv_buffer)
        return bytes(self._recv_view[:count])

    @staticmethod
    def decrypt(client: Client, data: bytes) -> bytes | None:
        """The plaintext in bytes received after the handshake (as is without TLS); None once the server closed."""
        channel = client.channel
        if channel is None:
            return data
        plaintext = channel.feed(data)
        return None if channel.peer_closed and not plaintext else plaintext

    def receive(self, client: Client, data: bytes | None, now_ns: int) -> None:
        """Count and check the tokens in what one recv() returned at `now_ns` (None: the connection ended)."""
        if data is not None:
            try:
                data = self.decrypt(client, data)
            except TlsError:
                data = None
        if data is None:
            self.drop(client)
            return
        if not data:
            return
        if client.pending:
            data = client.pending + data
        cut = data.rfind(b"\n") + 1
        client.pending = data[cut:]
        complete = data[:cut] if cut < len(data) else data
        if self.typing is not None:
            self.typing.count(complete, now_ns)
        tokens = TOKEN_RE.findall(complete)
        if tokens:
            client.received += len(tokens)
            client.last_receive_ns = now_ns
            client.crc = zlib.crc32(b" ".join(tokens) + b" ", client.crc)
            if client.plan.sender and self.dialect.echoes_sender:
                client.own_received += complete.count(client.own_marker)
            if client.plan.probe:
                self.latency.check_tokens(client, tokens, now_ns)
        if client.plan.sender and b"PK" in complete:
            answered = PONG_RE.findall(complete)
            if answered:
                client.pings_answered = max(client.pings_answered, int(answered[-1]))

    def digest(
        self, backlog: list[tuple[Client, bytes | None, int]], unfinished: dict[int, Client], expected: dict[int, int]
    ) -> None:
        """Decrypt and parse the bytes received (emptying `backlog`); drop from `unfinished` whoever has all now."""
        for client, data, received_ns in backlog:
            self.receive(client, data, received_ns)
            if id(client) in unfinished and client.received - client.own_received >= expected.get(client.plan.index, 0):
                del unfinished[id(client)]
        backlog.clear()

    # -- the end --
    def drop(self, client: Client) -> None:
        try:
            self.selector.unregister(client.sock)
        except (KeyError, ValueError):
            pass
        client.sock.close()

    def close_all(self) -> None:
        for client in self.clients:
            if client.sock.fileno() >= 0:
                self.drop(client)
        self.selector.close()


def load_process_main(
    host: str, port: int, dialect_name: str, plans: list[ClientPlan], pipe: Connection, tls: bool = False
) -> None:
    """Entry point of one load process (multiprocessing target)."""
    LoadProcess(host, port, dialect_name, plans, pipe, tls).serve()
