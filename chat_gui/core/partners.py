"""The people of a client's private conversations, and whether a line typed to one of them may go out (scheduler thread; pure).

A private conversation is with a person, but the server knows people only
by nickname, and a nickname can change hands: bob renames to bob2 and
mallory takes "bob", or bob leaves and someone else logs in as bob.  A
line typed in bob's conversation must never reach the room, and should
not reach whoever holds "bob" now.  So each partner is `here` or not:

- bob renames (seen in a room we share): not here; the conversation
  follows the chain of names he takes, and he is here again when he
  takes "bob" back;
- someone else renames to "bob": bob's conversation says so and stays shut;
- bob leaves the server: not here, until someone named bob joins our
  room again or writes to us (the server cannot tell us more), or the
  user opens the conversation again on purpose (/pm bob, a double-click);
- this client's own connection is lost (a drop, a server restart): every
  open conversation is shut as if its partner had left, since whatever
  happened meanwhile went unheard; someone named bob seen again (in our
  room, or writing to us) opens it with a warning that it may be someone
  else, as after a leave.
- while shut after a rename away or a name taken, a message from whoever
  holds "bob" now is shown with a warning and leaves the conversation shut:
  only the user opens it for the new holder.

Every reopening that is not the user's own choice says "Someone named
bob ...": the server cannot tell us it is the same person.  A partner's own
RESUME after a short drop is no trouble: the room hears neither a leave
nor a join, so nothing here changes.  Renames and leaves in rooms we are
not in are not sent to us; without accounts that gap cannot be closed on
the client.

At most `limit` people are remembered: past it, the one heard of least
lately whose conversation has no tab open (`keep`, the window's question)
is forgotten.  Before, everyone who ever wrote to us stayed for good (a
probe: one entry per distinct name that sent a private message, and every
rename anywhere we could see went through all of them).  A forgotten
person's conversation opens again as a new one, as after the user's own
choice; only its tab's warnings about a name that changed hands are lost,
and it has no tab.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from chat_gui.core.events import State
from shared.frame_types import ServerFrame
from shared.names import name_key


@dataclass
class Partner:
    nick: str  # the name the conversation shows and sends to
    here: bool = True
    moved_to: str = ""  # after a rename away: the name the person has now
    taken: bool = False  # someone else took the name while the conversation's person had it (or we thought so)
    warned: bool = False  # a message from the name's new holder was shown with a warning since it shut


@dataclass(frozen=True)
class PartnerNotice:
    """Something to tell in one conversation."""

    nick: str
    text: str


def left_the_server(frame: ServerFrame) -> bool:
    """A `system` leave that ends the user's connection, not a move to another room.

    The server words a move as "bob left #lab" and adds why for everything
    else ("(quit)", "(disconnected)", a reason of the user's own).
    """
    if frame["type"] != "system" or frame["event"] != "leave":
        return False
    return (
        bool(frame.get("reason"))
        or frame["content"].strip() != f"{frame.get('user', '')} left #{frame.get('room', '')}"
    )


MAX_PARTNERS = 256  # people remembered besides those whose conversation has a tab open


def _no_tab(key: str) -> bool:
    return False


class Partners:
    def __init__(self, keep: Callable[[str], bool] = _no_tab, limit: int = MAX_PARTNERS) -> None:
        self._by_key: OrderedDict[str, Partner] = OrderedDict()  # heard of least lately first
        self._keep = keep  # name key -> its conversation has a tab open (never forgotten then)
        self._limit = limit
        self._connected = False  # the connection was ready; losing it shuts every conversation

    def get(self, nick: str) -> Partner | None:
        return self._by_key.get(name_key(nick))

    def __len__(self) -> int:
        return len(self._by_key)

    def open(self, nick: str) -> tuple[Partner, bool]:
        """The user (or a message from them) opens the conversation: it sends again.  True if it was shut."""
        key = name_key(nick)
        partner = self._by_key.get(key)
        if partner is None:
            partner = self._by_key[key] = Partner(nick)
            self._forget_the_least_lately_heard()
            return partner, False
        self._by_key.move_to_end(key)
        was_shut = not partner.here
        self._reopen(partner)
        return partner, was_shut

    def close(self, nick: str) -> None:
        self._by_key.pop(name_key(nick), None)

    def _forget_the_least_lately_heard(self) -> None:
        newest = next(reversed(self._by_key), None)
        for key in list(self._by_key):
            if len(self._by_key) <= self._limit:
                return
            if key != newest and not self._keep(key):
                del self._by_key[key]

    def learn(self, frame: ServerFrame, me: str) -> list[PartnerNotice]:
        """Follow renames, leaves and returns in one frame; what to say in which conversation."""
        if frame["type"] == "system" and frame["event"] == "nick" and frame.get("old") and frame.get("user"):
            return self._renamed(frame.get("old", ""), frame.get("user", ""))
        if frame["type"] == "system" and frame["event"] == "leave" and left_the_server(frame):
            return self._left(frame.get("user", ""))
        if frame["type"] == "system" and frame["event"] == "join":
            return self._returned([frame.get("user", "")])
        if frame["type"] == "joined":
            return self._returned(frame["users"])
        if frame["type"] == "private" and name_key(frame["sender"]) != name_key(me):
            return self._wrote(frame["sender"])
        return []

    def follow(self, state: State) -> list[PartnerNotice]:
        """The connection's state changed: losing a ready connection shuts every open conversation.

        Whatever happened while it was gone went unheard (a partner's leave, a
        rename, someone else taking the name; a server restart forgets every
        name), and a RESUME of our own does not replay it: the honest thing is
        to treat each partner as having left.
        """
        if state is State.READY:
            self._connected = True
            return []
        if not self._connected:
            return []
        self._connected = False
        notices = []
        for partner in self._by_key.values():
            if partner.here:
                partner.here = False
                notices.append(
                    PartnerNotice(
                        partner.nick,
                        f"The connection to the server was lost. Meanwhile {partner.nick} may have left and someone "
                        f"else may have taken the name, so nothing you type here is sent until someone named "
                        f"{partner.nick} is seen again.",
                    )
                )
        return notices

    def _wrote(self, sender: str) -> list[PartnerNotice]:
        """A private message from `sender`: a new conversation, one going on, or the name's holder writing to a shut one."""
        partner = self.get(sender)
        if partner is None or partner.here:
            self.open(sender)
            return []
        self._by_key.move_to_end(name_key(sender))
        if partner.moved_to or partner.taken:  # known to be someone else: shown, warned once, and it stays shut
            if partner.warned:
                return []
            partner.warned = True
            whose = (
                f"the {partner.nick} of this conversation is called {partner.moved_to} now"
                if partner.moved_to
                else f"someone else took the name {partner.nick}"
            )
            return [
                PartnerNotice(
                    partner.nick,
                    f"Someone else may be using the name {partner.nick} now ({whose}); the message below is theirs. "
                    f"Nothing you type here is sent; to answer them, type /pm {partner.nick} TEXT.",
                )
            ]
        self._reopen(partner)  # after a leave or a lost connection: as when someone named them joins again
        return [
            PartnerNotice(
                partner.nick,
                f"Someone named {partner.nick} wrote to you; it may not be the {partner.nick} of before. "
                f"What you type here goes to them.",
            )
        ]

    @staticmethod
    def _reopen(partner: Partner) -> None:
        partner.here, partner.moved_to, partner.taken, partner.warned = True, "", False, False

    def _renamed(self, old: str, new: str) -> list[PartnerNotice]:
        notices: list[PartnerNotice] = []
        if name_key(old) == name_key(new):
            return notices  # Bob -> bob: the same name to the server
        for partner in self._by_key.values():
            if partner.here and name_key(partner.nick) == name_key(old):
                partner.here, partner.moved_to = False, new
                notices.append(
                    PartnerNotice(
                        partner.nick,
                        f"{old} is now called {new}. Nothing you type here is sent until {old} is back; "
                        f"to write to {new}, open a conversation with {new}.",
                    )
                )
            elif not partner.here and partner.moved_to and name_key(partner.moved_to) == name_key(old):
                if name_key(new) == name_key(partner.nick):
                    self._reopen(partner)
                    notices.append(PartnerNotice(partner.nick, f"{new} is back under this name."))
                else:
                    partner.moved_to = new
            elif name_key(partner.nick) == name_key(new):
                partner.here, partner.taken = False, not partner.moved_to
                notices.append(
                    PartnerNotice(
                        partner.nick,
                        f"{old} has taken the name {new}: not the {partner.nick} of this conversation, "
                        f"so nothing you type here is sent.",
                    )
                )
        return notices

    def _left(self, user: str) -> list[PartnerNotice]:
        partner = self.get(user)
        if partner is None or not partner.here:
            return []
        partner.here = False
        return [
            PartnerNotice(
                partner.nick, f"{partner.nick} left the chat. Nothing you type here is sent until they are back."
            )
        ]

    def _returned(self, users: list[str]) -> list[PartnerNotice]:
        notices = []
        for user in users:
            partner = self.get(user)
            if partner is not None and not partner.here and not partner.moved_to and not partner.taken:
                partner.here = True
                notices.append(
                    PartnerNotice(
                        partner.nick, f"Someone named {user} is online again; what you type here goes to them."
                    )
                )
        return notices
