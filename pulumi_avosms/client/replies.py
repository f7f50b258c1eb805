"""Reply parsing: typed values (:mod:`pulumi_avosms._model`) from AvoSMS's success replies.

The JSON types of ids and counts are undocumented, so numbers and numeric strings are both
accepted; anything else raises :class:`MalformedReply` naming the field, which the client
turns into an :class:`~pulumi_avosms.errors.UnexpectedResponseError`. The ``tolerant_*``
functions clean up contact fields as AvoSMS returns them, so they compare with inputs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .._model import CONTACT_FIELDS, ContactInfo, ContactListDetail, ContactListInfo
from .._text import describe
from ..contact_validation import normalize_birthday, normalize_email
from ..errors import MalformedReply, ReplyTooComplex, ValidationError
from .endpoints import CONTACT_FIELD_NAMES

__all__ = [
    "MalformedReply",
    "ReplyTooComplex",
    "decode_information",
    "decode_reply",
    "match_name",
    "parse_created_id",
    "parse_detail",
    "parse_listing",
    "tolerant_birthday",
    "tolerant_email",
    "tolerant_phone_number",
]

# ASCII digits only (str.isdigit also takes "²" and "①", which int() refuses), and few of
# them: no account holds 10^15 contacts, and int() of thousands of digits is slow or refused.
_COUNT = re.compile(r"([0-9]{1,15})(?:\.0+)?", re.ASCII)
_MAX_COUNT = 10**15
_MAX_ID_CHARS = 64


#: The largest reply read from any endpoint but ``information`` (whose limit,
#: :data:`~pulumi_avosms._limits.MAX_INFORMATION_BYTES`, is the engine's). Those replies are
#: a code, an ID or the account's listing (~200 bytes a list): 16 MiB holds some 80,000 lists.
MAX_REPLY_BYTES = 16 * 1024 * 1024
#: At most this many JSON values (counted by their separators) are parsed from one such
#: reply, so a reply of tiny items ("[{},{},...]") cannot cost gigabytes: 1M stay near 100 MB.
MAX_REPLY_VALUES = 1_000_000
#: An ``information`` reply may hold more values than :data:`MAX_REPLY_VALUES`, at most one
#: per this many bytes: AvoSMS's keys are long (``"contact_email": "",`` is 19 bytes for one
#: value), so a real reply holds one value per 19 bytes or more, and a reply of tiny items
#: is refused unparsed (what is parsed costs at most ~7 bytes of memory per reply byte).
MIN_BYTES_PER_VALUE = 8


def _values(body: bytes) -> int:
    # An over-estimate (separators inside strings count too), cheap: three C-speed scans.
    return body.count(b",") + body.count(b"{") + body.count(b"[")


def too_many_values(body: bytes) -> bool:
    """Whether parsing ``body`` could build more than :data:`MAX_REPLY_VALUES` values."""
    return _values(body) > MAX_REPLY_VALUES


def decode_reply(body: bytes) -> object:
    """A reply's JSON value; :class:`ReplyTooComplex` past :data:`MAX_REPLY_VALUES`, and
    ``ValueError`` (or ``RecursionError``) when it is not JSON."""
    if too_many_values(body):
        raise ReplyTooComplex(MAX_REPLY_VALUES)
    return json.loads(body)


def decode_information(body: bytes) -> object:
    """An ``information`` reply's JSON value: like :func:`decode_reply`, but it may hold more
    than :data:`MAX_REPLY_VALUES` values, one per :data:`MIN_BYTES_PER_VALUE` bytes at most
    (a list's contacts). Reading one peaks under 6 bytes of memory per reply byte (5.0 on
    Python 3.10): the body, its text, the parsed reply and the contacts made from it."""
    limit = max(MAX_REPLY_VALUES, len(body) // MIN_BYTES_PER_VALUE)
    if _values(body) > limit:
        raise ReplyTooComplex(limit)
    return json.loads(body)


def _require(obj: Mapping[str, Any], name: str, where: str) -> Any:
    if name not in obj:
        raise MalformedReply(f"{where} has no '{name}' field")
    return obj[name]


def as_id(value: Any, field: str) -> str:
    """An id sent as a number or a string, as a string."""
    if isinstance(value, bool):  # bool is an int subclass; True is no id
        raise MalformedReply(f"'{field}' is a boolean, expected an id")
    if isinstance(value, int) and 0 <= value < 10**_MAX_ID_CHARS:
        return str(value)
    if isinstance(value, float) and value.is_integer() and 0 <= value < 2**63:
        return str(int(value))
    if isinstance(value, str):
        text = value.strip()
        if text and len(text) <= _MAX_ID_CHARS and text.isprintable() and "/" not in text:
            return text
    raise MalformedReply(f"'{field}' is {describe(value)}, expected an id (number or string)")


def as_count(value: Any, field: str) -> int:
    """A non-negative count sent as a number or a string (``"3"``, ``"3.0"``)."""
    number: int | None = None
    if isinstance(value, bool):
        raise MalformedReply(f"'{field}' is a boolean, expected a count")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        match = _COUNT.fullmatch(value.strip())
        if match is not None:
            number = int(match.group(1))
    if number is None or not 0 <= number < _MAX_COUNT:
        raise MalformedReply(f"'{field}' is {describe(value)}, expected a count (number or string)")
    return number


def as_text(value: Any, field: str, *, required: bool = False) -> str:
    """A text field; ``null`` reads as empty unless ``required``; numbers as their digits."""
    if value is None and not required:
        return ""  # PHP APIs send null for unset optional fields
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        return str(value)  # e.g. a phone number or postcode serialised as a JSON number
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e30:
        return str(int(value))
    raise MalformedReply(f"'{field}' is {describe(value)}, expected a string")


def as_datetime(value: Any) -> datetime | None:
    """Parse ``YYYY-MM-DD HH:MM:SS``; anything missing or odd gives ``None``.

    The creation time is informational only, so an unusual value must not fail a read. The
    time zone is undocumented, so the result is naive (as AvoSMS gives it).
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _is_nothing(value: Any) -> bool:
    return value is None or value is False or value == "" or value == [] or value == {}


