"""What a user pins and reads agrees with the package metadata.

The README's install line installs this repository at the tag of the version in
pyproject.toml, from the repository ``project.urls`` names; the examples and the ci-drift
workflow use that same line; CHANGELOG.md has that version; the wheel carries the licence,
the URLs and the ``pulumi`` floor that CI tests (.ci/oldest-supported.txt).
"""

from __future__ import annotations

import re
import sys
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

from tests.packaging.language_host import required_plugins
from tests.support.projects import EXAMPLES_DIR, REPO_ROOT
from tests.support.release import Dist, install_offline, pip_list, run

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = None


def _pyproject() -> dict[str, Any]:
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        return tomllib.loads(text)  # type: ignore[no-any-return]
    # 3.10 has no tomllib: the few fields read here, by pattern.
    version = re.search(r'^version = "([^"]+)"$', text, re.MULTILINE)
    source = re.search(r'^Source = "([^"]+)"$', text, re.MULTILINE)
    floor = re.search(r'"pulumi>=([\d.]+),', text)
    python = re.search(r'^requires-python = "([^"]+)"$', text, re.MULTILINE)
    assert version and source and floor and python
    return {
        "project": {
            "version": version.group(1),
            "urls": {"Source": source.group(1)},
            "dependencies": [f"pulumi>={floor.group(1)},<4"],
            "requires-python": python.group(1),
        }
    }


def install_line() -> str:
    project = _pyproject()["project"]
    return f"pulumi-avosms @ git+{project['urls']['Source']}@v{project['version']}"


def test_the_readme_installs_the_tagged_release_of_the_repository() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"\n{install_line()}\n" in readme
    assert f'pip install "{install_line()}"' in readme


def test_the_examples_and_the_drift_workflow_install_that_release() -> None:
    for requirements in sorted(EXAMPLES_DIR.glob("*/requirements.txt")):
        lines = [
            line.strip()
            for line in requirements.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        assert lines == [install_line()], requirements
    workflow = EXAMPLES_DIR / "ci-drift" / ".github" / "workflows" / "avosms-drift.yml"
    assert "pip install -r requirements.txt" in workflow.read_text(encoding="utf-8")


def test_the_changelog_has_the_version() -> None:
    version = _pyproject()["project"]["version"]
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(version)}\]", changelog, re.MULTILINE)
    assert "## [0.1.0]" in changelog


def test_the_pulumi_floor_is_the_one_ci_tests() -> None:
    (floor,) = [d for d in _pyproject()["project"]["dependencies"] if re.match(r"pulumi[><=]", d)]
    minimum = re.search(r">=([\d.]+)", floor)
    assert minimum is not None
    pins = (REPO_ROOT / ".ci" / "oldest-supported.txt").read_text(encoding="utf-8")
    (pin,) = re.findall(r"^pulumi==([\d.]+)$", pins, re.MULTILINE)
    assert pin.split(".")[:2] == minimum.group(1).split(".")[:2]
    workflow = (REPO_ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert ".ci/oldest-supported.txt" in workflow
    oldest_python = _pyproject()["project"]["requires-python"].removeprefix(">=")
    assert f'python-version: "{oldest_python}"' in workflow


def test_the_wheel_metadata_carries_licence_urls_and_floor(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        (metadata_name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(wheel.read(metadata_name).decode("utf-8"))
        licences = [n for n in wheel.namelist() if n.endswith("/LICENSE")]
        assert licences and b"Apache License" in wheel.read(licences[0])
    assert metadata["Version"] == _pyproject()["project"]["version"]
    assert metadata["License-Expression"] == "Apache-2.0"
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert urls["Source"] == _pyproject()["project"]["urls"]["Source"]
    requires = metadata.get_all("Requires-Dist") or []
    assert any(r.replace(" ", "").startswith("pulumi<4,>=3.268") for r in requires), requires


def test_the_install_line_installs_the_tag_from_a_clone_of_the_repository(tmp_path: Path) -> None:
    # The README's line as written, but for where the repository lives: a clone of this
    # checkout's HEAD with the release tag, outside the checkout, offline.
    project = _pyproject()["project"]
    clone = tmp_path / "pulumi-avosms"
    run("git", "clone", "-q", "--no-hardlinks", REPO_ROOT, clone)
    run("git", "-C", clone, "tag", f"v{project['version']}")
    # With a host: the packaging that older pips vendor takes no git+file:/// URL.
    url = f"git+file://localhost{clone.as_posix()}"
    line = install_line().replace(f"git+{project['urls']['Source']}", url)
    python = install_offline(tmp_path / "venv", line, cwd=tmp_path)
    shown = run(
        python, "-c", "import pulumi_avosms; print(pulumi_avosms.__version__)", cwd=tmp_path
    )
    assert shown.strip() == project["version"]
    assert required_plugins(pip_list(python)) == []
