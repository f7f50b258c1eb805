"""examples/typescript, examples/yaml and the plugin directory they use: every file they need
is here and agrees with the schema; the YAML program deploys through the plugin.

The GitHub workflow runs both examples with a real Pulumi CLI, Node.js and `pulumi install`
(.github/workflows/ci.yml, job ``plugin-examples``); these tests need neither.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_avosms.plugin.schema import NODEJS_SDK, package_schema
from tests.support import harness as h
from tests.support.plugin_harness import PLUGIN_DIR, ProviderPlugin
from tests.support.projects import EXAMPLES_DIR, load_yaml

SCHEMA = package_schema("0.0.0")
TYPESCRIPT = EXAMPLES_DIR / "typescript"
YAML = EXAMPLES_DIR / "yaml"


def _token(short: str) -> str:
    """``avosms:ContactList`` (as YAML and messages write it) -> ``avosms:index:ContactList``."""
    package, _, name = short.partition(":")
    return name if ":" in name else f"{package}:index:{name}"


def _inputs(token: str) -> dict[str, Any]:
    return SCHEMA["resources"][token]["inputProperties"]  # type: ignore[no-any-return]


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
    basic = (EXAMPLES_DIR / "basic" / "requirements.txt").read_text(encoding="utf-8")
    assert requirements == [line for line in basic.splitlines() if line.startswith("pulumi-")]


@pytest.mark.parametrize("project", [TYPESCRIPT, YAML], ids=lambda p: p.name)
def test_each_example_names_the_plugin_directory_as_its_avosms_package(project: Path) -> None:
    packages = load_yaml(project / "Pulumi.yaml")["packages"]
    assert (project / packages["avosms"]).resolve() == PLUGIN_DIR.resolve()
    assert (project / "README.md").is_file()


# -- YAML ------------------------------------------------------------------------------------


def test_the_yaml_program_uses_only_what_the_schema_declares() -> None:
    program = load_yaml(YAML / "Pulumi.yaml")
    for name, resource in program["resources"].items():
        token = _token(resource["type"])
        inputs = _inputs(token)
        properties = resource["properties"]
        assert set(properties) <= set(inputs), name
        assert set(SCHEMA["resources"][token]["requiredInputs"]) <= set(properties), name
        for member in properties.get("members", []):
            assert set(member) <= set(SCHEMA["types"]["avosms:index:Member"]["properties"])
    for variable in program["variables"].values():
        invoke = variable["fn::invoke"]
        function = SCHEMA["functions"][_token(invoke["function"])]
        assert invoke["return"] in function["outputs"]["properties"]


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
            "type": _token(resource["type"]),
            "inputs": resolve(resource["properties"]),
        }
        stack.up(declared)
    (invoke,) = (v["fn::invoke"] for v in program["variables"].values())
    result, failures = plugin.invoke(_token(invoke["function"]), invoke.get("arguments", {}))
    assert failures == []
    assert {lst["name"] for lst in result[invoke["return"]]} == {"Newsletter FR", "On-call FR"}
    assert stack.outputs("oncallMembers")["memberCount"] == 2
    assert stack.up(declared).ops == dict.fromkeys(declared, "same")


# -- TypeScript ------------------------------------------------------------------------------


def _calls(source: str, callee: str) -> Iterator[tuple[str, str]]:
    """``(name, the argument list's text)`` of each ``callee(...)`` call in ``source``."""
    for match in re.finditer(re.escape(callee) + r"(\w+)\(", source):
        depth, start = 0, match.end() - 1
        for end in range(start, len(source)):
            depth += {"(": 1, ")": -1}.get(source[end], 0)
            if depth == 0:
                yield match.group(1), source[start + 1 : end]
                break


def _args_object(arguments: str) -> str:
    """The resource's args: the first object literal of its argument list (the options,
    third, are not the schema's)."""
    start = arguments.index("{")
    depth = 0
    for end in range(start, len(arguments)):
        depth += {"{": 1, "}": -1}.get(arguments[end], 0)
        if depth == 0:
            return arguments[start : end + 1]
    raise AssertionError(f"unbalanced braces in {arguments!r}")


def _keys(literal: str, depth: int) -> set[str]:
    """Property names written at brace depth ``depth`` of an argument list (shorthand too)."""
    keys, level = set(), 0
    for match in re.finditer(r"[{}]|\b(\w+)\s*(?=[:,}])", literal):
        token = match.group(0)
        if token in "{}":
            level += 1 if token == "{" else -1
        elif level == depth and not literal[match.end() :].lstrip().startswith("."):
            keys.add(match.group(1))
    return keys


def test_the_typescript_program_uses_only_what_the_schema_declares() -> None:
    source = (TYPESCRIPT / "index.ts").read_text(encoding="utf-8")
    assert f'import * as avosms from "{NODEJS_SDK}";' in source
    resources = list(_calls(source, "new avosms."))
    assert {name for name, _ in resources} >= {"ContactList", "Contact", "ContactListMembers"}
    for name, call in resources:
        arguments = _args_object(call)
        declared = (
            SCHEMA["provider"]["inputProperties"]
            if name == "Provider"
            else _inputs(f"avosms:index:{name}")
        )
        assert _keys(arguments, 1) <= set(declared), (name, _keys(arguments, 1))
        if name == "ContactListMembers":
            member = SCHEMA["types"]["avosms:index:Member"]["properties"]
            assert _keys(arguments, 2) <= set(member)
    functions = {name for name, _ in _calls(source, "avosms.")} - {name for name, _ in resources}
    assert functions == {"getContactList", "getContactLists"}
    assert all(f"avosms:index:{name}" in SCHEMA["functions"] for name in functions)


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
