"""What a hostile or careless client cannot do to the emulator server (loopback, port 0).

Raw sockets play the slow, idle and greedy clients; every wait is bounded by a deadline.
"""

from __future__ import annotations

import json
import math
import select
import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from pulumi_avosms.emulator import EmulatorServer
from pulumi_avosms.emulator.server import MAX_BODY_BYTES

from ..support.emulator_fixtures import DEMO_ID, DEMO_KEY


@pytest.fixture
def strict_server() -> Iterator[EmulatorServer]:
    """A server with short bounds: 1 s idle, 0.5 s to send a whole request, 4 connections."""
    server = EmulatorServer(port=0, idle_timeout=1.0, request_timeout=0.5, max_connections=4)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def connect(server: EmulatorServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.settimeout(5)
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    """True when the server closed (EOF or reset), within the socket's 5 s timeout."""
    try:
        while chunk := sock.recv(4096):
            del chunk
        return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def status_of_reply(sock: socket.socket) -> int | None:
    """The status code of the next reply, or None if the server closed without one."""
    try:
        line = sock.makefile("rb").readline()
    except (ConnectionResetError, TimeoutError):
        return None
    return int(line.split()[1]) if line else None


def trickle_until_closed(sock: socket.socket, data: bytes, step: float = 0.1) -> int:
    """Send ``data`` one byte per ``step`` seconds; return the bytes sent when the server
    closed the connection (len(data) + 1 if it never did)."""
    for sent, byte in enumerate(data):
        readable, _, _ = select.select([sock], [], [], step)
        if readable:
            return sent if closed_by_server(sock) else len(data) + 1
        try:
            sock.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return sent
    return len(data) + 1


def admin_request(server: EmulatorServer, route: str, **headers: str) -> bytes:
    host = headers.pop("Host", f"127.0.0.1:{server.port}")
    lines = [f"GET /_emulator/{route} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# --------------------------------------------------------------------------- request size


def test_a_body_over_the_cap_is_refused_with_413_unread(emulator: EmulatorServer) -> None:
    with connect(emulator) as sock:
        sock.sendall(
            b"POST /v1/contact/list HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
        )
        assert status_of_reply(sock) == 413
    assert emulator.stats.total_calls == 0


def test_a_body_at_the_cap_is_served(emulator: EmulatorServer) -> None:
    body = f"id={DEMO_ID}&key={DEMO_KEY}&pad=".encode()
    body += b"x" * (MAX_BODY_BYTES - len(body))
    reply = requests.post(
        f"{emulator.api_url}/contact/list",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert reply.json()["code"] == "OK"


# --------------------------------------------------------------------------- slow clients


def test_an_idle_connection_is_closed_by_the_server(strict_server: EmulatorServer) -> None:
    with connect(strict_server) as sock:
        sock.settimeout(3)  # three times the server's 1 s idle bound
        assert closed_by_server(sock)  # EOF from the server, not this socket's timeout


def test_headers_trickled_byte_by_byte_are_cut_off(strict_server: EmulatorServer) -> None:
    request = f"GET /_emulator/stats HTTP/1.1\r\nHost: 127.0.0.1:{strict_server.port}\r\n"
    request += "X-Padding: " + "x" * 60 + "\r\n\r\n"
    with connect(strict_server) as sock:
        # Each byte comes well within the 1 s idle bound; the 0.5 s request bound stops it.
        assert trickle_until_closed(sock, request.encode()) < 20


def test_a_body_trickled_byte_by_byte_is_cut_off(strict_server: EmulatorServer) -> None:
    body = f"id={DEMO_ID}&key={DEMO_KEY}&pad=" + "x" * 60
    head = (
        f"POST /v1/contact/list HTTP/1.1\r\nHost: 127.0.0.1:{strict_server.port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    with connect(strict_server) as sock:
        sock.sendall(head.encode())
        assert trickle_until_closed(sock, body.encode()) < 20
    assert strict_server.stats.total_calls == 0


def test_a_kept_alive_connection_serves_requests_each_within_the_bound(
    strict_server: EmulatorServer,
) -> None:
    # The request bound runs per request, not per connection.
    with requests.Session() as session:
        for _ in range(3):
            assert session.get(f"{strict_server.url}/_emulator/stats", timeout=5).ok
            strict_server.wait_idle(5)
    assert strict_server.stats.connections == 1


def test_one_client_cannot_hold_more_connections_than_the_bound(
    strict_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    slots = strict_server._httpd._slots
    freed = threading.Condition()
    released: list[None] = []

    def release(n: int = 1) -> None:
        type(slots).release(slots, n)
        with freed:
            released.append(None)
            freed.notify_all()

    monkeypatch.setattr(slots, "release", release)
    socks = [connect(strict_server) for _ in range(12)]
    try:
        statuses = []
        for sock in socks:
            try:
                sock.sendall(admin_request(strict_server, "stats"))
            except (BrokenPipeError, ConnectionResetError):
                statuses.append(None)
                continue
            statuses.append(status_of_reply(sock))
        assert statuses.count(200) == 4
        assert statuses.count(None) == 8
    finally:
        for sock in socks:
            sock.close()
    # The slots come back when those connections close.
    with freed:
        assert freed.wait_for(lambda: len(released) == 4, timeout=10), "slots never freed"
    assert requests.get(f"{strict_server.url}/_emulator/stats", timeout=5).ok


# --------------------------------------------------------------------------- admin guard


def test_admin_routes_refuse_a_host_that_is_not_the_address_served(
    emulator: EmulatorServer,
) -> None:
    emulator.backend.console_create_list("Keep", "FR")
    for host in ("evil.example", f"evil.example:{emulator.port}", "127.0.0.1:1", ""):
        reply = requests.post(
            f"{emulator.url}/_emulator/reset", json={}, headers={"Host": host}, timeout=5
        )
        assert reply.status_code == 403, host
        with connect(emulator) as sock:
            sock.sendall(admin_request(emulator, "lists", Host=host))
            assert status_of_reply(sock) == 403
    assert len(emulator.backend.lists()) == 1
    for host in (f"127.0.0.1:{emulator.port}", f"localhost:{emulator.port}"):
        reply = requests.get(f"{emulator.url}/_emulator/lists", headers={"Host": host}, timeout=5)
        assert reply.status_code == 200, host


def test_admin_routes_refuse_cross_origin_requests(emulator: EmulatorServer) -> None:
    emulator.backend.console_create_list("Keep", "FR")
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        reply = requests.post(
            f"{emulator.url}/_emulator/reset", json={}, headers=headers, timeout=5
        )
        assert reply.status_code == 403, headers
        reply = requests.get(f"{emulator.url}/_emulator/requests", headers=headers, timeout=5)
        assert reply.status_code == 403, headers
    assert len(emulator.backend.lists()) == 1
    own = {"Origin": emulator.url, "Sec-Fetch-Site": "same-origin"}
    assert requests.get(f"{emulator.url}/_emulator/lists", headers=own, timeout=5).ok


@pytest.mark.parametrize(
    "content_type", [None, "application/x-www-form-urlencoded", "text/plain", "multipart/form-data"]
)
def test_admin_writes_that_are_not_json_are_refused(
    emulator: EmulatorServer, content_type: str | None
) -> None:
    # What a plain HTML form or a "simple" fetch can send without a CORS preflight.
    emulator.backend.console_create_list("Keep", "FR")
    headers = {"Content-Type": content_type} if content_type else {}
    reply = requests.post(f"{emulator.url}/_emulator/reset", data=b"{}", headers=headers, timeout=5)
    assert reply.status_code == 415
    assert len(emulator.backend.lists()) == 1


def test_the_api_itself_is_not_guarded_like_the_admin_routes(emulator: EmulatorServer) -> None:
    # AvoSMS clients send forms from anywhere; only the control plane is guarded.
    reply = requests.post(
        f"{emulator.api_url}/contact/list",
        data={"id": DEMO_ID, "key": DEMO_KEY},
        headers={"Host": "api.avosms.example", "Origin": "http://evil.example"},
        timeout=5,
    )
    assert reply.json()["code"] == "OK"


# --------------------------------------------------------------------------- fault parameters


@pytest.mark.parametrize("value", ["1\r\nX-Injected: yes", "1\n", "1\x00", "é"])
def test_a_retry_after_text_that_could_break_the_reply_is_refused(
    emulator: EmulatorServer, value: str
) -> None:
    with pytest.raises(ValueError, match="printable"):
        emulator.faults.add("http503", retry_after=value)
    reply = requests.post(
        f"{emulator.url}/_emulator/faults",
        json={"kind": "http429", "retry_after": value},
        timeout=5,
    )
    assert reply.status_code == 400
    assert len(emulator.faults) == 0


@pytest.mark.parametrize("value", [math.inf, -1.0, math.nan, "soon", True])
def test_latency_delay_and_retry_after_must_be_finite_seconds(
    emulator: EmulatorServer, value: object
) -> None:
    with pytest.raises(ValueError):
        emulator.faults.add("delay", seconds=value)
    with pytest.raises(ValueError):
        emulator.faults.add("http429", retry_after=value if value != "soon" else math.inf)
    with pytest.raises(ValueError):
        emulator.latency = value  # type: ignore[assignment]
    # Python's json reads Infinity and NaN, so the admin route must check them itself.
    for payload in ({"seconds": value}, {"seconds": str(value)}):
        reply = requests.post(
            f"{emulator.url}/_emulator/latency",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
            timeout=5,
        )
        assert reply.status_code == 400, payload
    assert emulator.latency == 0.0
    assert len(emulator.faults) == 0
