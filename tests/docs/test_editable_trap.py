"""The editable-install trap is explained where a user meets it, not only in CONTRIBUTING.

``tests/packaging/test_no_plugin_download.py`` shows the trap is real (an editable install
sends the language host looking for a ``pulumi-resource-avosms`` plugin); here, the README's
Install section and docs/troubleshooting.md say so and what to do instead.
"""

from __future__ import annotations

from tests.support.projects import REPO_ROOT


def _section(page: str, heading: str) -> str:
    text = (REPO_ROOT / page).read_text(encoding="utf-8")
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_install_section_warns_about_editable_installs() -> None:
    install = _section("README.md", "Install")
    assert "pip install -e" in install
    assert "pulumi-resource-avosms" in install
    assert "docs/troubleshooting.md" in install


def test_troubleshooting_explains_the_plugin_lookup_and_the_fix() -> None:
    section = _section(
        "docs/troubleshooting.md", "`pulumi up` looks for a `pulumi-resource-avosms` plugin"
    )
    assert "pulumi-plugin.json" in section and "(`pip install -e`)" in section
    assert "without `-e`" in section and "requirements.txt" in section
