"""An unusable embedded-emulator state file, through the real plugin: one clear error.

The error names the setting and the path, says what is wrong, and is not retried or
called temporary: no amount of waiting makes a directory a SQLite file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support import harness as h
from tests.support.projects import REPO_ROOT, run_program


def _directory(project: Path) -> str:
    (project / "state.sqlite3").mkdir()
    return "state.sqlite3"


def _corrupt(project: Path) -> str:
    (project / "state.sqlite3").write_bytes(b"this is not a SQLite database\n" * 200)
    return "state.sqlite3"


def _read_only(project: Path) -> str:
    path = project / "state.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o444)
    return "state.sqlite3"


def _in_read_only_directory(project: Path) -> str:
    folder = project / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return "locked/state.sqlite3"


AS_ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
needs_non_root = pytest.mark.skipif(AS_ROOT, reason="root may write read-only files")


@pytest.mark.parametrize(
    ("make", "why"),
    [
        pytest.param(_directory, "is a directory", id="directory"),
        pytest.param(_corrupt, "cannot be used", id="corrupt"),
        pytest.param(_read_only, "not readable and writable", id="read-only", marks=needs_non_root),
        pytest.param(
            _in_read_only_directory, "not writable", id="read-only-dir", marks=needs_non_root
        ),
    ],
)
def test_an_unusable_state_file_is_one_clear_error_naming_setting_and_path(
    tmp_path: Path, make: Callable[[Path], str], why: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    setting = make(project)
    before = sorted(p.name for p in project.rglob("*"))
    config = {"avosms:endpoint": "emulator", "avosms:emulatorState": setting}
    plugin = h.PluginProcess(cwd=project, project="avosms-demo", unset_prefixes=["AVOSMS_"])
    stack = h.Stack(plugin, project="avosms-demo", stack="demo", config=config)
    try:
        with pytest.raises(h.PluginError) as caught:
            stack.up(_resources())
        stderr = plugin.stderr_text()
    finally:
        plugin.close()
    message = caught.value.message
    assert "ConfigurationError" in message
    assert "avosms:emulatorState" in message
    assert str(project / setting) in message
    assert why in message
    assert "temporary" not in message and "retr" not in message.lower()
    assert "retry" not in stderr.lower()
    assert stack.state == {}
    assert sorted(p.name for p in project.rglob("*")) == before  # nothing made beside it


def _resources() -> dict[str, dict[str, Any]]:
    """What the demo program registers."""
    with pytest.MonkeyPatch.context() as patch:
        run = run_program(REPO_ROOT, patch, stack="demo")
    return run.resources
