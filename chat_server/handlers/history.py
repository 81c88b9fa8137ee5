"""HISTORY, SEARCH and DELETE: a connection's way into the kept messages (handler threads; the store is read off the lock).

PROTOCOL.md, History; docs/protocol.md has every detail decided here.
Each command checks its arguments and who asks under the registry lock,
then returns OffLock: the store is read on the sender's own thread with
the lock released, and the answer is queued under the lock again, without
what was deleted or cleared meanwhile (`MessageStore.still_visible`): the
`deleted` of a DELETE that finished in between is queued before the answer,
which must not bring the message back.

    HISTORY  -> `message`/`private` frames with "history": true, in id order, then `history`
    SEARCH   -> one `search` frame (results newest first, cut to fit 32 KiB)
    DELETE   -> `deleted` to the room's members (or the two people) and the sender

Privacy: a private conversation is `Conversation.between(asker, peer,
owners, peers)`, so the asker is always one of its two people, and only
messages one of the asker's owners sent or received are shown (policy.py,
chat_server/identity/owners.py): not those of whoever had the nickname
before.  With `peers` (whoever holds the nickname now: online, or an
account) the page also holds what the two people said to each other under
other names, so `HISTORY @robert` finds what bob said before he renamed.
A page or search never reaches past what the asker may see.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterable

from chat_server.handlers.base import (
    CommandModule,
    CommandResult,
    Delivery,
    OffLock,
    ServerServices,
    not_saved_frame,
    save_now,
)
from chat_server.history.frames import (
    fit_results,
    frame_of,
    history_frame,
    query_shown,
    result_line,
    result_of,
    teacher_owners,
)
from chat_server.history.pages import read_page, trim_to_budget
from chat_server.history.policy import check_room_readable, may_delete, private_of
from chat_server.history.requests import (
    EVERY_ROOM,
    HistoryRequest,
    SearchRequest,
    parse_delete,
    parse_history,
    parse_search,
    parse_search_before,
)
from chat_server.history.search_gate import SearchBusy, SearchGate
from chat_server.identity.owners import account_owner
from chat_server.identity.service import IdentityService
from chat_server.plain_secrets import THIS_COMPUTER
from chat_server.registry import ChatRegistry
from chat_server.session import Session
from chat_server.storage import Conversation, Page, StoredMessage
from chat_server.storage.search_clock import SEARCH_SECONDS, SearchClock
from chat_server.storage.search_query import parse_query
from chat_server.storage.search_sender import SenderFilter
from shared.errors import ErrorCode, ProtocolError
from shared.frames import Frame, server_frame, timestamp
from shared.names import name_key

# A room's replay names the ids deleted there lately (this many at most): a client that showed one while it was
# away (another room, a reconnect) takes it down, even past the replay's reach (found by a probe).
RECENT_DELETES = 200
# Rooms whose recent deletes are remembered (a probe: one DELETE in each of 300 rooms kept them all for good).
RECENT_DELETE_ROOMS = 256
ANSWER_BUDGET_BYTES = 256 * 1024  # one HISTORY answer at most (and a quarter of the outbox limit)
DRAIN_WAIT_SECONDS = 10.0  # a HISTORY waits this long at most for the client to read what it was sent
DRAIN_POLL_SECONDS = 0.02
TURN_POLL_SECONDS = 0.25  # a page waiting for its computer's turn looks this often whether its connection ended
SEARCH_RESULTS = 50
SENDERS_REMEMBERED = 8  # from:NAME persons a connection keeps for its SEARCHBEFORE pages
OLDER_MATCH = (
    " These are the {which} {page}; older messages match too: /searchbefore {last} {words} shows the next {page}."
)
NO_HISTORY = "This server keeps no history (it runs with --no-history)."
STOPPED_EARLY = (
    f" The search stopped after {SEARCH_SECONDS:g} s, so older messages were not searched:"
    " longer words (3 letters or more) search faster."
)


class HistoryCommands(CommandModule):
    def __init__(self, services: ServerServices) -> None:
        super().__init__(services)
        self.search_gate = SearchGate()  # a few searches at once, one per computer (history/search_gate.py)

    # -- HISTORY --
    def handle_history(self, session: Session, argument: str) -> CommandResult:
        request = parse_history(argument)
        fields: dict[str, object]
        name: str | None = None  # the room read, asked again once the page is read
        if request.nick is not None:
            peer = self.registry.find_nick(request.nick)
            shown = peer.nick if peer is not None and peer.nick else request.nick
            conversation = Conversation.between(
                session.nick or "", request.nick, session.owners, self._person_of(peer, request.nick)
            )
            target, fields = f"@{shown}", {"peer": shown}
        else:
            if request.room is None:
                name = self.require_room(session).name
            else:
                check_room_readable(session, request.room, self.services.who)
                live = self.registry.find_room(request.room)
                name = live.name if live is not None else request.room
            conversation = Conversation.of_room(name)
            target, fields = f"#{name}", {"room": name}
        fields["direction"] = request.direction
        if not self.config.history:
            return [([session], history_frame(NO_HISTORY, target, 0, False, **fields))]
        if not self.output_room(session, "/history"):
            return []
        turn = self._page_turn(session)
        if turn is None:
            return []
        store = self.storage.messages
        budget = self._answer_budget()

        def work() -> Page:
            self._wait_for_turn(session, turn)
            self._wait_until_read(session)
            page = read_page(store, conversation, request.direction, request.anchor, request.limit)
            return trim_to_budget(page, request.direction, budget)

        def then(page: Page) -> list[Delivery]:
            self._still_readable(session, name)
            return self._page_deliveries(session, request, page, target, fields)

        return OffLock(work, then)

    def _sender_of(self, name: str) -> tuple[SenderFilter, str]:
        """`from:NAME` as a person (lock held, memory only): whoever holds NAME now, online or as an account.

        Their owners, so what they said under other names (before a rename, as
        the same guest or account) is found and what an earlier holder of the
        nickname said is not; a name nobody holds now matches the nickname as
        each message was sent.  The second part is the sentence that says which.
        """
        peer = self.registry.find_nick(name)
        if peer is not None and peer.nick:
            return SenderFilter(owners=peer.owners), f" From: {peer.nick}, under any name they used."
        account = self.storage.accounts.get(name)
        if account is not None:
            return SenderFilter(owners=(account_owner(account),)), f" From: {account.nick}'s account, under any name."
        return (
            SenderFilter(nick_key=name_key(name)),
            f" From: whoever used the nickname {name} (nobody holds it now, so it may be more than one person).",
        )

    def _sender_for(self, session: Session, name: str, before: int | None) -> tuple[SenderFilter, str]:
        """`from:NAME` for this search: on a SEARCHBEFORE page, the person the asker's SEARCH found (lock held).

        A teacher paging `SEARCH #* from:bob` while bob renamed to rob and a classmate took "bob" got
        "Nothing found ... From: bob" on page 2, and never saw bob's 20 older messages
        (docs/reliability.md, the sixteenth hostile review): NAME means whom it meant on the first page.
        """
        key = name_key(name)
        found = self._sender_of(name)
        remembered = session.searched_senders
        if before is None:
            if remembered is None:
                remembered = session.searched_senders = {}
            remembered.pop(key, None)
            remembered[key] = found
            while len(remembered) > SENDERS_REMEMBERED:
                del remembered[next(iter(remembered))]
            return found
        earlier = remembered.get(key) if remembered is not None else None
        if earlier is None or earlier[0] == found[0]:
            return found
        return earlier[0], f"{earlier[1]} The same person as on your first page ({name} may be someone else now)."

    def _person_of(self, peer: Session | None, nick: str) -> tuple[str, ...] | None:
        """Who holds `nick` now, as owners (the one online, else its account's); None for a guest who has gone."""
        if peer is not None and peer.registered:
            return peer.owners
        account = self.storage.accounts.get(nick)
        return (account_owner(account),) if account is not None else None

    @staticmethod
    def _page_turn(session: Session) -> float | None:
        """Seconds this page waits for its computer's page budget (chat_server/address_budget.py); None: dropped.

        A page that would wait too long is refused with `rate_limited` (once a second; the rest are dropped
        without an answer, as every rate_limited is).
        """
        budget = session.address_budget
        if budget is None:
            return 0.0
        turn = budget.reserve_page()
        if turn is not None:
            return turn
        session.flood.refuse_or_drop(
            "Your computer is asking for history pages faster than the server gives them (all its connections "
            "together); this page was not sent. Ask again in a few seconds."
        )
        return None

    @staticmethod
    def _wait_for_turn(session: Session, turn: float) -> None:
        """Sleep off the page's turn on the asker's own thread (lock released); a hang-up ends the wait."""
        deadline = time.monotonic() + turn
        while not session.closing:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, TURN_POLL_SECONDS))

    def _answer_budget(self) -> int:
        limit = self.config.max_outbound_bytes
        return min(ANSWER_BUDGET_BYTES, limit // 4) if limit else ANSWER_BUDGET_BYTES

    def _wait_until_read(self, session: Session) -> None:
        """Back-pressure: while the client has half its outbox limit unread, a new page waits (its own thread only)."""
        limit = self.config.max_outbound_bytes
        if not limit:
            return
        deadline = time.monotonic() + DRAIN_WAIT_SECONDS
        while session.outbox.unsent > limit // 2 and not session.closing and time.monotonic() < deadline:
            time.sleep(DRAIN_POLL_SECONDS)

    def _page_deliveries(
        self, session: Session, request: HistoryRequest, page: Page, target: str, fields: dict[str, object]
    ) -> list[Delivery]:
        teachers = teacher_owners(self.storage.accounts.list_all())
        # The page was read off the lock: a DELETE (or an admin's clearing) that finished since has queued its
        # `deleted` already, and the page must not bring the message back after it (found by a probe).
        shown = self.storage.messages.still_visible(page.messages)
        frames = [frame for frame in (frame_of(message, teachers) for message in shown) if frame is not None]
        deliveries: list[Delivery] = [([session], frame) for frame in frames]
        if frames:
            fields = dict(fields, first=frames[0]["id"], last=frames[-1]["id"])
        text = _page_text(target, request, len(frames), page.more, frames)
        deliveries.append(([session], history_frame(text, target, len(frames), page.more, **fields)))
        return deliveries

    # -- SEARCH --
    def handle_search(self, session: Session, argument: str) -> CommandResult:
        return self._search(session, parse_search(argument))

    def handle_searchbefore(self, session: Session, argument: str) -> CommandResult:
        """SEARCHBEFORE <id> [#room] <words> (extension): SEARCH's next page, the matches older than message <id>.

        The same scope, rate, gate and clock as SEARCH; SEARCH's own words keep
        their meaning ("before 5" is two words to look for there).
        """
        return self._search(session, parse_search_before(argument))

    def _search(self, session: Session, request: SearchRequest) -> CommandResult:
        if self.config.rate_per_second and not session.history.search_bucket.allow():
            session.flood.refuse_or_drop("/search is answered about once a second; wait a moment.")
            return []
        every_room = request.room == EVERY_ROOM
        if every_room:  # a teacher reads every room (locked ones too); a student may not learn who said what where
            if not IdentityService.is_teacher(session):
                raise ProtocolError(
                    ErrorCode.NOT_ALLOWED,
                    f"Only a teacher searches every room at once; search one room: /search #room from:{request.sender}.",
                )
            room: str | None = None
            with_private = False
        elif request.room is not None:
            check_room_readable(session, request.room, self.services.who)
            live = self.registry.find_room(request.room)
            room = live.name if live is not None else request.room
            with_private = False
        else:
            room = session.room.name if session.room is not None else None
            with_private = True
        if not self.output_room(session, "/search"):
            return []
        sender, by_whom = self._sender_for(session, request.sender, request.before) if request.sender else (None, "")
        shown = query_shown(request.typed)
        fields: dict[str, object] = {"query": shown, "private": with_private}
        if request.sender is not None:
            fields["from"] = request.sender
            fields["from_match"] = "person" if sender is not None and sender.owners else "nickname"
        if room is not None:
            fields["room"] = room
        if every_room:
            fields["every_room"] = True
        if not self.config.history:
            return [([session], server_frame("search", NO_HISTORY, results=[], **fields))]
        store = self.storage.messages
        nick, key, owners = session.nick or "", session.key, session.owners
        host = None if session.host in THIS_COMPUTER else session.computer  # one search at a time per other computer

        def work() -> tuple[list[StoredMessage], bool]:
            try:
                with self.search_gate.entered(host):
                    clock = SearchClock()  # from when it may read: waiting for a slot does not count
                    # one more than is sent: a 51st match says that older ones match too (`more`)
                    wanted = SEARCH_RESULTS + 1
                    found = (
                        store.search(
                            nick,
                            request.text,
                            room=room,
                            limit=wanted,
                            clock=clock,
                            before=request.before,
                            sender=sender,
                            every_room=every_room,
                        )
                        if room is not None or every_room
                        else []
                    )
                    if with_private:
                        mine = store.search(
                            nick,
                            request.text,
                            include_private=True,
                            limit=wanted,
                            owners=owners,
                            clock=clock,
                            before=request.before,
                            sender=sender,
                        )
                        found += [message for message in mine if private_of(message, owners)]
            except SearchBusy:
                raise ProtocolError(
                    ErrorCode.RATE_LIMITED, "A search from your computer is still running; wait for its answer."
                ) from None
            found.sort(key=lambda message: message.id, reverse=True)
            return found, clock.ran_out

        def then(outcome: tuple[list[StoredMessage], bool]) -> list[Delivery]:
            self._still_readable(session, room)
            found, stopped_early = outcome
            more = len(found) > SEARCH_RESULTS
            found = found[:SEARCH_RESULTS]
            last_sent = found[-1].id if found else 0  # SEARCHBEFORE this id: the next page (deleted since or not)
            found = store.still_visible(found)  # not one deleted while the search ran: its `deleted` went out already
            results = [result_of(message, _label(message, key, owners)) for message in found]
            results = fit_results(results, parse_query(request.text).folded)
            where = f"#{room}" if room is not None else "every room" if every_room else ""
            if with_private:
                where = f"{where} and your private messages" if where else "your private messages"
            older = "older " if request.before is not None else ""
            count = f"{len(results)} {older}result{'' if len(results) == 1 else 's'}" if results else "Nothing found"
            text = f"{count} for “{shown}” in {where}"
            if request.before is not None:
                text += f" before message {request.before}"
                fields["before"] = request.before
            text += " (newest first)." if results else "."
            text += by_whom
            if more:  # a student looking for last week's homework learns how to reach it
                target = f"#{request.room} " if request.room is not None else ""
                which = "newest" if request.before is None else "next"
                words = f"{target}{shown}"
                text += OLDER_MATCH.format(which=which, page=SEARCH_RESULTS, last=last_sent, words=words)
                fields["more"] = True
            if stopped_early:
                text += STOPPED_EARLY
                fields["stopped_early"] = True
            answer: list[Delivery] = [([session], server_frame("search", text, results=results, **fields))]
            if session.text_mode:  # no JSON to read the results from: a line each, after the heading
                times = {message.id: message.time_ms for message in found}
                answer += [
                    ([session], server_frame("system", result_line(result, times[result["id"]]), event="search_result"))
                    for result in results
                ]
            return answer

        return OffLock(work, then)

    # -- DELETE --
    def handle_delete(self, session: Session, argument: str) -> CommandResult:
        """Find the message off the lock, judge who asks under it, delete off it again, then tell everyone.

        One answer, `bad_argument` "no message N that you can delete", for
        every message the asker may not see: none with that id, deleted,
        too old, someone else's private message, or a message of a locked
        room the asker may not read.  `not_allowed` would tell an outsider
        which ids are live messages of a locked room (found by a probe), so
        it is only for a message the asker can see but did not send.
        """
        wanted = parse_delete(argument)
        if not self.config.history:
            raise ProtocolError(ErrorCode.BAD_ARGUMENT, NO_HISTORY)
        store = self.storage.messages
        owners = session.owners
        if wanted is None:  # `DELETE last`: an nc/telnet user sees no ids (found by the tenth review)
            return self._delete_last(session, list(reversed(session.sent_ids)))
        message_id = wanted
        nothing = ProtocolError(
            ErrorCode.BAD_ARGUMENT,
            f"There is no message {message_id} that you can delete (deleted already, too old, or not yours to see).",
        )

        def find() -> StoredMessage:
            message = store.get(message_id)
            if message is None or (message.is_private and not private_of(message, owners)):
                raise nothing
            return message

        return OffLock(find, lambda message: self._judge_delete(session, message, nothing))

    def _delete_last(self, session: Session, newest_first: list[int]) -> CommandResult:
        """`DELETE last`: the newest message this connection said that is still kept (read off the lock)."""
        store = self.storage.messages
        owners = session.owners
        nothing = ProtocolError(
            ErrorCode.BAD_ARGUMENT,
            "None of what you said since you connected is still kept; /search WORDS shows older messages with their"
            " ids, for /delete ID.",
        )

        def find() -> StoredMessage:
            for message_id in newest_first:
                message = store.get(message_id)
                if message is not None and message.sender_owner in owners:
                    return message
            raise nothing

        return OffLock(find, lambda message: self._judge_delete(session, message, nothing))

    def _judge_delete(
        self, session: Session, message: StoredMessage, nothing: ProtocolError
    ) -> OffLock[tuple[StoredMessage, bool]]:
        """Under the lock: whether `session` may delete `message`; then delete it off the lock and tell everyone."""
        store = self.storage.messages
        owners = session.owners
        message_id = message.id

        if message.room is not None and not self._may_read(session, message.room):
            raise nothing
        if not may_delete(session, owners, message):
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED, f"Message {message_id} is not yours: you can delete only your own messages."
            )

        def delete(message: StoredMessage) -> tuple[StoredMessage, bool]:
            if store.delete(message_id) is None:
                raise nothing
            if self.services.files is not None:
                self.services.files.message_deleted(message)  # a file message: the file goes too
            return message, save_now(self.storage)

        def told(done: tuple[StoredMessage, bool]) -> list[Delivery]:
            message, saved = done
            deliveries = deleted_deliveries(self.registry, message, also=[session])
            if not saved:  # gone for everyone now, but the disk may bring it back after a restart
                deliveries.append(([session], not_saved_frame(self.storage, f"The deletion of message {message.id}")))
            return deliveries

        return OffLock(lambda: delete(message), told)

    def _still_readable(self, session: Session, room: str | None) -> None:
        """Back under the lock after a read: the room may have been locked (or the asker removed) meanwhile.

        A page waits its computer's turn, up to PAGE_WAIT_SECONDS, before it is
        read: an outsider's HISTORY #room sent just before the owner's KEY
        brought back what the members said after the key (found by a race probe).
        """
        if room is not None:
            check_room_readable(session, room, self.services.who)

    def _may_read(self, session: Session, room: str) -> bool:
        """Whether HISTORY #room would show `session` the room's messages (lock held)."""
        try:
            check_room_readable(session, room, self.services.who)
        except ProtocolError:
            return False
        return True


