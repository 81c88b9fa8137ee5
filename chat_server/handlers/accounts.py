"""PASS, REGISTER and LOGIN: the join code and accounts (handler threads, registry lock held; hashing off it).

PROTOCOL.md (Version 2, Identity; docs/protocol.md, "Who is who"):

    PASS CODE           before NICK or LOGIN when the server has a join code; `system` code_accepted,
                        or bad_code (5 wrong in a minute from one address, or 50 from all addresses:
                        rate_limited, unchecked)
    REGISTER PASSWORD   keeps the current nickname for its owner (8 to 128 characters, not one a guesser
                        tries first: identity/weak_passwords.py); the owner
                        logged in to it changes the password with it; one address makes at most
                        NEW_ACCOUNTS_PER_ADDRESS new accounts a day (this computer excepted); a name
                        that could pass for a teacher's account gets bad_nick (identity/teacher_copies.py)
    LOGIN NICK PASSWORD takes a registered nickname, before or after NICK; bad_login for a wrong
                        nickname or password alike; 5 failed in a minute for one nickname or from
                        one address: rate_limited, unchecked; checked again for a ban once the
                        password is (a teacher may have banned the name meanwhile); wrong passwords
                        for 3 accounts from one address in 10 minutes warn the admin; a good login
                        forgets the account's dropped connection and its RESUME token; a student's
                        account that could pass for a teacher's gets bad_nick once its password is right

Password checks take turns (identity/hash_turns.py): a LOGIN from this
computer, or to a teacher's account from a computer that logged in to it
before, goes before the others; while MAX_WAITING_HASHES ordinary checks
wait, or MAX_WAITING_PER_ADDRESS of one computer's, a new LOGIN or REGISTER
from there gets rate_limited at once, nothing counted, so a crowd of wrong
logins cannot keep the teacher out, nor one student's logins the class.

The three carry secrets, so over a plain connection from another computer
they get `tls_required` first (unless --allow-plain-passwords).  Hashing
(scrypt, about 0.1 s to 0.7 s and 128 MiB each, at most two at once) runs as
OffLock work with the registry lock released; what it decided is applied
once the lock is held again, after checking nothing changed meanwhile.  A
login to a nickname without an account spends the same on a dummy hash,
so a wrong nickname and a wrong password take alike.  No password reaches
a log line or another connection: errors never repeat what was typed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from chat_server.farewells import replaced_bye, where_else
from chat_server.handlers.base import CommandModule, CommandResult, Delivery, OffLock, after_saving
from chat_server.handlers.ignoring import keep_learned
from chat_server.handlers.membership import joined_deliveries, leave_deliveries
from chat_server.identity.hash_turns import PASSWORD_TURNS
from chat_server.identity.login_throttle import MAX_FAILURES, LoginAttempt
from chat_server.identity.owners import account_owner
from chat_server.identity.passwords import (
    hash_password,
    needs_rehash,
    normalise_password,
    verify_dummy,
    verify_password,
)
from chat_server.identity.roles import identity_fields, role_notice
from chat_server.identity.service import CODE_GUESSES_KEY, NEW_ACCOUNTS_PER_ADDRESS
from chat_server.identity.spray_watch import WINDOW_SECONDS as SPRAY_WINDOW_SECONDS
from chat_server.identity.teacher_copies import check_account_usable, check_may_register
from chat_server.identity.weak_passwords import check_not_weak
from chat_server.plain_secrets import THIS_COMPUTER
from chat_server.rename_budget import check_rename
from chat_server.resume_tokens import new_token, token_digest
from chat_server.session import Session
from chat_server.storage import Account
from shared.errors import ErrorCode, ProtocolError
from shared.frames import Frame, server_frame
from shared.names import name_key, normalise_nick

# Ordinary password checks that may wait for their turn at once (about 3 s of hashing on two slow cores); past
# it a LOGIN or REGISTER from a computer unknown to the account is refused at once with rate_limited.
MAX_WAITING_HASHES = 16
MAX_WAITING_PER_ADDRESS = 2  # one computer's checks waiting at once: it cannot fill the queue for the class


@dataclass(frozen=True)
class _Verdict:
    """What the slow part of LOGIN found out."""

    right: bool
    new_hash: str | None  # the password again at today's parameters, when the stored hash is older


class AccountCommands(CommandModule):
    # -- PASS --
    def handle_pass(self, session: Session, argument: str) -> list[Delivery]:
        identity = self.identity
        identity.require_safe_channel(session, "The join code")
        if not argument:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Type the join code the teacher shows: /pass CODE.")
        if identity.join_code is None:
            session.passed_code = True
            return [([session], _code_accepted("This server needs no join code; choose a nickname: /nick NAME."))]
        attempt = identity.code_throttle.try_begin(f"code\n{session.computer}", session.computer)
        if attempt is None:
            wait = identity.code_throttle.retry_after(f"code\n{session.computer}", session.computer)
            raise _rate_limited(
                f"Too many wrong join codes from your address; try again in {max(1, math.ceil(wait))} s.", wait
            )
        # Counted server-wide on the throttle's address side: a right code takes back only its own try.
        # Not for the server's own computer, nor one that gave the right code before (a window reconnecting
        # after its network dropped): ten student computers guessing kept the teacher and the class out.
        everyone = None
        if not identity.knows_code(session.host):
            everyone = identity.code_guesses.try_begin(f"code\n{session.host}", CODE_GUESSES_KEY)
            if everyone is None:
                identity.code_throttle.succeeded(attempt)  # not checked, so not this address's failure
                wait = identity.code_guesses.retry_after(f"code\n{session.host}", CODE_GUESSES_KEY)
                raise _rate_limited(
                    f"Too many wrong join codes were tried on this server; try again in {max(1, math.ceil(wait))} s.",
                    wait,
                )
        if not identity.code_matches(argument):
            raise ProtocolError(ErrorCode.BAD_CODE, "That is not the join code; check it on the teacher's screen.")
        identity.code_throttle.succeeded(attempt)
        if everyone is not None:
            identity.code_guesses.succeeded(everyone)
        identity.code_passed(session.host)
        session.passed_code = True
        session.entered_code = identity.entered_form()
        return [([session], _code_accepted("Join code accepted; now choose a nickname: /nick NAME."))]

    # -- REGISTER --
    def handle_register(self, session: Session, argument: str) -> CommandResult:
        identity = self.identity
        identity.require_safe_channel(session, "A password")
        identity.require_accounts()
        nick, key = session.nick or "", session.key or ""
        account = identity.account_of(nick)
        if account is not None and not identity.logged_in_to(session, account.key):
            raise ProtocolError(ErrorCode.NICK_REGISTERED, f"{nick} is already registered.")
        password = normalise_password(argument)
        check_not_weak(password, nick)
        if account is None or account.role != "teacher":
            check_may_register(self.storage, nick)  # "MrBell" beside the teacher Mr_Bell (teacher_copies.py)
        _refuse_while_busy(session.computer)  # before the day's allowance: a REGISTER turned away unchecked uses none
        counted = account is None and session.host not in THIS_COMPUTER
        if counted:
            wait = identity.new_accounts.acquire(session.computer)
            if wait:
                raise _rate_limited(
                    f"Your computer registered {NEW_ACCOUNTS_PER_ADDRESS} names today; one person needs one. "
                    f"Try again in {max(1, math.ceil(wait / 3600))} h, or ask the teacher.",
                    wait,
                    checked=None,
                )
        attempt = identity.register_throttle.try_begin(key, session.computer)  # every try counts: each costs a hash
        if attempt is None:
            if counted:
                identity.new_accounts.give_back(session.computer)  # nothing was made
            wait = identity.register_throttle.retry_after(key, session.computer)
            raise _rate_limited(
                f"Too many registrations from your address; try again in {max(1, math.ceil(wait))} s.", wait
            )

        host = session.computer

        def then(password_hash: str) -> CommandResult:
            try:
                return self._registered(session, nick, key, password_hash)
            except ProtocolError:
                if counted:
                    identity.new_accounts.give_back(host)  # refused after the hash: no account was made
                raise

        return OffLock(lambda: hash_password(password, who=host), then)

    def _registered(self, session: Session, nick: str, key: str, password_hash: str) -> CommandResult:
        if session.closing:  # kicked or banned while the password was hashed
            return []
        if session.key != key:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Your nickname changed meanwhile; register again.")
        accounts = self.storage.accounts
        existing = accounts.get(key)
        if existing is not None and not self.identity.logged_in_to(session, existing.key):
            raise ProtocolError(ErrorCode.NICK_REGISTERED, f"{nick} was registered by someone else meanwhile.")
        if existing is None or existing.role != "teacher":
            check_may_register(self.storage, nick)  # the admin may have made the teacher's account meanwhile
        role = existing.role if existing is not None else "student"
        created = existing.created_ms if existing is not None else int(time.time() * 1000)
        account = Account(session.nick or nick, password_hash, role, created)
        accounts.put(account)
        if existing is None:
            self.registry.nick_index.add(session.nick or nick)
            if session.host not in THIS_COMPUTER:
                self.identity.account_made(session.computer)  # the day's count of new accounts outlives a restart
        session.account, session.role = key, role
        session.account_owner = account_owner(account)  # what it sends from now on is the account's
        self.registry.ignores.learn(session)  # ignored as a guest: ignored as the account too (chat_server/ignoring.py)
        keep_learned(self.registry.ignores, self.storage.accounts, session)  # and kept across a restart
        self.registry.parked.forget(key)
        self.registry.emit("client_nick", session=session, old=session.nick)
        if existing is not None:
            text = f"Your password for {session.nick} is changed."
        else:
            text = f"{session.nick} is registered to you. Next time: /login {session.nick} PASSWORD."
        # The answer promises the account is kept: it goes once the row is on disk (a crash right after
        # the answer lost the account once in nine tries, and another computer then took the name).
        what = "Your new password" if existing is not None else f"The account {session.nick}"
        return after_saving(
            self.storage, [([session], self._nick_frame(session, text, registered=True))], asker=session, what=what
        )

    # -- LOGIN --
    def _teacher_past_class_mute(self, session: Session, nick: str) -> bool:
        """A teacher's account may be logged in to on a connection muted only with the class (MUTE *).

        A second teacher came in as a guest during a test and could not log in ("you are muted"); the
        password proves who they are.  Any other account stays refused: its name would reach the room.
        """
        if not self.moderator.muted_with_class(session) or self.moderator.muted_alone(session):
            return False
        account = self.identity.account_of(nick)
        return account is not None and account.role == "teacher"

    def handle_login(self, session: Session, argument: str) -> CommandResult:
        identity = self.identity
        identity.require_safe_channel(session, "A password")
        identity.require_accounts(change=False)
        identity.require_code(session)
        words = argument.split(None, 1)
        if len(words) != 2:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Say who and the password: /login NAME PASSWORD.")
        nick = normalise_nick(words[0])
        key = name_key(nick)
        password = normalise_password(words[1])
        if session.muted and session.key != key and not self._teacher_past_class_mute(session, nick):
            raise ProtocolError(ErrorCode.MUTED, "You are muted, so you cannot change your nickname until unmuted.")
        banned = self.moderator.refuse_if_banned(session, key)
        if banned is not None:
            return banned
        # The first lane at the hash is the teacher's: the server's computer, or a teacher's account from a
        # computer that logged in to it before. A student's own accounts wait with everyone else.
        account = identity.account_of(nick)
        if _is_rename(session, key, account):
            check_rename(session, pay=False)  # switching accounts dodged a typed /kick as renames did
        first = session.host in THIS_COMPUTER or (
            account is not None and account.role == "teacher" and identity.login_throttle.knows(key, session.computer)
        )
        if not first:
            _refuse_while_busy(session.computer)
        attempt = identity.login_throttle.try_begin(key, session.computer)
        if attempt is None:
            wait = identity.login_throttle.retry_after(key, session.computer)
            # A class behind one address (a school's NAT) shares its count: say whose failures these were.
            whose = (
                " from your address (shared by everyone on your network)"
                if (identity.login_throttle.held_by_address(session.computer))
                else ""
            )
            raise _rate_limited(
                f"Too many failed logins{whose}; try again in {max(1, math.ceil(wait))} s. Nothing was checked.", wait
            )
        stored = account.password_hash if account is not None else None
        if attempt.alarm and account is not None:
            self.alerts.add(
                f"{MAX_FAILURES} tries at the password of the account {account.nick} within a minute, the latest "
                f"from {session.address_text}: someone may be guessing it. Logins to it from computers that have "
                "not logged in to it are held for a minute."
            )

        host = session.computer

        def work() -> _Verdict:
            if stored is None:
                return _Verdict(verify_dummy(password, first=first, who=host), None)  # as slow as a real check
            if not verify_password(password, stored, first=first, who=host):
                return _Verdict(False, None)
            return _Verdict(True, hash_password(password) if needs_rehash(stored) else None)

        def then(verdict: _Verdict) -> list[Delivery]:
            return self._logged_in(session, key, stored, verdict, attempt)

        return OffLock(work, then)

    def _logged_in(
        self, session: Session, key: str, checked: str | None, verdict: _Verdict, attempt: LoginAttempt
    ) -> list[Delivery]:
        if session.closing:  # kicked, banned or taken over while the password was checked
            return []
        accounts = self.storage.accounts
        account = accounts.get(key)
        if not verdict.right or account is None or account.password_hash != checked:
            if account is not None and not verdict.right:
                self._watch_for_spraying(session, account)
            raise ProtocolError(ErrorCode.BAD_LOGIN, "Wrong nickname or password. Check both and try again.")
        self.identity.login_throttle.succeeded(attempt)
        check_account_usable(self.storage, account)  # "MrBell", registered before the teacher Mr_Bell's account
        # A teacher may have banned the name (or its computer) while the password was checked.
        banned = self.moderator.refuse_if_banned(session, key)
        if banned is not None:
            return banned
        if _is_rename(session, key, account):
            check_rename(session)  # chat_server/rename_budget.py
        if session.host not in THIS_COMPUTER:  # kept for the throttle after a restart (written behind, no I/O)
            accounts.logged_in_from(key, session.computer, int(time.time() * 1000))
        # A dropped connection of the account is not hers to come back to once she logged in afresh: its token
        # (left in a lab computer's window) made a student the teacher after she quit (found by a probe).
        now = time.monotonic()
        dropped = self.registry.parked.peek(key)
        if (
            dropped is not None and dropped.account == key
        ):  # its RESUME (a laptop waking up) is told the account is in use elsewhere
            self.registry.superseded.note(key, dropped.digest, session.host, now)
        self.registry.parked.forget(key)
        if verdict.new_hash is not None:
            account = Account(account.nick, verdict.new_hash, account.role, account.created_ms)
            accounts.put(account)
        was_teacher = session.role != "student"
        old = session.nick
        deliveries: list[Delivery] = []
        room = None
        holder = self.registry.by_nick.get(key)
        if holder is not None and holder is not session:
            # The name's owner on another connection (another computer, a window that lost its network),
            # or someone who kept it from before it was registered: that connection is closed.
            if holder.token is not None and holder.account == key:  # a connection whose drop it has not noticed
                self.registry.superseded.note(key, token_digest(holder.token), session.host, now)
            holder.end("logged in from another connection")
            deliveries.append(([holder], replaced_bye(account.nick, where_else(holder.host, session.host))))
            self.hang_ups.add(holder)
            if old is None:  # a new connection takes the old one's place, as RESUME does: its room hears nothing
                room = self.registry.hand_over(holder, session)
            else:
                deliveries += leave_deliveries(self.registry, holder, "logged in elsewhere")
                self.registry.release_nick(holder)
        if session.key != key:
            self.registry.set_nick(session, account.nick)
        session.account, session.role = key, account.role
        session.account_owner = account_owner(account)
        self.registry.ignores.learn(session)
        keep_learned(self.registry.ignores, self.storage.accounts, session)
        self.nick_rules.after_rename(session)
        if old is None:
            session.token = new_token()
            session.passed_code = True
        self.registry.emit("client_nick", session=session, old=old)
        text = f"You are logged in as {session.nick}" + (f", a {account.role}." if account.role != "student" else ".")
        renamed = old if old is not None and name_key(old) != key else None
        deliveries.append(([session], self._nick_frame(session, text, old=renamed)))
        if old is None:
            deliveries += self.rooms_push.first_push(session)
            if room is not None:
                deliveries += joined_deliveries(self.registry, session, room)
        elif session.room is not None:
            if renamed is not None:
                notice = server_frame(
                    "system",
                    f"{renamed} is now {session.nick}",
                    event="nick",
                    room=session.room.name,
                    user=session.nick,
                    old=renamed,
                )
                deliveries.append((self.others(session.room, session), notice))
            if was_teacher != (session.role != "student"):
                deliveries += role_notice(session)
        files = self.services.files
        if files is not None:  # hand-ins sent while nobody was logged in to the account (docs/files.md)
            deliveries += [([session], frame) for frame in files.waiting_frames(session)]
        return deliveries

    def _watch_for_spraying(self, session: Session, account: Account) -> None:
        """A wrong password for an account: the admin is warned when this address has tried several (spray_watch.py)."""
        tried = self.identity.spray_watch.failed(session.computer, account.nick, time.monotonic())
        if tried is not None:
            self.alerts.add(
                f"Wrong passwords for {len(tried)} different accounts ({', '.join(tried)}) from "
                f"{session.address_text} within {SPRAY_WINDOW_SECONDS / 60:g} minutes: someone there may be trying "
                "one common password on many accounts. Ban the address if it is not a mistake; if a whole class "
                "shares it (a school's NAT), these may be typing mistakes and a ban shuts the class out."
            )

    def _nick_frame(self, session: Session, text: str, old: str | None = None, registered: bool = False) -> Frame:
        fields = identity_fields(session)
        if old is not None:
            fields["old"] = old
        if registered:
            fields["registered"] = True
        return server_frame("nick", text, nick=session.nick, token=session.token, **fields)


def _code_accepted(text: str) -> Frame:
    return server_frame("system", text, event="code_accepted")


def _is_rename(session: Session, key: str, account: Account | None) -> bool:
    """LOGIN that gives a named connection another name, to a student's account (or to none: it fails anyway)."""
    return session.nick is not None and session.key != key and (account is None or account.role == "student")


def _refuse_while_busy(host: str) -> None:
    """rate_limited, nothing counted, when MAX_WAITING_HASHES checks wait already, or MAX_WAITING_PER_ADDRESS of
    this address's (the teacher's first lane never gets it)."""
    if PASSWORD_TURNS.waiting() >= MAX_WAITING_HASHES or PASSWORD_TURNS.waiting_from(host) >= MAX_WAITING_PER_ADDRESS:
        raise _rate_limited(
            "The server is checking many passwords just now; try again in a few seconds. Nothing was checked."
        )


def _rate_limited(text: str, wait: float | None = None, *, checked: bool | None = False) -> ProtocolError:
    """`rate_limited` saying `text`, with `retry_after` (whole seconds) when the wait is known and
    `checked: false` when nothing was checked (asking again later may work): clients tell it from a
    wrong password without reading the words.  `checked=None` leaves the field out."""
    fields: dict[str, object] = {} if checked is None else {"checked": checked}
    if wait is not None:
        fields["retry_after"] = max(1, math.ceil(wait))
    return ProtocolError(ErrorCode.RATE_LIMITED, text, **fields)
