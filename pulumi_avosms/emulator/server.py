"""EmulatorServer: a threaded HTTP/1.1 server speaking the AvoSMS API under ``/v1/``.

Transport concerns live here — keep-alive, faults, latency, counters, the request log —
so that ``api.py`` stays a pure request → reply mapping and ``backend.py`` the only place
with API rules.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from . import admin
from .api import API_PREFIX, ROUTES, error_reply, handle_api_call, parse_form
from .backend import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY, EmulatorBackend
from .controls import EmulatorControls, RequestLog, RequestRecord, Stats
from .faults import HTTP_STATUS, Fault, FaultPlan

__all__ = ["DEMO_ACCOUNT_ID", "DEMO_ACCOUNT_KEY", "EmulatorServer", "RequestRecord", "Stats"]

log = logging.getLogger("pulumi_avosms.emulator")

#: Largest request body accepted (AvoSMS forms are a few hundred bytes); larger gets 413.
MAX_BODY_BYTES = 1 << 20


class _DeadlineReader(io.RawIOBase):
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


class _Handler(BaseHTTPRequestHandler):
    """One connection; serves requests on it until the client or the server closes it."""

    # HTTP/1.1 so that keep-alive connections are reused; every reply sets Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "AvoSMSEmulator/0.1"
    server: _HTTPServer

    # ---------------------------------------------------------------- connection

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; with Nagle's algorithm on, every call
        # on a kept-alive connection would wait ~40 ms for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile.close()  # replaced by a reader that bounds idle and slow requests
        self._reader = _DeadlineReader(
            self.connection, self.server.emulator.idle_timeout, self.server.emulator.request_timeout
        )
        self.rfile = io.BufferedReader(self._reader)
        self.server.emulator._connection_opened(self.connection)

    def handle_one_request(self) -> None:
        self._reader.next_request()
        super().handle_one_request()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.emulator._connection_closed(self.connection)

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
            self.server.emulator.stats.count_out(endpoint, len(data))
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
        if not emulator._request_started():
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
                self._send(404, {"status": "error", "code": "HTTP_404", "error": "not found"})
        except Exception:  # a bug in the emulator: say so rather than hang the client
            log.exception("emulator failure on %s %s", method, self.path)
            self.close_connection = True
            self._send(500, {"status": "error", "code": "EMULATOR_FAILURE"})
        finally:
            emulator._request_finished()

    def _api_call(self, method: str, path: str, query: str, body: bytes) -> None:
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
        emulator.request_log.append(record)
        emulator.stats.count_call(endpoint, len(body))

        if endpoint not in ROUTES:
            reply = {"status": "error", "code": "HTTP_404", "error": f"no endpoint {endpoint}"}
            self._send(404, reply, endpoint=endpoint)
            return
        if method != "POST":
            # Every AvoSMS call is a POST.
            reply = {"status": "error", "code": "HTTP_405", "error": "use POST"}
            self._send(405, reply, headers={"Allow": "POST"}, endpoint=endpoint)
            return

        if _wait(abort, emulator.latency):
            self._drop()
            return
        # The fault is taken only now, after the latency wait: a call aborted during that
        # wait (reset, stop) must leave the fault queued for a call that will act on it.
        fault = emulator.faults.take(endpoint)
        record.fault = fault.kind if fault else None
        if fault is not None and self._fault_before(fault, endpoint, abort):
            return

        reply = handle_api_call(emulator.backend, endpoint, form)

        if fault is not None and fault.kind == "drop_after":
            self._drop()  # the change IS applied; the reply is lost
            return
        cut = fault is not None and fault.kind == "truncated"
        self._send(200, reply, endpoint=endpoint, cut=cut)

    def _fault_before(self, fault: Fault, endpoint: str, abort: threading.Event) -> bool:
        """Play the part of ``fault`` that comes before processing; True when answered."""
        kind = fault.kind
        if kind == "delay":
            if _wait(abort, fault.seconds):
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


def _wait(abort: threading.Event, seconds: float) -> bool:
    """Wait ``seconds`` unless ``abort`` is set first; True when aborted (never sleeps)."""
    if seconds <= 0:
        return abort.is_set()
    return abort.wait(seconds)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # 50 parallel clients must not overflow the listen backlog (SYN retries cost 1 s).
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: EmulatorServer) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        self._slots = threading.BoundedSemaphore(emulator.max_connections)
        super().__init__(address, _Handler)

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


class EmulatorServer:
    """The AvoSMS emulator: HTTP server + :class:`EmulatorBackend` + faults + counters.

    The socket is bound and listening when the constructor returns (``port=0`` picks a
    free port, then readable as :attr:`port`); :meth:`start` serves it from a daemon thread;
    :meth:`stop` interrupts pending delays, waits (bounded) for requests being served,
    closes open connections, the socket and the backend. Usable as a context manager. A
    stopped server cannot be restarted — create a new one (on the same ``state_path`` to
    keep the data).

    ``accounts`` maps account id (e-mail) → API key, default the documented demo pair.
    ``latency`` (seconds, settable at any time) is waited before every API call.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        state_path: str | None = None,
        accounts: dict[str, str] | None = None,
        latency: float = 0.0,
        *,
        idle_timeout: float = 30.0,
        request_timeout: float = 10.0,
        max_connections: int = 64,
    ) -> None:
        self.host = host
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self.max_connections = max_connections
        self.controls = EmulatorControls(EmulatorBackend(state_path, accounts), latency)
        self._stopping = threading.Event()
        self._conn_lock = threading.Lock()
        # Requests being served (not idle keep-alive connections): stop() waits for them
        # before closing the backend. _accepting is cleared by stop(), under the same lock.
        self._in_flight = 0
        self._accepting = True
        self._in_flight_changed = threading.Condition(threading.Lock())
        self._open_connections: set[socket.socket] = set()
        self._thread: threading.Thread | None = None
        self._stopped = False
        try:
            self._httpd = _HTTPServer((host, port), self)
        except BaseException:
            self.controls.backend.close()
            raise

    # ---------------------------------------------------------------- controls

    @property
    def backend(self) -> EmulatorBackend:
        """The stored data and the API rules."""
        return self.controls.backend

    @property
    def faults(self) -> FaultPlan:
        """Faults the next API calls will suffer."""
        return self.controls.faults

    @property
    def stats(self) -> Stats:
        """Traffic counters."""
        return self.controls.stats

    @property
    def request_log(self) -> RequestLog:
        """The last API requests received, API key included (in-process only)."""
        return self.controls.request_log

    @property
    def latency(self) -> float:
        """Seconds waited before every API call."""
        return self.controls.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.controls.latency = seconds

    def reset(self) -> None:
        """Forget data, faults, counters, the request log and latency (see EmulatorControls)."""
        self.controls.reset()

    # ---------------------------------------------------------------- addresses

    @property
    def port(self) -> int:
        """The TCP port actually listened on."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:8765`` (no trailing slash)."""
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def bound_address(self) -> str:
        """The address really listened on, e.g. ``0.0.0.0:8765`` or ``[::]:8765``."""
        host = str(self._httpd.server_address[0])
        return f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"

    @property
    def is_loopback(self) -> bool:
        """True when only this machine can connect (the address bound is a loopback one)."""
        try:
            return ipaddress.ip_address(str(self._httpd.server_address[0])).is_loopback
        except ValueError:
            return False

    def served_hosts(self) -> frozenset[str]:
        """``Host`` header values the admin routes accept: this server's own addresses.

        Any other name (one a web page made resolve here: DNS rebinding) is refused.
        """
        names = {urlsplit(self.url).netloc.rsplit(":", 1)[0], self.bound_address.rsplit(":", 1)[0]}
        if self.is_loopback or self.host in ("", "0.0.0.0", "::"):
            names |= {"localhost", "127.0.0.1", "[::1]"}
        return frozenset(f"{name.lower()}:{self.port}" for name in names)

    def served_origins(self) -> frozenset[str]:
        """``Origin`` values the admin routes accept (only this server's own pages)."""
        return frozenset(f"http://{host}" for host in self.served_hosts())

    @property
    def api_url(self) -> str:
        """The API endpoint to give a client: :attr:`url` + ``/v1``."""
        return self.url + "/v1"

    # ---------------------------------------------------------------- life cycle

    def start(self) -> EmulatorServer:
        """Serve in a daemon thread; returns at once (the socket already listens)."""
        if self._stopped:
            raise RuntimeError("a stopped EmulatorServer cannot be restarted; create a new one")
        if self._thread is None:
            # poll_interval bounds how long stop() waits for the serving loop to notice.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"avosms-emulator:{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    #: How long stop() waits, at most, for requests still being served.
    STOP_GRACE = 5.0

    def stop(self) -> None:
        """Stop serving: wake delayed calls, let requests being served finish (at most
        :attr:`STOP_GRACE` seconds), close connections, socket and backend."""
        if self._stopped:
            return
        self._stopped = True
        with self._in_flight_changed:
            self._accepting = False  # requests read from now on are dropped unserved
        self._stopping.set()
        self.controls.abort.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        # Handler threads are daemon threads, which ThreadingMixIn does not track (and would
        # join without a bound), so requests in flight are counted here instead. Closing
        # the backend under a running handler would answer its call with a 500.
        self._httpd.server_close()
        deadline = time.monotonic() + self.STOP_GRACE
        with self._in_flight_changed:
            while self._in_flight > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    log.warning(
                        "emulator stopping with %d request(s) still running", self._in_flight
                    )
                    break
                self._in_flight_changed.wait(remaining)
        with self._conn_lock:
            connections = list(self._open_connections)
        for conn in connections:  # idle keep-alive handlers would otherwise linger
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self.backend.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no request is being served (e.g. a delayed call has landed); False if
        ``timeout`` seconds passed first. For tests that must judge the state afterwards."""
        deadline = time.monotonic() + timeout
        with self._in_flight_changed:
            while self._in_flight > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._in_flight_changed.wait(remaining)
        return True

    def wait_stopped(self, timeout: float | None = None) -> bool:
        """Block until :meth:`stop` is called (from another thread or a signal handler)."""
        return self._stopping.wait(timeout)

    # ---------------------------------------------------------------- internals

    def _request_started(self) -> bool:
        """Count a request as being served; False (not counted) once stop() has begun."""
        with self._in_flight_changed:
            if not self._accepting:
                return False
            self._in_flight += 1
            return True

    def _request_finished(self) -> None:
        with self._in_flight_changed:
            self._in_flight -= 1
            self._in_flight_changed.notify_all()

    def _connection_opened(self, conn: socket.socket) -> None:
        self.stats.count_connection()
        with self._conn_lock:
            self._open_connections.add(conn)

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._open_connections.discard(conn)
