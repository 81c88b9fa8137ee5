"""The emoji picker in a real Tk window: search, click, tabs drawn on first view, the characters handed over."""

from __future__ import annotations

import time
import tkinter.font as tkfont

import pytest

from chat_gui.text import emoji_data
from chat_gui.window.emoji_picker import EmojiPicker, emoji_font_family
from tests.support import wait_until


def open_picker(tk_root, picked, **options) -> EmojiPicker:
    picker = EmojiPicker(tk_root, picked.append, **options)
    wait_until(picker.winfo_ismapped, pump=tk_root.update, message="the picker never appeared")
    return picker


def click(grid, emoji) -> None:
    x, y = grid.cell_centre(emoji)
    grid.canvas.event_generate("<Motion>", x=x, y=y)
    grid.canvas.event_generate("<ButtonRelease-1>", x=x, y=y)


def by_char(grid, char):
    return next(item for item in grid.emoji if item.char == char)


def test_search_cat_and_click_one_hands_over_its_characters(tk_root):
    emoji_data.catalogue()  # built once per process; the window's own cost is what is timed
    picked: list[str] = []
    started = time.perf_counter()
    picker = open_picker(tk_root, picked)
    print(f"\nthe picker opened in {(time.perf_counter() - started) * 1000:.0f} ms (catalogue already built)")
    picker.search_entry.insert(0, "cat")  # as typed: the search follows the entry
    tk_root.update()
    grid = picker.visible_grid
    assert grid is picker.results
    chars = [item.char for item in grid.emoji]
    assert "🐈" in chars and "😺" in chars
    assert "cat" in picker.status.cget("text").lower() or "found" in picker.status.cget("text")
    click(grid, by_char(grid, "🐈"))
    tk_root.update()
    assert picked == ["🐈"]
    assert not picker.winfo_exists()  # closes after a pick


def test_a_flag_is_handed_over_whole_and_tabs_are_drawn_when_first_shown(tk_root):
    picked: list[str] = []
    picker = open_picker(tk_root, picked, close_on_pick=False)
    assert list(picker.grids) == ["Smileys & Emotion"]  # only the first tab is drawn on opening
    flags = picker.show_category("Flags")
    tk_root.update()
    assert list(picker.grids) == ["Smileys & Emotion", "Flags"]
    assert picker.visible_grid is flags
    click(flags, by_char(flags, "🇫🇷"))
    smileys = picker.show_category("Smileys & Emotion")
    tk_root.update()
    click(smileys, by_char(smileys, "😀"))
    click(smileys, by_char(smileys, "😀"))
    tk_root.update()
    assert picked == ["🇫🇷", "😀", "😀"]
    assert picker.winfo_exists()
    assert "grinning face" in picker.status.cget("text")


def test_hover_names_the_emoji_and_a_click_beside_the_grid_picks_nothing(tk_root):
    picked: list[str] = []
    picker = open_picker(tk_root, picked, close_on_pick=False)
    picker.search("thumbs up")
    tk_root.update()
    grid = picker.visible_grid
    assert [item.char for item in grid.emoji][:1] == ["👍"]
    x, y = grid.cell_centre(grid.emoji[0])
    grid.canvas.event_generate("<Motion>", x=x, y=y)
    assert ":+1:" in picker.status.cget("text") or "thumbs" in picker.status.cget("text")
    last_row_y = grid.cell * 3 + grid.cell // 2  # below the only row of results
    grid.canvas.event_generate("<ButtonRelease-1>", x=x, y=last_row_y)
    grid.canvas.event_generate("<ButtonRelease-1>", x=grid.cell * 20, y=y)
    tk_root.update()
    assert picked == []


def test_return_picks_the_first_match_and_escape_closes(tk_root):
    picked: list[str] = []
    picker = open_picker(tk_root, picked, close_on_pick=False)
    picker.search("pizza")
    picker.search_entry.focus_force()
    tk_root.update()
    picker.search_entry.event_generate("<Return>")
    tk_root.update()
    assert picked == ["🍕"]
    picker.search("")
    tk_root.update()
    assert picker.visible_grid is picker.grids["Smileys & Emotion"]
    picker.search_entry.event_generate("<Escape>")
    tk_root.update()
    assert not picker.winfo_exists()


def test_nothing_found_says_so(tk_root):
    picker = open_picker(tk_root, [])
    picker.search("qqqzzz")
    tk_root.update()
    assert picker.visible_grid.emoji == []
    assert picker.status.cget("text") == "Nothing found"


def test_an_emoji_font_is_used_when_one_is_installed(tk_root):
    if "Symbola" not in tkfont.families(tk_root):
        pytest.skip("no Symbola here (scripts/system-packages.sh installs fonts-symbola)")
    assert emoji_font_family(tk_root) == "Symbola"
    picker = open_picker(tk_root, [])
    assert picker.font.actual("family") == "Symbola"
