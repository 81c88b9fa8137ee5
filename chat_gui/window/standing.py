"""Keeps the status bar, the title and the lists true to the connection and to this user's standing (Tk thread).

    ChatController.on_state --StateChanged--> Standing.on_state --> status bar, title, a banner, lists emptied
    FrameDisplay (joined, left, nick, muted...) --> ChatController._update_title --> Standing.refresh

The status bar's sentence is composed afresh from where things stand
(chat_gui/window/status_words.py) after every change, whichever route
brought it: New room…, a double-click, /join, a room closed by the
teacher, a reconnect.  When the server sends this user away (kick, ban,
flood, the name taken by their other window or computer) or the user
hangs up, the window says so in the title, the status bar and a banner in the pane, empties the room and people lists, and
strikes out the lines that were waiting to be sent: nothing will send them.
"""

from __future__ import annotations

from collections.abc import Callable

from chat_gui.core.events import Problem, State, StateChanged
from chat_gui.core.session import ClientSession
from chat_gui.window.frame_display import FrameDisplay
from chat_gui.window.main_window import ChatWindow
from chat_gui.window.message_view import MessageView
from chat_gui.window.status_words import Situation, status_text, title_condition

MUTED_FLAG = "You are muted"  # by a teacher or the admin: the pane says who
REMOVED_TITLE = "You were removed from the chat"
ELSEWHERE_TITLE = "You are signed in somewhere else"  # your other window or computer took the name
TURNED_AWAY_TITLE = "The server turned you away"  # sent away before ever chatting (a ban)
HUNG_UP_TITLE = "You disconnected"


class Standing:
    def __init__(
        self,
        window: ChatWindow,
        session: ClientSession,
        frames: FrameDisplay,
        server_here: Callable[[], list[str]],
        fail_pending: Callable[[str], None],
        reconnect: tuple[str, Callable[[], None]],
    ) -> None:
        self.window = window
        self.session = session
        self.frames = frames
        self.server_here = server_here  # "address:port" of a server this window runs, or []
        self.fail_pending = fail_pending  # strike out every line waiting to be sent, with this reason
        self.reconnect = reconnect  # (label, callback) of the "Reconnect now" link
        self.detail = "Not connected."
        self.dialog_problem = False
        self.hanging_up = False  # the user asked to disconnect (Chat > Disconnect): the next `offline` is theirs
        self.title_note: Callable[[], str] = lambda: ""  # words that hold while chatting ("not encrypted")

    def situation(self) -> Situation:
        session = self.session
        return Situation(
            state=session.state,
            detail=self.detail,
            host=session.host,
            port=session.port,
            nick=session.nick,
            room=session.room,
            room_note=self.frames.room_note,
            server_here=self.server_here(),
            dialog_problem=self.dialog_problem,
            ever_ready=session.ever_ready,
            behind=session.behind(),
            reader_gone=session.reader_gone(),
            elsewhere=session.signed_in_elsewhere,
        )

    # -- what changes it --
    def on_state(self, event: StateChanged, dialog_open: bool = False) -> None:
        """Follow a change of state; `dialog_open`: the Connect dialog is in front and says what went wrong."""
        self.detail = event.detail
        # A problem the Connect dialog shows is said there, not a second time here; the dialog then
        # hangs up (offline) so that its Connect starts afresh, which does not make the problem go away.
        shown_in_dialog = event.problem not in (None, Problem.BROKE_PROTOCOL)
        self.dialog_problem = (shown_in_dialog and event.state in (State.REGISTERING, State.FAILED)) or (
            self.dialog_problem and event.state is State.OFFLINE
        )
        if event.state is State.REMOVED:
            self.dialog_problem = dialog_open
            title = REMOVED_TITLE if self.session.ever_ready else TURNED_AWAY_TITLE
            if self.session.signed_in_elsewhere:
                title = ELSEWHERE_TITLE
            self._sent_away(title, event.detail, banner=not dialog_open)
        elif event.state is State.OFFLINE and self.hanging_up:
            self.hanging_up = False
            self._sent_away(HUNG_UP_TITLE, "Nothing you type is sent until you connect again.", banner=True)

    def refresh(self, unread: int) -> None:
        """Compose the status bar and the title from where things stand now."""
        situation = self.situation()
        self.window.show_status(status_text(situation))
        self.window.status_bar.set_flag("muted", MUTED_FLAG if self.frames.muted else "")
        ready_once = self.session.ever_ready
        self.window.set_title(
            self.session.nick if ready_once else "",
            self.session.room,
            unread,
            title_condition(situation),
            self.title_note(),
        )

    # -- inside --
    def _sent_away(self, title: str, detail: str, banner: bool) -> None:
        reason = f"not sent: {title[0].lower()}{title[1:]}"
        self.fail_pending(reason)
        self.frames.outgoing.clear()
        self.window.clear_lists()
        if not banner:
            return
        views: list[MessageView] = [self.window.tabs.room_view]
        current = self.frames.current_view()
        if current is not views[0]:
            views.append(current)
        for view in views:
            view.show_banner(title, detail, style="alert", action=self.reconnect)
