"""A contact as AvoSMS returned it, cleaned as the inputs would be, to compare with them.

Shared by ``Contact`` (its read-back and refresh) and ``ContactListMembers`` (a list's
contacts), so that both see the same contact in the same reply.
"""

from __future__ import annotations

from typing import Any

from ._model import ContactInfo
from .client.replies import tolerant_birthday, tolerant_email

__all__ = ["clean_live_contact"]


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
