"""The AvoSMS API request layer: form body in, JSON reply out.

Thin on purpose: it maps documented parameter names to :class:`EmulatorBackend` calls and
backend results to documented field names. The rules (which error code when) live in
``backend.py``; transport behaviour (faults, latency, counters) lives in ``server.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from .backend import ApiError, EmulatorBackend

__all__ = [
    "API_PREFIX",
    "CONTACT_PARAMS",
    "ROUTES",
    "error_reply",
    "handle_api_call",
    "ok_reply",
    "parse_form",
]

#: Every API path is ``/v1/<endpoint>``.
API_PREFIX = "/v1/"

#: Documented optional contact parameters → backend field names.
CONTACT_PARAMS: dict[str, str] = {
    "contactCivility": "civility",
    "contactName": "last_name",
    "contactFirstName": "first_name",
    "contactEmail": "email",
    "contactBirthday": "birthday",
    "contactOther": "other",
}

Handler = Callable[[EmulatorBackend, str, Mapping[str, str]], dict[str, Any]]


def parse_form(body: bytes, content_type: str | None) -> dict[str, str]:
    """The form parameters of a request body.

    Blank values are kept (``listContactName=`` is an *empty* name, not a missing one —
    both must answer the "empty" error). A repeated parameter keeps its last value, as
    PHP's ``$_POST`` does. A body that is not ``application/x-www-form-urlencoded`` (JSON,
    say) yields no parameters — as PHP would see it — so the call fails with ERR_100.
    Parameters in the query string are ignored for the same reason.
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        return {}
    text = body.decode("utf-8", errors="replace")
    return dict(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace"))


def ok_reply(**fields: Any) -> dict[str, Any]:
    """A success reply. ``status`` is undocumented (the official example only reads it);
    the emulator sends "success" — a client must not depend on it."""
    return {"status": "success", "code": "OK", **fields}


def error_reply(code: str) -> dict[str, Any]:
    """An error reply: ``code`` is the API error code; ``status`` (undocumented) "error".
    No message field: none is documented, so a client must not depend on one."""
    return {"status": "error", "code": code}


def _contact_entry(contact: Mapping[str, str]) -> dict[str, str]:
    return {
        "contact_civility": contact["civility"],
        "contact_name": contact["last_name"],
        "contact_first_name": contact["first_name"],
        # E.164 (undocumented which format the real service returns; see backend).
        "contact_telephone_number": contact["phone_number"],
        "contact_email": contact["email"],
        "contact_birthday": contact["birthday"],
        "contact_other": contact["other"],
    }


def _contact_fields(form: Mapping[str, str]) -> dict[str, str]:
    # Omitted optional parameters become "" — for contact/update that clears the field,
    # as documented.
    return {field: form.get(param, "") for param, field in CONTACT_PARAMS.items()}


# JSON types of ids and counts are undocumented ("may arrive as numbers or strings").
# The emulator deliberately mixes them so that only a tolerant client passes:
#   contact/list/create       list_contact_id  → number
#   contact/list              list_contact_id  → string, nb_contact_list → string
#   contact/list/information  nb_contact_list  → number


def _create(backend: EmulatorBackend, account: str, form: Mapping[str, str]) -> dict[str, Any]:
    list_id = backend.api_create_list(
        account, form.get("listContactName", ""), form.get("listContactCountryCode", "")
    )
    return ok_reply(list_contact_id=list_id)  # a JSON number


def _information(backend: EmulatorBackend, account: str, form: Mapping[str, str]) -> dict[str, Any]:
    info = backend.api_list_information(account, form.get("listContactId", ""))
    return ok_reply(
        list_contact_name=info["name"],
        list_contact_country_name=info["country_name"],
        list_contact_country_code=info["country_code"],
        nb_contact_list=info["contact_count"],  # a JSON number here
        list_contact_creation_date=info["created_at"],
        list_contact=[_contact_entry(c) for c in info["contacts"]],
    )


def _listing(backend: EmulatorBackend, account: str, form: Mapping[str, str]) -> dict[str, Any]:
    return ok_reply(
        list_contact=[
            {
                "list_contact_id": info["list_id"],  # a JSON string here
                "list_contact_name": info["name"],
                "list_contact_country_name": info["country_name"],
                "list_contact_country_code": info["country_code"],
                "nb_contact_list": str(info["contact_count"]),  # a JSON string here
                "list_contact_creation_date": info["created_at"],
            }
            for info in backend.api_list_lists(account)
        ]
    )


def _rename(backend: EmulatorBackend, account: str, form: Mapping[str, str]) -> dict[str, Any]:
    backend.api_rename_list(account, form.get("listContactId", ""), form.get("listContactName", ""))
    return ok_reply()


def _add(backend: EmulatorBackend, account: str, form: Mapping[str, str]) -> dict[str, Any]:
    backend.api_add_contact(
        account,
        form.get("listContactId", ""),
        form.get("contactTelephoneNumber", ""),
        _contact_fields(form),
    )
    return ok_reply()


def _update(backend: EmulatorBackend, account: str, form: Mapping[str, str]) -> dict[str, Any]:
    backend.api_update_contact(
        account,
        form.get("listContactId", ""),
        form.get("contactTelephoneNumber", ""),
        _contact_fields(form),
    )
    return ok_reply()


def _delete(backend: EmulatorBackend, account: str, form: Mapping[str, str]) -> dict[str, Any]:
    backend.api_delete_contact(
        account, form.get("listContactId", ""), form.get("contactTelephoneNumber", "")
    )
    return ok_reply()


#: Endpoint (path after ``/v1/``) → handler. Every endpoint of the reference page.
ROUTES: dict[str, Handler] = {
    "contact/list/create": _create,
    "contact/list/information": _information,
    "contact/list": _listing,
    "contact/list/rename": _rename,
    "contact/add": _add,
    "contact/update": _update,
    "contact/delete": _delete,
}


def handle_api_call(
    backend: EmulatorBackend, endpoint: str, form: Mapping[str, str]
) -> dict[str, Any]:
    """Run one API call and return its JSON reply (always HTTP 200, see below).

    Credentials are checked first, on every endpoint (ERR_100). Undocumented which HTTP
    status accompanies an ERR_ reply; conservative choice: 200, so a client must read
    ``code`` rather than trust the status line.
    """
    handler = ROUTES[endpoint]
    try:
        account = backend.authenticate(form.get("id", ""), form.get("key", ""))
        return handler(backend, account, form)
    except ApiError as error:
        return error_reply(error.code)
