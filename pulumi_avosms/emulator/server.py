"""EmulatorServer: the emulator's life cycle and addresses.

It binds a :class:`~.handler.HTTPServer` (the HTTP side), owns the
:class:`~.controls.EmulatorControls` (data, faults, counters, log, latency) and stops
cleanly: delayed calls woken, requests being served finished, connections closed.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import threading
import time
from types import TracebackType
from urllib.parse import urlsplit

from .backend import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY, EmulatorBackend
from .controls import EmulatorControls, RequestLog, RequestRecord, Stats
from .faults import FaultPlan
from .handler import MAX_BODY_BYTES, HTTPServer

__all__ = [
    "DEMO_ACCOUNT_ID",
    "DEMO_ACCOUNT_KEY",
    "MAX_BODY_BYTES",
    "EmulatorServer",
    "RequestRecord",
    "Stats",
]

log = logging.getLogger("pulumi_avosms.emulator")


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
            self._httpd = HTTPServer((host, port), self)
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

    # ---------------------------------------------------------------- for the handler (Served)

    def request_started(self) -> bool:
        """Count a request as being served; False (not counted) once stop() has begun."""
        with self._in_flight_changed:
            if not self._accepting:
                return False
            self._in_flight += 1
            return True

    def request_finished(self) -> None:
        """A request counted by :meth:`request_started` is done."""
        with self._in_flight_changed:
            self._in_flight -= 1
            self._in_flight_changed.notify_all()

    def connection_opened(self, conn: socket.socket) -> None:
        """A connection was accepted (counted; closed by :meth:`stop` if still open)."""
        self.stats.count_connection()
        with self._conn_lock:
            self._open_connections.add(conn)

    def connection_closed(self, conn: socket.socket) -> None:
        """A connection ended."""
        with self._conn_lock:
            self._open_connections.discard(conn)
