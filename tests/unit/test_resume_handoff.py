"""resume_handoff.py on a real folder: what one run hands the next, for how long, and what a bad file does."""

from __future__ import annotations

import json
import logging
import os
import threading

from chat_server.resume_handoff import FILE_NAME, MAX_BYTES, load_parked, save_parked
from chat_server.resume_tokens import ParkedSessions, token_digest
from chat_server.superseded_tokens import SupersededTokens


def parked_with(keep: float = 600.0) -> ParkedSessions:
    parked = ParkedSessions(keep)
    parked.park("alice", "Alice", "secret-token-a", "lab", False, 100.0, owner="g:a", address="127.0.0.1")
    parked.park("bob", "Bob", "secret-token-b", None, True, 100.0, owner="g:b", address="127.0.0.2")
    return parked


def assert_set_aside(folder, damage: str, caplog) -> None:
    """A hand-off file holding `damage` gives nobody back and is renamed .bad."""
    (folder / FILE_NAME).write_text(damage)
    parked = ParkedSessions(600.0)
    with caplog.at_level(logging.WARNING):
        assert load_parked(folder, parked, 0.0, 0.0) == 0
    assert len(parked) == 0 and not (folder / FILE_NAME).exists()
    assert (folder / (FILE_NAME + ".bad")).exists()


def test_what_is_left_of_each_tokens_time_goes_to_the_next_run(tmp_path):
    assert save_parked(tmp_path, parked_with().all(), 400.0, 1_000_000.0) == 2  # 300 s used of 600
    text = (tmp_path / FILE_NAME).read_text()
    assert "secret-token" not in text
    again = ParkedSessions(600.0)
    assert load_parked(tmp_path, again, 50.0, 1_000_100.0) == 2  # 100 s of restart
    assert not (tmp_path / FILE_NAME).exists()
    alice = again.check("alice", "secret-token-a", 50.0)
    assert alice is not None and alice.room == "lab" and alice.owner == "g:a"
    assert again.check("alice", "secret-token-b", 50.0) is None
    assert again.check("alice", "secret-token-a", 50.0 + 199) is not None
    assert again.check("alice", "secret-token-a", 50.0 + 201) is None  # 300 - 100 s left
    bob = again.check("bob", "secret-token-b", 50.0)
    assert bob is not None and bob.muted and bob.address == "127.0.0.2"
    assert again.kept_for_another("alice", "127.0.0.9", 50.0) is not None  # the name is kept for her meanwhile


def test_a_late_start_or_a_clock_set_back_brings_no_more_than_was_left(tmp_path):
    save_parked(tmp_path, parked_with().all(), 400.0, 1_000_000.0)
    late = ParkedSessions(600.0)
    assert load_parked(tmp_path, late, 0.0, 1_000_301.0) == 0
    save_parked(tmp_path, parked_with().all(), 400.0, 1_000_000.0)
    set_back = ParkedSessions(600.0)
    assert load_parked(tmp_path, set_back, 0.0, 0.0) == 2
    assert set_back.check("alice", "secret-token-a", 601.0) is None  # never past the server's own limit


def test_nothing_to_hand_on_writes_no_file(tmp_path):
    assert save_parked(tmp_path, [], 0.0, 0.0) == 0
    assert save_parked(tmp_path, parked_with().all(), 10_000.0, 0.0) == 0  # all expired
    assert not (tmp_path / FILE_NAME).exists()


def test_a_damaged_file_is_set_aside_with_a_warning_and_brings_nothing(tmp_path, caplog):
    for damage in [
        "{",
        "[]",
        json.dumps({"version": 1, "sessions": [{"key": "a"}]}),
        json.dumps({"version": 1, "sessions": [{"key": 5}]}),
        json.dumps({"version": 99, "sessions": []}),
    ]:
        assert_set_aside(tmp_path, damage, caplog)
        assert "unreadable" in caplog.text


def test_a_file_nested_too_deep_too_large_or_with_a_time_that_is_no_number_is_set_aside(tmp_path, caplog):
    """Found by a probe (the ninth review): a file of nested brackets stopped every start with RecursionError."""
    row = {"key": "alice", "nick": "alice", "digest": "0" * 64, "room": None, "muted": False, "expires": "NaN"}
    row.update(account=None, owner=None, account_owner=None, room_key_hash=None, address="")
    not_a_number = json.dumps({"version": 1, "sessions": [row]}).replace('"NaN"', "NaN")
    for damage in ["[" * 200_000, " " * (MAX_BYTES + 1) + "{}", not_a_number]:
        assert_set_aside(tmp_path, damage, caplog)


