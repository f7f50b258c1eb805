"""Self-test of ``tests/support/harness.py`` against the real plugin, with a tiny echo provider.

One plugin process serves the whole module (starting one takes a fraction of a second, but
there is no need to pay it per test); tests that need a pristine process start their own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from tests.support import harness as h
from tests.support.harness_fixture_provider import ECHO_TYPE, STORE_ENV, Echo

CONFIG = {"harness:greeting": "bonjour"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The echo provider's JSON store, shared with the module's plugin."""
    return tmp_path_factory.mktemp("echo") / "store.json"


@pytest.fixture(scope="module")
def plugin(store_path: Path) -> Iterator[h.PluginProcess]:
    """One plugin for the module, configured like the engine would: the greeting as a secret."""
    with h.PluginProcess(env={STORE_ENV: str(store_path)}) as proc:
        proc.configure(CONFIG, secret_keys=["harness:greeting"])
        yield proc


@pytest.fixture(scope="module")
def entry() -> dict[str, Any]:
    """What ``Echo("a", name="A", size=1)`` registers."""
    return h.program_inputs(lambda: Echo("a", name="A", size=1))["a"]


def _with(entry: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of a program_inputs entry with some inputs changed."""
    return {**entry, "inputs": {**entry["inputs"], **changes}}


def _stack(plugin: h.PluginProcess) -> h.Stack:
    return h.Stack(plugin, default_type=ECHO_TYPE)


# -- program_inputs -------------------------------------------------------------------------


def test_program_inputs_records_inputs_and_secret_provider(entry: dict[str, Any]) -> None:
    assert entry["type"] == ECHO_TYPE
    assert entry["urn"] == h.urn(ECHO_TYPE, "a")
    assert entry["inputs"]["name"] == "A"
    assert entry["inputs"]["size"] == 1
    # The SDK default (serialize_as_secret_always=True) makes __provider a secret; the harness
    # hands back the plain string and says so.
    assert isinstance(entry["inputs"]["__provider"], str)
    assert entry["provider_secret"] is True
    assert entry["secret_keys"] == ["__provider"]
    assert entry["import_id"] is None


def test_provider_pickles_by_reference(entry: dict[str, Any]) -> None:
    payload = h.provider_payload(entry["inputs"]["__provider"])
    assert len(payload) < 200, payload
    assert b"tests.support.harness_fixture_provider" in payload
    assert b"EchoProvider" in payload


def test_program_inputs_runs_are_isolated() -> None:
    first = h.program_inputs(lambda: Echo("one", name="1"))
    with pytest.raises(Exception, match="must not define the __provider key"):
        h.program_inputs(lambda: Echo("bad", __provider="x"))
    second = h.program_inputs(lambda: [Echo("two", name="2"), Echo("three", name="3")])
    assert list(first) == ["one"]
    assert sorted(second) == ["three", "two"]


def test_program_inputs_leaves_the_runtime_settings_alone() -> None:
    from pulumi.runtime import settings

    h.program_inputs(lambda: Echo("p", name="P"), preview=True)
    assert settings.SETTINGS.monitor is None
    assert settings.is_dry_run() is False
    assert settings.get_root_resource() is None


def test_program_inputs_records_import_option_and_options() -> None:
    opts = pulumi.ResourceOptions(import_="existing-id", delete_before_replace=True)
    rec = h.program_inputs(lambda: Echo("imp", opts, name="X"))["imp"]
    assert rec["import_id"] == "existing-id"
    assert rec["options"]["delete_before_replace"] is True


def test_program_inputs_preview_records_unknowns() -> None:
    def program() -> None:
        first = Echo("first", name="A")
        Echo("second", name=first.name)  # type: ignore[attr-defined]

    # Mocks that return no outputs: during a preview, "first.name" is then unknown.
    rec = h.program_inputs(program, preview=True, new_resource=lambda args: ("", {}))
    assert rec["second"]["inputs"]["name"] == h.UNKNOWN


# -- the plugin, call by call ----------------------------------------------------------------


def test_program_provider_string_works_in_the_plugin(
    plugin: h.PluginProcess, entry: dict[str, Any]
) -> None:
    urn = h.urn(ECHO_TYPE, "from-program")
    inputs, failures = plugin.check(urn, {}, entry["inputs"])
    assert failures == []
    # Configure's secret arg reached the provider's configure(), unwrapped.
    assert inputs["greeting"] == "bonjour"
    id_, outs = plugin.create(urn, inputs)
    assert id_
    assert outs["name"] == "A"
    assert outs["__provider"] == entry["inputs"]["__provider"]
    plugin.delete(id_, urn, outs)


def test_round_trip(plugin: h.PluginProcess, entry: dict[str, Any]) -> None:
    urn = h.urn(ECHO_TYPE, "rt")
    inputs, _ = plugin.check(urn, {}, entry["inputs"])
    id_, outs = plugin.create(urn, inputs)

    assert plugin.diff(id_, urn, outs, inputs, inputs).changes == "DIFF_NONE"
    renamed = {**inputs, "name": "B"}
    d = plugin.diff(id_, urn, outs, renamed, inputs)
    assert (d.changes, d.replaces) == ("DIFF_SOME", [])
    resized = {**inputs, "size": 2}
    d = plugin.diff(id_, urn, outs, resized, inputs)
    assert (d.changes, d.replaces, d.delete_before_replace) == ("DIFF_SOME", ["size"], False)

    read_id, read_outs, read_inputs = plugin.read(id_, urn, outs, inputs)
    assert read_id == id_
    assert read_outs == outs
    assert read_inputs is not None
    assert read_inputs["name"] == "A"
    assert read_inputs["__provider"] == inputs["__provider"]  # the plugin adds it back

    new_outs = plugin.update(id_, urn, outs, renamed, inputs)
    assert new_outs["name"] == "B"

    plugin.delete(id_, urn, new_outs, renamed)
    gone_id, _, _ = plugin.read(id_, urn, new_outs, renamed)
    assert gone_id == ""


def test_check_failures(plugin: h.PluginProcess, entry: dict[str, Any]) -> None:
    news = {**entry["inputs"], "fail_check": "not acceptable"}
    _, failures = plugin.check(h.urn(ECHO_TYPE, "f"), {}, news)
    assert failures == [("fail_check", "not acceptable")]


def test_plugin_error_carries_the_traceback_and_message(
    plugin: h.PluginProcess, entry: dict[str, Any]
) -> None:
    props = {**entry["inputs"], "fail_create": "list 'x' is full\nsecond line"}
    with pytest.raises(h.PluginError) as info:
        plugin.create(h.urn(ECHO_TYPE, "boom"), props)
    err = info.value
    assert err.method == "Create"
    assert err.code.name == "UNKNOWN"
    assert err.exception_message == "list 'x' is full\nsecond line"
    assert err.raised("RuntimeError")
    assert err.details.startswith("Traceback (most recent call last):")
    assert err.exception_type == "RuntimeError"
    assert err.message == "RuntimeError: list 'x' is full\nsecond line"


def test_unknowns_reach_check_and_diff_as_unknown_objects(
    plugin: h.PluginProcess, entry: dict[str, Any]
) -> None:
    urn = h.urn(ECHO_TYPE, "unk")
    inputs, _ = plugin.check(urn, {}, entry["inputs"])
    id_, outs = plugin.create(urn, inputs)
    since = plugin.stderr_offset()

    news = {**entry["inputs"], "size": h.UNKNOWN, "trace": True}
    checked, failures = plugin.check(urn, inputs, news)
    assert failures == []
    assert checked["size"] == h.UNKNOWN  # echoed back as the wire sentinel

    d = plugin.diff(id_, urn, outs, checked, inputs)
    assert (d.changes, d.replaces) == ("DIFF_SOME", ["size"])
    # The provider sees pulumi.output.Unknown instances, not the sentinel string.
    text = plugin.wait_for_stderr("diff size: Unknown", since=since)
    assert "check size: Unknown" in text
    plugin.delete(id_, urn, outs)


def test_stderr_is_captured(plugin: h.PluginProcess, entry: dict[str, Any]) -> None:
    urn = h.urn(ECHO_TYPE, "noisy")
    inputs, _ = plugin.check(urn, {}, entry["inputs"])
    id_, outs = plugin.create(urn, inputs)
    since = plugin.stderr_offset()
    plugin.delete(id_, urn, outs)
    assert f"deleting echo {id_}" in plugin.wait_for_stderr(f"deleting echo {id_}", since=since)


def test_read_with_neither_properties_nor_inputs_fails_on_provider_key(
    plugin: h.PluginProcess,
) -> None:
    # The import step's Read (no properties, no inputs): no SDK can find `__provider`.
    with pytest.raises(h.PluginError) as info:
        plugin.read("some-id", h.urn(ECHO_TYPE, "imported"))
    assert info.value.raised("KeyError")
    assert info.value.exception_message == "'__provider'"


def test_read_with_inputs_only_finds_provider_key(
    plugin: h.PluginProcess, entry: dict[str, Any]
) -> None:
    # The newest engine's read step: empty properties, the registered props as inputs.
    urn = h.urn(ECHO_TYPE, "got")
    inputs, _ = plugin.check(urn, {}, entry["inputs"])
    id_, _ = plugin.create(urn, inputs)
    read_id, outs, _ = plugin.read(id_, urn, None, entry["inputs"])
    assert (read_id, outs["name"]) == (id_, "A")


# -- engine sequences --------------------------------------------------------------------------


def test_up_create_same_update_replace_delete(
    plugin: h.PluginProcess, entry: dict[str, Any]
) -> None:
    stack = _stack(plugin)

    s = stack.up({"a": entry})
    assert s.ops == {"a": "create"}
    assert s.calls == [("Check", "a"), ("Create", "a")]
    state = stack.resource("a")
    # As the engine would save it: __provider is a secret in inputs and (re-marked) outputs.
    assert h.is_secret(state["inputs"]["__provider"])
    assert h.is_secret(state["outputs"]["__provider"])
    assert stack.outputs("a")["greeting"] == "bonjour"
    first_id = stack.id("a")

    s = stack.up({"a": entry})
    assert s.ops == {"a": "same"}
    assert s.calls == [("Check", "a"), ("Diff", "a")]

    s = stack.up({"a": _with(entry, name="B")})
    assert s.ops == {"a": "update"}
    assert s.calls == [("Check", "a"), ("Diff", "a"), ("Update", "a")]
    assert stack.outputs("a")["name"] == "B"
    assert stack.id("a") == first_id

    s = stack.up({"a": _with(entry, name="B", size=2)})
    assert s.ops == {"a": "replace"}
    # Create-before-delete; the replacement is re-checked with no olds.
    assert s.calls == [
        ("Check", "a"),
        ("Diff", "a"),
        ("Check", "a"),
        ("Create", "a"),
        ("Delete", "a"),
    ]
    assert stack.id("a") != first_id

    s = stack.up({"a": _with(entry, name="B", size=3, dbr=True)})
    assert s.ops == {"a": "replace"}
    assert s.calls == [
        ("Check", "a"),
        ("Diff", "a"),
        ("Check", "a"),
        ("Delete", "a"),
        ("Create", "a"),
    ]

    s = stack.up({})
    assert s.ops == {"a": "delete"}
    assert s.calls == [("Delete", "a")]
    assert stack.state == {}


def test_up_raises_check_failures(plugin: h.PluginProcess, entry: dict[str, Any]) -> None:
    stack = _stack(plugin)
    with pytest.raises(h.CheckFailedError) as info:
        stack.up({"bad": _with(entry, fail_check="nope")})
    assert info.value.failures == [("fail_check", "nope")]
    assert stack.state == {}


def test_preview_calls_only_check_and_diff(plugin: h.PluginProcess, entry: dict[str, Any]) -> None:
    stack = _stack(plugin)
    s = stack.preview({"p": entry})
    assert s.ops == {"p": "create"}
    assert s.calls == [("Check", "p")]
    assert stack.state == {}

    stack.up({"p": entry})
    before = json.dumps(stack.state, sort_keys=True)
    s = stack.preview({"p": _with(entry, size=h.UNKNOWN)})
    assert s.ops == {"p": "replace"}
    assert s.calls == [("Check", "p"), ("Diff", "p"), ("Check", "p")]
    assert s.checked["p"]["size"] == h.UNKNOWN
    assert json.dumps(stack.state, sort_keys=True) == before
    stack.destroy()


def test_diff_unknown_falls_back_to_comparing_inputs(
    plugin: h.PluginProcess, entry: dict[str, Any]
) -> None:
    stack = _stack(plugin)
    stack.up({"u": _with(entry, unknown_diff=True)})
    s = stack.up({"u": _with(entry, unknown_diff=True)})
    assert s.diffs["u"].changes == "DIFF_UNKNOWN"
    assert s.ops == {"u": "same"}
    s = stack.up({"u": _with(entry, unknown_diff=True, name="Z")})
    assert s.ops == {"u": "update"}
    stack.destroy()


def test_refresh_drops_gone_resources_and_takes_returned_inputs(
    plugin: h.PluginProcess, entry: dict[str, Any], store_path: Path
) -> None:
    stack = _stack(plugin)
    stack.up({"kept": entry, "gone": entry})

    store = json.loads(store_path.read_text())
    del store[stack.id("gone")]  # deleted out of band
    store[stack.id("kept")]["name"] = "changed in the console"
    store_path.write_text(json.dumps(store))

    s = stack.refresh()
    assert s.ops == {"kept": "refresh-update", "gone": "delete"}
    assert stack.names() == ["kept"]
    # The provider returned inputs, so they replace the stored ones (and __provider stays).
    assert stack.inputs("kept")["name"] == "changed in the console"
    assert stack.outputs("kept")["name"] == "changed in the console"
    assert h.is_secret(stack.resource("kept")["inputs"]["__provider"])

    s = stack.refresh()
    assert s.ops == {"kept": "refresh"}
    stack.destroy()


def test_import_fails_for_dynamic_resources(plugin: h.PluginProcess, entry: dict[str, Any]) -> None:
    stack = _stack(plugin)
    with pytest.raises(h.PluginError) as info:
        stack.import_("imp", "existing-id", entry)
    assert info.value.method == "Read"
    assert info.value.raised("KeyError")
    assert stack.state == {}

    # The same through a program's opts.import_.
    rec = h.program_inputs(
        lambda: Echo("imp", pulumi.ResourceOptions(import_="existing-id"), name="A", size=1)
    )
    with pytest.raises(h.PluginError, match="__provider"):
        stack.up(rec)
    assert stack.last_summary is not None
    assert stack.last_summary.calls == [("Read", "imp")]
    # A preview reads too, so it fails the same way.
    with pytest.raises(h.PluginError, match="__provider"):
        stack.preview(rec)


def test_delete_failure_keeps_state(plugin: h.PluginProcess, entry: dict[str, Any]) -> None:
    stack = _stack(plugin)
    stack.up({"d": _with(entry, fail_delete="still in use")})
    with pytest.raises(h.PluginError) as info:
        stack.destroy()
    assert info.value.exception_message == "still in use"
    assert info.value.raised("RuntimeError")
    assert stack.names() == ["d"]
    stack.up({"d": entry})  # clear the knob (an update), then it can go
    stack.destroy()
    assert stack.state == {}


# -- process handling --------------------------------------------------------------------------


def test_configure_runs_once_per_provider_per_process(entry: dict[str, Any]) -> None:
    with h.PluginProcess() as proc:
        proc.configure({"harness:greeting": "first"})
        urn = h.urn(ECHO_TYPE, "c")
        assert proc.check(urn, {}, entry["inputs"])[0]["greeting"] == "first"
        # A second Configure is stored, but the cached provider is not configured again.
        proc.configure({"harness:greeting": "second"})
        assert proc.check(urn, {}, entry["inputs"])[0]["greeting"] == "first"


def test_env_is_passed_and_filtered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVOSMS_SHOULD_GO", "1")
    monkeypatch.setenv("HARNESS_DROP_ME", "1")
    with h.PluginProcess(
        env={"AVOSMS_KEPT": "yes", "HARNESS_DROP_ME": None}, unset_prefixes=("AVOSMS_",)
    ) as proc:
        assert proc.env["AVOSMS_KEPT"] == "yes"
        assert "AVOSMS_SHOULD_GO" not in proc.env
        assert "HARNESS_DROP_ME" not in proc.env
        assert proc.env["PULUMI_PROJECT"] == "test"
        assert proc.env["PYTHONPATH"].split(":")[0] == str(h.REPO_ROOT)
        assert proc.get_plugin_info()
    assert not proc.alive


def test_start_failure_reports_stderr(tmp_path: Path) -> None:
    shadow = tmp_path / "pulumi"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise RuntimeError('no pulumi for you')\n")
    with pytest.raises(h.PluginStartError, match="no pulumi for you"):
        h.PluginProcess(pythonpath=[tmp_path], cwd=tmp_path)


def test_a_plain_mocks_test_still_runs_after_program_inputs_in_the_same_thread() -> None:
    """program_inputs runs each program on a loop of its own and leaves the thread as it found
    it: a later `pulumi.runtime.set_mocks` test (which asks get_event_loop() for one) works.
    In a fresh interpreter, since it is about a thread's first loop."""
    script = """
import asyncio
import pulumi
from tests.support import harness as h
from pulumi_avosms import ContactList

h.program_inputs(lambda: ContactList("first", name="A", country_code="FR"))
created = []

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        created.append(args.name)
        return args.name + "-id", dict(args.inputs)

    def call(self, args):
        return {}, None

pulumi.runtime.set_mocks(Mocks(), preview=False)
pulumi.Output.from_input("x").apply(created.append)
asyncio.get_event_loop().run_until_complete(asyncio.sleep(0))
print(created)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=h.REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
