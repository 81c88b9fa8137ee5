"""The headless console's who-is-who commands: the join code, accounts and roles, bans (the console's thread).

Added to AdminConsole's table (chat_server/console.py); each returns the
answer to print.  They call the server's IdentityAdmin methods, so they do
what the admin window does.  No answer repeats a password.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from chat_server.identity.admin import IdentityAdmin, SanctionInfo
from chat_server.storage.models import Role
from shared.ban_length import split_ban_command

HELP_TEXT = """Who is who (the leading / is optional):
  /code                  show the join code (students type it before their nickname)
  /code new              make a new random code;  /code off  needs none;  /code set CODE  your own
  /accounts              registered nicknames, their role, and who is logged in
  /teacher NAME          make NAME's account a teacher;  /student NAME  back to a student
  /account NAME PASSWORD [teacher]   make an account (e.g. a teacher's before the lesson)
  /password NAME PASSWORD            give NAME's account a new password
  /unregister NAME       delete NAME's account
  /ban NAME|ADDRESS [minutes] [reason]   keep them out (no minutes: until /unban)
  /unban NAME|ADDRESS    lift it
  /bans                  the bans and mutes in force
  /owner ROOM NAME|none  give a room to NAME (a teacher, say) or to nobody: a student who made it first keeps it
  /free ROOM             take the key, topic and owner off ROOM (live or kept): anyone may join it again"""


def identity_commands(server: IdentityAdmin) -> dict[str, Callable[[str], str]]:
    commands = _Commands(server)
    return {
        "code": commands.code,
        "accounts": commands.accounts,
        "teacher": lambda name: commands.role(name, "teacher"),
        "student": lambda name: commands.role(name, "student"),
        "account": commands.account,
        "password": commands.password,
        "unregister": commands.unregister,
        "ban": commands.ban,
        "unban": commands.unban,
        "bans": commands.bans,
        "owner": commands.owner,
        "free": commands.free,
    }


class _Commands:
    def __init__(self, server: IdentityAdmin) -> None:
        self.server = server

    def code(self, argument: str) -> str:
        word, _, rest = argument.partition(" ")
        word = word.lower()
        if not word:
            shown = self.server.join_code()
            return f"Join code: {shown}" if shown else "No join code: anyone who knows the address can join."
        if word == "off":
            self.server.set_join_code(None)
            return "Join code off: anyone who knows the address can join."
        if word not in ("set", "new") and _looks_like_a_command(word):
            return (
                f"Not done: {word[:40]!r} looks like a mistyped command, so the code was not changed. "
                f"/code new makes one, /code off needs none; to choose {word.upper()[:40]} as the code: "
                f"/code set {word.upper()[:40]}"
            )
        chosen = rest.strip() if word == "set" else argument.strip() if word != "new" else "new"
        if word == "set" and not chosen:
            return "Usage: /code set CODE (4 to 32 letters and digits)"
        try:
            shown = self.server.set_join_code(chosen)
        except ValueError as exc:
            return f"Not done: {exc}"
        return f"Join code: {shown} (students type /pass {shown} before their nickname)."

    def accounts(self, _argument: str) -> str:
        accounts = self.server.accounts()
        if not accounts:
            return "No accounts yet. Students register with /register PASSWORD; /account makes one here."
        lines = [f"{len(accounts)} account{'' if len(accounts) == 1 else 's'}:"]
        for account in accounts:
            since = time.strftime("%Y-%m-%d", time.localtime(account.created))
            online = "  logged in" if account.online else ""
            lines.append(f"  {account.nick:<24} {account.role:<8} since {since}{online}")
        return "\n".join(lines)

    def role(self, name: str, role: str) -> str:
        if not name:
            return f"Usage: /{role} NAME"
        change = self.server.set_role(name, "teacher" if role == "teacher" else "student")
        if change.role != "teacher":
            return change.describe()
        return f"{change.describe()} Not the teacher's? /student {change.nick}, then /unregister {change.nick}."

    def account(self, argument: str) -> str:
        words = argument.split()
        if len(words) not in (2, 3) or (len(words) == 3 and words[2].lower() not in ("teacher", "student")):
            return "Usage: /account NAME PASSWORD [teacher] (the password has no spaces here)"
        role: Role = "teacher" if len(words) == 3 and words[2].lower() == "teacher" else "student"
        return self.server.create_account(words[0], words[1], role)

    def password(self, argument: str) -> str:
        name, _, password = argument.partition(" ")
        if not name or not password.strip():
            return "Usage: /password NAME NEWPASSWORD"
        closed = self.server.set_password(name, password.strip())
        if closed:
            return f"{name} has a new password; its connection was closed, so it logs in again with the new one."
        return f"{name} has a new password."

    def unregister(self, name: str) -> str:
        if not name:
            return "Usage: /unregister NAME"
        self.server.delete_account(name)
        return f"Deleted the account {name}."

    def ban(self, argument: str) -> str:
        target, minutes, reason = split_ban_command(argument)
        if not target:
            return "Usage: /ban NAME|ADDRESS [minutes] [reason]"
        return self.server.ban(target, minutes, reason) + "."

    def unban(self, target: str) -> str:
        if not target:
            return "Usage: /unban NAME|ADDRESS"
        lifted = self.server.unban(target)
        return f"Lifted {lifted} ban{'' if lifted == 1 else 's'} on {target}."

    def owner(self, argument: str) -> str:
        words = argument.split()
        if len(words) != 2:
            return "Usage: /owner ROOM NAME (or /owner ROOM none: nobody owns it)"
        return self.server.set_room_owner(words[0].lstrip("#"), words[1])

    def free(self, argument: str) -> str:
        words = argument.split()
        if len(words) != 1:
            return "Usage: /free ROOM (takes its key, topic and owner off; /rooms lists the kept ones)"
        return self.server.free_room(words[0].lstrip("#"))

    def bans(self, _argument: str) -> str:
        sanctions = self.server.sanctions()
        if not sanctions:
            return "No bans or mutes."
        return "\n".join([f"{len(sanctions)} in force:", *map(_sanction_line, sanctions)])


def _sanction_line(sanction: SanctionInfo) -> str:
    who = " ".join(filter(None, [sanction.name, sanction.address])) or "?"
    until = (
        "until lifted"
        if sanction.until is None
        else "until " + time.strftime("%H:%M %d %b", time.localtime(sanction.until))
    )
    reason = f': "{sanction.reason}"' if sanction.reason else ""
    return f"  {sanction.kind:<4} {who:<40} {until:<22} by {sanction.set_by}{reason}"


# Words a teacher types for "no code" or "show it"; `/code none` once set the code to NONE and locked the class out.
CODE_COMMAND_SLIPS = frozenset(
    {"none", "no", "clear", "show", "reset", "remove", "delete", "disable", "stop", "unset", "empty", "random"}
)


def _looks_like_a_command(word: str) -> bool:
    """`none`, `show`, or one letter away from `new`, `off` or `set` (`neww`, `offf`, `nwe`): not meant as a code."""
    if word in CODE_COMMAND_SLIPS:
        return True
    return any(_one_edit_apart(word, command) for command in ("new", "off", "set"))


def _one_edit_apart(word: str, command: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if abs(len(word) - len(command)) > 1 or word == command:
        return False
    if len(word) == len(command):
        diffs = [i for i, (a, b) in enumerate(zip(word, command, strict=True)) if a != b]
        swapped = (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and word[diffs[0]] == command[diffs[1]]
            and word[diffs[1]] == command[diffs[0]]
        )
        return len(diffs) == 1 or swapped
    short, long = sorted((word, command), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
