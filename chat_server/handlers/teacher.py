"""Teacher commands: KICK, BAN, UNBAN, MUTE, UNMUTE, ANNOUNCE, CLOSE, PURGE, OWNER (handler threads, registry lock held).

PROTOCOL.md (Version 2, Identity): only a connection logged in to a
teacher's account may use them; anyone else gets `not_allowed`.  A teacher
cannot act on another teacher (ask the admin).  The work itself is the
Moderator's (chat_server/moderation.py), the same as the admin window's.

    KICK NICK [REASON]            NICK gets bye (reason kick, `by` the teacher); the room hears the leave
    BAN NICK [MINUTES] [REASON]   kept in the database by nickname and address; NICK and everyone on its
                                  address get `banned` and bye; no MINUTES: until UNBAN
    UNBAN NICK|ADDRESS            lifts it
    MUTE NICK / UNMUTE NICK       kept in the database by nickname and address; NICK gets system muted / unmuted
    MUTE * / UNMUTE *             our addition: every student at once, and those who come meanwhile (a test);
                                  teachers never; memory only, so nothing outlasts the lesson
    ANNOUNCE TEXT                 everyone gets system announcement, with `by` and `text`
    CLOSE ROOM [REASON]           every member gets system room_closed, then `left`
    PURGE NICK [MINUTES]          our addition: NICK's room messages of the last MINUTES (60) are deleted,
                                  as DELETE would (`deleted` to whoever may have them); private ones stay
    OWNER ROOM NICK|none          our addition: ROOM (live or kept) now belongs to NICK (an account, else a guest
                                  online), or to nobody; its members get system `owner`, as from the admin

The teacher gets a `system` frame with event `moderation` (`action`, and
`user` or `room`) saying what was done.  For what is kept (BAN, UNBAN,
MUTE, UNMUTE) it comes once the change is on disk, so a crash right after
it cannot undo it (found by a probe: a `kill -9` just after a BAN lost it
in 3 runs of 3); if the disk refuses, the teacher is told it is not saved.
"""

from __future__ import annotations

import logging

from chat_server.handlers.base import (
    CommandModule,
    CommandResult,
    Delivery,
    OffLock,
    after_saving,
    not_saved_frame,
    save_now,
)
from chat_server.handlers.history import NO_HISTORY, deleted_deliveries
from chat_server.history.purge import parse_purge, purge_recent
from chat_server.identity.rooms_kept import owner_change_words
from chat_server.moderation import CLASS, Outcome, is_address, is_network
from chat_server.session import Session
from chat_server.storage import StoredMessage
from shared.ban_length import split_ban_command
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame
from shared.names import name_key, normalise_nick, normalise_room

log = logging.getLogger("chat_server.teacher")


