"""The chat window (chat_gui.app.main) with its own server started at once, on 127.0.0.1 port 0, for the SIGTERM test (main thread).

    python -m tests.gui.client.inapp_server_child     prints "serving PORT" once the window joined its own server

The server listens on 127.0.0.1, not on every interface as the Start
button's does, and announces nowhere but on loopback: tests stay off the network.
"""

from __future__ import annotations

import ipaddress
import sys

from chat_gui import app
from chat_gui.core.events import State
from chat_gui.window.controller import ChatController
from chat_server.discovery import ServerAnnouncer

real_announce = ServerAnnouncer.start


def announce_on_loopback_only(announcer: ServerAnnouncer) -> ServerAnnouncer:
    if not all(ipaddress.ip_address(a).is_loopback for a in [*announcer.interfaces, *announcer.addresses]):
        raise SystemExit("the in-app server tried to announce itself off loopback")
    return real_announce(announcer)


def start_own_server(controller: ChatController) -> None:
    """Instead of the Connect dialog: what its Start button does, on 127.0.0.1."""
    port = controller.embedded.start(0, host="127.0.0.1")
    controller.start("127.0.0.1", port, "teacher", "general")

    def say_when_ready() -> None:
        if controller.session.state is State.READY:
            print(f"serving {port}", flush=True)
        else:
            controller.root.after(20, say_when_ready)

    say_when_ready()


if __name__ == "__main__":
    ServerAnnouncer.start = announce_on_loopback_only  # type: ignore[method-assign]
    ChatController.show_connect_dialog = start_own_server  # type: ignore[method-assign]
    sys.exit(app.main([]))
