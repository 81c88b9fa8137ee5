"""Code pasted into the chat: ``` blocks and `inline code` drawn monospace, indentation and every character kept."""

from __future__ import annotations

import tkinter.font as tkfont

import pytest

from tests.gui.client.conftest import WAIT
from tests.support import wait_until

BLOCK = (
    "look at this:\n"
    "```python\n"
    "@decorator\n"
    "def foo(x):  # see #general\n"
    "\tif x==1:\n"
    "    \treturn a[i] -> '<b>' :smile: https://example.com/x \U0001f600\n"
    "```\n"
    "thanks"
)


def shown(view, tk_root, words: str) -> str:
    wait_until(lambda: words in view.all_text(), pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    view.paint_links()
    tk_root.update()
    return view.text.search(words, "1.0")


def copied(view, tk_root, first: str, last: str) -> str:
    """Select from the start of `first` to the end of `last` as a user drags, then Ctrl+C."""
    start = view.text.search(first, "1.0")
    end = view.text.search(last, start)
    view.text.tag_remove("sel", "1.0", "end")
    view.text.tag_add("sel", start, f"{end} + {len(last)} chars")
    view.text.event_generate("<<Copy>>")
    return str(tk_root.clipboard_get())


def font_of(view, index: str) -> tkfont.Font:
    for tag in reversed(view.text.tag_names(index)):
        font = view.text.tag_cget(tag, "font")
        if font:
            return tkfont.nametofont(str(font), root=view.text)
    return tkfont.nametofont(str(view.text.cget("font")), root=view.text)


def test_a_fenced_block_is_monospace_with_tabs_aligned_and_nothing_turned_into_links_or_emoji(
    server, open_window, make_client, tk_root
):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    bob.send_command(f"SAY {BLOCK}")
    view = alice.room_view
    at = shown(view, tk_root, "@decorator")
    text = view.text
    for word in ("@decorator", "def foo", "if x==1", "return a[i]", "https://example.com", "```python"):
        index = text.search(word, at)
        assert "code" in text.tag_names(index), word
        font = font_of(view, index)
        assert font.measure("iiii") == font.measure("WWWW"), f"{word} is drawn in a monospace font"
        assert "link" not in text.tag_names(index) and "emoji" not in text.tag_names(index)
    assert "code" not in text.tag_names(text.search("look at this", "1.0"))
    assert "code" not in text.tag_names(text.search("thanks", at))
    # a tab reaches the same column as four spaces of the same block (Tk counts tab stops from the pane's edge)
    def_x = text.bbox(text.search("def foo", at))[0]
    if_x = text.bbox(text.search("if x==1", at))[0]
    return_x = text.bbox(text.search("return a[i]", at))[0]
    four = font_of(view, text.search("def foo", at)).measure("    ")
    assert abs(if_x - (def_x + four)) <= 1
    assert abs(return_x - (def_x + 2 * four)) <= 1
    assert copied(view, tk_root, "look at this", "thanks") == BLOCK


def test_a_long_line_of_code_wraps_further_in_than_its_lines_start(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    long_line = "    return " + " + ".join(f"value_{n}" for n in range(40))
    code = f"```\ndef f():\n{long_line}\n```"
    bob.send_command(f"SAY {code}")
    view = alice.room_view
    at = shown(view, tk_root, "def f():")
    text = view.text
    start_x = text.bbox(text.search("def f():", at))[0]
    line = int(text.index(text.search("return", at)).split(".")[0])
    rows_x = []
    index = f"{line}.0"
    while text.compare(index, "<", f"{line}.end"):
        box = text.bbox(index)
        assert box is not None
        rows_x.append(box[0])
        index = text.index(f"{index} display lineend +1c")
    assert len(rows_x) > 1, "the line is long enough to wrap"
    column = font_of(view, text.search("def f():", at)).measure("    ") / 4
    assert rows_x[0] == start_x, "the line itself starts where the code does, its indentation drawn as spaces"
    # two levels further in than the line's own indentation (4 columns): no wrapped row reads as a line of code
    assert all(abs(x - (start_x + 12 * column)) <= 1 for x in rows_x[1:]), (rows_x, start_x, column)
    assert copied(view, tk_root, "```", "value_39") == code[: code.index("value_39") + len("value_39")]


def test_inline_code_is_monospace_and_no_link_while_the_rest_of_the_line_keeps_its_links(
    server, open_window, make_client, tk_root
):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    line = "use `a[i]` or `https://x.example/y`, see https://docs.python.org/3/ :)"
    bob.send_command(f"SAY {line}")
    view = alice.room_view
    at = shown(view, tk_root, "use `a[i]`")
    text = view.text
    assert "code-inline" in text.tag_names(text.search("a[i]", at))
    assert "link" not in text.tag_names(text.search("x.example", at))
    assert "link" in text.tag_names(text.search("docs.python.org", at))
    assert "code-inline" not in text.tag_names(text.search("see", at))
    assert copied(view, tk_root, "use `a[i]`", ":)") == line


def test_code_between_two_links_of_a_message_stays_no_link(server, open_window, make_client, tk_root):
    """The painter styles links between a message's first and last link: code there is left alone."""
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    message = (
        "docs: https://docs.python.org/3/\n```\nurl = 'https://api.example.com/v1'\n```\n"
        "and https://a.example `https://b.example` https://c.example"
    )
    bob.send_command(f"SAY {message}")
    view = alice.room_view
    at = shown(view, tk_root, "docs: https")
    text = view.text
    for word, linked in (("docs.python", True), ("api.example", False), ("a.example", True), ("b.example", False)):
        assert ("link" in text.tag_names(text.search(word, at))) is linked, word
    assert "link" in text.tag_names(text.search("c.example", at))


def test_a_folded_block_shows_the_rest_as_code_too(server, open_window, make_client, tk_root):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    code = "```\n" + "\n".join(f"    line_{n} = {n}" for n in range(20)) + "\n```"
    bob.send_command(f"SAY {code}")
    view = alice.room_view
    shown(view, tk_root, "line_0 =")
    text = view.text
    assert text.tag_ranges("more"), "twenty lines are folded"
    more = text.tag_ranges("more")[0]
    text.see(more)
    tk_root.update()
    x, y, _w, h = text.bbox(f"{more} +3c")
    for event in ("<Motion>", "<ButtonPress-1>", "<ButtonRelease-1>"):
        text.event_generate(event, x=x, y=y + h // 2)
    wait_until(lambda: "line_19" in view.all_text(), pump=tk_root.update, timeout=WAIT)
    for word in ("line_10", "line_19"):
        assert "code" in text.tag_names(text.search(word, "1.0"))
    assert copied(view, tk_root, "```", "line_19 = 19\n```") == code


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("```python\nprint(':smile:')\n```", "```python\nprint(':smile:')\n```"),
        ("done :smile: with `':tada:'`", "done 😄 with `':tada:'`"),
    ],
)
def test_the_entry_box_turns_no_shortcode_inside_code_into_an_emoji(
    server, open_window, make_client, tk_root, typed, sent
):
    alice = open_window(server, "alice", "lab")
    bob = make_client(server, "bob", "lab")
    alice.window.entry.set_text(typed)
    alice.window.entry.submit()
    for _ in range(20):
        tk_root.update()
    assert bob.wait_for(lambda frame: frame.get("type") == "message", timeout=WAIT)["content"] == sent


def test_a_name_inside_code_does_not_highlight_the_line(server, open_window, make_client, tk_root):
    alice = open_window(server, "property", "lab")
    bob = make_client(server, "bob", "lab")
    bob.send_command("SAY ```python\n@property\ndef size(self):\n    return 1\n```")
    bob.send_command("SAY and now you, property")
    view = alice.room_view
    shown(view, tk_root, "and now you")
    text = view.text
    assert "mention" not in text.tag_names(text.search("def size", "1.0"))
    assert "mention" in text.tag_names(text.search("and now you", "1.0"))


def test_a_block_shown_before_a_text_size_change_keeps_its_tabs_and_wrapped_rows_in_step(open_window, tk_root):
    alice = open_window()
    tk_root.geometry("1300x700")  # wide enough at 200 % for a tab stop (Tk puts a stop past the edge a space on)
    view = alice.room_view
    view.show_message("12:00:00", "bob", "```\ndef f():\n\tif x:\n\t\treturn " + "word + " * 60 + "1\n```")
    text = view.text

    def x_of(index: str) -> int:
        def seen():
            text.see(index)
            return text.bbox(index)

        return int(wait_until(seen, pump=tk_root.update, timeout=WAIT, message=f"{index} unseen")[0])

    for size in (150, 200, 90, 100):
        alice.set_text_size(size)
        tk_root.update()
        column = font_of(view, text.search("def f", "1.0")).measure("    ") / 4
        left = x_of(text.search("def f", "1.0"))
        assert abs(x_of(text.search("if x", "1.0")) - (left + 4 * column)) <= 2, size
        start = text.search("return", "1.0")
        assert abs(x_of(start) - (left + 8 * column)) <= 2, size
        second_row = text.index(f"{start} + 1 display lines display linestart")
        assert abs(x_of(second_row) - (left + 16 * column)) <= 2, size
