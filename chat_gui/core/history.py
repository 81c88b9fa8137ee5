"""Kept messages for the client core: replay after joining, catch-up after a reconnect, pages, search, delete (scheduler thread).

    ClientSession._dispatch --frame--> HistoryKeeper.on_frame --> Received / HistoryPage / MessageDeleted
    front end --request_page / search / delete--> HistoryKeeper --> HistoryRequests (history_requests.py)

What it promises the front ends:

- **Nothing twice.** A message that came as a replay or a fetched page is
  handed on only when its id is above the conversation's cursor
  (conversations.py), so a replay after a reconnect, or a catch-up page
  that overlaps what arrived live, shows nothing again.
- **Nothing missed.** After a reconnect (a RESUME too), for the room and
  for the MAX_PRIVATE_CATCH_UP private conversations most recently active
  it asks `HISTORY <target> AFTER <cursor> 100`, page after page while
  `more` is true and the pages have not reached what came live meanwhile,
  and hands each page on as a CATCH_UP HistoryPage.
- **In order.** While a conversation is being caught up, its live frames
  and its replay are held back, then handed on after the last page,
  sorted by id and without what the pages already brought.  Held frames
  are bounded (MAX_HELD); past that the catch-up stops and says so.

The replay after `joined` becomes one REPLAY HistoryPage when its
`history` frame arrives.  It also shows what went while this client was
elsewhere: a message of that room it handed on before (Cursors.seen) that
the replay lacks, though the replay reaches back past it (or is the whole
history: `more` false), was deleted or cleared meanwhile, and one
MessagesGone says so (a `deleted` reaches only the room's members then);
ids in the range the server's `welcome` names in `unsaved_ids` were lost
in a crash instead, and their MessagesGone says `unsaved`.  Pages and search results that the front end or
the user asked for come back as HistoryPage / SearchResults with the
number `request_page` / `search` returned.  A `deleted` frame becomes
MessageDeleted, and the message is dropped from anything held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chat_gui.core.conversations import Cursors, conversation_of, is_history, message_id, room_key
from chat_gui.core.events import (
    HistoryPage,
    Listener,
    MessageDeleted,
    MessagesGone,
    PageKind,
    Received,
    SearchResults,
)
from chat_gui.core.history_requests import Answer, HistoryRequests
from chat_gui.core.scheduler import Scheduler
from shared.frame_types import ServerFrame

CATCH_UP_PAGE = 100  # the contract's largest HISTORY limit
MAX_CATCH_UP_PAGES = 50  # 5,000 messages per conversation; past that the catch-up stops and says so
MAX_PRIVATE_CATCH_UP = 20
MAX_HELD = 5000  # live and replayed frames held back while conversations are caught up
MAX_REPLAY = 1000  # a replay longer than this is handed on in parts
HISTORY_FEATURE = "history"


@dataclass
class CatchUp:
    target: str
    pages: int = 0
    fetched: set[int] = field(
        default_factory=set
    )  # ids the pages brought: held live frames among them are not shown again
    held: list[Any] = field(default_factory=list)
    queued: bool = False  # a page request is waiting or out
    # The room's replay that came while catching up (held): its ids and `more`, judged once the catch-up ends.
    replayed: tuple[set[int], set[int], bool, set[int]] | None = None  # (shown before it, its ids, `more`, `deleted`)

    def first_held(self) -> int:
        """The lowest id held back (live or replayed) while catching up."""
        return min(int(frame["id"]) for frame in self.held)


class HistoryKeeper:
    def __init__(
        self,
        scheduler: Scheduler,
        emit: Listener,
        send_now: Callable[[str], bool],
        send: Callable[[str], object],
        budget_wait: Callable[[int], float],
        me: Callable[[], str],
        room: Callable[[], str | None],
        caught_up: Callable[[str, bool], None] = lambda key, complete: None,
    ) -> None:
        self.emit = emit
        self.caught_up = caught_up  # told when a conversation's catch-up ends, and whether it reached the newest
        self.send = send  # paced like a typed line (DELETE)
        self.me = me
        self.room = room
        self.requests = HistoryRequests(scheduler, send_now, budget_wait)
        self.cursors = Cursors()
        self.enabled = False  # the server said "history" in its features
        self.catching: dict[str, CatchUp] = {}
        self._held_count = 0
        self._replay: list[Any] = []
        self._replay_ids: set[int] = set()  # every id of the replay arriving, handed on in parts or not
        self._seen_before: set[int] = set()  # the ids of the replay's room handed on before its `joined`
        self._replay_key: str | None = None  # the room whose replay is arriving (after `joined`)
        self._replay_target = ""
        self._unsaved = (1, 0)  # ids the server lost in a crash before this connection (welcome's unsaved_ids)
        self._request_numbers = 0

    # -- the session's hooks --
    def forget(self) -> None:
        """A new server or a new user (start()): no cursor, nothing held, nothing asked."""
        self.requests.reset("a new connection was started")
        self._release_all()
        self.cursors = Cursors()
        self._replay, self._replay_key, self._replay_ids, self._seen_before = [], None, set(), set()

    def on_welcome(self, features: object, unsaved_ids: object = None) -> None:
        self.enabled = isinstance(features, list) and HISTORY_FEATURE in features
        self._unsaved = unsaved_range(unsaved_ids)
        if not self.enabled:
            # a server that keeps nothing may count ids from 1 again: old cursors would hide new messages
            self._release_all()
            self.cursors = Cursors()

    def on_lost(self, reason: str) -> None:
        """The connection is gone: requests end as lost; what is held stays held for the catch-up after it."""
        self._end_replay(None)
        self.requests.reset(f"the connection was lost ({reason})")
        for catch_up in self.catching.values():
            catch_up.queued = False

    def follow(self, key: str, target: str, after: int) -> None:
        """Catch `target` up after the next reconnect from `after` on, unless a cursor already says from where
        (a private conversation that only the user's own lost lines started: chat_gui/core/in_flight.py)."""
        if self.cursors.get(key) is None:
            self.cursors.advance(key, target, after, shown=False)

    def on_ready(self, reconnected: bool) -> None:
        """Ready again: after a reconnect, catch up the room and the recent private conversations; then send."""
        if reconnected and self.enabled:
            room = self.room()
            if room is not None and self.cursors.get(room_key(room)) is not None:
                self._start_catch_up(room_key(room), f"#{room}")
            for key, cursor in self.cursors.recent("@", MAX_PRIVATE_CATCH_UP):
                self._start_catch_up(key, cursor.target)
            for key, catch_up in list(self.catching.items()):
                if not catch_up.queued:  # a catch-up cut short by the last loss goes on from its cursor
                    self._ask_next_page(key, catch_up)
        elif self.catching:
            self._release_all()  # a server without history: nothing to fetch, hand on what is held
        self.requests.set_ready(True)

    def on_ended(self) -> None:
        """No reconnect is coming (removed, failed, disconnected): hand on whatever is held."""
        self._end_replay(None)
        self.requests.reset("not connected")
        self._release_all()

    def on_frame(self, frame: ServerFrame) -> None:
        if self.requests.observe(frame):
            return
        number = message_id(frame)
        if number is not None:
            self._kept(frame, number)
        elif frame["type"] == "history" and self._replay_key is not None:
            self._end_replay(frame)
        elif frame["type"] == "joined":
            self._end_replay(None)
            self._replay_key, self._replay_target = room_key(frame["room"]), f"#{frame['room']}"
            self._replay_ids = set()
            self._seen_before = set(self.cursors.seen(self._replay_key))  # only these can have gone meanwhile
            self.emit(Received(frame))
        elif frame["type"] == "deleted":
            self._deleted(frame["id"])
        else:
            self.emit(Received(frame))

    # -- what the front end asks for --
    def request_page(
        self,
        target: str | None = None,
        before: int | None = None,
        after: int | None = None,
        limit: int = 50,
        kind: PageKind = PageKind.ASKED,
    ) -> int:
        """Ask for a page of `target` ("#room", "@nick"; None: the current room); the answer comes as a HistoryPage."""
        number = self._next_request()
        words = ["HISTORY"]
        if target:
            words.append(target)
        if before is not None:
            words += ["BEFORE", str(before)]
        elif after is not None:
            words += ["AFTER", str(after)]
        words.append(str(limit))
        shown_target = target or (f"#{self.room()}" if self.room() else "")
        anchor = before if before is not None else after
        direction = "before" if before is not None else "after" if after is not None else ""

        def done(answer: Answer) -> None:
            more = bool(answer.summary.get("more")) if answer.summary is not None else False
            frames = tuple(sorted(answer.frames, key=lambda frame: frame["id"]))
            self.emit(HistoryPage(kind, shown_target, frames, more, answer.problem, number, anchor, direction))

        if not self.requests.submit(" ".join(words), done):
            self.emit(
                HistoryPage(kind, shown_target, (), False, "too many requests are waiting", number, anchor, direction)
            )
        return number

    def search(self, words: str, room: str | None = None, before: int | None = None) -> int:
        """Search kept messages (in `room`, or wherever the server looks); the answer comes as SearchResults.

        With `before` (the last result of the page shown): the next page, the matches older than it
        (SEARCHBEFORE, an extension; SEARCH's own words keep their meaning)."""
        number = self._next_request()
        where = f"#{room} {words}" if room else words
        command = f"SEARCH {where}" if before is None else f"SEARCHBEFORE {before} {where}"

        def done(answer: Answer) -> None:
            found: list[Any] = []
            stopped_early = more = by_nickname = False
            if answer.search is not None:
                results: list[Any] = list(answer.search["results"])  # the frame check looked at the list only
                found = [result for result in results if _is_search_result(result)]
                stopped_early = answer.search.get("stopped_early") is True
                more = answer.search.get("more") is True
                by_nickname = answer.search.get("from_match") == "nickname"
            self.emit(
                SearchResults(
                    words, room, tuple(found), answer.problem, number, stopped_early, more, before, by_nickname
                )
            )

        if not self.requests.submit(command, done):
            self.emit(SearchResults(words, room, (), "too many requests are waiting", number, before=before))
        return number

    def delete(self, message: int) -> object:
        """Ask the server to delete one of the user's messages; everyone who shows it gets `deleted`."""
        return self.send(f"DELETE {message}")

    # -- the stream --
    def _kept(self, frame: Any, number: int) -> None:
        found = conversation_of(frame, self.me())
        if found is None:
            self.emit(Received(frame))
            return
        key, target = found
        catch_up = self.catching.get(key)
        if catch_up is not None:
            if is_history(frame) and key == self._replay_key:
                self._replay_ids.add(number)
            self._hold(key, catch_up, frame)
        elif is_history(frame) and key == self._replay_key:
            self._replay.append(frame)
            self._replay_ids.add(number)
            if len(self._replay) >= MAX_REPLAY:
                self._flush_replay(more=True)
        elif is_history(frame):
            if self.cursors.advance(key, target, number):  # a stray kept frame (a late answer): only if new
                self.emit(Received(frame))
        else:
            if key == self._replay_key:
                self._end_replay(None)  # live talk in the room: its replay is over
            self.cursors.advance(key, target, number)
            self.emit(Received(frame))

    def _end_replay(self, summary: Any) -> None:
        if self._replay_key is None:
            return
        key, more = self._replay_key, bool(summary.get("more")) if summary is not None else False
        self._flush_replay(more=more)
        catch_up = self.catching.get(key)
        if summary is not None and self.enabled:
            deleted = {number for number in summary.get("deleted", ()) if type(number) is int}
            if catch_up is None:
                self._find_gone(key, self._seen_before, self._replay_ids, more, deleted)
            else:  # the replay is held with the catch-up: judged when it ends, after what is held is handed on
                catch_up.replayed = (set(self._seen_before), set(self._replay_ids), more, deleted)
        self._replay_key = None

    def _find_gone(
        self, key: str, before: set[int], replayed: set[int], more: bool, deleted: set[int] | None = None
    ) -> None:
        """Ids handed on here before the replay that it vouches for but lacks, or that it names as deleted lately
        (its `deleted`, reaching past the replay): gone while this client was away.

        Only ids shown before the `joined` count: what arrived after it (live, or held with a catch-up) is
        newer than anything the replay could hold.
        """
        now = set(self.cursors.seen(key))
        gone = before & now & deleted if deleted else set()
        if not (more and not replayed):
            oldest = min(replayed) if more else 0  # `more`: only what the replay reaches back to is vouched for
            gone |= {number for number in before & now if number >= oldest and number not in replayed}
        if gone:
            self.cursors.forget_seen(key, gone)
            low, high = self._unsaved
            lost = {number for number in gone if low <= number <= high and not (deleted and number in deleted)}
            if gone - lost:
                self.emit(MessagesGone(self._replay_target, tuple(sorted(gone - lost))))
            if lost:
                self.emit(MessagesGone(self._replay_target, tuple(sorted(lost)), unsaved=True))

    def _flush_replay(self, more: bool) -> None:
        key, replay, self._replay = self._replay_key, self._replay, []
        assert key is not None
        fresh = []
        for frame in sorted(replay, key=lambda frame: frame["id"]):
            found = conversation_of(frame, self.me())
            if found is not None and self.cursors.advance(found[0], found[1], frame["id"]):
                fresh.append(frame)
        if self.cursors.get(key) is None:
            # Nothing kept in the room yet: what is said there from now on comes after the highest id seen
            # anywhere (ids are one sequence), so a reconnect can ask for what came after that.
            self.cursors.advance(key, self._replay_target, self.cursors.highest, shown=False)
        self.emit(HistoryPage(PageKind.REPLAY, self._replay_target, tuple(fresh), more))

    def _deleted(self, number: int) -> None:
        self._replay = [frame for frame in self._replay if frame["id"] != number]
        self._replay_ids.discard(number)
        self.cursors.forget_id(number)
        for catch_up in self.catching.values():
            if catch_up.replayed is not None:
                catch_up.replayed[1].discard(number)
            kept = [frame for frame in catch_up.held if frame["id"] != number]
            self._held_count -= len(catch_up.held) - len(kept)
            catch_up.held = kept
        self.emit(MessageDeleted(number))

    # -- catching up --
    def _start_catch_up(self, key: str, target: str) -> None:
        if key not in self.catching:
            self.catching[key] = CatchUp(target)

    def _ask_next_page(self, key: str, catch_up: CatchUp) -> None:
        cursor = self.cursors.last_id(key) or 0
        catch_up.queued = True
        command = f"HISTORY {catch_up.target} AFTER {cursor} {CATCH_UP_PAGE}"
        if not self.requests.submit(command, lambda answer: self._caught_page(key, catch_up, answer)):
            catch_up.queued = False
            self._give_up(key, "too many requests are waiting")

    def _caught_page(self, key: str, catch_up: CatchUp, answer: Answer) -> None:
        catch_up.queued = False
        if self.catching.get(key) is not catch_up:
            return  # given up meanwhile; its held frames are out already, a late page would break the order
        if answer.lost:
            return  # the connection went: the next ready goes on from the cursor
        if answer.summary is None:
            self._give_up(key, answer.problem)
            return
        fresh = []
        for frame in sorted(answer.frames, key=lambda frame: frame["id"]):
            found = conversation_of(frame, self.me())
            if found is None or found[0] != key:
                continue
            catch_up.fetched.add(frame["id"])
            if self.cursors.advance(key, found[1], frame["id"]):
                fresh.append(frame)
        catch_up.pages += 1
        # The server answers AFTER with whatever follows, live talk too: once a page reaches what came live
        # (or as the replay) while catching up, the rest is held here already.
        reached = bool(catch_up.held) and bool(catch_up.fetched) and max(catch_up.fetched) >= catch_up.first_held()
        more = bool(answer.summary.get("more")) and not reached
        if not (more and fresh):
            # the last page: it counts what was held too (the replay's newest lines, say), which comes right after
            del self.catching[key]
            released = self._release_held(key, catch_up)
            self.emit(HistoryPage(PageKind.CATCH_UP, catch_up.target, tuple(fresh), following=len(released)))
            self._hand_on(key, catch_up, released, complete=True)
            return
        self.emit(HistoryPage(PageKind.CATCH_UP, catch_up.target, tuple(fresh), True))
        if catch_up.pages < MAX_CATCH_UP_PAGES:
            self._ask_next_page(key, catch_up)
        else:
            self._give_up(
                key,
                f"more than {MAX_CATCH_UP_PAGES * CATCH_UP_PAGE:,} messages were sent while you were away; "
                f"the newest are below, /search or /history finds the rest",
            )

    def _hold(self, key: str, catch_up: CatchUp, frame: Any) -> None:
        catch_up.held.append(frame)
        self._held_count += 1
        if self._held_count > MAX_HELD:
            self._give_up(key, "too much arrived while catching up; some messages sent while you were away are missing")

    def _give_up(self, key: str, why: str) -> None:
        catch_up = self.catching.get(key)
        if catch_up is None:
            return
        self.emit(HistoryPage(PageKind.CATCH_UP, catch_up.target, (), False, why))
        self._finish(key)

    def _finish(self, key: str, complete: bool = False) -> None:
        """The catch-up of `key` is over: hand on what was held, in id order, without what the pages brought.

        `complete`: the last page reached the newest message (not given up, nor released unfetched).
        """
        catch_up = self.catching.pop(key, None)
        if catch_up is not None:
            self._hand_on(key, catch_up, self._release_held(key, catch_up), complete)

    def _release_held(self, key: str, catch_up: CatchUp) -> list[Any]:
        """What `catch_up` held that is new here, in id order; the cursor moves past it."""
        self._held_count -= len(catch_up.held)
        released = []
        for frame in sorted(catch_up.held, key=lambda frame: frame["id"]):
            found = conversation_of(frame, self.me())
            target = found[1] if found is not None else catch_up.target
            if is_history(frame):
                if self.cursors.advance(key, target, frame["id"]):
                    released.append(frame)
            elif frame["id"] not in catch_up.fetched:
                self.cursors.advance(key, target, frame["id"])
                released.append(frame)
        return released

    def _hand_on(self, key: str, catch_up: CatchUp, released: list[Any], complete: bool) -> None:
        for frame in released:
            self.emit(Received(frame))
        if catch_up.replayed is not None:
            self._find_gone(key, *catch_up.replayed)
        self.caught_up(key, complete)

    def _release_all(self) -> None:
        for key in list(self.catching):
            self._finish(key)
        self._held_count = 0

    def _next_request(self) -> int:
        self._request_numbers += 1
        return self._request_numbers


def _is_search_result(result: object) -> bool:
    if not isinstance(result, dict):
        return False
    fields = (("id", int), ("sender", str), ("content", str))
    return all(isinstance(result.get(name), kind) for name, kind in fields) and not isinstance(result["id"], bool)


def unsaved_range(field: object) -> tuple[int, int]:
    """The inclusive id range of `welcome`'s `unsaved_ids` ([low, high]); (1, 0), an empty one, when absent or odd."""
    if (
        isinstance(field, list)
        and len(field) == 2
        and all(type(number) is int for number in field)
        and 0 < field[0] <= field[1]
    ):
        return field[0], field[1]
    return 1, 0
