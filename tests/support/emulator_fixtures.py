"""pytest fixtures for the AvoSMS emulator, loaded by `pytest_plugins` in tests/conftest.py.

``emulator_server`` starts one :class:`EmulatorServer` on a free port for the session;
``emulator`` resets it (data, id sequence, faults, counters, request log, latency) before
each test and returns it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_avosms.emulator import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY, EmulatorServer

__all__ = ["API_ENDPOINTS", "DEMO_ID", "DEMO_KEY", "avosms_config", "emulator", "emulator_server"]

#: The documented demo credentials, accepted by the test emulator.
DEMO_ID = DEMO_ACCOUNT_ID
DEMO_KEY = DEMO_ACCOUNT_KEY

#: The endpoints of the API reference page (docs/avosms-api.md), written out here rather
#: than taken from the code, so that tests compare the code with the page.
API_ENDPOINTS = (
    "contact/list/create",
    "contact/list/information",
    "contact/list",
    "contact/list/rename",
    "contact/add",
    "contact/update",
    "contact/delete",
)


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    """One emulator for the whole session, in memory, on a free port."""
    server = EmulatorServer(host="127.0.0.1", port=0, accounts={DEMO_ID: DEMO_KEY})
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> EmulatorServer:
    """The session emulator, reset: no lists, ids from 1, no faults, zero counters."""
    emulator_server.reset()
    return emulator_server


@pytest.fixture
def avosms_config(emulator: EmulatorServer) -> dict[str, str]:
    """Stack config pointing the provider at the test emulator with the demo account."""
    return {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": DEMO_KEY,
        "avosms:endpoint": emulator.api_url,
    }
