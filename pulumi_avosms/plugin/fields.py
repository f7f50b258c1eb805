"""The plugin's field tables: one row per property, from which the schema and the name mapping
come.

Each resource's behaviour is its dynamic provider's (``ContactListProvider`` ...); this module
only says how its Python property names (``country_code``) are spelled in the schema every
other language reads (``countryCode``), what type each has there and what it means. A new
input or output of a dynamic provider needs one row here, nothing else: :func:`to_schema_names`
and :func:`to_python_names` rename every property found in a table, at any depth (the
members of a ``ContactListMembers`` too), and leave every other key (phone numbers keying the
member map, account names) as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import config as _config
from .._accounts import ACCOUNTS

PACKAGE = "avosms"

#: Schema types, spelled once.
STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}
NUMBER: dict[str, Any] = {"type": "number"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}


def ref(name: str) -> dict[str, Any]:
    """A reference to the object type ``name`` of this package (``avosms:index:<name>``)."""
    return {"$ref": f"#/types/{PACKAGE}:index:{name}"}


def camel(name: str) -> str:
    """``country_code`` -> ``countryCode``: how a Python property is spelled in the schema."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class Field:
    """One property of a resource, function or object type.

    ``name`` is the Python spelling (the dynamic provider's); ``type`` the schema type of the
    output (and of the input, unless ``input_type`` differs). ``input``/``output`` say where it
    appears; ``required`` that an input must be given; ``secret`` that Pulumi always encrypts
    it; ``replaces`` that changing it replaces the resource (told in the description). In an
    object type or a function's result, ``required`` says the field is always there.
    """

    name: str
    type: dict[str, Any]
    description: str
    input: bool = True
    output: bool = True
    required: bool = False
    secret: bool = False
    replaces: bool = False
    input_type: dict[str, Any] | None = None
    #: An output that may be absent or null after a step (else every step sets it).
    optional_output: bool = False

    @property
    def schema_name(self) -> str:
        """The schema spelling (camelCase)."""
        return camel(self.name)


@dataclass(frozen=True)
class ResourceSpec:
    """A resource of the plugin: its token, the dynamic provider that serves it, its fields.

    ``provider`` is the import path of the dynamic provider class (loaded on first use, so
    that the schema can be built without loading the client). ``id_form`` is what
    ``pulumi import`` takes as ID; ``import_example`` one such ID.
    """

    token: str
    provider: str
    description: str
    fields: tuple[Field, ...]
    id_form: str
    import_example: str

    @property
    def name(self) -> str:
        """The type's name without package and module (``ContactList``)."""
        return self.token.rsplit(":", 1)[1]


@dataclass(frozen=True)
class FunctionSpec:
    """A function (invoke) of the plugin: its token, arguments and result fields."""

    token: str
    description: str
    inputs: tuple[Field, ...]
    outputs: tuple[Field, ...]


@dataclass(frozen=True)
class ObjectType:
    """An object type of the schema (``avosms:index:<name>``)."""

    name: str
    description: str
    fields: tuple[Field, ...] = field(default=())


_ACCOUNT_FIELD_DESCRIPTION = (
    "The named account of the provider's `accounts` setting the {what} is in; without it, the "
    "provider's own account. A change to another AvoSMS account replaces the {what}; another "
    "name for the same account (the same name in another case, or the same API ID and "
    "endpoint) is an update that changes nothing in AvoSMS. (With the plugin, an explicit "
    "provider per account does the same.)"
)


def _account(what: str) -> Field:
    return Field(
        "account",
        STRING,
        _ACCOUNT_FIELD_DESCRIPTION.format(what=what),
        # Not `replaces`: whether it replaces depends on the credentials (the description says).
        optional_output=True,
    )


# -- object types ------------------------------------------------------------------------

_CONTACT_FIELDS = (
    Field("civility", STRING, "Civility or title, as given (AvoSMS documents no set of values)."),
    Field("first_name", STRING, "First name."),
    Field("last_name", STRING, "Last name (AvoSMS's `contactName`)."),
    Field(
        "email",
        STRING,
        "E-mail address (`local@domain.tld`); stored with the domain in lower case.",
    ),
    Field("birthday", STRING, "Birthday as `YYYY-MM-DD` (`DD/MM/YYYY` is accepted)."),
    Field("other", STRING, "Free-text field (AvoSMS's `contactOther`)."),
)

