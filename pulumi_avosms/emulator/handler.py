"""The HTTP side of the emulator: one handler thread per connection, reading requests
within bounds, routing ``/v1/`` to the API (playing faults, latency, counting, logging)
and ``/_emulator/`` to the control plane (:mod:`.admin`), and writing replies.

:class:`HTTPServer` serves a :class:`Served` (in practice the :class:`~.server.EmulatorServer`,
which owns the life cycle); ``api.py`` stays a pure request → reply mapping and
``backend.py`` the only place with API rules.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from . import admin
from .api import API_PREFIX, ROUTES, error_reply, handle_api_call, parse_form
from .controls import EmulatorControls, RequestRecord
from .faults import HTTP_STATUS, Fault

__all__ = ["MAX_BODY_BYTES", "DeadlineReader", "HTTPServer", "Handler", "Served"]

log = logging.getLogger("pulumi_avosms.emulator")


def outside_api_hint(path: str) -> str:
    """The 404 text for a path outside the API and the controls: where the API is.

    The usual cause is an ``avosms:endpoint`` without ``/v1`` (the server's base URL pasted
    as is): the provider then calls ``/contact/list`` instead of ``/v1/contact/list``.
    """
    endpoint = path.strip("/")
    if endpoint in ROUTES:
        return (
            f"not found: the AvoSMS API is under {API_PREFIX.rstrip('/')} "
            f"(POST {API_PREFIX}{endpoint}); set avosms:endpoint to this server's URL followed "
            f"by {API_PREFIX.rstrip('/')}"
        )
    return (
        f"not found: the AvoSMS API is under {API_PREFIX} (avosms:endpoint ends with "
        f"{API_PREFIX.rstrip('/')}), the emulator's controls under {admin.ADMIN_PREFIX}"
    )


class Served(Protocol):
    """What the HTTP side needs from the server it serves."""

    controls: EmulatorControls
    idle_timeout: float
    request_timeout: float
    max_connections: int

    def served_hosts(self) -> frozenset[str]: ...
    def served_origins(self) -> frozenset[str]: ...
    def request_started(self) -> bool: ...
    def request_finished(self) -> None: ...
    def connection_opened(self, conn: socket.socket) -> None: ...
    def connection_closed(self, conn: socket.socket) -> None: ...


#: Largest request body accepted (AvoSMS forms are a few hundred bytes); larger gets 413.
MAX_BODY_BYTES = 1 << 20


class DeadlineReader(io.RawIOBase):
    """A socket's read side with two bounds: ``idle`` seconds waiting for a request to
    begin, then ``request`` seconds (wall clock) for its request line, headers and body.

    A per-read timeout alone lets a client trickle one byte at a time for ever.
    """

    def __init__(self, sock: socket.socket, idle: float, request: float) -> None:
        super().__init__()
        self._sock = sock
        self._idle = idle
        self._request = request
        self._deadline: float | None = None

    def next_request(self) -> None:
        """The previous request is read: wait (idle bound) for the next one."""
        self._deadline = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._deadline is None:
            self._sock.settimeout(self._idle)
        else:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("request not received in time")
            self._sock.settimeout(remaining)
        count = self._sock.recv_into(buffer)
        if count and self._deadline is None:
            self._deadline = time.monotonic() + self._request
        return count


_HTML_PAGES = {
    200: "<html><head><title>Network login</title></head><body><h1>Sign in to continue"
    "</h1><p>This network requires you to log in before using the Internet.</p></body></html>",
    429: "<html><head><title>429 Too Many Requests</title></head><body><center><h1>429 Too "
    "Many Requests</h1></center><hr><center>nginx</center></body></html>",
    500: "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal "
    "Server Error</h1></body></html>",
    502: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    "</h1></center><hr><center>nginx</center></body></html>",
    503: "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>"
    "<h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center></body>"
    "</html>",
}


class Handler(BaseHTTPRequestHandler):
    """One connection; serves requests on it until the client or the server closes it."""

    # HTTP/1.1 so that keep-alive connections are reused; every reply sets Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "AvoSMSEmulator/0.1"
    server: HTTPServer

    # ---------------------------------------------------------------- connection

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; with Nagle's algorithm on, every call
        # on a kept-alive connection would wait ~40 ms for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile.close()  # replaced by a reader that bounds idle and slow requests
        self._reader = DeadlineReader(
            self.connection, self.server.emulator.idle_timeout, self.server.emulator.request_timeout
        )
        self.rfile = io.BufferedReader(self._reader)
        self.server.emulator.connection_opened(self.connection)

    def handle_one_request(self) -> None:
        self._reader.next_request()
        super().handle_one_request()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.emulator.connection_closed(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    # ---------------------------------------------------------------- methods

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    # ---------------------------------------------------------------- plumbing

    def _read_body(self) -> bytes | None:
        """The request body, or None after answering a request whose body we cannot read."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            # Chunked uploads are not supported; the unread body would desynchronise the
            # connection, so answer and close it.
            self.close_connection = True
            self._send(411, {"error": "Content-Length required"})
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            self._send(400, {"error": "bad Content-Length"})
            return None
        if length > MAX_BODY_BYTES:
            # Not read: closing the connection is cheaper than draining it.
            self.close_connection = True
            self._send(413, {"error": f"request body over {MAX_BODY_BYTES} bytes"})
            return None
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client closed mid-body
            self.close_connection = True
            return None
        return body

    def _send(
        self,
        status: int,
        payload: Any,
        *,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        endpoint: str | None = None,
        cut: bool = False,
    ) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        if cut:
            data = data[: len(data) // 2]
        if endpoint is not None:
            # Counted before writing: a client reading the counters right after receiving
            # its reply must see them (counting after the write would race with it).
            self.server.emulator.controls.stats.count_out(endpoint, len(data))
        try:
            # Reads may have left a short timeout; a reply gets the idle bound to be taken.
            self.connection.settimeout(self.server.emulator.idle_timeout)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:  # client went away; nothing to tell it
            self.close_connection = True

    def _drop(self) -> None:
        """Close the connection without replying (the client sees EOF, no status line)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _dispatch(self, method: str) -> None:
        emulator = self.server.emulator
        parts = urlsplit(self.path)
        path = parts.path
        body = self._read_body()
        if body is None:
            return
        if not emulator.request_started():
            # stop() has begun (and may be about to close the backend): a request read on
            # a kept-alive connection is dropped rather than served half-way.
            self._drop()
            return
        try:
            if path.startswith(admin.ADMIN_PREFIX) or path == admin.ADMIN_PREFIX.rstrip("/"):
                headers = {name.lower(): value for name, value in self.headers.items()}
                refusal = admin.refusal(
                    method, headers, emulator.served_hosts(), emulator.served_origins()
                )
                if refusal is not None:
                    self._send(*refusal)
                else:
                    status, reply = admin.handle_admin(emulator.controls, method, path, body)
                    self._send(status, reply)
            elif path.startswith(API_PREFIX):
                self._api_call(method, path, parts.query, body)
            else:
                reply = {"status": "error", "code": "HTTP_404", "error": outside_api_hint(path)}
                self._send(404, reply)
        except Exception:  # a bug in the emulator: say so rather than hang the client
            log.exception("emulator failure on %s %s", method, self.path)
            self.close_connection = True
            self._send(500, {"status": "error", "code": "EMULATOR_FAILURE"})
        finally:
            emulator.request_finished()

    def _api_call(self, method: str, path: str, query: str, body: bytes) -> None:
        stats = self.server.emulator.controls.stats
        stats.call_started()
        try:
            self._serve_api_call(method, path, query, body)
        finally:
            stats.call_finished()

    def _serve_api_call(self, method: str, path: str, query: str, body: bytes) -> None:
        emulator = self.server.emulator
        abort = emulator.controls.abort  # see EmulatorControls

        endpoint = path[len(API_PREFIX) :]
        form = parse_form(body, self.headers.get("Content-Type"))
        record = RequestRecord(
            endpoint=endpoint,
            method=method,
            path=path,
            query=query,
            form=form,
            headers=dict(self.headers.items()),
        )
        emulator.controls.request_log.append(record)
        emulator.controls.stats.count_call(endpoint, len(body))

        if endpoint not in ROUTES:
            reply = {"status": "error", "code": "HTTP_404", "error": f"no endpoint {endpoint}"}
            self._send(404, reply, endpoint=endpoint)
            return
        if method != "POST":
            # Every AvoSMS call is a POST.
            reply = {"status": "error", "code": "HTTP_405", "error": "use POST"}
            self._send(405, reply, headers={"Allow": "POST"}, endpoint=endpoint)
            return

        if emulator.controls.wait(abort, emulator.controls.latency):
            self._drop()
            return
        # The fault is taken only now, after the latency wait: a call aborted during that
        # wait (reset, stop) must leave the fault queued for a call that will act on it.
        fault = emulator.controls.faults.take(endpoint)
        record.fault = fault.kind if fault else None
        if fault is not None and self._fault_before(fault, endpoint, abort):
            return

        reply = handle_api_call(emulator.controls.backend, endpoint, form)

        if fault is not None and fault.kind == "drop_after":
            self._drop()  # the change IS applied; the reply is lost
            return
        cut = fault is not None and fault.kind == "truncated"
        self._send(200, reply, endpoint=endpoint, cut=cut)

    def _fault_before(self, fault: Fault, endpoint: str, abort: threading.Event) -> bool:
        """Play the part of ``fault`` that comes before processing; True when answered."""
        kind = fault.kind
        if kind == "delay":
            if self.server.emulator.controls.wait(abort, fault.seconds):
                self._drop()
                return True
            return False  # then answer normally
        if kind == "drop_before":
            self._drop()
            return True
        if kind == "err9xx":
            self._send(200, error_reply(fault.code), endpoint=endpoint)
            return True
        if kind in HTTP_STATUS:
            status = HTTP_STATUS[kind]
            headers: dict[str, str] = {}
            if fault.retry_after is not None:
                value = fault.retry_after
                headers["Retry-After"] = value if isinstance(value, str) else format(value, "g")
            page = _HTML_PAGES[status].encode("utf-8")
            self._send(status, page, content_type="text/html", headers=headers, endpoint=endpoint)
            return True
        if kind == "html":
            page = _HTML_PAGES[200].encode("utf-8")
            self._send(200, page, content_type="text/html; charset=utf-8", endpoint=endpoint)
            return True
        return False  # truncated / drop_after act after processing


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # 50 parallel clients must not overflow the listen backlog (SYN retries cost 1 s).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Served) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        self._slots = threading.BoundedSemaphore(emulator.max_connections)
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # One thread per connection, so connections are bounded: beyond the bound a new one
        # is closed at once (the client sees a reset and may retry) instead of costing a thread.
        if not self._slots.acquire(blocking=False):
            log.warning(
                "emulator at %d connections; closing a new one", self.emulator.max_connections
            )
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()
