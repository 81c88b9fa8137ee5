"""The client core's identity steps (chat_gui/core/sign_in.py in ClientSession) under the fake scheduler.

The order of PASS, RESUME, LOGIN, NICK, REGISTER and JOIN is the client's
own business, so these tests drive the session with frames a test writes
and read the lines it sends, through a recording stand-in for the socket
(`chat_gui.core.session.ChatConnection`).  Each frame is what the contract
says a server answers; the real server's answers are checked in
tests/integration/test_client_identity.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import chat_gui.core.session as session_module
from chat_gui.core.connection import Disconnected, Inbox
from chat_gui.core.events import CoreEvent, Problem, Received, State, StateChanged
from chat_gui.core.session import ClientSession
from chat_gui.core.sign_in import CODE_BARRIER, REGISTER_BARRIER, busy_wait, password_problem
from tests.fake_scheduler import FakeScheduler

PASSWORD = "correct-horse-staple"


class RecordingConnection:
    """Stands in for the socket: records each command line; the test puts the server's frames on its inbox."""

    made: list[RecordingConnection] = []

    def __init__(self, host: str, port: int, inbox: Inbox, **options: object) -> None:  # stall, TLS policy...
        self.inbox = inbox
        self.sent: list[str] = []
        self.connected = False
        self.activity = 0
        self.security = None  # plain: no TLS in these tests
        RecordingConnection.made.append(self)

    def connect(self) -> RecordingConnection:
        self.connected = True
        return self

    def exposes_secrets(self) -> bool:
        return False  # as to 127.0.0.1: secrets may go (the rule itself: tests/integration/test_tls_strip.py)

    def send_command(self, content: str) -> None:
        self.sent.append(content)

    def close(self) -> None:
        self.connected = False


def frame(kind: str, content: str = "", **fields: object) -> dict:
    return {"type": kind, "content": content, "timestamp": "12:00:00", **fields}


class Core:
    def __init__(self) -> None:
        self.scheduler = FakeScheduler()
        self.events: list[CoreEvent] = []
        self.session = ClientSession(self.scheduler, self.events.append, clock=self.scheduler.clock, jitter=lambda: 0)

    @property
    def wire(self) -> RecordingConnection:
        return RecordingConnection.made[-1]

    def start(self, nick: str = "alice", room: str | None = "general") -> None:
        self.session.start("127.0.0.1", 55555, nick, room)
        self.scheduler.run_until(lambda: RecordingConnection.made and self.wire.connected)
        self.server(frame("welcome", "Welcome", server="ClassChat", protocol=2))

    def server(self, *frames: dict) -> None:
        """The server says these frames; the session handles them."""
        for one in frames:
            self.wire.inbox.put(one)
        self.scheduler.advance(0.05)

    def drop(self) -> None:
        self.wire.connected = False
        self.wire.inbox.put(Disconnected("the server closed the connection"))
        self.scheduler.advance(0.05)

    def reconnect(self) -> None:
        before = len(RecordingConnection.made)
        self.scheduler.run_until(lambda: len(RecordingConnection.made) > before and self.wire.connected)
        self.server(frame("welcome", "Welcome", server="ClassChat", protocol=2))

    def last_problem(self) -> StateChanged:
        return [e for e in self.events if isinstance(e, StateChanged) and e.problem is not None][-1]

    def ready_in(self, room: str = "general", nick: str = "alice", role: str = "student", locked: bool = False) -> None:
        self.server(frame("nick", nick=nick, token="t0k3n", role=role))
        if self.session.state is State.JOINING:
            self.server(frame("joined", room=room, users=[nick], topic="", owner="x", locked=locked))
        assert self.session.state is State.READY


@pytest.fixture
def core(monkeypatch):
    RecordingConnection.made.clear()
    monkeypatch.setattr(session_module, "ChatConnection", RecordingConnection)
    made = Core()
    yield made
    made.session.close()


def test_a_known_join_code_goes_first_and_the_name_only_after_the_servers_answer(core):
    core.session.sign_in.set_code("127.0.0.1", 55555, " k7p 4xq ")
    core.start()
    assert core.wire.sent == ["PASS k7p4xq", f"PING {CODE_BARRIER}"]
    core.server(frame("pong", CODE_BARRIER))
    assert core.wire.sent[2:] == ["NICK alice"]
    core.ready_in()
    assert core.wire.sent[3:] == ["JOIN general"]