def test_a_named_pipe_or_a_link_in_its_place_is_set_aside_without_waiting(tmp_path):
    victim = tmp_path / "elsewhere.json"
    save_parked(tmp_path, parked_with().all(), 0.0, 0.0)
    (tmp_path / FILE_NAME).rename(victim)
    (tmp_path / FILE_NAME).symlink_to(victim)
    assert load_parked(tmp_path, ParkedSessions(600.0), 0.0, 0.0) == 0
    assert victim.exists() and not (tmp_path / FILE_NAME).exists()
    os.mkfifo(tmp_path / FILE_NAME)
    done: list[int] = []
    loading = threading.Thread(target=lambda: done.append(load_parked(tmp_path, ParkedSessions(600.0), 0.0, 0.0)))
    loading.start()
    loading.join(5.0)
    if loading.is_alive():  # let it go before failing: a writer opening the pipe ends the wait
        os.close(os.open(tmp_path / FILE_NAME, os.O_WRONLY | os.O_NONBLOCK))
        loading.join()
    assert done == [0] and not (tmp_path / FILE_NAME).exists()


def test_a_link_at_the_temporary_name_is_not_written_through(tmp_path):
    victim = tmp_path / "notes.txt"
    victim.write_text("keep me")
    (tmp_path / FILE_NAME).with_suffix(".tmp").symlink_to(victim)
    assert save_parked(tmp_path, parked_with().all(), 0.0, 0.0) == 2
    assert victim.read_text() == "keep me"
    assert load_parked(tmp_path, ParkedSessions(600.0), 0.0, 0.0) == 2


def test_the_join_code_each_came_in_with_goes_sealed_and_only_the_same_code_keeps_it(tmp_path):
    parked = ParkedSessions(600.0)
    parked.park("alice", "alice", "token-a", "lab", False, 100.0, address="127.0.0.2", entered_code="PER10D1")
    parked.park("bob", "bob", "token-b", "lab", False, 100.0, address="127.0.0.3", entered_code="PER10D2")
    parked.park("carol", "carol", "token-c", "lab", False, 100.0, address="127.0.0.4")  # came in without a code
    save_parked(tmp_path, parked.all(), 100.0, 1_000_000.0)
    text = (tmp_path / FILE_NAME).read_text()
    assert "PER10D" not in text
    again = ParkedSessions(600.0)
    assert load_parked(tmp_path, again, 0.0, 1_000_000.0, "PER10D1") == 3
    codes = {key: again.check(key, f"token-{key[0]}", 0.0) for key in ("alice", "bob", "carol")}
    assert {key: found.entered_code for key, found in codes.items() if found is not None} == {
        "alice": "PER10D1",  # the same code: she needs to give nothing
        "bob": None,
        "carol": None,
    }


def test_a_handoff_from_before_codes_went_along_asks_the_code_again(tmp_path):
    save_parked(tmp_path, parked_with().all(), 100.0, 1_000_000.0)
    document = json.loads((tmp_path / FILE_NAME).read_text())
    del document["code_salt"]
    for entry in document["sessions"]:
        del entry["entered_code"]
    (tmp_path / FILE_NAME).write_text(json.dumps(document))
    again = ParkedSessions(600.0)
    assert load_parked(tmp_path, again, 0.0, 1_000_000.0, "PER10D1") == 2
    alice = again.check("alice", "secret-token-a", 0.0)
    assert alice is not None and alice.entered_code is None


def test_tokens_a_login_took_over_go_to_the_next_run_for_what_is_left_of_their_time(tmp_path):
    """Found by the fifteenth review: they were memory only, so a restart let the laptop take the name back once."""
    taken = SupersededTokens(600.0)
    taken.note("ann", token_digest("laptop-token"), "127.0.0.2", 100.0)
    taken.note("bob", token_digest("old-token"), "127.0.0.3", -300.0)  # expired by the stop (at 400 s)
    assert save_parked(tmp_path, [], 400.0, 1_000_000.0, taken.all()) == 0  # no session, but the file is written
    text = (tmp_path / FILE_NAME).read_text()
    assert "laptop-token" not in text and token_digest("laptop-token") in text  # only its digest
    assert token_digest("old-token") not in text
    again = SupersededTokens(600.0)
    assert load_parked(tmp_path, ParkedSessions(600.0), 50.0, 1_000_100.0, superseded=again) == 0
    assert again.find("ann", "laptop-token", 50.0) == "127.0.0.2"
    assert again.find("bob", "laptop-token", 50.0) is None  # for its own account only
    assert again.find("ann", "laptop-token", 50.0 + 199) == "127.0.0.2"
    assert again.find("ann", "laptop-token", 50.0 + 201) is None  # 300 - 100 s left
    assert len(again) == 0


def test_a_handoff_without_taken_over_tokens_or_with_damaged_ones(tmp_path, caplog):
    save_parked(tmp_path, parked_with().all(), 400.0, 1_000_000.0)  # none taken over
    again = SupersededTokens(600.0)
    assert load_parked(tmp_path, ParkedSessions(600.0), 0.0, 1_000_000.0, superseded=again) == 2
    assert len(again) == 0
    for damage in ({"superseded": {}}, {"superseded": [1]}, {"superseded": [{"digest": "d", "key": "k"}]}):
        document = {"version": 1, "sessions": [], **damage}
        assert_set_aside(tmp_path, json.dumps(document), caplog)
        (tmp_path / (FILE_NAME + ".bad")).unlink()
