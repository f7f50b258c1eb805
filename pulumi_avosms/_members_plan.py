"""What a ContactListMembers step has to do: pure functions over member maps, no I/O.

A *member map* is ``{E.164 number: {field: value}}``, what the checks and plans work on.
Only non-empty fields are kept in a member's dict (an absent field means
``""``, what AvoSMS holds for a field never set), so two maps compare equal exactly when
AvoSMS would hold the same contacts. The ``members`` *output* is a *print map*,
``{E.164 number: fingerprint}``: the fields are stored once, in the inputs, and the
fingerprint is enough to tell which numbers changed since the last step.

The ``members`` *input* stores each member as one string, its fields as compact JSON with
sorted keys (``{"+33612345678": "{\"first_name\":\"Alice\"}"}``, ``""`` for a bare
number): the engine sends and stores one value a member instead of a map of them, and
``pulumi preview --diff`` shows such a string as the JSON object it holds. States written by
earlier builds (tests/fixtures/members-state-0.2.0.json) hold a map per member;
:func:`fields_of` reads either.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ._model import CONTACT_FIELDS, ContactInfo
from ._text import safe_text

#: A member's optional fields, non-empty ones only.
Fields = dict[str, str]
#: Members keyed by E.164 number.
MemberMap = dict[str, Fields]
#: Members' fingerprints keyed by E.164 number (the ``members`` output).
PrintMap = dict[str, str]
#: What a plan compares against: members' fields, or their fingerprints (a state).
Current = Mapping[str, Mapping[str, str] | str]

__all__ = [
    "Current",
    "Fields",
    "Held",
    "MemberMap",
    "Plan",
    "PrintMap",
    "Removals",
    "compact",
    "contact_of",
    "differences",
    "digest",
    "fields_of",
    "fingerprint",
    "plan_changes",
    "prints",
    "removals",
    "shown",
    "stored_form",
]

#: Hex digits of a fingerprint: 48 bits, so a change of one number goes unseen with odds
#: of 1 in 2**48 (each number is only compared with itself).
FINGERPRINT_CHARS = 12

#: Characters of a number or a field value shown in a message (E.164 has at most 16).
SHOWN_CHARS = 40


def shown(text: str, secrets: Iterable[str] = ()) -> str:
    """A number or a field value, maybe from a reply, as a message shows it: scrubbed of the
    ``secrets``, bounded, control and bidi characters escaped."""
    return safe_text(text, secrets, SHOWN_CHARS)


def compact(contact: ContactInfo) -> Fields:
    """A contact's fields as a member map stores them: the non-empty ones."""
    return {name: value for name, value in contact.fields().items() if value}


def stored_form(fields: Mapping[str, str]) -> str:
    """A member's set fields as the ``members`` input stores them: compact JSON with sorted
    keys, ``""`` when none is set."""
    return _encode(fields) if fields else ""


def fields_of(stored: object) -> Fields:
    """A member's set fields from its stored form: this release's JSON text (``""``: none)
    or the map of earlier builds. Anything else (a state edited by hand) holds no field."""
    if isinstance(stored, str):
        if not stored:
            return {}
        try:
            parsed = json.loads(stored)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return dict(stored) if isinstance(stored, Mapping) else {}


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def contact_of(number: str, fields: Mapping[str, str]) -> ContactInfo:
    """The contact to send for ``number``: every field, ``""`` for those not set."""
    return ContactInfo(number, **{name: str(fields.get(name) or "") for name in CONTACT_FIELDS})


def fingerprint(fields: Mapping[str, str] | str) -> str:
    """A short digest of a member's fields (every field, ``""`` when not set); a string is
    taken as a fingerprint already."""
    if isinstance(fields, str):
        return fields
    try:
        # Checked fields are strings: joined as they are, with no list built per member.
        text = _SEPARATOR.join(map(fields.get, CONTACT_FIELDS, _NOT_SET))
    except TypeError:  # a value that is not a string (None, in a state of another tool)
        text = _SEPARATOR.join([str(fields.get(name) or "") for name in CONTACT_FIELDS])
    return _hashed(text)


def digest(values: Sequence[str]) -> str:
    """The fingerprint of a member whose fields hold ``values`` (in :data:`CONTACT_FIELDS`
    order, ``""`` when not set)."""
    return _hashed(_SEPARATOR.join(values))


#: Between two fields' values in what a fingerprint digests.
_SEPARATOR = "\x1f"
#: What each field's value is when not set.
_NOT_SET = ("",) * len(CONTACT_FIELDS)


def _hashed(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:FINGERPRINT_CHARS]