def test_a_wrong_join_code_is_forgotten_and_the_user_is_asked_with_the_servers_words(core):
    core.session.sign_in.set_code("127.0.0.1", 55555, "WRONG1")
    core.start()
    core.server(frame("error", "That join code is not right. Ask your teacher.", code="bad_code"))
    core.server(frame("pong", CODE_BARRIER))
    problem = core.last_problem()
    assert problem.problem is Problem.JOIN_CODE and problem.code == "bad_code"
    assert "Ask your teacher" in problem.detail
    assert core.session.sign_in.code_for("127.0.0.1", 55555) == ""
    assert not any(line.startswith(("NICK", "LOGIN")) for line in core.wire.sent)  # nothing more went out


def test_a_server_that_wants_a_code_nobody_gave_asks_for_it(core):
    core.start()
    assert core.wire.sent == ["NICK alice"]  # no code known: PASS is sent only when asked
    core.server(frame("error", "This server needs a join code: PASS <code>.", code="code_required"))
    assert core.last_problem().problem is Problem.JOIN_CODE
    assert core.session.state is State.REGISTERING


def test_logging_in_sends_login_instead_of_nick_and_learns_the_role(core):
    core.session.sign_in.log_in("Teach", PASSWORD, keep=True)
    core.start("Teach")
    assert core.wire.sent == [f"LOGIN Teach {PASSWORD}"]
    core.ready_in(nick="Teach", role="teacher")
    assert core.session.sign_in.is_teacher
    assert core.session.sign_in.account is not None and core.session.sign_in.account.password == PASSWORD


def test_a_password_the_user_did_not_want_kept_is_dropped_once_logged_in(core):
    core.session.sign_in.log_in("alice", PASSWORD, keep=False)
    core.start()
    core.ready_in()
    account = core.session.sign_in.account
    assert account is not None and account.password == "" and PASSWORD not in repr(account)


def test_a_refused_login_forgets_the_password_and_asks_again(core):
    core.session.sign_in.log_in("alice", "wrong password", keep=True)
    core.start()
    core.server(frame("error", "Wrong nickname or password.", code="bad_login"))
    assert core.last_problem().problem is Problem.BAD_LOGIN
    assert core.session.sign_in.account is not None and core.session.sign_in.account.password == ""
    core.scheduler.advance(30)
    assert core.wire.sent == ["LOGIN alice wrong password"]  # never sent again by itself


BUSY = "The server is checking many passwords just now; try again in a few seconds. Nothing was checked."


def test_a_login_turned_away_unchecked_keeps_the_password_and_goes_again_by_itself(core):
    core.session.sign_in.log_in("alice", PASSWORD, keep=True)
    core.start()
    core.server(frame("error", BUSY, code="rate_limited"))
    assert core.session.state is State.REGISTERING and core.session.nick == "alice"
    assert not [e for e in core.events if isinstance(e, StateChanged) and e.problem is not None]
    said = [e for e in core.events if isinstance(e, StateChanged)][-1]
    assert "busy" in said.detail and "again in 1 s" in said.detail and said.code == "rate_limited"
    account = core.session.sign_in.account
    assert account is not None and account.password == PASSWORD
    assert core.wire.sent == [f"LOGIN alice {PASSWORD}"]  # not at once...
    core.scheduler.advance(1.01)  # ...but after the first busy delay (jitter 0 in these tests)
    assert core.wire.sent == [f"LOGIN alice {PASSWORD}"] * 2
    core.server(frame("error", BUSY, code="rate_limited"))
    core.scheduler.advance(1.5)
    assert len(core.wire.sent) == 2  # the second wait is longer
    core.scheduler.advance(0.6)
    assert core.wire.sent == [f"LOGIN alice {PASSWORD}"] * 3
    core.ready_in()
    assert core.wire.sent[3:] == ["JOIN general"]


def test_a_busy_refusal_that_names_a_wait_is_waited_out(core):
    core.session.sign_in.log_in("alice", PASSWORD, keep=True)
    core.start()
    core.server(frame("error", "Too many failed logins; try again in 7 s. Nothing was checked.", code="rate_limited"))
    core.scheduler.advance(6.9)
    assert core.wire.sent == [f"LOGIN alice {PASSWORD}"]
    core.scheduler.advance(0.2)
    assert core.wire.sent == [f"LOGIN alice {PASSWORD}"] * 2


def test_after_a_restart_a_busy_server_gets_the_kept_login_again(core):
    core.session.sign_in.log_in("alice", PASSWORD, keep=True)
    core.start()
    core.ready_in()
    core.drop()
    core.reconnect()
    core.server(frame("error", "That session is gone.", code="bad_login"))
    core.server(frame("error", BUSY, code="rate_limited"))
    assert core.session.sign_in.account is not None and core.session.sign_in.account.password == PASSWORD
    core.scheduler.advance(1.01)
    assert core.wire.sent[1:] == [f"LOGIN alice {PASSWORD}"] * 2
    core.ready_in()
    assert core.wire.sent[3:] == ["JOIN general"]


