"""Unit tests for shared/row_cut.py: where a line breaks to fit a row of terminal columns."""

from __future__ import annotations

from shared.row_cut import row_cut


def one(_: str) -> int:
    return 1


def test_a_line_that_fits_is_not_cut():
    assert row_cut("hello world", 0, 11, one) is None
    assert row_cut("", 5, 5, one) is None


def test_the_break_comes_after_the_last_blank_that_fits():
    assert row_cut("hello world again", 0, 13, one) == len("hello world ")
    assert row_cut("hello world", 3, 10, one) == len("hello ")  # three columns were taken already


def test_a_word_longer_than_the_row_is_cut_where_it_stops_fitting():
    assert row_cut("abcdefghij", 0, 4, one) == 4


def test_at_least_one_character_moves_on_even_when_it_is_wider_than_the_row():
    assert row_cut("界界", 0, 1, lambda ch: 2) == 1
    assert row_cut("ab", 5, 5, one) == 1


def test_wide_characters_take_their_columns():
    assert row_cut("ab界cd", 0, 3, lambda ch: 2 if ch == "界" else 1) == 2
