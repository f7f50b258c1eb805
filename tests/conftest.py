"""Shared fixtures: one emulator per session on port 0, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_avosms import _runtime
from tests.emulator_fixtures import DEMO_ID, DEMO_KEY, emulator, emulator_server  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    """Each test starts with no cached client, so no listing cache leaks between tests."""
    _runtime.reset()
    yield
    _runtime.reset()


@pytest.fixture
def avosms_config(emulator: Any) -> dict[str, str]:  # noqa: F811
    """Stack config pointing the provider at the test emulator with the demo account."""
    return {
        "avosms:apiId": DEMO_ID,
        "avosms:apiKey": DEMO_KEY,
        "avosms:endpoint": emulator.api_url,
    }
