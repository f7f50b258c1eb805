"""What a Contact's inputs mean, as pure rules: check, diff, replacements, outputs.

No API call and no state: the provider (:mod:`pulumi_avosms.contact`) calls these from its
``check`` and ``diff``, and shapes its outputs and what it sends with :func:`outputs_of` and
:func:`contact_of`.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckFailure, DiffResult

from . import _adoption
from ._accounts import ACCOUNT_PROPERTY
from ._engine import IMPORT_PROPERTY, is_unknown
from ._model import CONTACT_FIELDS, ContactInfo
from ._provider import with_account
from .contact_validation import check_contact, format_contact_id, parse_contact_id
from .validation import ValidationError, normalize_list_id

#: Inputs whose change needs a new contact: AvoSMS finds a contact by its number in a list
#: and has no call that changes either.
REPLACE_PROPERTIES = ("list_id", "phone_number")
#: Optional fields, updated in place by ``contact/update`` (which must receive all of them).
FIELD_PROPERTIES = CONTACT_FIELDS
#: Everything the provider returns as outputs: the inputs, normalised, and nothing else.
OUTPUT_PROPERTIES = (*REPLACE_PROPERTIES, *FIELD_PROPERTIES)


def check_inputs(
    olds: dict[str, Any], news: dict[str, Any]
) -> tuple[dict[str, Any], list[CheckFailure]]:
    """The checked inputs of a Contact and the failures; no API call.

    Unknown values (outputs of resources not created yet, typically ``list_id`` during a
    first preview) pass through unchanged. ``olds`` (the inputs in state) only serve to
    refuse a replacement while ``import_`` is still in the program.
    """
    inputs, reasons = check_contact(news, pending=is_unknown)
    list_id = news.get("list_id")
    if is_unknown(list_id):
        inputs["list_id"] = list_id
    elif list_id is None:
        reasons["list_id"] = "list_id is required"
    else:
        try:
            inputs["list_id"] = normalize_list_id(list_id)
        except ValidationError as err:
            reasons["list_id"] = f"list_id {err}"
    failures = [CheckFailure(prop, reason) for prop, reason in reasons.items()]
    if news.get(ACCOUNT_PROPERTY) is not None:
        # Checked against the configured accounts by the provider (see _provider).
        inputs[ACCOUNT_PROPERTY] = news[ACCOUNT_PROPERTY]
    import_id = news.get(IMPORT_PROPERTY)
    if import_id is not None:
        if is_unknown(import_id):
            inputs[IMPORT_PROPERTY] = import_id
        else:
            try:
                list_part, number = parse_contact_id(import_id)
            except ValidationError as err:
                failures.append(CheckFailure(IMPORT_PROPERTY, f"import_ {err}"))
            else:
                inputs[IMPORT_PROPERTY] = format_contact_id(list_part, number)
                failure = _adoption.replacement_with_import(
                    "contact",
                    inputs,
                    _adoption.known_changes(olds, inputs, REPLACE_PROPERTIES)
                    + _adoption.account_change(olds, inputs),
                ) or _adoption.import_mismatch(
                    "contact",
                    [("list_id", "list", list_part), ("phone_number", "number", number)],
                    inputs,
                    "'<list_id>/<phone_number>'",
                )
                if failure is not None:
                    failures.append(failure)
    return inputs, failures


def diff_inputs(olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
    """What changes between the state (``olds``, outputs) and the checked inputs (``news``).

    A change of list, number or account replaces the contact; every other field updates in place.
    """
    changed: list[str] = []
    replaces: list[str] = []
    for prop in (*REPLACE_PROPERTIES, ACCOUNT_PROPERTY):
        new = news.get(prop)
        if is_unknown(new):
            # During a preview, every output of a ContactList being updated is unknown
            # (the plugin cannot preview, so the engine knows only its inputs): treating
            # that as a new list would show every contact of a renamed list as replaced.
            # The real diff in `pulumi up` sees the known value and replaces if it moved.
            changed.append(prop)
        elif new != olds.get(prop):
            changed.append(prop)
            replaces.append(prop)
    for prop in FIELD_PROPERTIES:
        new = news.get(prop)
        # `or ""`: a state written before a field existed, or by a read that lacked it,
        # holds no key; that means the same as "" (AvoSMS's empty value).
        if is_unknown(new) or (new or "") != (olds.get(prop) or ""):
            changed.append(prop)
    return DiffResult(
        changes=bool(changed),
        replaces=replaces,
        # Create-then-delete is safe: the new contact differs in list or number, so it
        # never collides with the old one in AvoSMS.
        delete_before_replace=False,
    )


def outputs_of(props: dict[str, Any]) -> dict[str, Any]:
    """Every output of a Contact: its checked inputs, and nothing else."""
    # Checked inputs are already normalised; `or ""` only guards an input dropped on the way.
    outs: dict[str, Any] = {
        "list_id": str(props["list_id"]),
        "phone_number": str(props["phone_number"]),
    }
    for prop in FIELD_PROPERTIES:
        outs[prop] = props.get(prop) or ""
    return with_account(outs, props.get(ACCOUNT_PROPERTY))


def contact_of(number: str, outs: dict[str, Any]) -> ContactInfo:
    """The contact to send to AvoSMS, from the outputs (every field, empty ones too)."""
    return ContactInfo(number, **{prop: str(outs.get(prop) or "") for prop in FIELD_PROPERTIES})
