"""Moderation, carried out: kick, ban, unban, mute, unmute, announce, close a room (registry lock held, any thread).

Teachers (chat_server/handlers/teacher.py), the admin window and the
console (through AdminActions and IdentityAdmin) all come here, so a ban
from a chat window and one from the admin window are the same ban.  Each
action decides from the registry and the storage's in-memory tables and
returns an Outcome: the frames to queue, the connections whose `bye` is
queued (hung up once the lock is released) and one sentence saying what
was done.  Nothing here touches a socket, the disk or the log.

Bans and mutes are kept in the database (ModerationStore) by nickname key
and by address, with an end time, so they last across reconnects and
restarts.  The address is the one the person is connected from, or the
last one their nickname came from in this run of the server (a ban just
after a kick); this computer's own addresses (127.0.0.1, ::1) are never
banned or muted, since the teacher's own window connects from there.  A
ban whose name has no known address (nobody of that name since the
server started) says so in its confirmation: it keeps out the name only.
A KICK of a name someone gave up moments ago reaches that person, never
their computer (chat_server/name_holders.py).
`MUTE *` mutes the whole class at once (a test): every student online and
every one who comes during it, teachers never; it is kept in memory only
(no sanction of anyone's name or computer, so nothing outlasts the lesson)
and `UNMUTE *` lifts it, leaving each student's own mute as it was.
`by` None is the admin; otherwise it is the teacher's nickname.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chat_server.address_groups import computer_key
from chat_server.farewells import banned_frames, kicked_bye, time_left
from chat_server.identity.service import IdentityService, sanction_address
from chat_server.presence import presence_frame
from chat_server.registry import ChatRegistry, Room
from chat_server.resume_tokens import ParkedSession
from chat_server.session import Session
from chat_server.storage import Sanction, Storage
from chat_server.storage.models import SanctionKind
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame
from shared.names import clean_message_text, name_key, normalise_nick, one_line

if TYPE_CHECKING:
    from chat_server.handlers.base import Delivery  # not at run time: the handlers import this module

ADMIN = "admin"  # `set_by` of what the admin window or the console did
CLASS = "*"  # MUTE * and UNMUTE *: every student at once (no nickname has a "*")


@dataclass
class Outcome:
    summary: str  # one sentence: the teacher's confirmation
    deliveries: list[Delivery] = field(default_factory=list)
    ended: list[Session] = field(default_factory=list)  # their bye is queued: hang up after the lock
    subject: str = ""  # the nickname, address or room acted on, as shown (for the log)
    count: int = 0  # people reached or moved (announce, close)


def now_ms() -> int:
    return int(time.time() * 1000)


class Moderator:
    def __init__(self, registry: ChatRegistry, storage: Storage, identity: IdentityService) -> None:
        self.registry = registry
        self.storage = storage
        self.identity = identity
        self.class_muted_by: str | None = None  # while the whole class is muted: the teacher's name, or ADMIN
        # While it is: each student computer's names (keys) since, so a second connection cannot take a new name
        # ("q3_is_B" reached every room list and join notice); this computer's own addresses are never held.
        self.class_names: dict[str, set[str]] = {}

    # -- look-ups --
    def sanction_on(self, kind: SanctionKind, nick_key: str | None, host: str | None) -> Sanction | None:
        return self.storage.moderation.find(kind, nick_key=nick_key, address=sanction_address(host), now_ms=now_ms())

    def is_muted(self, session: Session) -> bool:
        return self.muted_alone(session) or self.muted_with_class(session)

    def muted_alone(self, session: Session) -> bool:
        """Muted on their own (by name or computer, kept in the database), not only with the class."""
        return self.sanction_on("mute", session.key, session.computer) is not None

    def muted_with_class(self, session: Session) -> bool:
        """The whole class is muted and this is not a teacher."""
        return self.class_muted_by is not None and session.role != "teacher"

    def refuse_if_banned(self, session: Session, nick_key: str) -> list[Delivery] | None:
        """For NICK, LOGIN and RESUME: a banned name gets `banned` and `bye` (the session ends); None if not banned."""
        ban = self.sanction_on("ban", nick_key, session.computer)
        if ban is None:
            self._refuse_if_just_kicked(session, nick_key)
            return None
        session.end("banned")
        return [([session], frame) for frame in banned_frames(ban, now_ms())]

    def _refuse_if_just_kicked(self, session: Session, nick_key: str) -> None:
        """`rate_limited` for a name kicked from this computer a moment ago (chat_server/kick_cooldown.py)."""
        wait = self.identity.kick_cooldown.wait(nick_key, session.computer)
        if wait:
            seconds = math.ceil(wait)
            raise ProtocolError(
                ErrorCode.RATE_LIMITED,
                f"This name was removed by the teacher a moment ago; it may come back from this computer in "
                f"{seconds} s. Ask the teacher if this is a mistake.",
                retry_after=seconds,
            )

    def active_bans(self) -> list[Sanction]:
        """The bans in force now (memory only)."""
        return self.storage.moderation.active(now_ms(), "ban")

    def address_ban(self, computer: str) -> Sanction | None:
        return self.sanction_on("ban", None, computer)

    def computer_of(self, address: str) -> str:
        """The "computer" an address is for bans and mutes: itself, or its IPv6 prefix (chat_server/address_groups.py)."""
        return computer_key(address, self.identity.config.ipv6_prefix_length)

    def _target(self, nick: str) -> Session:
        session = self.registry.find_nick(nick)
        if session is None:
            raise ProtocolError(ErrorCode.NO_SUCH_USER, f"Nobody called {one_line(nick, 40)} is online.")
        return session

    def _sessions_from(self, address: str | None) -> list[Session]:
        if address is None:
            return []
        return [session for session in self.registry.sessions if session.computer == address and not session.closing]

    # -- kick --
    def kick(self, nick: str, reason: str, by: str | None) -> Outcome:
        reason = one_line(reason) or "no reason given"
        if self.registry.find_nick(nick) is None:
            parked = self.registry.parked.peek(name_key(normalise_nick(nick)))
            if parked is not None:  # dropped a moment ago: RESUME would put them back in their room (a locked one too)
                return self._kick_parked(parked, reason)
            followed = self._who_gave_up(nick)
            if followed:
                shown = f"{normalise_nick(nick)} (now {followed[0].nick})"
                return self._kick_sessions(followed, reason, by, shown, gave_up=name_key(normalise_nick(nick)))
            dropped = self._parked_of_who_gave_up(nick)
            if dropped is not None:  # renamed, then the connection dropped: held for RESUME under the new name
                return self._kick_parked(dropped, reason)
        target = self._target(nick)
        return self._kick_sessions([target], reason, by, target.nick or nick)

    def _parked_of_who_gave_up(self, name: str) -> ParkedSession | None:
        """The connection held for RESUME of the one person who gave up `name` lately; never a teacher's."""
        people = self.registry.name_holders.people(name_key(normalise_nick(name)))
        if len(people) != 1:
            return None
        owners = set(people[0].owners)
        for _, parked in self.registry.parked.all():
            if {parked.owner, parked.account_owner} & owners and parked.expires > time.monotonic():
                account = self.identity.account_of(parked.account) if parked.account else None
                return None if account is not None and account.role != "student" else parked
        return None

    def _kick_sessions(
        self, targets: list[Session], reason: str, by: str | None, shown: str, gave_up: str | None = None
    ) -> Outcome:
        for target in targets:
            self.identity.remember_kicked(target)  # a ban that follows covers the computer, however it renames first
            if gave_up is not None:  # the name the teacher typed, which they left a moment ago: not that one either
                self.identity.kick_cooldown.kicked([gave_up], target.computer)
            target.send_last(kicked_bye(reason, by))
            target.end("kicked", said=reason)
        note = self._cooldown_note(targets[0].computer)
        return Outcome(f"{shown} was removed: {reason}{note}", ended=targets, subject=targets[0].nick or shown)

    def _cooldown_note(self, computer: str | None) -> str:
        """What the confirmation says of the kick's wait (chat_server/kick_cooldown.py), if there is one."""
        if computer is None or sanction_address(computer) is None or not self.identity.kick_cooldown.seconds:
            return ""
        seconds = round(self.identity.kick_cooldown.seconds)
        return f" (that name may not come back from their computer for {seconds} s; /ban keeps them out)"

    def _who_gave_up(self, name: str) -> list[Session]:
        """The connections of the one person who gave up `name` moments ago (chat_server/name_holders.py).

        Their connection under its new name, or the connections their owners
        hold now (the same account, a RESUME); never a teacher. Empty when
        nobody gave it up lately or nobody of theirs is online; `no_such_user`
        saying so when more than one person did, online or not (the kick could
        reach one who took the name before or after the student meant).
        """
        people = self.registry.name_holders.people(name_key(normalise_nick(name)))
        live = [session for session in self.registry.sessions if session.nick is not None and not session.closing]
        found = [
            [session for session in live if session.id == person.session_id or set(session.owners) & set(person.owners)]
            for person in people
        ]
        if len(people) > 1:
            now = sorted({mine[0].nick or "" for mine in found if mine})
            raise ProtocolError(
                ErrorCode.NO_SUCH_USER,
                f"Nobody is called {one_line(name, 40)} now, and {len(people)} people gave that name up lately"
                + (f" (online now as {', '.join(now)})" if now else "")
                + ": kick by the name they have now.",
            )
        if not found or any(session.role != "student" for session in found[0]):
            return []
        return found[0]

    def _kick_parked(self, parked: ParkedSession, reason: str) -> Outcome:
        """KICK of a name whose connection dropped and is held for RESUME: the token is forgotten, as for a kick.

        It answered "nobody called eve is online" and eve's RESUME put her back
        in her room, a locked one without its key (a probe). Like any kicked
        student she may come back under a name, into rooms she may enter.
        """
        key = name_key(parked.nick)
        self.registry.parked.forget(key)
        owners = tuple(owner for owner in (parked.owner, parked.account_owner) if owner is not None)
        computer = self.computer_of(parked.address) if parked.address else None
        self.identity.remember_kicked_name(key, computer, owners, parked.account)
        return Outcome(
            f"{parked.nick} was removed: {reason} (their connection had dropped; they cannot take it back)"
            + self._cooldown_note(computer),
            subject=parked.nick,
        )

    # -- bans --
    def ban(self, name: str, minutes: int | None, reason: str, by: str | None) -> Outcome:
        """Ban a nickname (and the address it is on, or last came from); everyone on that address is sent away."""
        nick = normalise_nick(name)
        key = name_key(nick)
        holder = self.registry.by_nick.get(key)
        known = holder.computer if holder is not None else self.identity.last_address(key)
        address = sanction_address(known)
        outcome = self._ban(
            key, address, holder.nick if holder is not None and holder.nick else nick, minutes, reason, by
        )
        if known is None:
            # Addresses are remembered for this run only: a kick before a restart, a ban after it covered the
            # name alone and the same computer came back under another name (found by a probe). Say so plainly.
            outcome.summary += (
                " (the name only: the computer it last came from is not known since the server started, so "
                "another name from there is not kept out; ban that computer's address too if you know it)"
            )
        elif address is None:
            outcome.summary += " (the name only: it came from this computer, whose own address is never banned)"
        return outcome

    def ban_address(self, address: str, minutes: int | None, reason: str, by: str | None) -> Outcome:
        address = canonical_address(address)  # as the server writes it, or the ban would match no connection
        if sanction_address(address) is None:
            raise ProtocolError(ErrorCode.NOT_ALLOWED, "This computer's own address cannot be banned.")
        computer = self.computer_of(address)  # with --ipv6-prefix-length, the whole prefix: any of its addresses
        return self._ban(None, computer, computer, minutes, reason, by)

    def _ban(
        self, key: str | None, address: str | None, shown: str, minutes: int | None, reason: str, by: str | None
    ) -> Outcome:
        reason = one_line(reason)
        moment = now_ms()
        until = moment + minutes * 60_000 if minutes else None
        ban = self.storage.moderation.add(Sanction("ban", key, address, reason, until, by or ADMIN, moment))
        targets = dict.fromkeys(self._sessions_from(address))
        if key is not None and key in self.registry.by_nick:
            targets[self.registry.by_nick[key]] = None
        outcome = Outcome(f"{shown} is banned {time_left(ban, moment)}" + (f": {reason}" if reason else ""))
        outcome.subject = shown
        for session in targets:
            if session.closing:
                continue
            session.send_last(*banned_frames(ban, moment))
            session.end("banned", said=reason)
            outcome.ended.append(session)
        if address is not None:
            outcome.summary += f" (and the address {address})"
        return outcome

    def unban(self, name_or_address: str) -> list[Sanction]:
        """Lift every ban on a nickname, or on an address; returns what was lifted."""
        return self._lift("ban", name_or_address)

    def _lift(self, kind: SanctionKind, name_or_address: str) -> list[Sanction]:
        text = name_or_address.strip()
        if is_address(text):
            return self.storage.moderation.lift(kind, address=self.computer_of(canonical_address(text)))
        if is_network(text):
            return self.storage.moderation.lift(kind, address=canonical_address(text))
        return self.storage.moderation.lift(kind, nick_key=name_key(normalise_nick(text)))

    # -- mutes --
    def mute(self, nick: str, by: str | None) -> Outcome:
        if nick.strip() == CLASS:
            return self.mute_class(by)
        if self.registry.find_nick(nick) is None:
            parked = self.registry.parked.peek(name_key(normalise_nick(nick)))
            if parked is not None:  # dropped a moment ago and may RESUME: the mute must be waiting for them
                return self._mute_parked(parked, by)
            gone = self._mute_departed(nick, by)
            if gone is not None:
                return gone
        target = self._target(nick)
        address = sanction_address(target.computer)
        self.storage.moderation.add(Sanction("mute", target.key, address, "", None, by or ADMIN, now_ms()))
        outcome = Outcome(f"{target.nick} is muted", subject=target.nick or nick)
        self._tell_muted(list(dict.fromkeys([target, *self._sessions_from(address)])), by, outcome)
        return outcome

    def _tell_muted(self, sessions: list[Session], by: str | None, outcome: Outcome, text: str = "") -> None:
        """Mark these sessions muted, each told so once; an away text goes (it would reach every room they join)."""
        who = _who(by)
        text = text or f"{who} muted you; your messages are not delivered."
        for session in sessions:
            if session.registered and not session.muted:
                session.muted = True
                fields = {"by": by} if by is not None else {}
                outcome.deliveries.append(
                    ([session], server_frame("system", text, event="muted", user=session.nick, **fields))
                )
                self.registry.emit("client_muted", session=session)
                if session.away:  # the away text would go on reaching every room they join: it goes, "away" stays
                    session.away = ""
                    if session.room is not None:
                        outcome.deliveries.append((session.room.members, presence_frame(session)))

    def _mute_parked(self, parked: ParkedSession, by: str | None) -> Outcome:
        """MUTE of a name whose connection dropped and is held for RESUME: kept by name and its address."""
        key = name_key(parked.nick)
        address = sanction_address(self.computer_of(parked.address) if parked.address else None)
        self.storage.moderation.add(Sanction("mute", key, address, "", None, by or ADMIN, now_ms()))
        outcome = Outcome(
            f"{parked.nick} is muted (their connection dropped; it holds when they come back)", subject=parked.nick
        )
        self._tell_muted(self._sessions_from(address), by, outcome)
        return outcome

    def _mute_departed(self, name: str, by: str | None) -> Outcome | None:
        """MUTE of a name nobody holds now that came from another computer in this run: the name and that computer.

        The teacher reads "eve" and types /mute eve, and eve had renamed a
        moment before, or quit and come back under a new name: the mute
        answered "nobody called eve is online" and she went on talking, name
        after name (a probe). As BAN does, it takes the computer the name last
        came from; None when that is not known (or is this computer).
        """
        nick = normalise_nick(name)
        key = name_key(nick)
        address = sanction_address(self.identity.last_address(key))
        if address is None:
            return None
        self.storage.moderation.add(Sanction("mute", key, address, "", None, by or ADMIN, now_ms()))
        outcome = Outcome(
            f"{nick} is muted (not online under that name now: the name and the computer it last came from, "
            f"{address}, with everyone on it)",
            subject=nick,
        )
        self._tell_muted(self._sessions_from(address), by, outcome)
        return outcome

    def unmute(self, nick: str, by: str | None) -> Outcome:
        if nick.strip() == CLASS:
            return self.unmute_class(by)
        nick = normalise_nick(nick)
        lifted = self._lift("mute", nick)
        target = self.registry.find_nick(nick)
        if not lifted and target is None:
            raise ProtocolError(ErrorCode.NO_SUCH_USER, f"Nobody called {nick} is online or muted.")
        shown = target.nick or nick if target is not None else nick
        still = self.sanction_on("mute", target.key, target.computer) if target is not None else None
        with_class = target is not None and self.muted_with_class(target)
        if with_class and not lifted and still is None:
            # "may speak again" would be untrue: the class mute holds them (found by the exam probe).
            raise ProtocolError(
                ErrorCode.BAD_ARGUMENT, f"{shown} is muted with the whole class: /unmute * gives the class its voice."
            )
        if with_class and still is None:
            outcome = Outcome(f"{shown}'s own mute was lifted; the whole class is still muted", subject=shown)
        elif still is not None:
            # Their computer is muted under another name: saying "may speak again" would be untrue.
            if not lifted:
                raise ProtocolError(
                    ErrorCode.BAD_ARGUMENT,
                    f"{shown} is muted because their computer is: unmute the name the mute was set on"
                    + (f" ({still.nick_key})" if still.nick_key else f", or the address {still.address}")
                    + ".",
                )
            outcome = Outcome(f"{shown}'s own mute was lifted, but their computer is still muted", subject=shown)
        else:
            outcome = Outcome(f"{shown} may speak again", subject=shown)
        addresses = {sanction.address for sanction in lifted if sanction.address is not None}
        affected = [target] if target is not None else []
        affected += [session for address in addresses for session in self._sessions_from(address)]
        who = _who(by)
        for session in dict.fromkeys(affected):
            if session.muted and not self.is_muted(session):
                session.muted = False
                fields = {"by": by} if by is not None else {}
                frame = server_frame("system", f"{who} unmuted you.", event="unmuted", user=session.nick, **fields)
                outcome.deliveries.append(([session], frame))
                self.registry.emit("client_muted", session=session)
        return outcome

    # -- the whole class --
    def note_class_name(self, session: Session) -> None:
        """Remember the name a class-muted student has now as one their computer may come back under."""
        address = sanction_address(session.computer)
        if address is not None and session.key is not None and self.muted_with_class(session):
            self.class_names.setdefault(address, set()).add(session.key)

    def recheck_role(self, session: Session) -> list[Delivery]:
        """After an admin changed someone's role or account: muted as that role is now, and told so in a test.

        A teacher made a student mid-test was muted silently, and a second connection from that
        computer then took the nickname `q3_is_C` (the exam2 probe): the computer keeps its names, as a
        student's does from the moment the class was muted.
        """
        was_muted = session.muted
        session.muted = self.is_muted(session)  # a class mute (MUTE *) spares teachers
        self.note_class_name(session)
        if not session.muted or was_muted or not self.muted_with_class(session):
            return []
        fields = {"by": self.class_muted_by} if self.class_muted_by != ADMIN else {}
        text = "The whole class is muted: only private messages to a teacher are delivered."
        told: list[Delivery] = [([session], server_frame("system", text, event="muted", user=session.nick, **fields))]
        if session.away:  # an away text is words: it goes, "away" stays (as for any student muted)
            session.away = ""
            if session.room is not None:
                told.append((session.room.members, presence_frame(session)))
        return told

    def class_name_refusal(self, session: Session, key: str) -> str | None:
        """Why a student computer may not take the new name `key` while the class is muted; None when it may.

        A first name from a computer (a latecomer) is free; after that the computer keeps its names, as a
        computer muted on its own keeps the muted name (a name reaches every room list and join notice).
        """
        if self.class_muted_by is None:
            return None
        names = self.class_names.get(sanction_address(session.computer) or "")
        if not names or key in names:
            return None
        shown = f"come back as {next(iter(names))}" if len(names) == 1 else "come back under a name it had"
        return (
            f"The teacher has muted the whole class, so this computer can take no new nickname; {shown}, "
            "or ask the teacher."
        )

    def mute_class(self, by: str | None) -> Outcome:
        """Mute every student online and every one who comes until unmute_class (teachers never); nothing is kept."""
        again = self.class_muted_by is not None
        self.class_muted_by = by or ADMIN
        students = [
            session
            for session in self.registry.sessions
            if session.registered and not session.closing and self.muted_with_class(session)
        ]
        newly = [session for session in students if not session.muted]
        for session in students:
            self.note_class_name(session)
        outcome = Outcome(
            f"The class is muted ({_students(len(students))}; those who come now are muted too; "
            "they may still write privately to a teacher; /unmute * lifts it)"
            + (" (it was muted already)" if again else ""),
            subject=CLASS,
            count=len(students),
        )
        who = _who(by)
        self._tell_muted(
            newly, by, outcome, f"{who} muted the whole class: only private messages to a teacher are delivered."
        )
        if not again:
            self._tell_other_teachers(outcome, by, "mute_class", f"{who} muted the whole class (/unmute * lifts it).")
        return outcome

    def _tell_other_teachers(self, outcome: Outcome, by: str | None, action: str, text: str) -> None:
        """Two teachers in one test: the one who did not mute or unmute the class is told (it was news to them)."""
        others = [
            session
            for session in self.registry.sessions
            if session.registered and not session.closing and session.role == "teacher" and session.nick != by
        ]
        if others:
            fields = {"by": by} if by is not None else {}
            frame = server_frame("system", text, event="moderation", action=action, user=CLASS, **fields)
            outcome.deliveries.append((others, frame))

    def unmute_class(self, by: str | None) -> Outcome:
        """Lift the class mute; a student muted on their own stays muted (named in the summary)."""
        if self.class_muted_by is None:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "The class is not muted (/mute * mutes every student).")
        self.class_muted_by = None
        self.class_names.clear()
        who = _who(by)
        fields = {"by": by} if by is not None else {}
        outcome = Outcome("", subject=CLASS)
        still: list[str] = []
        for session in self.registry.sessions:
            if not session.registered or session.closing or not session.muted:
                continue
            if self.is_muted(session):
                if session.role != "teacher":
                    still.append(session.nick or "")
                continue
            session.muted = False
            text = f"{who} gave the class its voice back."
            frame = server_frame("system", text, event="unmuted", user=session.nick, **fields)
            outcome.deliveries.append(([session], frame))
            self.registry.emit("client_muted", session=session)
            outcome.count += 1
        self._tell_other_teachers(outcome, by, "unmute_class", f"{who} gave the class its voice back.")
        outcome.summary = f"The class may speak again ({_students(outcome.count)})" + (
            f"; still muted on their own: {', '.join(sorted(still, key=str.casefold))}" if still else ""
        )
        return outcome

    # -- to everyone, and rooms --
    def announce(self, text: str, by: str | None) -> Outcome:
        text = clean_message_text(text)
        recipients = [session for session in self.registry.sessions if session.registered]
        if by is None:
            frame = server_frame("system", f"Announcement: {text}", event="announcement", text=text)
        else:
            frame = server_frame("system", f"Announcement from {by}: {text}", event="announcement", by=by, text=text)
        return Outcome(f"Announcement sent to {len(recipients)} people", [(recipients, frame)], count=len(recipients))

    def close_room(self, room: Room, reason: str, by: str | None) -> Outcome:
        """Move every member out of a room (each gets a notice and `left`); its owner, topic and key stay."""
        reason = one_line(reason) or "closed"
        members = list(room.members)
        fields = {"by": by} if by is not None else {}
        notice = server_frame(
            "system", f"#{room.name} was closed: {reason}", event="room_closed", room=room.name, reason=reason, **fields
        )
        outcome = Outcome(
            f"#{room.name} was closed ({len(members)} moved out)",
            [(members, notice)],
            subject=room.name,
            count=len(members),
        )
        for session in members:
            self.registry.leave_room(session)
            outcome.deliveries.append(([session], server_frame("left", f"You left #{room.name}", room=room.name)))
        return outcome


