"""Network namespaces with a veth pair between them, for tests that need a peer to vanish (adversarial tests' helper).

On loopback a peer cannot vanish: the kernel always answers for it.  Two
namespaces of the test's own, joined by a veth pair, can: take the link
down (Wi-Fi gone) or delete it, and the server's side hears nothing more,
not even a reset.  Nothing touches the machine's own network: the
addresses are private ones inside the test's namespaces, and both
namespaces are deleted afterwards.

Sockets live in the namespace they were created in, so `run_in` creates
them on a short-lived thread that has entered the namespace (setns only
moves the calling thread); they are used from any thread afterwards.
Needs root and `ip`; `available()` says why not otherwise.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
CLONE_NEWNET = 0x40000000


def available() -> str:
    """ "" when namespaces can be made here, else the reason they cannot."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to make network namespaces"
    if shutil.which("ip") is None:
        return "needs the ip command (iproute2)"
    return ""


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


class VethPair:
    """Namespaces `server` and `client`, linked by a veth pair with SERVER_IP and CLIENT_IP on it."""

    def __init__(self) -> None:
        tag = f"{os.getpid() % 100_000}{threading.get_ident() % 100}"
        self.server_ns, self.client_ns = f"ccsrv{tag}", f"cccli{tag}"
        self.server_if, self.client_if = f"ccs{tag}"[:15], f"ccc{tag}"[:15]
        subnet = os.getpid() % 250
        self.server_ip, self.client_ip = f"10.203.{subnet}.1", f"10.203.{subnet}.2"
        ip("netns", "add", self.server_ns)
        try:
            ip("netns", "add", self.client_ns)
            ip("-n", self.server_ns, "link", "add", self.server_if, "type", "veth", "peer", "name", self.client_if,
               "netns", self.client_ns)  # fmt: skip
            for ns, interface, address in (
                (self.server_ns, self.server_if, self.server_ip),
                (self.client_ns, self.client_if, self.client_ip),
            ):
                ip("-n", ns, "addr", "add", f"{address}/30", "dev", interface)
                ip("-n", ns, "link", "set", interface, "up")
                ip("-n", ns, "link", "set", "lo", "up")
        except BaseException:
            self.delete()
            raise

    def client_link_down(self) -> None:
        ip("-n", self.client_ns, "link", "set", self.client_if, "down")

    def client_link_up(self) -> None:
        ip("-n", self.client_ns, "link", "set", self.client_if, "up")

    def delete_link(self) -> None:
        ip("-n", self.client_ns, "link", "del", self.client_if)  # both ends go

    def delete(self) -> None:
        for ns in (self.client_ns, self.server_ns):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)

    def run_in(self, ns: str, make: Callable[[], T]) -> T:
        """Call `make` on a thread inside namespace `ns`; whatever sockets it creates live there."""
        result: list[T] = []
        errors: list[BaseException] = []

        def run() -> None:
            fd = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
            try:
                _setns(fd)
                result.append(make())
            except BaseException as exc:  # raised again on the caller's thread
                errors.append(exc)
            finally:
                os.close(fd)

        thread = threading.Thread(target=run, name=f"in-{ns}")
        thread.start()
        thread.join()
        if errors:
            raise errors[0]
        return result[0]


def _setns(fd: int) -> None:
    if hasattr(os, "setns"):  # Python 3.12+
        os.setns(fd, CLONE_NEWNET)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
