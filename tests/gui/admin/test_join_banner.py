"""The join banner: the first address big, the computer's other addresses small under it, the same height
before and after Start whatever the number of addresses (real Tk under Xvfb)."""

from __future__ import annotations

import tkinter as tk

from chat_server.admin_gui.join_banner import IDLE_TEXT, LAN_NOTE, LOCAL_NOTE, JoinBanner
from chat_server.admin_gui.look import apply_look

ADDRESSES = ["192.168.1.20:55555", "10.0.0.5:55555", "172.17.0.1:55555"]


def banner_on(root: tk.Tk) -> JoinBanner:
    apply_look(root)
    banner = JoinBanner(root)
    banner.pack(fill="x")
    root.update()
    return banner


def texts(banner: JoinBanner) -> list[str]:
    return [str(widget.cget("text")) for widget in banner.others.winfo_children() if widget.winfo_ismapped()]


def test_one_address_big_with_copy_and_a_note(tk_root: tk.Tk) -> None:
    banner = banner_on(tk_root)
    assert banner.big.cget("text") == IDLE_TEXT and not banner.copy_button.winfo_ismapped()
    banner.show(ADDRESSES[:1], local_only=False)
    tk_root.update()
    assert banner.big.cget("text") == ADDRESSES[0] and banner.copy_button.winfo_ismapped()
    assert texts(banner) == [LAN_NOTE]
    banner.copy_button.invoke()
    assert tk_root.clipboard_get() == ADDRESSES[0]
    banner.show(["127.0.0.1:55555"], local_only=True)
    tk_root.update()
    assert texts(banner) == [LOCAL_NOTE]


def test_other_addresses_are_listed_small_each_with_its_own_copy(tk_root: tk.Tk) -> None:
    banner = banner_on(tk_root)
    banner.show(ADDRESSES, local_only=False)
    tk_root.update()
    assert banner.addresses == ADDRESSES and banner.big.cget("text") == ADDRESSES[0]
    shown = texts(banner)
    assert [text for text in shown if ":" in text and text[0].isdigit()] == ADDRESSES[1:]
    copies = [widget for widget in banner.others.winfo_children() if str(widget.cget("text")) == "Copy"]
    assert len(copies) == 2
    for button, address in zip(copies, ADDRESSES[1:], strict=True):
        button.invoke()
        assert tk_root.clipboard_get() == address
    banner.clear()
    tk_root.update()
    assert banner.big.cget("text") == IDLE_TEXT and banner.addresses == [] and len(texts(banner)) == 1


def test_start_and_more_addresses_do_not_make_the_banner_taller(tk_root: tk.Tk) -> None:
    banner = banner_on(tk_root)
    idle = banner.winfo_reqheight()
    banner.show(ADDRESSES[:1], local_only=False)
    tk_root.update()
    one = banner.winfo_reqheight()
    banner.show(ADDRESSES, local_only=False)
    tk_root.update()
    three = banner.winfo_reqheight()
    assert idle == one, "Start made the banner taller"
    # The small Copy buttons may be a few pixels taller than a line of text; never a line more.
    assert three - one <= banner.big.winfo_reqheight() // 4, (one, three)
