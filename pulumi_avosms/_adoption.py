"""Adopting an existing object with ``import_``: the checks both resources share.

Pure rules, no API call: ``check`` uses :func:`replacement_with_import` and
:func:`import_mismatch`; ``create`` uses :func:`adoption_mismatch` and :func:`not_found_text`
once it has read the object named by ``import_``. Each returns ``None`` when all is well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.dynamic import CheckFailure

from ._engine import IMPORT_PROPERTY, is_unknown
from .validation import ValidationError, normalize_list_id

#: One replacing change: (property, value in state, new input).
Change = tuple[str, str, str]


def known_changes(
    olds: Mapping[str, Any], inputs: Mapping[str, Any], props: Sequence[str]
) -> list[Change]:
    """The ``props`` whose known new input differs from a value in state.

    A value missing or empty in ``olds`` is no change (a new resource, or a state written
    before the property existed), and neither is an unknown new input.
    """
    return [
        (prop, old, new)
        for prop in props
        if isinstance(old := olds.get(prop), str)
        and old
        and isinstance(new := inputs.get(prop), str)
        and not is_unknown(new)
        and new != old
    ]


def account_change(olds: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[Change]:
    """The change of ``account`` (one item) for a resource already in state, else ``[]``.

    No ``account`` is the stack's default account; ``olds`` empty is a new resource.
    """
    if not olds:
        return []
    old, new = olds.get("account"), inputs.get("account")
    if is_unknown(new) or (old or None) == (new or None):
        return []
    return [("account", str(old or "(default)"), str(new or "(default)"))]


def replacement_with_import(
    kind: str, inputs: Mapping[str, Any], changes: Sequence[Change]
) -> CheckFailure | None:
    """Refuse a replacing change while ``import_`` is still in the program.

    The replacement's create would adopt the imported ``kind`` ("list", "contact") again
    instead of creating a new one.
    """
    import_id = inputs.get(IMPORT_PROPERTY)
    if not import_id or not changes:
        return None
    moves = " and ".join(f"{prop} changes from {old} to {new}" for prop, old, new in changes)
    return CheckFailure(
        IMPORT_PROPERTY,
        f"import_ still names {kind} {import_id}, but {moves}, which replaces the {kind}: "
        f"the replacement would adopt that {kind} again instead of creating a new one. Remove "
        "import_ from the program in this change (it is only needed for the first `pulumi up`).",
    )


def import_mismatch(
    kind: str, named: Sequence[tuple[str, str, str]], inputs: Mapping[str, Any], form: str
) -> CheckFailure | None:
    """Refuse an ``import_`` ID that names another ``kind`` than the inputs declare.

    ``named`` holds, for each part of the ID, ``(property, what it is, value in the ID)``,
    e.g. ``("list_id", "list", "7")``; ``form`` is the ID's shape for the message
    (``'<list_id>/<phone_number>'``). Unknown inputs are skipped.
    """
    problems = [
        f"{label} {value} but {prop} is {declared!r}"
        for prop, label, value in named
        if isinstance(declared := inputs.get(prop), str)
        and not is_unknown(declared)
        and declared != value
    ]
    if not problems:
        return None
    return CheckFailure(
        IMPORT_PROPERTY,
        f"import_ names {' and '.join(problems)}; import_ must be {form} of this same {kind}",
    )


def adoption_mismatch(
    kind: str, import_id: str, wanted: Mapping[str, Any], live: Mapping[str, Any]
) -> str | None:
    """The message when the program's values differ from the adopted object's, else None."""
    rows = [
        f"  {prop:<13} program: {wanted[prop]!r:<30} AvoSMS: {live[prop]!r}"
        for prop in wanted
        if wanted[prop] != live[prop]
    ]
    if not rows:
        return None
    return (
        f"Cannot import {kind} {import_id}: the program does not match the {kind} in AvoSMS.\n"
        + "\n".join(rows)
        + "\nChange the program to the AvoSMS values to import it as it is; you can change "
        "them in a later update once it is managed."
    )


def not_found_text(kind: str, import_id: str, where: str, form: str) -> str:
    """The message when the object named by ``import_`` does not exist (``where`` says why)."""
    return (
        f"Cannot import {kind} {import_id}: {where}. Check the ID given to import_ "
        f"(ResourceOptions(import_={form})). If this {kind} was imported earlier and has "
        "since been removed in AvoSMS, remove import_ from the program so that `pulumi up` "
        "creates it again."
    )


def take_list_import_id(
    news: Mapping[str, Any], inputs: dict[str, Any], failures: list[CheckFailure]
) -> bool:
    """Copy ``import_``'s list ID from ``news`` into ``inputs``, normalised.

    True when a known, valid ID was taken (the caller then checks it against the inputs); a
    malformed one is a failure, an unknown one is passed through.
    """
    import_id = news.get(IMPORT_PROPERTY)
    if import_id is None:
        return False
    if is_unknown(import_id):
        inputs[IMPORT_PROPERTY] = import_id
        return False
    try:
        inputs[IMPORT_PROPERTY] = normalize_list_id(import_id)
    except ValidationError as err:
        failures.append(CheckFailure(IMPORT_PROPERTY, f"import_ {err}"))
        return False
    return True