def deleted_deliveries(registry: ChatRegistry, message: StoredMessage, also: Iterable[Session] = ()) -> list[Delivery]:
    """`deleted` for everyone who may have the message on screen: the room's members, or its two people (lock held)."""
    recipients: dict[Session, None] = dict.fromkeys(also)
    fields: dict[str, object] = {}
    if message.room is not None:
        fields["room"] = message.room
        room_key = message.room_key or ""
        deletes = registry.recent_deletes
        kept = deletes.pop(room_key, None)  # back in at the end: the rooms with the oldest deletes go first
        if kept is None:
            kept = collections.deque(maxlen=RECENT_DELETES)
            if len(deletes) >= RECENT_DELETE_ROOMS:
                del deletes[next(iter(deletes))]
        deletes[room_key] = kept
        kept.append(message.id)  # for whoever comes back to the room: its replay names them (handlers/replay.py)
        room = registry.rooms.get(message.room_key or "")
        if room is not None:
            recipients.update(room.members)
    else:
        for person in (message.sender_key, message.recipient_key):
            session = registry.by_nick.get(person or "")
            if session is not None and private_of(message, session.owners):
                recipients[session] = None
        owners = {owner for owner in (message.sender_owner, message.recipient_owner) if owner is not None}
        if owners and len(recipients) < 2:  # one of them renamed since: found by who they are, not the name
            for session in registry.sessions:
                if session.registered and not owners.isdisjoint(session.owners):
                    recipients[session] = None
    frame: Frame = server_frame("deleted", deleted_words(message), id=message.id, **fields)
    return [(list(recipients), frame)]


