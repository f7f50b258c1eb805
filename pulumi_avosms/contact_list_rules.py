"""What a ContactList's inputs mean, as pure rules: check, diff, replacements, outputs.

No API call and no state: the provider (:mod:`pulumi_avosms.contact_list`) calls these from
its ``check`` and ``diff`` and shapes its outputs with :func:`outputs_of`.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckFailure, DiffResult

from . import _adoption
from ._accounts import ACCOUNT_PROPERTY
from ._engine import is_unknown
from ._model import ContactListInfo
from ._text import message
from .validation import (
    ValidationError,
    normalize_country_code,
    normalize_list_name,
)

#: Inputs that AvoSMS can change on an existing list.
UPDATABLE_PROPERTIES = ("name",)
#: Inputs whose change needs a new list: AvoSMS has no call that changes a list's country.
REPLACE_PROPERTIES = ("country_code",)

#: Everything the provider returns as outputs (the state of a ContactList).
OUTPUT_PROPERTIES = (
    "list_id",
    "name",
    "country_code",
    "country_name",
    "contact_count",
    "created_at",
)


def check_inputs(
    olds: dict[str, Any], news: dict[str, Any]
) -> tuple[dict[str, Any], list[CheckFailure]]:
    """The checked inputs of a ContactList and the failures; no API call.

    ``olds`` are the inputs in state (empty for a new list); they only serve to refuse a
    replacement that cannot work (see :func:`same_name_replacement`).
    """
    inputs: dict[str, Any] = {}
    failures: list[CheckFailure] = []
    for prop, normalise in (
        ("name", normalize_list_name),
        ("country_code", normalize_country_code),
    ):
        value = news.get(prop)
        if is_unknown(value):
            inputs[prop] = value
            continue
        if value is None:
            failures.append(CheckFailure(prop, f"{prop} is required"))
            continue
        try:
            inputs[prop] = normalise(value)
        except ValidationError as err:
            failures.append(CheckFailure(prop, f"{prop} {err}"))
    if news.get(ACCOUNT_PROPERTY) is not None:
        # Checked against the configured accounts by the provider (see _provider).
        inputs[ACCOUNT_PROPERTY] = news[ACCOUNT_PROPERTY]
    _adoption.take_list_import_id(news, inputs, failures)
    if not failures:
        for failure in (
            same_name_replacement(olds, inputs),
            _adoption.replacement_with_import(
                "list",
                inputs,
                country_change(olds, inputs) + _adoption.account_change(olds, inputs),
            ),
        ):
            if failure is not None:
                failures.append(failure)
    return inputs, failures


def diff_inputs(olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
    """What changes between the state (``olds``, outputs) and the checked inputs (``news``).

    ``__provider``, outputs and the adoption ID are never a change; a country or account
    change replaces the list (no ``account`` on either side is the default account).
    """
    changed: list[str] = []
    for prop in (*UPDATABLE_PROPERTIES, *REPLACE_PROPERTIES, ACCOUNT_PROPERTY):
        new = news.get(prop)
        if is_unknown(new) or new != olds.get(prop):
            changed.append(prop)
    replaces = [prop for prop in changed if prop in (*REPLACE_PROPERTIES, ACCOUNT_PROPERTY)]
    return DiffResult(
        changes=bool(changed),
        replaces=replaces,
        delete_before_replace=False,
    )


def outputs_of(info: ContactListInfo) -> dict[str, Any]:
    """Every output of a ContactList, from the list as AvoSMS describes it."""
    created = info.created_at
    return {
        "list_id": str(info.list_id),
        "name": info.name,
        "country_code": info.country_code.upper(),
        "country_name": info.country_name,
        "contact_count": int(info.contact_count),
        "created_at": created.isoformat(sep=" ") if created is not None else None,
    }


def country_change(olds: dict[str, Any], inputs: dict[str, Any]) -> list[_adoption.Change]:
    """The country change (one item) when a known country changes, else ``[]``."""
    old = olds.get("country_code")
    # States written by hand may hold a lower-case code; checked inputs are upper case.
    in_state = {"country_code": old.upper()} if isinstance(old, str) else {}
    return _adoption.known_changes(in_state, inputs, REPLACE_PROPERTIES)


def same_name_replacement(olds: dict[str, Any], inputs: dict[str, Any]) -> CheckFailure | None:
    """Refuse at preview a country change that keeps the name: the replacement cannot work.

    A country change replaces the list (create the new one, then delete the old), but AvoSMS
    cannot delete lists, so the old list keeps the name and the create would fail half-way.
    """
    changes = country_change(olds, inputs)
    old_name, new_name = olds.get("name"), inputs.get("name")
    if olds.get(ACCOUNT_PROPERTY) != inputs.get(ACCOUNT_PROPERTY):
        return None  # the new list is made in another account, where the name is free
    if not changes or not isinstance(old_name, str) or not isinstance(new_name, str):
        return None
    if is_unknown(new_name) or new_name.casefold() != old_name.casefold():
        return None
    return CheckFailure(
        "country_code",
        message(
            "country_code cannot change from {old!s} to {new!s} while the name stays {new_name}: "
            "AvoSMS cannot change a list's country, so Pulumi must create a new list, and the "
            "old list (which AvoSMS cannot delete) keeps the name {old_name}. Give the list a "
            "new name in the same change, or rename the old list in the AvoSMS console first.",
            old=changes[0][1],
            new=changes[0][2],
            new_name=new_name,
            old_name=old_name,
        ),
    )
