"""Adopting an existing object with ``import_``: the checks both resources share.

Pure rules, no API call: ``check`` uses :func:`replacement_with_import` and
:func:`import_mismatch`; ``create`` uses :func:`adoption_mismatch` and :func:`not_found_text`
once it has read the object named by ``import_``. Each returns ``None`` when all is well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi.dynamic import CheckFailure

from ._engine import IMPORT_PROPERTY, is_unknown
from ._text import Known, message, safe_join
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
    moves = safe_join(
        (
            message("{prop!s} changes from {old!s} to {new!s}", prop=prop, old=old, new=new)
            for prop, old, new in changes
        ),
        sep=" and ",
    )
    return CheckFailure(
        IMPORT_PROPERTY,
        message(
            "import_ still names {kind!s} {import_id!s}, but {moves}, which replaces the "
            "{kind!s}: the replacement would adopt that {kind!s} again instead of creating a "
            "new one. Remove import_ from the program in this change (it is only needed for "
            "the first `pulumi up`).",
            kind=kind,
            import_id=import_id,
            moves=moves,
        ),
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
        message(
            "{label!s} {value!s} but {prop!s} is {declared}",
            label=label,
            value=value,
            prop=prop,
            declared=declared,
        )
        for prop, label, value in named
        if isinstance(declared := inputs.get(prop), str)
        and not is_unknown(declared)
        and declared != value
    ]
    if not problems:
        return None
    return CheckFailure(
        IMPORT_PROPERTY,
        message(
            "import_ names {problems}; import_ must be {form!s} of this same {kind!s}",
            problems=safe_join(problems, sep=" and "),
            form=form,
            kind=kind,
        ),
    )


def adoption_mismatch(
    kind: str,
    import_id: str,
    wanted: Mapping[str, Any],
    live: Mapping[str, Any],
    secrets: Iterable[str] = (),
) -> str | None:
    """The message when the program's values differ from the adopted object's, else None.

    The AvoSMS values are the reply's text: each is shown made safe (scrubbed of
    ``secrets``, bounded, escaped), as the program's are.
    """
    secrets = tuple(secrets)
    rows = [
        message(
            "  {prop!s:<13} program: {wanted:<30} AvoSMS: {live}",
            secrets=secrets,
            prop=prop,
            wanted=wanted[prop],
            live=live[prop],
        )
        for prop in wanted
        if wanted[prop] != live[prop]
    ]
    if not rows:
        return None
    return message(
        "Cannot import {kind!s} {import_id!s}: the program does not match the {kind!s} in "
        "AvoSMS.\n{rows}\nChange the program to the AvoSMS values to import it as it is; you "
        "can change them in a later update once it is managed.",
        secrets=secrets,
        kind=kind,
        import_id=import_id,
        rows=Known("\n".join(rows)),
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