MEMBER = ObjectType(
    "Member",
    "One contact of a `ContactListMembers`: its number and optional fields.",
    (
        Field(
            "phone_number",
            STRING,
            "The phone number in international form (`+33 6 12 34 56 78`); the member's key.",
            required=True,
        ),
        *_CONTACT_FIELDS,
    ),
)

LIST_INFO = ObjectType(
    "ContactListInfo",
    "A contact list as AvoSMS describes it.",
    (
        Field("list_id", STRING, "The AvoSMS ID of the list.", required=True),
        Field("name", STRING, "The list's name.", required=True),
        Field(
            "country_code", STRING, "ISO 3166-1 alpha-2 code of the list's country.", required=True
        ),
        Field("country_name", STRING, "The country's name as AvoSMS reports it.", required=True),
        Field("contact_count", INTEGER, "How many contacts the list holds.", required=True),
        Field(
            "created_at",
            STRING,
            "Creation time as AvoSMS reports it (`YYYY-MM-DD HH:MM:SS`), when it does.",
        ),
    ),
)

ACCOUNT = ObjectType(
    "Account",
    "The credentials of a named account (see the `accounts` setting).",
    (
        Field("api_id", STRING, "The account's API ID (its e-mail address).", required=True),
        Field("api_key", STRING, "The account's API key.", required=True, secret=True),
        Field("endpoint", STRING, "The account's endpoint, if not the provider's."),
    ),
)

OBJECT_TYPES = (MEMBER, LIST_INFO, ACCOUNT)

# -- the provider's configuration --------------------------------------------------------

#: Description of each setting of :mod:`pulumi_avosms.config` (keyed by its config key).
_SETTING_DESCRIPTIONS = {
    _config.API_ID: ("The AvoSMS account identifier (its e-mail address). Required.", STRING),
    _config.API_KEY: (
        "The AvoSMS API key. Required; set it as a secret (`pulumi config set --secret "
        "avosms:apiKey`). It never reaches the state, a URL, a log line or an error.",
        STRING,
    ),
    _config.ENDPOINT: (
        "The API base URL (default `https://api.avosms.com/v1`), or `emulator` for the "
        "emulator built into the provider (its demo account; no credentials needed).",
        STRING,
    ),
    _config.TIMEOUT: ("Read timeout of one HTTP attempt, in seconds (default 30).", NUMBER),
    _config.CONNECT_TIMEOUT: (
        "How long opening a connection may take, in seconds (default 5).",
        NUMBER,
    ),
    _config.MAX_RETRIES: ("Resends after a transient failure, per API call (default 4).", INTEGER),
    _config.RETRY_TIMEOUT: (
        "A hard bound on one API call with its retries, in seconds (default 60).",
        NUMBER,
    ),
    _config.MAX_CONCURRENCY: (
        "API calls one ContactListMembers step makes at once (default 8).",
        INTEGER,
    ),
    _config.EMULATOR_STATE: (
        "The embedded emulator's SQLite file (default `.avosms/emulator.sqlite3`, relative to "
        "the project).",
        STRING,
    ),
}


def _setting_field(keys: tuple[str, str]) -> Field:
    description, type_ = _SETTING_DESCRIPTIONS[keys]
    return Field(
        keys[0].partition(":")[2],
        type_,
        f"{description} Environment variable: `{keys[1]}`.",
        secret=keys == _config.API_KEY,
    )


#: The provider's settings: the table of :mod:`pulumi_avosms.config`, then the named accounts.
CONFIG_FIELDS: tuple[Field, ...] = (
    *(_setting_field(keys) for keys in _config.SETTINGS),
    Field(
        ACCOUNTS.partition(":")[2],
        {"type": "object", "additionalProperties": ref(ACCOUNT.name)},
        "Named accounts, by name: each one's `apiId`, `apiKey` and optional `endpoint`; a "
        "resource's `account` input selects one. Environment: `AVOSMS_<NAME>_API_ID`, "
        "`AVOSMS_<NAME>_API_KEY`, `AVOSMS_<NAME>_ENDPOINT`.",
    ),
)

# -- resources ---------------------------------------------------------------------------

