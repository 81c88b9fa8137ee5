"""IdentityService: who is who on a running server: the join code, accounts, throttles, the look-alike indexes (any thread).

    ChatServer builds one; command modules reach it as `services.identity`,
    the admin window and the console through the server's IdentityAdmin methods.

What it holds, and what guards it:

    join code, last addresses           the registry lock (read and changed only while holding it)
    nick and room look-alike indexes    on the registry (ChatRegistry.nick_index / room_index), same lock
    login, join code, register and      each LoginThrottle has its own small lock (no I/O inside)
    room key throttles
    spray watch                         the registry lock
    accounts, bans and mutes, rooms     the storage's in-memory tables (no I/O to look up or change)

Nothing here does I/O or hashing: password and key hashes are made by the
callers' OffLock work, with the registry lock released.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from chat_server.config import ServerConfig
from chat_server.files.limits import SenderRateLimit
from chat_server.identity.join_code import (
    clean_chosen_code,
    comparison_form,
    format_join_code,
    join_code_matches,
    new_join_code,
)
from chat_server.identity.login_throttle import LoginThrottle
from chat_server.identity.new_rooms import RoomsMade
from chat_server.identity.passwords import scrypt_available
from chat_server.identity.spray_watch import SprayWatch
from chat_server.kick_cooldown import KickCooldown
from chat_server.plain_secrets import THIS_COMPUTER
from chat_server.registry import ChatRegistry
from chat_server.session import Session
from chat_server.storage import Account, Storage
from shared import lookalike
from shared.errors import ErrorCode, ProtocolError

LAST_ADDRESSES = 10_000  # nicknames whose last address is remembered (for a ban of someone who just left)
# Of those, one address keeps its newest NAMES_PER_ADDRESS: renaming thousands of times from one computer
# then forgets only that computer's own older names, never another computer's.
NAMES_PER_ADDRESS = 32
CODE_PASSED_ADDRESSES = 4_096  # addresses remembered as knowing the join code (a school's computers, and more)
KICKED_ADDRESSES = 1_000  # kicked nicknames whose address is kept apart, whatever renames follow
# Wrong join codes a minute from all addresses together: 5 per address is no limit for someone with many
# addresses (several devices, IPv6 privacy addresses), and the code is one secret for the whole server.
JOIN_CODE_GUESSES_PER_MINUTE = 50
CODE_GUESSES_KEY = "join code"
# New rooms one address may make (teachers and this computer excepted): a room with a topic, a key or a
# message is kept for good, and its name then keeps out look-alikes, so one student could otherwise
# take every room name the class would use (found by the hostile review, docs/reliability.md).
NEW_ROOMS_PER_ADDRESS = 10
NEW_ROOMS_WINDOW_SECONDS = 600.0
# New accounts one address may register in a day (this computer excepted): a registered name is its owner's
# for good, so without it one student could register the whole class list before the lesson.
NEW_ACCOUNTS_PER_ADDRESS = 3
NEW_ACCOUNTS_WINDOW_SECONDS = 86400.0


class IdentityService:
    def __init__(self, registry: ChatRegistry, storage: Storage, config: ServerConfig) -> None:
        self.registry = registry
        self.storage = storage
        self.config = config
        self.join_code: str | None = clean_chosen_code(config.join_code) if config.join_code else None
        self.login_throttle = LoginThrottle(known=storage.accounts.known_logins())  # kept across restarts
        self.spray_watch = SprayWatch()  # one address failing against several accounts: the admin is told
        self.code_throttle = LoginThrottle()  # wrong join codes, per address
        self.code_guesses = LoginThrottle(max_failures=JOIN_CODE_GUESSES_PER_MINUTE)  # ...and from everyone
        self.register_throttle = LoginThrottle()  # every REGISTER counts: each costs a slow hash
        self.room_key_throttle = LoginThrottle()  # wrong room keys, per address
        self.new_rooms = RoomsMade(NEW_ROOMS_PER_ADDRESS, NEW_ROOMS_WINDOW_SECONDS)  # rooms made, per address
        self.new_accounts = SenderRateLimit(NEW_ACCOUNTS_PER_ADDRESS, NEW_ACCOUNTS_WINDOW_SECONDS)  # per computer
        self._count_accounts_made(storage.accounts.accounts_made())  # the day's, kept across a restart
        self._last_address: OrderedDict[str, str] = OrderedDict()  # nick key -> the address it last came from
        self._names_of: dict[str, OrderedDict[str, None]] = {}  # address -> its names in _last_address, oldest first
        self._kicked_from: OrderedDict[str, str] = OrderedDict()  # kicked nick key -> its address
        self.kick_cooldown = KickCooldown()  # a kicked name's wait before its computer takes it again
        # Owners (identity/owners.py) sent away: kicked, or their account's password reset; -> when (wall clock).
        self._sent_away: OrderedDict[str, float] = OrderedDict()
        # Addresses that gave the right join code since it was set: a crowd's wrong codes do not hold them.
        self._code_passed_from: OrderedDict[str, None] = OrderedDict()

    def _count_accounts_made(self, made: list[tuple[str, int]]) -> None:
        """Seed the day's allowance of new accounts with those made before a restart: (computer, wall-clock ms)."""
        now_ms, now = time.time() * 1000, time.monotonic()
        for computer, made_ms in made:
            self.new_accounts.counted_at(computer, now - max(0.0, now_ms - made_ms) / 1000)

    def account_made(self, computer: str) -> None:
        """A new account was made from `computer` (counted already): kept, so a restart does not forget it."""
        self.storage.accounts.made_from(computer, int(time.time() * 1000))

    def load_indexes(self) -> None:
        """Fill the look-alike indexes from the accounts and rooms kept; call once, before serving."""
        lookalike.preload()  # the confusables data loads here (about 100 ms), not under the lock on the first NICK
        accounts = self.storage.accounts.list_all()
        rooms = self.storage.rooms.list_all()
        with self.registry.lock:
            for account in accounts:
                self.registry.nick_index.add(account.nick)
            for record in rooms:
                self.registry.room_index.add(record.name)

    # -- what this server offers --
    @property
    def accounts_enabled(self) -> bool:
        """Accounts need a database that keeps them (or one read that cannot be written: LOGIN only) and scrypt."""
        return self.storage.knows_accounts and scrypt_available()

    def features(self) -> list[str]:
        return ["accounts"] if self.accounts_enabled else []

    def require_accounts(self, *, change: bool = True) -> None:
        """Refuse unless accounts can be used: `change` (REGISTER, a new account) needs them kept on disk."""
        if not self.storage.knows_accounts or (change and not self.storage.persistent):
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED,
                "This server keeps no accounts (its data folder cannot be written); chat with /nick NAME instead."
                if not self.storage.knows_accounts
                else "This server cannot save accounts now (its data folder cannot be written); existing accounts "
                "can log in.",
            )
        if not scrypt_available():
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED,
                "This server cannot keep accounts (its Python has no scrypt); chat with /nick NAME instead.",
            )

    # -- plain connections --
    def require_safe_channel(self, session: Session, what: str) -> None:
        """`tls_required` for a secret sent unencrypted from another computer (PROTOCOL.md, Encryption)."""
        if session.encrypted or session.host in THIS_COMPUTER or self.config.allow_plain_passwords:
            return
        raise ProtocolError(
            ErrorCode.TLS_REQUIRED,
            f"{what} would cross the network unencrypted; connect with encryption (TLS) to send it. "
            "The ClassChat window does so unless told otherwise.",
        )

    # -- the join code (registry lock held) --
    def require_code(self, session: Session) -> None:
        """code_required for a connection without a name that has not sent the join code (a code set later
        asks nothing of those already in)."""
        if self.join_code is not None and not session.passed_code and not session.registered:
            raise ProtocolError(
                ErrorCode.CODE_REQUIRED,
                "This server needs the join code first: /pass CODE (the teacher shows it), then /nick NAME.",
            )

    def require_code_again(self, session: Session, entered: str | None) -> None:
        """For RESUME: code_required when the server's code is not the one the session came in with (`entered`)
        and this connection has not sent it. The teacher changed the code between periods: a period-1 student
        whose window kept its token came back into period 2 without it (found by the twelfth review)."""
        if self.join_code is None or session.passed_code:
            return
        if entered is not None and join_code_matches(self.join_code, entered):
            return
        raise ProtocolError(
            ErrorCode.CODE_REQUIRED,
            "The join code has changed since you were last here: /pass CODE (the teacher shows it), then /resume.",
        )

    def entered_form(self) -> str | None:
        """The code in force as a session that passes it keeps it (Session.entered_code)."""
        return comparison_form(self.join_code) if self.join_code is not None else None

    def code_matches(self, typed: str) -> bool:
        return self.join_code is None or join_code_matches(self.join_code, typed)

    def set_join_code(self, code: str | None) -> str | None:
        """Set (a chosen code, cleaned), make a new one ("" or "new"), or switch it off (None); returns it."""
        self._code_passed_from.clear()  # a new code: nobody has shown they know it yet
        if code is None:
            self.join_code = None
        elif code.strip().lower() in ("", "new"):
            self.join_code = new_join_code()
        else:
            self.join_code = clean_chosen_code(code)  # ValueError says what a code may be
        return self.join_code

    def code_passed(self, host: str) -> None:
        """`host` gave the right join code: the server-wide count of wrong codes no longer holds it back."""
        self._code_passed_from[host] = None
        self._code_passed_from.move_to_end(host)
        while len(self._code_passed_from) > CODE_PASSED_ADDRESSES:
            self._code_passed_from.popitem(last=False)

    def knows_code(self, host: str) -> bool:
        """Whether `host` gave the right code since it was set (this computer always counts as knowing it)."""
        return host in THIS_COMPUTER or host in self._code_passed_from

    def shown_join_code(self) -> str | None:
        return format_join_code(self.join_code) if self.join_code is not None else None

    # -- accounts and roles (registry lock held) --
    def account_of(self, nick: str) -> Account | None:
        return self.storage.accounts.get(nick)

    def logged_in_to(self, session: Session, nick_key: str) -> bool:
        return session.account is not None and session.account == nick_key

    @staticmethod
    def is_teacher(session: Session) -> bool:
        return session.role == "teacher" and session.account is not None

    def require_teacher(self, session: Session, what: str) -> None:
        if not self.is_teacher(session):
            raise ProtocolError(
                ErrorCode.NOT_ALLOWED,
                f"Only a teacher may {what}. Teachers log in to a teacher's account: /login NAME PASSWORD.",
            )

    def sessions_of_account(self, nick_key: str) -> list[Session]:
        holder = self.registry.by_nick.get(nick_key)
        return [holder] if holder is not None and holder.account == nick_key else []

    # -- addresses (registry lock held) --
    def remember_address(self, session: Session) -> None:
        """The address a nickname last came from, so a ban of someone who just left covers it too."""
        key, host = session.key, session.computer  # with --ipv6-prefix-length, its prefix
        if key is None:
            return
        self._forget_name(key)
        self._last_address[key] = host
        names = self._names_of.setdefault(host, OrderedDict())
        names[key] = None
        while len(names) > NAMES_PER_ADDRESS:
            self._forget_name(next(iter(names)))
        while len(self._last_address) > LAST_ADDRESSES:
            self._forget_name(next(iter(self._last_address)))

    def _forget_name(self, key: str) -> None:
        host = self._last_address.pop(key, None)
        if host is None:
            return
        names = self._names_of.get(host)
        if names is not None:
            names.pop(key, None)
            if not names:
                del self._names_of[host]

    def remember_kicked(self, session: Session) -> None:
        """A kicked name's address, kept apart so that renames from that computer cannot push it out before a ban.

        Its owners are kept too: an upload the kicked session began is not
        shared when its bytes come in later (chat_server/files/share_rules.py).
        """
        self.remember_kicked_name(session.key, session.computer, session.owners, session.account)

    def remember_kicked_name(
        self, key: str | None, host: str | None, owners: tuple[str, ...], account: str | None = None
    ) -> None:
        """remember_kicked for a name and address (a connection held for RESUME has no Session).

        The name and the account it was logged in to wait a while before that
        computer may take them again (chat_server/kick_cooldown.py).
        """
        self.remember_sent_away(owners)
        self.kick_cooldown.kicked([key, account], host)
        if key is None or host is None:
            return
        self._kicked_from[key] = host
        self._kicked_from.move_to_end(key)
        while len(self._kicked_from) > KICKED_ADDRESSES:
            self._kicked_from.popitem(last=False)

    def remember_sent_away(self, owners: tuple[str, ...], moment: float | None = None) -> None:
        """These owners were sent away now (a kick, a password reset): what they began before is void."""
        when = time.time() if moment is None else moment
        for owner in owners:
            self._sent_away[owner] = when
            self._sent_away.move_to_end(owner)
        while len(self._sent_away) > KICKED_ADDRESSES:
            self._sent_away.popitem(last=False)

    def sent_away_since(self, owner: str, moment: float) -> bool:
        """Whether this owner was kicked, or its account's password reset, at or after `moment` (wall clock; the
        last KICKED_ADDRESSES of them in this run, memory only)."""
        when = self._sent_away.get(owner)
        return when is not None and when >= moment

    def last_address(self, nick_key: str) -> str | None:
        return self._last_address.get(nick_key) or self._kicked_from.get(nick_key)


def sanction_address(host: str | None) -> str | None:
    """The address a ban or mute may name: never this computer's own (it is the teacher's)."""
    return None if host is None or host in THIS_COMPUTER else host