def _who(by: str | None) -> str:
    """Who did it, as the people told read it: the admin, or the teacher by name."""
    return "An admin" if by is None else f"{by} (teacher)"


def _students(count: int) -> str:
    return f"{count} student{'' if count == 1 else 's'}"


def carry_out(registry: ChatRegistry, moderator: Moderator, action: Callable[[Moderator], Outcome]) -> Outcome:
    """For the admin's threads: the action under the registry lock, its frames queued, hang-ups after the lock."""
    with registry.lock:
        outcome = action(moderator)
        for recipients, frame in outcome.deliveries:
            registry.deliver(recipients, frame)
    for session in outcome.ended:
        session.hang_up(session.close_reason)
    return outcome


def chosen_nick(registry: ChatRegistry, nick: str, session_id: int | None) -> str:
    """The nickname the admin's chosen row has now (registry lock held); ProtocolError if it went to someone else.

    A dialog stays open while the admin types a reason: the chosen student
    renamed meanwhile and a friend took the old name, and the ban landed on
    the friend (a probe). The action follows the connection that was chosen:
    its new name if it renamed; if it has gone, the name (a ban then covers
    its last address) unless someone else holds it now.
    """
    if session_id is None:
        return nick
    for session in registry.sessions:
        if session.id == session_id:
            return session.nick or nick
    holder = registry.find_nick(nick)
    if holder is not None:
        raise ProtocolError(
            ErrorCode.NICK_TAKEN,
            f"{nick} left and someone else has that name now; nothing was done. Choose them again from the list.",
        )
    return nick


def is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_network(text: str) -> bool:
    """An IPv6 prefix like 2001:db8:1::/64, as bans and mutes name one with --ipv6-prefix-length."""
    try:
        ipaddress.IPv6Network(text)
    except ValueError:
        return False
    return "/" in text


def canonical_address(text: str) -> str:
    """An address or IPv6 prefix as the server writes a connection's: 2001:DB8::0002 is 2001:db8::2, and
    ::ffff:10.0.0.5 is 10.0.0.5 (chat_server/session.py address_key); anything else unchanged.

    The admin banned "::ffff:127.0.1.5" and "2001:DB8::0002": each was confirmed as banned and let the
    computer in, since bans compare the text (a probe).
    """
    text = text.strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        if not is_network(text):
            return text
        return str(ipaddress.IPv6Network(text, strict=False))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)
