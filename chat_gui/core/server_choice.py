"""Which of the class servers heard on the network the Connect dialog shows, and which names are copied (any thread; pure).

    choice = choose_shown(heard, preferred_addresses, limit=MAX_SHOWN)
    choice.shown      at most `limit`, sorted by class name: what the list shows
    choice.twins      a group of servers at different places whose names look alike (() if none), hidden ones included
    choice.left_out   how many heard servers are not shown

Anyone on the LAN can announce, so a flood of fake servers must not decide
what is shown by arriving first.  Found by a probe: 50 fakes announced
before the teacher's server filled the list, and one fake named exactly
like the class was then shown alone, with no "more than one server calls
itself that" warning.  So every server heard is judged (the browser keeps
up to chat_gui/core/discovery.py MAX_HEARD), and the shown places go first
to servers at an address this computer trusted (joined before) or at the
address in the dialog (typed, or remembered from last time), then to
every server whose name looks like another's (both are shown and the
warning names both), then to the earliest heard.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from chat_gui.core.announced_key import other_announced_addresses
from chat_gui.core.class_name_copies import class_name_keys
from chat_gui.core.trust_store import address_key
from shared.discovery_record import FoundServer

MAX_SHOWN = 50  # rows in the list; the rest are counted ("N more ... not shown")


@dataclass(frozen=True)
class Choice:
    shown: tuple[FoundServer, ...]
    twins: tuple[FoundServer, ...]
    left_out: int


def _place(server: FoundServer) -> tuple[str, int]:
    return server.address, server.port


def twin_groups(servers: Sequence[FoundServer]) -> list[tuple[FoundServer, ...]]:
    """Groups of servers at two or more places whose class names look alike, in order of each group's first member.

    Names are compared as chat_gui/core/class_name_copies.py says: look-alike
    words run together, so marks, emoji and separators added make no other
    name, and a name that begins with all the words of another is its copy.
    Bucketed by key, so thousands of announcements cost a few dict lookups
    each rather than a comparison of every pair.
    """
    whole: dict[str, list[FoundServer]] = {}
    leading: dict[str, list[FoundServer]] = {}
    for server in servers:
        keys = class_name_keys(server.class_name)
        for key in keys.whole:
            whole.setdefault(key, []).append(server)
        for key in keys.leading:
            leading.setdefault(key, []).append(server)
    order = {server.service: index for index, server in enumerate(servers)}
    groups: dict[str, tuple[FoundServer, ...]] = {}  # by the service of the group's first member: one group each
    for key, named in whole.items():
        members = [*named, *leading.get(key, ())]
        if len({_place(server) for server in members}) < 2:
            continue
        unique = tuple(sorted(dict.fromkeys(members), key=lambda server: order[server.service]))
        first = unique[0].service
        if len(unique) > len(groups.get(first, ())):
            groups[first] = unique
    return sorted(groups.values(), key=lambda group: order[group[0].service])


def choose_shown(heard: Sequence[FoundServer], preferred: Collection[str], limit: int = MAX_SHOWN) -> Choice:
    """`heard`: every server heard, earliest first; `preferred`: "host:port"s (address_key) to show first: those the
    trust store holds a key for, and the one in the dialog's fields."""

    def trusted(server: FoundServer) -> bool:
        return address_key(*_place(server)) in preferred or any(
            key in preferred for key in other_announced_addresses(server)
        )

    groups = twin_groups(heard)
    in_groups = [server for group in groups for server in group]
    chosen: dict[str, FoundServer] = {}
    for server in [*(s for s in heard if trusted(s)), *in_groups, *heard]:
        if len(chosen) >= limit:
            break
        chosen.setdefault(server.service, server)
    shown = tuple(sorted(chosen.values(), key=lambda server: (server.class_name.casefold(), server.service)))
    shown_services = set(chosen)
    # The warning names a group with a shown server in it first: the one a double-click could join.
    groups.sort(key=lambda group: not any(server.service in shown_services for server in group))
    return Choice(shown, groups[0] if groups else (), len(heard) - len(shown))
