"""Shared fixtures: one emulator per session on port 0, reset before every test.

The support code lives in ``tests/support/``; its fixtures load as pytest plugins.
Tests are grouped by the layer they exercise: ``client/``, ``emulator/``, ``providers/``
(provider methods called directly), ``plugin/`` (the real plugin over gRPC), ``cli/`` (the
Pulumi CLI through the Automation API) and ``docs/``.

Hypothesis profiles: ``ci`` (selected by ``CI=true``) is derandomised, so a run is the same
on every machine; ``explore`` (``HYPOTHESIS_PROFILE=explore``) draws fresh random examples
each run and prints how to reproduce a failure. ``HYPOTHESIS_PROFILE`` wins over ``CI``.
"""

from __future__ import annotations

import ast
import functools
import gc
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from pulumi_avosms import _runtime

pytest_plugins = [
    "tests.support.emulator_fixtures",
    "tests.support.raw_server",
    "tests.support.release",
]


def _parse_without_gc(parse: Callable[..., ast.AST]) -> Callable[..., ast.AST]:
    """``ast.parse`` with the garbage collector paused: CPython 3.11.5 to 3.11.7 count the
    AST converter's depth with the interpreter's recursion counter, so a finalizer that runs
    while a big file is converted (the suite leaves gRPC and SDK objects to collect) can make
    it raise ``SystemError: AST constructor recursion depth mismatch`` (gh-106905, fixed in
    3.11.8). The layout, size and lint tests parse every file of the repository."""

    @functools.wraps(parse)
    def wrapper(*args: Any, **kwargs: Any) -> ast.AST:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return parse(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


if (3, 11, 5) <= sys.version_info[:3] < (3, 11, 8):
    ast.parse = _parse_without_gc(ast.parse)  # type: ignore[assignment]

# Registered before the test modules are imported, so their settings(...) inherit the profile.
settings.register_profile(
    "ci",
    derandomize=True,  # the same examples on every run: CI fails only for a real change
    database=None,  # nothing carried over from an earlier run
    deadline=None,  # a slow shared runner is not a failure
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", derandomize=False, deadline=None, print_blob=True)
_profile = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else None
)
if _profile is not None:
    settings.load_profile(_profile)


@pytest.fixture(autouse=True)
def _fresh_clients() -> Iterator[None]:
    """Each test starts with no cached client, so no listing cache leaks between tests."""
    _runtime.reset()
    yield
    _runtime.reset()
