"""Blank-looking padding in what a student wrote cannot move a forged line to column 0 of the server's terminal.

A braille blank (U+2800) is not whitespace, so folding whitespace left it:
padded up to the edge of an 80-column terminal, the rest of a QUIT reason
in the "disconnected" log line, or of a message shown by the console's
/find, wrapped to a row of its own that read like the server's
("... WARNING chat_server.admin: admin muted alice").  Every run of blanks
is printed as one space now (`collapse_blanks`, as chat-term and the .txt
export do).
"""

from __future__ import annotations

import logging

import pytest

from chat_server.console import AdminConsole
from tests.support import wait_until

PAD = "\u2800" * 60
FILLER = "\u3164" * 30  # Hangul filler
FORGED = "2026-12-03 04:12:00,517 WARNING chat_server.admin: admin muted alice"

pytestmark = pytest.mark.usefixtures("no_server_errors")


def padded(line: str) -> bool:
    return "\u2800\u2800" in line or "\u3164\u3164" in line


def test_a_padded_quit_reason_is_one_space_in_the_disconnected_line(server, make_client, caplog) -> None:
    caplog.set_level(logging.INFO, "chat_server")
    mallory = make_client(server, "mallory", "lab")
    mallory.send_command(f"QUIT bye{PAD}{FORGED}")
    mallory.wait_for("bye")

    def logged() -> list[str]:
        return [r.getMessage() for r in caplog.records if "mallory disconnected" in r.getMessage()]

    wait_until(logged, 10, message="no disconnected line")
    (line,) = logged()
    assert not padded(line) and f'(quit: "bye {FORGED}")' in line


def test_a_padded_message_is_one_space_in_the_consoles_find(server, make_client, caplog) -> None:
    caplog.set_level(logging.DEBUG, "chat_server")
    mallory = make_client(server, "mallory", "lab")
    mallory.send_command(f"SAY homework{PAD}{FORGED}{FILLER}x")
    mallory.wait_for("message")
    found = AdminConsole(server).execute("/find lab homework")
    assert f"mallory: homework {FORGED} x" in found and not padded(found)

    def said() -> list[str]:  # the server logs the message after it is delivered, off the lock
        return [r.getMessage() for r in caplog.records if r.getMessage().startswith("<mallory> #lab")]

    wait_until(said, 10, message="no DEBUG line of the message")
    assert not any(padded(line) for line in said())  # the DEBUG line of the message too


def test_a_quote_in_a_quit_reason_cannot_close_the_quotes_of_the_disconnected_line(server, make_client, caplog) -> None:
    """`(quit: "bye"). admin muted alice ("")` read as the server's words after the student's (ninth review)."""
    caplog.set_level(logging.INFO, "chat_server")
    mallory = make_client(server, "mallory", "lab")
    mallory.send_command('QUIT bye"). WARNING chat_server.admin: admin muted alice ("')
    mallory.wait_for("bye")

    def logged() -> list[str]:
        return [r.getMessage() for r in caplog.records if "mallory disconnected" in r.getMessage()]

    wait_until(logged, 10, message="no disconnected line")
    (line,) = logged()
    assert line.count('"') == 2 and "(quit: \"bye'). WARNING chat_server.admin: admin muted alice ('\")" in line, line
