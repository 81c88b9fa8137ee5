"""Unit tests for shared/frame_text.py: server frames as human-readable lines."""

from __future__ import annotations

import pytest

from shared.frame_text import render_text, render_text_line
from shared.frames import error_frame, server_frame
from shared.names import harmless


def stamped(frame: dict) -> dict:
    return {**frame, "timestamp": "12:00:01"}


def test_a_public_message():
    frame = stamped(server_frame("message", "hi", id=1, room="general", sender="alice"))
    assert render_text(frame) == "[12:00:01] #general <alice> hi"


def test_a_private_message():
    frame = stamped(server_frame("private", "psst", id=2, sender="alice", to="bob"))
    assert render_text(frame) == "[12:00:01] *alice -> bob* psst"


def test_an_error_shows_its_code():
    assert render_text(stamped(error_frame("nick_taken", "Taken."))) == "[12:00:01] ! Taken. (nick_taken)"


def test_pong_with_and_without_a_token():
    assert render_text(stamped(server_frame("pong", "abc", token="abc"))) == "[12:00:01] PONG abc"
    assert render_text(stamped(server_frame("pong", ""))) == "[12:00:01] PONG"


def test_other_frames_show_their_content_as_a_notice():
    frame = stamped(server_frame("system", "bob joined #general", event="join", room="general", user="bob"))
    assert render_text(frame) == "[12:00:01] * bob joined #general"


def test_help_is_one_line_in_text_mode_and_one_stamped_line_per_command_for_the_terminal():
    frame = stamped(server_frame("help", "Commands:\n  NICK <name>\n  JOIN <room>"))
    assert render_text(frame) == "[12:00:01] * Commands: | NICK <name> | JOIN <room>"  # each run of blanks one
    lines = render_text(frame, multiline_help=True).split("\n")
    assert lines == ["[12:00:01] Commands:", "[12:00:01]   NICK <name>", "[12:00:01]   JOIN <room>"]


def test_a_multi_line_message_stays_on_one_line():
    frame = stamped(server_frame("message", "one\ntwo\r\nthree\tfour", id=3, room="r", sender="s"))
    assert render_text(frame) == "[12:00:01] #r <s> one | two | three four"


def test_control_characters_are_removed_by_default_and_shown_by_harmless():
    frame = stamped(server_frame("message", "a\x1b[2Jb", id=4, room="r", sender="e\x07ve"))
    assert render_text(frame) == "[12:00:01] #r <eve> a[2Jb"
    assert render_text(frame, clean=harmless) == "[12:00:01] #r <e\\x07ve> a\\x1b[2Jb"


def test_text_lines_end_in_crlf_and_are_utf8():
    frame = stamped(server_frame("help", "a\nb 😀"))
    assert render_text_line(frame) == "[12:00:01] * a | b 😀\r\n".encode()


def test_a_frame_missing_fields_still_renders():
    assert render_text({"type": "message"}) == "[] #None <None> "


def test_a_lone_surrogate_does_not_break_a_text_line():
    frame = stamped(server_frame("system", "odd \udcff"))
    assert render_text_line(frame) == b"[12:00:01] * odd ?\r\n"


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_every_kind_of_line_break_is_shown_inside_the_one_line(line_break):
    frame = stamped(server_frame("pong", f"one{line_break}two", token="x"))
    assert render_text(frame) == "[12:00:01] PONG one | two"
    assert render_text(frame, clean=harmless) == "[12:00:01] PONG one | two"


def test_the_rooms_push_reads_as_a_list_of_rooms():
    frame = stamped(
        server_frame("rooms", "", rooms=[{"name": "lab", "count": 2, "topic": "", "locked": False}], total=1)
    )
    assert render_text(frame) == "[12:00:01] * Rooms: #lab (2)"


def test_a_teachers_line_is_marked_inside_the_brackets_where_no_nickname_reaches():
    said = {"type": "message", "timestamp": "1", "room": "lab", "sender": "Ms_Lee", "content": "hi", "role": "teacher"}
    assert render_text(said) == "[1] #lab <Ms_Lee (teacher)> hi"
    assert render_text({**said, "role": "student"}) == "[1] #lab <Ms_Lee> hi"
    private = {"type": "private", "timestamp": "1", "sender": "Ms_Lee", "to": "bob", "content": "x", "role": "teacher"}
    assert render_text(private) == "[1] *Ms_Lee (teacher) -> bob* x"


def test_a_file_name_is_quoted_so_it_cannot_pass_for_another_persons_file():
    """A name worded as a second "shared" line read as the teacher's file, with the sender's /get id after it."""
    name = 'x (2 KB) · #lab Ms_Lee (teacher) shared "answers.pdf'
    frame = server_frame("file", "", id=9, file=9, name=name, size=2048, sha256="0" * 64, sender="mallory", room="lab")
    line = render_text(frame)
    assert line.endswith(' #lab mallory shared "x (2 KB) · #lab Ms_Lee (teacher) shared \'answers.pdf" (2.0 KB)'), line
    assert line.count('"') == 2


def test_the_terminal_keeps_a_messages_lines_and_their_indentation_on_marked_rows():
    """Python pasted into the chat reads as Python in chat-term; text mode keeps one line per frame."""
    code = "look:\n```python\ndef f(x):\n\tif x==1:\n        return a[i]  -> 2\n\n```"
    frame = stamped(server_frame("message", code, id=1, room="lab", sender="bob"))
    assert render_text(frame, clean=harmless, lines_kept=True).split("\n") == [
        "[12:00:01] #lab <bob> look:",
        "    | ```python",
        "    | def f(x):",
        "    |     if x==1:",
        "    |         return a[i] -> 2",
        "    |",
        "    | ```",
    ]
    assert "\n" not in render_text(frame, stamped=True)
    private = stamped(server_frame("private", "a\n  b", id=2, sender="bob", to="ann"))
    assert render_text(private, lines_kept=True) == "[12:00:01] *bob -> ann* a\n    |   b"


def test_a_kept_line_cannot_start_a_row_like_the_server_or_push_far_in():
    fake = "[21:15:02] * Mrs_Smith is now a teacher"
    content = f"hi\n{fake}\n{' ' * 500}{fake}\n\t\t\t\t\t\t\t\t\t\t\t\t{fake}\n\u2028{fake}"
    frame = stamped(server_frame("message", content, id=1, room="lab", sender="bob"))
    rows = render_text(frame, clean=harmless, lines_kept=True).split("\n")
    assert len(rows) == 5
    assert all(row.startswith("    | ") for row in rows[1:])
    assert all(len(row) - len(row[6:].lstrip()) <= 6 + 40 for row in rows[1:])
