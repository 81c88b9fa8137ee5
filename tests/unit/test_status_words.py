"""What the status bar and title say, from where things stand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chat_gui.core.events import State
from chat_gui.window.status_words import Situation, status_text, title_condition
from chat_gui.window.window_size import BASE_MIN_SIZE, BASE_SIZE, fit

READY = Situation(State.READY, "Connected to 10.0.0.5:55555 as alice in #general.", "10.0.0.5", 55555, "alice", "maths")


def test_ready_names_the_room_you_are_in_now_not_the_one_you_started_in():
    assert status_text(READY) == "Connected to 10.0.0.5:55555 as alice · in #maths"


def test_no_room_says_why_and_what_to_do():
    text = status_text(replace(READY, room=None, room_note="#maths was closed: end of lesson"))
    assert text.endswith("not in a room (#maths was closed: end of lesson): double-click a room to join it")


def test_a_server_on_this_computer_is_named():
    assert "others join at 192.168.1.20:55555" in status_text(replace(READY, server_here=["192.168.1.20:55555"]))


def test_a_server_on_a_computer_with_no_network_address_offers_no_loopback_to_others():
    """Found by a probe: "others join at 127.0.0.1:55555" on a computer with no network address."""
    text = status_text(replace(READY, server_here=["127.0.0.1:55555"]))
    assert "only this computer can join" in text and "others join at" not in text


@pytest.mark.parametrize(
    ("state", "ever_ready", "dialog", "words", "condition"),
    [
        (State.REMOVED, True, False, "Not connected: An admin removed you: spam. Nothing reconnects", "removed"),
        (State.OFFLINE, True, False, "Disconnected. Nothing is sent until you connect again", "disconnected"),
        (State.OFFLINE, False, False, "Not connected.", ""),
        (State.OFFLINE, False, True, "the Connect dialog says what to change", ""),
        (State.REGISTERING, False, True, "the Connect dialog says what to change", ""),
        (State.RECONNECTING, True, False, "An admin removed you: spam.", "reconnecting"),
        (State.FAILED, True, False, "An admin removed you: spam.", "not connected"),
    ],
)
def test_every_state_has_its_words(state, ever_ready, dialog, words, condition):
    situation = replace(
        READY, state=state, detail="An admin removed you: spam.", ever_ready=ever_ready, dialog_problem=dialog
    )
    assert words in status_text(situation)
    assert title_condition(situation).startswith(condition)
    assert bool(title_condition(situation)) == bool(condition)


@pytest.mark.parametrize(
    ("scale", "screen", "size"),
    [(1.0, (1366, 768), (900, 600)), (1.5, (1366, 768), (1326, 688)), (1.25, (1280, 720), (1125, 640))],
)
def test_window_sizes_grow_with_scaling_but_never_past_the_screen(scale, screen, size):
    assert fit(BASE_SIZE, scale, screen) == size
    assert fit(BASE_MIN_SIZE, scale, screen)[1] <= screen[1] - 80


def test_far_behind_says_catching_up_and_a_lost_connection_never_says_connected():
    assert status_text(replace(READY, behind=True)).endswith(" · in #maths · catching up…")
    lost = status_text(replace(READY, behind=True, reader_gone=True))
    assert lost.startswith("Connection lost;") and "Connected" not in lost


def test_a_name_taken_by_your_other_window_says_so_and_how_to_take_it_back():
    """Found by the fifteenth review: the same person's other computer read as "removed from the server"."""
    elsewhere = replace(
        READY, state=State.REMOVED, detail="You logged in as alice from another computer.", elsewhere=True
    )
    assert status_text(elsewhere).startswith("Not connected: you are signed in as alice somewhere else now.")
    assert "Reconnect now (Ctrl+R) takes the name back here" in status_text(elsewhere)
    assert title_condition(elsewhere) == "signed in elsewhere"
