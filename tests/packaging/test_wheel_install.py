"""The wheel works for a user outside this checkout: a program's lists created through the plugin.

The plugin (``python -m pulumi.dynamic``, as the CLI starts it) runs on the fresh virtualenv's
interpreter, in a project directory outside the checkout, with no ``PYTHONPATH``: the
``pulumi_avosms`` it unpickles from ``__provider`` is the wheel's. The stack uses the embedded
emulator, so the wheel's emulator package and its ``avosms-emulator`` command are exercised
too.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pulumi_avosms import ContactList
from tests.support import harness as h
from tests.support.projects import REPO_ROOT
from tests.support.release import WheelVenv


def _project_version() -> str:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^version = "([^"]+)"$', pyproject, re.MULTILINE)
    assert found is not None
    return found.group(1)


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    project = tmp_path / "my-project"
    project.mkdir()
    assert REPO_ROOT not in project.parents
    return project


def _in_venv(wheel_venv: WheelVenv, project_dir: Path, code: str) -> str:
    done = subprocess.run(
        [str(wheel_venv.python), "-c", code],
        cwd=project_dir,
        env={"PATH": str(wheel_venv.python.parent)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_program_imports_the_installed_wheel(wheel_venv: WheelVenv, project_dir: Path) -> None:
    shown = _in_venv(
        wheel_venv,
        project_dir,
        "import importlib.metadata, pulumi_avosms.contact_list as m; "
        "print(m.__file__); print(importlib.metadata.version('pulumi-avosms'))",
    )
    module_file, version = shown.splitlines()
    assert Path(module_file).is_relative_to(wheel_venv.root)
    assert version == _project_version()


def test_a_program_creates_its_list_through_the_plugin_from_the_wheel(
    wheel_venv: WheelVenv, project_dir: Path
) -> None:
    resources = h.program_inputs(
        lambda: ContactList("customers", name="Customers FR", country_code="FR")
    )
    plugin = h.PluginProcess(
        python=str(wheel_venv.python),
        cwd=project_dir,
        env={"PYTHONPATH": None},  # only what the virtualenv has installed
        unset_prefixes=["AVOSMS_"],
    )
    stack = h.Stack(plugin, config={"avosms:endpoint": "emulator"})
    try:
        summary = stack.up(resources)
    finally:
        plugin.close()
    assert summary.ops == {"customers": "create"}
    outputs = stack.outputs("customers")
    assert (outputs["name"], outputs["country_code"]) == ("Customers FR", "FR")

    # The embedded emulator kept the list in the project directory, and the wheel's
    # avosms-emulator command reads it back.
    state = project_dir / ".avosms" / "emulator.sqlite3"
    assert state.is_file()
    listed = subprocess.run(
        [str(wheel_venv.bin("avosms-emulator")), "lists", "--state", str(state)],
        cwd=project_dir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert f"{outputs['list_id']}\tCustomers FR\tFR\t0" in listed.stdout
