"""Text that is safe to show: values quoted in messages, and text that came from a reply.

Used by the validation (refused inputs) and by the client (reply fields, error codes); it
imports nothing of the package, so both can use it without pulling the other in.
"""

from __future__ import annotations

import json
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable
from typing import Any

__all__ = ["describe", "safe_text", "scrub", "shorten"]

#: Default bound on a reply text quoted in an error (a code, a message, an excerpt).
MAX_QUOTED = 160

_JSON_KINDS: dict[type, str] = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "an array",
    tuple: "an array",
    dict: "an object",
}


def shorten(value: str, limit: int = 40) -> str:
    """``repr`` of ``value`` cut to ``limit`` characters (control and bidi characters escaped)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def describe(value: Any) -> str:
    """How a refused value is quoted in a message: its JSON kind and at most 40 characters.

    ``None`` is ``null``; ``"abc"`` is ``a string 'abc'``; ``33`` is ``a number 33``.
    """
    if value is None:
        return "null"
    kind = _JSON_KINDS.get(type(value), f"a {type(value).__name__}")
    if isinstance(value, str):
        return f"{kind} {shorten(value)}"
    if isinstance(value, (dict, list, tuple)):
        return kind  # the content may be large or nested: its kind says enough
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's int-to-str digit limit
        return f"{kind} too large to show"
    return f"{kind} {text if len(text) <= 40 else text[:40] + '…'}"


def _spellings(secret: str) -> set[str]:
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
    spellings = {s for secret in secrets if secret for s in _spellings(secret)}
    if not spellings:
        return text
    pattern = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.sub(pattern, "***", text, flags=re.IGNORECASE)


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
    longest = max((len(s) for secret in secrets if secret for s in _spellings(secret)), default=0)
    # Keep enough past the limit that a secret straddling the cut is still recognised.
    head = text[: limit + longest]
    cut = len(text) > limit
    cleaned = scrub(head, secrets)[:limit]
    return "".join(_escape(c) for c in cleaned) + ("…" if cut else "")
