"""Input validation shared by the providers. No network: ``check`` must be free and offline.

Every function takes the raw value the engine handed over (any type) and either returns the
normalised value or raises :class:`ValidationError` with a sentence meant for the user; the
caller attaches the property name.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from ._lazy import lazy_module

if TYPE_CHECKING:
    import pycountry
else:
    # ~40 ms to import: the plugin's start-up and a program pay only when a country is checked.
    pycountry = lazy_module("pycountry")


class ValidationError(ValueError):
    """A property value is unusable; ``str()`` is the reason shown next to the property."""


def describe(value: Any) -> str:
    """How a refused value is quoted in a failure: its type, and at most 40 characters."""
    if isinstance(value, str):
        return shorten(value)
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's int-to-str digit limit
        return f"a {type(value).__name__} too large to show"
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:40] + '…'}"


def shorten(value: str, limit: int = 40) -> str:
    """``repr`` of ``value``, cut to ``limit`` characters."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


# Codes people write that ISO 3166-1 reserves for other uses (the EU's own abbreviations).
_COMMON_MISTAKES = {"UK": "GB", "EL": "GR"}


def normalize_country_code(value: Any) -> str:
    """Return the ISO 3166-1 alpha-2 code in upper case, or explain what to write instead."""
    if not isinstance(value, str):
        raise ValidationError(
            f"must be a two-letter ISO 3166-1 alpha-2 country code such as 'FR', "
            f"got {describe(value)}"
        )
    text = value.strip()
    if not text:
        raise ValidationError(
            "must not be empty; use a two-letter ISO 3166-1 alpha-2 code such as 'FR'"
        )
    if len(text) == 2 and text.isascii() and text.isalpha():
        country = pycountry.countries.get(alpha_2=text.upper())
        if country is not None:
            return str(country.alpha_2)
        if text.upper() in _COMMON_MISTAKES:
            raise ValidationError(
                f"{shorten(text)} is not an ISO 3166-1 alpha-2 code; "
                f"use {_COMMON_MISTAKES[text.upper()]!r}"
            )
        raise ValidationError(f"{shorten(text)} is not an ISO 3166-1 alpha-2 country code")
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        country = None
    if country is not None:
        if text.upper() == country.alpha_3:
            raise ValidationError(f"{shorten(text)} is alpha-3; use {country.alpha_2!r}")
        if text.isdigit():
            raise ValidationError(f"{shorten(text)} is a numeric code; use {country.alpha_2!r}")
        raise ValidationError(f"{shorten(text)} is a country name; use {country.alpha_2!r}")
    raise ValidationError(
        f"{shorten(text)} is not a country code; "
        "use a two-letter ISO 3166-1 alpha-2 code such as 'FR'"
    )


def check_text(value: Any, *, required: bool) -> str:
    """Trim a free-text value and reject what cannot travel to AvoSMS intact.

    Control characters (including CR/LF and NUL) and lone surrogates are refused rather than
    stripped, so that what reaches AvoSMS is what the user wrote, minus surrounding spaces.
    """
    if not isinstance(value, str):
        raise ValidationError(f"must be a string, got {describe(value)}")
    text = value.strip()
    if required and not text:
        raise ValidationError("must not be empty")
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Cc":
            raise ValidationError(
                f"contains the control character U+{ord(char):04X} at position {index}; remove it"
            )
        if category == "Cs":
            raise ValidationError(
                f"contains an unpaired surrogate U+{ord(char):04X} at position {index}, "
                "which is not valid text"
            )
    return text


def normalize_list_name(value: Any) -> str:
    """A contact list name: a non-empty string after trimming, without control characters."""
    return check_text(value, required=True)


def normalize_list_id(value: Any) -> str:
    """An AvoSMS list ID as given to ``import_``, as a string.

    The API documents IDs only as "the list's ID" (numbers in practice, sometimes sent as
    strings), so anything printable without spaces or slashes is accepted.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError(f"must be an AvoSMS list ID such as '1234', got {describe(value)}")
    try:
        text = str(value).strip()
    except ValueError:  # an int beyond Python's int-to-str digit limit
        raise ValidationError(
            f"must be an AvoSMS list ID such as '1234', got {describe(value)}"
        ) from None
    if not text or "/" in text or not text.isprintable() or any(c.isspace() for c in text):
        raise ValidationError(
            f"{shorten(text)} is not an AvoSMS list ID; list IDs look like '1234' "
            "(see `avosms-emulator lists`, the `contact/list` endpoint or the AvoSMS console)"
        )
    return text
