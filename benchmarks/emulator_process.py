"""The emulator in a process of its own, steered through its ``/_emulator/`` routes.

AvoSMS is a remote server: its work never competes with the engine or the plugin for a
Python interpreter. An emulator inside the benchmark process would: its request handling
would take the benchmark's GIL from the engine stand-in (the gRPC client the harness drives
the plugin with), and the more engine calls a scenario makes, the more it would cost it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
from typing import Any

from pulumi_avosms.emulator import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY

__all__ = ["EmulatorProcess"]

#: Admin calls go straight to this machine, whatever proxy the environment names.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EmulatorProcess:
    """``python -m pulumi_avosms.emulator serve`` on a free port, data in memory.

    The same controls as :class:`~pulumi_avosms.emulator.EmulatorServer` that the
    benchmarks use, over HTTP: :attr:`api_url`, :meth:`reset`, :attr:`latency`,
    :meth:`create_list`, :meth:`get_list`, :meth:`stats`. Usable as a context manager.
    """

    def __init__(self) -> None:
        # A fresh directory: serve would use .avosms/emulator.sqlite3 of its working
        # directory when there is one; here it keeps its data in memory.
        self._cwd = tempfile.TemporaryDirectory(prefix="avosms-bench-")
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pulumi_avosms.emulator",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--account",
                f"{DEMO_ACCOUNT_ID}:{DEMO_ACCOUNT_KEY}",
            ],
            cwd=self._cwd.name,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        # The first line is the base URL, printed once the socket listens.
        self.url = self._proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.stop()
            raise RuntimeError(f"the emulator did not start (its first line: {self.url!r})")
        self._latency = 0.0

    @property
    def api_url(self) -> str:
        """The API endpoint to give a client."""
        return self.url + "/v1"

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _admin(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        data = None if method == "GET" else json.dumps(payload or {}).encode()
        request = urllib.request.Request(
            f"{self.url}/_emulator/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with _NO_PROXY.open(request, timeout=60) as reply:
            return json.loads(reply.read())

    def reset(self) -> None:
        """Forget data, faults, counters and latency (ids restart at 1)."""
        self._admin("POST", "reset")
        self._latency = 0.0

    @property
    def latency(self) -> float:
        """Seconds waited before every API call."""
        return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._admin("POST", "latency", {"seconds": seconds})
        self._latency = seconds

    def create_list(self, name: str, country_code: str) -> str:
        """A list made as in the console; its id."""
        created = self._admin("POST", "lists", {"name": name, "country_code": country_code})
        return str(created["list_id"])

    def get_list(self, list_id: str) -> dict[str, Any]:
        """One list with its contacts."""
        found: dict[str, Any] = self._admin("GET", f"lists/{list_id}")
        return found

    def stats(self) -> dict[str, Any]:
        """The traffic counters (``calls`` by endpoint, ``total_calls``, bytes, connections)."""
        counters: dict[str, Any] = self._admin("GET", "stats")
        return counters

    def stop(self) -> None:
        """Stop the process (SIGTERM, as the emulator expects) and remove its directory."""
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._cwd.cleanup()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
