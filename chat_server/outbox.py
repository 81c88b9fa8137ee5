"""Each connection's bounded outbound queue (Outbox) and the writer thread that drains them all (WriterPool).

Any server thread may `put` (it appends under the outbox's small lock and
never touches the socket).  An outbox that goes from empty to non-empty is
handed to the writer thread once; the writer sends everything queued so
far in one non-blocking `send`.  If the client's socket buffer is full the
rest waits in the writer's epoll set, so a client that stops reading
stalls nobody, and once its unsent output passes the limit it alone is cut
off.

    handler threads --put()--> Outbox [chunks] --schedule--> WriterPool ready list
    writer thread: ready list --send(MSG_DONTWAIT)--> socket;  full socket --> epoll --> retry

A TLS connection's outbox holds plaintext; the writer encrypts each batch
it takes (outside the outbox's lock: handler threads never wait for it) and
sends the ciphertext the same way.  Only the writer thread encrypts for an
outbox, and an outbox is scheduled once at a time, so records leave in order.

One writer thread instead of one per connection: measured with the
benchmark (docs/benchmarks.md), it halves the thread count, saves memory
per client and turns a broadcast to N clients into one thread's loop
instead of N thread wake-ups.

The WriterPool also keeps the total of what every outbox holds unsent
(`unsent_total`), and each outbox when it last got anywhere (`progress`,
set by the writer): 960 connections that asked for big HISTORY pages and
never read held 1 GB between them, each under its own limit (a probe), so
the server refuses large optional answers while the total is past a cap and
cuts off the worst of those not reading (chat_server/output_cap.py).  Each
outbox adds to the total what changed while it held its own lock: a fan-out
adds its bytes once per call, not once per recipient.
"""

from __future__ import annotations

import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable, Iterable

from shared.tls_channel import TlsChannel, TlsError

log = logging.getLogger(__name__)

# Linux and macOS send without blocking on a blocking socket (MSG_DONTWAIT), so
# the handler thread keeps a plain blocking recv.  Where that flag is missing
# (Windows) each client socket is made non-blocking instead and its handler
# thread waits for input with select() (ChatRequestHandler.receive).
SEND_FLAGS = getattr(socket, "MSG_DONTWAIT", 0)
SOCKETS_NEED_NONBLOCKING = SEND_FLAGS == 0


