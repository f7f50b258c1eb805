"""An unusable embedded-emulator state file, through the real plugin: one clear error.

The error names the setting and the path, says what is wrong, and is not retried or
called temporary: no amount of waiting makes a directory a SQLite file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
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


def _lock(path: Path) -> None:
    """Make ``path`` unwritable for this user; root ignores modes, so it gets the immutable
    attribute instead (undone by :func:`_unlock_all`)."""
    if not AS_ROOT:
        path.chmod(0o555 if path.is_dir() else 0o444)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a file read-only")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i refused here: {done.stderr.decode(errors='replace').strip()}")
    _LOCKED.append(path)


def _unlock_all() -> None:
    while _LOCKED:
        subprocess.run(["chattr", "-i", str(_LOCKED.pop())], capture_output=True, check=False)


_LOCKED: list[Path] = []
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _read_only(project: Path) -> str:
    path = project / "state.sqlite3"
    path.write_bytes(b"")  # an empty file is an empty SQLite database
    _lock(path)
    return "state.sqlite3"


def _in_read_only_directory(project: Path) -> str:
    folder = project / "locked"
    folder.mkdir()
    _lock(folder)
    return "locked/state.sqlite3"


@pytest.mark.parametrize(
    ("make", "why"),
    [
        pytest.param(_directory, "is a directory", id="directory"),
        pytest.param(_corrupt, "cannot be used", id="corrupt"),
        pytest.param(_read_only, "not readable and writable", id="read-only"),
        pytest.param(_in_read_only_directory, "not writable", id="read-only-dir"),
    ],
)
def test_an_unusable_state_file_is_one_clear_error_naming_setting_and_path(
    tmp_path: Path, make: Callable[[Path], str], why: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    try:
        _check_through_the_plugin(project, make(project), why)
    finally:
        _unlock_all()


def _check_through_the_plugin(project: Path, setting: str, why: str) -> None:
    before = sorted(p.name for p in project.rglob("*"))
    config = {"avosms:endpoint": "emulator", "avosms:emulatorState": setting}
    plugin = h.PluginProcess(cwd=project, project="avosms-demo", unset_prefixes=["AVOSMS_"])
    stack = h.Stack(plugin, project="avosms-demo", stack="demo", config=config)
    try:
        with pytest.raises(h.PluginError) as caught:
            stack.up(_resources())
    finally:
        plugin.close()
    stderr = plugin.stderr_text()  # after close(), which joins the stderr reader
    message = caught.value.exception_message
    assert caught.value.raised("ConfigurationError"), caught.value.details
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
