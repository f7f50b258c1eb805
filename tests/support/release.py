"""The release artefacts, built once per session, and a virtualenv with the wheel installed.

Loaded as a pytest plugin by ``tests/conftest.py``: ``tests/packaging`` checks the artefacts,
and the tests driving the Pulumi CLI run their programs in that virtualenv, as a user's (an
editable install of this checkout would look like a provider with a plugin to download).

``PACKAGING_DIST`` names a directory holding the sdist and wheel to test (``.ci/run`` builds
them with ``python -m build`` first); without it they are built here with the build tools of
the ``dev`` extra (``python -m build --no-isolation``: offline, the sdist first, then the wheel
from the sdist).

``PACKAGING_VENV`` names a virtualenv outside the checkout where that wheel was installed
with its dependencies from the package index, as a user would (``.ci/run`` makes it); without
it, a fresh one is made here with the wheel alone, and borrows the dependencies of the
environment running the tests, offline.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.harness import REPO_ROOT


@dataclass(frozen=True)
class Dist:
    """The two files a release publishes."""

    wheel: Path
    sdist: Path


@dataclass(frozen=True)
class WheelVenv:
    """A fresh virtualenv with only the wheel (and pip) installed.

    ``pip_list`` is ``python -m pip list -v --format json`` of that environment, and
    ``plugin_json`` the installed ``pulumi-plugin.json``. ``python`` then also sees the test
    environment's site-packages (appended by a ``.pth``), for the runtime dependencies: the
    tests run offline, so nothing is fetched from PyPI.
    """

    root: Path
    python: Path
    pip_list: str
    plugin_json: Path

    def bin(self, name: str) -> Path:
        return self.python.parent / name


def run(*args: str | os.PathLike[str], cwd: Path | None = None) -> str:
    """Run a command to completion; its stdout (a failure shows both streams)."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    given = os.environ.get("PACKAGING_DIST")
    if given:
        out = Path(given)
    else:
        out = tmp_path_factory.mktemp("dist")
        run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, REPO_ROOT)
    (wheel,) = out.glob("pulumi_avosms-*.whl")
    (sdist,) = out.glob("pulumi_avosms-*.tar.gz")
    return Dist(wheel, sdist)


def _site_packages(python: Path) -> Path:
    return Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())


def fresh_venv(root: Path) -> Path:
    """A new virtualenv with pip only, outside the checkout; its ``python``."""
    assert REPO_ROOT not in root.parents
    venv.EnvBuilder(with_pip=True).create(root)
    return root / "bin" / "python"


def borrow_test_dependencies(python: Path) -> None:
    """Let ``python`` import what the test environment has, offline (no package index)."""
    # Appended to sys.path as plain entries: the .pth files there, such as this checkout's
    # editable install, are not processed.
    deps = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (_site_packages(python) / "zz_test_dependencies.pth").write_text(
        "\n".join(deps) + "\n", encoding="utf-8"
    )


def install_offline(root: Path, *pip_args: str, cwd: Path) -> Path:
    """A fresh virtualenv at ``root`` where ``pip install *pip_args`` ran, offline; its python.

    The build backend and the dependencies come from the test environment (not the older
    setuptools that ensurepip may put in a new virtualenv), so nothing is fetched.
    """
    python = fresh_venv(root)
    run(python, "-m", "pip", "uninstall", "-q", "-y", "setuptools")
    borrow_test_dependencies(python)
    pip = ("-m", "pip", "install", "-q", "--no-index", "--no-deps", "--no-build-isolation")
    run(python, *pip, *pip_args, cwd=cwd)
    return python


def pip_list(python: Path) -> str:
    """``python -m pip list -v --format json``: what the language host runs at each update."""
    return run(python, "-m", "pip", "list", "-v", "--format", "json", cwd=python.parent)


@pytest.fixture(scope="session")
def wheel_venv(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> WheelVenv:
    given = os.environ.get("PACKAGING_VENV")
    if given:
        root = Path(given).resolve()
        python = root / "bin" / "python"
        assert REPO_ROOT not in root.parents
        plugin_json = _site_packages(python) / "pulumi_avosms" / "pulumi-plugin.json"
        return WheelVenv(root, python, pip_list(python), plugin_json)
    root = tmp_path_factory.mktemp("user") / "venv"
    python = fresh_venv(root)
    run(python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", dist.wheel)
    listed = pip_list(python)
    borrow_test_dependencies(python)  # only now, for the runtime dependencies
    plugin_json = _site_packages(python) / "pulumi_avosms" / "pulumi-plugin.json"
    return WheelVenv(root, python, listed, plugin_json)


def readme_requirement() -> str:
    """The requirement line of the README's Install section (its one ``text`` block)."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    (line,) = re.findall(r"^```text\n(.*)\n```$", section, re.MULTILINE)
    return line
