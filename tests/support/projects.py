"""The repository's Pulumi projects (the root demo and ``examples/*``), and how tests run them.

Two ways, both used by ``tests/plugin/test_examples.py``, ``tests/plugin/test_demo.py`` and
``tests/cli/test_automation_cli.py``:

* :func:`run_program` runs a project's ``__main__.py`` under ``pulumi.runtime.set_mocks`` (no
  CLI, no network) and returns what it registered and exported;
* :func:`cli_stack` copies a project to a temporary directory and opens a stack on it with the
  Automation API and the real ``pulumi`` CLI (tests using it carry :data:`needs_cli`), with a
  local file backend in that temporary directory.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from tests.support import harness as h
from tests.support.release import WheelVenv

REPO_ROOT = h.REPO_ROOT
EXAMPLES_DIR = REPO_ROOT / "examples"


def _is_python_project(pulumi_yaml: Path) -> bool:
    runtime = yaml.safe_load(pulumi_yaml.read_text(encoding="utf-8"))["runtime"]
    return (runtime if isinstance(runtime, str) else runtime["name"]) == "python"


#: The root project (the demo) and every Python example (a directory holding a Pulumi.yaml
#: of runtime python; examples/typescript and examples/yaml use the plugin, see
#: tests/plugin_provider/test_plugin_examples.py).
PROJECT_DIRS: list[Path] = [
    REPO_ROOT,
    *sorted(p.parent for p in EXAMPLES_DIR.glob("*/Pulumi.yaml") if _is_python_project(p)),
]

#: Stack config each project's program needs (beyond avosms:*), keyed by directory name.
PROGRAM_CONFIG: dict[str, dict[str, str]] = {
    "adopt-existing": {"avosms-adopt-existing:listId": "7"},
}

PULUMI = shutil.which("pulumi")
needs_cli = pytest.mark.skipif(
    PULUMI is None, reason="needs the Pulumi CLI on PATH; the GitHub workflow installs it"
)

#: The passphrase of the demo stack (documented in the README, set by scripts/demo; the
#: ``encryptionsalt`` in Pulumi.demo.yaml was made with it).
DEMO_PASSPHRASE = "avosms-demo"


def project_id(path: Path) -> str:
    """A short test id: ``root`` or the example's directory name."""
    return "root" if path == REPO_ROOT else path.name


def load_yaml(path: Path) -> Any:
    """Parse a YAML file (PyYAML comes with the pulumi SDK)."""
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def project_name(project_dir: Path) -> str:
    """The ``name`` in a project's Pulumi.yaml."""
    return str(load_yaml(project_dir / "Pulumi.yaml")["name"])


def emulator_command() -> list[str]:
    """How to run ``avosms-emulator`` from tests: the console script installed next to this
    interpreter when there is one (what users type), else ``python -m`` of the same module."""
    script = Path(sys.executable).with_name("avosms-emulator")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "pulumi_avosms.emulator"]


