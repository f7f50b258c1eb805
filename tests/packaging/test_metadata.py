"""What a user pins and reads agrees with the package metadata.

The README's install line is ``pulumi-avosms==<the version in pyproject.toml>``, from PyPI;
the examples use that same line and the ci-drift workflow installs their requirements;
CHANGELOG.md has that version; the README (also the PyPI page, where relative links are
dead) names files of the source distribution instead of linking to them, and the sdist holds
them; the wheel carries the licence, only URLs that exist, and the ``pulumi`` floor that CI
tests (.ci/oldest-supported.txt). ``test_readme_install.py`` installs the line itself.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from email.parser import Parser
from typing import Any

from tests.support.projects import EXAMPLES_DIR, REPO_ROOT
from tests.support.release import Dist, readme_requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = None

README = REPO_ROOT / "README.md"


def _pyproject() -> dict[str, Any]:
    text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if tomllib is not None:
        return tomllib.loads(text)  # type: ignore[no-any-return]
    # 3.10 has no tomllib: the few fields read here, by pattern.
    version = re.search(r'^version = "([^"]+)"$', text, re.MULTILINE)
    urls = dict(re.findall(r'^(\w+) = "(https://[^"]+)"$', text, re.MULTILINE))
    floor = re.search(r'"pulumi>=([\d.]+),', text)
    python = re.search(r'^requires-python = "([^"]+)"$', text, re.MULTILINE)
    assert version and floor and python
    return {
        "project": {
            "version": version.group(1),
            "urls": urls,
            "dependencies": [f"pulumi>={floor.group(1)},<4"],
            "requires-python": python.group(1),
        }
    }


def test_the_readme_installs_the_version_from_pypi_by_name() -> None:
    line = readme_requirement()
    assert line == f"pulumi-avosms=={_pyproject()['project']['version']}"
    # Every other requirement of pulumi-avosms the README writes is that same line.
    text = README.read_text(encoding="utf-8")
    written = re.findall(r"pulumi-avosms\s*(?:[=~<>!]=|@)[^\s'\"`]*", text)
    assert written and set(written) == {line}


def test_the_examples_and_the_drift_workflow_install_that_line() -> None:
    for requirements in sorted(EXAMPLES_DIR.glob("*/requirements.txt")):
        lines = [
            line.strip()
            for line in requirements.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        assert lines == [readme_requirement()], requirements
    workflow = EXAMPLES_DIR / "ci-drift" / ".github" / "workflows" / "avosms-drift.yml"
    assert "pip install -r requirements.txt" in workflow.read_text(encoding="utf-8")


def test_the_readme_links_nothing_a_pypi_page_cannot_open() -> None:
    # PyPI renders the README with relative links left as they are: dead there.
    targets = re.findall(r"\]\(([^)\s]+)\)", README.read_text(encoding="utf-8"))
    assert [t for t in targets if not re.match(r"^https://", t)] == []


def test_every_file_the_readme_names_ships_in_the_sdist(dist: Dist) -> None:
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:docs|examples)/[\w./-]+|[A-Z]+\.md|LICENSE)`", text))
    assert {"docs/contact-list.md", "CONTRIBUTING.md", "examples/ci-drift"} <= named
    with tarfile.open(dist.sdist) as sdist:
        shipped = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    missing = sorted(
        name
        for name in named
        if name.rstrip("/") not in shipped and not any(s.startswith(name) for s in shipped)
    )
    assert missing == [], "MANIFEST.in must ship what the README names"
    # Every docs page ships, not only those named.
    pages = {f"docs/{page.name}" for page in (REPO_ROOT / "docs").glob("*.md")}
    assert pages <= shipped


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
    # Only what exists: no repository URL (there is none), the PyPI page at most.
    assert urls == _pyproject()["project"]["urls"]
    assert all(url.startswith("https://pypi.org/project/pulumi-avosms/") for url in urls.values())
    requires = metadata.get_all("Requires-Dist") or []
    assert any(r.replace(" ", "").startswith("pulumi<4,>=3.268") for r in requires), requires
