"""Password spraying: one address failing logins to several accounts, told to the admin (handler threads, lock held).

The login throttle (login_throttle.py) counts 5 failures a minute per
nickname and per address, and warns the admin when one account reaches
its 5.  A computer trying one common password against many accounts, a few
a minute, stays under both and was never seen; it got into the account
whose owner had that password (a probe).  `SprayWatch.failed` is told of
each wrong password for an existing account; when one address has failed
against `ACCOUNTS_TO_WARN` different accounts within `WINDOW_SECONDS`, it
returns their names once, and the LOGIN handler has the server log a
WARNING (shown in the admin window's log).  After the warning that
address is quiet for a window, so a long spray gives one line every ten
minutes, not one per try.

A right password says nothing: a lab computer where three students log
in to their own accounts one after another is no spray.  Memory stays
bounded (MAX_ADDRESSES, least recently failed first).  No lock of its own:
the registry lock guards it; no I/O.
"""

from __future__ import annotations

from collections import OrderedDict

ACCOUNTS_TO_WARN = 3
WINDOW_SECONDS = 600.0
MAX_ADDRESSES = 10_000


class SprayWatch:
    def __init__(self, accounts_to_warn: int = ACCOUNTS_TO_WARN, window: float = WINDOW_SECONDS) -> None:
        self.accounts_to_warn = accounts_to_warn
        self.window = window
        # address -> {account name as shown: when it last failed}, least recently failed address first
        self._failures: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._warned: dict[str, float] = {}  # address -> when its warning was given

    def failed(self, address: str, account: str, now: float) -> list[str] | None:
        """A wrong password for `account` from `address`; the accounts tried, when it is time to warn, else None."""
        recent = {name: when for name, when in self._failures.pop(address, {}).items() if when > now - self.window}
        recent[account] = now
        self._failures[address] = recent
        while len(self._failures) > MAX_ADDRESSES:
            gone, _ = self._failures.popitem(last=False)
            self._warned.pop(gone, None)
        warned = self._warned.get(address)
        if len(recent) < self.accounts_to_warn or (warned is not None and now - warned < self.window):
            return None
        self._warned[address] = now
        return sorted(recent, key=recent.__getitem__)
