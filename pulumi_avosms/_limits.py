"""The size limits a list's members live under, derived from the engine's message limit.

Plain numbers and one estimate, no import of Pulumi or ``requests``: the client, the rules
of ``check`` and the test harness read them from here, so each fact is written once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .client.endpoints import CONTACT_FIELD_NAMES

__all__ = [
    "ENGINE_MESSAGE_BYTES",
    "MAX_INFORMATION_BYTES",
    "MAX_MEMBERS_REPLY_BYTES",
    "REPLY_BYTES_PER_CONTACT",
    "information_reply_bytes",
]

#: The largest gRPC message the Pulumi engine sends or accepts (``rpcutil.MaxRPCMessageSize``
#: in the engine, ``_MAX_RPC_MESSAGE_SIZE`` in the Python SDK): 400 MiB.
ENGINE_MESSAGE_BYTES = 400 * 1024 * 1024

#: The largest ``contact/list/information`` reply read (200 MiB): half the engine's message limit.
#: A preview's Check and Diff each carry a ContactListMembers's members twice (the inputs in
#: the state and the new ones), and a member takes fewer bytes there than its contact in the
#: reply, which spells AvoSMS's seven key names (:data:`REPLY_BYTES_PER_CONTACT`) where the
#: state holds a fingerprint and the names of set fields only. So a list whose reply fits
#: here gives a state every later step can send, and ``check`` refuses members whose reply
#: would not fit: the provider never builds a state it cannot refresh. About 550,000
#: contacts with every field set (~380 bytes each).
MAX_INFORMATION_BYTES = ENGINE_MESSAGE_BYTES // 2

#: What ``check`` accepts for one list's members, as :func:`information_reply_bytes`
#: estimates their reply: the reply limit less 1 MiB for the list's own fields.
MAX_MEMBERS_REPLY_BYTES = MAX_INFORMATION_BYTES - 1024 * 1024

#: Bytes of one contact in an ``information`` reply besides its number and values: the seven
#: keys with their quotes, colons and blanks, the values' quotes, the commas and braces
#: (``{"contact_civility": "", ..., "contact_other": ""}, ``), as ``json.dumps`` spells them
#: with its default separators (the emulator; a compact reply is 14 bytes shorter): 170.
REPLY_BYTES_PER_CONTACT = (
    sum(
        len(key) + 8
        for key in ("contact_telephone_number", *(k for _, k in CONTACT_FIELD_NAMES.values()))
    )
    + 2
)


def _plain(text: str) -> bool:
    """Whether ``text`` is itself in JSON: printable ASCII without quote or backslash."""
    return text.isascii() and text.isprintable() and '"' not in text and "\\" not in text


def _json_chars(text: str) -> int:
    # A plain text is itself in JSON; the rest is measured, as a reply escapes it (PHP's
    # json_encode and Python's json.dumps write \uXXXX by default).
    if _plain(text):
        return len(text)
    return len(json.dumps(text)) - 2


def information_reply_bytes(members: Mapping[str, Mapping[str, str]]) -> int:
    """The size of the ``information`` reply of a list holding ``members`` (number -> set
    fields), as AvoSMS would spell it (see :data:`REPLY_BYTES_PER_CONTACT`)."""
    parts = list(members)
    for fields in members.values():
        parts.extend(fields.values())
    text = "".join(parts)
    if _plain(text):
        # Every number and value is itself in JSON (what a text is, each piece of it is):
        # one test of all of them instead of one per string.
        return REPLY_BYTES_PER_CONTACT * len(members) + len(text)
    return sum(
        REPLY_BYTES_PER_CONTACT
        + _json_chars(number)
        + sum(_json_chars(value) for value in fields.values())
        for number, fields in members.items()
    )