def test_a_register_turned_away_unchecked_goes_again_by_itself(core):
    core.session.sign_in.register("alice", PASSWORD, keep=True)
    core.start()
    core.server(frame("nick", nick="alice", token="t0k3n", role="student"))
    assert core.wire.sent[1:] == [f"REGISTER {PASSWORD}", f"PING {REGISTER_BARRIER}"]
    core.server(frame("error", BUSY, code="rate_limited"), frame("pong", REGISTER_BARRIER))
    assert core.session.state is State.REGISTERING
    core.scheduler.advance(1.01)
    assert core.wire.sent[3:] == [f"REGISTER {PASSWORD}", f"PING {REGISTER_BARRIER}"]
    core.server(frame("nick", nick="alice", token="t0k3n", registered=True), frame("pong", REGISTER_BARRIER))
    assert core.wire.sent[5:] == ["JOIN general"]


def test_a_registered_nickname_without_a_password_asks_for_a_login(core):
    core.start()
    core.server(frame("error", "alice is registered: log in with its password.", code="nick_registered"))
    event = core.last_problem()
    assert event.problem is Problem.NICK_REGISTERED and event.state is State.REGISTERING


def test_after_a_server_restart_resume_is_refused_and_the_kept_login_logs_in_again(core):
    core.session.sign_in.log_in("alice", PASSWORD, keep=True)
    core.start()
    core.ready_in()
    core.drop()
    core.reconnect()
    assert core.wire.sent == ["RESUME alice t0k3n"]  # RESUME still comes first
    core.server(frame("error", "That session is gone.", code="bad_login"))
    assert core.wire.sent[1:] == [f"LOGIN alice {PASSWORD}"]
    core.ready_in()
    assert core.wire.sent[2:] == ["JOIN general"]


def test_after_a_server_restart_a_login_not_kept_stops_and_asks(core):
    core.session.sign_in.log_in("alice", PASSWORD, keep=False)
    core.start()
    core.ready_in()
    core.drop()
    core.reconnect()
    core.server(frame("error", "That session is gone.", code="bad_login"))
    assert core.wire.sent[1:] == ["NICK alice"]
    core.server(frame("error", "alice is registered: log in with its password.", code="nick_registered"))
    assert core.last_problem().problem is Problem.NICK_REGISTERED
    assert all(PASSWORD not in line for connection in RecordingConnection.made[1:] for line in connection.sent)


def test_a_reconnect_with_a_join_code_gives_it_before_resume(core):
    core.session.sign_in.set_code("127.0.0.1", 55555, "ABC234")
    core.start()
    core.server(frame("pong", CODE_BARRIER))
    core.ready_in()
    core.drop()
    core.reconnect()
    assert core.wire.sent == ["PASS ABC234", f"PING {CODE_BARRIER}"]
    core.server(frame("pong", CODE_BARRIER))
    assert core.wire.sent[2:] == ["RESUME alice t0k3n"]


def test_registering_waits_for_the_servers_answer_before_joining(core):
    core.session.sign_in.register("alice", PASSWORD, keep=True)
    core.start()
    core.server(frame("nick", nick="alice", token="t0k3n", role="student"))
    assert core.wire.sent == ["NICK alice", f"REGISTER {PASSWORD}", f"PING {REGISTER_BARRIER}"]
    assert core.session.state is State.REGISTERING
    registered = frame("nick", "alice is registered.", nick="alice", token="t1", role="student", registered=True)
    core.server(registered, frame("pong", REGISTER_BARRIER))
    assert core.wire.sent[3:] == ["JOIN general"]
    core.server(frame("joined", room="general", users=["alice"]))
    assert core.session.state is State.READY
    account = core.session.sign_in.account
    assert account is not None and not account.register  # a reconnect after a restart now logs in


def test_a_refused_register_is_shown_as_a_password_problem(core):
    core.session.sign_in.register("alice", PASSWORD, keep=True)
    core.start()
    core.server(frame("nick", nick="alice", token="t0k3n", role="student"))
    core.server(frame("error", "A password has 8 to 128 characters.", code="bad_argument"))
    core.server(frame("pong", REGISTER_BARRIER))
    event = core.last_problem()
    assert event.problem is Problem.REGISTER_REFUSED and "8 to 128" in event.detail
    assert not any(line.startswith("JOIN") for line in core.wire.sent)


