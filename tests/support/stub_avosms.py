"""A stand-in for AvoSMS that answers whatever a test scripts, however wrong (loopback only).

Used by the plugin tests of malformed replies (tests/plugin/test_hostile_input.py and
test_hostile_replies.py); ``GOOD_INFO`` is a well-formed ``contact/list/information`` reply
that a test spoils one field at a time.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["EP_CREATE", "EP_INFO", "EP_LIST", "EP_RENAME", "GOOD_INFO", "StubAvoSMS"]

EP_CREATE = "contact/list/create"
EP_INFO = "contact/list/information"
EP_LIST = "contact/list"
EP_RENAME = "contact/list/rename"


class _StubHandler(BaseHTTPRequestHandler):
    """Answers every POST with the reply scripted for its endpoint (see :class:`StubAvoSMS`)."""

    protocol_version = "HTTP/1.1"
    server: _StubServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        endpoint = self.path.split("/v1/", 1)[-1]
        status, content_type, body = self.server.replies.get(
            endpoint, (404, "text/html", b"<h1>Not Found</h1>")
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _StubServer(ThreadingHTTPServer):
    daemon_threads = True
    replies: dict[str, tuple[int, str, bytes]]


class StubAvoSMS:
    """A tiny HTTP server that answers what a test scripts, however wrong."""

    def __init__(self) -> None:
        self.server = _StubServer(("127.0.0.1", 0), _StubHandler)
        self.server.replies = {}
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def script(self, endpoint: str, body: Any, status: int = 200) -> None:
        if isinstance(body, bytes):
            self.server.replies[endpoint] = (status, "text/html", body)
        else:
            self.server.replies[endpoint] = (status, "application/json", json.dumps(body).encode())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


GOOD_INFO = {
    "code": "OK",
    "list_contact_name": "Customers FR",
    "list_contact_country_name": "France",
    "list_contact_country_code": "FR",
    "nb_contact_list": 0,
    "list_contact_creation_date": "2024-01-02 03:04:05",
    "list_contact": [],
}
