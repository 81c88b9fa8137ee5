"""/send and /get as typed (chat_gui.core.typed_lines), and the server's hand-off test of a connection's first line."""

from __future__ import annotations

import pytest

from chat_gui.core.typed_lines import GetFile, Refuse, SendFile, interpret
from chat_server.files.sharing import transfer_hand_off
from shared.framing import LineDecoder


def online(nick: str) -> bool:
    return nick in ("bob", "Zoë")


@pytest.mark.parametrize(
    "line, expected",
    [
        ("/send notes.pdf", SendFile("notes.pdf")),
        ("/send notes.pdf bob", SendFile("notes.pdf", "bob")),
        ("/send notes.pdf @carol", SendFile("notes.pdf", "carol")),  # @ names someone even if not online
        ("/send my notes.pdf", SendFile("my notes.pdf")),  # "notes.pdf" is nobody: all of it is the path
        ("/send my notes bob", SendFile("my notes", "bob")),
        ("/send my notes carol", SendFile("my notes carol")),  # carol is not online: part of the path
        ('/send "my notes.pdf" bob', SendFile("my notes.pdf", "bob")),
        ("/send 'C:\\Users\\me\\a b.txt'", SendFile("C:\\Users\\me\\a b.txt")),
        ("/SEND ~/x.png Zoë", SendFile("~/x.png", "Zoë")),
        ("/get AbCdEfGhIjKlMnOpQrStUv", GetFile("AbCdEfGhIjKlMnOpQrStUv")),
        ("/get AbCdEfGhIjKlMnOpQrStUv /tmp/my folder", GetFile("AbCdEfGhIjKlMnOpQrStUv", "/tmp/my folder")),
    ],
)
def test_send_and_get_lines(line, expected):
    assert interpret(line, None, online) == expected


@pytest.mark.parametrize("line", ["/send", "/send   ", '/send "unclosed bob', '/send "a b" two words', "/get"])
def test_send_and_get_lines_missing_something_are_refused(line):
    assert isinstance(interpret(line, None, online), Refuse)


def test_a_last_word_names_someone_not_yet_seen_online_when_only_the_path_without_it_is_a_file(tmp_path, monkeypatch):
    """Typed the moment after connecting, before carol's join arrived: the file decides."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "my notes carol").write_bytes(b"a file whose name ends in a nickname")
    (tmp_path / "both").write_bytes(b"x")
    (tmp_path / "both carol").write_bytes(b"y")
    assert interpret("/send notes.pdf carol", None, online) == SendFile("notes.pdf", "carol")
    assert interpret(f"/send {tmp_path}/notes.pdf carol", None, online) == SendFile(f"{tmp_path}/notes.pdf", "carol")
    assert interpret("/send my notes carol", None, online) == SendFile("my notes carol")  # the whole line is a file
    assert interpret("/send both carol", None, online) == SendFile("both carol")  # both are files: the longer one
    assert interpret("/send missing.pdf carol", None, online) == SendFile("missing.pdf carol")  # neither: as before
    assert interpret("/send notes.pdf no_such-Name!", None, online) == SendFile("notes.pdf no_such-Name!")
    assert interpret("/send no\x00tes.pdf carol", None, online) == SendFile("no\x00tes.pdf carol")  # no stat error


def test_in_a_private_tab_send_is_still_a_command():
    assert interpret("/send a.txt", "bob", online) == SendFile("a.txt")


HELLO = b'{"type":"transfer","token":"' + b"A" * 43 + b'"}'


@pytest.mark.parametrize(
    "data, leftover",
    [
        (HELLO + b"\n", b""),
        (HELLO + b"\r\n", b""),
        (b"\n\r\n" + HELLO + b"\n", b""),  # blank lines first
        (HELLO + b"\nRAW", b"RAW"),
        (HELLO + b"\nline\nmore", b"line\nmore"),
    ],
)
def test_a_transfer_hello_as_the_first_line_is_handed_off_with_what_came_after_it(data, leftover):
    decoder = LineDecoder()
    found = transfer_hand_off(decoder.feed(data), decoder)
    assert found is not None
    frame, rest = found
    assert frame["type"] == "transfer" and rest == leftover
    assert decoder.buffered == 0


@pytest.mark.parametrize(
    "data",
    [
        b'{"type":"command","content":"NICK transfer"}\n',
        b'{"type":"command","content":"SAY \\"transfer\\""}\n',
        b"NICK transfer\n",
        b'{"type":"transfer"\n',  # not JSON: the chat path answers it as before
        b'["transfer"]\n',
        b"",
        b"\n",
    ],
)
def test_other_first_lines_stay_chat(data):
    decoder = LineDecoder()
    assert transfer_hand_off(decoder.feed(data), decoder) is None
