"""The lines that name the rooms kept while nobody is in them, for the console's /rooms and the window's Free room… (any thread).

A student who made #homework before the lesson and locked it, with a
topic worded like the teacher's, was nowhere in the console's /rooms or
the admin window's Rooms table (both list rooms with people in them), so
the teacher learnt of it only when the class could not get in (found by a
probe, the fifteenth review).  Only rooms with a key or a topic are named:
an open room without one misleads nobody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.frame_text import collapse_blanks
from shared.quoted_words import quoted

if TYPE_CHECKING:
    from chat_server.identity.admin import KeptRoomInfo

KEPT_ROOMS_SHOWN = 40  # a term of squatted names must not bury the live rooms above them
TOPIC_SHOWN_CHARS = 60


def kept_room_lines(kept: list[KeptRoomInfo], at_most: int = KEPT_ROOMS_SHOWN) -> list[str]:
    """A heading and one line a room nobody is in that keeps a key or a topic, locked ones first; [] for none."""
    shown = [room for room in kept if room.locked or room.topic]
    if not shown:
        return []
    shown.sort(key=lambda room: not room.locked)  # stable: by name within each
    lines = [f"Kept with nobody in them ({len(shown)}; /free ROOM takes key, topic and owner off):"]
    for room in shown[:at_most]:
        facts = ["locked" if room.locked else "open", f"owner {room.owner}" if room.owner else "no owner"]
        if room.topic:
            facts.append(f"topic {quoted(collapse_blanks(room.topic), TOPIC_SHOWN_CHARS)}")
        lines.append(f"  #{room.name}: {', '.join(facts)}")
    if len(shown) > at_most:
        lines.append(f"  … and {len(shown) - at_most} more")
    return lines
