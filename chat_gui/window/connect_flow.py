"""The Connect dialog's part of the window: open it, connect or start a server from it, say there what went wrong (Tk thread).

    Chat > Connect…, a problem while connecting --> ConnectFlow.show --> ConnectDialog (connect_dialog.py)
    its Connect       --> the identity choice to the core (identity_flow.py), then ChatController.start
    its Start a server --> EmbeddedServer on this computer (on a worker thread: the dialog says Starting…),
                           then start on 127.0.0.1
    StateChanged with a Problem --> show_problem: one refusal, one message, in the field to fix
    ready --> close

The dialog stays open until the server accepts the user; cancelling it
quits the window before the first connection and only closes it after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_gui.core.events import Problem, State, StateChanged
from chat_gui.window.connect_dialog import LOCAL_HOSTS, STUDENTS_ASK, ConnectDialog
from chat_gui.window.embedded_server import FolderTaken, PortTaken, ServerStopped, Starting, running_notice

if TYPE_CHECKING:
    from chat_gui.window.controller import ChatController

START_POLL_MS = 50  # how often the Tk thread looks whether the server started on a worker thread is up


class ConnectFlow:
    def __init__(self, controller: ChatController) -> None:
        self.controller = controller
        self.dialog: ConnectDialog | None = None
        self._starting: Starting | None = None  # a server being started here, on a worker thread

    def show(self) -> None:
        """The Connect dialog, in front (made if needed)."""
        if self.dialog is not None:
            self.dialog.lift()
            return
        self.dialog = ConnectDialog(
            self.controller.root,
            self.controller.settings,
            on_connect=self._connect,
            on_start_server=self._start_server,
            on_cancel=self._cancel,
            cancel_text="Cancel" if self.controller.was_connected else "Quit",
        )

    def _connect(self, host: str, port: int, nick: str) -> None:
        assert self.dialog is not None
        self.controller.identity.apply_choice(self.dialog, host, port, nick)
        self.controller.start(host, port, nick, self.controller.session.room or self.controller.settings.room)

    def _start_server(self, port: int, nick: str) -> None:
        """Start a server here on a worker thread (the dialog says "Starting…"), then join it."""
        embedded = self.controller.embedded
        if embedded.running:
            self._join_own_server(embedded.port, nick)
        elif self._starting is None:
            self._starting = Starting(embedded, port)
            self.controller.root.after(START_POLL_MS, lambda: self._started(port, nick))

    def _started(self, port: int, nick: str) -> None:
        starting = self._starting
        outcome = starting.outcome() if starting is not None else None
        if outcome is None:
            if starting is not None:
                self.controller.root.after(START_POLL_MS, lambda: self._started(port, nick))
            return
        self._starting = None
        if isinstance(outcome, Exception):
            if self.dialog is None:
                return  # closed meanwhile; nothing to join
            if isinstance(outcome, PortTaken):
                self.dialog.show_error(str(outcome), "port")
            elif isinstance(outcome, FolderTaken):
                self.dialog.show_error(str(outcome))
            elif isinstance(outcome, OSError):
                self.dialog.show_error(
                    f"Could not start a server on port {port}: {outcome.strerror or outcome}.", "port"
                )
            elif not isinstance(outcome, ServerStopped):
                self.dialog.show_error(f"Could not start a server on port {port}: {outcome}.", "port")
            return
        self.controller.room_view.show_notice(running_notice(self.controller.embedded.addresses()), "system")
        warning = self.controller.embedded.keeping_warning()
        if warning:
            self.controller.room_view.show_notice(warning, "error")
        if self.dialog is not None:
            self._join_own_server(outcome, nick)

    def _join_own_server(self, port: int, nick: str) -> None:
        assert self.dialog is not None
        self.dialog.port_var.set(str(port))
        self.controller.identity.apply_choice(self.dialog, "127.0.0.1", port, nick)
        self.controller.start("127.0.0.1", port, nick, self.controller.settings.room)

    def _cancel(self) -> None:
        if self.controller.was_connected:
            self.close()
        else:
            self.controller.quit()

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.destroy()
            self.dialog = None
            self.controller.window.entry.focus()

    def show_problem(self, event: StateChanged) -> None:
        """Connecting or registering did not work: the Connect dialog says what to fix."""
        if event.state is State.REGISTERING:
            self.controller.session.disconnect()  # the dialog's Connect starts afresh with the nickname it asks for
        dialog = self.dialog
        if dialog is None:  # the dialog opens in front and says it: one refusal, one message
            self.show()
            dialog = self.dialog
        assert dialog is not None
        if self.controller.identity.show_problem(event, dialog):
            return
        local = self.controller.session.host in LOCAL_HOSTS and not self.controller.embedded.running
        if event.problem is Problem.REFUSED and local:
            dialog.show_error(
                f"No chat server answers on this computer (port {self.controller.session.port}). {STUDENTS_ASK}",
                "host",
                offer_server=True,
            )
        elif event.problem is Problem.NOT_CHAT_SERVER:
            here = " To start a chat server on this computer, pick a free port." if local else ""
            dialog.show_error(event.detail + here, "port", offer_server=local)
        elif event.problem in (Problem.NICK_TAKEN, Problem.BAD_NICK):
            dialog.show_error(event.detail, "nick")
        else:
            dialog.show_error(event.detail, "host")
