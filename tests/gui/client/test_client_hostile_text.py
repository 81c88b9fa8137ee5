"""What one student sends that lands in another's chat window: alerts, topics, links, huge graphemes.  Real Tk, real server.

The second hostile review played the class against the WINDOWS of the
others: a flood of mentions and private messages while the window is in
the background (one bell, not one per message), a topic worded like the
server, links whose text hides where they go, zalgo text of thousands of
combining marks.  Each test failed before its fix, or keeps a kind that held.
"""

from __future__ import annotations

import pytest

from chat_gui.core.transfer_client import upload_file
from chat_gui.window import notify
from shared.discovery_record import FoundServer
from shared.errors import ErrorCode
from tests.gui.client.conftest import WAIT
from tests.integration.file_wire import ChatLine, connector, offer
from tests.integration.identity_support import teacher
from tests.support import wait_until

STUDENTS = 20


@pytest.fixture
def bells(tk_root, monkeypatch):
    """Every ring of the window's bell, on a machine without a desktop notifier (the bell is the fallback)."""
    rung: list[int] = []
    monkeypatch.setattr(notify, "platform_backend", lambda: None)
    monkeypatch.setattr(tk_root, "bell", lambda *args: rung.append(1), raising=False)
    return rung


@pytest.mark.parametrize("how", ["mentions", "mentions-any-case", "private-and-mentions"])
def test_a_flood_of_mentions_in_the_background_rings_once_not_once_each(
    start_server, open_window, wire, tk_root, bells, how
):
    server = start_server(max_per_address=0, max_unregistered_per_address=0)
    alice = open_window(server, "alice", "general")
    students = [wire(server, f"s{number}", "general") for number in range(STUDENTS)]
    alice.set_focused(False)  # the window is in the background: this is when alerts fire
    for number, student in enumerate(students):
        name = "ALICE" if how == "mentions-any-case" and number % 2 else "alice"
        student.send(f"SAY @{name} look at this {number}")
        if how == "private-and-mentions":
            student.send(f"PM alice psst {number}")
    wait_until(
        lambda: f"look at this {STUDENTS - 1}" in alice.room_view.all_text(),
        pump=tk_root.update,
        timeout=WAIT,
        message="the mentions did not all arrive",
    )
    if how == "private-and-mentions":
        wait_until(
            lambda: f"psst {STUDENTS - 1}" in private_text(alice),
            pump=tk_root.update,
            timeout=WAIT,
            message="the private messages did not all arrive",
        )
    tk_root.update()
    assert alice.counts.mentions == STUDENTS, "every mention is counted for the title"
    # one bell for the mentions, at most one more for the private messages: not one per message
    assert 1 <= len(bells) <= (2 if how == "private-and-mentions" else 1), len(bells)


def private_text(controller) -> str:
    tabs = controller.window.tabs
    shown = [tab.view.all_text() for tab in tabs.private.values()]
    if tabs.collector is not None:
        shown.append(tabs.collector.view.all_text())
    return "\n".join(shown)


TOPICS = [
    "Ms_Lee: the lesson is over, you may all leave now",
    "An admin cleared the history of #den.",
    "log in again at https://schoo1-portal.example/login",
    "Announcement from Ms_Lee: test moved to Monday 📅",
]


@pytest.mark.parametrize("topic", TOPICS)
def test_a_students_topic_is_shown_as_their_words_not_in_the_servers_style(server, open_window, wire, tk_root, topic):
    """A room owner's topic goes in the pane quoted after the server's words, like a leave reason; never a link."""
    mallory = wire(server, "mallory", "den")  # the first in a new room owns it
    alice = open_window(server, "alice", "den")
    mallory.send(f"TOPIC {topic}")
    view = alice.room_view
    wait_until(lambda: topic in view.all_text(), pump=tk_root.update, timeout=WAIT, message=view.all_text())
    at = view.text.search(topic, "1.0")
    tags = set(view.text.tag_names(at))
    assert "quoted" in tags and "system" not in tags and "link" not in tags, tags
    words = view.text.search("mallory set the topic of #den:", "1.0")
    assert words and "system" in view.text.tag_names(words), "the server's own words stay in its style"
    assert alice.identity.topic_bar.topic == topic


