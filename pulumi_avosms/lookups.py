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

from typing import TYPE_CHECKING, Any

import pulumi

from . import _runtime
from ._accounts import ACCOUNTS, accounts_from_config
from ._model import ContactListInfo
from .client.replies import match_name
from .config import SETTINGS, ProviderSettings, settings_from_config
from .errors import APIError, ContactListLookupError, NotFoundError, ValidationError
from .validation import normalize_list_id

if TYPE_CHECKING:
    from .client import AvoSMSClient

__all__ = ["get_contact_list", "get_contact_list_output", "get_contact_lists"]


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
        raise ValidationError(f"get_contact_list: name must be a non-empty string, got {name!r}")
    lists = _listing(client, f"named {name!r}", name=name)
    matches = match_name(lists, name)  # the client's rule for "the list of that name"
    if len(matches) == 1:
        return matches[0]
    if not matches:
        # match_name answers no list for several loose matches: name them.
        folded = name.strip().casefold()
        matches = [info for info in lists if info.name.strip().casefold() == folded]
    if matches:
        ids = tuple(info.list_id for info in matches)
        raise ContactListLookupError(
            f"{len(ids)} contact lists of the AvoSMS account are named {name!r} "
            f"(IDs {', '.join(ids)}); look one up by ID instead: "
            f"get_contact_list(list_id={ids[0]!r})",
            name=name,
            matches=ids,
        )
    raise ContactListLookupError(
        f"No contact list named {name!r} in the AvoSMS account"
        f" ({_known(lists)}). Names compare exactly, else ignoring case and surrounding spaces.",
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
    config = pulumi.Config("avosms")
    values = {key: config.get(key.partition(":")[2]) for key, _env in SETTINGS}
    # A structured value: pulumi.Config hands it over as JSON text, as the engine does.
    values[ACCOUNTS] = config.get(ACCOUNTS.partition(":")[2])
    known = {key: value for key, value in values.items() if value is not None}
    settings = settings_from_config(known)
    if account is None:
        return settings
    return accounts_from_config(known, settings).settings(account)


# -- helpers -------------------------------------------------------------------------------


def _list_id(value: Any) -> str:
    try:
        return normalize_list_id(value)
    except ValidationError as err:
        raise ValidationError(f"get_contact_list: list_id {err}") from None


def _listing(client: AvoSMSClient, what: str, *, name: str | None = None) -> list[ContactListInfo]:
    try:
        # Fresh: a lookup answers for the account as it is now, not as a cached listing was.
        return list(client.list_lists())
    except APIError as err:
        raise ContactListLookupError(
            f"Could not look up the contact lists {what}: {err}", name=name, api_error=err
        ) from None


def _by_id(client: AvoSMSClient, list_id: str) -> ContactListInfo:
    for info in _listing(client, f"to find ID {list_id}"):
        if info.list_id == list_id:
            return info
    # Not in the listing: only `information` tells a list created meanwhile from no list.
    try:
        detail = client.get_list(list_id)
    except NotFoundError:
        raise ContactListLookupError(
            f"No contact list with ID {list_id} in the AvoSMS account", list_id=list_id
        ) from None
    except APIError as err:
        raise ContactListLookupError(
            f"Could not look up contact list {list_id}: {err}", list_id=list_id, api_error=err
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


def _known(lists: list[ContactListInfo]) -> str:
    """The lists there are, for a not-found message (a few names, then a count)."""
    if not lists:
        return "it has no lists"
    shown = ", ".join(f"{info.name!r} ({info.list_id})" for info in lists[:5])
    more = f" and {len(lists) - 5} more" if len(lists) > 5 else ""
    return f"it has {shown}{more}"
