"""chat-term's record of the kept messages it printed: counts per room, file names, bounds."""

from __future__ import annotations

from chat_gui.text import printed_kept
from chat_gui.text.printed_kept import PrintedKept


def message(number: int, room: str = "Lab") -> dict[str, object]:
    return {"type": "message", "id": number, "room": room, "sender": "bob", "content": "hi"}


def file(number: int, name: str, room: str | None = "Lab", to: str | None = None) -> dict[str, object]:
    frame: dict[str, object] = {"type": "file", "id": number, "name": name, "file": "x", "sender": "bob"}
    if room is not None:
        frame["room"] = room
    if to is not None:
        frame["to"] = to
    return frame


def test_a_clear_counts_each_printed_message_of_its_room_once_and_forgets_them():
    printed = PrintedKept()
    for number in (3, 4, 5, 4, 3):  # /history prints some again
        printed.note(message(number))
    printed.note(file(6, "quiz.txt"))
    printed.note(message(7, "other"))
    printed.note({"type": "private", "id": 8, "sender": "bob", "to": "ann", "content": "psst"})
    span = printed.cleared("LAB")  # rooms compare as names do
    assert span is not None and (span.count, span.first, span.last) == (4, 3, 6)
    assert printed.cleared("lab") is None, "nothing printed since"
    assert printed.deleted(6) is None, "the cleared room's files are forgotten with it"
    other = printed.cleared("other")
    assert other is not None and other.count == 1


def test_a_deleted_file_is_named_once_and_leaves_the_count():
    printed = PrintedKept()
    printed.note(message(1))
    printed.note(file(2, "plan.pdf"))
    printed.note(file(3, "essay.txt", room=None, to="ann"))
    assert printed.deleted(2) == "plan.pdf"
    assert printed.deleted(2) is None
    assert printed.deleted(3) == "essay.txt", "a private file too"
    assert printed.deleted(1) is None, "a message that was no file"
    assert printed.cleared("lab") is None, "every printed message of the room was deleted already"


def test_frames_without_a_usable_id_are_ignored_and_memory_stays_bounded():
    printed = PrintedKept()
    for bad in ({"type": "message", "room": "lab"}, {"type": "message", "id": True, "room": "lab"}, {"id": "7"}):
        printed.note(bad)
    assert printed.cleared("lab") is None
    for number in range(printed_kept.MAX_FILES + 10):
        printed.note(file(number, f"f{number}.txt", room=f"room{number % (printed_kept.MAX_ROOMS + 5)}"))
    newest = printed_kept.MAX_FILES + 9
    assert printed.deleted(0) is None, "the oldest file names are let go"
    assert printed.deleted(newest) == f"f{newest}.txt"
    printed.note(file(newest + 1, "last.txt", room="room0"))
    assert sum(printed.cleared(f"room{n}") is not None for n in range(printed_kept.MAX_ROOMS + 5)) <= (
        printed_kept.MAX_ROOMS
    ), "at most MAX_ROOMS rooms are remembered"


def test_a_clear_up_to_an_id_keeps_what_was_printed_after_it():
    printed = PrintedKept()
    for number in (3, 4, 9, 10):
        printed.note(message(number))
    printed.note(file(5, "quiz.txt"))
    printed.note(file(11, "late.txt"))
    span = printed.cleared("lab", upto=5)  # 9, 10 and 11 were said just after the clear
    assert span is not None and (span.count, span.first, span.last) == (3, 3, 5)
    assert printed.deleted(11) == "late.txt", "a file after the clear is still known"
    rest = printed.cleared("lab")
    assert rest is not None and (rest.count, rest.first, rest.last) == (2, 9, 10)
    assert printed.cleared("lab", upto=2) is None