def run_emulator_cli(*args: str, cwd: Path | None = None) -> str:
    """Run ``avosms-emulator ARGS...``; return its stdout, fail the test on a non-zero exit."""
    done = subprocess.run(
        [*emulator_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"avosms-emulator {' '.join(args)}: {done.stderr}"
    return done.stdout


def first_line(process: subprocess.Popen[str], timeout: float = 30.0) -> str:
    """The first line a started process prints (e.g. a server's URL), without hanging the
    suite if it never comes: the process is killed and its stderr shown instead."""
    stdout = process.stdout
    assert stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not lines or not lines[0]:
        process.kill()
        _out, err = process.communicate(timeout=10)
        raise AssertionError(f"no first line within {timeout:g} s; stderr:\n{err}")
    return lines[0]


# --------------------------------------------------------------------------------------------
# Programs under mocks
# --------------------------------------------------------------------------------------------


@dataclass
class ProgramRun:
    """What one run of a project's program did."""

    resources: dict[str, dict[str, Any]]
    """``{resource name: tests.support.harness.program_inputs() entry}``."""
    exports: list[str] = field(default_factory=list)
    """Names given to ``pulumi.export``, in order."""
    namespace: dict[str, Any] = field(default_factory=dict)
    """The program's module globals after it ran (its dicts of lists, etc.)."""

    def of_type(self, type_token: str) -> dict[str, dict[str, Any]]:
        """The registered resources of one type."""
        return {n: e for n, e in self.resources.items() if e["type"] == type_token}


def run_program(
    project_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    config: Mapping[str, str] | None = None,
    stack: str = "dev",
) -> ProgramRun:
    """Run ``project_dir/__main__.py`` as the Pulumi language host would, under mocks.

    Like the language host: the working directory is the project directory, which is also on
    ``sys.path``; the program runs as ``__main__``; ``pulumi.Config()`` uses the project's
    name as its namespace. ``config`` defaults to :data:`PROGRAM_CONFIG` for the project.
    """
    if config is None:
        config = PROGRAM_CONFIG.get(project_id(project_dir), {})
    monkeypatch.chdir(project_dir)
    monkeypatch.syspath_prepend(str(project_dir))
    run = ProgramRun(resources={})
    real_export = pulumi.export

    def export(name: str, value: Any) -> None:
        run.exports.append(name)
        real_export(name, value)

    # Programs call `pulumi.export(...)`, an attribute looked up at call time.
    monkeypatch.setattr(pulumi, "export", export)

    def program() -> None:
        run.namespace.update(runpy.run_path(str(project_dir / "__main__.py"), run_name="__main__"))

    run.resources = h.program_inputs(
        program,
        project=project_name(project_dir),
        stack=stack,
        config=dict(config),
        new_resource=_mock_outputs,
    )
    return run


def _mock_outputs(args: Any) -> tuple[str, dict[str, Any]]:
    """Mock engine answer: the inputs as outputs, plus what a ContactList's provider would
    add, so that resources built from a list's outputs (``Contact(list_id=lst.list_id)``)
    get values rather than None. A list's ID is a number, as AvoSMS's are (stable per name)."""
    resource_id = f"{args.name}-id"
    outputs = dict(args.inputs)
    if args.typ == h.CONTACT_LIST_TYPE:
        resource_id = str(zlib.crc32(args.name.encode()))
        outputs.update(list_id=resource_id, contact_count=0)
    return resource_id, outputs


# --------------------------------------------------------------------------------------------
# The real CLI through the Automation API
# --------------------------------------------------------------------------------------------

#: Not copied with a project: environments, emulator data and state of earlier local runs.
_NOT_COPIED = shutil.ignore_patterns("venv", ".venv", ".avosms", ".pulumi-state", "__pycache__")


def copy_project(src: Path, dst: Path, env: WheelVenv) -> Path:
    """Copy a Pulumi project to ``dst`` and make it run in ``env``, the release installed.

    The copy's Pulumi.yaml points ``virtualenv`` at ``env``, so the CLI neither creates a venv
    nor installs anything, and the dynamic-provider plugin (which the CLI starts with that
    virtualenv) imports the wheel's ``pulumi_avosms``. Not this test environment: its editable
    install would send the CLI looking for a ``pulumi-resource-avosms`` plugin. Only the
    project's own files are copied from the repository root.
    """
    if src == REPO_ROOT:
        dst.mkdir(parents=True)
        for path in [src / "__main__.py", src / "requirements.txt", *src.glob("Pulumi*.yaml")]:
            shutil.copy2(path, dst / path.name)
    else:
        shutil.copytree(src, dst, ignore=_NOT_COPIED)
    settings = load_yaml(dst / "Pulumi.yaml")
    options = settings.setdefault("runtime", {}).setdefault("options", {})
    options["virtualenv"] = str(env.root)
    with (dst / "Pulumi.yaml").open("w", encoding="utf-8") as stream:
        yaml.safe_dump(settings, stream, sort_keys=False)
    return dst


def cli_env(tmp_path: Path, env: WheelVenv, *, passphrase: str = "test") -> dict[str, str]:
    """Environment for the CLI: a local file backend under ``tmp_path``, no update check, no
    ``AVOSMS_*`` leaking in from the caller (empty counts as unset), ``env``'s interpreter first
    on PATH (the dynamic-provider plugin falls back to ``python3`` on PATH)."""
    backend = tmp_path / "pulumi-state"
    backend.mkdir(exist_ok=True)
    env = {
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PATH": os.pathsep.join([str(env.python.parent), os.environ.get("PATH", "")]),
        "PULUMI_PYTHON_CMD": str(env.python),
    }
    for key in ("AVOSMS_API_ID", "AVOSMS_API_KEY", "AVOSMS_ENDPOINT", "AVOSMS_EMULATOR_STATE"):
        env[key] = ""
    return env


def cli_stack(
    work_dir: Path,
    tmp_path: Path,
    env: WheelVenv,
    *,
    stack_name: str = "test",
    config: Mapping[str, str] | None = None,
    secret_keys: Sequence[str] = (),
    passphrase: str = "test",
) -> Any:
    """Create (or select) ``stack_name`` on the project in ``work_dir`` and set its config."""
    from pulumi import automation as auto

    stack = auto.create_or_select_stack(
        stack_name=stack_name,
        work_dir=str(work_dir),
        opts=auto.LocalWorkspaceOptions(env_vars=cli_env(tmp_path, env, passphrase=passphrase)),
    )
    if config:
        stack.set_all_config(
            {k: auto.ConfigValue(value=v, secret=k in secret_keys) for k, v in config.items()}
        )
    return stack


def op_counts(changes: Mapping[Any, int] | None) -> dict[str, int]:
    """An Automation API change summary with plain string keys (``"create"``, ``"same"``)."""
    return {str(getattr(op, "value", op)): count for op, count in (changes or {}).items()}


def state_resources(stack: Any, type_token: str) -> dict[str, dict[str, Any]]:
    """``{resource name: its outputs}`` of one type, from the stack's current state."""
    deployment = stack.export_stack().deployment or {}
    found: dict[str, dict[str, Any]] = {}
    for resource in deployment.get("resources") or []:
        if resource.get("type") == type_token:
            found[resource["urn"].split("::")[-1]] = dict(resource.get("outputs") or {})
    return found


def tracked_files() -> list[str]:
    """Every file git tracks in the checkout (skips the test outside a git checkout)."""
    done = subprocess.run(
        ["git", "ls-files", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    return [name for name in done.stdout.split("\0") if name]
