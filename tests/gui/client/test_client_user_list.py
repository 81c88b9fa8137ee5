"""The window's "People here" list (a real Tk widget under Xvfb): joins by the thousand, one redraw, clicks that stay true."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from chat_gui.window.user_list import UserList
from shared.names import name_key


@pytest.fixture
def user_list(tk_root):
    opened: list[str] = []
    widget = UserList(tk_root, opened.append)
    widget.pack(fill="both", expand=True)
    widget.opened = opened  # type: ignore[attr-defined]
    draws: list[int] = []
    draw = widget._draw

    def counted() -> None:
        draws.append(len(widget.users))
        draw()

    widget._draw = counted  # type: ignore[method-assign]
    widget.draws = draws  # type: ignore[attr-defined]
    tk_root.update()
    draws.clear()
    return widget


def test_three_thousand_joins_in_one_burst_are_drawn_once_in_order(user_list, tk_root):
    """A class (or a server announcing thousands) joining between two idle moments costs one redraw, not one each."""
    names = [f"Student{number:04d}" for number in range(3000)]
    random.Random(7).shuffle(names)
    user_list.set_users(["me"], "me")
    for nick in names:
        user_list.add_user(nick)
    assert user_list.draws == []  # nothing drawn while the burst was handled
    tk_root.update()
    assert user_list.draws == [3001]
    expected = sorted([*names, "me"], key=name_key)
    assert user_list.drawn == expected
    assert user_list.listbox.size() == 3001
    assert str(user_list.listbox.get("end")) == expected[-1] == "Student2999"
    assert "(3001)" in str(user_list.cget("text"))


def test_joins_and_leaves_keep_the_rules_of_a_full_sort(user_list, tk_root):
    """The same name twice is one row; names that differ only in case sort together; a leave takes them all."""
    user_list.set_users(["bob", "Zoe"], "bob")
    for nick in ["amy", "bob", "Amy", "zed", "amy", "Émile", "emile"]:
        user_list.add_user(nick)
    full_sort = sorted({"bob", "Zoe", "amy", "Amy", "zed", "Émile", "emile"}, key=name_key)
    assert [name_key(nick) for nick in user_list.users] == [name_key(nick) for nick in full_sort]
    assert sorted(user_list.users) == sorted(full_sort)
    user_list.remove_user("AMY")
    user_list.remove_user("nobody")
    assert not [nick for nick in user_list.users if name_key(nick) == "amy"]
    assert sorted(user_list.users) == sorted(["bob", "Zoe", "zed", "Émile", "emile"])
    assert user_list.row_texts() == [*[f"{nick} (you)" if nick == "bob" else nick for nick in user_list.users]]


def test_a_double_click_before_the_redraw_opens_the_name_that_was_under_the_pointer(user_list, tk_root):
    """A join lands above the row clicked before Tk redrew: the click still means the name the student saw."""
    user_list.set_users(["bob", "cat", "dan", "me"], "me")
    tk_root.update()
    row_of_cat = user_list.drawn.index("cat")
    y = user_list.listbox.bbox(row_of_cat)[1] + 2
    user_list.add_user("amy")  # sorts first: in the model "cat" moves down a row, on screen not yet
    assert user_list.users.index("cat") != row_of_cat
    user_list.on_user_double_click(SimpleNamespace(y=y))
    assert user_list.opened == ["cat"]


def test_a_list_closed_with_a_redraw_pending_raises_nothing(tk_root):
    """The tab or window closes in the same turn as a join: the pending redraw is dropped, no Tk error."""
    widget = UserList(tk_root, lambda nick: None)
    widget.pack()
    widget.add_user("amy")
    widget.destroy()
    tk_root.update()  # tk_root fails the test if any callback raised
