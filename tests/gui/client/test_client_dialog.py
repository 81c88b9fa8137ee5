"""The Connect dialog against real servers: a refused address, a taken nickname, a server started in the app."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import time

import pytest

from chat_server import ChatServer, ServerConfig
from chat_server.netinfo import ONLY_THIS_COMPUTER, only_this_computer
from chat_server.storage import default_data_dir
from tests.gui.client.conftest import WAIT
from tests.support import wait_until


def fill_and_connect(controller, host: str, port: int, nick: str) -> None:
    dialog = controller.dialog
    dialog.host_var.set(host)
    dialog.port_var.set(str(port))
    dialog.nick_var.set(nick)
    dialog.connect_button.invoke()


def free_local_port() -> int:
    """A port on 127.0.0.1 where nothing listens now: one a server just got from port 0 and gave back."""
    server = ChatServer(ServerConfig(host="127.0.0.1", port=0)).start()
    port = server.address[1]
    server.stop()
    return port


def test_nick_taken_is_fixed_in_the_dialog_without_starting_over(
    server, open_window, make_client, tk_root, private_settings
):
    make_client(server, "alice", "general")
    window = open_window(save=True)
    window.show_connect_dialog()
    fill_and_connect(window, *server.address, "Alice")
    wait_until(lambda: "taken" in window.dialog.message.cget("text"), pump=tk_root.update, timeout=WAIT)
    assert window.dialog.focus_get() == window.dialog.nick_entry, "the cursor waits in the nickname field"
    window.dialog.nick_var.set("alice2")
    window.dialog.connect_button.invoke()
    wait_until(lambda: window.session.state == "ready" and window.dialog is None, pump=tk_root.update, timeout=WAIT)
    assert tk_root.title() == "ClassChat — alice2 in #general"
    saved = json.loads((private_settings / "classchat" / "client.json").read_text(encoding="utf-8"))
    assert (saved["host"], saved["port"], saved["nick"]) == (server.address[0], server.address[1], "alice2")


def test_the_address_may_carry_the_port_as_the_teachers_screen_shows_it(server, open_window, tk_root, private_settings):
    window = open_window(save=True)
    window.show_connect_dialog()
    dialog = window.dialog
    host, port = server.address
    fill_and_connect(window, f"{host}:{port}", 1, "alice")  # the port field still holds something else
    assert (dialog.host_var.get(), dialog.port_var.get()) == (host, str(port)), "the port moved to its own field"
    wait_until(lambda: window.session.state == "ready" and window.dialog is None, pump=tk_root.update, timeout=WAIT)
    saved = json.loads((private_settings / "classchat" / "client.json").read_text(encoding="utf-8"))
    assert (saved["host"], saved["port"]) == (host, port)


def test_an_address_with_a_port_that_is_not_one_is_caught_before_connecting(open_window, tk_root):
    window = open_window()
    window.show_connect_dialog()
    for typed, says in (("192.168.1.20:lab", "'lab' is not a port"), ("[fe80::1", "closing ']'")):
        fill_and_connect(window, typed, 55555, "alice")
        assert says in window.dialog.message.cget("text")
        assert window.dialog.host_var.get() == typed, "what was typed stays, to be corrected"
    assert window.session.state == "offline"


def test_refused_on_this_computer_offers_a_server_started_in_the_app(open_window, make_client, tk_root):
    window = open_window()
    window.show_connect_dialog()
    port = free_local_port()
    fill_and_connect(window, "localhost", port, "teacher")
    dialog = window.dialog
    wait_until(lambda: "No chat server answers" in dialog.message.cget("text"), pump=tk_root.update, timeout=WAIT)
    assert dialog.start_button.winfo_manager() == "pack", "a server on this computer is offered"
    dialog.start_button.invoke()
    wait_until(
        lambda: window.session.state == "ready",
        pump=tk_root.update,
        timeout=WAIT,
        message=f"no embedded server: {dialog.message.cget('text') if window.dialog else ''}",
    )
    assert window.embedded.running and window.embedded.port == port
    embedded = window.embedded.server
    assert embedded is not None and embedded.tls is not None, "the server started in the window encrypts too"
    assert embedded.tls.certificate.cert_path.parent == default_data_dir(), "its certificate lives in the data folder"
    assert window.session.security is not None and window.session.security.fingerprint == embedded.tls.fingerprint
    assert window.window.security.state_shown == "encrypted"
    if only_this_computer(window.embedded.addresses()):  # a computer (or test namespace) with no network address
        assert "only this computer can join" in window.window.status.cget("text")
        assert f"{ONLY_THIS_COMPUTER} Closing this window stops the server" in window.room_view.all_text()
    else:
        assert "others join at" in window.window.status.cget("text")
        assert f":{port}. Closing this window stops the server" in window.room_view.all_text()
    student = make_client(window.embedded.server, "student", "general")
    student.send_command("SAY hello teacher")
    wait_until(lambda: "student  hello teacher" in window.room_view.all_text(), pump=tk_root.update, timeout=WAIT)
    window.shutdown()
    assert not window.embedded.running


def test_refused_elsewhere_says_what_to_check(open_window, tk_root):
    window = open_window()
    window.show_connect_dialog()
    fill_and_connect(window, "127.0.0.2", free_local_port(), "alice")
    wait_until(lambda: "Nothing answers" in window.dialog.message.cget("text"), pump=tk_root.update, timeout=WAIT)
    assert "server running" in window.dialog.message.cget("text")
    assert window.dialog.start_button.winfo_manager() == "", "no local server is offered for another address"


def test_a_bad_port_or_nickname_is_caught_before_connecting(open_window, tk_root):
    window = open_window()
    window.show_connect_dialog()
    fill_and_connect(window, "localhost", 70000, "alice")
    assert "port" in window.dialog.message.cget("text")
    fill_and_connect(window, "localhost", 55555, "two words")
    assert "nickname" in window.dialog.message.cget("text")
    assert window.session.state == "offline"


def test_cancelling_a_failed_reconnect_keeps_the_window(server, open_window, tk_root):
    window = open_window(server, "alice")
    window.show_connect_dialog()
    assert window.dialog.quit_button.cget("text") == "Cancel"
    fill_and_connect(window, "127.0.0.1", free_local_port(), "alice")
    wait_until(
        lambda: "No chat server answers" in window.dialog.message.cget("text"), pump=tk_root.update, timeout=WAIT
    )
    window.dialog.quit_button.invoke()
    tk_root.update()
    assert window.dialog is None and tk_root.winfo_exists()


def test_a_port_held_by_another_program_is_named_as_such(open_window, tk_root):
    other_program = socket.create_server(("0.0.0.0", 0))  # accepts connections, never speaks the chat protocol
    port = other_program.getsockname()[1]
    try:
        window = open_window()
        window.session.welcome_timeout = 0.3
        window.show_connect_dialog()
        fill_and_connect(window, "localhost", port, "alice")
        dialog = window.dialog
        wait_until(lambda: "not a ClassChat server" in dialog.message.cget("text"), pump=tk_root.update, timeout=WAIT)
        assert dialog.focus_get() == dialog.port_entry
        dialog.start_button.invoke()  # a server on the same port cannot start: the dialog says why
        wait_until(
            lambda: "already used by another program" in dialog.message.cget("text"), pump=tk_root.update, timeout=WAIT
        )
        assert not window.embedded.running and window.session.state == "failed"
    finally:
        other_program.close()


def test_the_dialog_offers_a_server_here_from_the_start_when_nothing_answers(open_window, tk_root):
    window = open_window()
    window.settings.host, window.settings.port = "localhost", free_local_port()
    window.show_connect_dialog()
    dialog = window.dialog
    wait_until(lambda: dialog.start_button.winfo_manager() == "pack", pump=tk_root.update, timeout=WAIT)
    assert "Nothing answers on this computer" in dialog.message.cget("text")
    # found by a probe: a student whose teacher's server is not up yet was invited to start one of their own
    assert "Students: ask your teacher for the address to join" in dialog.message.cget("text")
    assert dialog.start_button.cget("text") == "I am the teacher: start a server here"
    assert window.session.state == "offline", "offered before any Connect"


def test_the_dialog_offers_no_server_when_one_answers_here_or_the_address_is_elsewhere(server, open_window, tk_root):
    window = open_window()
    window.settings.host, window.settings.port = "127.0.0.1", server.address[1]
    window.show_connect_dialog()
    dialog = window.dialog
    probe = dialog._probe
    assert probe is not None
    wait_until(lambda: probe.answer() is not None, pump=tk_root.update, timeout=WAIT)
    tk_root.update()
    assert probe.answer() is True and dialog.start_button.winfo_manager() == ""
    dialog.port_var.set(str(free_local_port()))  # the user types another port: asked again
    wait_until(lambda: dialog.start_button.winfo_manager() == "pack", pump=tk_root.update, timeout=WAIT)
    dialog.host_var.set("192.0.2.10")  # another computer's address: nothing to offer, nothing asked
    wait_until(lambda: dialog.start_button.winfo_manager() == "", pump=tk_root.update, timeout=WAIT)
    assert dialog._probe is None


def test_a_probe_answering_after_a_refusal_does_not_wipe_it(server, open_window, tk_root):
    """The dialog opens on a refusal while its own "is a server here?" probe is still out (a loaded machine)."""
    for port in (server.address[1], free_local_port()):  # the probe would say "a server is here" / "nothing here"
        window = open_window()
        window.settings.host, window.settings.port = "127.0.0.1", port
        window.show_connect_dialog()
        dialog = window.dialog
        probe = dialog._probe
        assert probe is not None, "the probe is out"
        dialog.show_error("That nickname is taken.", "nick")
        wait_until(lambda probe=probe: probe.answer() is not None, pump=tk_root.update, timeout=WAIT)
        pending = [
            tk_root.tk.call("after", "info", timer) for timer in tk_root.tk.splitlist(tk_root.tk.call("after", "info"))
        ]
        assert not any("_probe_answered" in str(script) for script in pending), "nothing left to overwrite it"
        tk_root.update()
        assert dialog.message.cget("text") == "That nickname is taken."
        window._close_dialog()


def offered_a_server(window, tk_root, port: int):
    """The Connect dialog after connecting to a port where nothing answers: "Start a server" is offered."""
    window.show_connect_dialog()
    fill_and_connect(window, "localhost", port, "teacher")
    dialog = window.dialog
    wait_until(lambda: dialog.start_button.winfo_manager() == "pack", pump=tk_root.update, timeout=WAIT)
    return dialog


def test_a_data_folder_held_by_another_server_is_named_and_the_window_goes_on(open_window, tk_root):
    # The teacher already runs the headless server (its data folder is the default one) and then presses
    # "Start a server" in the window: the second server must not start, and the dialog must say why.
    port = free_local_port()
    other = ChatServer(ServerConfig(host="127.0.0.1", port=0, data_dir=str(default_data_dir()))).start()
    try:
        window = open_window()
        dialog = offered_a_server(window, tk_root, port)
        dialog.start_button.invoke()
        wait_until(lambda: "No server was started" in dialog.message.cget("text"), pump=tk_root.update, timeout=WAIT)
        said = dialog.message.cget("text")
        assert "in use by another ClassChat server" in said and str(default_data_dir()) in said, said
        assert not window.embedded.running and window.dialog is dialog and tk_root.winfo_exists()
        assert other.running, "the server already running is left alone"
    finally:
        other.stop()


def test_a_server_started_in_the_window_that_cannot_keep_anything_says_so(open_window, tk_root):
    """Found by a probe: with the data folder blocked (a file where it should be, a read-only disk) the window's
    server ran memory-only, and the window said only "This computer now runs the chat server": the teacher learnt
    that accounts and history were not kept only after a restart."""
    port = free_local_port()
    blocked = default_data_dir()
    shutil.rmtree(blocked, ignore_errors=True)  # the free port's server made it
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("a file where the data folder should be")
    window = open_window()
    dialog = offered_a_server(window, tk_root, port)
    dialog.start_button.invoke()
    wait_until(lambda: window.session.state == "ready", pump=tk_root.update, timeout=WAIT)
    shown = window.room_view.all_text()
    assert "This computer now runs the chat server" in shown
    assert "Nothing is kept after this window closes" in shown and str(blocked) in shown, shown
    window.shutdown()


def test_a_server_started_in_the_window_waits_for_its_database_without_freezing_the_window(open_window, tk_root):
    """Found by a probe: with DB Browser holding the database, Start a server held the Tk thread for 17.2 s
    (the window did not redraw, "not responding") and then ran memory-only."""
    port = free_local_port()  # its server made the database in the default data folder
    holder = sqlite3.connect(default_data_dir() / "classchat.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # as a database browser with unsaved changes
    try:
        window = open_window()
        dialog = offered_a_server(window, tk_root, port)
        started = time.monotonic()
        dialog.start_button.invoke()
        assert time.monotonic() - started < 1.0, "the Tk thread was held"
        wait_until(lambda: time.monotonic() - started > 1.5, pump=tk_root.update, timeout=WAIT)
        assert "Starting a chat server" in dialog.message.cget("text") and not window.embedded.running
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    wait_until(lambda: window.session.state == "ready", pump=tk_root.update, timeout=WAIT)
    assert window.embedded.server is not None and window.embedded.server.storage.persistent
    assert "Nothing is kept" not in window.room_view.all_text()
    window.shutdown()


def test_a_window_closed_while_its_server_starts_leaves_no_server_running(open_window, tk_root):
    port = free_local_port()
    holder = sqlite3.connect(default_data_dir() / "classchat.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        window = open_window()
        dialog = offered_a_server(window, tk_root, port)
        dialog.start_button.invoke()
        starting = window.connect_flow._starting
        assert starting is not None and starting.outcome() is None
        window.shutdown()  # the teacher closes the window while the server waits for its database
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    wait_until(lambda: starting.outcome() is not None, pump=tk_root.update, timeout=WAIT)
    assert not window.embedded.running and window.embedded.server is None
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
