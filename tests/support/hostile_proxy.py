"""A loopback proxy in front of the emulator's ``/v1`` API that spoils what a test asks it to.

The emulator answers like AvoSMS; this proxy stands between it and the plugin to do what
the emulator's faults cannot:

* :attr:`HostileProxy.unreadable`: in ``contact/list/information`` replies, the numbers
  named are spelled in their national form (``06 12 34 56 70``) and the list's country
  code is one no client can map (``XX``), so the client cannot read those numbers back
  while AvoSMS (the emulator) still resolves that spelling to the same contact;
* :meth:`HostileProxy.stop_at_write`: at the n-th write call (add, update, delete, list
  create, rename) the ``on_stop`` callback runs (a test kills the plugin there: an up
  interrupted part-way), that call and every later one get no reply and reach nothing.

Everything else is forwarded unchanged. Loopback only; the admin routes are not proxied.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import phonenumbers

__all__ = ["UNMAPPED_COUNTRY", "WRITE_ENDPOINTS", "HostileProxy"]

#: The endpoints that change data in AvoSMS.
WRITE_ENDPOINTS = frozenset(
    {
        "contact/list/create",
        "contact/list/rename",
        "contact/add",
        "contact/update",
        "contact/delete",
    }
)
#: A country code that maps to no region, so a national number cannot be read with it.
UNMAPPED_COUNTRY = "XX"
_INFO = "contact/list/information"


def national(e164: str) -> str:
    """``+33612345670`` as a person in that country writes it: ``06 12 34 56 70``."""
    number = phonenumbers.parse(e164, None)
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:
        proxy = self.server.proxy
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        endpoint = self.path.split("/v1/", 1)[-1].split("?", 1)[0]
        if not proxy._admit(endpoint):
            self.close_connection = True  # no reply: the caller sees the connection drop
            return
        try:
            status, content_type, reply = proxy._forward(self.path, body, self.headers)
        except OSError:  # the emulator dropped the connection (a fault): so does the proxy
            self.close_connection = True
            return
        if endpoint == _INFO:
            reply = proxy._spoil_information(reply)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: HostileProxy


class HostileProxy:
    """Forwards ``/v1/`` POSTs to ``upstream_api_url`` (the emulator's ``api_url``)."""

    def __init__(self, upstream_api_url: str) -> None:
        parts = urlsplit(upstream_api_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._lock = threading.Lock()
        #: E.164 numbers the next ``information`` replies spell so that no client reads them.
        self.unreadable: set[str] = set()
        self._stop_at: int | None = None
        self._on_stop: Callable[[], None] | None = None
        self._writes = 0
        self.stopped = False
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.proxy = self
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def api_url(self) -> str:
        """The URL to configure as ``avosms:endpoint``."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def stop_at_write(self, index: int, on_stop: Callable[[], None]) -> None:
        """Let ``index`` write calls through, then run ``on_stop`` and answer nothing more."""
        with self._lock:
            self._stop_at, self._on_stop, self._writes, self.stopped = index, on_stop, 0, False

    def clear(self) -> None:
        """Forward everything unchanged again."""
        with self._lock:
            self.unreadable = set()
            self._stop_at, self._on_stop, self._writes, self.stopped = None, None, 0, False

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    # -- per request ------------------------------------------------------------------------

    def _admit(self, endpoint: str) -> bool:
        stop: Callable[[], None] | None = None
        with self._lock:
            if self.stopped:
                return False
            if endpoint in WRITE_ENDPOINTS and self._stop_at is not None:
                if self._writes >= self._stop_at:
                    self.stopped = True
                    stop = self._on_stop
                else:
                    self._writes += 1
        if stop is not None:
            stop()
            return False
        return True

    def _forward(self, path: str, body: bytes, headers: Any) -> tuple[int, str, bytes]:
        conn = http.client.HTTPConnection(*self._upstream, timeout=30)
        try:
            conn.request(
                "POST",
                path,
                body=body,
                headers={"Content-Type": headers.get("Content-Type") or ""},
            )
            resp = conn.getresponse()
            return resp.status, resp.getheader("Content-Type") or "", resp.read()
        finally:
            conn.close()

    def _spoil_information(self, reply: bytes) -> bytes:
        with self._lock:
            unreadable = set(self.unreadable)
        if not unreadable:
            return reply
        try:
            data = json.loads(reply)
        except ValueError:
            return reply  # a fault's page: left as the emulator sent it
        contacts = data.get("list_contact") if isinstance(data, dict) else None
        if not isinstance(contacts, list):
            return reply
        for contact in contacts:
            number = contact.get("contact_telephone_number")
            if number in unreadable:
                contact["contact_telephone_number"] = national(number)
                data["list_contact_country_code"] = UNMAPPED_COUNTRY
        return json.dumps(data).encode()
