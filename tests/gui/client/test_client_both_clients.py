"""The window and chat-term side by side on a real server: the same typed lines do the same thing, and both come back fast.

One table of typed lines runs through both clients' paths (the window's
entry box, chat-term's keyboard); bob is who the private lines are for,
carol a third member of the room who must never receive one.
"""

from __future__ import annotations

import functools
import threading
import time

import pytest

from chat_server import ChatServer, ServerConfig
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.integration.test_terminal_client import Terminal
from tests.support import wait_until

# (typed line, what bob gets privately, what the room gets publicly, refused with a hint)
TABLE = [
    ("/msg bob see you at lunch", None, None, True),
    ("/msg bob, see you at 10:30", None, None, True),
    ("/msg bob: see you at lunch", "see you at lunch", None, False),
    ("/msg meet at 10:30", None, "meet at 10:30", False),
    ("meet at 10:30", None, "meet at 10:30", False),
    ("bob: are you there?", None, "bob: are you there?", False),
    ("/pm bob psst", "psst", None, False),
    ("/say bob: said aloud", None, "bob: said aloud", False),
    ("https://example.org/a:b", None, "https://example.org/a:b", False),
    ("/msg https://example.org/page", None, "https://example.org/page", False),
    ("//etc is a folder", None, "/etc is a folder", False),
]


@pytest.fixture
def terminals():
    started: list[Terminal] = []

    def start(address: tuple[str, int], *args: str) -> Terminal:
        started.append(Terminal(address, *args))
        return started[-1]

    yield start
    errors = [terminal.kill() for terminal in started]
    assert not any("Traceback" in text for text in errors), "\n".join(errors)


def frames_until_marker(client, marker: str) -> list[dict]:
    """Every frame `client` gets up to and including the public message `marker`."""
    seen: list[dict] = []
    client.wait_for(lambda frame: seen.append(frame) or frame.get("content") == marker, WAIT)
    return seen


def test_the_same_typed_lines_do_the_same_in_the_window_and_in_chat_term(
    server, open_window, make_client, terminals, tk_root
):
    bob = make_client(server, "bob", "lab")
    carol = make_client(server, "carol", "lab")
    alice = open_window(server, "alice", "lab")
    ann = terminals(server.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    wait_until(lambda: alice.session.roster.is_online("bob"), pump=tk_root.update, timeout=WAIT)

    def window_types(line: str) -> None:
        alice.window.entry.set_text("")
        type_line(alice, line)
        tk_root.update()

    for client_name, sender, type_it in (("window", "alice", window_types), ("chat-term", "ann", ann.type)):
        for number, (line, private, public, hint) in enumerate(TABLE):
            shown_before = len(alice.room_view.all_text())
            type_it(line)
            if client_name == "window":  # the window answers a refused line at once, in the pane
                refusal = alice.room_view.all_text()[shown_before:]
                assert ("Not sent: bob is online" in refusal) == hint, f"window: {line!r}"
                assert (alice.window.entry.get_text() == line) == hint, "a refused line stays in the box"
                if hint:
                    assert "/pm bob see you at " in refusal and "/say " in refusal
            elif hint:
                ann.expect(r"! Not sent: bob is online.*/pm bob see you at ")
            marker = f"marker {client_name} {number}"
            type_it(f"/say {marker}")
            if client_name == "window":
                for_bob: list[dict] = []
                wait_until(
                    functools.partial(_collect, bob, for_bob, marker), pump=tk_root.update, timeout=WAIT, message=line
                )
            else:
                for_bob = frames_until_marker(bob, marker)
            for_carol = frames_until_marker(carol, marker)
            from_sender = [frame for frame in for_bob if frame.get("sender") == sender]
            got_private = [frame["content"] for frame in from_sender if frame["type"] == "private"]
            got_public = [frame["content"] for frame in from_sender if frame["type"] == "message"][:-1]
            assert got_private == ([private] if private else []), f"{client_name}: {line!r}"
            assert got_public == ([public] if public else []), f"{client_name}: {line!r}"
            assert not [frame for frame in for_carol if frame["type"] == "private"], f"{client_name}: {line!r}"
            carol_public = [frame["content"] for frame in for_carol if frame["type"] == "message"][:-1]
            assert carol_public == ([public] if public else []), f"{client_name}: {line!r}"
    assert ann.finish() == 0


def _collect(client, found: list[dict], marker: str) -> bool:
    while not client.inbox.empty():
        frame = client.inbox.get_nowait()
        if isinstance(frame, dict):
            found.append(frame)
            if frame.get("content") == marker:
                return True
    return False


def test_after_a_stop_and_start_on_the_same_port_both_are_back_within_2_s(
    start_server, open_window, terminals, tk_root
):
    first = start_server()
    port = first.address[1]
    alice = open_window(first, "alice", "lab")
    ann = terminals(first.address, "--nick", "ann", "--room", "lab")
    ann.expect(r"You joined #lab")
    first.stop()
    ann.expect(r"Connection lost")
    wait_until(lambda: alice.session.backoff.attempts >= 4, pump=tk_root.update, timeout=WAIT)  # turned away a while
    back: dict[str, float] = {}

    def watch_terminal() -> None:
        ann.expect(r"Reconnected to", timeout=WAIT)
        back["chat-term"] = time.monotonic()

    watcher = threading.Thread(target=watch_terminal, daemon=True)
    watcher.start()
    second = ChatServer(ServerConfig(host="127.0.0.1", port=port, data_dir=first.config.data_dir)).start()
    listening = time.monotonic()
    try:
        wait_until(lambda: alice.session.state == "ready", pump=tk_root.update, timeout=WAIT, interval=0.005)
        back["window"] = time.monotonic()
        watcher.join(WAIT)
        assert back["window"] - listening < 2.0, f"the window took {back['window'] - listening:.2f} s"
        assert back["chat-term"] - listening < 2.0, f"chat-term took {back['chat-term'] - listening:.2f} s"
        assert (alice.session.nick, alice.session.room) == ("alice", "lab")
    finally:
        second.stop()
    assert ann.finish() == 0
