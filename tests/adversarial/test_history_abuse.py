"""A class trying to break the kept messages: search syntax, locked rooms' history, others' messages, exports.

A real server on port 0 with its own data folder and real SQLite file.
Everything here held when the hostile review tried it; the tests stay so
that it keeps holding.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import textwrap
import threading

import pytest

from shared.errors import ErrorCode
from tests.integration.history_wire import answer, say_many
from tests.integration.identity_support import teacher
from tests.integration.wire import WireClient
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

# Texts that FTS5 or LIKE would read as syntax if a query reached them unquoted.
TEXTS = [
    'she said "quoted" twice',
    "glob* star",
    "NEAR(a b) is fts syntax",
    "minus -excluded word",
    "column text:filter here",
    "100% sure",
    "snake_case name",
    "back\\slash path",
    "a OR b AND c NOT d",
    "^caret start",
    "{braces} and (parens)",
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"', ['she said "quoted" twice']),
        ('"quoted"', ['she said "quoted" twice']),
        ("*", ["glob* star"]),
        ("NEAR(", ["NEAR(a b) is fts syntax"]),
        ("-excluded", ["minus -excluded word"]),
        ("text:filter", ["column text:filter here"]),
        ("%", ["100% sure"]),
        ("_", ["snake_case name"]),
        ("\\", ["back\\slash path"]),
        ("OR b", ["a OR b AND c NOT d"]),
        ("NOT d", ["a OR b AND c NOT d"]),
        ("^caret", ["^caret start"]),
        ("{braces}", ["{braces} and (parens)"]),
        ("(parens)", ["{braces} and (parens)"]),
        ('" OR 1=1 --', []),
        ("%%%", []),
        ("___", []),
    ],
)
def test_search_takes_every_character_literally(server, wire, query, expected):
    alice = wire(server, "alice", "lab")
    for text in TEXTS:
        alice.send(f"SAY {text}")
        alice.expect("message")
    alice.send(f"SEARCH {query}")
    found = alice.expect(lambda frame: frame["type"] in ("search", "error"))
    assert found["type"] == "search", found
    assert sorted(result["content"] for result in found["results"]) == sorted(expected)


def test_a_locked_rooms_history_stays_locked_after_it_empties_and_after_a_restart(start_server, wire, tmp_path):
    data = str(tmp_path / "data")
    server = start_server(data_dir=data)
    owner = wire(server, "owner", "den")
    owner.reply("KEY blue whale", timeout=30)
    owner.send("SAY the secret plan")
    owner.expect("message")
    owner.close()
    outsider = wire(server, "outsider", "lab")
    for command in (
        "HISTORY #den",
        "HISTORY #DEN AFTER 0 100",
        "HISTORY #ｄｅｎ",
        "HISTORY #d\u200ben",
        "SEARCH #den secret",
    ):
        assert outsider.error(command) == ErrorCode.BAD_ROOM_KEY, command
    outsider.send("SEARCH secret")  # the asker's own room and private messages only
    assert outsider.expect("search")["results"] == []
    server.stop()
    again = start_server(data_dir=data)
    outsider = wire(again, "outsider", "lab")
    assert outsider.error("HISTORY #den") == ErrorCode.BAD_ROOM_KEY
    assert outsider.error("SEARCH #den plan") == ErrorCode.BAD_ROOM_KEY


def test_nobody_deletes_or_reads_someone_elses_messages(server, wire):
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab")
    mallory = WireClient(server.address, source="127.0.0.2").register("mallory", "lab")
    alice.send("SAY mine")
    public = alice.expect("message")["id"]
    mallory.expect("message")
    alice.send("PM bob just for bob")
    private = alice.expect("private")["id"]
    bob.expect("private")
    assert mallory.error(f"DELETE {public}") == ErrorCode.NOT_ALLOWED
    assert mallory.error(f"DELETE {private}") == ErrorCode.BAD_ARGUMENT  # not told it exists
    lee = teacher(server, wire)
    assert lee.error(f"DELETE {private}") == ErrorCode.BAD_ARGUMENT  # teachers delete room messages only
    messages, closing = answer(mallory, "HISTORY @alice")
    assert messages == [] and closing["count"] == 0
    mallory.send("SEARCH just for bob")
    assert mallory.expect("search")["results"] == []
    bob.send(f"DELETE {private}")  # either of its two people may not delete the other's words
    assert bob.expect(lambda frame: frame["type"] in ("error", "deleted"))["type"] == "error"
    alice.send("SAY still here")
    assert alice.expect(lambda frame: frame["type"] == "message")["id"] > public


def test_an_export_cannot_carry_formulas_or_markup_to_the_teachers_computer(start_server, wire, tmp_path):
    server = start_server()
    sender = wire(server, "-bob", "-lab")
    hostile = [
        '=HYPERLINK("http://example.org","click")',
        "+1+1",
        "-2+3",
        "@SUM(1,1)",
        "=cmd|' /C calc'!A0",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "</td></tr></table><h1>forged</h1>",
        "line one\n=second line formula",
    ]
    for text in hostile:
        sender.send(f"SAY {text}")
        sender.expect("message")
    today = datetime.date.today()
    csv_path, html_path = tmp_path / "lesson.csv", tmp_path / "lesson.html"
    assert server.export_transcript("-lab", today, today, csv_path) == len(hostile)
    server.export_transcript("-lab", today, today, html_path)
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        for cell in row[2:]:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    page = html_path.read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page and "<h1>forged" not in page
    assert "default-src 'none'" in page
    assert page.count("<tr") == len(hostile)


def test_answers_about_escape_heavy_messages_stay_under_the_frame_cap(start_server, wire):
    """Quotes and backslashes take two bytes each in JSON: fifty such 2,000-character messages still come
    back as one `search` frame under 32 KiB (the client's decoder refuses longer lines) and as pages."""
    server = start_server(rate_per_second=0)
    alice = wire(server, "alice", "lab")
    for number in range(50):
        alice.send("SAY " + '"\\' * 995 + f"needle{number:02d}")
    for _ in range(50):
        alice.expect("message")
    alice.send("SEARCH needle")
    found = alice.expect("search")
    assert len(found["results"]) == 50
    assert all("needle" in result["content"] for result in found["results"])
    messages, closing = answer(alice, "HISTORY #lab 100")
    assert len(messages) == 50 and closing["count"] == 50


def test_searches_cannot_take_every_reader_from_history_pages(server, wire):
    """Found by a probe: sixty connections from three computers, each searching once a second, held every
    database reader; an honest HISTORY page took seconds and joining a room up to a minute."""
    alice = wire(server, "alice", "lab")
    say_many(alice, 5, "photosynthesis")
    gate = server.handlers._table["SEARCH"].__self__.search_gate
    with contextlib.ExitStack() as held:
        for number in range(2):  # two long searches from two other computers hold both search slots
            held.enter_context(gate.entered(f"10.9.9.{number}"))
        searcher = WireClient(server.address, source="127.0.0.3").register("searcher", "lab")
        searcher.send("SEARCH photosynthesis")  # waits for a slot
        wait_until(lambda: gate.searching() == 3, message="the third search never reached the gate")
        again = WireClient(server.address, source="127.0.0.3").register("again", "lab")
        assert again.error("SEARCH photosynthesis") == ErrorCode.RATE_LIMITED  # the same computer: refused, not queued
        reader = WireClient(server.address, source="127.0.0.2").register("reader", "lab")
        messages, closing = answer(reader, "HISTORY #lab 3")  # pages are answered while searches wait
        assert len(messages) == 3 and closing["more"] is True
    found = searcher.expect("search")
    assert len(found["results"]) == 5


def said(client: WireClient, command: str) -> int:
    """Send a SAY and return the id of its echo (others' messages and notices that come first are skipped)."""
    client.send(command)
    text = command.removeprefix("SAY ")
    return client.expect(lambda frame: frame["type"] == "message" and frame["content"] == text)["id"]


def test_delete_tells_an_outsider_nothing_about_a_locked_rooms_messages(server, wire):
    """Found by a probe: `HISTORY #den` was refused, but DELETE answered `not_allowed` for a live message of the
    locked room and `bad_argument` for a deleted one, so an outsider mapped the room's ids."""
    bob = wire(server, "bob", "den")
    bob.reply("KEY blue whale", timeout=30)
    carol = wire(server, "carol", source="127.0.0.3")
    carol.send("JOIN den blue whale")
    carol.expect("joined")
    live = said(bob, "SAY meet at 3")
    gone = said(bob, "SAY delete this later")
    bob.send(f"DELETE {gone}")
    bob.expect("deleted")
    bob.send("PM carol psst")
    private = bob.expect("private")["id"]
    mallory = WireClient(server.address, source="127.0.0.2").register("mallory", "lab")
    public = said(mallory, "SAY in the open")
    assert mallory.error("HISTORY #den") == ErrorCode.BAD_ROOM_KEY

    def refusal(client: WireClient, message_id: int) -> tuple[str, str]:
        client.send(f"DELETE {message_id}")
        frame = client.expect(lambda f: f["type"] == "error" or (f["type"] == "deleted" and f["id"] == message_id))
        assert frame["type"] == "error", frame
        return frame["code"], frame["content"].replace(str(message_id), "N")

    answers = {refusal(mallory, message_id) for message_id in (live, gone, private, private + 1000)}
    assert len(answers) == 1, answers  # one answer for every message she may not see
    assert answers.pop()[0] == ErrorCode.BAD_ARGUMENT
    # Where the asker can see the message, `not_allowed` still says why: a member of the locked room, a
    # public room, a private message to oneself.
    assert refusal(carol, live)[0] == ErrorCode.NOT_ALLOWED
    assert refusal(bob, public)[0] == ErrorCode.NOT_ALLOWED
    assert refusal(carol, private)[0] == ErrorCode.NOT_ALLOWED
    lee = teacher(server, wire)
    lee.send(f"DELETE {live}")  # a teacher may read and delete a locked room's message
    assert lee.expect(lambda f: f["type"] in ("error", "deleted"))["id"] == live


class HeldRead:
    """Holds the next read of the store (a HISTORY page or a search) after it has read, until `release()`."""

    def __init__(self, monkeypatch, store, method: str) -> None:
        self.read, self.go = threading.Event(), threading.Event()
        real = getattr(store, method)

        def held(*args, **kwargs):
            result = real(*args, **kwargs)
            if not self.read.is_set():
                self.read.set()
                assert self.go.wait(10), "never released"
            return result

        monkeypatch.setattr(store, method, held)

    def release(self) -> None:
        self.go.set()


@pytest.mark.parametrize("command", ["HISTORY #lab", "SEARCH phone"])
def test_a_page_or_search_read_before_a_delete_does_not_bring_the_message_back_after_it(
    server, wire, monkeypatch, command
):
    """Found by a probe (1 try in 40): a page read just before a DELETE was queued after its `deleted`, so the
    client showed the message again. Here the read is held until the `deleted` has arrived."""
    alice = wire(server, "alice", "lab")
    bob = wire(server, "bob", "lab", source="127.0.0.3")
    kept = said(bob, "SAY my phone is in my bag")
    oops = said(bob, "SAY oops my phone is 555-0101")
    alice.expect(lambda f: f.get("id") == oops)
    hold = HeldRead(monkeypatch, server.storage.messages, "page" if command.startswith("HISTORY") else "search")
    alice.send(command)
    assert hold.read.wait(10), "the read never happened"
    bob.send(f"DELETE {oops}")
    alice.expect(lambda f: f["type"] == "deleted" and f["id"] == oops)
    hold.release()
    if command.startswith("HISTORY"):
        messages, closing = answer(alice)
        assert [frame["id"] for frame in messages] == [kept] and closing["count"] == 1
    else:
        found = alice.expect("search")
        assert [result["id"] for result in found["results"]] == [kept]


def test_a_txt_transcript_cannot_hold_a_forged_entry(start_server, wire, tmp_path):
    """Found by a probe: a typed "[...] #lab <carol> ..." line was told from carol's entries by a 4-space indent
    alone, and padding put one at the start of a row in a viewer that wraps long lines."""
    server = start_server()
    carol = wire(server, "carol", "lab")
    mal = wire(server, "mal", "lab", source="127.0.0.5")
    said(carol, "SAY good morning")
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    forged = f"[{stamp}] #lab <carol> Ms Lee is useless"
    said(mal, f"SAY ok\n{forged}")
    for blank in (" ", "\u3000", "\u2800"):
        said(mal, f"SAY ok{blank * 150}{forged}")
    target = tmp_path / "lab.txt"
    today = datetime.date.today()
    assert server.export_transcript("lab", today, today, target) == 5
    lines = target.read_text(encoding="utf-8").splitlines()[1:]
    entries = [line for line in lines if line.startswith("[")]
    assert [line.split("> ", 1)[0].rsplit(" ", 1)[1] for line in entries] == ["<carol", *["<mal"] * 4]
    assert all(line.startswith("    | ") for line in lines if not line.startswith("["))
    said_text = [line.split("> ", 1)[1] if line.startswith("[") else line[len("    | ") :] for line in lines]
    assert not any(blank * 2 in text for text in said_text for blank in (" ", "\u3000", "\u2800"))
    # As the probe showed it: a viewer or printout that wraps at 80, 100 or 120 columns (`fold -s`).
    for width in (80, 100, 120):
        further_rows = [row for line in lines for row in textwrap.wrap(line, width, break_long_words=False)[1:]]
        assert not [row for row in further_rows if row.startswith("[")], width
