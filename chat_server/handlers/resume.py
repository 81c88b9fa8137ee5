"""RESUME: a client that lost its connection takes its nickname and room back (handler threads, registry lock held).

PROTOCOL.md (Version 2, Identity, "Resume").  `RESUME <nick> <token>`, in
place of NICK on a new connection:

- the old connection of that nickname is still open (the server has not
  noticed it is gone): it gets `bye` (reason `resumed`) and is closed; the
  new one takes its nickname and its place in its room, and the room hears
  neither a leave nor a join;
- the old connection was already dropped (within `resume_seconds`): the
  new one gets the nickname if nobody took it meanwhile, and joins the room
  again (the room heard the leave, so it hears the join);
- a wrong or expired token gets `bad_login`;
- a dropped guest name is asked again what NICK would ask now (a look-alike
  taken meanwhile: `nick_taken`; a teacher's account it could pass for:
  `bad_nick`; its computer muted meanwhile under another name: `muted`),
  since it left the look-alike index when it was dropped; a student's
  account that could pass for a teacher's gets `bad_nick` too.

The new connection gets `nick` (with `resumed`: true and a fresh token),
the `rooms` push, and `joined` for its room followed by the room's replay
(replay.py).  A mute stays on.

Who is who: a registered nickname is resumed only by a connection that was
logged in to its account (a token from before the name was registered
does not do); the account and role come back with it.  A banned name gets
`banned` and bye.  RESUME needs no join code if the code is the one its
session came in with (the token shows its owner knew it); once the teacher
has set another code (a new period), or set one where there was none, it
gets `code_required` until this connection sends the code in force, and
the token stays good meanwhile.
"""

from __future__ import annotations

import time

from chat_server.farewells import resumed_bye, where_else
from chat_server.handlers.base import CommandModule, CommandResult, Delivery
from chat_server.handlers.membership import join_deliveries, joined_deliveries
from chat_server.handlers.replay import with_replay
from chat_server.handlers.room_entry import key_to_enter
from chat_server.identity.owners import account_owner
from chat_server.identity.roles import identity_fields
from chat_server.identity.teacher_copies import check_account_usable
from chat_server.resume_tokens import new_token, token_matches
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame
from shared.names import name_key, normalise_nick


