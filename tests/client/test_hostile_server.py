"""The client against hand-written hostile HTTP servers on the loopback interface.

Each server speaks raw TCP, so it can do what no well-behaved server does: trickle its status
line, send ``100 Continue`` without end, act as a proxy that records what it receives.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable

import pytest

from pulumi_avosms.client import AvoSMSClient
from pulumi_avosms.client.replies import MAX_REPLY_BYTES, MAX_REPLY_VALUES, too_many_values
from pulumi_avosms.errors import (
    APITimeoutError,
    AvoSMSError,
    ConfigurationError,
    UnexpectedResponseError,
)
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.raw_server import Handler, RawServer, raw_json


def _trickle_status_line(conn: socket.socket, stop: threading.Event) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
        if stop.is_set():
            return
        conn.sendall(bytes([byte]))
        time.sleep(0.05)


def _endless_continue(conn: socket.socket, stop: threading.Event) -> None:
    while not stop.is_set():
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        time.sleep(0.05)


@pytest.mark.parametrize("handler", [_trickle_status_line, _endless_continue])
def test_a_reply_that_never_completes_ends_at_the_attempt_deadline(
    raw_server: Callable[[Handler], RawServer], handler: Handler
) -> None:
    server = raw_server(handler)
    client = AvoSMSClient(
        DEMO_ID,
        DEMO_KEY,
        server.url,
        connect_timeout=0.5,
        read_timeout=0.5,
        max_retries=0,
        max_retry_time=0,
    )
    started = time.monotonic()
    try:
        with pytest.raises(APITimeoutError, match="took more than 1 s") as caught:
            client.list_lists()
    finally:
        client.close()
    # Each byte comes well within the 0.5 s read timeout: only the attempt's own deadline
    # ends it, and it ends that one attempt (the message says which bound).
    assert len(server.received) == 1
    assert server.url in str(caught.value)
    # Hang guard only (10x the 1 s bound); the trickle alone would last 500 s.
    assert time.monotonic() - started < 10


def test_retry_timeout_bounds_a_whole_write_including_its_reconciliation(
    raw_server: Callable[[Handler], RawServer],
) -> None:
    server = raw_server(_trickle_status_line)
    client = AvoSMSClient(
        DEMO_ID,
        DEMO_KEY,
        server.url,
        connect_timeout=0.5,
        read_timeout=0.5,
        max_retries=10,
        max_retry_time=2.0,
        backoff_base=0.01,
    )
    try:
        with pytest.raises(AvoSMSError) as caught:
            client.create_list("Customers", "FR")
    finally:
        client.close()
    # One create (its 1 s attempt deadline), then the check that it did not land, cut to
    # what is left of the 2 s budget; no resend starts after it. Without the hard bound:
    # up to 11 creates and their listing checks.
    assert [request.split(b" ", 2)[1] for request in server.wait_for_requests(2)] == [
        b"/v1/contact/list/create",
        b"/v1/contact/list",
    ]
    assert getattr(caught.value, "outcome_unknown", False)


def _json_reply(body: dict[str, object]) -> Handler:
    payload = json.dumps(body).encode()

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(payload)).encode()
            + b"\r\nConnection: close\r\n\r\n"
            + payload
        )

    return handler


def test_a_loopback_endpoint_never_goes_through_the_environments_proxy(
    raw_server: Callable[[Handler], RawServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    api = raw_server(_json_reply({"code": "OK", "list_contact": []}))
    proxy = raw_server(_json_reply({"code": "OK", "list_contact": []}))
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with AvoSMSClient(DEMO_ID, DEMO_KEY, api.url, max_retries=0) as client:
        assert client.list_lists() == []
    assert proxy.received == []
    assert len(api.received) == 1 and DEMO_KEY.encode() in api.received[0]


def _hang_up(conn: socket.socket, stop: threading.Event) -> None:
    """A proxy that records the request (by the fixture) and closes: nothing goes further."""


def _clear_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_a_remote_https_endpoint_goes_through_the_environments_https_proxy(
    raw_server: Callable[[Handler], RawServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The proxy is on this machine and hangs up after the CONNECT: no network is used.
    proxy = raw_server(_hang_up)
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
    client = AvoSMSClient(DEMO_ID, DEMO_KEY, "https://api.avosms.com/v1", max_retries=0)
    with client, pytest.raises(AvoSMSError):
        client.list_lists()
    (request,) = proxy.wait_for_requests(1)
    assert request.startswith(b"CONNECT api.avosms.com:443 HTTP/")
    assert DEMO_KEY.encode() not in request  # the key travels only inside the TLS tunnel


@pytest.mark.parametrize("no_proxy", ["api.avosms.com", ".avosms.com", "*"])
def test_no_proxy_keeps_a_remote_https_endpoint_off_the_environments_proxy(
    monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    # What requests would use for this client's session, asked without sending anything.
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with AvoSMSClient(DEMO_ID, DEMO_KEY, "https://api.avosms.com/v1") as client:
        session = client._transport._session
        url = client._transport.url("contact/list")
        chosen = session.merge_environment_settings(url, {}, None, None, None)["proxies"]
        assert chosen.get("https") == "http://127.0.0.1:9"
        monkeypatch.setenv("NO_PROXY", no_proxy)
        chosen = session.merge_environment_settings(url, {}, None, None, None)["proxies"]
        assert "https" not in chosen


#: Replies at the caps built to cost the most memory to parse: under both caps, distinct
#: numbers, distinct strings, one object of distinct keys, many one-key objects; and tiny
#: items filling the byte cap (refused by the value cap; json.loads would take ~1.6 GB).
_ITEMS = MAX_REPLY_VALUES - 100
_COSTLY_SHAPES = {
    "numbers": lambda: b"[" + b",".join(b"%d" % (10**9 + i) for i in range(_ITEMS)) + b"]",
    "strings": lambda: b"[" + b",".join(b'"s%07d"' % i for i in range(_ITEMS)) + b"]",
    "keys": lambda: b"{" + b",".join(b'"k%07d":0' % i for i in range(_ITEMS)) + b"}",
    "objects": lambda: b"[" + b",".join(b'{"k%07d":0}' % i for i in range(_ITEMS // 2)) + b"]",
    "tiny": lambda: b"[" + b",".join([b"{}"] * ((MAX_REPLY_BYTES - 64) // 3)) + b"]",
}


@pytest.mark.parametrize("shape", sorted(_COSTLY_SHAPES))
def test_one_call_parsing_the_costliest_reply_at_the_caps_stays_under_256_mb(
    raw_server: Callable[[Handler], RawServer], shape: str
) -> None:
    # The plugin serves 4 calls at once: each must stay well under a gigabyte.
    payload = b'{"code": "OK", "list_contact": ' + _COSTLY_SHAPES[shape]() + b"}"
    assert len(payload) <= MAX_REPLY_BYTES
    assert too_many_values(payload) == (shape == "tiny")
    server = raw_server(raw_json(payload))
    client = AvoSMSClient(DEMO_ID, DEMO_KEY, server.url, max_retries=0, read_timeout=60)
    tracemalloc.start()
    try:
        with client, pytest.raises(UnexpectedResponseError, match=r"list_contact|values"):
            client.list_lists()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 256 << 20, f"{peak >> 20} MB"


def test_a_reply_of_a_million_tiny_items_is_refused_before_it_is_parsed(
    raw_server: Callable[[Handler], RawServer],
) -> None:
    # 3.6 MB, well under the size cap, but json.loads would build 1.2 million dicts.
    items = b",".join([b"{}"] * 1_200_000)
    server = raw_server(raw_json(b'{"code": "OK", "list_contact": [' + items + b"]}"))
    client = AvoSMSClient(DEMO_ID, DEMO_KEY, server.url, max_retries=0)
    with client, pytest.raises(UnexpectedResponseError, match="more than 1000000 values"):
        client.list_lists()


def test_a_reply_over_the_size_cap_is_cut_off_even_without_a_declared_length(
    raw_server: Callable[[Handler], RawServer],
) -> None:
    payload = b'{"code": "OK", "pad": "' + b"x" * (17 << 20) + b'"}'
    server = raw_server(raw_json(payload, length=False))
    client = AvoSMSClient(DEMO_ID, DEMO_KEY, server.url, max_retries=0)
    with client, pytest.raises(UnexpectedResponseError, match=f"larger than {16 << 20} bytes"):
        client.list_lists()


@pytest.mark.parametrize(
    "endpoint", ["http://127.0.0.1:80@evil.example/v1", "http://evil.example/v1"]
)
def test_the_client_itself_refuses_an_endpoint_its_http_library_reads_as_another_host(
    endpoint: str,
) -> None:
    # The settings refuse these first; the client checks again with the parser that sends.
    with pytest.raises(ConfigurationError, match="in clear or to another host"):
        AvoSMSClient(DEMO_ID, DEMO_KEY, endpoint)


def test_the_clients_own_endpoint_refusal_hides_user_info_and_the_key() -> None:
    # Reached only when the settings are bypassed (the client used as a library).
    with pytest.raises(ConfigurationError) as caught:
        AvoSMSClient(DEMO_ID, DEMO_KEY, f"https://x:{DEMO_KEY.upper()}@evil.example/{DEMO_KEY}")
    assert "***@evil.example" in str(caught.value)
    assert DEMO_KEY.casefold() not in str(caught.value).casefold()
