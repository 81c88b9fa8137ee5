"""IGNORE and UNIGNORE: one person stops another's private messages, private files and typing (handler threads, registry lock held).

    IGNORE NICK     ignore the person who holds NICK now (or the account NICK, when nobody is logged in to it)
    IGNORE          the list, as it stands
    UNIGNORE NICK   hear them again (NICK: their name now, or the one the list shows)

Each answer is a `system` frame, event `ignoring`, with `users`: the names
the list shows (each as it was when ignored).  Who is ignored, and what it
stops, is chat_server/ignoring.py.  A teacher cannot be ignored
(`not_allowed`), nor oneself (`bad_argument`).  The first IGNORE of one
person by another is a warning in the server's log (the admin window's
Log): a student who ignores a classmate is a student the teacher may want
to ask about.  Only the first: IGNORE and UNIGNORE in a loop would fill it.
"""

from __future__ import annotations

from chat_server.handlers.base import CommandModule, Delivery
from chat_server.identity.owners import account_owner
from chat_server.ignoring import MAX_IGNORED, IgnoreBook
from chat_server.session import Session
from chat_server.storage.interfaces import AccountStore
from shared.errors import ErrorCode, ProtocolError
from shared.frames import server_frame
from shared.names import name_key, one_line


class IgnoreCommands(CommandModule):
    def handle_ignore(self, session: Session, argument: str) -> list[Delivery]:
        book = self.registry.ignores
        if not argument:
            return self._answer(session, "")
        typed = one_line(argument.split()[0], 40)
        other = self.registry.find_nick(typed)
        if other is session:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "You cannot ignore yourself.")
        if other is not None and other.nick:
            name, owners, role = other.nick, other.owners, other.role
        else:
            account = self.storage.accounts.get(typed)
            if account is None:
                raise ProtocolError(ErrorCode.NO_SUCH_USER, f"Nobody called {typed} is online; /list shows who is.")
            name, owners, role = account.nick, (account_owner(account),), account.role
            if session.owns(owners[0]):
                raise ProtocolError(ErrorCode.BAD_ARGUMENT, "You cannot ignore yourself.")
        if role == "teacher":
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED, f"{name} is a teacher: a teacher cannot be ignored. Tell them what is wrong."
            )
        if book.find(session, other, name_key(name)) is not None:
            return self._answer(session, f"You already ignore {name}.")
        if not book.add(session, name, owners):
            raise ProtocolError(
                ErrorCode.BAD_ARGUMENT, f"You ignore {MAX_IGNORED} people already; /unignore someone first."
            )
        for ignorer, ignored, shown in book.kept_pairs(session):  # account to account: kept across a restart
            self.storage.accounts.keep_ignore(ignorer, ignored, shown)
        if book.first_time(session, name):  # once per pair: IGNORE and UNIGNORE in a loop must not fill the log
            self.alerts.add(
                f"{session.nick} ignores {name} (their private messages, files and typing no longer reach them)"
            )
        return self._answer(
            session,
            f"You ignore {name}: their private messages, files and typing no longer reach you, whatever name they "
            "take. Their room messages still reach the room and everyone in it. /unignore " + name + " to undo.",
        )

    def handle_unignore(self, session: Session, argument: str) -> list[Delivery]:
        if not argument:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, "Usage: /unignore NICK (/ignore alone lists whom you ignore).")
        typed = one_line(argument.split()[0], 40)
        book = self.registry.ignores
        entry = book.find(session, self.registry.find_nick(typed), name_key(typed))
        if entry is None:
            raise ProtocolError(ErrorCode.NO_SUCH_USER, f"You do not ignore {typed}; /ignore lists whom you do.")
        kept = book.kept_pairs(session)
        book.remove(session, entry)
        for ignorer, ignored, _shown in set(kept) - set(book.kept_pairs(session)):
            self.storage.accounts.forget_ignore(ignorer, ignored)  # written behind: no I/O under the lock
        return self._answer(session, f"You no longer ignore {entry.name}.")

    def _answer(self, session: Session, said: str) -> list[Delivery]:
        names = [entry.name for entry in self.registry.ignores.entries(session)]
        listed = "You ignore: " + ", ".join(names) + "." if names else "You ignore nobody."
        text = f"{said} {listed}" if said else listed
        return [([session], server_frame("system", text, event="ignoring", users=names))]


def keep_learned(book: IgnoreBook, accounts: AccountStore, session: Session) -> None:
    """After REGISTER or LOGIN tied `session`'s guest to its account (IgnoreBook.learn): keep what became account to
    account, her list and the lists that name him (written behind, as every small table is)."""
    if session.account_owner is None:
        return
    for ignorer, ignored, shown in book.kept_pairs(session) + book.kept_pairs_of_others(session.account_owner):
        accounts.keep_ignore(ignorer, ignored, shown)
