"""Each example project's own unit test passes, run as its user would run it.

``examples/<name>/test_*.py`` tests the example's program under ``pulumi_avosms.testing``
(docs/testing.md). Each runs here in its own pytest process, from the example's directory:
the Pulumi runtime settings of the suite's programs never reach it, and no AvoSMS setting of
the environment is needed or read.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.projects import EXAMPLES_DIR, PROJECT_DIRS

#: The Python example programs (examples/typescript and examples/yaml use the plugin).
EXAMPLES = [p for p in PROJECT_DIRS if p.parent == EXAMPLES_DIR]


def test_every_example_has_a_unit_test() -> None:
    assert EXAMPLES
    for example in EXAMPLES:
        assert list(example.glob("test_*.py")), f"{example.name} has no test_*.py"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_examples_unit_test_passes_offline(example: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AVOSMS_", "PULUMI_"))}
    # Where a real account would be reached: the mocks must not go there.
    env["AVOSMS_ENDPOINT"] = "https://api.avosms.com/v1"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "."],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) == len(
        re.findall(r"^def test_", "".join(p.read_text() for p in example.glob("test_*.py")), re.M)
    ), done.stdout
