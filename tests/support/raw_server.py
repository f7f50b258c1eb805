"""A raw TCP server on the loopback interface for client tests, and its fixture.

It can do what no well-behaved server does (trickle its status line, send ``100
Continue`` without end, act as a proxy that records what it receives): each connection is
handed to a handler written for the test. ``raw_json`` serves a fixed JSON body.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

Handler = Callable[[socket.socket, threading.Event], None]


def _read_request(conn: socket.socket) -> bytes:
    """The whole request: headers, then as many body bytes as Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class RawServer:
    """Accepts connections on 127.0.0.1 and hands each to ``handler`` in its own thread."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.stop = threading.Event()
        #: Each request, recorded before the handler replies (a client that got its reply
        #: may look at once); a request cut short is recorded as far as it arrived.
        self.received: list[bytes] = []
        self._arrived = threading.Condition()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                request = _read_request(conn)
            except OSError:
                request = b""
            with self._arrived:
                self.received.append(request)
                self._arrived.notify_all()
            if not request:
                return
            try:
                self.handler(conn, self.stop)
            except OSError:
                return

    def wait_for_requests(self, count: int) -> list[bytes]:
        """``received`` once it holds ``count`` requests (the last may trail the client's
        time-out by a moment), or as it is after 5 s."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.received) >= count, timeout=5)
            return list(self.received)

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join(5)


@pytest.fixture
def raw_server() -> Iterator[Callable[[Handler], RawServer]]:
    servers: list[RawServer] = []

    def start(handler: Handler) -> RawServer:
        server = RawServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def raw_json(payload: bytes, *, length: bool = True) -> Handler:
    def handler(conn: socket.socket, stop: threading.Event) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        if length:
            head += b"Content-Length: " + str(len(payload)).encode() + b"\r\n"
        conn.sendall(head + b"\r\n")
        for start in range(0, len(payload), 1 << 16):
            if stop.is_set():
                return
            conn.sendall(payload[start : start + (1 << 16)])

    return handler
