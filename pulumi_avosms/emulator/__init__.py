"""A local emulator of the AvoSMS contact-list API, for tests, examples and benchmarks.

It answers every endpoint of the API reference under ``/v1/`` (POST, form body, JSON reply
with ``code`` "OK" or ``ERR_xxx``) and agrees with ``docs/avosms-api.md``. Where that page is
silent the emulator is *conservative* (it refuses what the real service might refuse) and
a comment at the spot in ``backend.py``/``api.py`` says so.

Run it::

    avosms-emulator --port 0 --state .avosms/state.db      # prints http://127.0.0.1:PORT
    python -m pulumi_avosms.emulator                         # same; default port 8765

In-process (how tests use it)::

    from pulumi_avosms.emulator import EmulatorServer

    with EmulatorServer(port=0) as server:                   # listening on return
        client = AvoSMSClient("demo@avosms.local", "demo-key", server.api_url)
        ...
        server.backend.lists()            # every list, with contacts (plain dicts)
        server.backend.get_list("1")      # one list or None
        server.backend.console_rename_list("1", "Renamed")   # drift made "in the console"
        server.faults.add("http503", count=2, retry_after=0.1)
        server.faults.add("drop_after", endpoint="contact/list/create")
        server.stats.snapshot()           # {"calls", "bytes_in", "bytes_out", "connections"...}
        server.request_log                # [RequestRecord(endpoint, method, path, query, form..)]
                                          # form/query as received, API key included
        server.latency = 0.02             # per API call
        server.reset()                    # data, ids, faults, counters, log, latency
        server.backend.reset()            # the data and id sequence only

pytest fixtures (``emulator_server`` per session, ``emulator`` reset per test) are in
``tests/support/emulator_fixtures.py``.

Out of process, the same controls are JSON routes under ``/_emulator/`` (never part of
the AvoSMS API; not counted, not logged, never faulted): :data:`.admin.ROUTES`, documented
in ``docs/emulator.md`` with the command line and every fault kind.
"""

from .backend import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY, ApiError, EmulatorBackend
from .controls import EmulatorControls, RequestLog, RequestRecord, Stats
from .faults import FAULT_KINDS, Fault, FaultPlan
from .server import EmulatorServer

__all__ = [
    "DEMO_ACCOUNT_ID",
    "DEMO_ACCOUNT_KEY",
    "FAULT_KINDS",
    "ApiError",
    "EmulatorBackend",
    "EmulatorControls",
    "EmulatorServer",
    "Fault",
    "FaultPlan",
    "RequestLog",
    "RequestRecord",
    "Stats",
]
