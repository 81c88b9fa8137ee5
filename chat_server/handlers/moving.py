"""MOVE ROOM WHO [REASON]: a teacher sends students into a room, for group work and back (handler threads, lock held).

Our addition (PROTOCOL.md lets us add commands).  Before it a teacher of 28
who split the class into six groups announced who goes where and waited for
28 students to type /join; bringing them back was six CLOSEs that left
everyone in no room, and 28 more /joins (the sixteenth review's group-work
probe).  Now:

    MOVE g1 ann,bob,cem Fractions   ann, bob and cem go to #g1 (made if need be), told who sent them and why
    MOVE general *                  every student online goes to #general (teachers stay where they are)

- WHO is nicknames separated by commas (no spaces), or `*` for every student.
  One that is not online, or a teacher, refuses the whole command
  (`no_such_user`, `not_allowed`) and nobody moves: a typo never splits a
  group in two.
- Each student moved gets `left` for the room they were in (that room hears
  them leave, "moved to #g1 by Ms_Lee"), then `joined` and the replay, as
  after JOIN (the windows switch to the room by themselves), then `system`
  event `moved` {room, from, by, reason}, so the new room's pane says who
  sent them there and why.  Those already there are left alone.
- A key does not stop a teacher's move; a room's look-alike is refused as
  for JOIN (`bad_room`).  A room the move makes belongs to the teacher, not
  to the first student put in it (else that student could lock out the rest
  of the group, or set its topic).
- The teacher gets `system` event `moderation`, action `move`, with `room`,
  `users` (those moved) and `count`.
- `*` takes along students whose connection dropped a moment ago (held for
  RESUME): they come back in the new room, not the one the class left.  A
  room is made only when someone goes there.
- When the room's replay needs the disk, it is read off the lock first and
  the whole command is decided again after (as JOIN does).
"""

from __future__ import annotations

import time

from chat_server.handlers.base import CommandModule, CommandResult, Delivery, OffLock
from chat_server.handlers.membership import REASON_IN_NOTICE_CHARS, join_deliveries, leave_deliveries
from chat_server.handlers.replay import replay_count, replay_deliveries
from chat_server.resume_tokens import ParkedSession
from chat_server.session import Session
from chat_server.storage.models import RoomRecord
from shared.errors import ErrorCode, ProtocolError
from shared.frames import Frame, server_frame
from shared.lookalike import room_lookalike_error
from shared.names import name_key, normalise_nick, normalise_room, one_line
from shared.quoted_words import quoted

EVERYONE = "*"
USAGE = "/move ROOM NICK[,NICK...] [REASON] (or /move ROOM * for every student)"
NAMES_SHOWN = 10  # the teacher's confirmation names this many, then "and N more"