def prints(members: Current) -> PrintMap:
    """The print map of ``members`` (fields or fingerprints), sorted by number."""
    return {number: fingerprint(members[number]) for number in sorted(members)}


class Removals(tuple[str, ...]):
    """Numbers a step may remove from AvoSMS, sorted: made only by :func:`removals`, and the
    only kind of value a :class:`Plan` removes (so the type checker refuses any other)."""

    __slots__ = ()


#: No removal at all.
NO_REMOVALS = Removals()


@dataclass(frozen=True)
class Plan:
    """The numbers to add, update and remove (each sorted), to go from one map to another."""

    adds: tuple[str, ...] = ()
    updates: tuple[str, ...] = ()
    removes: Removals = NO_REMOVALS

    def __len__(self) -> int:
        return len(self.adds) + len(self.updates) + len(self.removes)


@dataclass(frozen=True)
class Held:
    """What a membership's state says: the numbers it manages (with their fingerprints),
    those of them that a refresh found in the list without the program declaring them
    (``undeclared``), and whether it was exclusive.

    Every number of ``prints`` is also in the state's ``members`` input (a create or update
    stores the declared ones, a refresh the ones it read), so a preview lists each of them
    that the next step drops.
    """

    prints: PrintMap
    undeclared: frozenset[str]
    exclusive: bool


def removals(
    declared: Mapping[str, object],
    held: Held | None,
    *,
    exclusive: bool,
    live: Mapping[str, object] | None = None,
    remove_undeclared_on_create: bool = False,
) -> Removals:
    """THE removal rule: the numbers a step may remove from AvoSMS, sorted. Every step that
    removes contacts takes its removals from here (a failed step may also undo the adds it
    made itself, see :mod:`._members_apply`); nothing else removes a contact.

    A number may be removed only when the program asked for it:

    - the state holds it and the program declared it before and no longer declares it; or
    - the state holds it because a refresh showed it (exclusive mode: a preview then lists
      it as a removal), the resource is and stays ``exclusive``, and the program does not
      declare it;
    - a create (``held`` is ``None``: nothing was declared before) removes nothing, except
      the ``live`` contacts it does not declare when exclusive and the program opted in
      with ``remove_undeclared_on_create``.

    A contact that the state does not hold (added in the console since the last refresh,
    or one the client could not read) is never removed. A delete is a step that declares
    nothing and is not exclusive: it removes what the program declared, no more.
    """
    if held is None:
        if not (exclusive and remove_undeclared_on_create) or live is None:
            return NO_REMOVALS
        return Removals(sorted(n for n in live if n not in declared))
    shown_may_go = held.exclusive and exclusive
    return Removals(
        sorted(
            n
            for n in held.prints
            if n not in declared and (shown_may_go or n not in held.undeclared)
        )
    )


def plan_changes(
    wanted: Current,
    current: Current,
    *,
    removes: Removals = NO_REMOVALS,
) -> Plan:
    """What turns ``current`` into ``wanted`` (each fields, or fingerprints): the numbers to
    add and update, and ``removes`` (which :func:`removals` decides)."""
    adds: list[str] = []
    updates: list[str] = []
    for number, fields in wanted.items():  # one pass: each member fingerprinted once
        if number not in current:
            adds.append(number)
        elif fingerprint(fields) != fingerprint(current[number]):
            updates.append(number)
    return Plan(adds=tuple(sorted(adds)), updates=tuple(sorted(updates)), removes=removes)


def differences(
    declared: Mapping[str, Mapping[str, str]],
    live: Mapping[str, Mapping[str, str]],
    *,
    secrets: Iterable[str] = (),
) -> list[str]:
    """One line per declared number that AvoSMS lacks or holds with other fields, sorted.

    Used by adoption, which changes nothing and so must find no such difference (contacts
    the program does not declare are left alone). Numbers and values are :func:`shown`
    (the live ones come from a reply).
    """
    secrets = tuple(secrets)
    plan = plan_changes(declared, live)
    lines = [f"{shown(n, secrets)}: in the program, not in the list" for n in plan.adds]
    for number in plan.updates:
        wanted, held = declared[number], live[number]
        fields = ", ".join(
            # Quoted by hand: repr would double the backslashes of the escapes.
            f"{name} program '{shown(wanted.get(name, ''), secrets)}' "
            f"AvoSMS '{shown(held.get(name, ''), secrets)}'"
            for name in CONTACT_FIELDS
            if (wanted.get(name) or "") != (held.get(name) or "")
        )
        lines.append(f"{shown(number, secrets)}: {fields}")
    return sorted(lines)
