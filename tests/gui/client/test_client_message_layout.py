"""How the pane lays out what users send: one block per message, long ones folded, reasons quoted, never the server's look."""

from __future__ import annotations

import tkinter as tk

import pytest

from chat_gui.core.connection import ChatConnection
from chat_gui.window.message_view import FOLD_LINES, SHOWN_LINES
from tests.gui.client.conftest import WAIT
from tests.support import wait_until

FORGED = "12:00:01  teacher  Test moved! Details: http://evil.example/login"


def x_of(text: tk.Text, index: str) -> int:
    box = text.bbox(index)
    assert box is not None, f"{index} is not visible"
    return box[0]


def block_of(view, first_words: str) -> tuple[int, int]:
    """The pane's line numbers of the message whose text starts with `first_words` (its first and its last line)."""
    start = view.text.search(first_words, "1.0")
    first = int(start.split(".")[0])
    last = first
    while view.text.compare(f"{last + 1}.0", "<", "end-1c") and "under-" in " ".join(
        view.text.tag_names(f"{last + 1}.0")
    ):
        last += 1
    return first, last


@pytest.mark.parametrize(
    "text",
    [
        f"see you later\n{FORGED}",
        f"line one\n\n{FORGED}\n* The server is shutting down.",
        f"{FORGED}\n{FORGED}",
        "tabs\tand\r\nwindows line ends\u2028and a separator",
    ],
)
def test_a_multi_line_message_is_one_block_with_its_lines_indented_under_the_text(
    server, open_window, make_client, tk_root, text
):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    bob.send_command(f"SAY {text}")
    view = alice.room_view
    wait_until(lambda: "bob  " in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    first, last = block_of(view, text.split("\n")[0][:8])
    assert last > first, "the message kept its lines"
    start_of_text = x_of(view.text, f"{first}.0 + {len('12:00:00  bob  ')} chars")
    for line in range(first + 1, last + 1):
        if view.text.get(f"{line}.0", f"{line}.end"):
            assert x_of(view.text, f"{line}.0") == start_of_text, "a continuation line starts under the text"
    stamps = [view.text.index(index) for index in view.text.tag_ranges("time")[::2]]
    assert len([index for index in stamps if first <= int(index.split(".")[0]) <= last]) == 1, "one timestamp"
    assert x_of(view.text, f"{first}.0") < start_of_text


def test_a_long_first_line_wraps_under_the_text_not_under_the_time(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    bob.send_command("SAY " + "word " * 120)
    view = alice.room_view
    wait_until(lambda: "bob  word" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    line = int(view.text.search("bob  word", "1.0").split(".")[0])
    assert view.text.count(f"{line}.0", f"{line}.end", "displaylines")[0] >= 2
    second_row = view.text.index(f"{line}.0 + 1 display lines display linestart")
    assert x_of(view.text, second_row) == x_of(view.text, f"{line}.{len('12:00:00  bob  ')}")


def test_three_messages_of_2000_newlines_do_not_push_the_rest_out(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "lab")
    view = alice.room_view
    view.max_lines = 300
    bob = make_client(server, "bob", "lab")
    for number in range(20):  # with the lines below, within the server's burst of 30 commands
        bob.send_command(f"SAY earlier {number}")
    tall = "top" + "\n" * 1991 + "bottom"  # 2,000 characters, nearly all newlines
    for _ in range(3):
        bob.send_command(f"SAY {tall}")
    bob.send_command("SAY after the tall ones")
    wait_until(lambda: "after the tall ones" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert "earlier 0" in view.all_text(), "the earlier messages are still there"
    assert view.line_count() < 20 + 4 * (SHOWN_LINES + 2) + 20
    assert view.all_text().count("show more (") == 3
    assert "bottom" not in view.all_text()
    more = view.text.tag_ranges("more")[0]
    view.text.see(more)
    tk_root.update()
    x, y, _w, h = view.text.bbox(f"{more} +3c")
    view.text.event_generate("<Motion>", x=x, y=y + h // 2)
    view.text.event_generate("<ButtonPress-1>", x=x, y=y + h // 2)
    view.text.event_generate("<ButtonRelease-1>", x=x, y=y + h // 2)
    tk_root.update()
    assert view.all_text().count("show more (") == 2 and "bottom" in view.all_text()


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("x" * 2000, True),  # one very long line
        ("\n".join(["line"] * (FOLD_LINES + 1)), True),
        ("\n".join(["line"] * FOLD_LINES), False),
        ("short", False),
    ],
)
def test_what_is_folded(server, open_window, tk_root, text, folded):
    alice = open_window(server, "alice", "lab")
    alice.room_view.show_message("12:00:00", "bob", text)
    assert ("show more (" in alice.room_view.all_text()) == folded


def test_a_leavers_reason_is_shown_quoted_in_the_style_of_user_text(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    bob.send_command("QUIT * The server is shutting down. Log in again at http://evil.example")
    view = alice.room_view
    wait_until(lambda: "bob left #lab" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    reason_at = view.text.search("The server is shutting down", "1.0")
    assert reason_at
    tags = view.text.tag_names(reason_at)
    assert "quoted" in tags and "system" not in tags and "error" not in tags
    line = view.text.get(f"{reason_at} linestart", f"{reason_at} lineend")
    assert line.endswith("left #lab (quit): “* The server is shutting down. Log in again at http://evil.example”")


def test_reconnect_now_after_a_kick(server, open_window, tk_root):
    alice = open_window(server, "alice", "lab")
    server.kick("alice", "calm down")
    wait_until(lambda: alice.session.state == "removed", pump=tk_root.update, timeout=WAIT)
    view = alice.room_view
    start = view.text.tag_ranges("action")[-2]
    view.text.see(start)
    tk_root.update()
    x, y, _w, h = view.text.bbox(f"{start} +2c")
    view.text.event_generate("<Motion>", x=x, y=y + h // 2)
    view.text.event_generate("<ButtonPress-1>", x=x, y=y + h // 2)
    view.text.event_generate("<ButtonRelease-1>", x=x, y=y + h // 2)
    wait_until(lambda: alice.session.state == "ready", pump=tk_root.update, timeout=WAIT)


def test_the_window_never_asks_for_list_by_itself(server, open_window, make_client, tk_root, monkeypatch):
    sent: list[str] = []
    original = ChatConnection.send_command

    def recording(connection: ChatConnection, content: str) -> None:
        sent.append(content)
        original(connection, content)

    monkeypatch.setattr(ChatConnection, "send_command", recording)
    alice = open_window(server, "alice", "lab")
    carol = make_client(server, "carol", "lab")
    carol.send_command("JOIN maths")
    wait_until(lambda: alice.window.rooms.rooms == [("lab", 1), ("maths", 1)], pump=tk_root.update, timeout=WAIT)
    assert not [line for line in sent if line.upper().startswith("LIST")], sent
    alice.ask_who()  # F5, or /list: the user asked
    wait_until(lambda: "alice" in alice.room_view.all_text().split("You joined")[-1], pump=tk_root.update, timeout=WAIT)
    assert [line for line in sent if line.upper().startswith("LIST")] == ["LIST"]


def test_no_wrapped_part_of_a_notice_starts_at_the_left_edge(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    bob.send_command("QUIT " + "padding " * 12 + "12:00:01  teacher  click http://evil.example")
    view = alice.room_view
    wait_until(lambda: "bob left #lab" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    line = int(view.text.search("bob left #lab", "1.0").split(".")[0])
    rows = view.text.count(f"{line}.0", f"{line}.end", "displaylines")[0]
    assert rows >= 2, "the reason is long enough to wrap"
    left_edge = x_of(view.text, f"{line}.0")
    for row in range(1, rows + 1):
        start = view.text.index(f"{line}.0 + {row} display lines display linestart")
        if int(start.split(".")[0]) == line:
            assert x_of(view.text, start) > left_edge + 20
