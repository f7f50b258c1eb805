"""Look up contact lists managed elsewhere (the console, another stack) from a program.

```python
from pulumi_avosms import Contact, get_contact_list

newsletter = get_contact_list(name="Newsletter")
Contact("alice", list_id=newsletter.list_id, phone_number="+33 6 12 34 56 78")
```

Dynamic providers have no invoke, so these are plain functions: they call AvoSMS from the
program itself, with the settings the provider uses (``avosms:*`` stack config, then
``AVOSMS_*``; ``avosms:endpoint: emulator`` opens the same embedded emulator state file).
They are reads, so they run during ``pulumi preview`` too; each makes one ``contact/list``
call (plus ``contact/list/information`` for an ID the listing does not show). ``account``
names an account of ``avosms:accounts`` (docs/accounts.md), as on the resources.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pulumi

from . import _runtime
from ._accounts import ACCOUNTS, accounts_from_config
from ._model import ContactListInfo
from ._text import Known, holds_secret, message, safe_join
from .client.replies import match_name
from .config import API_KEY, SETTINGS, ProviderSettings, read_setting, settings_from_config
from .errors import (
    APIError,
    ConfigurationError,
    ContactListLookupError,
    NotFoundError,
    ValidationError,
)
from .validation import normalize_list_id

if TYPE_CHECKING:
    from .client import AvoSMSClient

__all__ = ["get_contact_list", "get_contact_list_output", "get_contact_lists"]

#: Said of a value instead of quoting it, when it holds a configured key.
KEY_IN_VALUE = "contains the AvoSMS API key configured for this stack"


def get_contact_list(
    *, name: str | None = None, list_id: str | int | None = None, account: str | None = None
) -> ContactListInfo:
    """The contact list named ``name``, or of ID ``list_id`` (give exactly one), in the
    stack's default account or the named ``account``.

    Names compare as the provider compares them when a name is taken: an exact match first,
    else the one list whose name matches ignoring case and surrounding spaces. Raises
    :class:`~pulumi_avosms.ContactListLookupError` when no list matches or a name matches
    several (their IDs are in the message and in ``matches``), or when AvoSMS cannot be
    asked (``api_error``); :class:`~pulumi_avosms.ValidationError` for bad arguments;
    :class:`~pulumi_avosms.ConfigurationError` for an ``account`` that is not configured.
    """
    if (name is None) == (list_id is None):
        raise ValidationError(
            "get_contact_list needs exactly one of name= or list_id=, got "
            + ("both" if name is not None else "neither")
        )
    client = _runtime.get_client(program_settings(account))
    if list_id is not None:
        return _by_id(client, _list_id(list_id))
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(
            message(
                "get_contact_list: name must be a non-empty string, got {name}",
                secrets=program_api_keys(),
                name=name,
            )
        )
    lists = _listing(client, "named {name}", name=name)
    matches = match_name(lists, name)  # the client's rule for "the list of that name"
    if len(matches) == 1:
        return matches[0]
    if not matches:
        # match_name answers no list for several loose matches: name them.
        folded = name.strip().casefold()
        matches = [info for info in lists if info.name.strip().casefold() == folded]
    secrets = program_api_keys()
    if matches:
        ids = tuple(info.list_id for info in matches)
        raise ContactListLookupError(
            message(
                "{count} contact lists of the AvoSMS account are named {name} (IDs {ids!s}); "
                "look one up by ID instead: get_contact_list(list_id={first})",
                secrets=secrets,
                count=len(ids),
                name=name,
                ids=safe_join(ids, secrets, template="{item!s}"),
                first=ids[0],
            ),
            name=name,
            matches=ids,
        )
    raise ContactListLookupError(
        message(
            "No contact list named {name} in the AvoSMS account ({known}). Names compare "
            "exactly, else ignoring case and surrounding spaces.",
            secrets=secrets,
            name=name,
            known=_known(lists, secrets),
        ),
        name=name,
    )


def get_contact_list_output(
    *,
    name: pulumi.Input[str] | None = None,
    list_id: pulumi.Input[str] | pulumi.Input[int] | None = None,
    account: pulumi.Input[str] | None = None,
) -> pulumi.Output[ContactListInfo]:
    """:func:`get_contact_list` for Inputs: an Output of the list, read once they are known.

    Its attributes are Outputs too (``get_contact_list_output(name=n).list_id``); a secret
    argument makes the result secret.
    """
    if (name is None) == (list_id is None):
        raise ValidationError(
            "get_contact_list_output needs exactly one of name= or list_id=, got "
            + ("both" if name is not None else "neither")
        )

    def look_up(args: list[Any]) -> ContactListInfo:
        return get_contact_list(name=args[0], list_id=args[1], account=args[2])

    return pulumi.Output.all(name, list_id, account).apply(look_up)


def get_contact_lists(account: str | None = None) -> list[ContactListInfo]:
    """Every contact list of the AvoSMS account (the default one, or the named ``account``),
    as the ``contact/list`` endpoint orders them."""
    return _listing(_runtime.get_client(program_settings(account)), "of the account")


def program_settings(account: str | None = None) -> ProviderSettings:
    """The provider's settings as the program sees them: ``avosms:*`` config, then ``AVOSMS_*``;
    those of the named ``account`` when given (``avosms:accounts``, ``AVOSMS_<NAME>_*``).

    The same resolution as ``AvoSMSProvider.configure`` applies to the config the engine
    hands the plugin; here the config comes from the program's ``pulumi.Config("avosms")``.
    """
    known = _program_config()
    settings = settings_from_config(known)
    if account is None:
        return settings
    return accounts_from_config(known, settings).settings(account)


def program_api_keys() -> list[str]:
    """Every API key the program's settings hold (the stack's and every account's), which no
    message built in the program may show. Never raises: with settings that cannot be read,
    the stack's key as set."""
    known = _program_config()
    try:
        return [
            key
            for _where, key in accounts_from_config(known, settings_from_config(known)).api_keys()
        ]
    except ConfigurationError:
        key = read_setting(known, os.environ, API_KEY)[0]
        return [key] if key else []


