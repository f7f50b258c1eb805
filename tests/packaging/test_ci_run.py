"""``.ci/run``, the CI entry point: a run on a developer's fresh clone means what CI means."""

from __future__ import annotations

import os
import subprocess

from tests.support.projects import REPO_ROOT


def test_ci_run_selects_the_deterministic_ci_profile_unless_ci_is_already_set() -> None:
    script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # The script's prelude, up to its first command, then what it set.
    prelude = script.split("\n./scripts/test", 1)[0] + '\necho "CI=$CI"\n'
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    for given, expected in ((None, "CI=true"), ("false", "CI=false")):
        run_env = env if given is None else {**env, "CI": given}
        done = subprocess.run(
            ["bash", "-c", prelude, str(REPO_ROOT / ".ci" / "run")],
            env=run_env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip() == expected
