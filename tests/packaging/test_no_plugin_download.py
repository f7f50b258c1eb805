"""The Pulumi Python language host asks for no plugin for pulumi-avosms.

Its rule (ported in :mod:`tests.packaging.language_host`, with the source cited) treats every
installed package named ``pulumi-*`` as one with a resource plugin to download, unless the
package ships ``pulumi_avosms/pulumi-plugin.json`` saying ``"resource": false``. The rule is
applied to ``python -m pip list -v --format json`` of an environment with the wheel
installed, exactly what the host runs at each ``pulumi up``.
"""

from __future__ import annotations

import json
import tarfile
import zipfile
from pathlib import Path

from tests.packaging.language_host import (
    PackageDependency,
    determine_plugin_version,
    parse_pip_list,
    required_plugins,
)
from tests.support.projects import REPO_ROOT, copy_project, load_yaml
from tests.support.release import Dist, WheelVenv, install_offline, pip_list

PLUGIN_JSON = "pulumi_avosms/pulumi-plugin.json"


def test_wheel_and_sdist_ship_pulumi_plugin_json_saying_no_resource_plugin(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        assert json.loads(wheel.read(PLUGIN_JSON)) == {"resource": False}
    with tarfile.open(dist.sdist) as sdist:
        (member,) = [m for m in sdist.getmembers() if m.name.endswith("/" + PLUGIN_JSON)]
        extracted = sdist.extractfile(member)
        assert extracted is not None
        assert json.loads(extracted.read()) == {"resource": False}


def test_the_language_host_requests_no_plugin_for_the_installed_wheel(
    wheel_venv: WheelVenv,
) -> None:
    names = {pkg["name"] for pkg in parse_pip_list(wheel_venv.pip_list)}
    assert "pulumi-avosms" in names
    assert required_plugins(wheel_venv.pip_list) == []


def test_without_the_file_the_host_would_download_a_resource_plugin(
    wheel_venv: WheelVenv, dist: Dist
) -> None:
    # What 0.1.0 caused: a `pulumi-resource-avosms` plugin looked for at every `pulumi up`.
    version = dist.wheel.name.split("-")[1]
    saved = wheel_venv.plugin_json.read_bytes()
    wheel_venv.plugin_json.unlink()
    try:
        requested = required_plugins(wheel_venv.pip_list)  # the host reads the file each time
    finally:
        wheel_venv.plugin_json.write_bytes(saved)
    assert requested == [
        PackageDependency(name="avosms", version="v" + determine_plugin_version(version))
    ]


def test_plugin_versions_as_the_host_derives_them() -> None:
    # The examples of determinePluginVersion's doc comment.
    assert determine_plugin_version("1.0") == "1.0.0"
    assert determine_plugin_version("1.2.3a4") == "1.2.3-alpha.4"
    assert determine_plugin_version("1.2.3rc4") == "1.2.3-rc.4"
    assert determine_plugin_version("1.2.3.post4") == "1.2.3+post4"
    assert determine_plugin_version("1.2.3.post4.dev5") == "1.2.3+post4dev5"


# -- how a program's environment gets pulumi-avosms --------------------------------------------


def _install_checkout(tmp_path: Path, *pip_args: str) -> str:
    return pip_list(install_offline(tmp_path / "venv", *pip_args, cwd=REPO_ROOT))


def test_the_demo_requirements_install_a_checkout_the_host_asks_no_plugin_for(
    tmp_path: Path,
) -> None:
    # What ./scripts/demo does in its virtualenv before `pulumi up`.
    listed = _install_checkout(tmp_path, "-r", "requirements.txt")
    (ours,) = [pkg for pkg in parse_pip_list(listed) if pkg["name"] == "pulumi-avosms"]
    assert "editable_project_location" not in ours
    assert required_plugins(listed) == []


def test_an_editable_install_would_send_the_host_looking_for_a_plugin(tmp_path: Path) -> None:
    # Why no project installs this checkout with -e: pip reports site-packages as an editable
    # install's location, and pulumi_avosms/pulumi-plugin.json is not there.
    listed = _install_checkout(tmp_path, "-e", ".")
    (ours,) = [pkg for pkg in parse_pip_list(listed) if pkg["name"] == "pulumi-avosms"]
    assert Path(ours["editable_project_location"]) == REPO_ROOT
    assert [dep.name for dep in required_plugins(listed)] == ["avosms"]


def test_the_cli_tests_run_programs_where_the_host_asks_no_plugin(
    wheel_venv: WheelVenv, tmp_path: Path
) -> None:
    # The virtualenv copy_project gives every project the CLI tests run, listed as the host
    # lists it then (the test environment's packages borrowed, its editable install included).
    work_dir = copy_project(REPO_ROOT, tmp_path / "project", wheel_venv)
    options = load_yaml(work_dir / "Pulumi.yaml")["runtime"]["options"]
    python = Path(options["virtualenv"]) / "bin" / "python"
    assert required_plugins(pip_list(python)) == []
