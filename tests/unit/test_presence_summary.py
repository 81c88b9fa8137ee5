"""Joins and leaves folded into one line: "ann, bob and 3 others joined"."""

from __future__ import annotations

import pytest

from chat_gui.text.presence_summary import BATCH_SECONDS, PresenceBatch, names_phrase


@pytest.mark.parametrize(
    ("names", "phrase"),
    [
        (["ann"], "ann"),
        (["ann", "bob"], "ann and bob"),
        (["ann", "bob", "cy"], "ann, bob and cy"),
        (["ann", "bob", "cy", "dee"], "ann, bob and 2 others"),
        (["ann", "bob", "cy", "dee", "eve"], "ann, bob and 3 others"),
    ],
)
def test_names_phrase(names, phrase):
    assert names_phrase(names) == phrase


def test_a_batch_says_joins_then_leaves_each_name_once():
    batch = PresenceBatch(started=0.0)
    for event, nick in [("join", "ann"), ("join", "bob"), ("join", "ANN"), ("leave", "cy"), ("leave", "dee")]:
        batch.add(event, nick)
    assert batch.summary() == "ann and bob joined · cy and dee left"
    assert batch.size() == 4


def test_only_leaves():
    batch = PresenceBatch(started=0.0)
    batch.add("leave", "bob")
    assert batch.summary() == "bob left"


def test_a_batch_goes_stale():
    batch = PresenceBatch(started=100.0)
    assert batch.fresh(100.0 + BATCH_SECONDS)
    assert not batch.fresh(100.0 + BATCH_SECONDS + 0.1)
