"""The Pulumi Python language host's rule for which installed packages need a plugin.

A faithful port, for tests, of ``isPulumiPackage``, ``readPulumiPluginJSON``,
``determinePulumiPackages``, ``determinePackageDependency`` and ``determinePluginVersion`` in
pulumi/pulumi ``sdk/python/cmd/pulumi-language-python/main.go`` (read at commit
27c845d92e36a4ff46fe693740b7f9adea247028; older releases call the last-but-one function
``determinePluginDependency``), with ``LoadPulumiPluginJSON`` and ``PulumiPluginJSON`` of
``sdk/go/common/resource/plugin/plugin.go``. At each ``pulumi up`` the host lists the
program's environment with ``python -m pip list -v --format json``, keeps the packages named
``pulumi_*``/``pulumi-*`` or shipping ``<module>/pulumi-plugin.json``, and asks the engine
to install a resource plugin for each, unless that file says ``"resource": false``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: ``packagesWithoutPlugins``: known to need no plugin, skipped by name.
PACKAGES_WITHOUT_PLUGINS = frozenset(
    {"pulumi-policy", "pulumi_policy", "pulumi-esc-sdk", "pulumi_esc_sdk"}
)


class PluginJSONError(Exception):
    """``pulumi-plugin.json`` exists but Go's ``json.Unmarshal`` would refuse it."""


@dataclass(frozen=True)
class PackageDependency:
    """``pulumirpc.PackageDependency``: the plugin the host asks the engine for."""

    name: str
    version: str
    kind: str = "resource"
    server: str = ""


def parse_pip_list(output: str) -> list[dict[str, Any]]:
    """The first JSON value of pip's output (Go's ``json.Decoder``: a trailer is ignored)."""
    value, _ = json.JSONDecoder().raw_decode(output.lstrip())
    return list(value)


def _field(obj: dict[str, Any], name: str) -> Any:
    # encoding/json matches object keys to struct fields exactly first, else ignoring case.
    if name in obj:
        return obj[name]
    for key, value in obj.items():
        if key.lower() == name.lower():
            return value
    return None


def read_pulumi_plugin_json(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """``readPulumiPluginJSON``: ``<location>/<name with - as _>/pulumi-plugin.json``, parsed."""
    module = str(pkg.get("name", "")).replace("-", "_")
    path = Path(str(pkg.get("location", ""))) / module / "pulumi-plugin.json"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise PluginJSONError(f"{path}: {err}") from err
    if data is None:  # JSON null leaves the struct at its zero value
        data = {}
    if not isinstance(data, dict):
        raise PluginJSONError(f"{path}: not an object")
    plugin: dict[str, Any] = {}
    for name, kind, zero in (
        ("resource", bool, False),
        ("name", str, ""),
        ("version", str, ""),
        ("server", str, ""),
    ):
        value = _field(data, name)
        if value is None:
            value = zero
        elif not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise PluginJSONError(f"{path}: {name} is {value!r}")
        plugin[name] = value
    return plugin


def is_pulumi_package(pkg: dict[str, Any]) -> bool:
    """``isPulumiPackage``: ships a readable pulumi-plugin.json, or is named pulumi_*/pulumi-*."""
    try:
        if read_pulumi_plugin_json(pkg) is not None:
            return True
    except PluginJSONError:
        pass
    name = str(pkg.get("name", ""))
    return name.startswith("pulumi_") or name.startswith("pulumi-")


def determine_plugin_version(package_version: str) -> str:
    """``determinePluginVersion``: a PEP 440 version as a plugin version; ValueError if not."""
    if not package_version:
        raise ValueError("cannot parse empty string")
    if not package_version.isascii():
        raise ValueError("not ascii")

    def parse_number(text: str) -> tuple[str, str]:
        index = 0
        while index < len(text) and "0" <= text[index] <= "9":
            index += 1
        return text[:index], text[index:]

    number, maybe_epoch = parse_number(package_version)
    if number and maybe_epoch.startswith("!"):
        raise ValueError("epochs are not supported")
    segments: list[str] = []
    rest = package_version
    found_dot = False
    while True:
        number, rest = parse_number(rest)
        if not number:
            break
        found_dot = False
        segments.append(number)
        if rest.startswith("."):
            rest = rest[1:]
            found_dot = True
        else:
            break
    if found_dot:
        rest = "." + rest
    while len(segments) < 3:
        segments.append("0")
    if rest == "":
        return ".".join(segments)
    pre = ""
    if rest[0] == "a":
        pre, rest = parse_number(rest[1:])
        pre = "-alpha." + pre
    elif rest[0] == "b":
        pre, rest = parse_number(rest[1:])
        pre = "-beta." + pre
    elif rest.startswith("rc"):
        pre, rest = parse_number(rest[2:])
        pre = "-rc." + pre
    post = ""
    if rest.startswith(".post"):
        post, rest = parse_number(rest[5:])
        post = "+post" + post
    dev = ""
    if rest.startswith(".dev"):
        dev, rest = parse_number(rest[4:])
        dev = ("" if post else "+") + "dev" + dev
    if rest:
        raise ValueError(f"{rest!r} still unparsed")
    return ".".join(segments) + pre + post + dev


def determine_package_dependency(pkg: dict[str, Any]) -> PackageDependency | None:
    """``determinePackageDependency``: the plugin ``pkg`` needs, or None (an error raises)."""
    plugin = read_pulumi_plugin_json(pkg)
    name = version = server = ""
    if plugin is not None:
        if not plugin["resource"]:
            return None  # "the Pulumi package has indicated that there is no associated plugin"
        name, version, server = plugin["name"], plugin["version"], plugin["server"]
    if not name:
        package_name = str(pkg.get("name", ""))
        name = (
            package_name[len("pulumi-") :] if package_name.startswith("pulumi-") else package_name
        )
    if not version:
        try:
            version = determine_plugin_version(str(pkg.get("version", "")))
        except ValueError:
            return None
    if not version.startswith("v"):
        version = "v" + version
    return PackageDependency(name=name, version=version, server=server)


def required_plugins(pip_list_output: str) -> list[PackageDependency]:
    """What the host asks the engine to install for an environment with this pip listing."""
    found = []
    for pkg in parse_pip_list(pip_list_output):
        if not is_pulumi_package(pkg) or pkg.get("name") in PACKAGES_WITHOUT_PLUGINS:
            continue
        dependency = determine_package_dependency(pkg)
        if dependency is not None:
            found.append(dependency)
    return found
