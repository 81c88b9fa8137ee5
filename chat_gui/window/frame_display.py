"""What the window shows for each server frame: typed frames become intent calls on the widgets (Tk thread).

    ClientSession --Received(frame)--> ChatController --> FrameDisplay.show(frame) --> MessageView, lists, tabs

One method per frame type, each given its own TypedDict.  Text from users
goes only where the server's text cannot be mistaken for it: messages in
the message layout, a leaver's reason quoted after the server's words.
Private messages open a tab each, up to MAX_TABS_BY_OTHERS tabs opened by
other people; past that they collect in one tab, with one notice and at
most one bell every BELL_GAP_SECONDS however many arrive.

Each room's messages go to that room's own pane (chat_gui/window/room_views.py).
Joins and leaves are quiet lines that fold together; an announcement is a
banner naming who sent it.  What the frames say about this user's
standing is kept here for the status bar: `muted`, and `room_note` (why
you are in no room).  `outgoing` pairs the chat lines sent with their
echo or their refusal, so a line refused (muted, nobody of that name online,
ignored by its recipient) is shown struck out where it was typed, its words
kept in view; a private tab that a /pm to nobody opened goes again unless it
shows a conversation (its kept messages).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

from chat_gui.core.outgoing import OutgoingLines
from chat_gui.core.partners import PartnerNotice, Partners, left_the_server
from chat_gui.core.session import ClientSession
from chat_gui.window.main_window import ChatWindow
from chat_gui.window.message_view import MessageView, badge_of
from chat_gui.window.private_tabs import PrivateTab
from shared.frame_types import (
    ByeFrame,
    ErrorFrame,
    JoinedFrame,
    LeftFrame,
    MembersFrame,
    MessageFrame,
    NickFrame,
    PrivateFrame,
    RoomsFrame,
    ServerFrame,
    SystemFrame,
)
from shared.names import name_key

BELL_GAP_SECONDS = 10.0
FLOOD_QUIET_SECONDS = 60.0  # a flood of private messages is over after this long without one in the collecting tab
# Refusals a chat line (SAY, MSG, PM) gets that are about that line: it is shown struck out where it was typed,
# with the reason, so its words stay in view (a /pm to a misspelt name was gone with only "Nobody called ...").
LINE_REFUSALS = frozenset(("muted", "no_such_user", "ignored"))


class TypedLine(NamedTuple):
    """Where a chat line waiting for its echo was typed, and the private tab its /pm opened ("" if none)."""

    view: MessageView
    new_tab: str = ""


class FrameDisplay:
    def __init__(
        self,
        window: ChatWindow,
        session: ClientSession,
        partners: Partners,
        current_view: Callable[[], MessageView],
        count_unread: Callable[[int | None, bool], None],
        update_title: Callable[[], None],
    ) -> None:
        self.window = window
        self.session = session
        self.partners = partners
        self.current_view = current_view
        self.count_unread = count_unread
        self.update_title = update_title
        self.shutdown_notice = ""
        self.refusal_words = ""  # the last error's words: a ban says them as `error` banned, then as its `bye`
        self.muted = False
        self.room_note = ""  # why this user is in no room now ("#maths was closed: ...")
        self.outgoing: OutgoingLines[TypedLine] = OutgoingLines()
        # a /pm to nobody (misspelt, offline): the tab it opened goes again if it shows no conversation
        self.drop_empty_tab: Callable[[str], None] = lambda nick: None
        self.on_muted: Callable[[bool], None] = lambda muted: None
        self.mentioned: Callable[[MessageFrame], bool] = lambda frame: False  # names this user (mention_alerts.py)
        self.hides: Callable[[MessageFrame], bool] = lambda frame: False  # from someone ignored: folded
        self._last_bell = float("-inf")
        self._last_collected = float("-inf")

    @property
    def room_view(self) -> MessageView:
        return self.window.tabs.room_view

    def show(self, frame: ServerFrame) -> None:
        self.tell_partners(self.partners.learn(frame, self.session.nick), frame["timestamp"])
        if frame["type"] == "message":
            self._message(frame)
        elif frame["type"] == "private":
            self._private(frame)
        elif frame["type"] == "joined":
            self._joined(frame)
        elif frame["type"] == "members":
            self._members(frame)
        elif frame["type"] == "left":
            self._left(frame)
        elif frame["type"] == "system":
            self._system(frame)
        elif frame["type"] == "rooms":
            self._rooms(frame)
        elif frame["type"] == "nick":
            self._nick(frame)
        elif frame["type"] == "error":
            self._error(frame)
        elif frame["type"] == "bye":
            self._bye(frame)
        elif frame["type"] in ("list", "help", "pong"):
            self.current_view().show_notice(frame["content"], "system", frame["timestamp"])

    def tell_partners(self, notices: list[PartnerNotice], stamp: str = "") -> None:
        """Each notice in its conversation's tab, and the tab's banner says whether typing there sends."""
        for notice in notices:
            tab = self.window.tabs.private.get(name_key(notice.nick))
            partner = self.partners.get(notice.nick)
            if tab is not None and partner is not None:
                tab.view.show_notice(notice.text, "system", stamp)
                self.window.tabs.set_shut(notice.nick, not partner.here)

    # -- one method per frame type --
    def _message(self, frame: MessageFrame) -> None:
        own = name_key(frame["sender"]) == name_key(self.session.nick)
        view = self.window.tabs.view_for_room(frame["room"])
        style = "own" if own else "mention" if self.mentioned(frame) else ""
        hidden = not own and self.hides(frame)  # someone this user ignores: folded (chat_gui/core/ignored_names.py)
        view.show_message(
            frame["timestamp"],
            frame["sender"],
            frame["content"],
            style,
            badge=badge_of(frame),
            hidden=hidden,
            reply=frame.get("reply"),
        )
        if own:
            self.outgoing.echoed()
        elif not hidden:  # a folded line from someone ignored is nothing to read: no count on the tab or in the title
            self.window.tabs.count_room_message(frame["room"], frame["id"])
            # a caught-up message (`history`, said while the connection was down) was never seen: counted as live
            self.count_unread(frame["id"], style == "mention")

    def _private(self, frame: PrivateFrame) -> None:
        own = name_key(frame["sender"]) == name_key(self.session.nick)
        other = frame["to"] if own else frame["sender"]
        tabs = self.window.tabs
        tab: PrivateTab | None = tabs.private.get(name_key(other))
        if tab is None and (own or tabs.room_for_another_tab()):
            tab = tabs.open_private(other, select=False, by_other=not own)
        if own:
            self.outgoing.echoed()
        if tab is None:
            self._collect(frame)
            return
        tab.view.show_message(
            frame["timestamp"],
            frame["sender"],
            frame["content"],
            "own" if own else "private",
            badge=badge_of(frame),
            reply=frame.get("reply"),
        )
        if not own:
            tabs.mark_unread(tab, frame["id"])
            self._ring()
            self.count_unread(frame["id"], False)

    def _collect(self, frame: PrivateFrame) -> None:
        """A private message from one person too many: into the collecting tab, one notice per flood."""
        tabs = self.window.tabs
        now = time.monotonic()
        if tabs.collector is None or now - self._last_collected > FLOOD_QUIET_SECONDS:
            self.room_view.show_notice(
                "Private messages are arriving from many people at once. Those from people without a tab "
                "of their own are collected in the “✉ more” tab.",
                "error",
                frame["timestamp"],
            )
        self._last_collected = now
        tab = tabs.collecting_tab()
        tab.view.show_message(
            frame["timestamp"],
            frame["sender"],
            frame["content"],
            "private",
            badge=badge_of(frame),
            reply=frame.get("reply"),
        )
        tabs.mark_unread(tab, frame["id"])
        self._ring()
        self.count_unread(frame["id"], False)

    def _ring(self) -> None:
        now = time.monotonic()
        if now - self._last_bell >= BELL_GAP_SECONDS:
            self._last_bell = now
            self.window.root.bell()

    def _joined(self, frame: JoinedFrame) -> None:
        room = frame["room"]
        self.room_note = ""
        view = self.window.tabs.show_room(room)
        view.show_notice(frame["content"], "system", frame["timestamp"])
        self.window.users.set_users(frame["users"], self.session.nick)
        self.window.rooms.set_current(room)
        self.window.tabs.select(view)
        self.update_title()

    def _members(self, frame: MembersFrame) -> None:
        if self.session.roster.in_my_room(frame["room"]):
            self.window.users.set_users([*self.window.users.users, *frame["users"]], self.session.nick)

    def _left(self, frame: LeftFrame) -> None:
        view = self.window.tabs.view_for_room(frame["room"])
        view.show_notice(frame["content"], "system", frame["timestamp"])
        self.window.users.set_users([], self.session.nick)
        self.window.rooms.set_current(None)
        if view is self.room_view:
            self.window.tabs.set_room_title(frame["room"], here=False)
        self.update_title()

    def _system(self, frame: SystemFrame) -> None:
        event, user = frame["event"], frame.get("user", "")
        room = frame.get("room")
        in_my_room = self.session.roster.in_my_room(room)
        view = self.window.tabs.view_for_room(room) if room and in_my_room else self.room_view
        if in_my_room and event == "join":
            self.window.users.add_user(user)
        elif in_my_room and event == "leave":
            self.window.users.remove_user(user)
        elif event == "nick" and frame.get("old"):
            self.window.users.rename_user(frame.get("old", ""), user)
        elif event == "shutdown":
            self.shutdown_notice = frame["content"]
        elif event in ("muted", "unmuted") and (not user or name_key(user) == name_key(self.session.nick)):
            self.set_muted(event == "muted")
        elif event in ("room_closed", "removed"):
            self.room_note = frame["content"]
        elif event == "announcement":
            self._announcement(frame)
            return
        reason = frame.get("reason", "")
        if event in ("join", "leave") and user and not reason:
            view.show_presence(event, user, frame["content"], frame["timestamp"])
            return
        text = _words_before(frame) if reason else frame["content"]
        topic = frame.get("topic")
        if event == "topic" and isinstance(topic, str) and topic:  # the owner's words, quoted apart like a reason
            text, reason = topic_words(frame), topic
        style = "error" if event in ("shutdown", "muted", "room_closed", "removed") else "system"
        view.show_notice(text, style, frame["timestamp"], quoted=reason)

    def _announcement(self, frame: SystemFrame) -> None:
        """A banner in the pane in front, naming who sent it: the server's admin, or a teacher (`user`)."""
        sender = frame.get("by") or frame.get("user", "")  # the contract names the teacher in `by`
        text = frame["content"]
        text = text[len("Announcement: ") :] if text.startswith("Announcement: ") else text
        own_words = frame.get("text")
        if sender and isinstance(own_words, str) and own_words:
            text = own_words  # not "Announcement from Ms_Lee: ..." again under the banner's title
        title = f"📢 Announcement from {sender}" if sender else "📢 Announcement from the server's admin"
        self.current_view().show_banner(title, text, frame["timestamp"])
        self.count_unread(None, False)

    def set_muted(self, muted: bool) -> None:
        if muted != self.muted:
            self.muted = muted
            self.on_muted(muted)

    def _rooms(self, frame: RoomsFrame) -> None:
        rooms: list[tuple[str, int]] = []
        entries: list[object] = list(frame["rooms"])  # the frame check looks at the list, not inside its entries
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            name, count = entry.get("name"), entry.get("count", 0)
            if isinstance(name, str) and isinstance(count, int) and not isinstance(count, bool):
                rooms.append((name, count))
        self.window.rooms.set_rooms(rooms, self.session.room)

    def _nick(self, frame: NickFrame) -> None:
        old = frame.get("old")
        if old:
            self.room_view.show_notice(frame["content"], "system", frame["timestamp"])
            self.window.users.rename_user(old, frame["nick"])
        self.window.users.set_users(self.window.users.users, self.session.nick)
        self.update_title()

    def _error(self, frame: ErrorFrame) -> None:
        self.refusal_words = frame["content"]
        if frame["code"] == "muted":
            self.set_muted(True)
        if frame["code"] in LINE_REFUSALS:
            refused = self.outgoing.refused()
            if refused is not None:  # the line itself, struck out, says it: one refusal, one message
                text, (view, new_tab) = refused
                if new_tab and frame["code"] == "no_such_user":
                    self.drop_empty_tab(new_tab)
                if view.winfo_exists():
                    view.show_undelivered(text, frame["content"])
                    return
        self.current_view().show_notice(frame["content"], "error", frame["timestamp"])

    def _bye(self, frame: ByeFrame) -> None:
        # a server going down says it twice: system/shutdown, then bye; a ban too: error banned, then bye
        if frame["content"] not in (self.shutdown_notice, self.refusal_words):
            self.current_view().show_notice(frame["content"], "system", frame["timestamp"])


