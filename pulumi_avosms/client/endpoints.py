"""The AvoSMS endpoints the client calls, and the default API URL: each named once here.

Plain constants (no requests): the settings and the error mapping import them too, and the
one rule every base URL obeys wherever it is set (:func:`refuse_key_in_endpoint`).
"""

from __future__ import annotations

from collections.abc import Iterable

from .._text import holds_secret
from ..errors import ConfigurationError

DEFAULT_ENDPOINT = "https://api.avosms.com/v1"


def refuse_key_in_endpoint(
    endpoint: str, setting: str, api_keys: Iterable[tuple[str, str]]
) -> None:
    """Refuse a base URL that holds one of ``api_keys`` (``(where it is set, key)``).

    Anywhere (host, user info, path, query), in any case, percent-encoded or not: a URL is
    quoted in errors and logs and seen by proxies, so a key in it would leak there. The
    message names ``setting`` and where the key is set, never a value.
    """
    for where, key in api_keys:
        if key and holds_secret(endpoint, key):
            raise ConfigurationError(
                f"{setting} contains the API key set in {where}; a URL is shown in errors "
                "and logs and seen by proxies, so the key would leak there. Set the endpoint "
                f"to the API's base URL (such as {DEFAULT_ENDPOINT}) and the key only in {where}."
            )


CREATE_LIST = "contact/list/create"
LIST_INFORMATION = "contact/list/information"
LIST_LISTS = "contact/list"
RENAME_LIST = "contact/list/rename"
ADD_CONTACT = "contact/add"
UPDATE_CONTACT = "contact/update"
DELETE_CONTACT = "contact/delete"

#: Every endpoint the client calls.
ALL_ENDPOINTS = (
    CREATE_LIST,
    LIST_INFORMATION,
    LIST_LISTS,
    RENAME_LIST,
    ADD_CONTACT,
    UPDATE_CONTACT,
    DELETE_CONTACT,
)
#: Endpoints that change nothing: any failure may simply be retried.
READ_ENDPOINTS = frozenset({LIST_INFORMATION, LIST_LISTS})

#: Each contact field (``_model.CONTACT_FIELDS``, in that order) as AvoSMS spells it:
#: (request parameter, reply key). AvoSMS's "name" is the family name.
CONTACT_FIELD_NAMES = {
    "civility": ("contactCivility", "contact_civility"),
    "first_name": ("contactFirstName", "contact_first_name"),
    "last_name": ("contactName", "contact_name"),
    "email": ("contactEmail", "contact_email"),
    "birthday": ("contactBirthday", "contact_birthday"),
    "other": ("contactOther", "contact_other"),
}
