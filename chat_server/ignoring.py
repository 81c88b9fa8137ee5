"""Who has ignored whom: private messages, private files and typing from an ignored person stop (handler threads, registry lock held; no I/O).

A student picked on by a classmate types `/ignore bob`.  From then on the
server refuses bob's private messages and private files to her (bob gets
`error` `ignored`: the contract says a message that got an id reaches its
recipient, so a refused one gets no id rather than vanishing), and her
window and chat-term no longer show bob typing.  Room messages still
reach her (the room sees one conversation, and the teacher must be able to
read what was said in it).

It goes by person, not by nickname (chat_server/identity/owners.py):

- who is ignored: every owner bob's connection had when she ignored him,
  so his renames, his RESUMEs and, with an account, every later login
  (on any computer) stay ignored.  A guest who quits and comes back under
  a new NICK is a new person to the server and is not ignored: only an
  account makes it stick (docs/client.md says so);
- who ignores: the list belongs to her owner (her account while logged in,
  else her guest session), so it follows her RESUMEs and, with an account,
  her later logins while the server runs.
- a REGISTER or LOGIN ties the two (`learn`): a guest ignored before he
  registers stays ignored at his account's later logins, and a list made
  as a guest follows her account.  Between two accounts (her list, him
  in it) it is kept in the data folder (storage `ignores`, schema 8) and
  outlives a restart; a guest's list, or a guest in one, is memory only.

The teacher learns of it from the log (the admin window's Log): the first
IGNORE of a person by another, and an ignored person's refused tries (the
first, then at most one line every 10 minutes with the count).

A teacher cannot be ignored, and a student ignored before she became a
teacher (or who logs in to a teacher's account) is heard again: nothing
here may hide the teacher.  The server's own notices are not from a
person and are never touched.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from chat_server.identity.owners import ACCOUNT_PREFIX
from chat_server.session import Session
from shared.names import name_key

MAX_IGNORED = 100  # people one person may ignore: a class's worth, several times over
MAX_LISTS = 10_000  # people with a list, least lately changed forgotten first (memory stays bounded)
REFUSALS_LOGGED_EVERY = 600.0  # seconds: one log line per pair at most this often, with the tries since the last


@dataclass
class Ignored:
    name: str  # the nickname when ignored, as the list shows it
    owners: tuple[str, ...]  # the person's owners then: any of them still matches


class IgnoreBook:
    def __init__(self, max_ignored: int = MAX_IGNORED, max_lists: int = MAX_LISTS) -> None:
        self._lists: OrderedDict[str, list[Ignored]] = OrderedDict()  # ignorer's owner -> the people ignored
        self._max_ignored = max_ignored
        self._max_lists = max_lists
        self._told: OrderedDict[tuple[str, str], None] = OrderedDict()  # (ignorer's owner, name key) logged once
        # (recipient's owner, sender's owner) -> (monotonic time of the last log line, tries refused since it)
        self._refusals: OrderedDict[tuple[str, str], tuple[float, int]] = OrderedDict()

    def load(self, kept: list[tuple[str, str, str]]) -> None:
        """The lists kept in the data folder (account to account; storage/accounts.py), at the server's start."""
        for ignorer, ignored, name in kept:
            entries = self._lists.setdefault(ignorer, [])
            if len(entries) < self._max_ignored:
                entries.append(Ignored(name, (ignored,)))
        while len(self._lists) > self._max_lists:
            self._lists.popitem(last=False)

    def kept_pairs(self, session: Session) -> list[tuple[str, str, str]]:
        """(her account owner, his account owner, name) for each entry of `session`'s list that a restart keeps:
        both are accounts.  A guest is a new person at every start, so a guest's list stays in memory."""
        if session.account_owner is None or session.owner != session.account_owner:
            return []
        return [
            (session.owner, owner, entry.name)
            for entry in self._list_of(session)
            for owner in entry.owners
            if owner.startswith(ACCOUNT_PREFIX)
        ]

    def kept_pairs_of_others(self, ignored_owner: str) -> list[tuple[str, str, str]]:
        """Every kept pair in which `ignored_owner` (an account just tied to a guest session by `learn`) is ignored."""
        return [
            (ignorer, ignored_owner, entry.name)
            for ignorer, entries in self._lists.items()
            if ignorer.startswith(ACCOUNT_PREFIX)
            for entry in entries
            if ignored_owner in entry.owners
        ]

    def refused(self, recipient: Session, sender: Session, now: float) -> int:
        """A private message or file refused: the tries to log now (the first, then at most every 10 minutes), else 0.

        An ignored student who keeps coming back is the teacher's business: the log says so, without one line a try."""
        pair = (recipient.owner, sender.owner)
        last, count = self._refusals.pop(pair, (None, 0))
        count += 1
        due = last is None or now - last >= REFUSALS_LOGGED_EVERY
        self._refusals[pair] = (now, 0) if due else (last or now, count)
        while len(self._refusals) > self._max_lists:
            self._refusals.popitem(last=False)
        return count if due else 0

    def first_time(self, session: Session, name: str) -> bool:
        """Whether the admin has not yet been told that this person ignores `name` (IGNORE, UNIGNORE, IGNORE in a
        loop must not fill the log)."""
        told = (session.owner, name_key(name))
        if told in self._told:
            return False
        self._told[told] = None
        while len(self._told) > self._max_lists:
            self._told.popitem(last=False)
        return True

    def _list_of(self, session: Session) -> list[Ignored]:
        found: list[Ignored] = []
        for owner in session.owners:
            found += self._lists.get(owner, [])
        return found

    def entries(self, session: Session) -> list[Ignored]:
        return self._list_of(session)

    def find(self, session: Session, other: Session | None, name_key_typed: str) -> Ignored | None:
        """The entry of `session`'s list for `other` (by owner) or, failing that, for the name typed (by name key)."""
        for entry in self._list_of(session):
            if other is not None and any(owner in entry.owners for owner in other.owners):
                return entry
        for entry in self._list_of(session):
            if name_key(entry.name) == name_key_typed:
                return entry
        return None

    def add(self, session: Session, name: str, owners: tuple[str, ...]) -> bool:
        """Ignore a person; False when the list is full."""
        if len(self._list_of(session)) >= self._max_ignored:
            return False
        owner = session.owner
        entries = self._lists.pop(owner, [])
        entries.append(Ignored(name, owners))
        self._lists[owner] = entries
        while len(self._lists) > self._max_lists:
            self._lists.popitem(last=False)
        return True

    def remove(self, session: Session, entry: Ignored) -> None:
        for owner in session.owners:
            entries = self._lists.get(owner)
            if entries is not None and entry in entries:
                entries.remove(entry)
                if not entries:
                    del self._lists[owner]

    def learn(self, session: Session) -> None:
        """`session` has just registered or logged in: its account is the same person as its guest session, both as
        someone ignored (a guest who registers stays ignored at his account's later logins) and as someone who
        ignores (her list follows her account's later logins)."""
        account, guest = session.account_owner, session.guest_owner
        if account is None or not self._lists:
            return
        for entries in self._lists.values():
            for entry in entries:
                if guest in entry.owners and account not in entry.owners:
                    entry.owners = (*entry.owners, account)
        moved = self._lists.pop(guest, None)
        if moved:
            self._lists[account] = self._lists.pop(account, []) + moved

    def blocks(self, recipient: Session, sender: Session) -> bool:
        """Whether `recipient` has ignored `sender` (a teacher is never ignored)."""
        if sender.role == "teacher" or not self._lists:
            return False
        owners = sender.owners
        return any(owner in entry.owners for entry in self._list_of(recipient) for owner in owners)
