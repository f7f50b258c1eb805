"""``members_from_csv``: a ContactListMembers ``members`` list read from a CSV file.

Runs in the Pulumi program (not in the plugin), when the program is evaluated: a bad file
stops ``pulumi preview`` before anything reaches the engine, with the file, the line and the
field in the message. Values are checked and normalised with the rules a ``Contact`` uses.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from typing import Any

from ._model import MEMBER_FIELDS
from ._text import Known, message, safe_join
from .contact_validation import NORMALISERS
from .errors import MembersCSVError, ValidationError

__all__ = ["MEMBER_FIELDS", "MembersCSVError", "members_from_csv"]


def members_from_csv(
    path: str | os.PathLike[str], *, columns: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """Read the members of a contact list from the CSV file at ``path``.

    The first line is a header of member field names (``phone_number``, ``civility``,
    ``first_name``, ``last_name``, ``email``, ``birthday``, ``other``); ``phone_number`` is
    required, the other columns optional. ``columns`` maps other header names to those
    (``{"Mobile": "phone_number", "Prénom": "first_name"}``). UTF-8, with or without a byte
    order mark; any line ending. Returns one dict per row, with the file's columns normalised
    as a ``Contact``'s inputs are (numbers in E.164); blank lines are skipped. Raises
    :class:`MembersCSVError` for an unreadable file, an unknown header, a bad value or a
    number that appears twice.
    """
    name = os.fspath(path)
    mapping = _check_columns(columns or {}, name)
    try:
        # utf-8-sig: spreadsheet programs write a byte order mark, and it is not part of
        # the first header name. newline="": the csv module handles \r\n and quoted breaks.
        with open(name, encoding="utf-8-sig", newline="") as handle:
            return _read(csv.reader(handle), name, mapping)
    except UnicodeDecodeError as err:
        raise _error(
            "is not UTF-8 text (byte {byte}); save it as CSV UTF-8", path=name, byte=err.start
        ) from None
    except csv.Error as err:
        raise _error("is not valid CSV ({err!s})", path=name, err=str(err)) from None
    except OSError as err:
        raise _error("cannot be read ({err!s})", path=name, err=str(err.strerror or err)) from None


def _check_columns(columns: Mapping[str, str], path: str) -> dict[str, str]:
    for header, field in columns.items():
        if field not in MEMBER_FIELDS:
            raise _error(
                "columns maps {header} to {target}, which is not a member field; "
                f"use one of {', '.join(MEMBER_FIELDS)}",
                path=path,
                header=header,
                target=field,
            )
    return {header.strip(): field for header, field in columns.items()}


def _read(reader: Any, path: str, mapping: dict[str, str]) -> list[dict[str, str]]:
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
    end_of_previous = reader.line_num
    for row in reader:
        # A quoted value may span lines: a record starts after the previous one ended.
        line, end_of_previous = end_of_previous + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(fields):
            raise MembersCSVError(
                f"has {len(row)} values but the header (line {header_line}) has "
                f"{len(fields)} columns",
                path=path,
                line=line,
            )
        member: dict[str, str] = {}
        for field, cell in zip(fields, row, strict=True):
            if field == "phone_number" and not cell.strip():
                raise MembersCSVError(
                    "phone_number is empty; every member needs a number",
                    path=path,
                    line=line,
                    field=field,
                )
            try:
                member[field] = NORMALISERS[field](cell)
            except ValidationError as err:
                raise _refused_value(field, cell, err, path, line) from None
        number = member["phone_number"]
        if number in seen:
            raise MembersCSVError(
                f"phone_number {number} is also on line {seen[number]}; a number can be in "
                "a list only once",
                path=path,
                line=line,
                field="phone_number",
            )
        seen[number] = line
        members.append(member)
    return members


def _fields_of(header: list[str], path: str, line: int, mapping: dict[str, str]) -> list[str]:
    """The member field of each column, or an error naming the header names accepted."""
    fields: list[str] = []
    for position, raw in enumerate(header, start=1):
        text = raw.strip()
        field = mapping.get(text, text if text in MEMBER_FIELDS else None)
        if field is None:
            accepted = [*MEMBER_FIELDS, *(h for h in mapping if h not in MEMBER_FIELDS)]
            what = "unknown header {text}" if text else f"column {position} has no header"
            raise _error(
                what + "; the accepted header names are {accepted} (map other names with "
                "columns={{...}})",
                path=path,
                line=line,
                text=text,
                accepted=safe_join(accepted, template="{item!s}"),
            )
        if field in fields:
            raise _error(
                "two columns give {field!s} (header {text} and an earlier one)",
                path=path,
                line=line,
                field=field,
                text=text,
            )
        fields.append(field)
    if "phone_number" not in fields:
        raise MembersCSVError(
            "the header has no phone_number column (map yours with "
            "columns={'<your header>': 'phone_number'})",
            path=path,
            line=line,
            field="phone_number",
        )
    return fields


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


def _refused_value(
    field: str, cell: str, err: ValidationError, path: str, line: int
) -> MembersCSVError:
    """A bad value: the rule's message, which quotes it, unless it holds a key (a quote cut
    short could keep part of it)."""
    from .lookups import KEY_IN_VALUE, holds_program_key

    if holds_program_key(cell):
        return _error(
            f"{{field!s}} {KEY_IN_VALUE}; remove it from the file",
            path=path,
            line=line,
            field=field,
        )
    return _error("{field!s} {err}", path=path, line=line, field=field, err=Known(str(err)))
