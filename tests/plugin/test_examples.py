"""Every Pulumi project of the repository (the root demo and ``examples/*``) keeps working.

* Each one is a runnable Python project: Pulumi.yaml, a git-ignored virtualenv, a
  requirements.txt installing the release (the root: this checkout), a ``__main__.py``.
* Each program runs under ``pulumi.runtime.set_mocks`` (no CLI), and every resource it
  declares passes its provider's ``check`` — what ``pulumi preview`` would validate first.
* Per-example assertions: what each one is meant to show.
* The examples deploy through the real plugin against the test emulator.
* With the Pulumi CLI on PATH, ``pulumi preview`` of each one against the embedded emulator.
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path
from typing import Any

import pulumi
import pytest

from pulumi_avosms import ContactListProvider, ContactProvider
from pulumi_avosms.contact_list_members import ContactListMembersProvider
from pulumi_avosms.emulator import EmulatorBackend
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.projects import (
    EXAMPLES_DIR,
    PROGRAM_CONFIG,
    PROJECT_DIRS,
    REPO_ROOT,
    cli_stack,
    copy_project,
    load_yaml,
    needs_cli,
    op_counts,
    project_id,
    run_program,
)
from tests.support.release import WheelVenv

CONTACT_LIST = h.CONTACT_LIST_TYPE
CONTACT = "pulumi-python:dynamic/avosms:Contact"
MEMBERS = "pulumi-python:dynamic/avosms:ContactListMembers"
#: The provider whose check() validates each resource type's inputs.
PROVIDERS: dict[str, Any] = {
    CONTACT_LIST: ContactListProvider,
    CONTACT: ContactProvider,
    MEMBERS: ContactListMembersProvider,
}

projects = pytest.mark.parametrize("project_dir", PROJECT_DIRS, ids=project_id)


def example(name: str) -> Path:
    return EXAMPLES_DIR / name


def _gitignored(path: str) -> bool:
    """Whether the root .gitignore ignores directory ``path`` (its simple patterns only)."""
    patterns = [
        line.strip().rstrip("/")
        for line in (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = Path(path).parts
    return any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in patterns)


# -- project files -------------------------------------------------------------------------


def test_the_expected_projects_exist() -> None:
    names = {project_id(p) for p in PROJECT_DIRS}
    assert {"root", "basic", "adopt-existing", "ci-drift"} <= names


@projects
def test_project_is_a_runnable_python_project(project_dir: Path) -> None:
    settings = load_yaml(project_dir / "Pulumi.yaml")
    assert isinstance(settings.get("name"), str) and settings["name"]
    assert settings["runtime"]["name"] == "python"
    options = settings["runtime"]["options"]
    assert options.get("toolchain") == "pip"
    # The CLI creates this virtualenv in the project; it must never be committed.
    venv = options["virtualenv"]
    assert _gitignored(str((project_dir / venv).relative_to(REPO_ROOT)))
    assert (project_dir / "__main__.py").is_file()
    lines = [
        line.strip()
        for line in (project_dir / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if project_dir == REPO_ROOT:
        # The demo project installs this checkout, not editable (tests/packaging says why).
        assert lines == ["."]
    else:
        # An example installs the release the README gives users (tests/packaging checks it).
        assert len(lines) == 1 and lines[0].startswith("pulumi-avosms==")


@projects
def test_program_imports_only_the_public_top_level(project_dir: Path) -> None:
    # An example is what users copy: it uses `from pulumi_avosms import ...`, never a module.
    tree = ast.parse((project_dir / "__main__.py").read_text(encoding="utf-8"))
    modules = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pulumi_avosms")
    }
    assert modules <= {"pulumi_avosms"}, modules


def test_project_names_are_distinct() -> None:
    names = [load_yaml(p / "Pulumi.yaml")["name"] for p in PROJECT_DIRS]
    assert len(names) == len(set(names))


def test_local_data_of_projects_is_gitignored() -> None:
    # The embedded emulator's data and a local file backend, in any project directory.
    for path in ("examples/basic/.avosms", ".avosms", ".pulumi-state", "examples/x/venv"):
        assert _gitignored(path), path


# -- programs under mocks ------------------------------------------------------------------


@projects
def test_program_runs_and_every_resource_passes_check(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = run_program(project_dir, monkeypatch)
    assert run.resources, "declares no resource"
    assert run.exports, "exports nothing"
    for name, entry in run.resources.items():
        provider = PROVIDERS.get(entry["type"])
        assert provider is not None, f"{name}: unexpected type {entry['type']}"
        inputs = {k: v for k, v in entry["inputs"].items() if k != h.PROVIDER_KEY}
        result = provider().check({}, inputs)
        assert not result.failures, (name, [(f.property, f.reason) for f in result.failures])


def test_root_program_declares_the_demo_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_program(REPO_ROOT, monkeypatch)
    declared = run.namespace["LISTS"]
    lists = run.of_type(CONTACT_LIST)
    assert 2 <= len(lists) <= 3 and set(lists) == set(declared)
    for key, (name, country) in declared.items():
        inputs = lists[key]["inputs"]
        assert (inputs["name"], inputs["country_code"]) == (name, country)
    assert run.exports == ["list_ids", "contact_counts"]


def test_basic_declares_one_list_per_dict_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_program(example("basic"), monkeypatch)
    wanted = run.namespace["CUSTOMER_LISTS"]
    lists = run.of_type(CONTACT_LIST)
    assert len(lists) == len(run.resources) == len(wanted)
    declared = {(e["inputs"]["country_code"], e["inputs"]["name"]) for e in lists.values()}
    assert declared == set(wanted.items())
    assert set(run.exports) == {"list_ids", "contact_counts"}


def test_adopt_existing_carries_the_configured_list_id(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_program(example("adopt-existing"), monkeypatch)
    (entry,) = run.of_type(CONTACT_LIST).values()
    assert entry["inputs"]["import_id"] == "7"
    assert (entry["inputs"]["name"], entry["inputs"]["country_code"]) == ("Newsletter", "FR")


def test_adopt_existing_requires_the_list_id(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(pulumi.ConfigMissingError, match="listId"):
        run_program(example("adopt-existing"), monkeypatch, config={})


def test_ci_drift_workflow_checks_drift_on_a_schedule_and_deploys_main() -> None:
    workflow = load_yaml(example("ci-drift") / ".github" / "workflows" / "avosms-drift.yml")
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["schedule"][0]["cron"]
    assert triggers["push"]["branches"] == ["main"]
    drift, deploy = workflow["jobs"]["drift"], workflow["jobs"]["deploy"]
    drift_runs = [step.get("run", "") for step in drift["steps"]]
    assert any(
        "pulumi preview" in run and "--refresh" in run and "--expect-no-changes" in run
        for run in drift_runs
    )
    assert "push" in drift["if"] and "refs/heads/main" in deploy["if"]
    assert any("pulumi up" in step.get("run", "") for step in deploy["steps"])
    assert all(
        any(str(step.get("uses", "")).startswith("pulumi/actions@") for step in job["steps"])
        for job in (drift, deploy)
    )
    # Credentials only from repository secrets.
    env = workflow["env"]
    for key in ("AVOSMS_API_ID", "AVOSMS_API_KEY", "PULUMI_ACCESS_TOKEN"):
        assert env[key] == f"${{{{ secrets.{key} }}}}"
    assert (REPO_ROOT / env["PROJECT_DIR"] / "Pulumi.yaml").is_file()


def test_repository_ci_workflow_installs_the_cli_and_runs_ci_run() -> None:
    workflow = load_yaml(REPO_ROOT / ".github" / "workflows" / "ci.yml")
    steps = workflow["jobs"]["test"]["steps"]
    uses = [str(step.get("uses", "")) for step in steps]
    runs = [str(step.get("run", "")) for step in steps]
    install = next(i for i, u in enumerate(uses) if u.startswith("pulumi/actions@"))
    assert "with" not in steps[install] or "command" not in steps[install]["with"]
    ci_run = next(i for i, r in enumerate(runs) if ".ci/run" in r.splitlines())
    assert ci_run > install


# -- through the real plugin, against the test emulator ---------------------------------------


@pytest.mark.parametrize("name", ["basic"])  # ci-drift: tests/plugin/test_ci_drift_example.py
def test_example_deploys_through_the_plugin(
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    avosms_config: dict[str, str],
    emulator: Any,
) -> None:
    resources = run_program(example(name), monkeypatch).resources
    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=avosms_config)
    try:
        assert set(stack.up(resources).ops.values()) == {"create"}
        assert set(stack.up(resources).ops.values()) == {"same"}
    finally:
        stack.plugin.close()
    live = {lst["name"] for lst in emulator.backend.lists()}
    assert live == {entry["inputs"]["name"] for entry in resources.values()}


def test_oncall_deploys_and_sees_a_contact_added_in_the_console(
    monkeypatch: pytest.MonkeyPatch, avosms_config: dict[str, str], emulator: Any
) -> None:
    resources = run_program(example("oncall"), monkeypatch).resources
    assert [entry["type"] for entry in resources.values()] == [CONTACT_LIST, MEMBERS]
    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=avosms_config)
    try:
        # The program's list_id is unknown under mocks: give it the created list's id.
        stack.up({"oncall": resources["oncall"]})
        members = {**resources["oncall-members"]}
        members["inputs"] = {**members["inputs"], "list_id": stack.id("oncall")}
        program = {"oncall": resources["oncall"], "oncall-members": members}
        stack.up(program)
        assert stack.outputs("oncall-members")["member_count"] == 3
        emulator.backend.console_add_contact(stack.id("oncall"), "+33781998877")
        assert stack.refresh().ops["oncall-members"] == "refresh-update"
        assert stack.up(program).ops["oncall-members"] == "update"
    finally:
        stack.plugin.close()
    contacts = emulator.backend.get_list(stack.id("oncall"))["contacts"]
    assert sorted(c["first_name"] for c in contacts) == ["Alice", "Bruno", "Chloé"]


def test_adopt_existing_takes_the_list_without_changing_it(
    monkeypatch: pytest.MonkeyPatch, avosms_config: dict[str, str], emulator: Any
) -> None:
    list_id = emulator.backend.console_create_list("Newsletter", "FR")
    config = {"avosms-adopt-existing:listId": list_id}
    resources = run_program(example("adopt-existing"), monkeypatch, config=config).resources
    stack = h.Stack(h.PluginProcess(unset_prefixes=["AVOSMS_"]), config=avosms_config)
    try:
        stack.up(resources)
        assert stack.id("newsletter") == list_id
        assert stack.outputs("newsletter")["name"] == "Newsletter"
        assert set(stack.up(resources).ops.values()) == {"same"}
    finally:
        stack.plugin.close()
    assert [lst["list_id"] for lst in emulator.backend.lists()] == [list_id]
    assert "contact/list/create" not in emulator.stats.snapshot()["calls"]


# -- the real CLI ----------------------------------------------------------------------------


@pytest.mark.cli
@needs_cli
@projects
def test_cli_preview_against_the_embedded_emulator(
    project_dir: Path, tmp_path: Path, wheel_venv: WheelVenv
) -> None:
    work_dir = copy_project(project_dir, tmp_path / "project", wheel_venv)
    # The embedded emulator's state at an absolute path: where the plugin looks, whatever
    # directory the CLI starts it in.
    state = tmp_path / "emulator" / "state.sqlite3"
    config = {"avosms:endpoint": "emulator", "avosms:emulatorState": str(state)}
    expected = {"create"}
    if project_id(project_dir) == "adopt-existing":
        # An import reads its resource at preview too (the engine's ImportStep.Apply), and
        # fails on an ID that does not exist: the list to adopt must be there already.
        state.parent.mkdir()
        backend = EmulatorBackend(str(state), {DEMO_ID: DEMO_KEY})
        try:
            list_id = backend.console_create_list("Newsletter", "FR")
        finally:
            backend.close()
        config["avosms-adopt-existing:listId"] = list_id
        expected = {"create", "import"}
    else:
        config.update(PROGRAM_CONFIG.get(project_id(project_dir), {}))
    stack = cli_stack(work_dir, tmp_path, wheel_venv, config=config)
    result = stack.preview()
    changes = op_counts(result.change_summary)
    assert set(changes) == expected, result.stdout
    assert changes["create"] >= 1, result.stdout  # the stack itself
    assert sum(changes.values()) >= 2, result.stdout  # and at least one resource
