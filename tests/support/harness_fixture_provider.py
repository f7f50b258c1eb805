"""A tiny dynamic provider used only to self-test ``tests/support/harness.py``.

It lives in an importable module (not in a test function or ``__main__``) so that dill pickles
the provider *by reference*, exactly like the real providers in ``pulumi_avosms``; the plugin
subprocess then imports this module by name, which is why the harness puts the repository root
on the plugin's ``PYTHONPATH``.

Behaviour is steered by ordinary inputs so tests need no second provider:

* ``fail_check`` (str)   -> ``check`` reports a failure on that property with that reason.
* ``fail_create`` (str)  -> ``create`` raises ``RuntimeError(<value>)``.
* ``fail_update`` (str)  -> ``update`` raises ``RuntimeError(<value>)``.
* ``fail_delete`` (str)  -> ``delete`` raises ``RuntimeError(<value>)``.
* ``size``               -> a change needs a replacement (a "force new" property).
* ``dbr`` (bool)         -> replacements are delete-before-replace.
* ``unknown_diff`` (bool)-> ``diff`` answers "don't know" (``DIFF_UNKNOWN``).
* ``trace`` (bool)       -> ``check``/``diff`` print the Python type of every value to stderr.

Objects are kept in a JSON file named by ``HARNESS_FIXTURE_STORE`` when set (so a test can
delete one "out of band" and watch ``refresh`` drop it), otherwise in process memory.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

#: The resource type token the engine sees for :class:`Echo`.
ECHO_TYPE = "pulumi-python:dynamic/harness:Echo"
#: Outputs the provider computes; they are not inputs and never take part in a diff.
COMPUTED = ("created", "echo_id")
#: Inputs whose change needs a new object.
REPLACE_KEYS = ("size",)
#: The environment variable naming the JSON store file.
STORE_ENV = "HARNESS_FIXTURE_STORE"

_MEMORY: dict[str, dict[str, Any]] = {}


def _load() -> dict[str, dict[str, Any]]:
    path = os.environ.get(STORE_ENV)
    if not path:
        return _MEMORY
    p = Path(path)
    return json.loads(p.read_text()) if p.exists() else {}


def _save(store: dict[str, dict[str, Any]]) -> None:
    path = os.environ.get(STORE_ENV)
    if path:
        Path(path).write_text(json.dumps(store))


def _user_keys(props: dict[str, Any]) -> dict[str, Any]:
    """The inputs a user wrote: everything except ``__provider`` and computed outputs."""
    return {k: v for k, v in props.items() if k != "__provider" and k not in COMPUTED}


def _jsonable(props: dict[str, Any]) -> dict[str, Any]:
    # Create/Update never see unknowns (the plugin drops them), so plain JSON is enough.
    return {k: v for k, v in props.items() if k != "__provider"}


class EchoProvider(ResourceProvider):
    """Echoes its inputs as outputs; ids are random. Holds no state of its own, so it pickles
    as a class reference plus an empty ``__dict__``."""

    # Left at the SDK default (True) on purpose: tests check that ``__provider`` is a secret.

    def configure(self, req: ConfigureRequest) -> None:
        # A namespaced key, since the engine hands dynamic providers the whole stack config.
        greeting = req.config.get("harness:greeting")
        # Stored on the class: configure runs once per plugin process and the instance is cached.
        type(self)._greeting = greeting if greeting is not None else "hello"

    _greeting: str = "hello"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        if news.get("trace"):
            for key in sorted(news):
                if key != "__provider":
                    print(f"check {key}: {type(news[key]).__name__}", file=sys.stderr)
        inputs = dict(news)
        inputs.setdefault("greeting", type(self)._greeting)
        failures = []
        if news.get("fail_check"):
            failures.append(CheckFailure("fail_check", str(news["fail_check"])))
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        if news.get("trace"):
            for key in sorted(news):
                if key != "__provider":
                    print(f"diff {key}: {type(news[key]).__name__}", file=sys.stderr)
        if news.get("unknown_diff"):
            return DiffResult(changes=None)
        old, new = _user_keys(olds), _user_keys(news)
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        replaces = [k for k in REPLACE_KEYS if k in changed]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=bool(news.get("dbr")),
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        if props.get("fail_create"):
            raise RuntimeError(str(props["fail_create"]))
        id_ = uuid.uuid4().hex
        outs = {**_jsonable(props), "created": True, "echo_id": id_}
        store = _load()
        store[id_] = outs
        _save(store)
        return CreateResult(id_, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        store = _load()
        if id_ not in store:
            # "Gone": an empty id. outs must still be a dict, or the plugin fails on
            # ``outs["__provider"] = ...``.
            return ReadResult("", {})
        outs = dict(store[id_])
        return ReadResult(id_, outs, inputs=_user_keys(outs))

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if news.get("fail_update"):
            raise RuntimeError(str(news["fail_update"]))
        outs = {**_jsonable(news), "created": True, "echo_id": id_}
        store = _load()
        store[id_] = outs
        _save(store)
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        # The CLI shows a plugin's stderr to the user; the harness captures it for tests.
        print(f"deleting echo {id_}", file=sys.stderr)
        if props.get("fail_delete"):
            raise RuntimeError(str(props["fail_delete"]))
        store = _load()
        store.pop(id_, None)
        _save(store)


class Echo(Resource, module="harness", name="Echo"):
    """A resource managed by :class:`EchoProvider`; every keyword becomes an input."""

    def __init__(self, resource_name: str, opts: Any = None, **props: Any) -> None:
        super().__init__(EchoProvider(), resource_name, dict(props), opts)
