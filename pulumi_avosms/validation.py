"""Input validation shared by the providers. No network: ``check`` must be free and offline.

Every function takes the raw value the engine handed over (any type) and either returns the
normalised value or raises :class:`ValidationError` with a sentence meant for the user; the
caller attaches the property name.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from ._lazy import lazy_module
from ._text import describe, shorten
from .errors import ValidationError

if TYPE_CHECKING:
    import pycountry
else:
    # ~40 ms to import: the plugin's start-up and a program pay only when a country is checked.
    pycountry = lazy_module("pycountry")


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
                f"use '{_COMMON_MISTAKES[text.upper()]}'"
            )
        raise ValidationError(f"{shorten(text)} is not an ISO 3166-1 alpha-2 country code")
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        country = None
    if country is not None:
        if text.upper() == country.alpha_3:
            raise ValidationError(f"{shorten(text)} is alpha-3; use '{country.alpha_2}'")
        if text.isdigit():
            raise ValidationError(f"{shorten(text)} is a numeric code; use '{country.alpha_2}'")
        raise ValidationError(f"{shorten(text)} is a country name; use '{country.alpha_2}'")
    raise ValidationError(
        f"{shorten(text)} is not a country code; "
        "use a two-letter ISO 3166-1 alpha-2 code such as 'FR'"
    )


def check_text(value: Any, *, required: bool) -> str:
    """Trim a free-text value and reject what cannot travel to AvoSMS intact or be seen.

    Refused rather than stripped, so that what reaches AvoSMS is what the user wrote, minus
    surrounding spaces: control characters (CR/LF, NUL...), lone surrogates, line separators,
    and Unicode format characters (category Cf: zero-width spaces and joiners, bidi overrides
    and marks, soft hyphens, byte-order marks), which are invisible or reorder what is shown,
    so two names that look identical could differ. One exception keeps emoji sequences
    intact: a zero-width joiner between two pictographs ("👩‍👩‍👧"). A required value made
    only of spaces and format characters is blank.
    """
    if not isinstance(value, str):
        raise ValidationError(f"must be a string, got {describe(value)}")
    text = value.strip()
    if text.isascii() and text.isprintable() and (text or not required):
        # Printable ASCII holds none of the characters refused below (the usual case: a
        # check of 10,000 members runs this 30,000 times).
        return text
    if required and not "".join(c for c in text if unicodedata.category(c) != "Cf").strip():
        invisible = sorted({_codepoint(c) for c in text if unicodedata.category(c) == "Cf"})
        raise ValidationError(
            "must not be empty"
            + (f"; it holds only invisible characters ({', '.join(invisible)})" if text else "")
        )
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
        if category in ("Zl", "Zp"):
            raise ValidationError(
                f"contains the line break {_codepoint(char)} at position {index}; remove it"
            )
        if category == "Cf" and not _joins_emoji(text, index):
            raise ValidationError(
                f"contains the invisible character {_codepoint(char)} at position {index}; "
                "remove it (invisible and direction-changing characters make names that look "
                "the same differ)"
            )
    return text


def _codepoint(char: str) -> str:
    """``"U+200B ZERO WIDTH SPACE"``, for messages."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"


def _joins_emoji(text: str, index: int) -> bool:
    """True for a zero-width joiner inside an emoji sequence (pictograph ZWJ pictograph)."""
    if text[index] != "\u200d" or index == 0 or index + 1 == len(text):
        return False
    before = text[index - 1]
    # U+FE0F asks for emoji presentation (🏳️‍🌈); skin tones (Sk) end a modified emoji.
    before_ok = before == "\ufe0f" or unicodedata.category(before) in ("So", "Sk")
    return before_ok and unicodedata.category(text[index + 1]) == "So"


def normalize_list_name(value: Any) -> str:
    """A contact list name: a non-empty string after trimming, without control characters."""
    return check_text(value, required=True)


#: Beyond 2**53 a float no longer holds every whole number: such an ID must be a string.
_EXACT_FLOAT_INTS = 2**53


def normalize_list_id(value: Any) -> str:
    """An AvoSMS list ID (as given to ``import_`` or ``list_id``), as a string of digits.

    The API documents IDs only as "the list's ID"; AvoSMS's IDs are numbers (sometimes sent
    as strings), so anything but ASCII digits is refused here, before it becomes a confusing
    "no such list" from AvoSMS. A whole number is an ID too (``1234``, or ``1234.0`` as the
    engine hands it over); a boolean or a fraction is not.
    """
    if isinstance(value, float) and value.is_integer() and 0 <= value <= _EXACT_FLOAT_INTS:
        # ``list_id=1234`` reaches the provider as 1234.0: the engine's numbers are floats.
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError(f"must be an AvoSMS list ID such as '1234', got {describe(value)}")
    try:
        text = str(value).strip()
    except ValueError:  # an int beyond Python's int-to-str digit limit
        raise ValidationError(
            f"must be an AvoSMS list ID such as '1234', got {describe(value)}"
        ) from None
    if not (text.isascii() and text.isdigit()):
        raise ValidationError(
            f"{shorten(text)} is not an AvoSMS list ID: list IDs are numbers, such as '1234' "
            "(see `avosms-emulator lists`, the `contact/list` endpoint or the AvoSMS console)"
        )
    return text
