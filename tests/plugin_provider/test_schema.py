"""The plugin's schema: valid against Pulumi's metaschema, and written for its readers.

The metaschema is pulumi/pulumi's ``pkg/codegen/schema/pulumi.json``, vendored in
tests/fixtures/pulumi-metaschema (SOURCE.md says from which commit).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pulumi_avosms import config
from pulumi_avosms.contact_list_rules import OUTPUT_PROPERTIES as LIST_OUTPUTS
from pulumi_avosms.contact_rules import OUTPUT_PROPERTIES as CONTACT_OUTPUTS
from pulumi_avosms.plugin.fields import (
    CONTACT,
    CONTACT_LIST,
    RESOURCES,
    camel,
    language_neutral,
    schema_words,
    to_python_names,
    to_schema_names,
)
from pulumi_avosms.plugin.schema import package_schema

METASCHEMA = Path(__file__).parents[1] / "fixtures" / "pulumi-metaschema" / "pulumi.json"
SCHEMA = package_schema("0.2.0")


def _properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every property spec of the schema, with where it is."""
    found = [(f"config.{k}", v) for k, v in schema["config"]["variables"].items()]
    for token, spec in {**schema["resources"], **schema["types"]}.items():
        for part in ("properties", "inputProperties"):
            found += [(f"{token}.{part}.{k}", v) for k, v in spec.get(part, {}).items()]
    for token, spec in schema["functions"].items():
        for part in ("inputs", "outputs"):
            found += [(f"{token}.{part}.{k}", v) for k, v in spec[part]["properties"].items()]
    return found


def _metaschema() -> dict[str, Any]:
    # Its patterns are ECMA-262, as JSON Schema says; the only construct Python's re spells
    # differently is the named group, (?<name>...) there, (?P<name>...) here.
    text = re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", METASCHEMA.read_text(encoding="utf-8"))
    return json.loads(text)  # type: ignore[no-any-return]


def test_the_schema_is_valid_against_pulumis_metaschema() -> None:
    metaschema = _metaschema()
    jsonschema.Draft202012Validator.check_schema(metaschema)
    errors = [e.message for e in jsonschema.Draft202012Validator(metaschema).iter_errors(SCHEMA)]
    assert errors == []


def test_the_metaschema_check_catches_a_broken_schema() -> None:
    metaschema = _metaschema()
    broken = {**SCHEMA, "name": "avo sms", "resources": {"avosms:index:X": {"properties": 3}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, metaschema, cls=jsonschema.Draft202012Validator)


def test_every_property_has_a_description_and_every_reference_resolves() -> None:
    for where, spec in _properties(SCHEMA):
        assert spec.get("description", "").strip(), where
        for ref in re.findall(r'"\$ref": "#/types/([^"]+)"', json.dumps(spec)):
            assert ref in SCHEMA["types"], where


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_each_resource_shows_typescript_yaml_and_how_to_import(resource: Any) -> None:
    description = SCHEMA["resources"][resource.token]["description"]
    assert "```typescript\n" in description and "```yaml\n" in description
    assert "{{% examples %}}" in description and "{{% /examples %}}" in description
    assert "\n## Import\n" in description
    assert f"pulumi import {resource.token} " in description


def test_sdk_names_do_not_collide_with_this_package() -> None:
    language = SCHEMA["language"]
    assert language["python"]["packageName"] not in ("pulumi_avosms", "pulumi-avosms")
    assert language["nodejs"]["packageName"] != "pulumi-avosms"


def test_the_configuration_is_the_settings_table_with_a_secret_key() -> None:
    variables = SCHEMA["config"]["variables"]
    expected = {key.partition(":")[2] for key, _env in config.SETTINGS} | {"accounts"}
    assert set(variables) == expected
    assert SCHEMA["provider"]["inputProperties"] == variables
    assert [name for name, spec in variables.items() if spec.get("secret")] == ["apiKey"]
    for key, env in config.SETTINGS:
        assert env in variables[key.partition(":")[2]]["description"]


def test_the_outputs_the_rules_define_are_in_the_schema() -> None:
    """The field tables follow the dynamic providers' output lists (plus ``account``)."""
    for resource, outputs in ((CONTACT_LIST, LIST_OUTPUTS), (CONTACT, CONTACT_OUTPUTS)):
        declared = SCHEMA["resources"][resource.token]["properties"]
        assert {camel(name) for name in (*outputs, "account")} == set(declared), resource.token


def test_names_map_both_ways_and_leave_other_keys_alone() -> None:
    python = {
        "list_id": "7",
        "members": {"+33612345678": {"first_name": "Alice", "phone_number": "+33612345678"}},
        "country_code": "FR",
    }
    schema = to_schema_names(python)
    assert schema == {
        "listId": "7",
        "members": {"+33612345678": {"firstName": "Alice", "phoneNumber": "+33612345678"}},
        "countryCode": "FR",
    }
    assert to_python_names(schema) == python
    assert schema_words("list_id is required; a get_contact_list") == (
        "listId is required; a get_contact_list"
    )


def test_python_advice_is_spelled_for_any_language() -> None:
    """What the core writes for a Python program, as a TypeScript or YAML user reads it."""
    assert language_neutral(
        "adopt it: ContactList(..., country_code='FR', opts=pulumi.ResourceOptions(import_='12'))"
        ", or set remove_undeclared_on_create=True or exclusive=False; remove import_"
    ) == (
        "adopt it: ContactList(..., countryCode='FR', the import resource option \"12\")"
        ", or set removeUndeclaredOnCreate=true or exclusive=false; remove import"
    )
    assert language_neutral("(ResourceOptions(import_=<list id>))") == (
        '(the import resource option "<list id>")'
    )
