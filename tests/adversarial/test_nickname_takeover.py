"""Taking someone's nickname does not take their private history, their private files or their right to delete.

A guest's (no account) private messages and files belong to that guest's
session, which RESUME hands on; an account's belong to the account at
every login (chat_server/identity/owners.py).  Each attack is tried in
several ways: the owner quit, or the owner's connection dropped and was
never resumed; the name taken as typed, in another case, full-width, or
as a look-alike in another script; by HISTORY @peer, SEARCH, DOWNLOAD of
a private file id and DELETE.  The checks that what must work still
works (bob keeps his side, the new holder sees what is sent to them, the
owner who resumes or logs in again sees everything) keep the refusals
from passing for the wrong reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from chat_gui.core.transfer_client import upload_file
from chat_server import ChatServer
from chat_server.storage import Account
from shared.errors import ErrorCode
from shared.file_transfer import FileError
from shared.frames import Frame
from tests.integration.file_wire import ChatLine, connector, fetch, offer, share, start_sending
from tests.integration.identity_support import PASSWORD, add_account, password_hash
from tests.support import wait_until

pytestmark = pytest.mark.usefixtures("no_server_errors")

SECRET = "zebracode"
TAKERS = ["alice", "ALICE", "Alice", "ａｌｉｃｅ", "аӏісе"]  # as typed, case, full width, all-Cyrillic look-alike


@dataclass
class Talk:
    """What alice left behind: private messages both ways, a private and a room file, a public message."""

    privates: list[int]  # ids of the private messages between alice and bob
    sent_by_alice: list[int]  # those alice sent
    private_file: str  # the id of the file alice sent bob privately
    private_file_message: int
    room_file_message: int
    public: int  # alice's public message
    token: str  # alice's RESUME token


def history(line: ChatLine, command: str) -> list[Frame]:
    """The history frames (`private`, `message`, `file`) of one HISTORY answer."""
    line.send(command)
    frames: list[Frame] = []
    while True:
        frame = line.expect("private", "message", "file", "history")
        if frame["type"] == "history":
            if frame.get("direction") == "replay":  # the end of a JOIN's replay read only now: not this answer
                frames = []
                continue
            return frames
        if frame.get("history"):
            frames.append(frame)


def search(line: ChatLine, words: str) -> list[dict]:
    answer = line.request(f"SEARCH {words}", "search")
    assert answer["type"] == "search", answer
    return answer["results"]


def refused(line: ChatLine, command: str, answer: str) -> str:
    frame = line.request(command, answer)
    assert frame["type"] == "error", f"{command!r} was carried out: {frame}"
    return frame["code"]


def make_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def talk(alice: ChatLine, bob: ChatLine, folder: Path, token: str) -> Talk:
    """alice (joined #lab) and bob talk privately and share files; returns the ids."""
    alice.send(f"PM bob {SECRET} one")
    bob.send(f"PM alice {SECRET} two")
    alice.send(f"PM bob {SECRET} three")
    received = [bob.expect("private") for _ in range(3)]
    privates = [frame["id"] for frame in received]
    sent_by_alice = [frame["id"] for frame in received if frame["sender"] == "alice"]
    for _ in range(3):
        alice.expect("private")
    _, done = share(alice, make_file(folder, "secret.txt", SECRET), "@bob")
    private_file = bob.expect("file")
    alice.expect("file")
    assert private_file["file"] == done["file"]
    share(alice, make_file(folder, "worksheet.txt", "for the room"), "#lab")
    room_file = bob.expect("file")
    alice.expect("file")
    public = alice.request("SAY a public line of alice's", "message")["id"]
    bob.expect("message")
    return Talk(privates, sent_by_alice, private_file["file"], private_file["id"], room_file["id"], public, token)


def alice_talks(server: ChatServer, chat_lines, tmp_path: Path) -> tuple[ChatLine, ChatLine, Talk]:
    alice = chat_lines(server)
    token = alice.request("NICK alice", "nick")["token"]
    alice.request("JOIN lab", "joined")
    bob = chat_lines(server, "bob", "lab")
    return alice, bob, talk(alice, bob, tmp_path, token)


def leave(server: ChatServer, line: ChatLine, how: str, nick: str = "alice") -> None:
    if how == "quit":
        line.send("QUIT")
        line.expect("bye")
    line.close()  # "dropped": the connection just ends, its RESUME token is parked and never used
    wait_until(lambda: server.registry.find_nick(nick) is None, message=f"{nick} gone")


def assert_sees_nothing_of(line: ChatLine, said: Talk) -> None:
    """Everything an intruder could try with alice's old name and the ids they learnt from elsewhere."""
    for frame in history(line, "HISTORY @bob") + history(line, "HISTORY @bob BEFORE 1000000 100"):
        assert SECRET not in frame.get("content", "") and frame["type"] != "file", frame
    assert history(line, "HISTORY @bob AFTER 0") == []
    assert not [r for r in search(line, SECRET) if r["room"].startswith("@")]
    assert refused(line, f"DOWNLOAD {said.private_file}", "download") == ErrorCode.NO_SUCH_FILE
    for message_id in [*said.privates, said.private_file_message]:
        assert refused(line, f"DELETE {message_id}", "deleted") == ErrorCode.BAD_ARGUMENT  # as if there were none
    for message_id in (said.public, said.room_file_message):
        assert refused(line, f"DELETE {message_id}", "deleted") == ErrorCode.NOT_ALLOWED


def assert_bob_keeps_his_side(bob: ChatLine, said: Talk, tmp_path: Path, held: bool = False) -> None:
    """Bob keeps his file and finds the conversation by SEARCH; his `HISTORY @alice` is with whoever is alice
    now (`held`), so the old alice's lines do not pass for the new holder's (the twelfth review; before, they
    did); while nobody is alice, it is the old conversation."""
    frames = history(bob, "HISTORY @alice")
    if held:
        assert not [f for f in frames if f["type"] in ("private", "file")], frames
    else:
        assert [f["id"] for f in frames if f["type"] == "private"] == said.privates
        assert [f["file"] for f in frames if f["type"] == "file"] == [said.private_file]
    assert fetch(bob, said.private_file, tmp_path / "bob-copy.txt").read_text() == SECRET
    assert len([r for r in search(bob, SECRET) if r["room"] == "@alice"]) == 3


@pytest.mark.parametrize("how", ["quit", "dropped"])
@pytest.mark.parametrize("taker", TAKERS)
def test_whoever_takes_a_guests_nickname_gets_none_of_her_private_things(server, chat_lines, tmp_path, how, taker):
    alice, bob, said = alice_talks(server, chat_lines, tmp_path)
    leave(server, alice, how)
    eve = chat_lines(server)
    answer = eve.request(f"NICK {taker}", "nick")
    assert answer["type"] == "nick", answer  # every variant is free once alice is gone
    eve.request("JOIN lab", "joined")
    assert_sees_nothing_of(eve, said)
    assert_bob_keeps_his_side(bob, said, tmp_path, held=server.registry.find_nick("alice") is not None)
    # What is sent to the new holder of the name is theirs: the commands above could have answered.
    bob.send(f"PM {taker} {SECRET} for whoever is {taker} now")
    fresh = eve.expect("private")["id"]
    assert [f["id"] for f in history(eve, "HISTORY @bob")] == [fresh]
    assert [r["id"] for r in search(eve, SECRET)] == [fresh]
    assert [f["id"] for f in history(bob, f"HISTORY @{taker}") if f["type"] == "private"] == [fresh]
    leave(server, eve, "quit", taker)
    frames = history(bob, "HISTORY @alice")  # nobody is alice now: the old conversation is his to page again
    assert [f["id"] for f in frames if f["type"] == "private" and f["id"] != fresh] == said.privates
    assert [f["file"] for f in frames if f["type"] == "file"] == [said.private_file]


def test_a_guest_who_takes_the_name_and_registers_it_still_gets_nothing(server, chat_lines, tmp_path):
    alice, bob, said = alice_talks(server, chat_lines, tmp_path)
    leave(server, alice, "quit")
    eve = chat_lines(server, "alice", "lab")
    registered = eve.request(f"REGISTER {PASSWORD}", "nick")
    assert registered.get("registered") is True, registered
    assert_sees_nothing_of(eve, said)
    eve.send("QUIT")
    again = chat_lines(server)
    assert again.request(f"LOGIN alice {PASSWORD}", "nick")["type"] == "nick"
    assert_sees_nothing_of(again, said)


def test_the_taker_never_gets_the_announcement_of_an_upload_the_owner_finishes_later(server, chat_lines, tmp_path):
    alice = chat_lines(server, "alice", "lab")
    bob = chat_lines(server, "bob", "lab")
    path = make_file(tmp_path, "late.txt", SECRET)
    ticket = offer(alice, path, "@bob")
    assert ticket["type"] == "upload", ticket
    start_sending(server, ticket, path.read_bytes()[:1])  # with no byte it would be voided as she leaves
    # Gone for good (a dropped name is kept for its owner against other computers while it may RESUME), and
    # eve on another computer: the token's holder finishing the upload is not the name's holder now.
    leave(server, alice, "quit")
    eve = chat_lines(server, "alice", "lab", source="127.0.0.2")
    # alice's program still sends the bytes, but the file would go out as "alice", whom everyone now takes
    # for eve: it is not shared (alice hears why and can send it again once back), and eve gets nothing.
    with pytest.raises(FileError) as refusal:
        upload_file(connector(server.address), ticket["token"], path)
    assert refusal.value.code == ErrorCode.NOT_ALLOWED
    assert not eve.has_frame("file", wait=1.0)
    assert not bob.has_frame("file", wait=0.2)
    assert refused(eve, f"DOWNLOAD {ticket['upload']}", "download") == ErrorCode.NO_SUCH_FILE


def test_the_taker_cannot_cancel_the_owners_unfinished_upload(server, chat_lines, tmp_path):
    alice = chat_lines(server, "alice", "lab")
    chat_lines(server, "bob", "lab")
    path = make_file(tmp_path, "slow.txt", SECRET)
    ticket = offer(alice, path, "@bob")
    start_sending(server, ticket, path.read_bytes()[:1])
    leave(server, alice, "quit")  # as above
    eve = chat_lines(server, "alice", "lab", source="127.0.0.2")
    assert refused(eve, f"CANCEL {ticket['upload']}", "cancelled") == ErrorCode.NO_SUCH_FILE
    with pytest.raises(FileError) as refusal:  # still alice's to finish (not cancelled: the bytes are all taken) ...
        upload_file(connector(server.address), ticket["token"], path)
    assert refusal.value.code == ErrorCode.NOT_ALLOWED  # ... though not shared while eve holds her name


@pytest.mark.parametrize("old_connection", ["dropped", "still open"])
def test_resume_keeps_the_guests_private_history_files_and_deletes(server, chat_lines, tmp_path, old_connection):
    alice, bob, said = alice_talks(server, chat_lines, tmp_path)
    if old_connection == "dropped":
        leave(server, alice, "dropped")
    back = chat_lines(server)
    assert back.request(f"RESUME alice {said.token}", "nick").get("resumed") is True
    frames = history(back, "HISTORY @bob")
    assert [f["id"] for f in frames if f["type"] == "private"] == said.privates
    assert [f["file"] for f in frames if f["type"] == "file"] == [said.private_file]
    assert len([r for r in search(back, SECRET) if r["room"] == "@bob"]) == 3
    assert fetch(back, said.private_file, tmp_path / "mine.txt").read_text() == SECRET
    for message_id in (said.sent_by_alice[0], said.public):
        deleted = back.request(f"DELETE {message_id}", "deleted")
        assert deleted["type"] == "deleted", deleted


def test_resume_after_someone_held_the_name_meanwhile_brings_back_only_ones_own(server, chat_lines, tmp_path):
    alice, bob, said = alice_talks(server, chat_lines, tmp_path)
    leave(server, alice, "dropped")
    eve = chat_lines(server, "alice", "lab")
    bob.send("PM alice meant for eve")
    interloper = eve.expect("private")["id"]
    eve.send("QUIT")
    eve.expect("bye")
    wait_until(lambda: server.registry.find_nick("alice") is None, message="eve gone")
    back = chat_lines(server)
    assert back.request(f"RESUME alice {said.token}", "nick").get("resumed") is True
    ids = [f["id"] for f in history(back, "HISTORY @bob") if f["type"] == "private"]
    assert ids == said.privates and interloper not in ids
    assert refused(back, f"DELETE {interloper}", "deleted") == ErrorCode.BAD_ARGUMENT


def test_an_account_keeps_its_private_history_and_files_across_new_logins(server, chat_lines, tmp_path):
    add_account(server, "carla")
    carla = chat_lines(server)
    login_frame = carla.request(f"LOGIN carla {PASSWORD}", "nick")
    assert login_frame["account"] is True, login_frame
    bob = chat_lines(server, "bob", "lab")
    carla.send(f"PM bob {SECRET} from the account")
    bob.send(f"PM carla {SECRET} to the account")
    received = [bob.expect("private") for _ in range(2)]
    privates = [frame["id"] for frame in received]
    own = next(frame["id"] for frame in received if frame["sender"] == "carla")
    _, done = share(carla, make_file(tmp_path, "notes.txt", SECRET), "@bob")
    bob.expect("file")
    carla.send("QUIT")
    carla.expect("bye")
    for attempt in range(2):  # two later logins, each on a new connection
        again = chat_lines(server)
        assert again.request(f"LOGIN carla {PASSWORD}", "nick")["type"] == "nick"
        frames = history(again, "HISTORY @bob")
        assert [f["id"] for f in frames if f["type"] == "private"] == privates, attempt
        assert [f["file"] for f in frames if f["type"] == "file"] == [done["file"]]
        assert len([r for r in search(again, SECRET) if r["room"] == "@bob"]) == 2
        assert fetch(again, done["file"], tmp_path / f"again-{attempt}.txt").read_text() == SECRET
        again.send("QUIT")
        again.expect("bye")
    last = chat_lines(server)
    last.request(f"LOGIN carla {PASSWORD}", "nick")
    deleted = last.request(f"DELETE {own}", "deleted")
    assert deleted["type"] == "deleted", deleted


def test_an_account_made_again_after_deletion_is_someone_else(server, chat_lines, tmp_path):
    add_account(server, "carla")
    carla = chat_lines(server)
    carla.request(f"LOGIN carla {PASSWORD}", "nick")
    bob = chat_lines(server, "bob", "lab")
    carla.send(f"PM bob {SECRET} from the first carla")
    private = bob.expect("private")["id"]
    _, done = share(carla, make_file(tmp_path, "notes.txt", SECRET), "@bob")
    carla.send("QUIT")
    carla.expect("bye")
    first = server.storage.accounts.get("carla")
    assert first is not None
    server.delete_account("carla")
    # The same name, made again (by the admin, or by whoever registers it next): another account.
    server.add_account(Account("carla", password_hash(), "student", first.created_ms + 1))
    newcomer = chat_lines(server)
    assert newcomer.request(f"LOGIN carla {PASSWORD}", "nick")["type"] == "nick"
    assert history(newcomer, "HISTORY @bob") == []
    assert refused(newcomer, f"DOWNLOAD {done['file']}", "download") == ErrorCode.NO_SUCH_FILE
    assert refused(newcomer, f"DELETE {private}", "deleted") == ErrorCode.BAD_ARGUMENT


def test_whoever_takes_the_recipients_nickname_mid_upload_gets_neither_announcement_nor_file(
    server, chat_lines, tmp_path
):
    alice = chat_lines(server, "alice", "lab")
    bob = chat_lines(server, "bob", "lab")
    path = make_file(tmp_path, "for-bob.txt", SECRET)
    ticket = offer(alice, path, "@bob")
    assert ticket["type"] == "upload", ticket
    leave(server, bob, "quit", "bob")
    eve = chat_lines(server, "bob", "lab")
    done = upload_file(connector(server.address), ticket["token"], path)
    announced = alice.expect("file")  # the sender still sees it go
    assert announced["file"] == done["file"] and announced["to"] == "bob"
    assert not eve.has_frame("file", wait=1.0)
    assert refused(eve, f"DOWNLOAD {done['file']}", "download") == ErrorCode.NO_SUCH_FILE
    assert history(eve, "HISTORY @alice") == []
    assert fetch(alice, done["file"], tmp_path / "alices-copy.txt").read_text() == SECRET
