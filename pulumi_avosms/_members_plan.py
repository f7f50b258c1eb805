"""What a ContactListMembers step has to do: pure functions over member maps, no I/O.

A *member map* is ``{E.164 number: {field: value}}``, the shape of the resource's
``members`` input. Only non-empty fields are kept in a member's dict (an absent field means
``""``, what AvoSMS holds for a field never set), so two maps compare equal exactly when
AvoSMS would hold the same contacts. The ``members`` *output* is a *print map*,
``{E.164 number: fingerprint}``: the fields are stored once, in the inputs, and the
fingerprint is enough to tell which numbers changed since the last step.
"""

from __future__ import annotations

import hashlib
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
    "MemberMap",
    "Plan",
    "PrintMap",
    "compact",
    "contact_of",
    "differences",
    "digest",
    "fingerprint",
    "plan_changes",
    "prints",
    "shown",
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


def contact_of(number: str, fields: Mapping[str, str]) -> ContactInfo:
    """The contact to send for ``number``: every field, ``""`` for those not set."""
    return ContactInfo(number, **{name: str(fields.get(name) or "") for name in CONTACT_FIELDS})


def fingerprint(fields: Mapping[str, str] | str) -> str:
    """A short digest of a member's fields (every field, ``""`` when not set); a string is
    taken as a fingerprint already."""
    if isinstance(fields, str):
        return fields
    get = fields.get
    return digest([str(get(name) or "") for name in CONTACT_FIELDS])


def digest(values: Sequence[str]) -> str:
    """The fingerprint of a member whose fields hold ``values`` (in :data:`CONTACT_FIELDS`
    order, ``""`` when not set)."""
    text = "\x1f".join(values)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:FINGERPRINT_CHARS]


def prints(members: Current) -> PrintMap:
    """The print map of ``members`` (fields or fingerprints), sorted by number."""
    return {number: fingerprint(members[number]) for number in sorted(members)}


@dataclass(frozen=True)
class Plan:
    """The numbers to add, update and remove (each sorted), to go from one map to another."""

    adds: tuple[str, ...] = ()
    updates: tuple[str, ...] = ()
    removes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.adds) + len(self.updates) + len(self.removes)


def plan_changes(
    wanted: Current,
    current: Current,
    *,
    remove_others: bool,
) -> Plan:
    """What turns ``current`` into ``wanted`` (each fields, or fingerprints).

    Numbers of ``current`` that ``wanted`` lacks are removed only with ``remove_others``
    (exclusive mode against the live list, or any mode against the previous declaration).
    """
    return Plan(
        adds=tuple(sorted(n for n in wanted if n not in current)),
        updates=tuple(
            sorted(
                n
                for n in wanted
                if n in current and fingerprint(wanted[n]) != fingerprint(current[n])
            )
        ),
        removes=tuple(sorted(n for n in current if n not in wanted)) if remove_others else (),
    )


def differences(
    declared: Mapping[str, Mapping[str, str]],
    live: Mapping[str, Mapping[str, str]],
    *,
    exclusive: bool,
    secrets: Iterable[str] = (),
) -> list[str]:
    """One line per number where the program and AvoSMS disagree, sorted by number.

    Used by adoption, which changes nothing and so must find no difference at all. Numbers
    and values are :func:`shown` (the live ones come from a reply).
    """
    secrets = tuple(secrets)
    plan = plan_changes(declared, live, remove_others=exclusive)
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
    lines += [f"{shown(n, secrets)}: in the list, not in the program" for n in plan.removes]
    return sorted(lines)
