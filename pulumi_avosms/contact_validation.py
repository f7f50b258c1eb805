"""Validation of a contact's inputs. No network: ``check`` must be free and offline.

Same conventions as :mod:`pulumi_avosms.validation`: each ``normalize_*`` function takes the
raw value the engine handed over (any type), returns the normalised value or raises
:class:`~pulumi_avosms.validation.ValidationError` with a sentence for the user; the caller
attaches the property name. ``phonenumbers`` and ``pycountry`` load on first use (see
:mod:`pulumi_avosms._lazy`), so a plugin or program that never checks a number does not pay
for their metadata.

AvoSMS documents no format for the e-mail, birthday or civility fields (only their names);
the choices made here are stated at each function.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._lazy import lazy_module
from ._model import CONTACT_FIELDS, ContactInfo
from .errors import InvalidContactError
from .validation import ValidationError, check_text, describe, normalize_list_id, shorten

if TYPE_CHECKING:
    import phonenumbers
    import pycountry
else:
    phonenumbers = lazy_module("phonenumbers")
    pycountry = lazy_module("pycountry")

__all__ = [
    "InvalidContactError",
    "check_contact",
    "country_label",
    "format_contact_id",
    "normalize_birthday",
    "normalize_civility",
    "normalize_contact",
    "normalize_email",
    "normalize_optional_text",
    "normalize_phone_number",
    "parse_contact_id",
    "phone_region",
    "phone_type_label",
]

_EXAMPLE_NUMBER = "'+33 6 12 34 56 78'"


# -- phone numbers ------------------------------------------------------------------------


def normalize_phone_number(value: Any) -> str:
    """Return the number in E.164 form (``"+33612345678"``), or explain what to write.

    The number must carry its country calling code (``+33 6 12 34 56 78``): the list's
    country, which AvoSMS uses to read national numbers, is usually another resource's
    output and not known when inputs are checked, and a number that means one thing in
    ``check`` and another at ``create`` would be worse than asking for the ``+CC`` form.
    """
    if not isinstance(value, str):
        raise ValidationError(
            f"must be a string in international form such as {_EXAMPLE_NUMBER}, "
            f"got {describe(value)}"
        )
    text = value.strip()
    if not text:
        raise ValidationError(
            f"must not be empty; write the number in international form such as {_EXAMPLE_NUMBER}"
        )

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException as err:
        if err.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            if text.lstrip().startswith("+"):
                raise ValidationError(
                    f"{shorten(text)} starts with an unknown country calling code"
                ) from None
            if text.startswith("00"):
                # 00 is the international prefix dialled from most countries; E.164 writes +.
                raise ValidationError(
                    f"{shorten(text)} starts with 00, the international dialling prefix; write "
                    f"the number with + instead: {shorten('+' + text[2:].lstrip())}"
                ) from None
            raise ValidationError(
                f"{shorten(text)} has no country calling code; write it in international "
                f"+CC form, e.g. {_EXAMPLE_NUMBER} rather than '06 12 34 56 78'"
            ) from None
        reason = {
            phonenumbers.NumberParseException.TOO_LONG: "it is too long",
            phonenumbers.NumberParseException.TOO_SHORT_NSN: "it is too short",
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short",
        }.get(err.error_type, "it does not look like one")
        raise ValidationError(
            f"{shorten(text)} is not a phone number ({reason}); "
            f"write it in international form such as {_EXAMPLE_NUMBER}"
        ) from None
    if number.extension:
        # An extension cannot receive an SMS, and E.164 has no place for it: keeping only
        # the main number would silently send to someone else's switchboard.
        raise ValidationError(
            f"{shorten(text)} has an extension ({number.extension}); SMS cannot reach "
            "extensions, give the direct (mobile) number"
        )
    if not phonenumbers.is_valid_number(number):
        region = phonenumbers.region_code_for_country_code(number.country_code or 0)
        where = f" for {country_label(region)}" if region not in (None, "ZZ", "001") else ""
        raise ValidationError(
            f"{shorten(text)} is not a valid phone number{where} (wrong length or prefix for "
            f"+{number.country_code})"
        )
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def phone_region(e164: str) -> str | None:
    """ISO 3166-1 alpha-2 region of a number (``"FR"``), or None when unknown/non-geographic."""

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    return region if region and region not in ("ZZ", "001") else None


def phone_type_label(e164: str) -> str:
    """A short human name of the number's type ("fixed line", "toll-free"...) for messages."""

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return "unknown type"
    kind = phonenumbers.number_type(number)
    names = {
        phonenumbers.PhoneNumberType.FIXED_LINE: "fixed line",
        phonenumbers.PhoneNumberType.MOBILE: "mobile",
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed line or mobile",
        phonenumbers.PhoneNumberType.TOLL_FREE: "toll-free",
        phonenumbers.PhoneNumberType.PREMIUM_RATE: "premium-rate",
        phonenumbers.PhoneNumberType.SHARED_COST: "shared-cost",
        phonenumbers.PhoneNumberType.VOIP: "VoIP",
        phonenumbers.PhoneNumberType.PERSONAL_NUMBER: "personal number",
        phonenumbers.PhoneNumberType.PAGER: "pager",
        phonenumbers.PhoneNumberType.UAN: "UAN",
        phonenumbers.PhoneNumberType.VOICEMAIL: "voicemail",
    }
    return names.get(kind, "unknown type")


