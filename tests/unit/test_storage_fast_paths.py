"""The storage layer's fast constructors make exactly what the named tuples' own constructors make."""

from __future__ import annotations

from chat_server.storage import StoredMessage, room_message
from shared.names import name_key


def test_a_public_message_is_the_named_tuple_its_fields_describe():
    message = StoredMessage.public(7, "Général", "Ann", "hi", 1_764_540_000_123, room_key="général", sender_key="ann")
    expected = StoredMessage(7, "#général", "Général", "Ann", "ann", None, None, "hi", 1_764_540_000_123, "message")
    assert type(message) is StoredMessage
    assert message == expected
    assert (message.id, message.conv, message.room_key, message.is_private) == (7, "#général", "général", False)


def test_a_public_message_without_keys_gets_them_from_the_names():
    message = StoredMessage.public(8, "Général", "ANN", "hi", 1, kind="file")
    assert message.conv == "#" + name_key("Général")
    assert (message.sender_key, message.kind) == (name_key("ANN"), "file")


def test_a_private_message_is_the_named_tuple_its_fields_describe():
    message = StoredMessage.private(9, "Bob", "Ann", "psst", 2)
    assert type(message) is StoredMessage
    assert message == StoredMessage(9, "@ann@bob", None, "Bob", "bob", "Ann", "ann", "psst", 2, "message")
    assert message.is_private and message.visible_to("ann") and not message.visible_to("cy")


def test_the_chat_paths_room_message_is_the_public_message_it_stands_for():
    made = room_message(7, "Général", "général", "Ann", "ann", "hi", 1_764_540_000_123, "g:1")
    assert type(made) is StoredMessage
    assert made == StoredMessage.public(7, "Général", "Ann", "hi", 1_764_540_000_123, sender_owner="g:1")
    assert room_message(8, "a", "a", "B", "b", "x", 1, None).sender_owner is None
    assert (made.conv, made.room_key, made.is_private, made.kind) == ("#général", "général", False, "message")
