"""A contact as AvoSMS returned it, cleaned as the inputs would be, to compare with them.

Shared by ``Contact`` (its read-back and refresh) and ``ContactListMembers`` (a list's
contacts), so that both see the same contact in the same reply.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

from ._members_plan import Fields, digest
from ._model import CONTACT_FIELDS, ContactInfo
from .client.replies import tolerant_birthday, tolerant_email

__all__ = ["clean_live_contact", "unchanged_member"]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def clean_live_contact(contact: ContactInfo, number: str) -> ContactInfo:
    """``contact``'s fields trimmed (e-mail and birthday read tolerantly), under ``number``
    (the E.164 form the caller read the returned number as)."""
    return ContactInfo(
        number,
        civility=_text(contact.civility),
        first_name=_text(contact.first_name),
        last_name=_text(contact.last_name),
        email=tolerant_email(contact.email),
        birthday=tolerant_birthday(contact.birthday),
        other=_text(contact.other),
    )


def unchanged_member(contact: ContactInfo, known: Mapping[str, str]) -> Fields | None:
    """``contact``'s set fields when it is a member of the state unchanged, else None.

    ``known`` is the state's print map (E.164 number -> fingerprint). A contact returned
    under one of its numbers with the fields it fingerprinted needs no parsing of its number
    nor cleaning of its fields: both are the state's, normalised already. So a refresh
    without drift fingerprints each contact, and parses no number.
    """
    printed = known.get(contact.phone_number)
    if printed is None:
        return None
    values = _field_values(contact)
    if digest(values) != printed:
        return None
    return {name: value for name, value in zip(CONTACT_FIELDS, values, strict=True) if value}


#: A contact's fields as a tuple, in :data:`CONTACT_FIELDS` order.
_field_values = operator.attrgetter(*CONTACT_FIELDS)
