"""What AvoSMS holds, as typed values shared by the client, the providers and validation.

Nothing here imports Pulumi, requests or the validation libraries: it is plain data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: A contact's optional fields, in the order AvoSMS documents them (``last_name`` is
#: AvoSMS's ``contactName``). The same names are the Contact resource's inputs.
CONTACT_FIELDS = ("civility", "first_name", "last_name", "email", "birthday", "other")
#: What a ContactListMembers member (or a members CSV column) may hold: the number and those.
MEMBER_FIELDS = ("phone_number", *CONTACT_FIELDS)


@dataclass(frozen=True)
class ContactListInfo:
    """One contact list as ``contact/list`` describes it."""

    list_id: str
    name: str
    country_code: str
    country_name: str
    contact_count: int
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class ContactInfo:
    """One contact of a list: its E.164 number and its optional fields ("" when unset).

    With slots: a list's information reply makes one per contact (100 bytes each, not 300).
    """

    phone_number: str
    civility: str = ""
    last_name: str = ""
    first_name: str = ""
    email: str = ""
    birthday: str = ""
    other: str = ""

    def fields(self) -> dict[str, str]:
        """The optional fields by name (:data:`CONTACT_FIELDS`), without the number."""
        # Not dataclasses.asdict: it deep-copies, and this runs for every contact of a reply.
        return {name: getattr(self, name) for name in CONTACT_FIELDS}

    def unencodable_fields(self) -> list[str]:
        """The fields holding text no gRPC message can carry to the engine (a lone surrogate,
        which a JSON reply may spell ``"\\ud800"``): what a step must not return."""
        unencodable = []
        for name in CONTACT_FIELDS:
            value: str = getattr(self, name)
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    unencodable.append(name)
        return unencodable


@dataclass(frozen=True)
class ContactListDetail(ContactListInfo):
    """One contact list with its contacts (``contact/list/information``)."""

    contacts: tuple[ContactInfo, ...]
