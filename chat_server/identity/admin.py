"""The admin's side of who is who: join code, accounts and roles, bans and mutes (any thread but the server's own).

Mixed into ChatServer beside AdminActions; the admin window and the
headless console call these.  Each takes the registry lock briefly and
only queues frames; password hashing (slow on purpose) happens before the
lock is taken, and logging and hanging up after it is released.  Every
action is one WARNING line starting "admin " (docs/admin.md, "The log");
no line ever holds a password or the join code.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from chat_server.farewells import bye
from chat_server.identity.owners import account_owner
from chat_server.identity.passwords import hash_password, normalise_password
from chat_server.identity.roles import identity_fields, role_notice
from chat_server.identity.rooms_kept import owner_change_words
from chat_server.identity.teacher_copies import TeacherCopies, send_away_copies
from chat_server.identity.weak_passwords import check_not_weak
from chat_server.moderation import carry_out, chosen_nick, is_address, is_network, now_ms
from chat_server.storage import Account
from chat_server.storage.models import Role, Sanction, SanctionKind
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame
from shared.name_scripts import check_single_script
from shared.names import normalise_nick, normalise_room

if TYPE_CHECKING:
    from chat_server.handlers.base import Delivery
    from chat_server.identity.wiring import WhoIsWho
    from chat_server.registry import ChatRegistry

log = logging.getLogger("chat_server.admin")


@dataclass(frozen=True)
class AccountInfo:
    nick: str
    role: Role
    created: float  # seconds since the epoch
    online: bool


@dataclass(frozen=True)
class RoleChange:
    """A role given, with what shows whose account it is: a student may have registered the teacher's name first."""

    nick: str
    role: Role
    created: float  # when the account was made (seconds since the epoch)
    logged_in_from: tuple[str, ...]  # the addresses of the connections logged in to it now
    copies: str = ""  # for a teacher: the accounts and people online whose names could pass for it (teacher_copies.py)

    def describe(self) -> str:
        made = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.created))
        where = f"logged in now from {', '.join(self.logged_in_from)}" if self.logged_in_from else "not logged in now"
        return f"{self.nick} is now a {self.role} (account made {made}; {where})." + (
            f" {self.copies}" if self.copies else ""
        )


@dataclass(frozen=True)
class SanctionInfo:
    id: int
    kind: SanctionKind
    name: str  # the nickname as shown where known, else its key; "" for an address alone
    address: str  # "" when the ban or mute names no address
    reason: str
    until: float | None  # seconds since the epoch; None: until lifted
    set_by: str
    created: float


@dataclass(frozen=True)
class KeptRoomInfo:
    """A room nobody is in whose owner, topic or key is kept (the console's /rooms)."""

    name: str
    owner: str  # as shown: "" for nobody, or a guest owner who has gone
    topic: str
    locked: bool


