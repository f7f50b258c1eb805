"""The provider with the real Pulumi CLI, driven by the Automation API.

Skipped, with the reason, when ``pulumi`` is not on PATH (the GitHub workflow installs it).
Each test has its own local file backend in a temporary directory; the project is a copy
whose virtualenv is the interpreter running the tests, so the CLI installs nothing.

* Against the test emulator (port 0, demo account, key as a secret config value): up,
  ``preview --expect-no-changes`` right after, an out-of-band rename that
  ``preview --refresh --expect-no-changes`` must reject, refresh, up, destroy.
* The demo stack as committed (Pulumi.demo.yaml, its passphrase): embedded mode, with the
  emulator's state in the project directory the CLI runs the plugin in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_avosms.emulator import EmulatorBackend
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.projects import (
    DEMO_PASSPHRASE,
    REPO_ROOT,
    cli_stack,
    copy_project,
    needs_cli,
    op_counts,
    run_emulator_cli,
    state_resources,
)
from tests.support.release import WheelVenv

pytestmark = [pytest.mark.cli, needs_cli]

PROGRAM = '''"""One contact list, named from config so that a test can rename it."""
import pulumi

from pulumi_avosms import ContactList

customers = ContactList(
    "customers",
    name=pulumi.Config().get("listName") or "Customers FR",
    country_code="FR",
)
pulumi.export("list_id", customers.list_id)
pulumi.export("name", customers.name)
pulumi.export("contact_count", customers.contact_count)
'''


def write_project(path: Path, env: WheelVenv) -> Path:
    """A minimal project using ContactList, runnable by :func:`copy_project`."""
    source = path.parent / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(
        "name: avosms-cli-test\nruntime:\n  name: python\n  options:\n    toolchain: pip\n",
        encoding="utf-8",
    )
    (source / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    return copy_project(source, path, env)


def expect_no_changes_failure(error: BaseException) -> None:
    """The CLI refused because of changes, not for any other reason."""
    assert "no changes were expected" in str(error), str(error)


def test_lifecycle_with_drift_against_the_emulator(
    tmp_path: Path, emulator: Any, wheel_venv: WheelVenv
) -> None:
    from pulumi import automation as auto

    work_dir = write_project(tmp_path / "project", wheel_venv)
    stack = cli_stack(
        work_dir,
        tmp_path,
        wheel_venv,
        config={
            "avosms:endpoint": emulator.api_url,
            "avosms:apiId": DEMO_ID,
            "avosms:apiKey": DEMO_KEY,
        },
        secret_keys=["avosms:apiKey"],
    )

    # up creates the list.
    up = stack.up()
    assert up.summary.result == "succeeded"
    list_id = up.outputs["list_id"].value
    assert emulator.backend.get_list(list_id)["name"] == "Customers FR"
    assert up.outputs["contact_count"].value == 0
    # The key was given as a secret; it never shows in the CLI's output.
    assert DEMO_KEY not in up.stdout + up.stderr

    # Right after up, a preview proposes nothing.
    stack.preview(expect_no_changes=True)
    stack.preview(refresh=True, expect_no_changes=True)

    # Someone renames the list in the AvoSMS console: the drift check fails.
    emulator.backend.console_rename_list(list_id, "Renamed by hand")
    with pytest.raises(auto.CommandError) as caught:
        stack.preview(refresh=True, expect_no_changes=True)
    expect_no_changes_failure(caught.value)
    # A plain preview compares the program with the state only: it sees nothing.
    stack.preview(expect_no_changes=True)

    # refresh takes the rename into the state...
    stack.refresh()
    (outputs,) = state_resources(stack, h.CONTACT_LIST_TYPE).values()
    assert outputs["name"] == "Renamed by hand"
    # ...and up puts the program's name back, in place.
    up = stack.up()
    assert op_counts(up.summary.resource_changes).get("update") == 1
    assert up.outputs["list_id"].value == list_id
    assert emulator.backend.get_list(list_id)["name"] == "Customers FR"
    stack.preview(refresh=True, expect_no_changes=True)

    # destroy empties the stack; AvoSMS cannot delete lists, so the list stays.
    stack.destroy()
    assert state_resources(stack, h.CONTACT_LIST_TYPE) == {}
    assert emulator.backend.get_list(list_id) is not None


def test_demo_stack_in_embedded_mode_keeps_state_in_the_project(
    tmp_path: Path, wheel_venv: WheelVenv
) -> None:
    from pulumi import automation as auto

    # The demo project as committed, Pulumi.demo.yaml included: this also proves its
    # encryptionsalt matches the documented passphrase.
    work_dir = copy_project(REPO_ROOT, tmp_path / "project", wheel_venv)
    stack = cli_stack(work_dir, tmp_path, wheel_venv, stack_name="demo", passphrase=DEMO_PASSPHRASE)
    assert stack.get_config("avosms:endpoint").value == "emulator"

    up = stack.up()
    list_ids: dict[str, str] = up.outputs["list_ids"].value
    state_file = work_dir / ".avosms" / "emulator.sqlite3"
    assert state_file.is_file(), "the plugin did not run in the project directory"
    backend = EmulatorBackend(str(state_file))
    try:
        assert {str(lst["list_id"]) for lst in backend.lists()} == set(list_ids.values())
    finally:
        backend.close()

    # The next command's plugin starts its own emulator on the same file.
    stack.preview(refresh=True, expect_no_changes=True)

    # Drift by hand with the command line, as scripts/demo does.
    list_id = next(iter(list_ids.values()))
    run_emulator_cli(
        "rename-list",
        "--state",
        ".avosms/emulator.sqlite3",
        list_id,
        "Renamed by hand",
        cwd=work_dir,
    )
    with pytest.raises(auto.CommandError) as caught:
        stack.preview(refresh=True, expect_no_changes=True)
    expect_no_changes_failure(caught.value)

    stack.refresh()
    stack.up()
    stack.preview(refresh=True, expect_no_changes=True)
    stack.destroy()
    # The stack config file is left as committed (same salt, same config).
    committed = (REPO_ROOT / "Pulumi.demo.yaml").read_text(encoding="utf-8")
    assert (work_dir / "Pulumi.demo.yaml").read_text(encoding="utf-8") == committed
