"""Arabic letters in joined forms for drawing on X11 (chat_gui/text/arabic_shaping.py)."""

from __future__ import annotations

import unicodedata

import pytest

from chat_gui.text.arabic_shaping import joined


@pytest.mark.parametrize(
    ("written", "forms"),
    [
        ("محمد", ["INITIAL", "MEDIAL", "MEDIAL", "FINAL"]),
        ("سلام", ["INITIAL", "LIGATURE LAM WITH ALEF FINAL", "ISOLATED"]),  # lam-alef after a joining letter
        ("لا", ["LIGATURE LAM WITH ALEF ISOLATED"]),
        ("دار", ["ISOLATED", "ISOLATED", "ISOLATED"]),  # dal and alef do not join forward
        ("بَيت", ["INITIAL", "", "MEDIAL", "FINAL"]),  # a vowel mark is passed over and kept
        ("إلى", ["ISOLATED", "INITIAL", "FINAL"]),  # lam with alef maksura is no lam-alef
        ("پدر", ["PEH INITIAL", "DAL FINAL", "REH ISOLATED"]),  # Persian peh: in Presentation Forms-A
        ("گل", ["INITIAL", "FINAL"]),
    ],
)
def test_letters_take_the_form_their_neighbours_give_them(written: str, forms: list[str]) -> None:
    shown = joined(written)
    names = [unicodedata.name(char) for char in shown]
    assert len(names) == len(forms), names
    for name, form in zip(names, forms, strict=True):
        assert form in name, (name, form)


@pytest.mark.parametrize("text", ["", "hello", "שלום", "3.14 😀", "a\u200db"])
def test_text_without_arabic_letters_is_unchanged(text: str) -> None:
    assert joined(text) is text or joined(text) == text


def test_the_shown_text_decomposes_back_to_what_was_written_apart_from_lam_alef() -> None:
    written = "مرحبا بكم في الصف رقم 5، أرسلوا الواجب إلى @bob"
    assert unicodedata.normalize("NFKC", joined(written)) == written