def country_label(code: str | None) -> str:
    """``"FR (France)"`` for messages; the bare code when pycountry does not know it."""
    if not code:
        return "an unknown country"

    country = pycountry.countries.get(alpha_2=code.upper())
    return f"{code.upper()} ({country.name})" if country is not None else code.upper()


# -- e-mail -------------------------------------------------------------------------------

# AvoSMS documents no e-mail format. Conservative choice: a plain ASCII "local@domain.tld"
# (RFC 5322 dot-atom local part; domain of LDH labels with an alphabetic or punycode TLD).
# No quoted local parts, IP-literal domains or raw Unicode domains (write IDNs as
# "xn--..."), since a service that does not document the format may well refuse them.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TLD = r"(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})"
_EMAIL_RE = re.compile(rf"({_LOCAL})@((?:{_LABEL}\.)+{_TLD})")
# RFC 5321 limits: 64 characters before the @, 254 in all.
_MAX_LOCAL, _MAX_EMAIL = 64, 254


def normalize_email(value: Any) -> str:
    """An optional e-mail address: ``""`` when absent; the domain part in lower case.

    Only the domain is lower-cased: the local part is case-sensitive in principle (RFC 5321),
    so ``Alice@Example.COM`` becomes ``Alice@example.com``. Nothing is looked up (no DNS).
    """
    text = normalize_optional_text(value)
    if not text:
        return ""
    match = _EMAIL_RE.fullmatch(text)
    if match is None:
        raise ValidationError(
            f"{shorten(text)} is not an e-mail address of the form local@domain.tld "
            "(ASCII only; write international domains in their xn-- form)"
        )
    local, domain = match.groups()
    if len(local) > _MAX_LOCAL or len(text) > _MAX_EMAIL:
        raise ValidationError(
            f"{shorten(text)} is too long for an e-mail address "
            f"(at most {_MAX_LOCAL} characters before the @, {_MAX_EMAIL} in all)"
        )
    return f"{local}@{domain.lower()}"


# -- birthday -----------------------------------------------------------------------------

#: The accepted birthday formats, as every birthday failure states them.
_BIRTHDAY_FORMATS = "YYYY-MM-DD (e.g. '1990-05-17') or DD/MM/YYYY (e.g. '17/05/1990')"
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FRENCH_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def normalize_birthday(value: Any) -> str:
    """An optional birthday: ``""`` when absent, else ``YYYY-MM-DD`` (what is sent to AvoSMS).

    AvoSMS documents no date format for ``contactBirthday`` (nor shows one in the
    ``contact/list/information`` example). Choice: accept ISO 8601 ``YYYY-MM-DD``, and the
    French ``DD/MM/YYYY`` that AvoSMS's own (French) console users write, normalised to
    ``YYYY-MM-DD`` — the calendar format a MySQL-backed service stores natively. ``MM/DD``
    is never accepted: ``03/04/1990`` is read the French way only. The date must exist;
    no range is imposed (AvoSMS documents none).
    """
    try:
        text = normalize_optional_text(value)
    except ValidationError as err:
        raise ValidationError(f"{err}; write it as {_BIRTHDAY_FORMATS}") from None
    if not text:
        return ""
    iso = _ISO_DATE_RE.fullmatch(text)
    french = _FRENCH_DATE_RE.fullmatch(text)
    if iso is None and french is None:
        raise ValidationError(f"{shorten(text)} is not a date; write it as {_BIRTHDAY_FORMATS}")
    if iso is not None:
        year, month, day = iso.groups()
    else:
        assert french is not None
        day, month, year = french.groups()
    try:
        # date.fromisoformat on an explicit YYYY-MM-DD string: no locale, and unlike
        # strptime it does not accept one-digit fields or other ISO variants by accident.
        date = datetime.date.fromisoformat(f"{year}-{int(month):02d}-{int(day):02d}")
    except ValueError:
        raise ValidationError(
            f"{shorten(text)} is not a calendar date (no such day); write it as {_BIRTHDAY_FORMATS}"
        ) from None
    return date.isoformat()


