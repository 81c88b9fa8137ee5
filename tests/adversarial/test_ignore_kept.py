"""IGNORE between two accounts outlives a server restart (kept in the data folder's `ignores` table, schema 8); a
guest's list, and a guest in a list, stay in memory.  Real server, real SQLite, the same data folder twice."""

from __future__ import annotations

import pytest

from shared.errors import ErrorCode
from tests.adversarial.test_ignore import answer, ignore, refused
from tests.integration.identity_support import PASSWORD, add_account, login

pytestmark = pytest.mark.usefixtures("no_server_errors")


def test_an_account_ignored_by_an_account_stays_ignored_after_a_restart(start_server, wire, tmp_path):
    data = str(tmp_path / "data")
    first = start_server(data_dir=data)
    add_account(first, "alice")
    add_account(first, "bob")
    alice, bob, cy = wire(first, "a_guest"), wire(first, "b_guest"), wire(first, "cy")
    login(alice, "alice")
    login(bob, "bob")
    assert ignore(alice, "IGNORE bob")["users"] == ["bob"]
    assert ignore(alice, "IGNORE cy")["users"] == ["bob", "cy"]  # a guest: forgotten at the restart
    first.stop()
    second = start_server(data_dir=data)
    alice, bob, cy = wire(second, "a_guest"), wire(second, "b_guest"), wire(second, "cy")
    login(alice, "alice")
    assert ignore(alice, "IGNORE")["users"] == ["bob"]
    login(bob, "bob")
    assert refused(bob, "PM alice did you miss me") == ErrorCode.IGNORED
    assert answer(cy, "PM alice a new cy, a new person")["type"] == "private"


def test_unignore_is_kept_too_and_a_guest_ignored_who_registers_is_kept(start_server, wire, tmp_path):
    data = str(tmp_path / "data")
    first = start_server(data_dir=data)
    add_account(first, "alice")
    add_account(first, "bob")
    alice, bob, dan = wire(first, "a_guest"), wire(first, "b_guest"), wire(first, "dan")
    login(alice, "alice")
    login(bob, "bob")
    ignore(alice, "IGNORE bob")
    ignore(alice, "IGNORE dan")
    assert ignore(alice, "UNIGNORE bob")["users"] == ["dan"]
    assert answer(dan, f"REGISTER {PASSWORD}")["type"] == "nick"  # ignored as a guest: his account now
    first.stop()
    second = start_server(data_dir=data)
    alice, bob, dan = wire(second, "a_guest"), wire(second, "b_guest"), wire(second, "d_guest")
    login(alice, "alice")
    login(bob, "bob")
    login(dan, "dan")
    assert ignore(alice, "IGNORE")["users"] == ["dan"]
    assert answer(bob, "PM alice sorry about before")["type"] == "private"
    assert refused(dan, "PM alice remember me") == ErrorCode.IGNORED
