"""The plugin's Pulumi package schema, built from the field tables (:mod:`.fields`).

``package_schema()`` is what ``GetSchema`` answers and what ``pulumi package add`` turns into
an SDK for TypeScript, Go, C#, Java or Python; ``pulumi package get-schema <plugin dir>``
prints it. Every resource's description carries TypeScript and YAML examples and an
``## Import`` section.

The generated SDKs are named so that none collides with this package: Python
``pulumi_avosms_sdk`` (the module ``pulumi_avosms`` and the distribution ``pulumi-avosms``
are the dynamic provider's), Node.js ``pulumi-avosms-sdk``. They are generated on the user's
machine by ``pulumi package add`` and never published (docs/plugin.md).
"""

from __future__ import annotations

import json
from typing import Any

from .fields import (
    CONFIG_FIELDS,
    FUNCTIONS,
    OBJECT_TYPES,
    PACKAGE,
    RESOURCES,
    Field,
    ResourceSpec,
)

#: The generated SDKs' package names (see the module documentation).
PYTHON_SDK = "pulumi_avosms_sdk"
NODEJS_SDK = "pulumi-avosms-sdk"

#: Per resource: a TypeScript and a YAML example (the resource pages in docs/ show more).
_EXAMPLES: dict[str, tuple[str, str]] = {
    "ContactList": (
        """const newsletter = new avosms.ContactList("newsletter", {
    name: "Newsletter",
    countryCode: "FR",
});
export const listId = newsletter.listId;""",
        """resources:
  newsletter:
    type: avosms:ContactList
    properties:
      name: Newsletter
      countryCode: FR
outputs:
  listId: ${newsletter.listId}""",
    ),
    "Contact": (
        """const alice = new avosms.Contact("alice", {
    listId: newsletter.listId,
    phoneNumber: "+33 6 12 34 56 78",
    firstName: "Alice",
    email: "alice@example.com",
});""",
        """resources:
  alice:
    type: avosms:Contact
    properties:
      listId: ${newsletter.listId}
      phoneNumber: "+33 6 12 34 56 78"
      firstName: Alice
      email: alice@example.com""",
    ),
    "ContactListMembers": (
        """const oncallMembers = new avosms.ContactListMembers("oncall-members", {
    listId: oncall.listId,
    members: [
        { phoneNumber: "+33 6 12 34 56 78", firstName: "Alice" },
        { phoneNumber: "+33 7 98 76 54 32", firstName: "Bob" },
    ],
});""",
        """resources:
  oncall-members:
    type: avosms:ContactListMembers
    properties:
      listId: ${oncall.listId}
      members:
        - phoneNumber: "+33 6 12 34 56 78"
          firstName: Alice
        - phoneNumber: "+33 7 98 76 54 32"
          firstName: Bob""",
    ),
}


def _property(row: Field, type_: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {**type_, "description": row.description}
    if row.replaces:
        spec["description"] += " Changing it replaces the resource."
    if row.secret:
        spec["secret"] = True
    return spec


def _properties(rows: tuple[Field, ...], *, inputs: bool) -> dict[str, Any]:
    return {
        row.schema_name: _property(row, (row.input_type or row.type) if inputs else row.type)
        for row in rows
        if (row.input if inputs else row.output)
    }


def _description(resource: ResourceSpec) -> str:
    typescript, yaml = _EXAMPLES[resource.name]
    return (
        f"{resource.description}\n\n"
        "{{% examples %}}\n## Example Usage\n{{% example %}}\n"
        f"### {resource.name}\n\n"
        f'```typescript\nimport * as avosms from "{NODEJS_SDK}";\n\n{typescript}\n```\n'
        f"```yaml\n{yaml}\n```\n"
        "{{% /example %}}\n{{% /examples %}}\n\n"
        "## Import\n\n"
        f"Adopt an existing object by its ID, `{resource.id_form}`, without changing it:\n\n"
        f"```sh\n$ pulumi import {resource.token} <resource name> {resource.import_example}\n```\n"
    )


def _resource(resource: ResourceSpec) -> dict[str, Any]:
    return {
        "description": _description(resource),
        "properties": _properties(resource.fields, inputs=False),
        # Every output is set after a step (an unset optional field is "").
        "required": [
            row.schema_name for row in resource.fields if row.output and not row.optional_output
        ],
        "inputProperties": _properties(resource.fields, inputs=True),
        "requiredInputs": [row.schema_name for row in resource.fields if row.required],
    }


def package_schema(version: str) -> dict[str, Any]:
    """The package schema of the ``avosms`` plugin at ``version``."""
    config = _properties(CONFIG_FIELDS, inputs=True)
    return {
        "name": PACKAGE,
        "displayName": "AvoSMS",
        "version": version,
        "description": (
            "AvoSMS contact lists and contacts as code: the `avosms` provider plugin of the "
            "pulumi-avosms Python package, for every Pulumi language."
        ),
        "keywords": ["pulumi", "avosms", "sms", "contact-list"],
        "license": "Apache-2.0",
        "publisher": "pulumi-avosms contributors",
        "config": {"variables": config},
        "provider": {
            "description": (
                "The AvoSMS provider: one account's settings. Declare one explicit provider "
                "per account to manage several accounts in one program."
            ),
            "inputProperties": config,
        },
        "types": {
            f"{PACKAGE}:index:{object_type.name}": {
                "type": "object",
                "description": object_type.description,
                "properties": _properties(object_type.fields, inputs=False),
                "required": [row.schema_name for row in object_type.fields if row.required],
            }
            for object_type in OBJECT_TYPES
        },
        "resources": {resource.token: _resource(resource) for resource in RESOURCES},
        "functions": {
            function.token: {
                "description": function.description,
                "inputs": {"properties": _properties(function.inputs, inputs=True)},
                "outputs": {
                    "properties": _properties(function.outputs, inputs=False),
                    "required": [row.schema_name for row in function.outputs if row.required],
                },
            }
            for function in FUNCTIONS
        },
        "language": {
            "python": {"packageName": PYTHON_SDK},
            "nodejs": {"packageName": NODEJS_SDK},
        },
    }


def schema_json(version: str) -> str:
    """:func:`package_schema` as the JSON text ``GetSchema`` answers."""
    return json.dumps(package_schema(version), indent=2, sort_keys=True)
