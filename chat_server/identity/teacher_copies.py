"""Names that could pass for a teacher's account, whoever took them first (handler and admin threads, registry lock held).

A guest may not take a near copy of a teacher's name ("MrBell", "Mr-Bell",
"Mr_BeII" beside the teacher Mr_Bell: shared/reserved_names.py
`passes_for_staff`; chat_server/identity/nick_rules.py).  That held only
for whoever came second: a student who registered `MrBell` before the
admin made the teacher's account (or before the admin made an existing
account a teacher), or who sat online under it and registered afterwards,
kept it, logged in under it and wrote as near-teacher (found by a probe).
So the rule is asked of accounts too:

    REGISTER            the name may not pass for a teacher's account (other than its own)
    LOGIN, RESUME       an account whose name passes for another account that is a teacher's can no
                        longer be used (`bad_nick`, naming the teacher); a teacher's account is never
                        refused, since the admin made it one on purpose

and when an account becomes a teacher's (the admin window, `/account NAME
PASSWORD teacher`, `/teacher NAME`), `send_away_copies` finds the other
accounts and the people online whose names could pass for it: the admin's
answer names them all, and each one online that the rules would now
refuse gets `bye` (reason `name`) and is disconnected.  Their window comes
back, its RESUME fails (the token is not kept) and its name is refused with
the reason, so the student chooses a name of their own.  We do not rename
them: a name the server picks for someone ("Guest_7") can itself offend or
clash, and a student logged in to such an account would be logged out of
it silently anyway.  Guests at the server's own computer keep their name,
as with NICK (it is the teacher's).

Everything here reads the storage's in-memory tables and the registry:
no I/O, no lock of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chat_server.farewells import bye
from chat_server.plain_secrets import THIS_COMPUTER
from chat_server.registry import ChatRegistry
from chat_server.session import Session
from chat_server.storage import Account, Storage
from shared.errors import ErrorCode, ProtocolError
from shared.names import name_key
from shared.reserved_names import passes_for_staff


def teacher_passed_for(storage: Storage, nick: str) -> Account | None:
    """The teacher's account (not of `nick` itself) that `nick` could pass for, or None."""
    key = name_key(nick)
    for account in storage.accounts.list_all():
        if account.role == "teacher" and account.key != key and passes_for_staff(nick, account.nick):
            return account
    return None


def check_account_usable(storage: Storage, account: Account) -> None:
    """`bad_nick` for a student's account whose name could pass for a teacher's (LOGIN, RESUME)."""
    if account.role == "teacher":
        return
    teacher = teacher_passed_for(storage, account.nick)
    if teacher is not None:
        raise ProtocolError(
            ErrorCode.BAD_NICK,
            f"The account {account.nick} could pass for the teacher {teacher.nick}, so it can no longer be used. "
            "Choose another nickname (and register that), or ask the teacher.",
        )


def check_may_register(storage: Storage, nick: str) -> None:
    """`bad_nick` for registering a name that could pass for a teacher's account made meanwhile."""
    teacher = teacher_passed_for(storage, nick)
    if teacher is not None:
        raise ProtocolError(
            ErrorCode.BAD_NICK,
            f"The nickname {nick} could pass for the teacher {teacher.nick}, so it cannot be registered; "
            "choose another nickname first.",
        )


@dataclass
class TeacherCopies:
    """What `send_away_copies` found: for the admin's answer, and the connections to hang up after the lock."""

    teacher: str
    accounts: list[str] = field(default_factory=list)  # other accounts whose names could pass for the teacher's
    online: list[str] = field(default_factory=list)  # "NAME (ADDRESS)" of people online under such names
    ended: list[Session] = field(default_factory=list)  # their bye is queued: hang up once the lock is released

    def describe(self) -> str:
        """One sentence for the admin, "" when nobody's name could pass for the teacher's."""
        parts = []
        if self.accounts:
            parts.append(
                f"These accounts could pass for {self.teacher} and can no longer be used: {', '.join(self.accounts)} "
                "(/unregister them if nobody needs them)."
            )
        if self.online:
            sent = f"; {len(self.ended)} disconnected, to come back under another name" if self.ended else ""
            parts.append(f"Online under a name that could pass for {self.teacher}: {', '.join(self.online)}{sent}.")
        return " ".join(parts)


def send_away_copies(registry: ChatRegistry, storage: Storage, teacher: Account) -> TeacherCopies:
    """The accounts and people online whose names could pass for `teacher`'s; those online sent away (lock held)."""
    found = TeacherCopies(teacher.nick)
    for account in storage.accounts.list_all():
        if account.key != teacher.key and passes_for_staff(account.nick, teacher.nick):
            found.accounts.append(account.nick + (" (a teacher too)" if account.role == "teacher" else ""))
    for session in list(registry.sessions):
        nick = session.nick
        if not nick or session.key == teacher.key or session.closing or not passes_for_staff(nick, teacher.nick):
            continue
        found.online.append(f"{nick} ({session.address_text})")
        if session.role == "teacher" or (session.account is None and session.host in THIS_COMPUTER):
            continue  # another teacher's account, or a guest at the server's own computer (the teacher's)
        farewell = bye(
            f"Your nickname {nick} could pass for the teacher {teacher.nick}; come back under another name.", "name"
        )
        session.end(f"its name could pass for the teacher {teacher.nick}")
        registry.deliver([session], farewell)
        found.ended.append(session)
    return found
