"""A release is cut by pushing a tag: scripts/release_notes.py and .github/workflows/release.yml.

* ``release_notes.py`` accepts a tag only when it is ``vX.Y.Z``, matches pyproject.toml's
  version and has a dated CHANGELOG section; it writes exactly that section as the notes.
* The workflow runs that check first, then ``./scripts/test``, then builds and tests the
  files it publishes, publishes them by PyPI trusted publishing (an OIDC token, no stored
  secret), and creates the GitHub release with the notes, each step only after the last.
* Every workflow of the repository (and the ci-drift example's) is valid against the GitHub
  workflow schema (schemastore's, as vendored by check-jsonschema: offline).
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.projects import REPO_ROOT, load_yaml

SCRIPT = REPO_ROOT / "scripts" / "release_notes.py"
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "release.yml"
PYPROJECT = '[project]\nname = "pulumi-avosms"\nversion = "1.4.0"\n\n[tool.x]\nversion = "9"\n'
CHANGELOG = """# Changelog

Intro text.

## [1.5.0] - unreleased

- Not yet.

## [1.4.0] - 2026-12-07

### Added

- Something new.

### Fixed

- Something old.

## [1.3.0] - 2026-11-01

- Before.

[1.4.0]: https://pypi.org/project/pulumi-avosms/1.4.0/
"""


def release_notes(tmp_path: Path, tag: str, pyproject: str, changelog: str) -> tuple[int, str, str]:
    """Run the script on a checkout holding these two files; (exit code, notes, stderr)."""
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    out = tmp_path / "notes.md"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--tag", tag, "--out", str(out), "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    notes = out.read_text(encoding="utf-8") if out.exists() else ""
    return done.returncode, notes, done.stderr


def test_a_matching_tag_gets_exactly_its_changelog_section(tmp_path: Path) -> None:
    code, notes, err = release_notes(tmp_path, "v1.4.0", PYPROJECT, CHANGELOG)
    assert code == 0, err
    assert notes == "### Added\n\n- Something new.\n\n### Fixed\n\n- Something old.\n"
    assert "2026-12-07" in err


@pytest.mark.parametrize(
    ("tag", "pyproject", "changelog", "says"),
    [
        ("1.4.0", PYPROJECT, CHANGELOG, "is not vX.Y.Z"),
        ("v1.4", PYPROJECT, CHANGELOG, "is not vX.Y.Z"),
        ("v1.4.0-rc1", PYPROJECT, CHANGELOG, "is not vX.Y.Z"),
        ("v1.3.0", PYPROJECT, CHANGELOG, "does not match the version in pyproject.toml (1.4.0)"),
        ("v1.5.0", PYPROJECT.replace("1.4.0", "1.5.0"), CHANGELOG, "is not dated (unreleased)"),
        (
            "v1.4.0",
            PYPROJECT,
            CHANGELOG.replace("## [1.4.0] - 2026-12-07", "## [1.4.0]"),
            "no date",
        ),
        ("v1.4.0", PYPROJECT, CHANGELOG.replace("2026-12-07", "2026-13-07"), "is not dated"),
        ("v1.6.0", PYPROJECT.replace("1.4.0", "1.6.0"), CHANGELOG, "no section '## [1.6.0]"),
        ("v1.4.0", PYPROJECT.replace('version = "1.4.0"\n', ""), CHANGELOG, "no version"),
    ],
)
def test_a_tag_that_disagrees_is_refused_in_one_line_and_nothing_is_written(
    tmp_path: Path, tag: str, pyproject: str, changelog: str, says: str
) -> None:
    code, notes, err = release_notes(tmp_path, tag, pyproject, changelog)
    assert code == 1
    assert notes == ""
    assert len(err.strip().splitlines()) == 1 and says in err, err


def test_the_checkout_is_releasable_or_only_waits_for_its_date(tmp_path: Path) -> None:
    # The real files: the version has its section; dating it is the last step of a release.
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    version = re.search(r'^version = "([^"]+)"$', text, re.MULTILINE)
    assert version is not None
    out = tmp_path / "notes.md"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--tag", f"v{version.group(1)}", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode == 0:
        assert out.read_text(encoding="utf-8").startswith("### "), done.stderr
    else:
        assert "is not dated (unreleased)" in done.stderr, done.stderr


# -- the workflow ----------------------------------------------------------------------------


def _workflow() -> dict[str, Any]:
    return load_yaml(WORKFLOW)  # type: ignore[no-any-return]


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(" ".join(str(step.get("run", "")).split()) for step in job["steps"])


def _uses(job: dict[str, Any]) -> list[str]:
    return [str(step.get("uses", "")) for step in job["steps"]]


def test_it_runs_on_version_tags_only() -> None:
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # PyYAML reads `on` as True
    assert triggers == {"push": {"tags": ["v*.*.*"]}}
    assert workflow["permissions"] == {"contents": "read"}


def test_each_job_runs_after_the_one_it_needs() -> None:
    jobs = _workflow()["jobs"]
    order = ["check", "test", "build", "publish", "github-release"]
    assert list(jobs) == order
    for before, after in itertools.pairwise(order):
        assert jobs[after]["needs"] == before


def test_the_check_runs_the_release_notes_script_on_the_tag() -> None:
    runs = _runs(_workflow()["jobs"]["check"])
    assert 'python scripts/release_notes.py --tag "$GITHUB_REF_NAME" --out release-notes.md' in runs


def test_it_runs_the_tests_ci_runs_and_tests_the_files_it_publishes() -> None:
    jobs = _workflow()["jobs"]
    assert "./scripts/test" in _runs(jobs["test"]).splitlines()
    assert any(u.startswith("pulumi/actions@") for u in _uses(jobs["test"]))
    build = _runs(jobs["build"])
    assert "-m build --outdir dist ." in build
    assert "twine check --strict dist/*" in build
    assert 'PACKAGING_DIST="$PWD/dist"' in build and "pytest tests/packaging" in build


def test_it_publishes_by_trusted_publishing_without_a_token() -> None:
    publish = _workflow()["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    (step,) = [s for s in publish["steps"] if str(s.get("uses", "")).startswith("pypa/")]
    assert step["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "with" not in step  # no password, no token: PyPI trusts the OIDC token
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "secrets." not in text and "password" not in text.lower()


def test_the_github_release_has_the_changelog_section_as_notes() -> None:
    release = _workflow()["jobs"]["github-release"]
    assert release["permissions"] == {"contents": "write"}
    runs = _runs(release)
    assert 'gh release create "$GITHUB_REF_NAME" dist/*' in runs
    assert "--notes-file release-notes.md" in runs and "--verify-tag" in runs


def test_contributing_says_how_to_set_up_and_cut_a_release() -> None:
    text = (REPO_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("\n## Releases\n", 1)[1].split("\n## ", 1)[0]
    for needed in (
        "trusted publisher",
        "`pulumi-avosms`",
        "`release.yml`",
        "`pypi`",
        "scripts/release_notes.py",
        "git tag",
    ):
        assert needed in section, needed


# -- every workflow against the GitHub workflow schema -------------------------------------------

WORKFLOWS = sorted(
    [
        *REPO_ROOT.glob(".github/workflows/*.yml"),
        *REPO_ROOT.glob("examples/*/.github/workflows/*.yml"),
    ]
)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_the_workflow_is_valid_against_the_github_workflow_schema(path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and "ok -- validation done" in done.stdout, (
        done.stdout + done.stderr
    )


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo\n        uses: actions/checkout@v4\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(broken),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
