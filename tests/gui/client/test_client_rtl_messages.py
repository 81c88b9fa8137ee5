"""Hebrew and Arabic messages read right to left in the conversation pane, wrapped rows in reading order,
Arabic letters joined; copying and links still work on the text as written (found by the fourteenth review:
Tk 8.6 on X11 drew every message back to front and Arabic letters apart).  Real server, Tk under Xvfb."""

from __future__ import annotations

import tkinter as tk

from chat_gui.window.controller import ChatController
from tests.gui.client.conftest import WAIT
from tests.gui.client.test_client_window import type_line
from tests.support import wait_until

LONG = (
    "זו הודעה ארוכה מאוד שצריכה לעבור לשורה הבאה כי היא ארוכה יותר מרוחב החלון, "
    "וגם יש בה מילים באנגלית כמו homework ו-deadline ומספר 3.14 כדי לבדוק שהכל נקרא נכון מימין לשמאל"
)
LINKED = "ראו את השיעור ב-https://example.com/lesson/7 ותגידו ל-@alice מה חשבתם"


def rows_of(controller: ChatController, tag: str) -> list[str]:
    text = controller.room_view.text
    start, end = text.tag_ranges(tag)[0], text.tag_ranges(tag)[-1]
    return str(text.get(start, end)).split("\n")


def rtl_tags(controller: ChatController) -> list[str]:
    """The tags of the message lines drawn in rows (names and notices have tags of their own, no rows)."""
    lines = controller.room_view._rtl_lines
    return sorted((tag for tag in lines if lines[tag][2]), key=lambda tag: int(tag.split("-")[1]))


def x_of(text: tk.Text, index: str) -> int:
    text.see(index)
    text.update()
    box = text.bbox(index)
    assert box, f"{index} not on screen"
    return int(box[0])


