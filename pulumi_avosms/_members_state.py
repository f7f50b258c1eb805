"""What a ContactListMembers state and its inputs say, as pure functions: the state read
back (:func:`held_of`), the declared members, the live list as a member map, the outputs a
step writes, and the plan of an update. No API call; the provider
(:mod:`pulumi_avosms.contact_list_members`) calls these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.dynamic import DiffResult

from ._accounts import ACCOUNT_PROPERTY
from ._engine import IMPORT_PROPERTY, is_unknown
from ._live import clean_live_contact, unchanged_member
from ._members_plan import (
    Current,
    Held,
    MemberMap,
    Plan,
    PrintMap,
    compact,
    fields_of,
    fingerprint,
    plan_changes,
    prints,
    removals,
    stored_form,
)
from ._members_rules import contains_unknown
from ._model import ContactInfo
from ._provider import with_account
from .client.replies import tolerant_phone_number

__all__ = [
    "UNDECLARED_OUTPUT",
    "declared_form",
    "diff_state",
    "held_of",
    "is_exclusive",
    "live_members",
    "members_of",
    "outputs_of",
    "plan_update",
    "stored_members",
]

#: The output naming the numbers of the state that a refresh found in the list without the
#: program declaring them (exclusive mode): see :class:`~pulumi_avosms._members_plan.Held`.
UNDECLARED_OUTPUT = "undeclared"


def plan_update(declared: Current, held: Held, *, exclusive: bool) -> Plan:
    """The calls of an update from the state ``held`` to ``declared`` (fields, or their
    fingerprints)."""
    return plan_changes(
        declared, held.prints, removes=removals(declared, held, exclusive=exclusive)
    )


def members_of(props: Mapping[str, Any]) -> MemberMap:
    """The ``members`` input (checked) of ``props`` (inputs, or a state's): fields by number,
    from either stored form (:func:`~pulumi_avosms._members_plan.fields_of`) or an import's
    list (:func:`declared_form`)."""
    members = props.get("members")
    if isinstance(members, list):
        # The inputs of an import (declared_form), which the engine keeps when the update
        # after the import fails.
        return {
            member["phone_number"]: {k: v for k, v in member.items() if k != "phone_number" and v}
            for member in members
            if isinstance(member, Mapping) and isinstance(member.get("phone_number"), str)
        }
    if not isinstance(members, Mapping):
        return {}
    return {str(n): fields_of(f) for n, f in members.items()}


def stored_members(members: MemberMap) -> dict[str, str]:
    """``members`` as the ``members`` input stores them: one string a member."""
    return {number: stored_form(fields) for number, fields in members.items()}


def declared_form(members: MemberMap) -> list[dict[str, str]]:
    """``members`` (fields by number) as a program declares them: the ``members`` input a
    read answers when there is no state yet (``pulumi import``), which the next check takes
    as it takes the program's, and from which ``pulumi import`` writes the program."""
    return [{"phone_number": number, **fields} for number, fields in members.items()]


def held_of(outs: Mapping[str, Any]) -> Held:
    """What a state says about the membership (see :class:`Held`). The ``members`` output
    is a fingerprint by number (a state written before fingerprints holds the fields,
    fingerprinted here); a state written before ``undeclared`` existed (0.2.0) counts every
    number as declared, as that release did."""
    members = outs.get("members")
    prints: PrintMap = {}
    if isinstance(members, Mapping):
        prints = {
            str(n): fingerprint(f if isinstance(f, (str, Mapping)) else {})
            for n, f in members.items()
        }
    undeclared = outs.get(UNDECLARED_OUTPUT)
    found = frozenset(str(n) for n in undeclared) if isinstance(undeclared, (list, tuple)) else None
    return Held(prints, (found or frozenset()) & prints.keys(), is_exclusive(outs))


def is_exclusive(props: Mapping[str, Any]) -> bool:
    value = props.get("exclusive")
    return value is not False


def live_members(
    contacts: Sequence[ContactInfo], region: str, known: Mapping[str, str] | None = None
) -> tuple[MemberMap, list[str]]:
    """A list's contacts as a member map, fields normalised as inputs would be, and the
    numbers that cannot be read as international numbers (as returned, sorted). Those that
    are members of the state ``known`` (its print map) unchanged are taken as they are."""
    members: MemberMap = {}
    unreadable: list[str] = []
    known = known or {}
    for contact in contacts:
        number: str | None = contact.phone_number
        if number in known:
            # One of the state's E.164 numbers: parsed again, it is itself.
            fields = unchanged_member(contact, known)
            if fields is not None:
                members[contact.phone_number] = fields
                continue
        else:
            # AvoSMS may return another format than was sent: key by E.164 read with the
            # list's country. One that does not parse is not keyed at all: under its raw text
            # it would look like a contact nobody declared, and AvoSMS, which reads it as the
            # declared number, would delete that one.
            number = tolerant_phone_number(contact.phone_number, region)
        # A field no gRPC message can carry: left alone and reported like an unreadable number,
        # instead of failing the whole step.
        if number is None or contact.unencodable_fields():
            unreadable.append(str(contact.phone_number))
            continue
        members[number] = compact(clean_live_contact(contact, number))
    return dict(sorted(members.items())), sorted(unreadable)


def outputs_of(
    props: Mapping[str, Any],
    members: Current,
    contact_count: int,
    *,
    undeclared: Sequence[str] = (),
) -> dict[str, Any]:
    outs: dict[str, Any] = {
        "list_id": str(props["list_id"]),
        "members": prints(members),
        "exclusive": is_exclusive(props),
        "member_count": len(members),
        "contact_count": int(contact_count),
        UNDECLARED_OUTPUT: sorted(undeclared),
    }
    if props.get(IMPORT_PROPERTY):
        outs[IMPORT_PROPERTY] = props[IMPORT_PROPERTY]
    return with_account(outs, props.get(ACCOUNT_PROPERTY))


def diff_state(
    olds: Mapping[str, Any], news: Mapping[str, Any], *, same_account: bool
) -> DiffResult:
    """What changes between the state (``olds``) and the checked inputs: a new ``list_id``
    replaces, and so does an ``account`` that is not the ``same_account``."""
    changed: list[str] = []
    replaces: list[str] = []
    new_id = news.get("list_id")
    if is_unknown(new_id):
        # Known only at `up` (a ContactList being renamed): the real diff then sees
        # whether the list moved; previewing a replace would overstate every member.
        changed.append("list_id")
    elif str(new_id) != str(olds.get("list_id")):
        changed.append("list_id")
        replaces.append("list_id")
    new_account = news.get(ACCOUNT_PROPERTY)
    if is_unknown(new_account) or new_account != olds.get(ACCOUNT_PROPERTY):
        changed.append(ACCOUNT_PROPERTY)
        if not same_account:
            replaces.append(ACCOUNT_PROPERTY)
    new_members = news.get("members")
    held = held_of(olds)
    if (
        not isinstance(new_members, dict)
        or contains_unknown(new_members)
        or plan_update(members_of(news), held, exclusive=is_exclusive(news))
        # A number a refresh found that the program now declares: record it as declared.
        or held.undeclared & new_members.keys()
    ):
        changed.append("members")
    if is_exclusive(news) != is_exclusive(olds):
        changed.append("exclusive")
    return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)
