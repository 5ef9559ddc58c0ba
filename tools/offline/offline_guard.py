"""Refuse every network connection that would leave this machine, in every Python process of the build
and the tests.

`tools/offline/run` puts this directory first on PYTHONPATH, so Python imports `sitecustomize` (next to
this file) at start-up and calls `install()`: mkdocs, pytest and every Python subprocess they start
(the second build of the reproducibility check, snippet runs) are guarded. A child whose PYTHONPATH
was reset is still guarded by the `.pth` line the runner writes into .venv (see activate.py), which
acts only while OFFLINE_GUARD_DIR is set. Allowed: loopback
(127.0.0.0/8, ::1, the name "localhost") and non-IP sockets (Unix sockets, pipes), which the browser
tests need for the site served on 127.0.0.1. Refused: name lookups of any other host and connections
or datagrams to any other address. A refusal raises `NetworkBlocked` before any packet is sent, and
is appended to the file named by $OFFLINE_GUARD_LOG, so an attempt that some library caught and
ignored still fails `make test` (the Makefile checks that the log stays empty).

This is the layer that works everywhere. Where the kernel allows it, `tools/offline/run` also runs the
command in a network namespace that has only the loopback interface, which covers non-Python code too.
"""

import ipaddress
import os
import socket
import sys

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
_installed = False


class NetworkBlocked(ConnectionRefusedError):
    """Raised instead of a network connection that would leave the machine."""


def is_local(host) -> bool:
    if host is None or host == "" or host == b"":
        return True  # getaddrinfo(None, port) means this machine (bind to a local port)
    if isinstance(host, bytes):
        host = host.decode("idna", "replace")
    host = host.strip("[]").split("%", 1)[0].rstrip(".").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # any other name would need a DNS query
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def refuse(what: str):
    log = os.environ.get("OFFLINE_GUARD_LOG")
    if log:
        program = " ".join(sys.argv[:3]) if sys.argv and sys.argv[0] else sys.executable
        try:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(f"pid {os.getpid()} ({program}): {what}\n")
        except OSError:
            pass
    raise NetworkBlocked(f"offline_guard refused {what}: the build and the tests must not use the network")


def _check_address(family, address, action):
    if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address:
        if not is_local(address[0]):
            refuse(f"{action} to {address[0]}:{address[1] if len(address) > 1 else '?'}")


def install():
    """Patch the socket module in place (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    real_getaddrinfo = socket.getaddrinfo
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_sendto = socket.socket.sendto

    def getaddrinfo(host, *args, **kwargs):
        if not is_local(host):
            refuse(f"name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def gethostbyname(host):
        if not is_local(host):
            refuse(f"name lookup of {host!r}")
        return _real_gethostbyname(host)

    def gethostbyname_ex(host):
        if not is_local(host):
            refuse(f"name lookup of {host!r}")
        return _real_gethostbyname_ex(host)

    def connect(self, address):
        _check_address(self.family, address, "connection")
        return real_connect(self, address)

    def connect_ex(self, address):
        _check_address(self.family, address, "connection")
        return real_connect_ex(self, address)

    def sendto(self, data, *args):
        if args:
            _check_address(self.family, args[-1], "datagram")
        return real_sendto(self, data, *args)

    _real_gethostbyname, _real_gethostbyname_ex = socket.gethostbyname, socket.gethostbyname_ex
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex
    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    os.environ["OFFLINE_GUARD"] = "1"


def installed() -> bool:
    return _installed
