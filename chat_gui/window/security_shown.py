"""What the window shows about encryption, for the controller: padlock, title, notices, details, key warning (Tk thread).

ChatController.on_state --> follow(state): the padlock shows the connection's protection while connected
                        --> warn(): Problem.KEY_CHANGED: the warning dialog; its answer pins the new
                            key (or forgets the old one) and reconnects, or leaves the window offline
ChatController._on_ready --> on_ready(): a notice for a first connection (compare the key) or a plain one,
                            shown by after_frame() once the `joined` frame that made it ready is shown
Chat menu, padlock click --> show_details(): the Connection details dialog
SecretHeld (a password or join code on a plain connection to another computer) --> ask_plain_secret(): "Send it
                            anyway?", No the default; yes sends it, no keeps it (while registering: not connected)
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from chat_gui.core.connection_security import Security, accept_warning
from chat_gui.core.events import SecretHeld, State
from chat_gui.window.key_warning import KeyWarningDialog
from chat_gui.window.security_view import ConnectionDetails

if TYPE_CHECKING:
    from chat_gui.window.controller import ChatController

CONNECTED_STATES = frozenset((State.REGISTERING, State.JOINING, State.READY))
NOT_ENCRYPTED_NOTE = "not encrypted"


class SecurityShown:
    def __init__(self, controller: ChatController) -> None:
        self.controller = controller
        self.key_dialog: KeyWarningDialog | None = None
        self.details_dialog: ConnectionDetails | None = None
        self._noted: Security | None = None  # the last connection a notice was shown for
        self._pending = False  # on_ready's notice waits for the frame that came with READY

    @property
    def current(self) -> Security | None:
        """The protection of the connection in use, or None while not connected."""
        session = self.controller.session
        return session.security if session.state in CONNECTED_STATES else None

    def follow(self, state: State) -> None:
        self.controller.window.security.show(self.current)

    def title_note(self) -> str:
        security = self.current
        return NOT_ENCRYPTED_NOTE if security is not None and not security.encrypted else ""

    def on_ready(self) -> None:
        """Say once per connection what a person should know: a key to compare, or no encryption at all."""
        session = self.controller.session
        if session.tls_policy.accept_new_key or session.tls_policy.accept_only:  # for the first connection only
            session.tls_policy = replace(session.tls_policy, accept_new_key=False, accept_only="")
        # READY comes with the `joined` frame, just before the window shows that room's pane: say it once that
        # frame is shown (after_frame), or when Tk is idle if no frame follows (ready without a room).
        self._pending = True
        self.controller.root.after_idle(self.after_frame)

    def after_frame(self) -> None:
        """A frame was shown (or Tk is idle): the notice that waited for the room's pane, if one waits."""
        if not self._pending:
            return
        self._pending = False
        security = self.current
        if security is None or security == self._noted:
            return
        self._noted = security
        view = self.controller.room_view
        if not security.encrypted:
            view.show_notice(f"{security.describe()} See Chat → Connection details.", "error")
        elif security.pin == "new" and security.store_damaged:
            view.show_notice(f"{security.describe()} (Chat → Connection details)", "error")
        elif security.pin == "new" and security.fingerprint is not None:
            view.show_notice(
                f"Encrypted. This computer meets this server for the first time and remembers its key: "
                f"{security.fingerprint.short}. Compare it with the key on your teacher's screen "
                f"(Chat → Connection details).",
                "system",
            )
        elif security.pin == "changed":
            view.show_notice("Encrypted, with the server's new key that you accepted.", "system")

    def show_details(self) -> None:
        if self.details_dialog is not None and self.details_dialog.winfo_exists():
            self.details_dialog.destroy()
        session = self.controller.session
        security = self.current
        address = f"{session.host}:{session.port}" if security is not None else ""
        self.details_dialog = ConnectionDetails(
            self.controller.root, address, security, palette=self.controller.window.security.palette
        )

    # -- a secret on a plain connection --
    def ask_plain_secret(self, event: SecretHeld) -> None:
        """Ask once Tk is idle, not inside the core's dispatch that held the secret back."""
        self.controller.root.after_idle(lambda: self._ask_plain_secret(event))

    def _ask_plain_secret(self, event: SecretHeld) -> None:
        session = self.controller.session
        if not session.secret_waiting:
            return  # that connection is gone; a new one asks again
        if self.controller.questions.ask_yes_no("Not encrypted", event.question):
            session.allow_plain_secrets()
            return
        session.keep_secrets()  # while registering this fails the connection and the Connect dialog says why
        if session.state is State.READY:
            self.controller.current_view().show_notice(
                f"Not sent: your {event.kind}, because this connection is not encrypted.", "error"
            )

    # -- a changed key --
    def warn(self) -> None:
        """The server's key changed (or its encryption is gone): ask, with "Do not connect" the default."""
        controller = self.controller
        warning = controller.session.key_warning
        if warning is None:
            return
        if controller.dialog is not None:
            controller.dialog.show_error("The server's key has changed: see the warning.", "host")
        if self.key_dialog is not None and self.key_dialog.winfo_exists():
            self.key_dialog.destroy()
        self.key_dialog = KeyWarningDialog(controller.root, warning, self._answered)

    def _answered(self, go_on: bool) -> None:
        self.key_dialog = None
        controller = self.controller
        warning = controller.session.key_warning
        if go_on and warning is not None:
            if not accept_warning(warning, controller.session.tls_policy):
                controller.room_view.show_notice(
                    "The new key could not be saved (the settings folder cannot be written); not connected.", "error"
                )
                return
            if controller.dialog is not None:
                controller.dialog.show_busy(f"Connecting to {warning.address}…")
            controller.session.reconnect_now()
            return
        controller.window.show_status(
            f"Not connected: the server at {warning.address if warning else ''} "
            "did not show the key this computer remembers."
        )
        controller.room_view.show_notice(
            "Not connected: the server did not show the key this computer remembers. Reconnect shows the "
            "warning again, with both keys.",
            "error",
        )