def test_register_while_chatting_keeps_the_account_only_when_the_server_took_it(core):
    core.start()
    core.ready_in()
    assert core.session.register_account(PASSWORD)
    assert core.wire.sent[-2:] == [f"REGISTER {PASSWORD}", f"PING {REGISTER_BARRIER}"]
    core.server(frame("error", "Registering a name needs an encrypted connection.", code="tls_required"))
    assert core.session.sign_in.account is None
    assert core.session.register_account(PASSWORD)
    core.server(frame("pong", REGISTER_BARRIER))
    assert core.session.sign_in.account is not None and core.session.sign_in.account.nick == "alice"


def test_a_room_key_that_opened_a_room_is_used_again_on_reconnect(core):
    core.start(room=None)
    core.ready_in()
    core.session.send("JOIN lab s3cret")
    core.server(frame("joined", room="lab", users=["alice"], topic="Lab 3", owner="Teach", locked=True))
    core.session.token = ""  # a server that forgot us: NICK and JOIN, not RESUME
    core.drop()
    core.reconnect()
    core.server(frame("nick", nick="alice", token="n3w", role="student"))
    assert core.wire.sent[-1] == "JOIN lab s3cret"
    core.server(frame("joined", room="lab", users=["alice"], topic="Lab 3", owner="Teach", locked=True))
    core.session.send("LEAVE")
    core.session.send("JOIN Lab")  # the user goes there again by name: the key goes with it
    assert core.wire.sent[-1] == "JOIN Lab s3cret"


def test_a_refused_room_key_is_forgotten_and_names_the_room_to_ask_about(core):
    core.start(room=None)
    core.ready_in()
    core.session.send("JOIN lab wrong")
    core.server(frame("error", "#lab has a key.", code="bad_room_key"))
    assert core.session.sign_in.joining == "lab"
    assert not core.session.sign_in.has_key("127.0.0.1", 55555, "lab")
    core.session.send("JOIN lab")
    assert core.wire.sent[-1] == "JOIN lab"


def test_a_ban_stops_reconnecting_and_says_until_when(core):
    end = datetime.now().astimezone() + timedelta(minutes=10)
    until = end.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    core.start()
    core.ready_in()
    core.server(
        frame("error", "You are banned for 10 more minutes.", code="banned", until=until),
        frame("bye", "Banned by Teach.", reason="ban"),
    )
    core.drop()
    core.scheduler.advance(120)
    assert core.session.state is State.REMOVED
    assert "10 more minutes" in core.session.removed_reason
    assert f"until {end:%H:%M}" in core.session.removed_reason or f"{end:%H:%M}" in core.session.removed_reason
    assert len(RecordingConnection.made) == 1  # no new connection


def test_no_event_carries_a_password(core):
    core.session.sign_in.log_in("alice", PASSWORD, keep=True)
    core.start()
    core.server(frame("error", "Wrong nickname or password.", code="bad_login"))
    assert all(PASSWORD not in repr(event) for event in core.events)
    received = [e for e in core.events if isinstance(e, Received)]
    assert all(PASSWORD not in str(e.frame) for e in received)


@pytest.mark.parametrize(
    ("password", "again", "fits"),
    [
        ("1234567", None, False),
        ("12345678", None, True),
        ("x" * 128, None, True),
        ("x" * 129, None, False),
        ("two words ok", None, True),
        (" leading space", None, False),
        ("tab\tinside", None, False),
        ("12345678", "12345679", False),
        ("12345678", "12345678", True),
    ],
)
def test_password_rules_before_anything_is_sent(password, again, fits):
    assert (password_problem(password, again) == "") is fits


# -- telling an unchecked refusal from a wrong password: the frame's fields first, the words second --
@pytest.mark.parametrize(
    ("checked", "retry_after", "content", "expected"),
    [
        (False, None, "Busy; come back soon.", 0.0),  # the field says it, whatever the words
        (False, 7, "Busy; come back soon.", 7.0),
        (False, 600, "Busy.", None),  # ten minutes: shown to the person, not waited out
        (True, None, "Nothing was checked.", None),  # the field wins over the words
        (None, None, "The server is checking many passwords. Nothing was checked.", 0.0),  # an older server
        (None, None, "Too many failed logins; try again in 12 s. Nothing was checked.", 12.0),
        (None, None, "Your computer registered 3 names today; try again in 5 h.", None),
        (False, True, "Busy.", 0.0),  # a bool is no number of seconds
    ],
)
def test_busy_wait_reads_checked_and_retry_after_before_the_words(checked, retry_after, content, expected):
    assert busy_wait("rate_limited", content, checked, retry_after) == expected
    assert busy_wait("bad_login", content, checked, retry_after) is None
