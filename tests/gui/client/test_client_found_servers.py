"""The Connect dialog lists the class servers announced on the network (on loopback here); double-click joins (issue 16)."""

from __future__ import annotations

import asyncio
import time
from tkinter import ttk

from zeroconf import Zeroconf

from chat_server import ChatServer
from chat_server.config import ServerConfig
from chat_server.discovery import ServerAnnouncer
from shared.discovery_record import FoundServer
from shared.palette import AA_TEXT, DARK, contrast_ratio
from tests.gui.client.conftest import WAIT
from tests.integration.test_discovery import LOOPBACK, PHYSICS, flood_of, no_mdns_off_loopback
from tests.support import wait_until


def test_the_dialog_lists_an_announced_server_and_a_double_click_joins_it(server, open_window, tk_root):
    window = open_window()
    window.show_connect_dialog()
    dialog = window.dialog
    dialog.nick_var.set("pupil")
    dialog.host_var.set("somewhere.else")
    with no_mdns_off_loopback():
        announcer = ServerAnnouncer(PHYSICS, server.address[1], addresses=LOOPBACK, interfaces=LOOPBACK).start()
        try:
            started = time.monotonic()
            tree = dialog.found.tree

            def our_rows() -> list[str]:  # other test runs on this machine may be announcing on loopback too
                return [row for row in tree.get_children() if tree.item(row, "text") == PHYSICS]

            wait_until(our_rows, pump=tk_root.update, timeout=WAIT, message="not listed")
            print(f"\nlisted in the dialog {time.monotonic() - started:.2f} s after the announcement started")
            [row] = our_rows()
            assert tree.item(row, "values") == (f"127.0.0.1:{server.address[1]}", "key not announced")
            tree.update_idletasks()
            x, y, _width, height = tree.bbox(row)
            for _click in range(2):  # a double click, as Tk sees one: two presses at one place in quick succession
                tree.event_generate("<ButtonPress-1>", x=x + 5, y=y + height // 2)
                tree.event_generate("<ButtonRelease-1>", x=x + 5, y=y + height // 2)
            wait_until(lambda: window.session.state == "ready", pump=tk_root.update, timeout=WAIT)
            assert (window.session.host, window.session.port, window.session.nick) == (
                "127.0.0.1",
                server.address[1],
                "pupil",
            )
            assert window.dialog is None
        finally:
            announcer.stop()


def test_without_a_nickname_the_dialog_asks_for_one_before_joining(open_window, tk_root):
    window = open_window()
    window.show_connect_dialog()
    dialog = window.dialog
    dialog.nick_var.set("")
    found = FoundServer("Maths on pc port 4000._classchat._tcp.local.", "Maths", ("127.0.0.1",), 4000, 2, None, "pc")
    dialog.found.show_servers((found,))
    dialog.found.tree.selection_set("0")
    dialog.found.tree.focus_force()
    tk_root.update()
    dialog.found.tree.event_generate("<Return>")
    tk_root.update()
    assert (dialog.host_var.get(), dialog.port_var.get()) == ("127.0.0.1", "4000")
    assert "Choose a nickname to join Maths" in dialog.message.cget("text")
    assert window.session.state == "offline"


def test_a_server_of_another_version_says_so_and_the_list_is_replaced_whole(open_window, tk_root):
    window = open_window()
    window.show_connect_dialog()
    panel = window.dialog.found
    old = FoundServer("a", "Old class", ("127.0.0.1",), 4001, 1, None, "pc")
    new = FoundServer("b", "New class", ("::1",), 4002, 2, None, "pc")
    panel.show_servers((old, new))
    tree = panel.tree
    assert [tree.item(row, "values")[0] for row in tree.get_children()] == [  # sorted by class name
        "[::1]:4002",
        "127.0.0.1:4001 (another version)",
    ]
    panel.show_servers(())
    assert tree.get_children() == () and "type the address" in panel.status.cget("text")


def test_each_found_server_says_how_its_announced_key_compares_with_the_one_trusted(server, open_window, tk_root):
    """A real TLS join pins the key; then the announcement with that key's prefix reads "known key" and one with another
    prefix at the same address warns, in the theme's error colour, with a sentence under the list."""
    window = open_window(server, "pupil")  # connecting over TLS pinned the server's key for 127.0.0.1:port
    assert server.tls is not None
    port = server.address[1]
    window.show_connect_dialog()
    panel = window.dialog.found
    tree = panel.tree
    trusted_prefix = server.tls.fingerprint.hex[:16]
    other_prefix = "0" * 16 if not trusted_prefix.startswith("0" * 16) else "f" * 16
    with no_mdns_off_loopback():
        honest = ServerAnnouncer(
            PHYSICS, port, addresses=LOOPBACK, interfaces=LOOPBACK, fingerprint_prefix=trusted_prefix
        ).start()
        impostor = ServerAnnouncer(
            f"{PHYSICS} impostor", port, addresses=LOOPBACK, interfaces=LOOPBACK, fingerprint_prefix=other_prefix
        ).start()
        try:

            def rows() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
                return {
                    str(tree.item(row, "text")): (tuple(tree.item(row, "values")), tuple(tree.item(row, "tags")))
                    for row in tree.get_children()
                    if str(tree.item(row, "text")).startswith(PHYSICS)
                }

            wait_until(lambda: len(rows()) == 2, pump=tk_root.update, timeout=WAIT, message="not both listed")
            listed = rows()
            assert listed[PHYSICS] == ((f"127.0.0.1:{port}", "known key"), ("key-known",))
            assert listed[f"{PHYSICS} impostor"] == (
                (f"127.0.0.1:{port}", "⚠ key differs from the one you trusted"),
                ("key-changed",),
            )
            assert str(tree.tag_configure("key-changed", "foreground")) == window.look.palette.error
            warning = str(panel.status.cget("text"))
            assert f"“{PHYSICS} impostor” differs from the one you trusted at 127.0.0.1:{port}" in warning
            assert str(panel.status.cget("style")) == "Error.TLabel"

            window.look.set_theme("dark")  # the warning keeps reading in the other theme
            tk_root.update()
            assert str(tree.tag_configure("key-changed", "foreground")) == window.look.palette.error
        finally:
            honest.stop()
            impostor.stop()


def test_a_server_never_joined_reads_new_and_one_without_a_key_says_so(open_window, tk_root):
    window = open_window()
    window.show_connect_dialog()
    panel = window.dialog.found
    new = FoundServer("a", "New class", ("127.0.0.1",), 4001, 2, "3fa4c1d2e5f60718", "pc")
    plain = FoundServer("b", "Plain class", ("127.0.0.1",), 4002, 2, None, "pc")
    panel.show_servers((new, plain))
    tree = panel.tree
    assert [tree.item(row, "values")[1] for row in tree.get_children()] == ["new server", "key not announced"]
    assert panel.key_of(new).state == "new" and panel.key_of(plain).state == "unannounced"
    assert "Double-click" in panel.status.cget("text") and str(panel.status.cget("style")) == "Muted.TLabel"


def test_copies_dressed_up_with_an_emoji_or_words_are_warned_about_under_the_name_they_copy(open_window, tk_root):
    """Found by the thirteenth review: "🔒 Physics 3B" and "Physics 3B (Ms Lee)" at a student's address stood
    beside the teacher's "Physics 3B" with "new server" like hers and no warning."""
    window = open_window()
    window.show_connect_dialog()
    panel = window.dialog.found
    locked = FoundServer("a", "🔒 Physics 3B", ("127.0.0.2",), 40000, 2, "00112233aabbccdd", "eve")
    named = FoundServer("b", "Physics 3B (Ms Lee)", ("127.0.0.2",), 40001, 2, "00112233aabbccdd", "eve")
    teacher = FoundServer("c", "Physics 3B", ("127.0.0.1",), 55555, 2, "3fa4c1d2e5f60718", "pc")
    panel.show_servers((locked, named, teacher))
    status = str(panel.status.cget("text"))
    assert status.startswith("Careful: more than one server calls itself “Physics 3B” (")
    assert all(place in status for place in ("127.0.0.2:40000", "127.0.0.2:40001", "127.0.0.1:55555"))
    assert str(panel.status.cget("style")) == "Error.TLabel"


def test_the_dialogs_hint_and_messages_read_in_the_dark_theme_too(open_window, tk_root):
    window = open_window()
    window.look.set_theme("dark")
    window.show_connect_dialog()
    dialog = window.dialog
    tk_root.update()
    style = ttk.Style(tk_root)
    background = str(style.lookup(".", "background"))
    assert background == DARK.window
    for show in (lambda: dialog.show_error("Nickname taken."), lambda: dialog.show_busy("Connecting…")):
        show()
        own = str(dialog.message.cget("foreground"))  # a colour set on the label itself wins over its style
        colour = own or str(style.lookup(str(dialog.message.cget("style")) or "TLabel", "foreground"))
        assert contrast_ratio(colour, background) >= AA_TEXT, (colour, background)


def teacher_and_impostor(start_server, tmp_path) -> tuple[ChatServer, ChatServer]:
    """The teacher's server on 127.0.0.1 and another one on 127.0.0.2 at the same port (a few tries: other runs on
    this machine may hold that port on every address)."""
    for attempt in range(5):
        teacher = start_server()
        config = ServerConfig(host="127.0.0.2", port=teacher.address[1], data_dir=str(tmp_path / f"impostor{attempt}"))
        try:
            return teacher, ChatServer(config).start()
        except OSError:
            continue
    raise AssertionError("no port free on both 127.0.0.1 and 127.0.0.2")


def test_an_impostor_announcing_the_trusted_name_and_key_from_another_address_is_not_known_and_joins_where_judged(
    start_server, open_window, tk_root, tmp_path
):
    """The teacher's server (127.0.0.1) has its key pinned; another server on 127.0.0.2, same port, announces the same
    name with the teacher's fingerprint prefix, listing its own address first and the teacher's second.  The row must
    not read "known key"; a double-click fills in the address that was judged and does not join at once; Connect then
    joins that address, nowhere else."""
    server, impostor_server = teacher_and_impostor(start_server, tmp_path)
    open_window(server, "pupil")  # connecting over TLS pinned the teacher's key for 127.0.0.1:port
    assert server.tls is not None
    port = server.address[1]
    window = open_window()  # another window on this computer: same trust store, not connected
    window.show_connect_dialog()
    dialog = window.dialog
    dialog.nick_var.set("pupil2")
    tree = dialog.found.tree
    impostor = FoundServer(
        f"{PHYSICS} on x port {port}._classchat._tcp.local.",
        PHYSICS,
        ("127.0.0.2", "127.0.0.1"),
        port,
        2,
        server.tls.fingerprint.hex[:16],
        "",
    )
    try:
        dialog.found.show_servers((impostor,))
        [row] = tree.get_children()
        where, key = tree.item(row, "values")
        assert where == f"127.0.0.2:{port}" and key != "known key"
        assert key == "⚠ not the address you trusted" and tuple(tree.item(row, "tags")) == ("key-elsewhere",)
        assert str(tree.tag_configure("key-elsewhere", "foreground")) == window.look.palette.error
        warning = str(dialog.found.status.cget("text"))
        assert f"announced at 127.0.0.2:{port}, but you trusted its key at 127.0.0.1:{port}" in warning
        tk_root.update()
        tree.update_idletasks()
        x, y, _width, height = tree.bbox(row)
        for _click in range(2):
            tree.event_generate("<ButtonPress-1>", x=x + 5, y=y + height // 2)
            tree.event_generate("<ButtonRelease-1>", x=x + 5, y=y + height // 2)
        tk_root.update()
        assert (dialog.host_var.get(), dialog.port_var.get()) == ("127.0.0.2", str(port))  # the address judged
        assert "you trusted its key at 127.0.0.1" in str(dialog.message.cget("text"))
        assert window.dialog is dialog and impostor_server.registry.online_nicks() == []  # not joined at once
        dialog.connect_button.invoke()  # the person insists: the address judged is the one joined
        wait_until(
            lambda: window.session.state == "ready" and "pupil2" in impostor_server.registry.online_nicks(),
            pump=tk_root.update,
            timeout=WAIT,
        )
        assert (window.session.host, window.session.port) == ("127.0.0.2", port)
    finally:
        impostor_server.stop()


def test_on_the_day_the_teachers_key_changes_a_copy_of_its_name_is_warned_about_too(
    start_server, open_window, tk_root, tmp_path
):
    """Found by the eighth review: after the teacher's reinstall her row warned "key differs", while a student's
    server on another computer announcing her class name (and her new key's prefix) read "new server" and joined at a
    double-click, pinning the impostor's key without a word: the one row without a warning was the impostor's."""
    server, impostor_server = teacher_and_impostor(start_server, tmp_path)
    open_window(server, "pupil")  # this computer joined the teacher's server before: her key is pinned
    assert server.tls is not None and impostor_server.tls is not None
    port = server.address[1]
    window = open_window()
    window.show_connect_dialog()
    dialog = window.dialog
    dialog.nick_var.set("pupil2")
    new_prefix = impostor_server.tls.fingerprint.hex[:16]  # the prefix both announce now
    teacher = FoundServer(f"{PHYSICS} on a._classchat._tcp.local.", PHYSICS, ("127.0.0.1",), port, 2, new_prefix, "a")
    impostor = FoundServer(f"{PHYSICS} on b._classchat._tcp.local.", PHYSICS, ("127.0.0.2",), port, 2, new_prefix, "b")
    try:
        dialog.found.show_servers((teacher, impostor))
        tree = dialog.found.tree
        rows = {
            str(tree.item(row, "values")[0]): (tree.item(row, "values")[1], tree.item(row, "tags"))
            for row in tree.get_children()
        }
        assert rows[f"127.0.0.1:{port}"] == ("⚠ key differs from the one you trusted", ("key-changed",))
        assert rows[f"127.0.0.2:{port}"] == ("⚠ not the server you joined, only its name", ("key-copy",))
        assert str(tree.tag_configure("key-copy", "foreground")) == window.look.palette.error
        status = str(dialog.found.status.cget("text"))
        assert "differs from the one you trusted" in status
        assert f"at 127.0.0.2:{port} is not the server you joined at 127.0.0.1:{port}, only its name" in status
        tk_root.update()
        tree.update_idletasks()
        [row] = [row for row in tree.get_children() if tree.item(row, "values")[0] == f"127.0.0.2:{port}"]
        x, y, _width, height = tree.bbox(row)
        for _click in range(2):
            tree.event_generate("<ButtonPress-1>", x=x + 5, y=y + height // 2)
            tree.event_generate("<ButtonRelease-1>", x=x + 5, y=y + height // 2)
        tk_root.update()
        assert "only its name" in str(dialog.message.cget("text"))
        assert window.dialog is dialog and impostor_server.registry.online_nicks() == []  # not joined at once
    finally:
        impostor_server.stop()


def test_sixty_fakes_announced_first_cannot_hide_the_teacher_behind_an_impostor_of_the_same_name(
    server, open_window, tk_root
):
    """Found by a probe: the dialog listens first; 60 fakes fill it, one named exactly like the class; then the
    teacher starts the server.  Both "Physics 3B" rows must be shown, with the warning, and the rest counted."""
    window = open_window()
    window.show_connect_dialog()
    panel = window.dialog.found
    tree = panel.tree
    raw = Zeroconf(interfaces=LOOPBACK)
    with no_mdns_off_loopback():
        try:
            for info in flood_of(60, "Fake", named_like={7: PHYSICS}):
                asyncio.run_coroutine_threadsafe(raw.async_register_service(info), raw.loop)

            def fakes_heard() -> bool:
                browser = panel._browser
                return (
                    browser is not None
                    and len([s for s in browser.servers() if "Fake" in s.service]) + (browser.refused) >= 60
                )

            wait_until(fakes_heard, pump=tk_root.update, timeout=WAIT, message="the flood was not heard")
            announcer = ServerAnnouncer(PHYSICS, server.address[1], addresses=LOOPBACK, interfaces=LOOPBACK).start()
            try:

                def physics_rows() -> list[str]:
                    return [
                        str(tree.item(row, "values")[0])
                        for row in tree.get_children()
                        if tree.item(row, "text") == PHYSICS
                    ]

                rows = wait_until(
                    lambda: len(physics_rows()) == 2 and physics_rows(),
                    pump=tk_root.update,
                    timeout=WAIT,
                    message="the teacher's server is not shown beside the impostor",
                )
                from chat_gui.core.server_choice import MAX_SHOWN  # here, so the test fails on its point before the fix

                assert sorted(rows) == sorted([f"127.0.0.1:{server.address[1]}", "127.0.0.1:5007 (another version)"])
                status = str(panel.status.cget("text"))
                assert f"more than one server calls itself “{PHYSICS}”" in status
                assert str(panel.status.cget("style")) == "Error.TLabel"
                assert len(tree.get_children()) == MAX_SHOWN and panel.left_out >= 11
                assert f"{panel.left_out} more announced servers are not shown" in status
            finally:
                announcer.stop()
        finally:
            raw.close()


def test_the_address_in_the_dialog_gets_its_row_even_after_sixty_fakes(open_window, tk_root):
    """A plain server is never pinned: the address typed (or remembered from last time) is what marks it."""
    window = open_window()
    window.show_connect_dialog()
    dialog = window.dialog
    dialog.host_var.set("10.0.0.5")
    dialog.port_var.set("55555")
    fakes = tuple(
        FoundServer(f"Fake {index}", f"Fake {index}", ("127.0.0.1",), 5000 + index, 2, None, "pc")
        for index in range(60)
    )
    teacher = FoundServer("Physics 3B on t port 55555", "Physics 3B", ("10.0.0.5",), 55555, 2, None, "t")
    dialog.found.show_servers((*fakes, teacher))
    assert teacher in dialog.found.servers and dialog.found.left_out == 11
    assert "11 more announced servers are not shown" in dialog.found.status.cget("text")
