"""The plugin's pages: docs/plugin.md and docs/migration-to-plugin.md, and the TypeScript and
YAML sections of each resource page, agree with the plugin directory and the schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pulumi_avosms.plugin.schema import NODEJS_SDK, PYTHON_SDK
from tests.support.plugin_harness import PLUGIN_DIR
from tests.support.plugin_programs import typescript_problems, yaml_problems
from tests.support.projects import REPO_ROOT

DOCS = REPO_ROOT / "docs"
RESOURCE_PAGES = ["contact-list.md", "contact.md", "contact-list-members.md"]


def blocks(page: Path, language: str) -> list[str]:
    """The fenced ``language`` code blocks of a page."""
    text = page.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def test_the_install_page_shows_the_plugin_directory_as_it_is() -> None:
    page = DOCS / "plugin.md"
    assert (PLUGIN_DIR / "PulumiPlugin.yaml").read_text(encoding="utf-8") in blocks(page, "yaml")
    assert (PLUGIN_DIR / "requirements.txt").read_text(encoding="utf-8") in blocks(page, "text")
    assert (PLUGIN_DIR / "__main__.py").read_text(encoding="utf-8") in blocks(page, "python")
    text = page.read_text(encoding="utf-8")
    for step in ("pulumi package add ../avosms-plugin", "pulumi install", "Python 3.10"):
        assert step in text
    assert NODEJS_SDK in text and PYTHON_SDK in text


@pytest.mark.parametrize("name", ["plugin.md", "migration-to-plugin.md", *RESOURCE_PAGES])
def test_typescript_and_yaml_blocks_use_only_what_the_schema_declares(name: str) -> None:
    page = DOCS / name
    for block in blocks(page, "typescript"):
        assert [p for p in typescript_problems(block) if "does not import" not in p] == [], block
    for block in blocks(page, "yaml"):
        program = yaml.safe_load(block)
        if isinstance(program, dict) and "resources" in program:
            assert yaml_problems(program) == [], block


@pytest.mark.parametrize("name", RESOURCE_PAGES)
def test_each_resource_page_shows_python_typescript_and_yaml(name: str) -> None:
    page = DOCS / name
    assert "## TypeScript and YAML" in page.read_text(encoding="utf-8")
    assert blocks(page, "python") and blocks(page, "typescript") and blocks(page, "yaml")


def test_the_migration_forgets_and_re_adopts_never_replaces() -> None:
    text = (DOCS / "migration-to-plugin.md").read_text(encoding="utf-8")
    order = [text.index(step) for step in ("pulumi state delete", "import_=", "pulumi up")]
    assert order == sorted(order)
    assert f"import {PYTHON_SDK} as avosms" in text
