"""A flood of link-heavy messages inside every server limit: a window with a full pane keeps reading and stays current.

Found by a probe: 40 computers each sending 1,990-character messages of
short links ("www.a.io www.b.io ...") at their per-computer budget made a
window with a full pane fall behind, stop reading its socket, be cut off
as a slow reader and replay minutes-old messages.  Inserting each link as
a (chars, tags) pair of its own cost ~2.7 ms a message; now the links of a
message are tagged by one `tag add` (chat_gui.window.tk_text.insert_parts).
"""

from __future__ import annotations

import json
import random
import selectors
import socket
import threading
import time

from tests.gui.client.conftest import WAIT
from tests.support import wait_until

COMPUTERS = 40  # 127.0.0.2 ... 127.0.0.41, one sender each, as in the probe
PER_SECOND = 4  # each computer's budget: 8,000 characters a second
SECONDS = 10
LENGTH = 1990
PANE_LINES = 1000
CAUGHT_UP_SECONDS = 5.0  # after the last message is sent, it is in the pane within this


def frame(content: str) -> bytes:
    return (json.dumps({"type": "command", "content": content}) + "\n").encode()


def links(length: int) -> str:
    return " ".join(f"www.{random.choice('abcdefghij')}.io" for _ in range(length // 9))[:length]


def drain(sockets: list[socket.socket], stop: threading.Event) -> None:
    """The senders read what the server sends them (as real windows do), so they are never cut off themselves."""
    selector = selectors.DefaultSelector()
    for sock in sockets:
        selector.register(sock, selectors.EVENT_READ)
    while not stop.is_set():
        for key, _events in selector.select(0.1):
            try:
                key.fileobj.recv(1 << 20, socket.MSG_DONTWAIT)  # type: ignore[union-attr]
            except (BlockingIOError, OSError):
                pass
    selector.close()


def flood(sockets: list[socket.socket], done: threading.Event) -> None:
    round_ = 0
    stop = time.monotonic() + SECONDS
    while time.monotonic() < stop:
        started = time.monotonic()
        for number, sock in enumerate(sockets):
            data = frame(f"SAY {number}-{round_} {links(LENGTH)}")
            sock.sendall(data)
        round_ += 1
        time.sleep(max(0.0, 1 / PER_SECOND - (time.monotonic() - started)))
    sockets[0].sendall(frame("SAY the-last-one"))
    done.set()


def test_a_full_pane_keeps_up_with_a_link_flood_from_40_computers(start_server, open_window, tk_root):
    server = start_server()
    alice = open_window(server, "alice")
    view = alice.room_view
    view.max_lines = PANE_LINES
    for number in range(PANE_LINES + 20):
        view.show_message("12:00:00", "old", f"an older line {number} {links(LENGTH)}")
    assert view.line_count() <= PANE_LINES + PANE_LINES // 100, "the pane is full before the flood"
    tk_root.update()
    connection = alice.session.connection
    sockets = []
    for computer in range(COMPUTERS):
        sock = socket.create_connection(server.address, source_address=(f"127.0.0.{computer + 2}", 0))
        sock.sendall(frame(f"NICK s{computer}") + frame("JOIN general"))
        sockets.append(sock)
    wait_until(lambda: len(alice.window.users.users) > COMPUTERS, pump=tk_root.update, timeout=WAIT)
    stop, done = threading.Event(), threading.Event()
    readers = [threading.Thread(target=drain, args=(sockets, stop), daemon=True)]
    sender = threading.Thread(target=flood, args=(sockets, done), daemon=True)
    readers[0].start()
    sender.start()
    states = set()
    try:
        wait_until(
            lambda: done.is_set() or states.add(alice.session.state), pump=tk_root.update, timeout=SECONDS + WAIT
        )
        sent_at = time.monotonic()
        caught_up = wait_until(
            lambda: ("the-last-one" in view.all_text() or states.add(alice.session.state)) and time.monotonic(),
            pump=tk_root.update,
            timeout=CAUGHT_UP_SECONDS + WAIT,
            message="the last message of the flood never reached the pane",
        )
    finally:
        stop.set()
        for sock in sockets:
            sock.close()
    lag = caught_up - sent_at
    assert alice.session.connection is connection and states == {"ready"}, f"the window was cut off: {states}"
    assert lag < CAUGHT_UP_SECONDS, f"the window showed the last message {lag:.1f} s after it was sent"
