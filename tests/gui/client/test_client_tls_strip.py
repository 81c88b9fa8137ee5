"""The window through a relay that strips TLS, and against a server without TLS on "another computer": no password
leaves unencrypted without a clear yes (real servers, real TLS, a real Tk window under Xvfb; found by a hostile probe).
"""

from __future__ import annotations

import pytest

from chat_gui.core.events import Problem, State, StateChanged
from chat_server import ChatServer, ServerConfig
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_identity import Answers
from tests.integration.strip_relay import StripRelay
from tests.support import wait_until

PASSWORD = "correct-horse-battery"


@pytest.fixture
def plain_server_elsewhere(tmp_path):
    """A real server started with --no-tls, listening on 127.0.0.2: a classroom server without encryption."""
    server = ChatServer(ServerConfig(host="127.0.0.2", port=0, tls=False, data_dir=str(tmp_path / "plain"))).start()
    yield server
    server.stop()


def log_in_window(open_window, answers: Answers, address: tuple[str, int]):
    window = open_window()
    window.questions = answers.questions()
    problems: list[StateChanged] = []
    listener = window.session.listener

    def record(event) -> None:
        if isinstance(event, StateChanged) and event.problem is not None:
            problems.append(event)
        listener(event)

    window.session.listener = record
    window.session.sign_in.log_in("alice", PASSWORD)
    window.start(*address, "alice", "general")
    return window, problems


def test_the_window_through_a_stripping_relay_says_encryption_was_blocked_and_sends_nothing(
    start_server, open_window, tk_root
) -> None:
    server = start_server()
    server.create_account("alice", PASSWORD)
    relay = StripRelay(server.address)
    try:
        answers = Answers()  # no question may be asked
        window, problems = log_in_window(open_window, answers, relay.address)
        wait_until(lambda: window.session.state is State.FAILED, pump=tk_root.update, timeout=WAIT)
        tk_root.update()
        assert [event.problem for event in problems] == [Problem.TLS_BLOCKED]
        dialog = window.dialog
        assert dialog is not None, "the Connect dialog opens and says it"
        said = str(dialog.message.cget("text"))
        assert "offers encryption, but something between you and it blocked it" in said
        assert "does not offer encryption" not in said
        assert answers.asked == []
        assert relay.relayed == 1 and relay.secrets_seen() == []
        assert all(PASSWORD not in line for line in relay.sent)
        assert window.window.security.state_shown == "offline"
    finally:
        relay.close()


def test_a_password_for_a_plain_server_elsewhere_is_asked_about_first_and_no_sends_nothing(
    plain_server_elsewhere, open_window, tk_root
) -> None:
    server = plain_server_elsewhere
    server.create_account("alice", PASSWORD)
    answers = Answers(False, True)  # no, then (after Reconnect) yes
    window, problems = log_in_window(open_window, answers, server.address)
    wait_until(lambda: window.session.state is State.FAILED, pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert answers.asked == [
        "This connection is not encrypted: anyone on the network could read your password. Send it anyway?"
    ]
    assert [event.problem for event in problems] == [Problem.TLS_REQUIRED]
    assert window.dialog is not None and "Not sent" in str(window.dialog.message.cget("text"))
    assert not any(account.online for account in server.accounts()), "the password never reached the server"

    window.reconnect_now()  # asked again: this time yes
    wait_until(lambda: window.session.state is State.READY, pump=tk_root.update, timeout=WAIT)
    assert len(answers.asked) == 2
    assert window.session.nick == "alice" and [a.online for a in server.accounts()] == [True]
    assert window.window.security.state_shown == "plain"
    wait_until(lambda: "Not encrypted" in window.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    shown = window.room_view.all_text()
    assert "the server answered without encryption" in shown and "does not offer encryption" not in shown


def test_a_guest_on_a_plain_server_elsewhere_is_asked_nothing(plain_server_elsewhere, open_window, tk_root) -> None:
    window = open_window()
    answers = Answers()
    window.questions = answers.questions()
    window.start(*plain_server_elsewhere.address, "gus", "general")
    wait_until(lambda: window.session.state is State.READY, pump=tk_root.update, timeout=WAIT)
    assert answers.asked == [] and window.window.security.state_shown == "plain"