def topic_words(frame: SystemFrame) -> str:
    """The server's own words of a topic notice, without the topic (a room owner's words, shown quoted, apart)."""
    user, room = frame.get("user", ""), frame.get("room", "")
    return f"{user} set the topic of #{room}:" if room else f"{user} set the topic:"


def _words_before(frame: SystemFrame) -> str:
    """The server's own words of a notice whose `reason` is shown quoted, apart: a removal, a move, a leave."""
    if frame["event"] == "removed":
        return removed_words(frame)
    if frame["event"] == "moved":  # a teacher's MOVE sent me here (chat_server/handlers/moving.py)
        by = frame.get("by")
        mover = f"{by} (teacher)" if by else "An admin"  # the console's /move has no `by`
        return f"{mover} moved you to #{frame.get('room', '')}:"
    return leave_words(frame)


def removed_words(frame: SystemFrame) -> str:
    """The server's own words of a `removed` notice, without the remover's reason (shown quoted, apart)."""
    return f"{frame.get('by', '')} removed you from #{frame.get('room', '')}"


def leave_words(frame: SystemFrame) -> str:
    """The server's own words of a leave notice, without the leaver's reason (which is shown quoted, apart).

    The server words it `bob left #lab (quit: "the reason")`; the reason is
    the user's and comes whole in the `reason` field.
    """
    user, room = frame.get("user", ""), frame.get("room", "")
    words = f"{user} left #{room}" if room else f"{user} left"
    rest = frame["content"][len(words) :] if frame["content"].startswith(words) else ""
    cause = rest.strip().removeprefix("(").split(":", 1)[0].split(")", 1)[0].strip()
    if cause.isalpha() and len(cause) <= 20 and left_the_server(frame):
        return f"{words} ({cause}):"
    return f"{words}:"
