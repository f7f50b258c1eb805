"""The demo (root project, stack ``demo``) in embedded mode, through the real plugin.

``Pulumi.demo.yaml`` sets ``avosms:endpoint: emulator`` and no credentials: the plugin starts
the emulator inside its own process with its SQLite state in ``.avosms/emulator.sqlite3``
under its working directory, which the CLI sets to the project directory. Here the plugin
runs in a temporary "project directory", as the CLI would run it, and the stack's commands
follow ``scripts/demo``'s story: up, a next command in a new plugin process, drift made by
hand with ``avosms-emulator`` on the same file, refresh, up, destroy. The same story with
the real CLI is ``./scripts/demo`` (run by .ci/run when ``pulumi`` is on PATH) and
``tests/cli/test_automation_cli.py``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_avosms.emulator import EmulatorBackend
from tests.support import harness as h
from tests.support.projects import (
    DEMO_PASSPHRASE,
    REPO_ROOT,
    load_yaml,
    run_emulator_cli,
    run_program,
)

STATE_FILE = Path(".avosms") / "emulator.sqlite3"


def demo_config() -> dict[str, str]:
    """The demo stack's config, exactly as committed in Pulumi.demo.yaml."""
    return {str(k): str(v) for k, v in load_yaml(REPO_ROOT / "Pulumi.demo.yaml")["config"].items()}


def start_plugin(cwd: Path, **kwargs: Any) -> h.PluginProcess:
    """A plugin as the CLI starts it for a command in project directory ``cwd``, with no
    ``AVOSMS_*`` variable from the environment running the tests."""
    kwargs.setdefault("unset_prefixes", ["AVOSMS_"])
    return h.PluginProcess(cwd=cwd, project="avosms-demo", **kwargs)


def next_command(stack: h.Stack, cwd: Path) -> h.Stack:
    """The next `pulumi` command: a new plugin process (so a new embedded emulator)."""
    stack.plugin.close()
    stack.plugin = start_plugin(cwd)
    return stack


def lists_in(state_file: Path) -> dict[str, dict[str, Any]]:
    """``{list id: list}`` read straight from the emulator's state file."""
    backend = EmulatorBackend(str(state_file))
    try:
        return {str(lst["list_id"]): lst for lst in backend.lists()}
    finally:
        backend.close()


