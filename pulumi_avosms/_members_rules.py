"""What a ContactListMembers's inputs mean, as pure rules: the checks of ``check``.

No API call and no state: the provider (:mod:`pulumi_avosms.contact_list_members`) calls
:func:`check_inputs` from its ``check``. Each member is validated and normalised by
:func:`~pulumi_avosms.contact_validation.normalize_contact`, as a ``Contact``'s inputs are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.dynamic import CheckFailure

from . import _adoption
from ._accounts import ACCOUNT_PROPERTY
from ._engine import IMPORT_PROPERTY, is_unknown
from ._members_apply import MAX_LISTED_FAILURES
from ._members_plan import MemberMap, compact
from ._model import MEMBER_FIELDS
from ._text import message
from .contact_validation import InvalidContactError, normalize_contact
from .validation import ValidationError, describe, normalize_list_id

__all__ = ["CLEAR_PROPERTY", "by_position", "check_inputs", "check_members", "contains_unknown"]

#: The input by which a create may remove the contacts of the list that members does not
#: declare (the explicit opt-in of :func:`pulumi_avosms._members_plan.removals`).
CLEAR_PROPERTY = "remove_undeclared_on_create"


def contains_unknown(value: Any) -> bool:
    """Whether ``value`` is, or holds somewhere inside, an engine unknown."""
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


def _member_problem(raw: Any) -> str | None:
    # What normalize_contact does not check: the shape, and keys it would ignore.
    if not isinstance(raw, Mapping):
        return f"must be a dict with phone_number and Contact fields, got {describe(raw)}"
    unknown = sorted(str(key) for key in raw if key not in MEMBER_FIELDS)
    if unknown:
        return f"has unknown field(s) {', '.join(unknown)}; members take {', '.join(MEMBER_FIELDS)}"
    return None


def _position(index: int, raw: Any) -> str:
    """``members[3] (+33 6 12 34 56 78)``: where a refused member is, with its number as
    given (made safe: it is the program's text, any length, any character)."""
    number = raw.get("phone_number") if isinstance(raw, Mapping) else None
    if not isinstance(number, str):
        return f"members[{index}]"
    return message("members[{index}] ({number!s})", index=index, number=number)


def check_members(value: Any) -> tuple[MemberMap | None, list[str]]:
    """The declared member list as a member map, or the reasons it is refused."""
    if isinstance(value, Mapping) or not isinstance(value, Sequence) or isinstance(value, str):
        return None, [f"members must be a list of dicts, got {describe(value)}"]
    members: MemberMap = {}
    positions: dict[str, int] = {}
    problems: list[str] = []
    for index, raw in enumerate(value):
        problem = _member_problem(raw)
        if problem is not None:
            problems.append(f"{_position(index, raw)} {problem}")
            continue
        try:
            contact = normalize_contact(raw)
        except InvalidContactError as err:
            problems.append(f"{_position(index, raw)} {err}")
            continue
        first = positions.get(contact.phone_number)
        if first is not None:
            problems.append(
                f"members[{first}] and members[{index}] are the same number "
                f"{contact.phone_number}; declare each number once"
            )
            continue
        positions[contact.phone_number] = index
        members[contact.phone_number] = compact(contact)
    return members, problems


def check_inputs(
    olds: dict[str, Any], news: dict[str, Any]
) -> tuple[dict[str, Any], list[CheckFailure]]:
    """The checked inputs and the failures; no API call.

    Unknown values pass through (a member built from another resource's output is checked
    at ``up``). ``olds`` (the inputs in state) only serve to refuse a replacement while
    ``import_`` is still in the program.
    """
    inputs: dict[str, Any] = {}
    failures: list[CheckFailure] = []

    list_id = news.get("list_id")
    if list_id is None:
        failures.append(CheckFailure("list_id", "list_id is required"))
    elif is_unknown(list_id):
        inputs["list_id"] = list_id
    else:
        try:
            inputs["list_id"] = normalize_list_id(list_id)
        except ValidationError as err:
            failures.append(CheckFailure("list_id", f"list_id {err}"))

    raw_members = news.get("members")
    if raw_members is None:
        failures.append(CheckFailure("members", "members is required (a list, maybe empty)"))
    elif contains_unknown(raw_members):
        inputs["members"] = raw_members
    else:
        members, problems = check_members(raw_members)
        listed = problems[:MAX_LISTED_FAILURES]
        if len(problems) > len(listed):
            listed.append(f"... and {len(problems) - len(listed)} more invalid member(s)")
        failures += [CheckFailure("members", problem) for problem in listed]
        if members is not None and not problems:
            inputs["members"] = members

    exclusive = news.get("exclusive", True)
    if exclusive is None:
        exclusive = True
    if is_unknown(exclusive) or isinstance(exclusive, bool):
        inputs["exclusive"] = exclusive
    else:
        failures.append(
            CheckFailure("exclusive", f"exclusive must be True or False, got {describe(exclusive)}")
        )

    # Only a create reads it (see _members_plan.removals); a later change of it is no change.
    clear = news.get(CLEAR_PROPERTY)
    if clear is not None and not is_unknown(clear) and not isinstance(clear, bool):
        failures.append(
            CheckFailure(
                CLEAR_PROPERTY,
                f"{CLEAR_PROPERTY} must be True or False, got {describe(clear)}",
            )
        )
    elif clear:
        inputs[CLEAR_PROPERTY] = clear

    if news.get(ACCOUNT_PROPERTY) is not None:
        # Checked against the configured accounts by the provider (see _provider).
        inputs[ACCOUNT_PROPERTY] = news[ACCOUNT_PROPERTY]
    if _adoption.take_list_import_id(news, inputs, failures):
        failure = _adoption.replacement_with_import(
            "list",
            inputs,
            _adoption.known_changes(olds, inputs, ("list_id",))
            + _adoption.account_change(olds, inputs),
        ) or _adoption.import_mismatch(
            "list", [("list_id", "list", inputs[IMPORT_PROPERTY])], inputs, "the list_id"
        )
        if failure is not None:
            failures.append(failure)
    return inputs, failures


def by_position(news: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs as the API-key guard reads them: ``members`` split by position.

    A member's field is ``members[<i>].<field>``; its keys and any other field or shape
    (a string, a number, a nested list or map) are ``members[<i>]``; ``members`` that is
    not a list stays whole. The guard scans every value at any depth, keys included, so no
    shape hides the key; a property name never holds a value from the program.
    """
    flat = {k: v for k, v in news.items() if k != "members"}
    if "members" not in news:
        return flat
    members = news["members"]
    if not isinstance(members, (list, tuple)):
        flat["members"] = members
        return flat
    for index, member in enumerate(members):
        if not isinstance(member, Mapping):
            flat[f"members[{index}]"] = member
            continue
        others: dict[Any, Any] = {}
        for key, value in member.items():
            if key in MEMBER_FIELDS:
                flat[f"members[{index}].{key}"] = value
            else:
                others[key] = value
        if others:
            flat[f"members[{index}]"] = others
    return flat
