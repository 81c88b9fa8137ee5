"""Who may take a nickname, and what changes when a connection's name does (handler threads, registry lock held).

NICK goes through `check_nick` before the registry gives the name:

    join code passed?           else code_required
    one script?                 else bad_nick, naming the odd letters (shared/name_scripts.py)
    muted and renaming?         refused with muted: a mute must not be shed by a new name
    registered to an account?   only for a connection logged in to it, else nick_registered
    kept for the server/staff?  ("Server", "Teacher_", shared/reserved_names.py) bad_nick, unless an account
                                has it or the connection comes from the server's own computer
    held by someone else?       nick_taken
    kept for a dropped guest?   nick_taken while it may RESUME, unless asked from the same computer
                                (the name or a look-alike of it: chat_server/resume_tokens.py)
    looks like a name online or registered (shared/lookalike.py)?  nick_taken, naming it
    banned?                     `banned`, then bye: the connection ends

`after_rename` runs once the name changed (NICK, LOGIN, RESUME): a
connection that leaves its account's name is logged out of it (roles and
accounts always go with the name people see), the mute is read again for
the new name, and the address the name came from is remembered for a ban.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from chat_server.identity.service import IdentityService
from chat_server.identity.teacher_copies import teacher_passed_for
from chat_server.moderation import Moderator
from chat_server.plain_secrets import THIS_COMPUTER
from chat_server.registry import ChatRegistry
from chat_server.session import Session
from shared.errors import ErrorCode, ProtocolError
from shared.lookalike import looks_alike, nick_lookalike_error
from shared.name_scripts import check_single_script
from shared.names import name_key, normalise_nick
from shared.reserved_names import check_not_reserved

if TYPE_CHECKING:
    from chat_server.handlers.base import Delivery  # not at run time: the handlers import this module


class NickRules:
    def __init__(self, registry: ChatRegistry, identity: IdentityService, moderator: Moderator) -> None:
        self.registry = registry
        self.identity = identity
        self.moderator = moderator

    def check_nick(self, session: Session, nick: str) -> list[Delivery] | None:
        """Raise the refusal for taking `nick`; return `banned` + bye for a banned name; None when it may be taken."""
        self.identity.require_code(session)
        try:
            check_single_script(nick)
        except ProtocolError:
            # "pаypal" (Cyrillic а) beside "paypal": the contract's answer for a look-alike comes first,
            # nick_taken naming it (a probe); a mixed name like no other stays bad_nick.
            self.check_lookalike(session, nick)
            raise
        key = name_key(nick)
        if session.muted and key != session.key:
            raise ProtocolError(ErrorCode.MUTED, "You are muted, so you cannot change your nickname until unmuted.")
        account = self.identity.account_of(nick)
        if key != session.key and not (account is not None and self.identity.logged_in_to(session, account.key)):
            self._check_muted_computer(session, key)
        if account is not None and not self.identity.logged_in_to(session, account.key):
            raise ProtocolError(
                ErrorCode.NICK_REGISTERED,
                f"The nickname {account.nick} is registered. If it is yours: /login {account.nick} PASSWORD; "
                "otherwise choose another.",
            )
        # An account the admin made ("Teacher") may have one of these names, and so may whoever sits at the
        # server's own computer (the teacher who started it from the chat window or the admin window).
        if account is None and session.host not in THIS_COMPUTER:
            check_not_reserved(nick)
            self._check_not_a_teachers_copy(nick)
        holder = self.registry.by_nick.get(key)
        if holder is not None and holder is not session:
            raise ProtocolError(ErrorCode.NICK_TAKEN, f"The nickname {nick} is taken; pick another one.")
        self.check_lookalike(session, nick)
        if account is None:
            self._check_not_kept_for_a_dropped_guest(session, nick)
            self._check_not_like_a_banned_name(nick, key)
            self._check_not_like_a_kicked_name(session, nick, key)
        return self.moderator.refuse_if_banned(session, key)

    def _check_not_kept_for_a_dropped_guest(self, session: Session, nick: str) -> None:
        """nick_taken for a name (or a look-alike of one) whose owner dropped off and may still RESUME.

        The same computer may take it: most likely the owner, whose window
        started again without its token.
        """
        now = time.monotonic()
        kept = self.registry.parked.kept_for_another(nick, session.computer, now)
        if kept is None:
            return
        minutes = max(1, math.ceil((kept.expires - now) / 60))
        also = "" if name_key(kept.nick) == name_key(nick) else f" (it could pass for {kept.nick})"
        raise ProtocolError(
            ErrorCode.NICK_TAKEN,
            f"The nickname {nick} is kept for {kept.nick}, whose connection dropped{also}: they may come back within "
            f"{minutes} minute{'s' if minutes != 1 else ''}. Pick another one.",
        )

    def _check_not_like_a_banned_name(self, nick: str, key: str) -> None:
        """`bad_nick` for a guest name that could pass for a banned one (lock held; the bans are in memory).

        A banned student came back from another computer as `еѵе2` in
        Cyrillic: the class saw "eve2 joined", and the teacher's `/kick
        eve2` found nobody of that name (a probe). A look-alike of a name
        online or registered was refused already; a banned name is neither
        once its owner has gone.
        """
        for ban in self.moderator.active_bans():
            if ban.nick_key is not None and ban.nick_key != key and looks_alike(nick, ban.nick_key):
                raise ProtocolError(
                    ErrorCode.BAD_NICK, f"The nickname {nick} looks like a banned name; choose another."
                )

    def _check_not_like_a_kicked_name(self, session: Session, nick: str, key: str) -> None:
        """`rate_limited` for a guest name that could pass for one kicked from this computer a moment ago.

        The name itself waits (Moderator.refuse_if_banned, chat_server/kick_cooldown.py); the kicked
        "eve" came straight back from the same computer as `еѵе` in Cyrillic, and the class saw eve again.
        """
        for kicked, left in self.identity.kick_cooldown.waiting_on(session.computer):
            if kicked != key and looks_alike(nick, kicked):
                seconds = math.ceil(left)
                raise ProtocolError(
                    ErrorCode.RATE_LIMITED,
                    f"The nickname {nick} looks like a name the teacher removed from this computer a moment ago; "
                    f"it may be taken in {seconds} s, or choose another.",
                    retry_after=seconds,
                )

    def check_resumed_name(self, session: Session, nick: str, has_account: bool) -> None:
        """Raise the refusal for taking back a guest name dropped a while ago (RESUME of a parked session).

        A dropped name leaves the look-alike index, so what NICK would refuse
        now must be asked again: a look-alike taken meanwhile, a teacher's
        account made meanwhile that it could pass for, a mute put on its
        computer meanwhile under another name, a ban on a name it could pass
        for.  A name with its account
        needs none of these (the account keeps it, and was checked when made).
        """
        if has_account:
            return
        self._check_muted_computer(session, name_key(nick))
        if session.host not in THIS_COMPUTER:
            self._check_not_a_teachers_copy(nick)
        self.check_lookalike(session, nick)
        self._check_not_like_a_banned_name(nick, name_key(nick))

    def _check_not_a_teachers_copy(self, nick: str) -> None:
        """`bad_nick` for a guest name that could pass for a teacher's account ("Ms-Khan" beside "Ms_Khan")."""
        teacher = teacher_passed_for(self.identity.storage, nick)
        if teacher is not None:
            raise ProtocolError(
                ErrorCode.BAD_NICK, f"The nickname {nick} could pass for the teacher {teacher.nick}; choose another."
            )

    def _check_muted_computer(self, session: Session, key: str) -> None:
        """`muted` for a new name asked from a computer muted under another name (lock held).

        A name reaches every member's room list and join notices: a muted
        student opening new connections got `Khan_is_useless` and the like
        in front of the class (a probe).  The computer keeps the name it was
        muted under (a window that reconnects takes it again) and accounts
        logged in to.
        """
        mute = self.moderator.sanction_on("mute", None, session.computer)
        if mute is not None and mute.nick_key is not None and mute.nick_key != key:
            raise ProtocolError(
                ErrorCode.MUTED,
                f"Your computer is muted, so it can take no new nickname; come back {_as_name(mute.nick_key)}, "
                "or ask the teacher.",
            )
        refusal = self.moderator.class_name_refusal(session, key)  # the same while the whole class is muted
        if refusal is not None:
            raise ProtocolError(ErrorCode.MUTED, refusal)

    def check_lookalike(self, session: Session, nick: str) -> None:
        """nick_taken when `nick` could pass for a name online or registered (other than the session's own)."""
        own = [name for name in (session.nick, session.account) if name]
        existing = self.registry.nick_index.find(nick, ignore=own)
        if existing is not None:
            raise nick_lookalike_error(nick, existing)

    def after_rename(self, session: Session) -> bool:
        """Bookkeeping once `session` has its new name; True when that logged it out of its account."""
        logged_out = session.account is not None and session.account != session.key
        if logged_out:
            session.account = None
            session.role = "student"
        session.muted = self.moderator.is_muted(session)
        self.moderator.note_class_name(session)
        self.identity.remember_address(session)
        return logged_out


def _as_name(nick_key: str) -> str:
    """ "as NAME" for a name key someone can type back; the key of "İpek" is "i̇pek", which is no nickname."""
    try:
        return f"as {normalise_nick(nick_key)}"
    except ProtocolError:
        return "under the name it was muted under"