# -- civility and other free text ---------------------------------------------------------


def normalize_optional_text(value: Any) -> str:
    """An optional free-text field: ``""`` when absent (None), else trimmed clean text."""
    if value is None:
        return ""
    return check_text(value, required=False)


def normalize_civility(value: Any) -> str:
    """An optional civility (title): any clean text.

    AvoSMS documents ``contactCivility`` without its values (no list of "M."/"Mme"/"Mr"...),
    so none is imposed: any text without control characters, trimmed.
    """
    return normalize_optional_text(value)


# -- contact IDs --------------------------------------------------------------------------


def format_contact_id(list_id: str, e164: str) -> str:
    """The resource ID of a contact: ``"<list_id>/<E.164 number>"``."""
    return f"{list_id}/{e164}"


def parse_contact_id(value: Any) -> tuple[str, str]:
    """Split ``"<list_id>/<number>"`` into the list ID and the E.164 number.

    Used for ``import_`` values (the number may be written in any international form,
    ``"7/+33 6 12 34 56 78"``) and for the IDs in state.
    """
    if not isinstance(value, str) or "/" not in value:
        raise ValidationError(
            f"must be '<list id>/<phone number>' such as '1234/+33612345678', got {describe(value)}"
        )
    list_part, _, number_part = value.strip().partition("/")
    try:
        list_id = normalize_list_id(list_part)
    except ValidationError as err:
        raise ValidationError(f"{shorten(value)}: the part before '/' {err}") from None
    try:
        e164 = normalize_phone_number(number_part)
    except ValidationError as err:
        raise ValidationError(f"{shorten(value)}: the phone number part {err}") from None
    return list_id, e164


# -- a whole contact ----------------------------------------------------------------------


#: The normaliser of each of a contact's properties (``phone_number`` and the fields).
NORMALISERS: Mapping[str, Callable[[Any], str]] = {
    "phone_number": normalize_phone_number,
    "civility": normalize_civility,
    "first_name": normalize_optional_text,
    "last_name": normalize_optional_text,
    "email": normalize_email,
    "birthday": normalize_birthday,
    "other": normalize_optional_text,
}


def check_contact(
    props: Mapping[str, Any], *, pending: Callable[[Any], bool] = lambda _value: False
) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise a contact's ``phone_number`` and :data:`CONTACT_FIELDS` in ``props``.

    Returns the values by property and the failure reasons by property (each reason starts
    with the property's name). ``phone_number`` is required; an optional field that is absent
    or None becomes ``""`` (what AvoSMS holds for it). Values for which ``pending`` is true
    (the engine's unknowns, during a preview) pass through unchanged.
    """
    values: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    for prop, normalise in NORMALISERS.items():
        value = props.get(prop)
        if pending(value):
            values[prop] = value
        elif value is None and prop == "phone_number":
            reasons[prop] = f"{prop} is required"
        else:
            try:
                values[prop] = normalise(value)
            except ValidationError as err:
                reasons[prop] = f"{prop} {err}"
    return values, reasons


def normalize_contact(props: Mapping[str, Any]) -> ContactInfo:
    """One contact's inputs (``phone_number`` and :data:`CONTACT_FIELDS`), normalised.

    Raises :class:`InvalidContactError` naming every unusable property. Other keys of
    ``props`` (``list_id``, ``import_id``...) are ignored.
    """
    values, reasons = check_contact(props)
    if reasons:
        raise InvalidContactError(reasons)
    return ContactInfo(values["phone_number"], **{name: values[name] for name in CONTACT_FIELDS})
