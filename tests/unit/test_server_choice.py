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