class TeacherCommands(CommandModule):
    def handle_kick(self, session: Session, argument: str) -> list[Delivery]:
        self.identity.require_teacher(session, "remove someone from the chat")
        nick, _, reason = argument.partition(" ")
        if not nick:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say whom: /kick NICK [reason].")
        self._not_a_teacher(nick)
        outcome = self.moderator.kick(nick, reason, session.nick)
        return self._done(session, "kick", outcome, user=outcome.subject)  # the name as it is, not as typed

    def handle_ban(self, session: Session, argument: str) -> CommandResult:
        self.identity.require_teacher(session, "ban someone")
        nick, minutes, reason = split_ban_command(argument)
        if not nick:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say whom: /ban NICK [minutes] [reason].")
        self._not_a_teacher(nick)
        outcome = self.moderator.ban(nick, minutes, reason, session.nick)
        return self._kept(session, "ban", outcome, user=outcome.subject)

    def handle_unban(self, session: Session, argument: str) -> CommandResult:
        self.identity.require_teacher(session, "lift a ban")
        target = argument.strip()
        if not target or " " in target:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say whose ban to lift: /unban NICK (or an address).")
        lifted = self.moderator.unban(target)
        shown = (
            target if is_address(target) or is_network(target) else normalise_nick(target)
        )  # not as typed: no bidi or invisibles
        if not lifted:
            raise ProtocolError(ErrorCode.NO_SUCH_USER, f"{shown} is not banned.")
        return self._kept(session, "unban", Outcome(f"The ban on {shown} is lifted"), user=shown)

    def handle_mute(self, session: Session, argument: str) -> CommandResult:
        self.identity.require_teacher(session, "mute someone")
        nick = argument.strip()
        if not nick:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say whom: /mute NICK (or /mute * for the whole class).")
        if nick == CLASS:  # nothing is kept: answered at once
            return self._done(session, "mute_class", self.moderator.mute_class(session.nick), user=CLASS)
        self._not_a_teacher(nick)
        outcome = self.moderator.mute(nick, session.nick)
        return self._kept(session, "mute", outcome, user=outcome.subject)

    def handle_unmute(self, session: Session, argument: str) -> CommandResult:
        self.identity.require_teacher(session, "unmute someone")
        nick = argument.strip()
        if not nick:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say whom: /unmute NICK (or /unmute * for the whole class).")
        if nick == CLASS:
            return self._done(session, "unmute_class", self.moderator.unmute_class(session.nick), user=CLASS)
        outcome = self.moderator.unmute(nick, session.nick)
        return self._kept(session, "unmute", outcome, user=outcome.subject)

    def handle_announce(self, session: Session, argument: str) -> list[Delivery]:
        self.identity.require_teacher(session, "make an announcement")
        outcome = self.moderator.announce(argument, session.nick)
        return outcome.deliveries  # the teacher gets the announcement too: that is the confirmation

    def handle_close(self, session: Session, argument: str) -> list[Delivery]:
        self.identity.require_teacher(session, "close a room")
        name, _, reason = argument.partition(" ")
        if not name:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say which room: /close ROOM [reason].")
        room = self.registry.find_room(normalise_room(name))
        if room is None:
            raise ProtocolError(ErrorCode.BAD_ROOM, f"There is no room #{normalise_room(name)} right now.")
        in_it = session in room.members
        outcome = self.moderator.close_room(room, reason, session.nick)
        return outcome.deliveries if in_it else self._done(session, "close", outcome, room=room.name)

    def handle_purge(self, session: Session, argument: str) -> CommandResult:
        """Delete what NICK said in rooms lately (a flood), off the lock; then `deleted` to whoever may have it."""
        self.identity.require_teacher(session, "delete someone's messages")
        nick, minutes = parse_purge(argument, "/purge NICK [MINUTES]")
        if not self.config.history:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, NO_HISTORY)
        self._not_a_teacher(nick)
        storage, files, teacher = self.storage, self.services.files, session.nick
        holder = self.registry.find_nick(nick)
        owners = holder.owners if holder is not None else ()  # what they said under earlier names too

        def work() -> tuple[list[StoredMessage], bool]:
            gone = purge_recent(storage, files, nick, minutes, owners)
            saved = save_now(storage) if gone else True
            log.warning(
                "teacher %s deleted %d room messages of %s (the last %d minutes)", teacher, len(gone), nick, minutes
            )
            return gone, saved

        def then(done: tuple[list[StoredMessage], bool]) -> list[Delivery]:
            gone, saved = done
            deliveries: list[Delivery] = []
            for message in gone:
                deliveries += deleted_deliveries(self.registry, message, also=[session])
            count = len(gone)
            text = f"Deleted {count} room message{'' if count == 1 else 's'} of {nick} from the last {minutes} minutes."
            confirmation = server_frame("system", text, event="moderation", action="purge", user=nick, count=count)
            deliveries.append(([session], confirmation))
            if not saved:
                deliveries.append(([session], not_saved_frame(storage, "The deletion of those messages")))
            return deliveries

        return OffLock(work, then)

    def handle_owner(self, session: Session, argument: str) -> list[Delivery]:
        """Give a room away (a group's room to its leader, a squatted room back to nobody), as the admin can."""
        self.identity.require_teacher(session, "give a room to someone")
        words = argument.split()
        if len(words) != 2:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say which room and to whom: /owner ROOM NICK (or none).")
        shown_room, shown, live = self.services.who.rooms.give(normalise_room(words[0]), words[1])
        text, done = owner_change_words(session.nick or "", shown_room, shown)
        notice = server_frame("system", text, event="owner", room=shown_room, owner=shown, by=session.nick)
        deliveries: list[Delivery] = []
        if live is not None:
            deliveries.append(([member for member in live.members if member is not session], notice))
        if live is None or session not in live.members:
            confirmation = server_frame(
                "system", done, event="moderation", action="owner", room=shown_room, owner=shown
            )
            deliveries.append(([session], confirmation))
        else:
            deliveries.append(([session], notice))
        return deliveries

    # -- shared --
    def _not_a_teacher(self, nick: str) -> None:
        """not_allowed naming the teacher as the name is (not as typed: it may hold bidi controls or invisibles)."""
        key = name_key(normalise_nick(nick))
        holder = self.registry.by_nick.get(key)
        account = self.identity.account_of(key)
        if holder is not None and holder.nick and self.identity.is_teacher(holder):
            name = holder.nick
        elif account is not None and account.role == "teacher":
            name = account.nick
        else:
            return
        raise ProtocolError(ErrorCode.NOT_ALLOWED, f"{name} is a teacher; only the admin can do that.")

    def _done(self, session: Session, action: str, outcome: Outcome, **about: str) -> list[Delivery]:
        text = outcome.summary + "."  # as written: a sentence that starts with a nickname keeps its case
        self.hang_ups_from(outcome)  # their bye is queued already (Moderator): nothing waits for the disk
        confirmation = server_frame("system", text, event="moderation", action=action, **about)
        return [*outcome.deliveries, ([session], confirmation)]

    def _kept(self, session: Session, action: str, outcome: Outcome, **about: str) -> CommandResult:
        """_done for a change the database keeps: the answers go once it is on disk."""
        what = f"The {action} of {about.get('user', 'them')}"
        return after_saving(self.storage, self._done(session, action, outcome, **about), asker=session, what=what)

    def hang_ups_from(self, outcome: Outcome) -> None:
        for ended in outcome.ended:
            self.hang_ups.add(ended)
