"""``members_from_csv``: a ContactListMembers ``members`` list read from a CSV file.

Runs in the Pulumi program (not in the plugin), when the program is evaluated: a bad file
stops ``pulumi preview`` before anything reaches the engine, with the file, the line and the
field in the message. Values are checked and normalised with the rules a ``Contact`` uses.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from collections.abc import Mapping
from typing import IO, Any

from ._members_apply import MAX_LISTED_FAILURES
from ._model import MEMBER_FIELDS
from ._text import Known, message, scrub, shorten
from .contact_validation import NORMALISERS
from .errors import MembersCSVError, ValidationError

__all__ = ["MEMBER_FIELDS", "MembersCSVError", "members_from_csv"]

#: The delimiters a spreadsheet saves with: comma, semicolon (Excel where the decimal mark is
#: a comma, as in French), tab. The header line tells which one a file uses.
DELIMITERS = (",", ";", "\t")
#: Characters of a header name quoted in a message (the file is not ours: bounded, escaped).
_HEADER_QUOTED = 40


def members_from_csv(
    path: str | os.PathLike[str], *, columns: Mapping[str, str | None] | None = None
) -> list[dict[str, str]]:
    """Read the members of a contact list from the CSV file at ``path``.

    The first line is a header of member field names (``phone_number``, ``civility``,
    ``first_name``, ``last_name``, ``email``, ``birthday``, ``other``), in any case and with
    any surrounding spaces; ``phone_number`` is required, the other columns optional.
    ``columns`` maps other header names to those (``{"Mobile": "phone_number", "Prénom":
    "first_name"}``), or to ``None`` for a column to ignore (``{"Department": None}``); any
    other column is refused, so that a misspelt field is never dropped unseen. The delimiter
    (``,``, ``;`` or tab) is the one the header uses. UTF-8, with or without a byte order
    mark; any line ending. Returns one dict per row, with the file's columns normalised as a
    ``Contact``'s inputs are (numbers in E.164); blank lines are skipped. Raises
    :class:`MembersCSVError` for an unreadable file, an unknown header, or bad rows: every
    bad row is reported (the first 20, then how many more), each with its line and field.
    """
    name = os.fspath(path)
    mapping = _check_columns(columns or {}, name)
    try:
        # utf-8-sig: spreadsheet programs write a byte order mark, and it is not part of
        # the first header name. newline="": the csv module handles \r\n and quoted breaks.
        with open(name, encoding="utf-8-sig", newline="") as handle:
            delimiter = _delimiter(handle)
            handle.seek(0)
            return _read(csv.reader(handle, delimiter=delimiter), name, mapping)
    except UnicodeDecodeError as err:
        raise _error(
            "is not UTF-8 text (byte {byte}); save it as CSV UTF-8", path=name, byte=err.start
        ) from None
    except csv.Error as err:
        raise _error("is not valid CSV ({err!s})", path=name, err=str(err)) from None
    except OSError as err:
        raise _error("cannot be read ({err!s})", path=name, err=str(err.strerror or err)) from None


def _fold(header: str) -> str:
    """How header names compare: without case and surrounding spaces."""
    return header.strip().casefold()


def _check_columns(columns: Mapping[str, str | None], path: str) -> dict[str, str | None]:
    folded: dict[str, str | None] = {}
    for header, field in columns.items():
        if field is not None and field not in MEMBER_FIELDS:
            raise _error(
                "columns maps {header} to {target}, which is not a member field; "
                f"use one of {', '.join(MEMBER_FIELDS)}, or None to ignore the column",
                path=path,
                header=header,
                target=field,
            )
        key = _fold(header)
        if key in folded and folded[key] != field:
            raise _error(
                "columns maps {header} twice (header names compare without case and "
                "surrounding spaces); keep one of them",
                path=path,
                header=header,
            )
        folded[key] = field
    return folded


def _delimiter(handle: IO[str]) -> str:
    """The delimiter of the file's header line: the one that splits it into most columns
    (a comma when none does: a single column)."""
    line = ""
    for line in handle:
        if line.strip():
            break
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals


def _read(reader: Any, path: str, mapping: dict[str, str | None]) -> list[dict[str, str]]:
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise MembersCSVError(
            "is empty; the first line must be a header such as 'phone_number,first_name'",
            path=path,
        )
    header_line = reader.line_num
    fields = _fields_of(header, path, header_line, mapping)

    members: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    problems = _Problems()
    end_of_previous = reader.line_num
    for row in reader:
        # A quoted value may span lines: a record starts after the previous one ended.
        line, end_of_previous = end_of_previous + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(fields):
            problems.add(
                line,
                None,
                f"has {len(row)} values but the header (line {header_line}) has "
                f"{len(fields)} columns",
            )
            continue
        member, reasons = _member_of(fields, row)
        number = member.get("phone_number")
        if number is not None and number in seen:
            reasons.append(
                (
                    "phone_number",
                    f"phone_number {number} is also on line {seen[number]}; a number can be "
                    "in a list only once",
                )
            )
        if reasons:
            problems.add(line, reasons[0][0], "; ".join(text for _, text in reasons))
            continue
        seen[str(number)] = line
        members.append(member)
    problems.raise_if_any(path)
    return members


def _member_of(
    fields: list[str | None], row: list[str]
) -> tuple[dict[str, str], list[tuple[str | None, str]]]:
    """One row as a member, and what is wrong with it: (field, reason) pairs."""
    member: dict[str, str] = {}
    reasons: list[tuple[str | None, str]] = []
    for position, (field, cell) in enumerate(zip(fields, row, strict=True), start=1):
        if field is None:
            continue
        if field == "":  # a column without header: only blank values may be in it
            if cell.strip():
                reasons.append(
                    (None, f"column {position} has a value but no header; name the column")
                )
            continue
        if field == "phone_number" and not cell.strip():
            reasons.append((field, "phone_number is empty; every member needs a number"))
            continue
        try:
            member[field] = NORMALISERS[field](cell)
        except ValidationError as err:
            reasons.append((field, _refused_value(field, cell, err)))
    return member, reasons


class _Problems:
    """The bad rows of a file: the first :data:`MAX_LISTED_FAILURES` kept, the rest counted."""

    def __init__(self) -> None:
        self.listed: list[tuple[int, str | None, str]] = []
        self.count = 0

    def add(self, line: int, field: str | None, text: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_FAILURES:
            self.listed.append((line, field, text))

    def raise_if_any(self, path: str) -> None:
        if not self.listed:
            return
        secrets = _program_keys()
        line, field, text = self.listed[0]
        if self.count == 1:
            raise MembersCSVError(
                scrub(text, secrets), path=path, line=line, field=field, secrets=secrets
            )
        rows = "\n".join(f"  line {n}: {t}" for n, _, t in self.listed)
        more = self.count - len(self.listed)
        tail = f"\n  ... and {more} more rows" if more > 0 else ""
        error = MembersCSVError(
            scrub(f"{self.count} rows cannot be used:\n{rows}{tail}", secrets),
            path=path,
            secrets=secrets,
        )
        error.line, error.field = line, field  # where the first one is
        raise error


def _quoted(header: str) -> str:
    return shorten(header, _HEADER_QUOTED, _program_keys())


def _squashed(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name.casefold())


def _near_field(header: str) -> str | None:
    """The member field a header name seems meant for ('E-mail', 'Phone Number'), if any."""
    squashed = {_squashed(f): f for f in MEMBER_FIELDS}
    close = difflib.get_close_matches(_squashed(header), list(squashed), n=1, cutoff=0.85)
    return squashed[close[0]] if close else None


def _fields_of(
    header: list[str], path: str, line: int, mapping: dict[str, str | None]
) -> list[str | None]:
    """The member field of each column (None: ignored; "": no header), or an error naming
    the header names accepted and the ``columns`` that would map or ignore the others."""
    fields: list[str | None] = []
    unknown: list[str] = []
    for raw in header:
        key = _fold(raw)
        if key in mapping:
            field = mapping[key]
        elif key in MEMBER_FIELDS:
            field = key
        elif not key:
            field = ""
        else:
            unknown.append(raw.strip())
            continue
        if field and field in fields:
            raise _error(
                "two columns give {field!s} (header {header} and an earlier one); remove "
                "one, or ignore it with columns={{...: None}}",
                path=path,
                line=line,
                field=field,
                header=raw.strip(),
            )
        fields.append(field)
    if unknown:
        shown = unknown[:MAX_LISTED_FAILURES]
        suggestion = ", ".join(f"{_quoted(h)}: {_field_literal(_near_field(h))}" for h in shown)
        more = f" (and {len(unknown) - len(shown)} more)" if len(unknown) > len(shown) else ""
        names = ", ".join(_quoted(h) for h in shown)
        raise _error(
            f"unknown header{'s' if len(unknown) > 1 else ''} {{names}}{more}; the accepted "
            f"header names are {', '.join(MEMBER_FIELDS)}, in any case. Map a column to a "
            "field, or ignore it with None: columns={{{suggestion}}}",
            path=path,
            line=line,
            names=Known(names),
            suggestion=Known(suggestion),
        )
    if "phone_number" not in fields:
        raise MembersCSVError(
            "the header has no phone_number column (map yours with "
            "columns={'<your header>': 'phone_number'})",
            path=path,
            line=line,
            field="phone_number",
        )
    return fields


def _field_literal(field: str | None) -> str:
    """A member field (or None) as the Python literal a ``columns`` map would hold."""
    return "None" if field is None else f"'{field}'"


# -- messages: the file's text (headers, cells, paths) is shown only made safe --------------


def _program_keys() -> list[str]:
    """The API keys the program's settings hold: a file's text never shows them."""
    from .lookups import program_api_keys  # Pulumi's config: loaded only to report an error

    return program_api_keys()


def _error(
    template: str, *, path: str, line: int | None = None, field: str | None = None, **values: Any
) -> MembersCSVError:
    """A :class:`MembersCSVError` whose text is ``template`` built by :func:`message`."""
    secrets = _program_keys()
    text = message(template, secrets=secrets, field=field, **values)
    return MembersCSVError(text, path=path, line=line, field=field, secrets=secrets)


def _refused_value(field: str, cell: str, err: ValidationError) -> str:
    """Why a value is refused: the rule's message, which quotes it, unless it holds a key (a
    quote cut short could keep part of it)."""
    from .lookups import KEY_IN_VALUE, holds_program_key

    if holds_program_key(cell):
        return f"{field} {KEY_IN_VALUE}; remove it from the file"
    return f"{field} {err}"
