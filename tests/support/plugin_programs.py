"""Programs of other languages checked against the plugin's schema, without their toolchains.

Used for examples/typescript, examples/yaml and the TypeScript and YAML blocks of docs/:
:func:`yaml_problems` and :func:`typescript_problems` list every resource property, member
field, provider setting or function a program uses that the schema does not declare, and
every required input it leaves out (YAML). An empty list is a program the SDK and the YAML
language host would accept as far as names go.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_avosms.plugin.schema import NODEJS_SDK, package_schema

SCHEMA = package_schema("0.0.0")
MEMBER_FIELDS = set(SCHEMA["types"]["avosms:index:Member"]["properties"])


def token(short: str) -> str:
    """``avosms:ContactList`` (as YAML writes it) -> ``avosms:index:ContactList``."""
    package, _, name = short.partition(":")
    return name if ":" in name else f"{package}:index:{name}"


def yaml_problems(program: Mapping[str, Any]) -> list[str]:
    """What a Pulumi YAML program (parsed) uses of ``avosms`` that the schema lacks."""
    problems = []
    for name, resource in (program.get("resources") or {}).items():
        spec = SCHEMA["resources"].get(token(resource["type"]))
        if spec is None:
            problems.append(f"{name}: no type {resource['type']}")
            continue
        properties = resource.get("properties") or {}
        problems += [
            f"{name}.{k}: no such input" for k in properties if k not in spec["inputProperties"]
        ]
        problems += [f"{name}.{k}: required" for k in spec["requiredInputs"] if k not in properties]
        for member in properties.get("members") or []:
            problems += [f"{name}.members: no field {k}" for k in member if k not in MEMBER_FIELDS]
    for name, variable in (program.get("variables") or {}).items():
        invoke = variable.get("fn::invoke") if isinstance(variable, Mapping) else None
        if invoke is None:
            continue
        function = SCHEMA["functions"].get(token(invoke["function"]))
        if function is None:
            problems.append(f"{name}: no function {invoke['function']}")
        elif invoke.get("return", "") not in ("", *function["outputs"]["properties"]):
            problems.append(f"{name}: {invoke['function']} returns no {invoke['return']}")
    return problems


def _closing(text: str, start: int, pair: str) -> int:
    """The index of the bracket closing the ``pair[0]`` at ``start`` of ``text``."""
    depth = 0
    for end in range(start, len(text)):
        depth += {pair[0]: 1, pair[1]: -1}.get(text[end], 0)
        if depth == 0:
            return end
    raise ValueError(f"unbalanced {pair} in {text[start:]!r}")


def _calls(source: str, callee: str) -> Iterator[tuple[str, str]]:
    """``(name, the argument list's text)`` of each ``callee<name>(...)`` call in ``source``."""
    for match in re.finditer(re.escape(callee) + r"(\w+)\(", source):
        start = match.end() - 1
        yield match.group(1), source[start + 1 : _closing(source, start, "()")]


def _args_object(arguments: str) -> str:
    """A resource's args: the first object literal of its argument list (the options, third,
    are not the schema's)."""
    start = arguments.index("{")
    return arguments[start : _closing(arguments, start, "{}") + 1]


def _keys(literal: str, depth: int) -> set[str]:
    """Property names written at brace depth ``depth`` of an object literal (shorthand too):
    a word right after ``{`` or ``,`` and before ``:``, ``,`` or ``}``, strings left out."""
    code = re.sub(r'"(?:[^"\\]|\\.)*"|`[^`]*`|\'[^\']*\'', '""', literal)
    tokens = re.findall(r"[{},:]|\w+|[^\s\w{},:]+", code)
    keys, level = set(), 0
    for i, text in enumerate(tokens):
        if text in "{}":
            level += 1 if text == "{" else -1
        elif (
            level == depth
            and re.fullmatch(r"\w+", text)
            and i > 0
            and tokens[i - 1] in ("{", ",")
            and i + 1 < len(tokens)
            and tokens[i + 1] in (":", ",", "}")
        ):
            keys.add(text)
    return keys


def typescript_resources(source: str) -> set[str]:
    """The ``avosms`` classes a TypeScript program instantiates."""
    return {name for name, _ in _calls(source, "new avosms.")}


def typescript_functions(source: str) -> set[str]:
    """The ``avosms`` functions a TypeScript program calls."""
    return {name for name, _ in _calls(source, "avosms.")} - typescript_resources(source)


def typescript_problems(source: str) -> list[str]:
    """What a TypeScript program uses of ``avosms`` that the schema lacks."""
    problems = []
    if f'from "{NODEJS_SDK}"' not in source:
        problems.append(f"does not import {NODEJS_SDK}")
    resources = list(_calls(source, "new avosms."))
    for name, call in resources:
        if name == "Provider":
            declared = SCHEMA["provider"]["inputProperties"]
        elif f"avosms:index:{name}" in SCHEMA["resources"]:
            declared = SCHEMA["resources"][f"avosms:index:{name}"]["inputProperties"]
        else:
            problems.append(f"no resource {name}")
            continue
        args = _args_object(call)
        problems += [f"{name}.{k}: no such input" for k in _keys(args, 1) - set(declared)]
        if name == "ContactListMembers":
            problems += [f"{name}.members: no field {k}" for k in _keys(args, 2) - MEMBER_FIELDS]
    instantiated = {name for name, _ in resources}
    for name, _ in _calls(source, "avosms."):
        if name not in instantiated and f"avosms:index:{name}" not in SCHEMA["functions"]:
            problems.append(f"no function {name}")
    return problems
