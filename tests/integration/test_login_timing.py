"""A wrong nickname and a wrong password take alike, through the real server (fastest tries, generous margin).

Each try comes from its own loopback address and names its own account, so
the login throttle (5 failures a minute per name and per address) never
answers instead of the password check; the server allows plain passwords
from those addresses.  The tries are interleaved so a load change on the
shared machine hits both kinds alike, and each kind is judged by its
fastest try: a busy machine only ever adds time (medians of five tries
differed by 1.62 once, with another test suite running beside them; their
fastest tries by 1.05).
"""

from __future__ import annotations

import time

import pytest

from shared.errors import ErrorCode
from tests.integration.identity_support import add_account
from tests.integration.wire import WireClient

pytestmark = pytest.mark.usefixtures("no_server_errors")

ROUNDS = 5


def timed_login(server, source: str, nick: str) -> float:
    client = WireClient(server.address, source=source)
    try:
        started = time.perf_counter()
        answer = client.reply(f"LOGIN {nick} not-the-right-password", timeout=60)
        took = time.perf_counter() - started
    finally:
        client.close()
    assert answer.get("code") == ErrorCode.BAD_LOGIN, answer
    return took


def test_a_wrong_nickname_takes_as_long_as_a_wrong_password(start_server):
    server = start_server(allow_plain_passwords=True)
    for index in range(ROUNDS):
        add_account(server, f"alice{index}")
    wrong_password, wrong_user = [], []
    for index in range(ROUNDS):
        wrong_password.append(timed_login(server, f"127.0.1.{index + 1}", f"alice{index}"))
        wrong_user.append(timed_login(server, f"127.0.2.{index + 1}", f"ghost{index}"))
    fast, slow = sorted([min(wrong_password), min(wrong_user)])
    assert fast > 0.02, (wrong_password, wrong_user)  # both really hash (scrypt N=2**17)
    assert slow / fast < 1.6, (wrong_password, wrong_user)