def as_items(value: Any, field: str) -> list[Any]:
    """An array; PHP's spellings of "nothing" read as empty, ``{"0": …}`` as its values."""
    # Empty collections may come back as null or be omitted, and PHP's json_encode turns an
    # array with non-sequential keys into an object {"0": {...}, "3": {...}}: accept all three.
    if _is_nothing(value):
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    raise MalformedReply(f"'{field}' is {describe(value)}, expected an array")


def _info_fields(obj: Mapping[str, Any], where: str) -> dict[str, Any]:
    return {
        "name": as_text(
            _require(obj, "list_contact_name", where), "list_contact_name", required=True
        ),
        # A country code is case-insensitive; normalise so callers can compare with "FR".
        "country_code": as_text(
            _require(obj, "list_contact_country_code", where),
            "list_contact_country_code",
            required=True,
        )
        .strip()
        .upper(),
        # Informational (its language is undocumented): tolerate it missing.
        "country_name": as_text(obj.get("list_contact_country_name"), "list_contact_country_name"),
        "contact_count": as_count(_require(obj, "nb_contact_list", where), "nb_contact_list"),
        "created_at": as_datetime(obj.get("list_contact_creation_date")),
    }


def parse_contact(obj: Any, where: str) -> ContactInfo:
    """One contact of an ``information`` reply."""
    if not isinstance(obj, dict):
        raise MalformedReply(f"{where} is {describe(obj)}, expected an object")
    phone = as_text(
        _require(obj, "contact_telephone_number", where), "contact_telephone_number", required=True
    )
    if not phone.strip():
        raise MalformedReply(f"{where} has an empty 'contact_telephone_number'")
    fields = {}
    for name, key in _REPLY_KEYS:
        value = obj.get(key)
        # Text as it almost always comes, without a call; anything else read by as_text.
        fields[name] = value if type(value) is str else as_text(value, key)
    return ContactInfo(phone_number=phone, **fields)


#: Each contact field with its key in a reply, in the order of CONTACT_FIELDS.
_REPLY_KEYS = tuple((name, CONTACT_FIELD_NAMES[name][1]) for name in CONTACT_FIELDS)


