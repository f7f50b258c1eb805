"""What a ContactListMembers's inputs mean, as pure rules: the checks of ``check``.

No API call and no state: the provider (:mod:`pulumi_avosms.contact_list_members`) calls
:func:`check_inputs` from its ``check``. Each member is validated and normalised by
:func:`~pulumi_avosms.contact_validation.normalize_contact`, as a ``Contact``'s inputs are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi.dynamic import CheckFailure
from pulumi.runtime.rpc import UNKNOWN

from . import _adoption
from ._accounts import ACCOUNT_PROPERTY
from ._engine import IMPORT_PROPERTY, is_unknown
from ._limits import MAX_MEMBERS_REPLY_BYTES, information_reply_bytes
from ._members_apply import MAX_LISTED_FAILURES
from ._members_plan import Fields, MemberMap, compact, fields_of, stored_form
from ._model import CONTACT_FIELDS, MEMBER_FIELDS
from ._text import message
from .contact_validation import InvalidContactError, normalize_contact
from .validation import ValidationError, describe, normalize_list_id

__all__ = [
    "CLEAR_PROPERTY",
    "STRING_SEPARATOR",
    "by_position",
    "check_inputs",
    "check_members",
    "contains_unknown",
    "guard_view",
    "joined_strings",
    "too_big_to_refresh",
]

#: What :func:`joined_strings` puts between two strings: no escape (``%``, ``\\``, ``+``)
#: nor hex digit, so the joining changes how no string decodes, and the text holds whatever
#: any of its strings holds, in any spelling.
STRING_SEPARATOR = "\x00"

#: The input by which a create may remove the contacts of the list that members does not
#: declare (the explicit opt-in of :func:`pulumi_avosms._members_plan.removals`).
CLEAR_PROPERTY = "remove_undeclared_on_create"


def joined_strings(value: Any) -> str | None:
    """Every string of ``value`` joined by :data:`STRING_SEPARATOR`, when ``value`` is a list
    or map of strings and flat maps of strings (keys too): the shape of ``members`` as
    declared and as checked. ``None`` for any other shape (a number, an unknown, deeper
    nesting), which the callers then walk value by value.

    One text instead of ~800,000 strings at 100,000 members: a search in it finds what a
    search in each string would, at the cost of one search.
    """
    parts: list[Any] = []
    if isinstance(value, dict):
        parts.extend(value)
        items: Iterable[Any] = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        if type(item) is dict:
            parts.extend(item)
            parts.extend(item.values())
        else:
            parts.append(item)  # a string; anything else fails the join
    try:
        return STRING_SEPARATOR.join(parts)
    except TypeError:
        return None


def guard_view(news: dict[str, Any], holds_key: Callable[[str], bool]) -> dict[str, Any]:
    """The inputs as the API-key guard reads them: ``members`` by position
    (:func:`by_position`, so a refusal names the member) when they carry a key, else without
    them. Whether they carry one is one search (``holds_key``) of their strings joined
    (:func:`joined_strings`), not one per string: a number's ``+`` alone makes each string's
    search the full one, for every spelling of the key. A key the joining alone made (cut
    over two strings) only costs the search by position."""
    if "members" not in news:
        return news
    text = joined_strings(news["members"])
    if text is None or holds_key(text):
        return by_position(news)
    return {name: value for name, value in news.items() if name != "members"}


def contains_unknown(value: Any) -> bool:
    """Whether ``value`` is, or holds somewhere inside, an engine unknown."""
    text = joined_strings(value)
    if text is not None:
        # Only strings: one of them is the unknown only if the text holds it.
        return UNKNOWN in text and _holds_unknown(value)
    return _holds_unknown(value)


def _holds_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        items: Iterable[Any] = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return False
    for item in items:
        # Strings (~500,000 in 100,000 members) are tested here, not by a recursive call.
        if isinstance(item, str):
            if is_unknown(item):
                return True
        elif _holds_unknown(item):
            return True
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


def _unchanged(raw: Any, held: Any) -> Fields | None:
    """The checked fields of ``raw`` when it is, exactly, the member ``held`` (its checked
    fields, from the inputs in state): its number in E.164 and each field as checked, or
    absent, ``None`` or ``""`` where none was kept. Checking it again would give those
    fields (checking is idempotent), so it is not; anything else (``None``) is checked."""
    if not isinstance(held, dict) or not held.keys() <= _FIELD_KEYS:
        return None
    if not isinstance(raw, dict) or not raw.keys() <= _MEMBER_KEYS:
        return None
    for name in CONTACT_FIELDS:
        value, kept = raw.get(name), held.get(name)
        if kept is None:
            if value is not None and value != "":
                return None
        elif not isinstance(kept, str) or not kept or value != kept:
            return None
    return held


_MEMBER_KEYS = frozenset(MEMBER_FIELDS)
_FIELD_KEYS = frozenset(CONTACT_FIELDS)


def check_members(
    value: Any, *, previous: Mapping[str, Any] | None = None
) -> tuple[MemberMap | None, list[str]]:
    """The declared member list as a member map, or the reasons it is refused.

    ``previous`` (the checked ``members`` of the inputs in state, in either stored form)
    lets members declared exactly as they were checked then pass without being checked
    again.
    """
    members, problems, _kept = _check_members(value, previous)
    return members, problems


def _check_members(
    value: Any, previous: Mapping[str, Any] | None
) -> tuple[MemberMap | None, list[str], dict[str, str]]:
    """:func:`check_members`, and the stored text of each member passed unchanged from a
    ``previous`` that stores text (so the inputs reuse it instead of encoding it again)."""
    if isinstance(value, Mapping) or not isinstance(value, Sequence) or isinstance(value, str):
        return None, [f"members must be a list of dicts, got {describe(value)}"], {}
    members: MemberMap = {}
    positions: dict[str, int] = {}
    problems: list[str] = []
    kept: dict[str, str] = {}
    for index, raw in enumerate(value):
        fields = None
        if previous:
            number = raw.get("phone_number") if isinstance(raw, dict) else None
            held = previous.get(number) if isinstance(number, str) else None
            if isinstance(held, str):
                fields = _unchanged(raw, fields_of(held))
                if fields is not None:
                    kept[raw["phone_number"]] = held
            elif held is not None:
                fields = _unchanged(raw, held)
        if fields is not None:
            checked = raw["phone_number"]
        else:
            problem = _member_problem(raw)
            if problem is not None:
                problems.append(f"{_position(index, raw)} {problem}")
                continue
            try:
                contact = normalize_contact(raw)
            except InvalidContactError as err:
                problems.append(f"{_position(index, raw)} {err}")
                continue
            checked, fields = contact.phone_number, compact(contact)
        first = positions.get(checked)
        if first is not None:
            problems.append(
                f"members[{first}] and members[{index}] are the same number "
                f"{checked}; declare each number once"
            )
            continue
        positions[checked] = index
        members[checked] = fields
    return members, problems, kept


def too_big_to_refresh(members: MemberMap) -> list[str]:
    """Why ``members`` cannot be declared: a list holding them could not be read back (its
    ``information`` reply would pass :data:`~pulumi_avosms._limits.MAX_MEMBERS_REPLY_BYTES`),
    or nothing."""
    size = information_reply_bytes(members)
    if size <= MAX_MEMBERS_REPLY_BYTES:
        return []
    mib = 1024 * 1024
    return [
        f"members would make the list's contacts a reply of about {size // mib} MiB from "
        f"AvoSMS, over the {MAX_MEMBERS_REPLY_BYTES // mib} MiB a refresh can read (half the "
        "Pulumi engine's 400 MiB message limit); split the members over several lists"
    ]


def check_inputs(
    olds: dict[str, Any], news: dict[str, Any]
) -> tuple[dict[str, Any], list[CheckFailure]]:
    """The checked inputs and the failures; no API call.

    Unknown values pass through (a member built from another resource's output is checked
    at ``up``). ``olds`` (the inputs in state) serve to refuse a replacement while
    ``import_`` is still in the program, and to pass the members checked then unchecked.
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
        previous = olds.get("members")
        members, problems, kept = _check_members(
            raw_members, previous if isinstance(previous, Mapping) else None
        )
        if members is not None and not problems:
            problems += too_big_to_refresh(members)
        listed = problems[:MAX_LISTED_FAILURES]
        if len(problems) > len(listed):
            listed.append(f"... and {len(problems) - len(listed)} more invalid member(s)")
        failures += [CheckFailure("members", problem) for problem in listed]
        if members is not None and not problems:
            inputs["members"] = {
                number: kept[number] if number in kept else stored_form(fields)
                for number, fields in members.items()
            }

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