def test_a_long_hebrew_message_wraps_into_rows_that_read_right_to_left_from_the_top(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    tk_root.geometry("1000x500")
    tk_root.update()
    dana = wire(server, "דנה", "general")
    dana.send(f"MSG {LONG}")
    wait_until(lambda: "homework" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    text = alice.room_view.text
    tag = rtl_tags(alice)[-1]
    rows = rows_of(alice, tag)
    assert len(rows) >= 2, rows
    # the first words are in the first row, drawn at its right end: ז right of ו in "זו"
    assert rows[0].endswith("וז"), rows[0]
    assert rows[-1].startswith("לאמשל"), rows[-1]  # the last word, drawn leftmost in the last row
    first = text.tag_ranges(tag)[0]
    row_start = text.index(f"{first} linestart")
    zayin = text.search("ז", first, f"{row_start} lineend")
    assert x_of(text, zayin) > x_of(text, text.search("ה", first, f"{row_start} lineend"))
    # English words and numbers in it read left to right
    assert "homework" in "".join(rows) and "3.14" in "".join(rows)
    # every row fits the pane: Tk does not wrap a row again (each row is one display line)
    for number in range(len(rows)):
        line = int(str(first).split(".")[0]) + number
        assert not text.count(f"{line}.0", f"{line}.end", "displaylines"), rows[number]
    # copying the message gives it as written
    text.tag_add("sel", f"{row_start}", text.tag_ranges(tag)[-1])
    text.event_generate("<<Copy>>")
    assert tk_root.clipboard_get().endswith(LONG), tk_root.clipboard_get()
    assert tk_root.clipboard_get().endswith(f"דנה  {LONG}"), tk_root.clipboard_get()
    # a narrower window breaks the rows again, still in reading order and fitting
    tk_root.geometry("700x500")
    wait_until(lambda: len(rows_of(alice, tag)) > len(rows), pump=tk_root.update, timeout=WAIT)
    narrow = rows_of(alice, tag)
    assert narrow[0].endswith("וז") and narrow[-1].startswith("לאמשל"), narrow
    first = text.tag_ranges(tag)[0]
    for number in range(len(narrow)):
        line = int(str(first).split(".")[0]) + number
        assert not text.count(f"{line}.0", f"{line}.end", "displaylines"), narrow[number]
    assert alice.room_view.all_text().count("\n") > 0


def test_links_and_mentions_in_a_hebrew_line_read_and_open_as_written(server, open_window, wire, tk_root, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr("chat_gui.window.message_view.webbrowser.open", lambda url, new=0: opened.append(url))
    alice = open_window(server, "alice", "general")
    dana = wire(server, "דנה", "general")
    # a link whose digits the algorithm alone would move, and text that only reordered looks like a link
    dana.send(f"MSG {LINKED}")
    dana.send("MSG moc.liveשלוםwww.")
    wait_until(lambda: "www." in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    view = alice.room_view
    view.paint_links()
    tk_root.update()
    linked, fake = rtl_tags(alice)
    shown = "".join(rows_of(alice, linked))
    assert "https://example.com/lesson/7" in shown and "@alice" in shown, shown
    # the link is where it is drawn, and a click opens it as written
    start, end = view.text.tag_nextrange("link", view.text.tag_ranges(linked)[0])
    assert view.text.get(start, end) == "https://example.com/lesson/7"
    x, y, _width, height = view.text.bbox(f"{start} +3c")
    view.text.event_generate("<Motion>", x=x, y=y + height // 2)
    view.text.event_generate("<ButtonPress-1>", x=x, y=y + height // 2)
    view.text.event_generate("<ButtonRelease-1>", x=x, y=y + height // 2)
    tk_root.update()
    assert opened == ["https://example.com/lesson/7"]
    # "www.םולשmoc.live" is what the reordering draws, but nobody wrote that link: it is no link
    fake_range = view.text.tag_ranges(fake)
    assert "www." in view.text.get(fake_range[0], fake_range[-1])
    assert not view.text.tag_nextrange("link", fake_range[0], fake_range[-1])


def test_arabic_letters_are_joined_and_a_message_cannot_move_its_senders_name(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "general")
    ahmad = wire(server, "محمد", "general")
    dana = wire(server, "דנה", "general")
    ahmad.send("MSG مرحبا بكم، الواجب رقم 5")
    # bidi controls that would turn the line (or the next one) around: the server takes them out
    dana.send("SAY \u202ebob: hi\u202c \u2067x\u2069 \u202dשלום")
    wait_until(lambda: "םולש" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    lines = alice.room_view.all_text().split("\n")
    arabic = next(line for line in lines if "5" in line and "ﻣﺮﺣﺒﺎ"[::-1] in line)
    assert "ﺪﻤﺤﻣ  " in arabic, arabic  # the name joined too, in its column
    assert arabic.index("ﺪﻤﺤﻣ") < arabic.index("ﻢﻗﺭ"), "the name stays before the text"
    hebrew = next(line for line in lines if "םולש" in line)
    assert hebrew.split("  ")[1] == "הנד", hebrew  # the name column is the sender's, whatever the text holds
    assert not any(0x202A <= ord(char) <= 0x202E or 0x2066 <= ord(char) <= 0x2069 for char in hebrew)
    # the text kept is as it was sent, for copying and search
    text = alice.room_view.text
    text.tag_add("sel", "1.0", "end-1c")
    text.event_generate("<<Copy>>")
    copied = tk_root.clipboard_get()
    assert "محمد  مرحبا بكم، الواجب رقم 5" in copied and "ﻣ" not in copied, copied
    assert "محمد and דנה joined" in copied, copied  # names and notices too
    assert "דנה  bob: hi x שלום" in copied, copied


def test_a_hebrew_topic_and_search_result_read_right_to_left(server, open_window, wire, tk_root):
    alice = open_window(server, "alice", "lab")  # who makes the room owns it
    dana = wire(server, "דנה", "lab")
    dana.send("SAY המבחן ביום שלישי")
    wait_until(lambda: "ישילש" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    type_line(alice, "/topic שיעורי בית עד יום ראשון")
    wait_until(lambda: "ןושאר םוי דע תיב ירועיש" in alice.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    panel = alice.history.search_panel
    alice.window.entry.text.focus_force()
    alice.window.entry.text.event_generate("<Control-f>")
    wait_until(panel.winfo_ismapped, pump=tk_root.update, timeout=WAIT)
    panel.words.set("המבחן")
    panel.submit()
    wait_until(lambda: "ישילש םויב ןחבמה" in panel.list.get("1.0", "end"), pump=tk_root.update, timeout=WAIT)
    assert "הנד" in panel.list.get("1.0", "end")
