"""Malformed HTTP requests for robustness tests of nrnn's server (loopback only).

``abuse(port)`` opens one TCP connection to 127.0.0.1 per case in
``CASES`` (bad methods, garbage request lines, bad, negative and huge
Content-Length, truncated bodies, a client that sends half a request and
waits), reads whatever comes back within ``read_timeout`` seconds, and
returns one ``Outcome`` per case.  ``answers_normally(port)`` then checks
that an ordinary ``GET /`` still gets a ``200``: the server survived.

Bounded by construction: a fixed list of cases, a few kilobytes each (the
one "huge" request line is 64 KB), a socket timeout on every read, and
never a host other than 127.0.0.1.  Standard library only.
"""

import socket
import time
from typing import NamedTuple, Optional

HOST = "127.0.0.1"


class Outcome(NamedTuple):
    name: str
    status: Optional[int]  # HTTP status of the reply, None if none came
    closed: bool  # the server closed the connection
    seconds: float  # from sending to reply/close/timeout


def _post(path, length_header, body, extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
            + length_header + extra + b"\r\n" + body)


def cases(post_path: bytes = b"/predict"):
    """(name, bytes to send, then keep the connection open?) for each case."""
    png_start = b"\x89PNG\r\n\x1a\n"
    return [
        ("unknown method", b"BREW / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", False),
        ("garbage request line", b"\x00\xff\xfe garbage\r\n\r\n", False),
        ("HTTP/0.9 request", b"GET /\r\n\r\n", False),
        ("request line of 64 KB", b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\n\r\n", False),
        ("header without a colon", b"GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", False),
        ("200 headers", b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n",
         False),
        ("negative Content-Length", _post(post_path, b"Content-Length: -1\r\n", b"abc"), False),
        ("non-numeric Content-Length", _post(post_path, b"Content-Length: lots\r\n", b"abc"), False),
        ("huge Content-Length", _post(post_path, b"Content-Length: 999999999999\r\n", png_start), False),
        ("two different Content-Lengths",
         _post(post_path, b"Content-Length: 3\r\nContent-Length: 300\r\n", b"abc"), False),
        ("POST without Content-Length", _post(post_path, b"", png_start), False),
        ("bad chunked encoding", _post(post_path, b"Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n"),
         False),
        ("body not a PNG", _post(post_path, b"Content-Length: 11\r\n", b"hello world"), False),
        ("truncated PNG body", _post(post_path, b"Content-Length: 8\r\n", png_start), False),
        ("body shorter than Content-Length, then closed",
         _post(post_path, b"Content-Length: 1000\r\n", png_start), False),
        ("body shorter than Content-Length, client waits (slow client)",
         _post(post_path, b"Content-Length: 1000\r\n", png_start), True),
        ("half a request line, client waits", b"GET / HT", True),
        ("connection opened, nothing sent", b"", True),
    ]


def _send_case(port, name, payload, keep_open, read_timeout):
    start = time.monotonic()
    status, closed = None, False
    with socket.create_connection((HOST, port), timeout=5) as connection:
        connection.settimeout(read_timeout)
        try:
            if payload:
                connection.sendall(payload)
            if not keep_open:
                connection.shutdown(socket.SHUT_WR)
            reply = b""
            while len(reply) < 65536:
                piece = connection.recv(4096)
                if not piece:
                    closed = True
                    break
                reply += piece
                if status is None and b"\r\n" in reply:
                    parts = reply.split(b"\r\n", 1)[0].split()
                    if len(parts) >= 2 and parts[1].isdigit():
                        status = int(parts[1])
        except socket.timeout:
            pass
        except (ConnectionResetError, BrokenPipeError):
            closed = True
    return Outcome(name, status, closed, time.monotonic() - start)


def abuse(port: int, post_path: bytes = b"/predict", read_timeout: float = 15.0) -> list[Outcome]:
    """Send every case to 127.0.0.1:port, one connection each, in order."""
    return [_send_case(port, name, payload, keep_open, read_timeout)
            for name, payload, keep_open in cases(post_path)]


def answers_normally(port: int, path: bytes = b"/") -> Optional[int]:
    """The status of a plain ``GET path`` (None if no proper reply)."""
    outcome = _send_case(port, "normal GET", b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Connection: close\r\n\r\n", False, 10.0)
    return outcome.status
