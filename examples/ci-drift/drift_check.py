"""Run the drift check and tell drift apart from a check that could not run.

    python drift_check.py pulumi preview --stack prod --refresh --expect-no-changes

runs the command given, showing its output as it comes, then exits:

- 0: no drift (the command succeeded);
- 1: drift: the command failed and printed the CLI's "no changes were expected but changes
  were proposed", so the preview ran to the end and found changes;
- 2: the check itself failed (credentials refused, AvoSMS unreachable, a program error...):
  the command failed without that line. Its output above says why.

On GitHub Actions it also writes ``result=clean|drift|failed`` to ``$GITHUB_OUTPUT`` (for
later steps: open an issue on drift only, say) and one line to the job summary.
"""

from __future__ import annotations

import os
import subprocess
import sys

#: What the Pulumi CLI prints when --expect-no-changes finds changes (and only then).
DRIFT_MARKER = "no changes were expected"
CLEAN, DRIFT, FAILED = 0, 1, 2
MESSAGES = {
    CLEAN: ("clean", "No drift: AvoSMS matches the program."),
    DRIFT: (
        "drift",
        "Drift: AvoSMS no longer matches the program (the preview above shows what differs). "
        "Run `pulumi up --refresh` to put the program's values back, or change the program.",
    ),
    FAILED: (
        "failed",
        "The drift check could not run (see the errors above: credentials, network, the "
        "program); this says nothing about drift.",
    ),
}


def classify(returncode: int, output: str) -> int:
    """0 (clean), 1 (drift) or 2 (the check failed) for a finished command."""
    if returncode == 0:
        return CLEAN
    return DRIFT if DRIFT_MARKER in output else FAILED


def _append(variable: str, line: str) -> None:
    path = os.environ.get(variable)
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return FAILED
    try:
        proc = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
    except OSError as err:
        print(f"drift_check: cannot run {argv[0]}: {err}", file=sys.stderr)
        result = FAILED
    else:
        seen = []
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            seen.append(line)
        result = classify(proc.wait(), "".join(seen))
    name, message = MESSAGES[result]
    print(f"drift_check: {message}", file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true" and result != CLEAN:
        print(f"::error title=AvoSMS drift check::{message}", file=sys.stderr)
    _append("GITHUB_OUTPUT", f"result={name}")
    _append("GITHUB_STEP_SUMMARY", message)
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