CONTACT_LIST = ResourceSpec(
    token=f"{PACKAGE}:index:ContactList",
    provider="pulumi_avosms.contact_list:ContactListProvider",
    description=(
        "An AvoSMS contact list. `name` updates in place; a `countryCode` change replaces the "
        "list (AvoSMS cannot change a list's country). AvoSMS has no API to delete a list: "
        "`pulumi destroy` leaves it in the account and says so."
    ),
    fields=(
        Field(
            "list_id", STRING, "The AvoSMS ID of the list (also the resource's ID).", input=False
        ),
        Field("name", STRING, "The list's name, unique in the account.", required=True),
        Field(
            "country_code",
            STRING,
            "ISO 3166-1 alpha-2 code of the list's country (`FR`); stored in upper case.",
            required=True,
            replaces=True,
        ),
        Field(
            "country_name",
            STRING,
            "The country's name as AvoSMS reports it (empty until read back).",
            input=False,
            optional_output=True,
        ),
        Field(
            "contact_count",
            INTEGER,
            "Number of contacts in the list at the last create, update or refresh.",
            input=False,
        ),
        Field(
            "created_at",
            STRING,
            "Creation time as AvoSMS reports it (`YYYY-MM-DD HH:MM:SS`).",
            input=False,
            optional_output=True,
        ),
        _account("list"),
    ),
    id_form="<list id>",
    import_example="1234",
)

CONTACT = ResourceSpec(
    token=f"{PACKAGE}:index:Contact",
    provider="pulumi_avosms.contact:ContactProvider",
    description=(
        "A contact (a phone number and its details) in an AvoSMS contact list. A change of "
        "`listId` or `phoneNumber` replaces the contact; any other field is updated in place. "
        'Optional fields left out are empty in AvoSMS and `""` in outputs. The state holds '
        "exactly these inputs, normalised: whoever reads the state reads them."
    ),
    fields=(
        Field(
            "list_id",
            STRING,
            "The AvoSMS ID of the contact's list (a ContactList's `listId`).",
            required=True,
            replaces=True,
        ),
        Field(
            "phone_number",
            STRING,
            "The phone number in international form (`+33 6 12 34 56 78`); stored in E.164.",
            required=True,
            replaces=True,
        ),
        *_CONTACT_FIELDS,
        _account("contact's list"),
    ),
    id_form="<list id>/<phone number in E.164>",
    import_example="1234/+33612345678",
)

CONTACT_LIST_MEMBERS = ResourceSpec(
    token=f"{PACKAGE}:index:ContactListMembers",
    provider="pulumi_avosms.contact_list_members:ContactListMembersProvider",
    description=(
        "Every contact of one AvoSMS list, declared as one resource. With `exclusive` (the "
        "default) contacts of the list that are not declared are drift, removed by `pulumi "
        "up`; with `exclusive: false` they are left alone. Each step reads the list once and "
        "makes one call per number that differs, `maxConcurrency` at once. Do not also manage "
        "the list's contacts with `Contact` resources while exclusive."
    ),
    fields=(
        Field(
            "list_id",
            STRING,
            "The AvoSMS ID of the list (a ContactList's `listId`).",
            required=True,
            replaces=True,
        ),
        Field(
            "members",
            {"type": "object", "additionalProperties": STRING},
            "Input: the declared contacts. Output: a fingerprint of each member's fields by "
            "E.164 number (the fields themselves are stored once, in the inputs).",
            required=True,
            input_type={"type": "array", "items": ref(MEMBER.name)},
        ),
        Field(
            "exclusive",
            BOOLEAN,
            "Whether contacts of the list that are not declared are removed (default true).",
        ),
        Field(
            "remove_undeclared_on_create",
            BOOLEAN,
            "An exclusive create refuses a list that already holds contacts `members` does "
            "not declare, unless this is true: they are then removed by the create (default "
            "false). Adopting the list with the `import` option takes it as it is instead.",
            output=False,
        ),
        Field(
            "undeclared",
            {"type": "array", "items": STRING},
            "Numbers a refresh found in the list that the program does not declare "
            "(exclusive mode): the next `pulumi up` removes them, as its preview lists.",
            input=False,
            optional_output=True,
        ),
        Field("member_count", INTEGER, "How many members the state holds.", input=False),
        Field(
            "contact_count",
            INTEGER,
            "How many contacts the list holds, as of the last step.",
            input=False,
        ),
        _account("list"),
    ),
    id_form="<list id>",
    import_example="1234",
)

