"""chat-term and kept files, deletions and cleared rooms, as people run it: subprocesses against a real server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.cut_relay import CutRelay
from tests.integration.file_wire import ChatLine, share
from tests.integration.test_terminal_client import terminals  # noqa: F401  # the fixture

pytestmark = pytest.mark.usefixtures("no_server_errors")


def say(line: ChatLine, count: int, prefix: str) -> list[int]:
    for number in range(count):
        line.send(f"SAY {prefix} {number}")
    return [line.expect("message")["id"] for _number in range(count)]


def make_file(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_history_pages_and_the_catch_up_print_files_as_live_ones_with_their_get_id(
    start_server,
    terminals,  # noqa: F811
    tmp_path,
):
    server = start_server(rate_per_second=0, files_keep_free_mb=0, replay=5)  # the file: before the replay
    relay = CutRelay(server.address)
    bob = ChatLine(server.address, "bob", "lab")
    try:
        ann = terminals(relay.address, "--nick", "ann", "--room", "lab")
        ann.expect(r"You joined #lab")
        ticket, _done = share(bob, make_file(tmp_path / "out", "plan.txt", b"the plan"), "#lab")
        live = ann.expect(r'#lab bob shared "plan\.txt" \(8 bytes\)')
        assert live.endswith(f"(/get {ticket['upload']})"), live
        ann.type("/history 5")
        ann.expect(r"Kept messages of #lab, oldest first")
        kept = ann.expect(r'bob shared "plan\.txt"')
        assert re.search(rf"\(8 bytes\) .*\(/get {ticket['upload']}\)  \(id \d+\)$", kept), kept
        relay.cut()
        ann.expect(r"Connection lost.*Reconnecting by itself")
        missed, _done = share(bob, make_file(tmp_path / "out", "missed.pdf", b"%PDF-1.4 missed"), "#lab")
        say(bob, 8, "after the file")
        relay.restore()
        ann.expect(r"While you were away, in #lab", timeout=30)
        caught = ann.expect(r'bob shared "missed\.pdf" \(15 bytes\)')
        assert caught.endswith(f"(/get {missed['upload']})"), caught
        ann.expect(r"<bob> after the file 7$")
        ann.type(f"/get {missed['upload']} {tmp_path / 'ann'}")
        ann.expect(r"\* Saved missed\.pdf as ")
        assert (tmp_path / "ann" / "missed.pdf").read_bytes() == b"%PDF-1.4 missed"
        assert sum('shared "missed.pdf"' in line for line in ann.lines) == 1, "once"
        assert ann.finish() == 0
    finally:
        bob.close()
        relay.close()


def test_a_deleted_file_and_a_cleared_room_are_named_in_chat_term(start_server, terminals, tmp_path):  # noqa: F811
    server = start_server(rate_per_second=0, files_keep_free_mb=0)
    bob = ChatLine(server.address, "bob", "lab")
    carol = ChatLine(server.address, "carol", "lab")
    try:
        said = say(bob, 2, "before")
        ann = terminals(server.address, "--nick", "ann", "--room", "lab")
        ann.expect(r"New since you were here")
        _ticket, _done = share(bob, make_file(tmp_path / "out", "quiz.txt", b"answers"), "#lab")
        line = ann.expect(r'bob shared "quiz\.txt"')
        file_message = bob.expect("file")["id"]
        assert "quiz.txt" in line
        bob.send(f"DELETE {file_message}")
        assert bob.expect("deleted")["id"] == file_message
        ann.expect(rf"\* Message {file_message} was deleted: the file quiz\.txt can no longer be fetched\.$")
        said += say(bob, 1, "live")
        ann.expect(r"<bob> live 0$")
        carol.send("PM ann only for you")
        ann.expect(r"only for you")
        ann.type("/history 10")  # printed again: still counted once each
        ann.expect(r"Kept messages of #lab")
        ann.expect(r"<bob> live 0  \(id \d+\)$")
        server.clear_history("lab")
        ann.expect(r"An admin cleared the history of #lab")
        ann.expect(
            rf"\* In #lab, the 3 messages printed above \(ids {said[0]} to {said[-1]}\) are no longer kept: "
            r"/history and /search will not find them, and their files cannot be fetched\.$"
        )
        ann.type("/history 10")
        ann.expect(r"No kept messages in #lab")
        say(bob, 1, "fresh")
        ann.expect(r"<bob> fresh 0$")
        server.clear_history("lab")
        ann.expect(
            r"\* In #lab, the message printed above \(id \d+\) is no longer kept: .* will not find it, and a file"
        )
        assert ann.finish() == 0
    finally:
        bob.close()
        carol.close()


def test_delete_last_deletes_the_newest_of_ones_own_printed_messages(start_server, terminals):  # noqa: F811
    """From the notes: ids are 13 digits now (the clock in ms), so /delete ID meant copying one from /history."""
    server = start_server(rate_per_second=0)
    bob = ChatLine(server.address, "bob", "lab")
    try:
        ann = terminals(server.address, "--nick", "ann", "--room", "lab")
        ann.expect(r"You joined #lab")
        ann.type("/delete last")
        ann.expect(r"! No message of yours printed here to delete")
        ann.type("the first one")
        first = bob.expect("message")["id"]
        ann.type("oops, wrong room")
        oops = bob.expect("message")["id"]
        bob.send("SAY bob is newer")
        assert bob.expect("message")["id"] > oops
        ann.expect(r"<bob> bob is newer$")
        ann.type("/DELETE last")
        assert bob.expect("deleted")["id"] == oops, "the newest of ann's own, not bob's newer one"
        ann.expect(rf"\* Message {oops} was deleted\.$")
        ann.type("/delete last")  # the deleted one is forgotten: the one before it goes next
        assert bob.expect("deleted")["id"] == first
        ann.expect(rf"\* Message {first} was deleted\.$")
        ann.type("/delete last")
        ann.expect(r"! No message of yours printed here to delete")
        assert ann.finish() == 0
    finally:
        bob.close()
