"""chat-term's /send and /get as people run them: `python -m chat_gui.terminal` subprocesses against a real server."""

from __future__ import annotations

import os
import re

import pytest

from tests.integration.test_terminal_client import terminals  # noqa: F401  # the fixture

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_send_to_the_room_and_get_it_with_progress_lines(start_server, terminals, tmp_path):  # noqa: F811
    server = start_server(files_keep_free_mb=0)
    alice = terminals(server.address, "--nick", "alice", "--room", "general")
    bob = terminals(server.address, "--nick", "bob", "--room", "general")
    carol = terminals(server.address, "--nick", "carol", "--room", "other")
    for terminal in (alice, bob, carol):
        terminal.expect(r"You joined #|joined #")
    source = tmp_path / "work sheet.pdf"
    source.write_bytes(os.urandom(12 * 1024 * 1024 + 3))
    alice.type(f'/send "{source}"')
    alice.expect(r"\* Sending work sheet\.pdf \(12\.0 MB\)")
    alice.expect(r"\* Sent work sheet\.pdf")
    line = bob.expect(r'#general alice shared "work sheet\.pdf" \(12\.0 MB\)')
    file_id = re.search(r"/get (\S+)\)", line).group(1)
    folder = tmp_path / "saved"
    bob.type(f"/get {file_id} {folder}")
    bob.expect(r"\* Fetching work sheet\.pdf")
    progress = bob.expect(r"… \d+%: .* of 12\.0 MB")
    assert "MB" in progress
    bob.expect(r"\* Saved work sheet\.pdf as ")
    assert (folder / "work sheet.pdf").read_bytes() == source.read_bytes()
    carol.type("/ping after")
    carol.expect("PONG after")
    assert not any("shared" in text for text in carol.lines)
    assert not any("classchat-file-" in text for text in alice.lines + bob.lines)  # the barriers stay hidden
    for terminal in (alice, bob, carol):
        assert terminal.finish() == 0


def test_send_privately_and_the_errors_people_see(start_server, terminals, tmp_path):  # noqa: F811
    server = start_server(max_file_mb=1, files_keep_free_mb=0)
    alice = terminals(server.address, "--nick", "alice", "--room", "general")
    bob = terminals(server.address, "--nick", "bob", "--room", "general")
    carol = terminals(server.address, "--nick", "carol", "--room", "general")
    for terminal in (alice, bob, carol):
        terminal.expect(r"joined #")
    note = tmp_path / "note.txt"
    note.write_text("only for bob")
    # "@bob": a nickname whatever alice has heard; "/send PATH bob" reads bob as a nickname only once alice's
    # terminal has seen bob join, which three terminals started together do not promise (failed once so).
    alice.type(f"/send {note} @bob")
    alice.expect(r"\* Sent note\.txt")
    line = bob.expect(r'alice shared "note\.txt"')
    assert "*bob*" in line
    file_id = re.search(r"/get (\S+)\)", line).group(1)
    carol.type(f"/get {file_id} {tmp_path / 'carol'}")
    carol.expect(r"! .*no file with that id")
    carol.type("/ping after the refusal")  # every line the refusal printed is in before the pong's
    carol.expect("PONG after the refusal")
    refusals = [line for line in carol.lines if "no file with that id" in line]
    assert len(refusals) == 1, f"the refusal printed more than once: {refusals}"
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    alice.type(f"/send {big}")
    alice.expect(r"! big\.bin: .*limit on this server is 1\.0 MB \(1,048,576 bytes\)")
    alice.type(f"/send {tmp_path / 'missing.txt'}")
    alice.expect(r"! Cannot send .*missing\.txt: there is no such file")
    alice.type("/get")
    alice.expect(r"! Say which file")
    alice.type("/ping still")
    alice.expect("PONG still")
    assert not any('shared "note' in text for text in carol.lines)
    for terminal in (alice, bob, carol):
        assert terminal.finish() == 0


def test_a_late_joiner_sees_the_file_in_the_replay_and_can_get_it(start_server, terminals, tmp_path):  # noqa: F811
    server = start_server(files_keep_free_mb=0)
    alice = terminals(server.address, "--nick", "alice", "--room", "general")
    alice.expect(r"joined #")
    source = tmp_path / "notes.txt"
    source.write_text("kept for later")
    alice.type(f"/send {source}")
    alice.expect(r"\* Sent notes\.txt")
    late = terminals(server.address, "--nick", "zoe", "--room", "general")
    line = late.expect(r'alice shared "notes\.txt"')
    file_id = re.search(r"/get (\S+)\)", line).group(1)
    late.type(f"/get {file_id} {tmp_path / 'zoe'}")
    late.expect(r"\* Saved notes\.txt as ")
    assert (tmp_path / "zoe" / "notes.txt").read_text() == "kept for later"
    for terminal in (alice, late):
        assert terminal.finish() == 0