class Outbox:
    """Bytes queued for one client; the invariant: anything queued or unsent means `_scheduled`."""

    def __init__(self, sock: socket.socket, limit: int, on_overflow: Callable[[], None], writer: WriterPool) -> None:
        self._sock = sock
        self._limit = limit
        self._on_overflow = on_overflow
        self._writer = writer
        self._lock = threading.Lock()
        self._chunks: list[bytes] = []
        self._queued = 0  # bytes in _chunks
        self._unsent = b""  # taken by the writer, not yet accepted by the kernel
        self._scheduled = False  # on the writer's ready list or waiting for the socket
        self._closing = False  # no more puts; finished once drained
        self._dead = False  # sending failed or overflowed; nothing more goes out
        # A lock held until the outbox is finished: join() waits on it.  (An Event would do the
        # same with a Condition and a deque more per connection.)
        self._finished = threading.Lock()
        self._finished.acquire()
        self._is_finished = False
        self.bytes_sent = 0
        self._counted = 0  # what this outbox has added to the writer's unsent_total
        self.progress = time.monotonic()  # when the writer last sent some of it or found it empty (writer thread)
        self.channel: TlsChannel | None = None  # set before anything is queued when the connection is TLS

    @property
    def unsent(self) -> int:
        return self._queued + len(self._unsent)

    def put(self, data: bytes) -> bool:
        """Queue bytes for sending; False if the outbox no longer accepts any."""
        with self._lock:
            if self._closing or self._dead:
                return False
            self._chunks.append(data)
            self._queued += len(data)
            if self._limit and self._queued + len(self._unsent) > self._limit:
                self._dead = True
                self._chunks = []
                self._queued = 0
                overflow, schedule = True, False
            else:
                overflow, schedule = False, not self._scheduled
                self._scheduled = True
            change = self._recount()
        self._writer.count(change)
        if schedule:
            self._writer.schedule(self)
        elif overflow:
            self._on_overflow()  # shuts the socket down, which wakes the writer if it waits on it
            self._finish_if_idle()
            return False
        return True

    @staticmethod
    def put_each(outboxes: Iterable[Outbox], data: bytes) -> None:
        """`put(data)` on every outbox, in one loop: a fan-out's inner loop (registry.deliver).

        What `put` does, inline, without a method call per recipient, and
        the outboxes that became ready handed to the writer in one call:
        0.42 to 0.34 us a recipient, most of a room message's cost.  An
        outbox that would pass its limit goes through `put` itself, which
        cuts its client off.
        """
        size = len(data)
        ready: list[Outbox] = []
        writer: WriterPool | None = None
        added = 0
        for outbox in outboxes:
            with outbox._lock:
                if outbox._closing or outbox._dead:
                    continue  # put() would refuse it too
                fits = not outbox._limit or outbox._queued + size + len(outbox._unsent) <= outbox._limit
                if fits:
                    outbox._chunks.append(data)
                    outbox._queued += size
                    outbox._counted += size
                    added += size
                    writer = outbox._writer
                    if not outbox._scheduled:
                        outbox._scheduled = True
                        ready.append(outbox)
                    continue
            outbox.put(data)  # the overflow, outside this outbox's lock as put() needs
        if writer is not None:
            writer.count(added)  # one server, one writer: every outbox of a fan-out counts into the same total
        if ready:
            ready[0]._writer.schedule_all(ready)

    def cut(self) -> None:
        """Drop everything unsent and accept nothing more, at once (no socket call: the caller hangs up after).

        For a client that has not read for a long while when the server is past its cap on unsent output
        (chat_server/output_cap.py): its memory comes back now, not when its connection has ended.
        """
        with self._lock:
            self._dead = True
            self._chunks = []
            self._queued = 0
            self._unsent = b""  # as abandon(): a send under way ends on `_dead` and keeps nothing
            change = self._recount()
        self._writer.count(change)
        self._finish_if_idle()

    def _recount(self) -> int:
        """What changed in the unsent bytes since they were last counted into the writer's total (own lock held)."""
        now = self._queued + len(self._unsent)
        change, self._counted = now - self._counted, now
        return change

    def close(self) -> None:
        """Accept nothing more; the writer sends what is queued, then the outbox is finished."""
        with self._lock:
            self._closing = True
        self._finish_if_idle()

    def join(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before close() was sent (or sending failed)."""
        if not self._finished.acquire(timeout=-1 if timeout is None else timeout):
            return False
        self._finished.release()  # let any other joiner through too
        return True

    def _finish_if_idle(self) -> None:
        with self._lock:
            idle = not self._scheduled
        if idle:
            self._set_finished()

    def _set_finished(self) -> None:
        with self._lock:
            if self._is_finished:
                return
            self._is_finished = True
        self._finished.release()

    # -- the writer thread's side --
    def write_some(self) -> str:
        """Send what can be sent now; say what the writer should do next: "wait", "again" or "idle".

        Only the writer thread changes `_unsent` (abandon() clears it after setting `_dead`), so the
        bytes to send can be put together outside the lock.  A TLS batch is encrypted there too, and
        its ciphertext joins `_unsent` in the same lock hold that records what the send took: while it
        is encrypted (microseconds) the limit check in put() does not count it, which can let one batch
        more through, never more.
        """
        plaintext: bytes | None = None
        with self._lock:
            if self._chunks and not self._dead:
                joined = self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)
                if self.channel is None:
                    self._unsent = self._unsent + joined if self._unsent else joined
                else:
                    plaintext = joined  # b"" too: a wake-up to send what the TLS layer has waiting
                self._chunks = []
                self._queued = 0
            data = b"" if self._dead else self._unsent
        sent = 0
        if plaintext is not None:
            assert self.channel is not None
            try:
                ciphertext = self.channel.encrypt(plaintext)
            except TlsError as exc:
                log.debug("encrypting failed: %s", exc)
                ciphertext, sent = b"", -1
            if ciphertext:
                data = data + ciphertext if data else ciphertext
        if data and sent == 0:
            try:
                sent = self._sock.send(data, SEND_FLAGS)
            except BlockingIOError:
                pass
            except OSError as exc:
                log.debug("send failed: %s", exc)
                sent = -1
        with self._lock:
            if sent < 0:
                self._dead = True
            if self._dead:
                self._chunks = []
                self._queued = 0
                self._unsent = b""
            else:
                self._unsent = data[sent:] if sent else data
                self.bytes_sent += sent
            change = self._recount()
            finished = False
            if sent > 0 or not self._unsent:
                self.progress = time.monotonic()
            if self._unsent:
                step = "wait"
            elif self._chunks:
                step = "again"
            else:
                step = "idle"
                self._scheduled = False
                finished = self._closing or self._dead
        self._writer.count(change)
        if step != "idle":
            return step
        if finished:
            self._set_finished()
        return "idle"

    def fileno(self) -> int:
        return self._sock.fileno()

    @property
    def writer(self) -> WriterPool:
        return self._writer

    def abandon(self) -> None:
        """Send nothing more and count as finished (the writer could not serve this outbox)."""
        with self._lock:
            self._dead = True
            self._chunks = []
            self._queued = 0
            self._unsent = b""
            self._scheduled = False
            change = self._recount()
        self._writer.count(change)
        self._set_finished()
        self._on_overflow()  # shuts the socket down, so its handler thread ends too


class WriterPool:
    """The writer thread: drains every outbox that has something queued, waits in epoll on full sockets."""

    def __init__(self, name: str = "chat-writer") -> None:
        self._lock = threading.Lock()
        self._ready: list[Outbox] = []
        self._sleeping = False
        self._stopping = False
        # A socket pair, not a pipe: Windows' select() takes sockets only.
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._wake_write.setblocking(False)
        self._selector = selectors.DefaultSelector()  # only the writer thread touches it
        self._selector.register(self._wake_read, selectors.EVENT_READ, None)
        self._waiting: dict[int, Outbox] = {}
        self._total_lock = threading.Lock()
        self.unsent_total = 0  # bytes every outbox holds unsent, all together (read without the lock: one int)
        # When the writer last had outboxes to serve (time.monotonic()): file transfers give way to chat
        # while it is recent (chat_server/files/pacing.py).  Once per round, not per outbox.
        self.last_active = float("-inf")
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the writer thread once the outboxes are settled (call after every handler finished)."""
        with self._lock:
            self._stopping = True
        self._wake()
        if self._thread.ident is not None:
            self._thread.join()
        self._selector.close()
        self._wake_read.close()
        self._wake_write.close()

    def count(self, change: int) -> None:
        """Add what one outbox's unsent bytes changed by to the total (any thread)."""
        if change:
            with self._total_lock:
                self.unsent_total += change

    def schedule(self, outbox: Outbox) -> None:
        """Called once when an outbox gets something to send; wakes the writer if it sleeps."""
        with self._lock:
            self._ready.append(outbox)
            wake = self._sleeping
            self._sleeping = False
        if wake:
            self._wake()

    def schedule_all(self, outboxes: list[Outbox]) -> None:
        """schedule() for each of a fan-out's outboxes, with one lock hold and at most one wake-up."""
        with self._lock:
            self._ready.extend(outboxes)
            wake = self._sleeping
            self._sleeping = False
        if wake:
            self._wake()

    def _wake(self) -> None:
        try:
            self._wake_write.send(b"\0")
        except BlockingIOError:
            pass  # the socket pair is full of wake-ups already

    def _run(self) -> None:
        while True:
            with self._lock:
                ready, self._ready = self._ready, []
                if not ready:
                    if self._stopping and not self._waiting:
                        return
                    self._sleeping = True
            if ready:
                self.last_active = time.monotonic()
            for outbox in ready:
                self._write(outbox)
            if ready:
                if self._waiting:
                    self._poll(0)
            else:
                self._poll(None)

    def _write(self, outbox: Outbox) -> None:
        try:
            step = outbox.write_some()
            if step == "again":
                with self._lock:
                    self._ready.append(outbox)
            elif step == "wait":
                fd = outbox.fileno()
                self._selector.register(fd, selectors.EVENT_WRITE, outbox)
                self._waiting[fd] = outbox
        except Exception:
            # The writer serves every client: one connection's surprise must not stop it.
            log.exception("writer: giving up on one connection")
            outbox.abandon()

    def _poll(self, timeout: float | None) -> None:
        for key, _events in self._selector.select(timeout):
            if key.data is None:
                try:
                    while self._wake_read.recv(4096):
                        pass
                except BlockingIOError:
                    pass
                continue
            self._selector.unregister(key.fd)
            del self._waiting[key.fd]
            self._write(key.data)
