"""Text that is safe to show: values quoted in messages, and text that came from a reply.

Used by the validation (refused inputs) and by the client (reply fields, error codes); it
imports nothing of the package, so both can use it without pulling the other in.

Every untrusted text (from a reply, a CSV file or the program) reaches a message through
:func:`safe_text` (scrubbed of the keys in any case, bounded, control and bidi characters
escaped): directly, or through :func:`shorten` / :func:`describe` for one value, or through
:func:`message`, the one builder of a message that interpolates values (each value is made
safe unless it is :class:`Known` text the package built).
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
import urllib.parse
from collections.abc import Iterable
from typing import Any

__all__ = [
    "Known",
    "describe",
    "holds_secret",
    "message",
    "safe_join",
    "safe_text",
    "scrub",
    "shorten",
    "spellings",
]

#: Default bound on a reply text quoted in an error (a code, a message, an excerpt).
MAX_QUOTED = 160
#: Default bound on one value quoted in a message (a name, a refused input).
MAX_VALUE = 40
#: The shortest key looked for: a shorter "key" (a placeholder in a test stack) would match
#: ordinary words, and refusing or hiding those would garble every message.
MIN_SECRET = 8

_JSON_KINDS: dict[type, str] = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "an array",
    tuple: "an array",
    dict: "an object",
}


def shorten(value: str, limit: int = MAX_VALUE, secrets: Iterable[str] = ()) -> str:
    """``value`` in quotes, as :func:`safe_text` makes it (``limit`` characters at most)."""
    text = safe_text(value, secrets, limit)
    # repr's choice of quotes: the other kind when the text holds only one kind.
    return f'"{text}"' if "'" in text and '"' not in text else f"'{text}'"


def describe(value: Any, secrets: Iterable[str] = ()) -> str:
    """How a refused value is quoted in a message: its JSON kind and at most 40 characters.

    ``None`` is ``null``; ``"abc"`` is ``a string 'abc'``; ``33`` is ``a number 33``.
    """
    if value is None:
        return "null"
    kind = _JSON_KINDS.get(type(value), f"a {type(value).__name__}")
    if isinstance(value, str):
        return f"{kind} {shorten(value, MAX_VALUE, secrets)}"
    if isinstance(value, (dict, list, tuple)):
        return kind  # the content may be large or nested: its kind says enough
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's int-to-str digit limit
        return f"{kind} too large to show"
    return f"{kind} {text if len(text) <= 40 else text[:40] + '…'}"


def spellings(secret: str) -> set[str]:
    """``secret`` as it may appear in a text: as typed, URL-encoded, JSON-escaped."""
    # A proxy or error page that echoes the request shows the key as it travelled:
    # form-encoded (``+`` for space, ``%2B``...) or JSON-escaped (``\\/``).
    return {
        secret,
        urllib.parse.quote_plus(secret),
        urllib.parse.quote(secret, safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret)[1:-1].replace("/", "\\/"),
    }


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every spelling of every non-empty secret in ``text``, in any case, by ``***``."""
    every = {s for secret in secrets if secret for s in spellings(secret)}
    if not every:
        return text
    pattern = "|".join(re.escape(s) for s in sorted(every, key=len, reverse=True))
    return re.sub(pattern, "***", text, flags=re.IGNORECASE)


def holds_secret(text: str, secret: str) -> bool:
    """Whether ``text`` holds ``secret`` in any case or spelling, percent-encoded too (at any
    depth: ``%2541`` is ``%41`` is ``A``), as a URL may carry it."""
    if len(secret) < MIN_SECRET:
        return False
    seen: set[str] = set()
    while text not in seen:
        seen.add(text)
        for variant in (text, text.replace("+", " ")):  # ``+`` is a space in a form
            if scrub(variant, (secret,)) != variant:
                return True
        text = urllib.parse.unquote(text)
    return False


def _escape(char: str) -> str:
    # Control (Cc), format/bidi (Cf), separators other than space (Zl, Zp) and unpaired
    # surrogates (Cs) could rewrite a terminal line or reorder what the user reads.
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def safe_text(text: str, secrets: Iterable[str] = (), limit: int = MAX_QUOTED) -> str:
    """Untrusted text (from a reply) made fit for an error or stderr.

    Bounded to ``limit`` characters before anything else (so the cost is bounded too),
    scrubbed of the secrets in any case, and with control and bidi characters escaped.
    """
    secrets = tuple(secrets)
    longest = max((len(s) for secret in secrets if secret for s in spellings(secret)), default=0)
    # Keep enough past the limit that a secret straddling the cut is still recognised.
    head = text[: limit + longest]
    cut = len(text) > limit
    cleaned = scrub(head, secrets)[:limit]
    return "".join(_escape(c) for c in cleaned) + ("…" if cut else "")


class Known(str):
    """Text the package wrote (or already made safe): :func:`message` inserts it unchanged."""

    __slots__ = ()


class _SafeFormatter(string.Formatter):
    def __init__(self, secrets: tuple[str, ...]) -> None:
        self.secrets = secrets

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        # ``!s``: untrusted text shown bare (no quotes), still made safe. Any other conversion
        # (``!r``, ``!a``) is the default: quoted, made safe (never Python's repr).
        if conversion == "s" and isinstance(value, str) and not isinstance(value, Known):
            return Known(safe_text(value, self.secrets, MAX_VALUE))
        return value

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Known):
            shown = str(value)
        elif isinstance(value, str):
            shown = shorten(value, MAX_VALUE, self.secrets)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**MAX_VALUE:
            shown = str(value)  # a count or a position (a huge int is described, cut short)
        else:
            shown = describe(value, self.secrets)
        return format(shown, format_spec)


def message(template: str, /, *, secrets: Iterable[str] = (), **values: Any) -> Known:
    """The one way to build a message that quotes values: ``template.format(**values)``,
    where each value is made safe first.

    A ``str`` is quoted (``'abc'``) by :func:`shorten`: scrubbed of ``secrets``, bounded to
    40 characters, control and bidi characters escaped; ``{name!s}`` shows it the same way
    without the quotes (``!r`` is the default, never Python's ``repr``). An ``int`` is shown
    as is, :class:`Known` text unchanged, any other value by :func:`describe`. The result is
    :class:`Known`, so messages compose, and is scrubbed once more as a whole.
    """
    secrets = tuple(secrets)
    return Known(scrub(_SafeFormatter(secrets).format(template, **values), secrets))


def safe_join(
    items: Iterable[Any], secrets: Iterable[str] = (), *, template: str = "{item}", sep: str = ", "
) -> Known:
    """``items`` joined for a message, each shown by :func:`message` with ``template`` (so
    quoted by default; ``"{item!s}"`` shows bare text)."""
    secrets = tuple(secrets)
    return Known(sep.join(message(template, secrets=secrets, item=item) for item in items))
