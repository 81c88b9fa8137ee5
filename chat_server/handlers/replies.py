"""REPLY: a message that answers an earlier one, with the quote filled in by the server (handler threads).

`REPLY <id> <text>` finds message <id> off the registry lock (it may be on
disk), then, under the lock, judges whether the sender may see it and
sends the answer where the original was said: to the sender's room for a
room message, to the other person of the conversation for a private one.
The answer is an ordinary `message` or `private` frame plus `reply`:
`{"id", "sender", "excerpt"}`, taken from the server's own history and
never from the sender, so nobody can make up a quote of the teacher.  A
client that ignores `reply` sees a normal message.

SAY, MSG and PM do not change: a message that answers nothing costs
nothing more (docs/reliability.md, the sixteenth hostile review).
"""

from __future__ import annotations

from chat_server.handlers.base import CommandModule, CommandResult, OffLock, ServerServices
from chat_server.handlers.chat import ChatCommands
from chat_server.history.policy import check_room_readable, private_of
from chat_server.history.requests import parse_id
from chat_server.session import Session
from chat_server.storage import StoredMessage
from chat_server.storage.models import Quote
from shared.errors import ErrorCode, ProtocolError
from shared.names import one_line

REPLY_USAGE = "/reply ID TEXT"
EXCERPT_CHARS = 80  # one line of a narrow window; the whole original stays one click (or HISTORY) away


def quote_of(message: StoredMessage) -> Quote:
    """What an answer to `message` quotes: its id, who wrote it and its first line, from history."""
    return message.id, message.sender, one_line(message.text, EXCERPT_CHARS)


def parse_reply(argument: str) -> tuple[int, str]:
    """`ID TEXT` of a REPLY line; the text is checked later, as SAY and PM check it."""
    word, _, text = argument.strip().partition(" ")
    if not word:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"Say which message and what: {REPLY_USAGE}.")
    message_id = parse_id(word, REPLY_USAGE, first=1)
    if message_id == 0:
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"There is no message 0. Use {REPLY_USAGE}.")
    if not text.strip():
        raise ProtocolError(ErrorCode.BAD_ARGUMENT, f"Say what you answer: {REPLY_USAGE}.")
    return message_id, text


class ReplyCommands(CommandModule):
    def __init__(self, services: ServerServices) -> None:
        super().__init__(services)
        self._chat = ChatCommands(services)  # SAY's and PM's own checks and delivery, not a copy of them

    def handle_reply(self, session: Session, argument: str) -> CommandResult:
        message_id, text = parse_reply(argument)
        if not self.config.history:
            raise ProtocolError(
                ErrorCode.BAD_ARGUMENT, "This server keeps no history, so there is nothing to reply to."
            )
        store = self.storage.messages
        owners = session.owners
        # One answer for every id the sender may not see (unknown, deleted, too old, someone else's private
        # message, a locked room's): a different one would tell a student which ids are live elsewhere.
        nothing = ProtocolError(
            ErrorCode.BAD_ARGUMENT,
            f"There is no message {message_id} that you can reply to (deleted, too old, or not yours to see).",
        )

        def find() -> StoredMessage:
            message = store.get(message_id)
            if message is None or (message.is_private and not private_of(message, owners)):
                raise nothing
            return message

        return OffLock(find, lambda message: self._answer(session, message, text, nothing))

    def _answer(self, session: Session, message: StoredMessage, text: str, nothing: ProtocolError) -> CommandResult:
        """Under the lock: send `text` where `message` was said, quoting it, if `session` may still see it."""
        chat = self._chat
        if not self.storage.messages.still_visible([message]):  # deleted while it was read: its `deleted` went out
            raise nothing
        quote = quote_of(message)
        if message.room is None:
            return chat.private_to(session, self._other_person(session, message, nothing), text, reply=quote)
        try:
            check_room_readable(session, message.room, self.services.who)
        except ProtocolError:
            raise nothing from None
        room = session.room
        if room is None or room.key != message.room_key:
            raise ProtocolError(
                ErrorCode.BAD_ARGUMENT,
                f"Message {message.id} was said in #{message.room}; join it to reply there (/join {message.room}).",
            )
        return chat.public_in(session, text, reply=quote)

    def _other_person(self, session: Session, message: StoredMessage, nothing: ProtocolError) -> str:
        """The nickname an answer to private `message` goes to: its other person, if that person is online now.

        By owner, not by name: a classmate who took the other person's nickname since must not get the
        quote of a private message; and the other person renamed since gets it under the new name (both
        found by probes: docs/reliability.md, the sixteenth hostile review).
        """
        if session.owns(message.sender_owner):
            nick, owner = message.recipient, message.recipient_owner
        else:
            nick, owner = message.sender, message.sender_owner
        target = self.registry.find_nick(nick) if nick is not None else None
        if target is not None and owner is not None and not target.owns(owner):
            target = None
        if target is None and owner is not None:  # renamed since: "bob is not online" while he sat there as rob
            target = next((other for other in self.registry.sessions if other.registered and other.owns(owner)), None)
        if target is None or owner is None or target.closing:
            raise ProtocolError(
                ErrorCode.NO_SUCH_USER,
                f"{one_line(nick or '?', 40)}, who you talked with in message {message.id}, is not online now; "
                "the answer was not sent.",
            )
        return target.nick or nick or ""