def holds_program_key(value: Any) -> bool:
    """Whether ``value`` (a string the program gave) holds one of :func:`program_api_keys`:
    its refusal must then not quote it, as a quote cut short could keep part of the key."""
    return isinstance(value, str) and any(holds_secret(value, k) for k in program_api_keys())


def refused_get_id(kind: str, resource_name: str, id_: Any, err: ValidationError) -> str:
    """The message of ``<kind>.get(resource_name, id_)`` refusing ``id_`` (``err`` says why),
    made safe: the program's name and ID may hold anything, the key included."""
    secrets = program_api_keys()
    why = KEY_IN_VALUE if holds_program_key(id_) else str(err)
    return message(
        f"{kind}.get({{name}}): id {{why}}", secrets=secrets, name=resource_name, why=Known(why)
    )


def _program_config() -> dict[str, Any]:
    """The ``avosms:*`` stack config the program sees, as the engine hands it to the plugin."""
    config = pulumi.Config("avosms")
    values = {key: config.get(key.partition(":")[2]) for key, _env in SETTINGS}
    # A structured value: pulumi.Config hands it over as JSON text, as the engine does.
    values[ACCOUNTS] = config.get(ACCOUNTS.partition(":")[2])
    return {key: value for key, value in values.items() if value is not None}


# -- helpers -------------------------------------------------------------------------------


def _list_id(value: Any) -> str:
    try:
        return normalize_list_id(value)
    except ValidationError as err:
        if holds_program_key(value):
            raise ValidationError(
                f"get_contact_list: list_id {KEY_IN_VALUE}; pass the list's ID (digits, such "
                "as '1234')"
            ) from None
        raise ValidationError(f"get_contact_list: list_id {err}") from None


def _listing(
    client: AvoSMSClient, what: str, *, name: str | None = None, list_id: str | None = None
) -> list[ContactListInfo]:
    """Every list of the account; ``what`` (a :func:`message` template that may quote
    ``{name}`` and ``{list_id}``) says which lookup failed."""
    try:
        # Fresh: a lookup answers for the account as it is now, not as a cached listing was.
        return list(client.list_lists())
    except APIError as err:
        raise ContactListLookupError(
            message(
                f"Could not look up the contact lists {what}: {{err}}",
                secrets=program_api_keys(),
                name=name,
                list_id=list_id,
                err=Known(str(err)),  # the client's message: made safe where it was built
            ),
            name=name,
            api_error=err,
        ) from None


def _by_id(client: AvoSMSClient, list_id: str) -> ContactListInfo:
    for info in _listing(client, "to find ID {list_id!s}", list_id=list_id):
        if info.list_id == list_id:
            return info
    # Not in the listing: only `information` tells a list created meanwhile from no list.
    try:
        detail = client.get_list(list_id)
    except NotFoundError:
        raise ContactListLookupError(
            message("No contact list with ID {id!s} in the AvoSMS account", id=list_id),
            list_id=list_id,
        ) from None
    except APIError as err:
        raise ContactListLookupError(
            message(
                "Could not look up contact list {id!s}: {err}", id=list_id, err=Known(str(err))
            ),
            list_id=list_id,
            api_error=err,
        ) from None
    # The list's contacts are personal data a lookup has no use for: they stay out.
    return ContactListInfo(
        list_id=detail.list_id,
        name=detail.name,
        country_code=detail.country_code,
        country_name=detail.country_name,
        contact_count=detail.contact_count,
        created_at=detail.created_at,
    )


def _known(lists: list[ContactListInfo], secrets: list[str]) -> Known:
    """The lists there are, for a not-found message (a few names, then a count); the names
    come from AvoSMS, so each is made safe."""
    if not lists:
        return Known("it has no lists")
    shown = safe_join(
        (message("{name} ({id!s})", secrets=secrets, name=i.name, id=i.list_id) for i in lists[:5]),
        secrets,
    )
    more = f" and {len(lists) - 5} more" if len(lists) > 5 else ""
    return Known(f"it has {shown}{more}")