def _listed(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


class IdentityAdmin:
    registry: ChatRegistry
    who: WhoIsWho

    # -- the join code --
    def join_code(self) -> str | None:
        """The code as shown (e.g. "K7M-XR4"), or None when the server needs none."""
        with self.registry.lock:
            return self.who.service.shown_join_code()

    def set_join_code(self, code: str | None) -> str | None:
        """A chosen code, a new random one ("" or "new"), or None to need none; returns it as shown.

        Connections already in stay; the code is asked of new ones only.
        """
        with self.registry.lock:
            self.who.service.set_join_code(code)  # ValueError for a code that cannot be one
            shown = self.who.service.shown_join_code()
        if shown is None:
            log.warning("admin switched the join code off")
        else:
            log.warning("admin set %s join code", "a chosen" if code and code.strip().lower() != "new" else "a new")
        return shown

    # -- accounts --
    def accounts(self) -> list[AccountInfo]:
        with self.registry.lock:
            online = {key for key, session in self.registry.by_nick.items() if session.account == key}
            return [
                AccountInfo(account.nick, account.role, account.created_ms / 1000, account.key in online)
                for account in self.who.service.storage.accounts.list_all()
            ]

    def create_account(self, nick: str, password: str, role: Role = "student") -> str:
        """A new account made by the admin (e.g. a teacher's before the lesson); returns the answer's sentence.

        For a teacher's, the sentence names the accounts and people online whose names could pass for it
        (chat_server/identity/teacher_copies.py).
        """
        nick = normalise_nick(nick)
        check_single_script(nick)
        password = normalise_password(password)
        check_not_weak(password, nick)
        password_hash = hash_password(password)  # slow: before the lock
        copies = self.add_account(Account(nick, password_hash, role, int(time.time() * 1000)))
        return " ".join(filter(None, [f"Made the account {nick} ({role}).", copies.describe() if copies else ""]))

    def add_account(self, account: Account) -> TeacherCopies | None:
        """Keep an account whose password hash was made elsewhere (an import, a test); for a teacher's, who
        could pass for it (those online are sent away: teacher_copies.py)."""
        with self.registry.lock:
            self.who.service.require_accounts()
            storage = self.who.service.storage
            if storage.accounts.get(account.nick) is not None:
                raise ProtocolError(ErrorCode.NICK_REGISTERED, f"{account.nick} already has an account.")
            holder = self.registry.by_nick.get(account.key)
            if holder is not None:
                raise ProtocolError(
                    ErrorCode.NICK_TAKEN,
                    f"{holder.nick} is online without an account; ask them to /register, or choose another name.",
                )
            storage.accounts.put(account)
            self.who.service.login_throttle.forget(account.key)  # computers that logged in to an earlier one
            self.registry.nick_index.add(account.nick)
            self.registry.parked.forget(account.key)  # a guest's dropped session of that name is not the account's
            copies = send_away_copies(self.registry, storage, account) if account.role == "teacher" else None
        _hang_up(copies)
        log.warning("admin made the account %s (%s)", account.nick, account.role)
        _log_copies(copies)
        return copies

    def set_role(self, nick: str, role: Role) -> RoleChange:
        """Make a registered account a teacher or a student; someone logged in to it is told at once.

        The answer says when the account was made and where it is logged in
        from, so an admin who types /teacher NAME sees a student who took
        the name first (an account made minutes ago, from a student's desk).
        """
        with self.registry.lock:
            account = self.who.service.storage.accounts.set_role(nick, role)
            if account is None:
                raise ProtocolError(
                    ErrorCode.NO_SUCH_USER, f"{normalise_nick(nick)} has no account; they register it first."
                )
            deliveries: list[Delivery] = []
            sessions = self.who.service.sessions_of_account(account.key)
            change = RoleChange(
                account.nick, role, account.created_ms / 1000, tuple(sorted({s.host for s in sessions}))
            )
            for session in sessions:
                if session.role != role:
                    session.role = role
                    muted = self.who.moderator.recheck_role(session)  # a class mute (MUTE *) spares teachers
                    text = f"An admin made you a {role}."
                    frame = server_frame(
                        "nick", text, nick=session.nick, token=session.token, **identity_fields(session)
                    )
                    deliveries += [([session], frame), *role_notice(session), *muted]
                    self.registry.emit("client_nick", session=session, old=session.nick)
            for recipients, frame in deliveries:
                self.registry.deliver(recipients, frame)
            copies = send_away_copies(self.registry, self.who.service.storage, account) if role == "teacher" else None
        _hang_up(copies)
        log.warning("admin made %s a %s", account.nick, role)
        _log_copies(copies)
        return replace(change, copies=copies.describe()) if copies is not None else change

    def set_password(self, nick: str, password: str) -> int:
        """Give an account a new password; how many connections logged in to it were closed.

        A reset is what a teacher does when a password has leaked, so
        whoever is logged in to the account now (perhaps the one who stole
        it) is sent away with `bye` (reason `password`), the token of a
        dropped connection of it is forgotten (no RESUME back in), and the
        computers it was logged in from lose the leeway they had (the
        login throttle's known addresses): everyone logs in again with the
        new password.
        """
        password = normalise_password(password)
        check_not_weak(password, normalise_nick(nick))
        password_hash = hash_password(password)  # slow: before the lock
        with self.registry.lock:
            service = self.who.service
            accounts = service.storage.accounts
            account = accounts.get(nick)
            if account is None:
                raise ProtocolError(ErrorCode.NO_SUCH_USER, f"{normalise_nick(nick)} has no account.")
            accounts.put(Account(account.nick, password_hash, account.role, account.created_ms))
            service.login_throttle.forget(account.key)
            accounts.forget_logins(account.key)
            service.remember_sent_away((account_owner(account),))  # uploads begun with the old password are void
            self.registry.parked.forget(account.key)
            ended = [session for session in service.sessions_of_account(account.key) if not session.closing]
            farewell = bye(
                f"An admin set a new password for {account.nick}; log in again with the new one.", "password"
            )
            for session in ended:
                session.end("password reset by the admin")
            self.registry.deliver(ended, farewell)
        for session in ended:
            session.hang_up(session.close_reason)
        log.warning("admin set a new password for %s (%d connections closed)", account.nick, len(ended))
        return len(ended)

    def delete_account(self, nick: str) -> None:
        """Forget an account; whoever is logged in to it keeps the name as an ordinary student."""
        with self.registry.lock:
            accounts = self.who.service.storage.accounts
            account = accounts.get(nick)
            if account is None:
                raise ProtocolError(ErrorCode.NO_SUCH_USER, f"{normalise_nick(nick)} has no account.")
            accounts.delete(account.nick)
            self.who.service.login_throttle.forget(account.key)
            self.registry.nick_index.discard(account.nick)
            self.registry.parked.forget(account.key)  # its dropped session's token must not come back as the account
            deliveries: list[Delivery] = []
            for session in self.who.service.sessions_of_account(account.key):
                was_teacher = session.role != "student"
                session.account, session.role = None, "student"
                muted = self.who.moderator.recheck_role(session)  # a teacher no more: a class mute takes them
                text = f"An admin deleted the account {account.nick}; you keep the name until you leave."
                frame = server_frame("nick", text, nick=session.nick, token=session.token, **identity_fields(session))
                deliveries += [([session], frame), *muted]
                if was_teacher:
                    deliveries += role_notice(session)
                self.registry.emit("client_nick", session=session, old=session.nick)
            for recipients, frame in deliveries:
                self.registry.deliver(recipients, frame)
        log.warning("admin deleted the account %s", account.nick)

    # -- rooms --
    def set_room_owner(self, room: str, name: str | None) -> str:
        """Give a room (live or kept) to the person `name` (an account, else a guest online), or to nobody (None,
        "none"); returns the answer's sentence.  The room's members hear it.  A teacher manages a room they do not
        own already (TOPIC, KEY); this takes it from a student who made it first and keeps re-locking it."""
        with self.registry.lock:
            shown_room, shown, live = self.who.rooms.give(normalise_room(room), name or "")
            text, done = owner_change_words("An admin", shown_room, shown)
            if live is not None:
                notice = server_frame("system", text, event="owner", room=shown_room, owner=shown)
                self.registry.deliver(list(live.members), notice)
        log.warning("admin gave #%s to %s", shown_room, shown or "nobody")
        return done

    def free_room(self, room: str) -> str:
        """Take the key, topic and owner off a room (live or kept): anyone may join it, nobody owns it (teachers
        set its topic and key); returns the answer's sentence.  Its members hear each change as KEY, TOPIC and
        /owner would have told them, so their windows show the room as it now is.  A room nobody is in with
        no kept message is forgotten instead, which frees its name's look-alikes too (rooms_kept.py)."""
        name = normalise_room(room)
        nothing_said = not self.who.service.storage.messages.replay(name, 1)  # may read the disk: off the lock
        with self.registry.lock:
            shown_room, live, before, forgotten = self.who.rooms.free(name, nothing_said)
            took = [
                what
                for what, had in (
                    ("the key", before.key_hash is not None),
                    ("the topic", bool(before.topic)),
                    ("the owner", before.owner is not None),
                )
                if had
            ]
            if live is not None:
                notices = []
                if before.key_hash is not None:
                    text = f"An admin removed the key of #{shown_room}: anyone may join and read what was said here"
                    notices.append(server_frame("system", text, event="key", room=shown_room, locked=False))
                if before.topic:
                    text = "An admin removed the topic"
                    notices.append(server_frame("system", text, event="topic", room=shown_room, topic=""))
                if before.owner is not None:
                    text, _done = owner_change_words("An admin", shown_room, "")
                    notices.append(server_frame("system", text, event="owner", room=shown_room, owner=""))
                for notice in notices:
                    self.registry.deliver(list(live.members), notice)
        if forgotten:
            log.warning("admin forgot the room #%s (%s)", shown_room, _listed(took) if took else "nothing kept")
            return (
                f"Forgot #{shown_room}" + (f" ({_listed(took)})" if took else "") + ": nothing was said in it, so "
                "its name, and the names that look like it, are free for a new room."
            )
        if not took:
            return f"#{shown_room} had no key, topic or owner: anyone may join it already."
        log.warning("admin took %s off #%s", _listed(took), shown_room)
        return f"Took {_listed(took)} off #{shown_room}: anyone may join it, and nobody owns it."

    def kept_rooms(self) -> list[KeptRoomInfo]:
        """The rooms kept while nobody is in them (their owner, topic and key outlive their members), by name."""
        with self.registry.lock:
            return [
                KeptRoomInfo(record.name, owner, record.topic, record.key_hash is not None)
                for record, owner in self.who.rooms.kept_empty()
            ]

    # -- bans and mutes --
    def sanctions(self, kind: SanctionKind | None = None) -> list[SanctionInfo]:
        """The bans and mutes in force, oldest first."""
        with self.registry.lock:
            found = self.who.service.storage.moderation.active(now_ms(), kind)
            return [self._sanction_info(sanction) for sanction in found]

    def _sanction_info(self, sanction: Sanction) -> SanctionInfo:
        name = ""
        if sanction.nick_key is not None:
            holder = self.registry.by_nick.get(sanction.nick_key)
            account = self.who.service.storage.accounts.get(sanction.nick_key)
            name = (holder.nick if holder is not None else None) or (account.nick if account else sanction.nick_key)
        return SanctionInfo(
            sanction.id,
            sanction.kind,
            name,
            sanction.address or "",
            sanction.reason,
            sanction.until_ms / 1000 if sanction.until_ms is not None else None,
            sanction.set_by,
            sanction.created_ms / 1000,
        )

    def ban(
        self, name_or_address: str, minutes: int | None = None, reason: str = "", session_id: int | None = None
    ) -> str:
        """Ban a nickname (and its address) or an address; whoever is on it is sent away. Returns what was done.

        `session_id`: the admin window's chosen row; the ban follows that connection (chat_server/moderation.py chosen_nick).
        """
        text = name_or_address.strip()
        if is_address(text) or is_network(text):
            outcome = carry_out(self.registry, self.who.moderator, lambda m: m.ban_address(text, minutes, reason, None))
        else:
            outcome = carry_out(
                self.registry,
                self.who.moderator,
                lambda m: m.ban(chosen_nick(self.registry, text, session_id), minutes, reason, None),
            )
        log.warning("admin banned %s", outcome.summary.replace(" is banned", "", 1))
        return outcome.summary

    def unban(self, name_or_address: str) -> int:
        """Lift the bans on a nickname or an address; returns how many were lifted."""
        with self.registry.lock:
            lifted = self.who.moderator.unban(name_or_address)
        if not lifted:
            raise ProtocolError(ErrorCode.NO_SUCH_USER, f"{name_or_address.strip()} is not banned.")
        log.warning("admin lifted the ban on %s", name_or_address.strip())
        return len(lifted)

    def lift(self, sanction_id: int) -> None:
        """Lift one ban or mute from the list (sanctions()); a muted person online may speak again at once."""
        with self.registry.lock:
            sanction = self.who.service.storage.moderation.remove(sanction_id)
            if sanction is None:
                raise ProtocolError(ErrorCode.NO_SUCH_USER, "That ban or mute is no longer in force.")
            info = self._sanction_info(sanction)
            if sanction.kind == "mute":
                self._voice_again(sanction)
        log.warning("admin lifted the %s on %s", sanction.kind, " ".join(filter(None, [info.name, info.address])))

    def _voice_again(self, sanction: Sanction) -> None:
        moderator = self.who.moderator
        for session in list(self.registry.sessions):
            named = sanction.nick_key is not None and session.key == sanction.nick_key
            if (named or session.computer == sanction.address) and session.muted and not moderator.is_muted(session):
                session.muted = False
                frame = server_frame("system", "An admin unmuted you.", event="unmuted", user=session.nick)
                self.registry.deliver([session], frame)
                self.registry.emit("client_muted", session=session)


def _hang_up(copies: TeacherCopies | None) -> None:
    """Hang up those sent away for a name like the new teacher's (their bye is queued; the lock is released)."""
    for session in copies.ended if copies is not None else ():
        session.hang_up(session.close_reason)


def _log_copies(copies: TeacherCopies | None) -> None:
    if copies is not None and (copies.accounts or copies.online):
        log.warning("admin: names that could pass for the teacher %s: %s", copies.teacher, copies.describe())
