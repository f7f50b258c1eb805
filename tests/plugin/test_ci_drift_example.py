"""examples/ci-drift: its program deploys and its drift, list and membership, is seen; its
``drift_check.py`` tells drift from a check that could not run; its workflow runs the check
through that script.

The CLI's outputs that ``drift_check.py`` reads are played by small commands here: the line
``no changes were expected but changes were proposed`` is what the Pulumi CLI prints for
``--expect-no-changes`` (``NoChangesExpectedError``; older CLIs print it prefixed with
``error:``) and nothing else prints it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import harness as h
from tests.support.projects import EXAMPLES_DIR, load_yaml, run_program

EXAMPLE = EXAMPLES_DIR / "ci-drift"
SCRIPT = EXAMPLE / "drift_check.py"
CONTACT_LIST = h.CONTACT_LIST_TYPE
MEMBERS = "pulumi-python:dynamic/avosms:ContactListMembers"


def test_the_program_deploys_and_a_contact_added_by_hand_is_drift(
    monkeypatch: pytest.MonkeyPatch, avosms_config: dict[str, str], emulator: Any
) -> None:
    resources = run_program(EXAMPLE, monkeypatch).resources
    types = {name: entry["type"] for name, entry in resources.items()}
    assert types == {
        "alerts-fr": CONTACT_LIST,
        "alerts-de": CONTACT_LIST,
        "alerts-fr-members": MEMBERS,
    }
    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=avosms_config)
    try:
        lists = {name: resources[name] for name in ("alerts-fr", "alerts-de")}
        assert set(stack.up(lists).ops.values()) == {"create"}
        # The program's list_id is unknown under mocks: give it the created list's id.
        members = {**resources["alerts-fr-members"]}
        members["inputs"] = {**members["inputs"], "list_id": stack.id("alerts-fr")}
        program = {**lists, "alerts-fr-members": members}
        assert stack.up(program).ops["alerts-fr-members"] == "create"
        assert set(stack.up(program).ops.values()) == {"same"}

        emulator.backend.console_add_contact(stack.id("alerts-fr"), "+33781998877")
        stack.refresh()
        planned = stack.preview(program).ops
        assert planned == {"alerts-fr": "same", "alerts-de": "same", "alerts-fr-members": "update"}
        stack.up(program)
    finally:
        stack.plugin.close()
    contacts = emulator.backend.get_list(stack.id("alerts-fr"))["contacts"]
    assert sorted(c["first_name"] for c in contacts) == ["Alice", "Bruno"]


def _check(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    """``drift_check.py`` around a command that runs ``code``, as GitHub Actions runs it."""
    outputs, summary = tmp_path / "outputs", tmp_path / "summary"
    env = {
        "PATH": "/usr/bin:/bin",
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT), sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    done.stdout += "\n--outputs--\n" + (outputs.read_text() if outputs.exists() else "")
    return done


def test_no_drift_exits_0(tmp_path: Path) -> None:
    done = _check(tmp_path, "print('Resources:\\n    3 unchanged')")
    assert done.returncode == 0, done.stderr
    assert "3 unchanged" in done.stdout  # the preview's output is shown as it comes
    assert "result=clean" in done.stdout
    assert "::error" not in done.stderr


def test_drift_exits_1_and_says_what_to_do(tmp_path: Path) -> None:
    code = (
        "import sys; print('~ alerts-fr update [diff: ~name]');"
        "print('error: no changes were expected but changes were proposed', file=sys.stderr);"
        "sys.exit(255)"
    )
    done = _check(tmp_path, code)
    assert done.returncode == 1, done.stderr
    assert "result=drift" in done.stdout
    assert "pulumi up --refresh" in done.stderr
    assert "::error title=AvoSMS drift check::Drift" in done.stderr


@pytest.mark.parametrize(
    "failure",
    [
        # What the provider prints when AvoSMS refuses the key, or cannot be reached.
        "AvoSMS rejected the credentials read from AVOSMS_API_ID / AVOSMS_API_KEY",
        "could not connect to AvoSMS at https://api.avosms.com/v1 (Connection refused)",
        "error: an unhandled error occurred: Program exited with non-zero exit code: 1",
    ],
)
def test_a_check_that_could_not_run_exits_2_not_drift(tmp_path: Path, failure: str) -> None:
    code = f"import sys; print({failure!r}, file=sys.stderr); sys.exit(255)"
    done = _check(tmp_path, code)
    assert done.returncode == 2, done.stderr
    assert "result=failed" in done.stdout
    assert "could not run" in done.stderr and "says nothing about drift" in done.stderr


def test_a_missing_cli_is_a_failed_check(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "no-such-pulumi"), "preview"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "cannot run" in done.stderr


def test_the_workflow_runs_the_preview_through_drift_check() -> None:
    workflow = load_yaml(EXAMPLE / ".github" / "workflows" / "avosms-drift.yml")
    (step,) = [s for s in workflow["jobs"]["drift"]["steps"] if s.get("id") == "check"]
    command = " ".join(step["run"].split())
    assert command.startswith("python drift_check.py pulumi preview ")
    assert "--refresh --expect-no-changes" in command
    assert step["working-directory"] == "${{ env.PROJECT_DIR }}"
    deploy = " ".join(s.get("run", "") for s in workflow["jobs"]["deploy"]["steps"])
    assert "pulumi up" in deploy and "--refresh" in deploy
