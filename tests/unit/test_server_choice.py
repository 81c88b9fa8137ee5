"""Which heard class servers the Connect dialog shows (chat_gui/core/server_choice.py): a flood cannot hide the teacher's."""

from __future__ import annotations

from chat_gui.core.server_choice import choose_shown, twin_groups
from shared.discovery_record import FoundServer


def found(name: str, port: int, address: str = "127.0.0.1") -> FoundServer:
    return FoundServer(f"{name} on pc port {port}._classchat._tcp.local.", name, (address,), port, 2, None, "pc")


FAKES = tuple(found(f"Fake {index}", 5000 + index) for index in range(60))


def test_the_first_heard_fill_the_places_and_the_rest_are_counted():
    choice = choose_shown(FAKES, preferred=(), limit=50)
    assert {server.port for server in choice.shown} == set(range(5000, 5050))
    assert choice.left_out == 10 and choice.twins == ()
    assert [server.class_name for server in choice.shown] == sorted(
        (server.class_name for server in choice.shown), key=str.casefold
    )


def test_a_server_joined_before_is_shown_even_when_heard_after_sixty_fakes():
    teacher = found("Physics 3B", 55555)
    choice = choose_shown((*FAKES, teacher), preferred={"127.0.0.1:55555"}, limit=50)
    assert teacher in choice.shown and len(choice.shown) == 50 and choice.left_out == 11


def test_an_impostor_among_the_first_and_the_real_one_heard_last_are_both_shown_and_warned_about():
    impostor = found("Physics 3B", 42000)
    teacher = found("Physics 3B", 55555)
    heard = (*FAKES[:7], impostor, *FAKES[7:], teacher)
    choice = choose_shown(heard, preferred=(), limit=50)
    assert impostor in choice.shown and teacher in choice.shown
    assert set(choice.twins) == {impostor, teacher}
    assert choice.left_out == len(heard) - 50


def test_a_look_alike_name_counts_and_one_place_announced_twice_does_not():
    teacher = found("Physics 3B", 55555)
    again = FoundServer("other._classchat._tcp.local.", "Physics 3B", ("127.0.0.1",), 55555, 2, None, "pc")
    assert twin_groups((teacher, again)) == []
    look_alike = found("Physіcs 3B", 42000)  # a Cyrillic і
    assert set(twin_groups((teacher, *FAKES, look_alike))[0]) == {teacher, look_alike}


def test_ten_thousand_announcements_are_judged_quickly():
    many = tuple(
        found(f"Flood {index}", 1 + index % 60000, f"10.0.{index // 250}.{index % 250}") for index in range(10_000)
    )
    teacher, impostor = found("Physics 3B", 55555), found("Physics 3B", 42000)
    choice = choose_shown((impostor, *many, teacher), preferred=(), limit=50)
    assert teacher in choice.shown and choice.left_out == 10_002 - 50


def test_the_address_in_the_dialog_is_shown_first_even_on_a_plain_server_never_pinned():
    teacher = found("Physics 3B", 55555, "192.168.1.20")
    choice = choose_shown((*FAKES, teacher), preferred={"192.168.1.20:55555"}, limit=50)
    assert teacher in choice.shown and choice.left_out == 11


TEACHERS = "Physics 3B"
NAMED_TO_PASS_FOR_IT = (
    "🔒 Physics 3B",  # an emoji or a mark added before or after
    "Physics 3B ✅",
    "Physics 3B.",
    "“Physics 3B”",
    "Physics_3B",  # other separators, or none
    "Physics-3B",
    "Physics3B",
    "Physics\u31643B",  # a Hangul filler and a braille blank: letters and symbols that show as a space
    "Physics\u28003B",
    "Physics 3B (Ms Lee)",  # words added after the class name
    "Physics 3B - official",
    "Physics 3B on teacher-pc port 55555",  # what the teacher's own server is called on the network
    "PHYSICS_3B!",
    "Рhysics 3B 🔒",  # a Cyrillic Р as well
)


def test_a_name_that_reads_as_the_teachers_with_marks_separators_or_words_added_is_a_copy():
    # Found by the thirteenth review's probe: each of these stood beside the teacher's "Physics 3B" in the
    # Connect dialog with no warning, as "new server" like hers.
    teacher = found(TEACHERS, 55555)
    for name in NAMED_TO_PASS_FOR_IT:
        impostor = found(name, 42000, "127.0.0.2")
        assert [set(group) for group in twin_groups((teacher, impostor))] == [{teacher, impostor}], name
        assert [set(group) for group in twin_groups((impostor, teacher))] == [{teacher, impostor}], name
        assert set(choose_shown((impostor, teacher), preferred=()).twins) == {teacher, impostor}, name


def test_names_that_only_share_a_start_inside_a_word_or_differ_are_not_copies():
    for first, second in (
        ("Fake 1", "Fake 10"),
        ("Physics 3B", "Physics 3C"),
        ("Physics 3B", "Physics 38"),
        ("Chemistry", "Chemistry2"),
        ("3B", "3B Physics"),  # a start too short to name a class
        ("Maths", "Art"),
    ):
        assert twin_groups((found(first, 55555), found(second, 42000, "127.0.0.2"))) == [], (first, second)


def test_one_server_announcing_a_longer_name_at_its_own_place_is_no_copy_of_itself():
    teacher = found(TEACHERS, 55555)
    again = FoundServer("again._classchat._tcp.local.", "Physics 3B (Ms Lee)", ("127.0.0.1",), 55555, 2, None, "pc")
    assert twin_groups((teacher, again)) == []


def test_copies_of_the_teachers_name_among_a_flood_are_grouped_with_hers():
    teacher = found(TEACHERS, 55555)
    copies = [found(name, 42000 + n, "127.0.0.2") for n, name in enumerate(NAMED_TO_PASS_FOR_IT)]
    groups = twin_groups((*FAKES, copies[0], teacher, *copies[1:]))
    assert len(groups) == 1 and set(groups[0]) == {teacher, *copies}