class ResumeCommands(CommandModule):
    def handle_resume(self, session: Session, argument: str) -> CommandResult:
        """RESUME, with the replay after its `joined` (read from the disk first if it must be, see replay.py)."""
        words = argument.split()
        room = self._room_to_resume(words)
        return with_replay(self.services, session, room, lambda: self._resume(session, argument))

    def _room_to_resume(self, words: list[str]) -> str | None:
        """The room a RESUME with these words would put the session in (None if none or it will be refused)."""
        if len(words) != 2:
            return None
        try:
            key = name_key(normalise_nick(words[0]))
        except ProtocolError:
            return None
        holder = self.registry.by_nick.get(key)
        if holder is not None and token_matches(words[1], holder.token):
            return holder.room.name if holder.room is not None else None
        parked = self.registry.parked.check(key, words[1], time.monotonic())
        return parked.room if parked is not None else None

    def _resume(self, session: Session, argument: str) -> list[Delivery]:
        if session.registered:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "/resume works only on a new connection, in place of /nick.")
        words = argument.split()
        if len(words) != 2:
            raise ProtocolError(
                ErrorCode.BAD_ARGUMENT, "Say whose session to take back and its token: /resume NAME TOKEN."
            )
        nick, token = normalise_nick(words[0]), words[1]
        key = name_key(nick)
        account = self.identity.account_of(key)
        holder = self.registry.by_nick.get(key)
        owner = account_owner(account) if account is not None else None
        if holder is not None and token_matches(token, holder.token):
            if owner is not None and (holder.account != key or holder.account_owner != owner):
                raise _cannot_resume(nick)  # a registered name goes only with its account (this one, not a deleted one)
            if account is not None:
                check_account_usable(self.storage, account)  # it could pass for a teacher's account made since
            self.identity.require_code_again(session, holder.entered_code)
            banned = self.moderator.refuse_if_banned(session, key)
            return banned if banned is not None else self._take_over(session, holder)
        now = time.monotonic()
        parked = self.registry.parked.check(key, token, now)
        if parked is None:
            self._refuse_if_in_use_elsewhere(session, nick, key, token, now)
        if parked is None or (owner is not None and (parked.account != key or parked.account_owner != owner)):
            raise _cannot_resume(nick)
        if account is not None:
            check_account_usable(self.storage, account)
        self.identity.require_code_again(session, parked.entered_code)  # the token stays good for after PASS
        if holder is not None:  # the token stays good: the name may be free again before it expires
            if holder.host == session.host:  # most likely the same person's second window, not a classmate
                taken = f"Another window or program on this computer took the nickname {nick} after your connection "
                taken += "was lost; close it and /resume again"
            else:
                taken = f"Someone else took the nickname {nick} after your connection was lost; try /resume again "
                taken += "once they have gone"
            raise ProtocolError(ErrorCode.NICK_TAKEN, f"{taken}, or pick another name with /nick NAME.")
        banned = self.moderator.refuse_if_banned(session, key)
        if banned is not None:
            return banned
        self.nick_rules.check_resumed_name(session, parked.nick, account is not None)
        self.registry.parked.take(key, token, now)
        self.registry.set_nick(session, parked.nick)
        session.entered_code = session.entered_code or parked.entered_code
        if parked.owner is not None:
            session.guest_owner = parked.owner  # the token proved the same person: its private history and files
        if account is not None:
            session.account, session.role = key, account.role
            session.account_owner = account_owner(account)
        self.nick_rules.after_rename(session)  # the mute, from the lasting mutes
        deliveries = self._welcome_back(session)
        if parked.room is not None:
            if self._locked_since(session, parked.room, parked.room_key_hash):
                text = f"#{parked.room} was locked while you were away: join it with its key, /join {parked.room} KEY."
                deliveries.append(([session], server_frame("system", text, event="room_locked", room=parked.room)))
            else:
                deliveries += join_deliveries(self.registry, session, parked.room)
        files = self.services.files
        if files is not None:  # private files to its account that came while it was away
            deliveries += [([session], frame) for frame in files.waiting_frames(session)]
        return deliveries

    def _refuse_if_in_use_elsewhere(self, session: Session, nick: str, key: str, token: str, now: float) -> None:
        """A token a login elsewhere took over, while that login is still connected: `bad_login` saying so, with
        `elsewhere`, so that the program does not log in again by itself and take the name from there."""
        by_host = self.registry.superseded.find(key, token, now)
        holder = self.registry.by_nick.get(key)
        if by_host is None or holder is None or holder.account != key:
            return  # nobody is on the account now: logging in again here takes nothing from anyone
        raise ProtocolError(
            ErrorCode.BAD_LOGIN,
            f"Cannot resume {nick}: since this connection was lost you logged in as {nick} "
            f"{where_else(session.host, by_host)}, and it is connected there now. This program does not take the "
            "name back by itself: log in again here to take it.",
            elsewhere=True,
        )

    def _locked_since(self, session: Session, name: str, key_hash_then: str | None) -> bool:
        """Whether the room got a key (or another one) after the connection was lost, one this person may not skip."""
        room = self.registry.find_room(name)
        record = self.services.who.rooms.record(name) if room is None else None
        needed = key_to_enter(self.services, session, room, record)
        return needed is not None and needed != key_hash_then

    def _take_over(self, session: Session, holder: Session) -> list[Delivery]:
        holder.end("resumed from another connection")
        self.hang_ups.add(holder)
        session.account, session.role = holder.account, holder.role
        session.guest_owner, session.account_owner = holder.guest_owner, holder.account_owner  # the same person
        session.entered_code = session.entered_code or holder.entered_code
        room = self.registry.hand_over(holder, session)
        self.nick_rules.after_rename(session)
        deliveries: list[Delivery] = [([holder], resumed_bye(holder.nick or "", where_else(holder.host, session.host)))]
        deliveries += self._welcome_back(session)
        if room is not None:
            deliveries += joined_deliveries(self.registry, session, room)
        return deliveries

    def _welcome_back(self, session: Session) -> list[Delivery]:
        session.token = new_token()
        session.passed_code = True  # its owner came in with the code in force (require_code_again)
        nick = session.nick
        frame = server_frame(
            "nick", f"You are {nick} again.", nick=nick, token=session.token, resumed=True, **identity_fields(session)
        )
        return [([session], frame), *self.rooms_push.first_push(session)]


def _cannot_resume(nick: str) -> ProtocolError:
    return ProtocolError(
        ErrorCode.BAD_LOGIN,
        f"Cannot resume {nick}: the token is wrong or has expired. Choose a nickname with /nick NAME.",
    )
