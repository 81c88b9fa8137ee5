"""Typed lines in the window: what each means, sending it, and the lines that wait to be sent (Tk thread).

    entry box Enter, menus --> send_typed --> typed_lines.interpret (the same as chat-term)
        Send      --> checked here (connected? muted? the private partner here?) --> ClientSession.send
                      Waiting: "waiting to send" in the pane until LineSent, or struck out by fail_pending
        Refuse    --> a red note in the pane; the line stays in the box
    LinesNotDelivered (a dying connection ate them) --> not_delivered: a notice per line, "Send again" --> _send
        /pm, /send, /get, /history, /search, /login, /register, /help, /quit, /reconnect --> their owners

Nothing reaches the wire here that a typed line could not say; a line
that cannot go out as it is stays in the box (send_typed returns False).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from chat_gui.core.events import LineSent, LinesNotDelivered, State
from chat_gui.core.history_commands import AskHistory, AskOlder, AskSearch, DeleteLast
from chat_gui.core.sending import NotSent, Waiting
from chat_gui.core.typed_lines import (
    GetFile,
    Login,
    OpenPrivate,
    Quit,
    Reconnect,
    Refuse,
    Register,
    Send,
    SendFile,
    ShowHelp,
    interpret,
)
from chat_gui.window.frame_display import TypedLine
from chat_gui.window.message_view import MessageView
from shared.names import name_key

if TYPE_CHECKING:
    from chat_gui.window.controller import ChatController

SEND_AGAIN_LABEL = "Send again"


class LineSending:
    def __init__(self, controller: ChatController) -> None:
        self.controller = controller
        self.pending_views: dict[int, MessageView] = {}  # token -> the pane showing a line waiting to be sent
        self.pending_chat: dict[int, str] = {}  # token -> the text of a waiting chat line (SAY, MSG, PM)
        self.pending_tabs: dict[int, str] = {}  # token -> the private tab a waiting /pm opened

    def line_sent(self, event: LineSent) -> None:
        """A waiting line went out: its marker goes (the server's echo shows the line)."""
        view = self.pending_views.pop(event.token, None)
        text = self.pending_chat.pop(event.token, None)
        new_tab = self.pending_tabs.pop(event.token, "")
        if view is not None and view.winfo_exists():
            view.resolve_pending(event.token)
            if text is not None:
                self.controller.frames.outgoing.sent(text, TypedLine(view, new_tab))

    def not_delivered(self, event: LinesNotDelivered) -> None:
        """Lines a lost connection ate: said in their conversation's pane, each with "Send again" (never resent by itself)."""
        nick = event.target[1:] if event.target.startswith("@") else None
        if nick is not None:
            view = self.controller.window.tabs.open_private(nick, select=False).view
        else:
            view = self.controller.window.tabs.view_for_room(event.target[1:])
        for text in event.lines:
            typed = Send(f"PM {nick} {text}", text, nick) if nick is not None else Send(f"SAY {text}", text)
            again = self._again(typed, view, None if nick is not None else event.target[1:])
            view.show_notice(f"{event.words}:", "error", quoted=text, action=(SEND_AGAIN_LABEL, again))

    def _again(self, typed: Send, view: MessageView, room: str | None) -> Callable[[], None]:
        """Send again, through the same checks as a typed line (connected, muted, the partner here); once: a
        second click (a double-click is two) sent the line twice (found by a probe, the ninth review)."""
        sent = False

        def send_again() -> None:
            nonlocal sent
            if sent:
                view.show_notice(f"Already sent again: “{' '.join(typed.text.split())}”.", "system")
                return
            now_in = self.controller.session.room
            if room is not None and name_key(now_in or "") != name_key(room):
                view.show_notice(f"Not sent: you are not in #{room} now; type it again there if you go back.", "error")
                return
            sent = self._send(typed, view, typed.to, typed_command=False)

        return send_again

    def send_typed(self, line: str, from_dialog: bool = False) -> bool:
        """A line typed (or a menu's line): sent, refused with a note (False: it stays in the box), or done here.

        `from_dialog`: a dialog built the line (typed_lines.interpret).
        """
        tab = self.controller.window.tabs.current_tab()
        view = self.controller.current_view()
        private_to = tab.nick if tab is not None and tab.nick else None
        typed_command = line.lstrip().startswith("/") and not line.lstrip().startswith("//")
        if tab is not None and not tab.nick and not typed_command:
            view.show_notice("This tab only collects messages. Answer one person with /pm NICK TEXT.", "error")
            return False
        answered = None if typed_command else self.controller.window.reply_bar.taken_for(view)
        if answered is not None:  # the reply bar is open: the line answers that message, where it was said
            return self._send(Send(f"REPLY {answered} {line}", line), view, None, False)
        typed = interpret(
            line, private_to, self.controller.session.roster.is_online, window=True, from_dialog=from_dialog
        )
        if isinstance(typed, Send):
            return self._send(typed, view, private_to, typed_command)
        if isinstance(typed, Refuse):
            view.show_notice(typed.text, "error")
            return False
        if isinstance(typed, (Login, Register)):
            return self.controller.identity.typed(typed)
        if isinstance(typed, OpenPrivate):
            self.controller.open_private(typed.nick)
        elif isinstance(typed, ShowHelp):
            self.controller.show_help()
        elif isinstance(typed, Quit):
            self.controller.quit(typed.command)
        elif isinstance(typed, Reconnect):
            self.controller.reconnect_now()
        elif isinstance(typed, (AskHistory, AskSearch)):
            self.controller.history.typed(typed, private_to)
        elif isinstance(typed, AskOlder):
            self.controller.history.search_older()
        elif isinstance(typed, DeleteLast):
            self.controller.history.delete_newest_own(view)
        elif isinstance(typed, SendFile):
            return self._send_file(typed, private_to, view)
        elif isinstance(typed, GetFile):
            self.controller.files.get(typed.file_id, Path(typed.folder).expanduser() if typed.folder else None)
        return True

    def _send_file(self, typed: SendFile, private_to: str | None, view: MessageView) -> bool:
        path = Path(typed.path).expanduser()
        if not path.is_file():
            view.show_notice(f"No such file: {path}. Put a path with spaces in quotes.", "error")
            return False  # the line stays in the box to be corrected
        self.controller.files.send_file(path, typed.to or private_to)
        return True

    def _send(self, typed: Send, view: MessageView, private_to: str | None, typed_command: bool) -> bool:
        chat_line = typed.command.startswith(("SAY ", "PM ", "MSG ", "REPLY "))
        new_tab = ""
        refusal = self._refusal(chat_line)
        if refusal:
            view.show_notice(refusal, "error")
            return False
        if typed.to is not None:
            if typed_command:  # /pm NICK: the user chose whom, so the conversation opens (again) for them
                self.controller.partners.open(typed.to)
                self.controller.window.tabs.set_shut(typed.to, False)
            partner = self.controller.partners.get(typed.to) or self.controller.partners.open(typed.to)[0]
            if not partner.here:
                view.show_notice(
                    f"Not sent: {partner.nick} is not here (see above). Your text is still in the box; "
                    f"to send it to whoever is called {partner.nick} now, type /pm {partner.nick} TEXT.",
                    "error",
                )
                return False
            if name_key(typed.to) != name_key(private_to or ""):
                # the conversation gets its tab, but the user stays where they type: the next bare line
                # goes where it went before, as in chat-term
                if name_key(typed.to) not in self.controller.window.tabs.private:
                    new_tab = typed.to  # goes again if the server knows nobody of that name and it stays empty
                self.controller.window.tabs.open_private(typed.to, select=False)
                self.controller.history.private_opened(typed.to)  # its last messages, before the new one
        result = self.controller.session.send(typed.command)
        if isinstance(result, NotSent):
            view.show_notice(result.reason, "error")
            return False
        if isinstance(result, Waiting):
            view.show_pending(typed.text, result.token)
            self.pending_views[result.token] = view
            if chat_line:
                self.pending_chat[result.token] = typed.text
                self.pending_tabs[result.token] = new_tab
        elif chat_line:
            self.controller.frames.outgoing.sent(typed.text, TypedLine(view, new_tab))
        return True

    def _refusal(self, chat_line: bool) -> str:
        """Why a line cannot go out as things stand ("" when it can); the line then stays in the box."""
        state = self.controller.session.state
        if state in (State.OFFLINE, State.FAILED):
            where = "Reconnect now (Ctrl+R, or /reconnect)" if self.controller.session.host else "Chat > Connect…"
            return f"Not sent: you are not connected. {where} first; your text is still in the box."
        if chat_line and self.controller.frames.muted:
            return (
                "Not sent: you are muted, so nothing you say reaches anyone (private messages neither). "
                "Your text is still in the box for when you are unmuted."
            )
        return ""

    def fail_pending(self, reason: str) -> None:
        """Strike out every line still waiting to be sent: nothing will send it now."""
        for line in self.controller.session.drop_pending():
            view = self.pending_views.pop(line.token, None)
            self.pending_chat.pop(line.token, None)
            self.pending_tabs.pop(line.token, None)
            if view is not None and view.winfo_exists():
                view.fail_pending(line.token, reason)
