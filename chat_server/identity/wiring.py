"""The server's who-is-who parts, built once and handed to the command modules (built on the thread that makes the server).

build_identity(registry, storage, config) -> WhoIsWho
    .service     IdentityService: join code, accounts, throttles, look-alike indexes filled
    .moderator   Moderator: kick, ban, mute, announce, close (teachers, admin window, console)
    .nick_rules  NickRules: who may take a nickname
    .rooms       KeptRooms: owners, topics and keys that outlive a room's members
"""

from __future__ import annotations

from dataclasses import dataclass

from chat_server.config import ServerConfig
from chat_server.identity.nick_rules import NickRules
from chat_server.identity.rooms_kept import KeptRooms
from chat_server.identity.service import IdentityService
from chat_server.moderation import Moderator
from chat_server.registry import ChatRegistry
from chat_server.storage import Storage


@dataclass(frozen=True)
class WhoIsWho:
    service: IdentityService
    moderator: Moderator
    nick_rules: NickRules
    rooms: KeptRooms


def build_identity(registry: ChatRegistry, storage: Storage, config: ServerConfig) -> WhoIsWho:
    service = IdentityService(registry, storage, config)
    moderator = Moderator(registry, storage, service)
    rooms = KeptRooms(registry, storage)
    registry.room_life = rooms
    service.load_indexes()
    return WhoIsWho(service, moderator, NickRules(registry, service, moderator), rooms)
