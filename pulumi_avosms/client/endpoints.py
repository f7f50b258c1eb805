"""The AvoSMS endpoints the client calls, and the default API URL: each named once here.

Plain constants (no requests): the settings and the error mapping import them too.
"""

from __future__ import annotations

DEFAULT_ENDPOINT = "https://api.avosms.com/v1"

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
