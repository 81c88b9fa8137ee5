"""The replay that follows every `joined`: the room's last messages, then one `history` frame (handler threads).

PROTOCOL.md, History: "After `joined`, the joiner gets the room's last N
messages as `message` frames with `"history": true` ..., oldest first,
then one `history` frame."  RESUME wraps the deliveries that end with
`joined` in `with_replay`; JOIN does the same read itself
(handlers/room_entry.py) and then decides the whole JOIN again, since a
key may have been set while the disk was read:

- The replay comes from the store's memory (`MessageStore.recent`, no I/O)
  under the registry lock, in the same hold that puts the joiner in the
  room.  Messages are appended under that lock too, so the replay holds
  every message up to the moment of joining and every later one reaches
  the joiner live, after it: none lost, none twice.
- The first replay of a room after a start (or after deletions thinned
  its tail out) needs the disk.  Then the command becomes OffLock work:
  the disk is read with the lock released and the joiner NOT yet in the
  room; the join itself (RESUME: the whole command, checked again) and
  the replay follow under the lock, from memory, which by then holds what
  was read plus whatever was said meanwhile.
- An answer holds at most REPLAY_BUDGET_BYTES (a room of 2,000-character
  messages would otherwise put 400 KB into the joiner's outbox at once):
  the newest messages that fit, with `more` true.

With `--no-history` or `--replay 0` no replay and no `history` frame follow.
"""

from __future__ import annotations

from collections.abc import Callable

from chat_server.handlers.base import CommandResult, Delivery, OffLock, ServerServices
from chat_server.history.frames import estimated_bytes, frame_of, history_frame, teacher_owners
from chat_server.session import Session
from shared.frames import Frame

REPLAY_BUDGET_BYTES = 128 * 1024


def replay_count(services: ServerServices) -> int:
    config = services.config
    return config.replay if config.history else 0


def with_replay(
    services: ServerServices, session: Session, room_name: str | None, make: Callable[[], list[Delivery]]
) -> CommandResult:
    """`make()` (the join's deliveries, ending with `joined`), then the replay of the room the session is in.

    `room_name` is the room `make` will join, if the caller knows it
    before; if its replay needs the disk, the disk is read first, off the
    lock, and `make` runs after.
    """
    store = services.storage.messages
    count = replay_count(services)
    if count and room_name is not None and store.recent(room_name, count) is None:

        def then(_loaded: bool) -> list[Delivery]:
            if session.closing:  # kicked or taken over while the disk was read
                return []
            return make() + replay_deliveries(services, session)

        return OffLock(lambda: store.load_recent(room_name), then)
    return make() + replay_deliveries(services, session)


def replay_deliveries(services: ServerServices, session: Session) -> list[Delivery]:
    """The replay of the session's room and its `history` frame."""
    room = session.room
    if room is None:
        return []
    count = replay_count(services)
    if not count:
        return []
    store = services.storage.messages
    page = store.recent(room.name, count) or store.recent(room.name, count, memory_only=True)
    assert page is not None  # memory_only always answers
    frames: list[tuple[int, Frame]] = []
    used = 0
    more = page.more
    teachers = teacher_owners(services.storage.accounts.list_all())
    # still_visible: an answer whose original was deleted this run loses the quoted words (a tail keeps them).
    for message in reversed(store.still_visible(page.messages)):  # newest first, while they fit
        frame = frame_of(message, teachers)
        if frame is None:
            continue
        used += estimated_bytes(message)
        if used > REPLAY_BUDGET_BYTES and frames:
            more = True
            break
        frames.append((message.id, frame))
    frames.reverse()
    deliveries: list[Delivery] = [([session], frame) for _, frame in frames]
    fields: dict[str, object] = {"room": room.name, "direction": "replay"}
    deleted = services.registry.recent_deletes.get(room.key)
    if deleted:  # so a client that showed one while away takes it down (chat_gui/core/history.py)
        fields["deleted"] = list(deleted)
    if frames:
        fields.update(first=frames[0][0], last=frames[-1][0])
    if not frames:
        text = f"#{room.name} has no earlier messages."
    else:
        shown = "The last message" if len(frames) == 1 else f"The last {len(frames)} messages"
        text = f"{shown} of #{room.name} {'is' if len(frames) == 1 else 'are'} above."
        if more:
            text += f" Earlier ones: /history before {frames[0][0]}."
    deliveries.append(([session], history_frame(text, f"#{room.name}", len(frames), more, **fields)))
    return deliveries