class MoveCommands(CommandModule):
    def handle_move(self, session: Session, argument: str) -> CommandResult:
        self.identity.require_teacher(session, "move students into a room")
        words = argument.split(None, 2)
        if len(words) < 2:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"Say where and whom: {USAGE}.")
        name = normalise_room(words[0])
        count = replay_count(self.services)
        store = self.storage.messages
        if count and store.recent(name, count) is None:

            def again(_read: bool) -> CommandResult:
                return [] if session.closing else self._move(session, words)

            return OffLock(lambda: store.load_recent(name), again)
        return self._move(session, words)

    def _move(self, session: Session, words: list[str]) -> list[Delivery]:
        deliveries, confirmation = self.move(words, session)
        return [*deliveries, ([session], confirmation)]

    def move(self, words: list[str], teacher: Session | None) -> tuple[list[Delivery], Frame]:
        """The moves of [ROOM, WHO, REASON?] by `teacher` (None: the admin), and the confirmation saying what was done.

        A room the admin's move makes belongs to nobody (only teachers set its topic and key).
        """
        name = normalise_room(words[0])
        targets = self._targets(teacher, words[1])
        reason = one_line(words[2]) if len(words) > 2 else ""
        room = self.registry.find_room(name)
        to_make = room is None and self.kept_rooms.record(name) is None
        if to_make:
            existing = self.registry.room_index.find(name)
            if existing is not None:
                raise room_lookalike_error(name, existing)
        parked = self._parked_students(name) if words[1] == EVERYONE else []
        # Made only when someone goes there: `MOVE gruop1 *` with nobody to move left a room kept for nobody.
        made_here = to_make and bool(parked or targets) and self._record_for(teacher, name)
        by = teacher.nick or "" if teacher is not None else ""
        mover = f"{by} (teacher)" if teacher is not None else "An admin"
        moved: list[str] = []
        deliveries: list[Delivery] = []
        for target in targets:
            if target.room is not None and target.room.key == name_key(name):
                continue  # already there: nobody hears anything
            old = target.room
            shown = room.name if room is not None else name
            text = f"{mover} moved you to #{shown}"
            fields: dict[str, str] = {"room": shown, "by": by} if teacher is not None else {"room": shown}
            if old is not None:
                fields["from"] = old.name
            if reason:
                text += f": {quoted(reason, REASON_IN_NOTICE_CHARS)}"
                fields["reason"] = reason
            if old is not None:
                cause = f"moved to #{shown} by {by or 'an admin'}"
                deliveries += leave_deliveries(self.registry, target, cause)
                deliveries.append(([target], server_frame("left", f"You left #{old.name}", room=old.name)))
            deliveries += join_deliveries(self.registry, target, name)
            deliveries += replay_deliveries(self.services, target)
            # After `joined` and the replay: the window shows it in the new room's pane, as its newest line.
            deliveries.append(([target], server_frame("system", text, event="moved", **fields)))
            room = target.room
            if made_here and room is not None:
                room.kept = False  # as a room a JOIN made: its record goes when it empties with nothing kept
                made_here = False
            moved.append(target.nick or "")
        shown_room = room.name if room is not None else name
        self._repark(parked, shown_room)
        away = [entry.nick for _, entry in parked]
        return deliveries, self._confirmation(shown_room, moved + away, len(targets) - len(moved), len(away))

    def _parked_students(self, name: str) -> list[tuple[str, ParkedSession]]:
        """Students whose connection dropped a moment ago and may RESUME, held in another room than `name` (or none).

        Without them `MOVE general *` missed a student whose Wi-Fi blipped: RESUME put them back in the
        group room the class had left (docs/reliability.md, the sixteenth hostile review).
        """
        accounts = self.storage.accounts
        found = []
        for key, entry in self.registry.parked.all():
            if (entry.room is not None and name_key(entry.room) == name_key(name)) or key in self.registry.by_nick:
                continue
            account = accounts.get(entry.account) if entry.account is not None else None
            if account is None or account.role != "teacher":
                found.append((key, entry))
        return found

    def _repark(self, parked: list[tuple[str, ParkedSession]], room_name: str) -> None:
        """RESUME of each puts them in `room_name`, with its key as it is now (the teacher's move skips a key)."""
        room = self.registry.find_room(room_name)
        record = self.kept_rooms.record(room_name) if room is None else None
        key_hash = room.key_hash if room is not None else record.key_hash if record is not None else None
        for key, _entry in parked:
            self.registry.parked.send_to(key, room_name, key_hash)

    def _targets(self, session: Session | None, who: str) -> list[Session]:
        """The students named (or every student for `*`), all online; else the whole command is refused."""
        if who == EVERYONE:
            return [
                other
                for other in self.registry.sessions
                if other.registered
                and not other.closing
                and other is not session
                and not self.identity.is_teacher(other)
            ]
        names = who.split(",")
        if not all(names):  # "ann, bob": bob would be the reason, and stay where he is
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"Nicknames go with commas, no spaces: {USAGE}.")
        found: list[Session] = []
        missing: list[str] = []
        for raw in names:
            target = self.registry.by_nick.get(name_key(normalise_nick(raw)))
            if target is None or target.closing:
                missing.append(one_line(raw, 40))
            elif target is session or self.identity.is_teacher(target):
                raise ProtocolError(
                    ErrorCode.NOT_ALLOWED, f"{target.nick} is a teacher; /move moves students (go yourself: /join)."
                )
            elif target not in found:
                found.append(target)
        if missing:
            raise ProtocolError(ErrorCode.NO_SUCH_USER, f"Not online: {', '.join(missing)}. Nobody was moved; {USAGE}.")
        return found

    def _record_for(self, session: Session | None, name: str) -> bool:
        """A new room's record, owned by the teacher who moves people into it (the admin: by nobody); True."""
        made = int(time.time() * 1000)
        if session is None:
            record = RoomRecord(name, created_ms=made)
        else:
            record = RoomRecord(name, owner_key=session.key, created_ms=made, owner=session.owner)
        self.storage.rooms.put(record)
        self.registry.room_index.add(name)
        return True

    @staticmethod
    def _confirmation(room: str, moved: list[str], already: int, away: int = 0) -> Frame:
        if moved:
            names = ", ".join(moved[:NAMES_SHOWN]) + (
                f" and {len(moved) - NAMES_SHOWN} more" if len(moved) > NAMES_SHOWN else ""
            )
            text = f"Moved {len(moved)} to #{room}: {names}."
            if away:
                text += f" {away} of them lost their connection a moment ago and will be there when they come back."
        else:
            text = f"Nobody moved to #{room}."
        if already:
            text += f" {already} {'was' if already == 1 else 'were'} there already."
        return server_frame("system", text, event="moderation", action="move", room=room, users=moved, count=len(moved))
