"""docs/testing.md: its program and test files, written out as a user would, pass pytest.

The page's Python blocks whose first line names a file (``# __main__.py``) are written to a
temporary project; the page's command runs there, in its own process, with no AvoSMS setting
in the environment. The failure text the page quotes is the one the mocks give.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from pulumi_avosms import ContactListMembersProvider
from tests.support.projects import REPO_ROOT

PAGE = REPO_ROOT / "docs" / "testing.md"


def fenced(lang: str) -> list[str]:
    """The page's fenced blocks of language ``lang``."""
    text = PAGE.read_text(encoding="utf-8")
    return re.findall(rf"^```{lang}\n(.*?)^```", text, flags=re.M | re.S)


def test_the_pages_example_passes_as_written(tmp_path: Path) -> None:
    files = {}
    for block in fenced("python"):
        first = block.splitlines()[0]
        assert first.startswith("# ") and first.endswith(".py"), first
        files[first[2:]] = block
    assert set(files) == {"__main__.py", "test_program.py"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (command,) = fenced("bash")
    words = shlex.split(command.strip())
    assert words[:3] == ["python", "-m", "pytest"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AVOSMS_", "PULUMI_"))}
    done = subprocess.run(
        [sys.executable, *words[1:], "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "2 passed" in done.stdout, done.stdout


def test_the_quoted_failure_is_the_mocks_text() -> None:
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    quoted = re.search(r"The failure reads as the engine's: `([^`]*)…`", text)
    assert quoted is not None
    (failure,) = (
        ContactListMembersProvider()
        .check({}, {"list_id": "1", "members": [{"phone_number": "06 12 34 56 78"}]})
        .failures
    )
    message = (
        "pulumi-python:dynamic/avosms:ContactListMembers resource 'bad': property members "
        f"has a problem: {failure.reason}"
    )
    assert message.startswith(quoted.group(1).rstrip("; ")), (quoted.group(1), message)