RESOURCES = (CONTACT_LIST, CONTACT, CONTACT_LIST_MEMBERS)

# -- functions ---------------------------------------------------------------------------

_LOOKUP_ACCOUNT = Field(
    "account", STRING, "A named account of the provider's `accounts` setting (default: its own)."
)

GET_CONTACT_LIST = FunctionSpec(
    token=f"{PACKAGE}:index:getContactList",
    description=(
        "The contact list named `name`, or of ID `listId` (give exactly one): a list managed "
        "elsewhere (the console, another stack). Names compare exactly, else ignoring case "
        "and surrounding spaces; several matches fail with their IDs."
    ),
    inputs=(
        Field("name", STRING, "The list's name."),
        Field("list_id", STRING, "The list's AvoSMS ID."),
        _LOOKUP_ACCOUNT,
    ),
    outputs=LIST_INFO.fields,
)

GET_CONTACT_LISTS = FunctionSpec(
    token=f"{PACKAGE}:index:getContactLists",
    description="Every contact list of the AvoSMS account, in the order AvoSMS lists them.",
    inputs=(_LOOKUP_ACCOUNT,),
    outputs=(
        Field(
            "lists",
            {"type": "array", "items": ref(LIST_INFO.name)},
            "The account's lists.",
            required=True,
        ),
    ),
)

FUNCTIONS = (GET_CONTACT_LIST, GET_CONTACT_LISTS)

# -- the name mapping --------------------------------------------------------------------


def _renamed_fields() -> list[Field]:
    # What crosses between the engine and a dynamic provider; the settings are read by
    # their schema names (config.py's table spells them so), never renamed.
    rows: list[Field] = []
    for resource in RESOURCES:
        rows += resource.fields
    for function in FUNCTIONS:
        rows += [*function.inputs, *function.outputs]
    for object_type in (MEMBER, LIST_INFO):
        rows += object_type.fields
    return rows


_TO_SCHEMA = {row.name: row.schema_name for row in _renamed_fields()}
_TO_PYTHON = {schema: python for python, schema in _TO_SCHEMA.items()}
_WORDS = re.compile(r"\b(" + "|".join(sorted(n for n in _TO_SCHEMA if "_" in n)) + r")\b")


def _rename(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {names.get(k, k): _rename(v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rename(v, names) for v in value]
    return value


def to_schema_names(value: Any) -> Any:
    """``value`` with every property of the tables renamed to its schema spelling, at any
    depth; other keys (phone numbers, account names) unchanged."""
    return _rename(value, _TO_SCHEMA)


def to_python_names(value: Any) -> Any:
    """The reverse of :func:`to_schema_names`: what a dynamic provider reads."""
    return _rename(value, _TO_PYTHON)


def schema_name(python_name: str) -> str:
    """The schema spelling of one property name (unchanged when no table has it)."""
    return _TO_SCHEMA.get(python_name, python_name)


#: Python spellings in messages, and how any language's user reads them.
_IMPORT_OPTION = re.compile(
    r"(?:opts=)?(?:pulumi\.)?ResourceOptions\(import_=(['\"]?)([^'\")]*)\1\)"
)
_PYTHON_WORDS = (
    (re.compile(r"\bimport_\b"), "import"),
    (re.compile(r"=True\b"), "=true"),
    (re.compile(r"=False\b"), "=false"),
)


def language_neutral(text: str) -> str:
    """A message of the core (written for Python programs) as any language's user reads it:
    schema property names, the ``import`` resource option instead of ``opts=...(import_=)``,
    ``true``/``false``."""
    text = _IMPORT_OPTION.sub(lambda match: f'the import resource option "{match.group(2)}"', text)
    for pattern, word in _PYTHON_WORDS:
        text = pattern.sub(word, text)
    return schema_words(text)


def schema_words(text: str) -> str:
    """``text`` with the Python property names in it spelled as the schema does (a check
    failure's reason names the property the user wrote)."""
    return _WORDS.sub(lambda match: _TO_SCHEMA[match.group(1)], text)
