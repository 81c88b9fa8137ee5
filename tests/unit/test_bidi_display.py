"""Right-to-left names in display order for Tk on X11 (chat_gui/text/bidi_display.py): found by the thirteenth
review's look probe, where every Hebrew and Arabic name in the window read back to front."""

from __future__ import annotations

import pytest

from chat_gui.text.bidi_display import has_rtl, levels, visual_line


@pytest.mark.parametrize(
    ("logical", "shown"),
    [
        ("דנה", "הנד"),  # drawn left to right, so a reader going right to left reads דנה
        ("محمد", "دمحم"),
        ("נועה_2", "2_העונ"),  # the digit ends the name, on the reader's left
        ("محمد_علي", "يلع_دمحم"),
        ("שלום עולם", "םלוע םולש"),  # the first word on the right
        ("מבחן ב-12:30 בחדר 204", "204 רדחב 12:30-ב ןחבמ"),  # numbers keep their own order
        ("abc דנה def", "abc הנד def"),  # a Hebrew word inside an English line
        ("99% נכון", "ןוכנ 99%"),
        ("a (ב) c", "a (ב) c"),
        ("(דנה)", "(הנד)"),  # brackets mirrored: the opening one still opens on the reader's right
        ("שָׁלוֹם", "םוֹלשָׁ"),  # vowel points stay after their letter
        ("נועה…", "…העונ"),  # a name cut short: the ellipsis at its end, on the reader's left
    ],
)
def test_right_to_left_text_comes_out_in_display_order(logical, shown):
    assert visual_line(logical) == shown


@pytest.mark.parametrize("text", ["", "bob", "chloe_2", "王小明同学", "kenji_田中", "👨‍💻 (x) [y] 12:30", "Ünïcödé"])
def test_text_without_a_right_to_left_letter_is_left_as_it_is(text):
    assert not has_rtl(text)
    assert visual_line(text) is text


def test_levels_follow_the_first_strong_letter():
    assert levels("abc") == [0, 0, 0]
    assert levels("אב 12") == [1, 1, 1, 2, 2]
    assert levels("ab אב") == [0, 0, 0, 1, 1]


def test_every_character_is_kept():
    for text in ("דנה_12 (x) [שלום] abc 3.5%", "مرحبا alice، الواجب رقم 3 صفحة 45", "א\u05b0\u05b0b"):
        assert sorted(visual_line(text)) == sorted(text.translate(str.maketrans("()[]", ")(][")))


@pytest.mark.parametrize(
    ("logical", "shown"),
    [
        ("יעל joined #general", "לעי joined #general"),
        ("You are now talking to נועה_2.", "You are now talking to 2_העונ."),
        ("דנה, محمد and 3 others joined", "دمحم ,הנד and 3 others joined"),
        ("see https://x.org/a?b=1 from דנה", "see https://x.org/a?b=1 from הנד"),
    ],
)
def test_an_english_sentence_naming_someone_stays_left_to_right(logical, shown):
    assert visual_line(logical, base=0) == shown


def test_a_right_to_left_line_is_broken_into_rows_first_and_each_row_reordered_after() -> None:
    from chat_gui.text.bidi_display import visual_rows

    line = "אחת שתיים שלוש ארבע חמש שש"
    rows = visual_rows(line, lambda row: len(row) <= 10)
    assert rows == ["םייתש תחא", "עברא שולש", "שש שמח"]  # the first words in the top row, drawn at its right
    # a link is one left-to-right word, never split around its digits; a word wider than a row is cut
    text = "ראו https://x.org/a/1 עכשיו"
    start = text.index("https")
    rows = visual_rows(text, lambda row: len(row) <= 40, [(start, start + len("https://x.org/a/1"))])
    assert rows == ["וישכע https://x.org/a/1 ואר"]
    assert visual_rows("אאאאאאאאאאאא", lambda row: len(row) <= 5) == ["אאאאא", "אאאאא", "אא"]
    assert visual_rows("hello there", lambda row: len(row) <= 5) == ["hello", "there"]  # rows, no reordering
    assert visual_rows("", lambda row: True) == [""]