def deleted_words(message: StoredMessage) -> str:
    """The `deleted` frame's text, e.g. "bob's message of 12:00:01 in #lab was deleted (id 7).".

    An nc/telnet user sees neither ids nor anything but this line: "Message 7
    was deleted." did not tell them which of the lines on their screen had
    gone (found by the tenth review); a message line shows its sender and its
    time, so the notice names those.  The words of the message stay out.
    """
    when = timestamp(message.time_ms / 1000)
    where = f" in #{message.room}" if message.room is not None else f" to {message.recipient}"
    return f"{message.sender}'s message of {when}{where} was deleted (id {message.id})."


def _label(message: StoredMessage, asker_key: str | None, owners: tuple[str, ...]) -> str:
    """A result's `room`: the room's name, or "@" and the other person of a private message.

    Which side is the asker goes by owners, not names: after alice renamed,
    her own old message to bob is still labelled "@bob", not "@alice".
    """
    if message.room is not None:
        return message.room
    if message.sender_owner is not None:
        mine = message.sender_owner in owners and message.recipient_owner not in owners
    else:
        mine = message.sender_key == asker_key
    peer = message.recipient if mine else message.sender
    return f"@{peer}"


def _page_text(target: str, request: HistoryRequest, count: int, more: bool, frames: list[Frame]) -> str:
    where = {"newest": "", "before": f" before {request.anchor}", "after": f" after {request.anchor}"}
    if not count:
        return f"{target}: no messages{where[request.direction]}."
    noun = "message" if count == 1 else "messages"
    text = f"{target}: {count} {noun}{where[request.direction]}, above."
    if more:
        if request.direction == "after":
            text += f" Later ones: /history {target} after {frames[-1]['id']}."
        else:
            text += f" Earlier ones: /history {target} before {frames[0]['id']}."
    return text