def parse_created_id(reply: Mapping[str, Any]) -> str:
    """The new list's id from a ``contact/list/create`` reply."""
    return as_id(_require(reply, "list_contact_id", "the reply"), "list_contact_id")


def parse_listing(reply: Mapping[str, Any]) -> list[ContactListInfo]:
    """The account's lists from a ``contact/list`` reply."""
    # An account without lists may omit the array altogether (undocumented): read as empty.
    items = as_items(reply.get("list_contact"), "list_contact")
    result = []
    for index, item in enumerate(items):
        where = f"list_contact[{index}]"
        if not isinstance(item, dict):
            raise MalformedReply(f"{where} is {describe(item)}, expected an object")
        list_id = as_id(_require(item, "list_contact_id", where), "list_contact_id")
        result.append(ContactListInfo(list_id=list_id, **_info_fields(item, where)))
    return result


def parse_detail(list_id: str, reply: Mapping[str, Any]) -> ContactListDetail:
    """One list with its contacts from a ``contact/list/information`` reply.

    A reply that contradicts itself (its count says N, its array holds another number of
    contacts, or none at all) is malformed: the provider must never read contacts as gone
    from a reply it cannot trust.
    """
    raw_contacts = reply.get("list_contact")
    contacts = tuple(
        parse_contact(item, f"list_contact[{index}]")
        for index, item in enumerate(as_items(raw_contacts, "list_contact"))
    )
    if reply.get("nb_contact_list") in (None, ""):
        # The count is informational and the contacts are right here: tolerate its absence.
        reply = {**reply, "nb_contact_list": len(contacts)}
    fields = _info_fields(reply, "the reply")
    if fields["contact_count"] != len(contacts):
        shown = "no contact array" if "list_contact" not in reply else describe(raw_contacts)
        held = f"{len(contacts)} contacts" if contacts else shown
        raise MalformedReply(
            f"its 'nb_contact_list' says {fields['contact_count']} contacts while "
            f"'list_contact' holds {held}"
        )
    return ContactListDetail(list_id=list_id, contacts=contacts, **fields)


def match_name(lists: Sequence[ContactListInfo], name: str) -> list[ContactListInfo]:
    """Lists named ``name``: exact matches if any, else the unique case/space-insensitive one.

    Whether AvoSMS compares names case-insensitively (or trims them) is undocumented, so a
    lookup falls back to a loose match, but only when it is unambiguous.
    """
    exact = [item for item in lists if item.name == name]
    if exact:
        return exact
    folded = name.strip().casefold()
    loose = [item for item in lists if item.name.strip().casefold() == folded]
    return loose if len(loose) == 1 else []


# -- contact fields as AvoSMS returns them ------------------------------------------------


def tolerant_phone_number(value: Any, region: str | None) -> str | None:
    """E.164 form of a number as AvoSMS returned it, read with the list's country; or None.

    AvoSMS does not document the format of ``contact_telephone_number`` (E.164, national
    "0612345678", spaced...), so numbers are compared only after this normalisation.
    Validity is not required here: only the identity of the number matters.
    """
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    text = value.strip() if isinstance(value, str) else (str(value) if value < 10**30 else "")
    if not text or len(text) > 64:  # no phone number is longer; parse nothing huge
        return None
    # Imported here: phonenumbers is only needed on the paths that compare numbers.
    import phonenumbers

    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def same_number(returned: str, wanted: str, region: str) -> bool:
    """Whether AvoSMS's spelling of a number (maybe national, spaced) is ``wanted`` (E.164)."""
    return returned == wanted or tolerant_phone_number(returned, region) == wanted


def tolerant_email(value: Any) -> str:
    """An e-mail as AvoSMS returned it, normalised like inputs when it is valid, else as is."""
    try:
        return normalize_email("" if value is None else value)
    except ValidationError:
        return str(value).strip()


def tolerant_birthday(value: Any) -> str:
    """A birthday as AvoSMS returned it: normalised like inputs when possible, else as is.

    ``0000-00-00`` (a MySQL "zero date", a likely way for a PHP service to return a cleared
    date) and None read as empty.
    """
    if value is None:
        return ""
    text = str(value).strip()
    if text in ("0000-00-00", "00/00/0000"):
        return ""
    try:
        return normalize_birthday(text)
    except ValidationError:
        return text
