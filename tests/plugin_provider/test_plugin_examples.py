"""examples/typescript, examples/yaml and the plugin directory they use: every file they need
is here and agrees with the schema; the YAML program deploys through the plugin.

The GitHub workflow runs both examples with a real Pulumi CLI, Node.js and `pulumi install`
(.github/workflows/ci.yml, job ``plugin-examples``); these tests need neither.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from pulumi_avosms.plugin.schema import NODEJS_SDK
from tests.support import harness as h
from tests.support.plugin_harness import PLUGIN_DIR, ProviderPlugin
from tests.support.plugin_programs import (
    token,
    typescript_functions,
    typescript_problems,
    typescript_resources,
    yaml_problems,
)
from tests.support.projects import EXAMPLES_DIR, load_yaml

TYPESCRIPT = EXAMPLES_DIR / "typescript"
YAML = EXAMPLES_DIR / "yaml"


# -- the plugin directory --------------------------------------------------------------------


def test_the_plugin_directory_is_what_the_python_language_host_runs() -> None:
    assert load_yaml(PLUGIN_DIR / "PulumiPlugin.yaml") == {"runtime": "python"}
    main = (PLUGIN_DIR / "__main__.py").read_text(encoding="utf-8")
    assert "from pulumi_avosms.plugin.__main__ import main" in main
    requirements = [
        line
        for line in (PLUGIN_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # A release from PyPI, by name (tests/packaging/test_metadata.py: the README's line).
    assert requirements == [f"pulumi-avosms=={metadata.version('pulumi-avosms')}"]


@pytest.mark.parametrize("project", [TYPESCRIPT, YAML], ids=lambda p: p.name)
def test_each_example_names_the_plugin_directory_as_its_avosms_package(project: Path) -> None:
    packages = load_yaml(project / "Pulumi.yaml")["packages"]
    assert (project / packages["avosms"]).resolve() == PLUGIN_DIR.resolve()
    assert (project / "README.md").is_file()


# -- YAML ------------------------------------------------------------------------------------


def test_the_yaml_program_uses_only_what_the_schema_declares() -> None:
    program = load_yaml(YAML / "Pulumi.yaml")
    assert yaml_problems(program) == []
    assert program["variables"]["everyList"]["fn::invoke"]["function"] == "avosms:getContactLists"


@pytest.fixture
def plugin() -> Iterator[ProviderPlugin]:
    started = ProviderPlugin()
    yield started
    started.close()


_INTERPOLATION = re.compile(r"^\$\{(\w+)\.(\w+)\}$")


def test_the_yaml_program_deploys_through_the_plugin(
    plugin: ProviderPlugin, avosms_config: dict[str, str], emulator: Any
) -> None:
    """What `pulumi up` does with it, resource by resource in dependency (file) order."""
    program = load_yaml(YAML / "Pulumi.yaml")
    stack = h.Stack(plugin, config=avosms_config, secret_keys=["avosms:apiKey"])
    declared: dict[str, dict[str, Any]] = {}

    def resolve(value: Any) -> Any:
        if isinstance(value, str) and (match := _INTERPOLATION.match(value)):
            return stack.outputs(match.group(1))[match.group(2)]
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        return value

    for name, resource in program["resources"].items():
        declared[name] = {
            "type": token(resource["type"]),
            "inputs": resolve(resource["properties"]),
        }
        stack.up(declared)
    (invoke,) = (v["fn::invoke"] for v in program["variables"].values())
    result, failures = plugin.invoke(token(invoke["function"]), invoke.get("arguments", {}))
    assert failures == []
    assert {lst["name"] for lst in result[invoke["return"]]} == {"Newsletter FR", "On-call FR"}
    assert stack.outputs("oncallMembers")["memberCount"] == 2
    assert stack.up(declared).ops == dict.fromkeys(declared, "same")


# -- TypeScript ------------------------------------------------------------------------------


def test_the_typescript_program_uses_only_what_the_schema_declares() -> None:
    source = (TYPESCRIPT / "index.ts").read_text(encoding="utf-8")
    assert typescript_problems(source) == []
    assert typescript_resources(source) == {
        "ContactList",
        "Contact",
        "ContactListMembers",
        "Provider",
    }
    assert typescript_functions(source) == {"getContactList", "getContactLists"}


def test_the_schema_check_finds_a_property_the_schema_lacks() -> None:
    source = (TYPESCRIPT / "index.ts").read_text(encoding="utf-8")
    broken = source.replace('firstName: "Bob"', 'firstname: "Bob"', 1)
    assert typescript_problems(broken) == ["ContactListMembers.members: no field firstname"]
    program = load_yaml(YAML / "Pulumi.yaml")
    del program["resources"]["newsletter"]["properties"]["countryCode"]
    assert yaml_problems(program) == ["newsletter.countryCode: required"]


def test_the_typescript_project_depends_on_the_generated_sdk() -> None:
    package = json.loads((TYPESCRIPT / "package.json").read_text(encoding="utf-8"))
    assert package["dependencies"][NODEJS_SDK] == "file:sdks/avosms"
    assert "@pulumi/pulumi" in package["dependencies"]
    tsconfig = json.loads((TYPESCRIPT / "tsconfig.json").read_text(encoding="utf-8"))
    assert tsconfig["files"] == ["index.ts"]
    ignored = (TYPESCRIPT / ".gitignore").read_text(encoding="utf-8").split()
    assert {"node_modules/", "sdks/"} <= set(ignored)


def test_the_workflow_runs_both_examples_with_a_real_cli() -> None:
    workflow = load_yaml(h.REPO_ROOT / ".github" / "workflows" / "ci.yml")
    steps = workflow["jobs"]["plugin-examples"]["steps"]
    ran = {step.get("working-directory"): step["run"] for step in steps if "run" in step}
    for example in ("examples/yaml", "examples/typescript"):
        assert "pulumi install" in ran[example] and "pulumi up --yes" in ran[example]
    assert any(step.get("uses", "").startswith("pulumi/actions@") for step in steps)
