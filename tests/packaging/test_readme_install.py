"""The README's install line, as written, gives a fresh virtualenv a working provider.

``pip install --find-links <dist> "<the README's line>"`` into a new virtualenv outside the
checkout: pulumi-avosms comes from the sdist and wheel built from this checkout
(``PACKAGING_DIST``, or built here), every dependency from the usual package index, as a
user's ``pulumi install`` would fetch them (pip's own settings, such as ``PIP_INDEX_URL`` or
``PIP_CONSTRAINT``, apply). That install then runs a program through the dynamic-provider
plugin on the embedded emulator, and the language host's rule asks for no plugin.

It needs the package index (as ``./scripts/test`` does to install ``.[dev]``).
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from pulumi_avosms import ContactList
from tests.packaging.language_host import parse_pip_list, required_plugins
from tests.support import harness as h
from tests.support.projects import REPO_ROOT
from tests.support.release import Dist, fresh_venv, pip_list, readme_requirement, run


@pytest.fixture(scope="module")
def readme_install(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv where the README's line was installed; its python."""
    root = tmp_path_factory.mktemp("readme-user") / "venv"
    python = fresh_venv(root)
    run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--find-links",
        dist.wheel.parent,
        readme_requirement(),
        cwd=root.parent,
    )
    return python


def _installed_files_match_the_wheel(python: Path, wheel: Path) -> None:
    # With the same version on the index, pip could take that copy: check that what got
    # installed is this checkout's wheel, file by file.
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip())
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith("pulumi_avosms/") and not name.endswith("/"):
                installed = (site / name).read_bytes()
                digest = hashlib.sha256(archive.read(name)).hexdigest()
                assert hashlib.sha256(installed).hexdigest() == digest, name


def test_the_readme_line_installs_this_release_and_its_dependencies(
    readme_install: Path, dist: Dist
) -> None:
    listed = pip_list(readme_install)
    packages = {pkg["name"].lower(): pkg for pkg in parse_pip_list(listed)}
    ours = packages["pulumi-avosms"]
    assert readme_requirement() == f"pulumi-avosms=={ours['version']}"
    assert "editable_project_location" not in ours
    assert Path(ours["location"]).is_relative_to(readme_install.parent.parent)
    # The dependencies came with it, from the index: nothing borrowed from the test run.
    assert {"pulumi", "requests", "pycountry", "phonenumbers"} <= set(packages)
    for module in ("pulumi", "requests", "grpc"):
        where = run(readme_install, "-c", f"import {module}; print({module}.__file__)")
        assert Path(where.strip()).is_relative_to(readme_install.parent.parent), module
    _installed_files_match_the_wheel(readme_install, dist.wheel)
    # What the language host decides at each `pulumi up`: no plugin to download.
    assert required_plugins(listed) == []


def test_the_installed_provider_runs_a_program_on_the_embedded_emulator(
    readme_install: Path, tmp_path: Path
) -> None:
    project = tmp_path / "my-project"
    project.mkdir()
    assert REPO_ROOT not in project.parents
    resources = h.program_inputs(
        lambda: ContactList("customers", name="Customers FR", country_code="FR")
    )
    plugin = h.PluginProcess(
        python=str(readme_install),
        cwd=project,
        env={"PYTHONPATH": None},  # only what the virtualenv has installed
        unset_prefixes=["AVOSMS_"],
    )
    stack = h.Stack(plugin, config={"avosms:endpoint": "emulator"})
    try:
        assert stack.up(resources).ops == {"customers": "create"}
        assert stack.up(resources).ops == {"customers": "same"}
    finally:
        plugin.close()
    assert stack.outputs("customers")["name"] == "Customers FR"
    listed = run(
        readme_install.with_name("avosms-emulator"),
        "lists",
        "--state",
        project / ".avosms" / "emulator.sqlite3",
        cwd=project,
    )
    assert f"{stack.id('customers')}\tCustomers FR\tFR\t0" in listed
