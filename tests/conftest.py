"""Shared fixtures: one emulator per session on port 0, reset before every test.

The support code lives in ``tests/support/``; its fixtures load as pytest plugins.
Tests are grouped by the layer they exercise: ``client/``, ``emulator/``, ``providers/``
(provider methods called directly), ``plugin/`` (the real plugin over gRPC), ``cli/`` (the
Pulumi CLI through the Automation API) and ``docs/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_avosms import _runtime

pytest_plugins = ["tests.support.emulator_fixtures"]


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    """Each test starts with no cached client, so no listing cache leaks between tests."""
    _runtime.reset()
    yield
    _runtime.reset()