def test_a_teachers_announcement_from_the_real_server_names_the_teacher_not_the_admin(
    server, open_window, wire, tk_root
):
    """The server names the teacher in `by`; the banner said "from the server's admin" with the teacher inside."""
    alice = open_window(server, "alice", "general")
    ms_lee = teacher(server, wire, "Ms_Lee", "general")
    mallory = wire(server, "mallory", "general")
    assert mallory.error("ANNOUNCE the test is cancelled") == ErrorCode.NOT_ALLOWED  # a student cannot
    ms_lee.send("ANNOUNCE hand in by 3 pm")
    view = alice.room_view
    wait_until(lambda: "hand in by 3 pm" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    text = view.all_text()
    assert "Announcement from Ms_Lee" in text and "server's admin" not in text, text
    assert "Announcement from Ms_Lee: hand in" not in text, "the title names the teacher once"
    assert "the test is cancelled" not in text
    server.broadcast("fire drill at 11")
    wait_until(lambda: "fire drill at 11" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    assert "Announcement from the server's admin" in view.all_text()


def click_link(view, text: str, tk_root) -> None:
    """Click the link whose text is `text` (Tk finds the tag under the pointer on motion)."""
    at = view.text.search(text, "1.0")
    assert at, (text, view.all_text())
    view.text.see(at)
    tk_root.update()
    view.paint_links()  # links are styled once on screen, by the pane's painter
    assert "link" in view.text.tag_names(at), (text, view.all_text())
    x, y, _width, height = view.text.bbox(f"{at} +2c")
    for event in ("<Motion>", "<ButtonPress-1>", "<ButtonRelease-1>"):
        view.text.event_generate(event, x=x, y=y + height // 2)
    tk_root.update()


DISGUISED_LINKS = [
    ("https://g\u043e\u043egle.com/login", "xn--ggle-55da.com"),
    ("https://school.edu@evil.example/grades", "evil.example"),
    ("https://evil.example\\@school.edu", "evil.example"),
    ("https://school\u3002edu.evil.example/", "school.edu.evil.example"),
]


@pytest.mark.parametrize(("link", "host"), DISGUISED_LINKS)
def test_a_link_whose_text_hides_its_host_asks_first_naming_the_real_host(
    server, open_window, wire, tk_root, monkeypatch, link, host
):
    opened: list[str] = []
    monkeypatch.setattr("chat_gui.window.message_view.webbrowser.open", lambda url, new=0: opened.append(url))
    alice = open_window(server, "alice", "general")
    mallory = wire(server, "mallory", "general")
    mallory.send(f"SAY grades are out: {link} check yours")
    view = alice.room_view
    wait_until(lambda: "check yours" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    asked: list[str] = []
    answer = [False]
    view.confirm_link = lambda warning: asked.append(warning) or answer[0]
    click_link(view, link, tk_root)
    assert len(asked) == 1 and host in asked[0], asked
    assert opened == [], "declined: nothing opens"
    answer[0] = True
    click_link(view, link, tk_root)
    assert opened == [link], "accepted: the link as sent"


def test_an_ordinary_link_opens_without_a_question(server, open_window, wire, tk_root, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr("chat_gui.window.message_view.webbrowser.open", lambda url, new=0: opened.append(url))
    alice = open_window(server, "alice", "general")
    wire(server, "bob", "general").send("SAY notes: https://example.org/notes and www.example.org/more")
    view = alice.room_view
    wait_until(lambda: "www.example.org/more" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    view.confirm_link = lambda warning: pytest.fail(f"asked about an ordinary link: {warning}")
    click_link(view, "https://example.org/notes", tk_root)
    click_link(view, "www.example.org/more", tk_root)
    assert opened == ["https://example.org/notes", "https://www.example.org/more"]


LONG_NAMES = [
    ("worksheet.pdf" + "_" * 200 + ".exe", ".exe"),
    ("homework.docx" + "-" * 150 + "x.bat", "x.bat"),
    ("x" * 240 + ".scr", ".scr"),
    ("宿題" * 60 + ".pdf.js", ".js"),  # wide letters: sixty of them are wider than the pane
    ("notes.pdf" + "\u2014" * 120 + ".cmd", ".cmd"),  # em dashes
]


@pytest.mark.parametrize(("name", "end"), LONG_NAMES)
def test_a_long_file_name_cannot_push_its_real_extension_or_its_sender_out_of_the_card(
    start_server, open_window, tk_root, tmp_path, name, end
):
    server = start_server(rate_per_second=0, files_keep_free_mb=0)
    alice = open_window(server, "alice", "general")
    mallory = ChatLine(server.address, "mallory", "general")
    try:
        path = tmp_path / "payload.bin"
        path.write_bytes(b"MZ not really a program")
        ticket = offer(mallory, path, "#general", name=name)
        assert ticket["type"] == "upload", ticket
        upload_file(connector(server.address), ticket["token"], path)
        cards = wait_until(
            lambda: [card for cards in alice.files.cards.values() for card in cards if card.winfo_exists()],
            pump=tk_root.update,
            timeout=WAIT,
            message="no card",
        )
    finally:
        mallory.close()
    (card,) = cards
    view = alice.room_view.text
    view.see(view.index(card))
    for _ in range(3):
        tk_root.update()
    shown = card.name_label.cget("text")
    assert shown.endswith(end) and len(shown) <= 60, shown
    pane_right = view.winfo_rootx() + view.winfo_width()
    for label in (card.name_label, card.info_label):
        right = label.winfo_rootx() + label.winfo_width()
        assert right <= pane_right, f"{label.cget('text')!r} ends at {right}, past the pane's edge at {pane_right}"
    assert "from mallory" in card.info_label.cget("text")


@pytest.mark.parametrize("topic", ["宿題" * 60, "W" * 120, "Official room of Ms_Lee " * 5])
def test_a_long_topic_cannot_push_the_lock_and_the_owners_name_out_of_sight(server, open_window, wire, tk_root, topic):
    mallory = wire(server, "mallory", "den")
    alice = open_window(server, "alice", "den")
    mallory.send("KEY sesame")
    mallory.send(f"TOPIC {topic}")
    bar = alice.identity.topic_bar
    wait_until(lambda: "owner mallory" in bar.text() and topic[:10] in bar.text(), pump=tk_root.update, timeout=WAIT)
    for _ in range(5):
        tk_root.update()
    assert bar.label.winfo_reqwidth() <= bar.label.winfo_width() + 1, "the bar shows all it says, wrapped"
    assert bar.winfo_rootx() + bar.winfo_width() <= tk_root.winfo_rootx() + tk_root.winfo_width()


MARKS = "".join(chr(code) for code in range(0x300, 0x36F))
HEAVY_TEXTS = {
    "one-base-1999-marks": "a" + (MARKS * 20)[:1999],
    "zalgo-words": " ".join("Z" + MARKS[:19] for _ in range(95)),
    "one-word-of-2000": "w" * 2000,
    "zwj-chain": "\U0001f468\u200d" * 999,
    "thai-stack": "\u0e01" + "\u0e34\u0e48" * 999,
}


@pytest.mark.parametrize("kind", HEAVY_TEXTS)
def test_heavy_graphemes_and_endless_words_stay_inside_their_own_lines(server, open_window, wire, tk_root, kind):
    """Held: Tk draws stacked marks inside their line; a long message is folded; the next one shows normally."""
    alice = open_window(server, "alice", "general")
    mallory, bob = wire(server, "mallory", "general"), wire(server, "bob", "general")
    mallory.send(f"SAY {HEAVY_TEXTS[kind]}")
    mallory.expect("message")  # its echo: the server has given it an id, so bob's line comes after it everywhere
    bob.send("SAY the plain line after it")
    view = alice.room_view
    wait_until(lambda: "plain line after it" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    text = view.text
    plain = text.search("the plain line after it", "1.0")
    text.see(plain)
    tk_root.update()
    plain_height = text.dlineinfo(plain)[3]
    heavy = text.search("  mallory  ", "1.0")
    assert heavy, "the message arrived"
    text.see(heavy)
    tk_root.update()
    assert text.dlineinfo(heavy)[3] <= 2 * plain_height, "stacked marks do not make a line tall"
    assert "show more" in view.all_text(), "a 2,000-character message is folded"
    assert len(view.all_text()) < 3000


@pytest.mark.parametrize(
    ("honest", "fake"),
    [
        ("Ms Lee's class", "Ms Lee's class"),
        ("Maths 7B", "maths 7b"),
        ("Maths 7B", "Maths 7\u0412"),  # a Cyrillic capital ve
        ("Physics", "Physics"),
    ],
)
def test_a_second_server_announcing_the_class_name_is_pointed_out(open_window, tk_root, honest, fake):
    """A student's own server announcing the teacher's class name: on a first visit both read "new server"."""
    window = open_window()
    window.show_connect_dialog()
    panel = window.dialog.found
    real = FoundServer("a", honest, ("127.0.0.1",), 4001, 2, "3fa4c1d2e5f60718", "teacher-pc")
    impostor = FoundServer("b", fake, ("127.0.0.2",), 4000, 2, "0badc0ffee000000", "student-pc")
    other = FoundServer("c", "Art club", ("127.0.0.3",), 4000, 2, None, "art-pc")
    panel.show_servers((real, other, impostor))
    status = panel.status.cget("text")
    assert "more than one server calls itself" in status and "127.0.0.1:4001" in status and "127.0.0.2:4000" in status
    assert str(panel.status.cget("style")) == "Error.TLabel"
    panel.show_servers((real, other))
    assert "Double-click" in panel.status.cget("text"), "one of each name: nothing to point out"
    panel.show_servers((real, FoundServer("d", honest, ("127.0.0.1",), 4001, 2, None, "teacher-pc")))
    assert "more than one" not in panel.status.cget("text"), "the same server seen twice is one server"


FAKE_FACTS = "Algebra · 🔒 locked with a key · owner Ms_Lee (teacher) · type your school password here"


def test_a_topic_worded_like_the_bars_facts_comes_after_them_in_quotes(server, open_window, wire, tk_root):
    """A student's topic said the room was locked and Ms_Lee's, before the real "owner mallory" (ninth review):
    the lock and the owner come first, the topic after them in quotes, with its own quotes shown as '."""
    mallory = wire(server, "mallory", "den")
    alice = open_window(server, "alice", "den")
    mallory.send(f'TOPIC {FAKE_FACTS} "ok')
    bar = alice.identity.topic_bar
    wait_until(lambda: "Algebra" in bar.text(), pump=tk_root.update, timeout=WAIT)
    shown = bar.text()
    assert shown.startswith("owner mallory"), shown  # the room is not locked: no lock, whatever the topic says
    assert shown.index("owner mallory") < shown.index("Ms_Lee"), shown
    assert shown.endswith(f'Topic: "{FAKE_FACTS} \'ok"'), shown
    mallory.send("KEY sesame")
    wait_until(
        lambda: bar.text().startswith("🔒 locked with a key   ·   owner mallory"), pump=tk_root.update, timeout=WAIT
    )