@pytest.fixture
def demo_resources(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """What the root program registers (its ContactLists), as the demo stack."""
    with monkeypatch.context() as patch:
        run = run_program(REPO_ROOT, patch, stack="demo")
    assert run.resources, "the demo program declares no resource"
    return run.resources


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """An empty directory standing for the project directory the CLI runs the plugin in."""
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def demo_stack(project_dir: Path) -> Iterator[h.Stack]:
    """The demo stack, configured from Pulumi.demo.yaml, on a plugin in ``project_dir``."""
    stack = h.Stack(
        start_plugin(project_dir), project="avosms-demo", stack="demo", config=demo_config()
    )
    yield stack
    stack.plugin.close()


def test_demo_stack_config_selects_the_embedded_emulator_and_holds_no_credential() -> None:
    settings = load_yaml(REPO_ROOT / "Pulumi.demo.yaml")
    assert demo_config() == {"avosms:endpoint": "emulator"}
    # Made with the documented passphrase, so `pulumi stack init` does not rewrite the file.
    assert str(settings["encryptionsalt"]).startswith("v1:")
    script = (REPO_ROOT / "scripts" / "demo").read_text(encoding="utf-8")
    assert f"export PULUMI_CONFIG_PASSPHRASE={DEMO_PASSPHRASE}\n" in script


def test_demo_story_in_embedded_mode(
    demo_stack: h.Stack, demo_resources: dict[str, dict[str, Any]], project_dir: Path
) -> None:
    names = {entry["inputs"]["name"] for entry in demo_resources.values()}
    state_file = project_dir / STATE_FILE

    # pulumi up: every list is created in the emulator the plugin started, with its state
    # under the project directory.
    summary = demo_stack.up(demo_resources)
    assert set(summary.ops.values()) == {"create"}
    assert state_file.is_file()
    live = lists_in(state_file)
    assert {lst["name"] for lst in live.values()} == names
    ids = {name: demo_stack.id(name) for name in demo_resources}
    assert set(ids.values()) == set(live)

    # The next command runs in a new plugin process, hence a new embedded emulator: it sees
    # the same lists (the refresh reads every one of them back, unchanged).
    next_command(demo_stack, project_dir)
    assert set(demo_stack.up(demo_resources).ops.values()) == {"same"}
    assert set(demo_stack.refresh().ops.values()) == {"refresh"}

    # Drift made by hand on the same state file, on the list scripts/demo edits (a French
    # one: the contact's number must be of the list's country).
    target = "customers-fr"
    assert demo_resources[target]["inputs"]["country_code"] == "FR"
    target_id = ids[target]
    run_emulator_cli(
        "rename-list", "--state", str(STATE_FILE), target_id, "Renamed by hand", cwd=project_dir
    )
    run_emulator_cli(
        "add-contact", "--state", str(STATE_FILE), target_id, "+33612345678", cwd=project_dir
    )
    listing = run_emulator_cli("lists", "--state", str(STATE_FILE), cwd=project_dir)
    assert f"{target_id}\tRenamed by hand\t" in listing

    # pulumi preview --refresh --expect-no-changes: the refresh shows the drift, and the
    # preview then plans to put the name back, so the CLI would exit non-zero.
    next_command(demo_stack, project_dir)
    refreshed = demo_stack.refresh()
    assert refreshed.ops[target] == "refresh-update"
    assert {op for name, op in refreshed.ops.items() if name != target} == {"refresh"}
    assert demo_stack.outputs(target)["name"] == "Renamed by hand"
    assert demo_stack.outputs(target)["contact_count"] == 1
    assert demo_stack.preview(demo_resources).ops[target] == "update"

    # pulumi up: the program wins again, in place.
    summary = demo_stack.up(demo_resources)
    assert summary.ops[target] == "update"
    assert demo_stack.id(target) == target_id
    original = demo_resources[target]["inputs"]["name"]
    assert lists_in(state_file)[target_id]["name"] == original
    assert set(demo_stack.refresh().ops.values()) == {"refresh"}

    # pulumi destroy: AvoSMS cannot delete lists, so they stay in the emulator, with a warning.
    demo_stack.destroy()
    assert demo_stack.state == {}
    assert set(lists_in(state_file)) == set(ids.values())
    demo_stack.plugin.wait_for_stderr("still exists")

    # Deleted by hand, as scripts/demo ends, a next `pulumi up` starts clean.
    for list_id in ids.values():
        run_emulator_cli("delete-list", "--state", str(STATE_FILE), list_id, cwd=project_dir)
    assert lists_in(state_file) == {}
    next_command(demo_stack, project_dir)
    assert set(demo_stack.up(demo_resources).ops.values()) == {"create"}


def test_emulator_state_setting_moves_the_state_file(
    demo_resources: dict[str, dict[str, Any]], project_dir: Path
) -> None:
    config = {**demo_config(), "avosms:emulatorState": "data/lists.sqlite3"}
    stack = h.Stack(start_plugin(project_dir), project="avosms-demo", stack="demo", config=config)
    try:
        stack.up(demo_resources)
    finally:
        stack.plugin.close()
    assert len(lists_in(project_dir / "data" / "lists.sqlite3")) == len(demo_resources)
    assert not (project_dir / ".avosms").exists()


def test_embedded_mode_ignores_real_credentials_configured_alongside(
    demo_resources: dict[str, dict[str, Any]], project_dir: Path
) -> None:
    """The embedded emulator answers the demo account only: real credentials in the same
    stack neither break it nor travel anywhere (not even into its state file)."""
    real_key = "REAL-KEY-must-stay-home-42"
    config = {**demo_config(), "avosms:apiId": "me@example.com", "avosms:apiKey": real_key}
    stack = h.Stack(
        start_plugin(project_dir),
        project="avosms-demo",
        stack="demo",
        config=config,
        secret_keys=["avosms:apiKey"],
    )
    try:
        assert set(stack.up(demo_resources).ops.values()) == {"create"}
    finally:
        stack.plugin.close()
    # After close(), which joins the stderr reader: nothing written late is missed.
    stderr = stack.plugin.stderr_text()
    state_file = project_dir / STATE_FILE
    assert len(lists_in(state_file)) == len(demo_resources)
    assert real_key.encode() not in state_file.read_bytes()
    assert real_key not in stderr and real_key not in repr(stack.state)


def test_without_endpoint_or_credentials_the_plugin_refuses_and_never_uses_the_emulator(
    demo_resources: dict[str, dict[str, Any]], project_dir: Path
) -> None:
    # The demo program on a stack with no avosms:* config and no AVOSMS_* variable.
    stack = h.Stack(start_plugin(project_dir), project="avosms-demo", stack="dev", config={})
    try:
        # Check and Diff need no client: a preview of a new stack plans the creates...
        assert set(stack.preview(demo_resources).ops.values()) == {"create"}
        # ...and the first call that needs AvoSMS fails, naming both ways to set credentials.
        with pytest.raises(h.PluginError) as caught:
            stack.up(demo_resources)
    finally:
        stack.plugin.close()
    message = caught.value.message
    assert "AvoSMS credentials are missing" in message
    assert "avosms:apiId" in message and "AVOSMS_API_KEY" in message
    assert stack.state == {}
    assert not (project_dir / ".avosms").exists()


def test_scripts_demo_without_the_cli_says_how_to_install_it_and_fails() -> None:
    done = subprocess.run(
        [str(REPO_ROOT / "scripts" / "demo")],
        env={"PATH": "/usr/bin:/bin", "PULUMI": "/nonexistent/pulumi"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "is not on PATH" in done.stderr
    assert "https://www.pulumi.com/docs/install/" in done.stderr
    assert done.stdout == ""  # nothing was set up or run before the check


def test_scripts_demo_is_valid_bash() -> None:
    subprocess.run(["bash", "-n", str(REPO_ROOT / "scripts" / "demo")], check=True, timeout=30)
