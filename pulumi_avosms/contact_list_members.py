"""``ContactListMembers``: the whole membership of an AvoSMS contact list as one resource.

The provider class's module path and name
(``pulumi_avosms.contact_list_members.ContactListMembersProvider``) are stored, by reference,
in every ContactListMembers's state: renaming or moving it breaks existing stacks.

Identity and state
    The resource ID is the list's ID. The ``members`` input is stored as a map keyed by
    E.164 number (``{"+33612345678": {"first_name": "Alice"}}``, only non-empty fields), so
    a plan names exactly the numbers added, removed or changed. The ``members`` output holds
    only a fingerprint per number (``{"+33612345678": "3f2a…"}``): the fields are stored
    once, which keeps the state under 200 bytes a member. Outputs also carry
    ``member_count`` and the list's ``contact_count`` after the step.

Modes
    ``exclusive=True`` (default): the list holds the declared contacts and nothing else; a
    refresh puts every contact of the list in the state, so one added in the console is
    drift that ``pulumi up`` removes. ``exclusive=False``: only the declared numbers are
    managed; other contacts of the list are left alone and never read into the state.

Calls
    Each step reads the list at most once (``contact/list/information``) and then makes one
    call per number that differs, at most ``avosms:maxConcurrency`` at once, each retried
    like every call. A step that fails part-way reports every failed number and leaves the
    rest applied: a create converges on the next ``pulumi up`` (it re-reads the list first),
    and a refresh shows what an update applied.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ._engine import IMPORT_PROPERTY, is_unknown
from ._members_plan import (
    MemberMap,
    Plan,
    PrintMap,
    compact,
    contact_of,
    differences,
    fingerprint,
    plan_changes,
    prints,
    shown,
)
from ._model import CONTACT_FIELDS, ContactInfo
from ._provider import AvoSMSProvider, move_import_option, with_account
from ._serialize import DynamicResource
from .client.replies import tolerant_birthday, tolerant_email, tolerant_phone_number
from .config import DEFAULT_MAX_CONCURRENCY
from .contact_validation import (
    normalize_birthday,
    normalize_civility,
    normalize_email,
    normalize_optional_text,
    normalize_phone_number,
)
from .errors import APIError, ConflictError, ContactListMembersError, NotFoundError
from .validation import ValidationError, describe, normalize_list_id

__all__ = ["ContactListMembers", "ContactListMembersError", "ContactListMembersProvider"]

#: The member keys a program may give: the number and the Contact fields.
MEMBER_KEYS = ("phone_number", *CONTACT_FIELDS)
#: A step with at least this many calls prints its progress on stderr.
PROGRESS_MIN_CALLS = 100
#: Seconds between two progress lines of a long step.
PROGRESS_INTERVAL = 5.0
#: Failed numbers listed in an error; the rest are counted.
MAX_LISTED_FAILURES = 20

#: Progress word of a call -> its verb in a failure line.
_VERBS = {"added": "add", "updated": "update", "removed": "remove"}

_NORMALISERS: dict[str, Callable[[Any], str]] = {
    "civility": normalize_civility,
    "first_name": normalize_optional_text,
    "last_name": normalize_optional_text,
    "email": normalize_email,
    "birthday": normalize_birthday,
    "other": normalize_optional_text,
}


def normalize_member(value: Any) -> ContactInfo:
    """One declared member, validated and normalised as a ``Contact``'s inputs are.

    Raises :class:`ValidationError` naming the field. (Kept as the one place that turns a
    member into a contact, so a shared ``normalize_contact`` can replace its body.)
    """
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"must be a dict with phone_number and Contact fields, got {describe(value)}"
        )
    unknown = sorted(str(key) for key in value if key not in MEMBER_KEYS)
    if unknown:
        raise ValidationError(
            f"has unknown field(s) {', '.join(unknown)}; members take {', '.join(MEMBER_KEYS)}"
        )
    if value.get("phone_number") is None:
        raise ValidationError("has no phone_number (required)")
    fields: dict[str, str] = {}
    for name in MEMBER_KEYS:
        normalise = normalize_phone_number if name == "phone_number" else _NORMALISERS[name]
        try:
            fields[name] = normalise(value.get(name))
        except ValidationError as err:
            raise ValidationError(f"{name} {err}") from None
    return ContactInfo(**fields)


def _contains_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(_contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_unknown(v) for v in value)
    return False


def _contains_output(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(_contains_output(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_output(v) for v in value)
    return False


def check_members(value: Any) -> tuple[MemberMap | None, list[str]]:
    """The declared member list as a member map, or the reasons it is refused."""
    if isinstance(value, Mapping) or not isinstance(value, Sequence) or isinstance(value, str):
        return None, [f"members must be a list of dicts, got {describe(value)}"]
    members: MemberMap = {}
    positions: dict[str, int] = {}
    problems: list[str] = []
    for index, raw in enumerate(value):
        number = raw.get("phone_number") if isinstance(raw, Mapping) else None
        where = f"members[{index}]" + (f" ({number})" if isinstance(number, str) else "")
        try:
            contact = normalize_member(raw)
        except ValidationError as err:
            problems.append(f"{where} {err}")
            continue
        first = positions.get(contact.phone_number)
        if first is not None:
            problems.append(
                f"members[{first}] and members[{index}] are the same number "
                f"{contact.phone_number}; declare each number once"
            )
            continue
        positions[contact.phone_number] = index
        members[contact.phone_number] = compact(contact)
    return members, problems


@dataclass
class _Progress:
    """Counts of one step's calls, printed on stderr while a long step runs."""

    label: str
    totals: dict[str, int]
    done: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def tick(self, verb: str) -> None:
        with self.lock:
            self.done[verb] = self.done.get(verb, 0) + 1

    def line(self) -> str:
        with self.lock:
            parts = [
                f"{self.done.get(verb, 0)}/{total} contacts {verb}"
                for verb, total in self.totals.items()
                if total
            ]
        return f"{self.label}: {', '.join(parts)}"


class ContactListMembersProvider(AvoSMSProvider):
    """Dynamic provider for :class:`ContactListMembers`.

    Holds nothing when constructed (it pickles by reference); settings, including
    ``avosms:maxConcurrency``, are read in :meth:`configure`.
    """

    # -- engine entry points -------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate every member and normalise the inputs; no API call."""
        inputs: dict[str, Any] = {}
        failures: list[CheckFailure] = []

        list_id = news.get("list_id")
        if list_id is None:
            failures.append(CheckFailure("list_id", "list_id is required"))
        elif is_unknown(list_id):
            inputs["list_id"] = list_id
        else:
            try:
                inputs["list_id"] = normalize_list_id(list_id)
            except ValidationError as err:
                failures.append(CheckFailure("list_id", f"list_id {err}"))

        raw_members = news.get("members")
        if raw_members is None:
            failures.append(CheckFailure("members", "members is required (a list, maybe empty)"))
        elif _contains_unknown(raw_members):
            # A member built from another resource's output: known at `up`, checked then.
            inputs["members"] = raw_members
        else:
            members, problems = check_members(raw_members)
            shown = problems[:MAX_LISTED_FAILURES]
            if len(problems) > len(shown):
                shown.append(f"... and {len(problems) - len(shown)} more invalid member(s)")
            failures += [CheckFailure("members", problem) for problem in shown]
            if members is not None and not problems:
                inputs["members"] = members

        exclusive = news.get("exclusive", True)
        if exclusive is None:
            exclusive = True
        if is_unknown(exclusive) or isinstance(exclusive, bool):
            inputs["exclusive"] = exclusive
        else:
            failures.append(
                CheckFailure(
                    "exclusive", f"exclusive must be True or False, got {describe(exclusive)}"
                )
            )

        import_id = news.get(IMPORT_PROPERTY)
        if import_id is not None:
            if is_unknown(import_id):
                inputs[IMPORT_PROPERTY] = import_id
            else:
                try:
                    inputs[IMPORT_PROPERTY] = normalize_list_id(import_id)
                except ValidationError as err:
                    failures.append(CheckFailure(IMPORT_PROPERTY, f"import_ {err}"))
                else:
                    declared = inputs.get("list_id")
                    if (
                        isinstance(declared, str)
                        and not is_unknown(declared)
                        and declared != inputs[IMPORT_PROPERTY]
                    ):
                        failures.append(
                            CheckFailure(
                                IMPORT_PROPERTY,
                                f"import_ names list {inputs[IMPORT_PROPERTY]} but list_id is "
                                f"{declared!r}; import_ must be the list_id of this resource",
                            )
                        )
        self._check_account(news, inputs, failures)
        return CheckResult(inputs, self._guard_api_key(_flat_strings(news), failures))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the state with the checked inputs; no API call. ``list_id`` and ``account``
        replace."""
        changed: list[str] = []
        replaces: list[str] = []
        for prop in ("list_id", "account"):
            new = news.get(prop)
            if is_unknown(new):
                changed.append(prop)
                # A list_id known only at `up` (a ContactList being replaced) is a new list.
                if prop == "list_id" and olds.get(prop):
                    replaces.append(prop)
            elif new != olds.get(prop):
                changed.append(prop)
                replaces.append(prop)
        new_members = news.get("members")
        if (
            not isinstance(new_members, dict)
            or _contains_unknown(new_members)
            or plan_changes(new_members, _previous(olds), remove_others=True)
        ):
            changed.append("members")
        if _exclusive(news) != _exclusive(olds):
            changed.append("exclusive")
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Read the list once, then add, update (and when exclusive remove) what differs.

        With ``import_``, take the list's contacts over instead, changing nothing.
        """
        list_id = str(props["list_id"])
        declared = _members_of(props)
        exclusive = _exclusive(props)
        live, count = self._live(list_id, step="create", account=props.get("account"))
        if props.get(IMPORT_PROPERTY):
            return self._adopt(props, live, count)
        plan = plan_changes(declared, live, remove_others=exclusive)
        _warn_undeclared(list_id, plan.removes, self._secrets())
        count = self._apply(
            list_id, declared, plan, live_count=count, step="create", account=props.get("account")
        )
        return CreateResult(list_id, _outputs(props, declared, count))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """One ``information`` call: exclusive, every contact; additive, the declared ones."""
        list_id = str(id_)
        account = props.get("account")
        client = self._client(account)
        try:
            detail = client.get_list(list_id, max_age=client.read_cache_ttl)
        except NotFoundError:
            return ReadResult("", {})
        except APIError as err:
            raise ContactListMembersError(
                f"Could not refresh the members of contact list {list_id}: {err}", list_id=list_id
            ) from err
        live = _live_members(detail.contacts, detail.country_code)
        exclusive = _exclusive(props)
        if exclusive:
            members = live
            if "members" in props:  # a refresh (an import has no previous state)
                previous = _previous(props)
                _warn_outside(list_id, [n for n in live if n not in previous], self._secrets())
        else:
            declared = _previous(props)
            members = {n: live[n] for n in sorted(declared) if n in live}
        inputs = {"list_id": list_id, "members": members, "exclusive": exclusive}
        with_account(inputs, account)
        if props.get(IMPORT_PROPERTY):
            inputs[IMPORT_PROPERTY] = props[IMPORT_PROPERTY]
        outs = _outputs(inputs, members, detail.contact_count)
        return ReadResult(list_id, outs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Calls only for the numbers that changed since the state (one read more when
        ``exclusive`` turns on, to find the contacts not declared)."""
        list_id = str(news["list_id"])
        declared = _members_of(news)
        previous = _previous(olds)
        count = olds.get("contact_count")
        live_count = int(count) if isinstance(count, (int, float)) else len(previous)
        if _exclusive(news) and not _exclusive(olds):
            live, live_count = self._live(list_id, step="update", account=news.get("account"))
            plan = plan_changes(declared, live, remove_others=True)
            _warn_undeclared(
                list_id, tuple(n for n in plan.removes if n not in previous), self._secrets()
            )
        else:
            plan = plan_changes(declared, previous, remove_others=True)
        account = news.get("account")
        live_count = self._apply(
            list_id, declared, plan, live_count=live_count, step="update", account=account
        )
        return UpdateResult(_outputs(news, declared, live_count))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Remove the members in the state; a list or contact already gone is fine."""
        list_id = str(id_)
        numbers = tuple(sorted(_previous(props)))
        self._apply(
            list_id,
            {},
            Plan(removes=numbers),
            live_count=len(numbers),
            step="delete",
            account=props.get("account"),
        )

    # -- helpers -------------------------------------------------------------------------

    def _live(self, list_id: str, *, step: str, account: str | None) -> tuple[MemberMap, int]:
        """The list's contacts as a member map, and its contact count (one fresh read)."""
        try:
            detail = self._client(account).get_list(list_id)
        except NotFoundError as err:
            raise ContactListMembersError(
                f"Could not {step} the members of contact list {list_id}: there is no such "
                "list in the AvoSMS account (deleted in the console?). Run `pulumi refresh` on "
                f"the stack that manages the list so that `pulumi up` creates it again. ({err})",
                list_id=list_id,
            ) from err
        except APIError as err:
            raise ContactListMembersError(
                f"Could not {step} the members of contact list {list_id}: {err}", list_id=list_id
            ) from err
        return _live_members(detail.contacts, detail.country_code), detail.contact_count

    def _adopt(self, props: dict[str, Any], live: MemberMap, count: int) -> CreateResult:
        list_id = str(props["list_id"])
        exclusive = _exclusive(props)
        lines = differences(_members_of(props), live, exclusive=exclusive, secrets=self._secrets())
        if lines:
            shown = "\n".join(f"  {line}" for line in lines[:MAX_LISTED_FAILURES])
            more = len(lines) - MAX_LISTED_FAILURES
            tail = f"\n  ... and {more} more" if more > 0 else ""
            raise ContactListMembersError(
                f"Cannot import the members of contact list {list_id}: the program differs "
                f"from the list in AvoSMS for {len(lines)} number(s):\n{shown}{tail}\n"
                "Import changes nothing: make the program match the list (or import with "
                "exclusive=False to take over only the declared numbers), then change it "
                "in a later `pulumi up`.",
                list_id=list_id,
            )
        members = live if exclusive else {n: live[n] for n in _members_of(props)}
        return CreateResult(list_id, _outputs(props, members, count))

    def _secrets(self) -> list[str]:
        """The API keys a message must never show."""
        return [key for _, key in self._api_keys()]

    def _max_concurrency(self) -> int:
        settings = self._settings
        return settings.max_concurrency if settings is not None else DEFAULT_MAX_CONCURRENCY

    def _apply(
        self,
        list_id: str,
        declared: MemberMap,
        plan: Plan,
        *,
        live_count: int,
        step: str,
        account: str | None,
    ) -> int:
        """Run the plan's calls concurrently; the list's contact count after them.

        Raises :class:`ContactListMembersError` listing every failed number once all calls
        are done (the successful ones stay applied).
        """
        if not len(plan):
            return live_count
        client = self._client(account)
        label = f"contact list {list_id}"
        progress = _Progress(
            label,
            {"added": len(plan.adds), "updated": len(plan.updates), "removed": len(plan.removes)},
        )
        failures: dict[str, str] = {}
        codes: set[str | None] = set()
        lock = threading.Lock()
        delta = {"added": 0, "removed": 0}

        def add(number: str) -> None:
            try:
                client.add_contact(list_id, contact_of(number, declared[number]))
            except ConflictError:
                # Already there (added by hand, or by an earlier half-done step): update it.
                # Counted as added all the same: the count this step started from lacked it.
                client.update_contact(list_id, contact_of(number, declared[number]))
            with lock:
                delta["added"] += 1

        def update(number: str) -> None:
            try:
                client.update_contact(list_id, contact_of(number, declared[number]))
            except NotFoundError as err:
                if err.code != "ERR_104":
                    raise
                # Removed in the console since the last refresh: add it back.
                client.add_contact(list_id, contact_of(number, declared[number]))
                with lock:
                    delta["added"] += 1

        def remove(number: str) -> None:
            try:
                client.delete_contact(list_id, number)
            except NotFoundError:
                return  # ERR_103 (list gone) or ERR_104 (contact gone): the goal is reached
            with lock:
                delta["removed"] += 1

        def run(verb: str, action: Callable[[str], None], number: str) -> None:
            try:
                action(number)
            except APIError as err:
                with lock:
                    failures[number] = f"{_VERBS[verb]}: {err}"
                    codes.add(err.code)
            progress.tick(verb)

        jobs = [("added", add, n) for n in plan.adds]
        jobs += [("updated", update, n) for n in plan.updates]
        jobs += [("removed", remove, n) for n in plan.removes]
        loud = len(jobs) >= PROGRESS_MIN_CALLS
        with ThreadPoolExecutor(
            max_workers=self._max_concurrency(), thread_name_prefix="avosms-members"
        ) as pool:
            pending = {pool.submit(run, *job) for job in jobs}
            while pending:
                done, pending = wait(
                    pending, timeout=PROGRESS_INTERVAL, return_when=FIRST_EXCEPTION
                )
                for future in done:
                    future.result()  # re-raise a bug (not an APIError) at once
                if loud and pending:
                    _say(progress.line())
        if loud:
            _say(progress.line())
        count = live_count + delta["added"] - delta["removed"]
        if failures and codes == {"ERR_103"} and step != "delete":
            # Every call says the list does not exist: one sentence, not one line per number.
            raise ContactListMembersError(
                f"Could not {step} the members of contact list {list_id}: the list no longer "
                "exists in the AvoSMS account (deleted in the console?). Run `pulumi refresh` "
                "on the stack that manages the list so that `pulumi up` creates it again.",
                list_id=list_id,
                failures=failures,
            )
        if failures:
            raise ContactListMembersError(
                _failure_message(list_id, step, len(jobs), failures, self._secrets()),
                list_id=list_id,
                failures=failures,
            )
        return count


def _warn_undeclared(list_id: str, numbers: Sequence[str], secrets: Sequence[str]) -> None:
    """Say on stderr that exclusive mode removes contacts nobody declared here: if Contact
    resources (or another stack) manage them, the two would undo each other at every up."""
    if not numbers:
        return
    listed = ", ".join(shown(n, secrets) for n in numbers[:5])
    listed += f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
    _say(
        f"warning: contact list {list_id}: removing {len(numbers)} contact(s) that "
        f"ContactListMembers does not declare (exclusive=True): {listed}. If Contact resources "
        "or another stack manage them, they will fight over the list; declare them in members, "
        "or set exclusive=False."
    )


def _warn_outside(list_id: str, numbers: Sequence[str], secrets: Sequence[str]) -> None:
    """Say on stderr which contacts a refresh found that this resource did not add: in
    exclusive mode the next ``pulumi up`` removes them, which undoes a Contact resource (or
    a console edit) every time unless the user is told."""
    if not numbers:
        return
    listed = ", ".join(shown(n, secrets) for n in numbers[:MAX_LISTED_FAILURES])
    more = len(numbers) - MAX_LISTED_FAILURES
    listed += f" and {more} more" if more > 0 else ""
    _say(
        f"warning: contact list {list_id}: {len(numbers)} contact(s) were added outside this "
        f"ContactListMembers (in the console, by Contact resources or another stack): {listed}. "
        "With exclusive=True the next `pulumi up` removes them; declare them in members, or "
        "set exclusive=False, so that the two do not fight over the list."
    )


def _say(line: str) -> None:
    # The plugin's stderr reaches the user through the CLI.
    print(line, file=sys.stderr, flush=True)


def _failure_message(
    list_id: str, step: str, total: int, failures: Mapping[str, str], secrets: Sequence[str]
) -> str:
    numbers = sorted(failures)
    rows = "\n".join(f"  {shown(n, secrets)}: {failures[n]}" for n in numbers[:MAX_LISTED_FAILURES])
    more = len(numbers) - MAX_LISTED_FAILURES
    tail = f"\n  ... and {more} more" if more > 0 else ""
    return (
        f"Could not {step} the members of contact list {list_id}: {len(numbers)} of {total} "
        f"call(s) failed:\n{rows}{tail}\nThe other changes were applied and stay applied: "
        "`pulumi refresh` shows the list as it is, and `pulumi up` again makes only the "
        "calls still needed."
    )


def _flat_strings(news: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level inputs plus every string inside ``members``, for the API-key guard."""
    flat = {k: v for k, v in news.items() if k != "members"}
    members = news.get("members")
    if isinstance(members, (list, tuple)):
        for index, member in enumerate(members):
            if isinstance(member, Mapping):
                for key, value in member.items():
                    if isinstance(value, str):
                        flat[f"members[{index}].{key}"] = value
    return flat


def _members_of(props: Mapping[str, Any]) -> MemberMap:
    """The ``members`` input (checked): fields by number."""
    members = props.get("members")
    if not isinstance(members, Mapping):
        return {}
    return {str(n): dict(f) if isinstance(f, Mapping) else {} for n, f in members.items()}


def _previous(outs: Mapping[str, Any]) -> PrintMap:
    """The ``members`` output of a state: a fingerprint by number (a state written before
    fingerprints holds the fields, fingerprinted here)."""
    members = outs.get("members")
    if not isinstance(members, Mapping):
        return {}
    return {
        str(n): fingerprint(f if isinstance(f, (str, Mapping)) else {}) for n, f in members.items()
    }


def _exclusive(props: Mapping[str, Any]) -> bool:
    value = props.get("exclusive")
    return value is not False


def _live_members(contacts: Sequence[ContactInfo], region: str) -> MemberMap:
    """A list's contacts as a member map, fields normalised as inputs would be."""
    members: MemberMap = {}
    for contact in contacts:
        # AvoSMS may return another format than was sent: key by E.164 read with the list's
        # country; a number that does not parse is kept as returned, so it still shows.
        number = (
            tolerant_phone_number(contact.phone_number, region) or str(contact.phone_number).strip()
        )
        fields = ContactInfo(
            number,
            civility=(contact.civility or "").strip(),
            last_name=(contact.last_name or "").strip(),
            first_name=(contact.first_name or "").strip(),
            email=tolerant_email(contact.email),
            birthday=tolerant_birthday(contact.birthday),
            other=(contact.other or "").strip(),
        )
        members[number] = compact(fields)
    return dict(sorted(members.items()))


def _outputs(props: Mapping[str, Any], members: MemberMap, contact_count: int) -> dict[str, Any]:
    outs: dict[str, Any] = {
        "list_id": str(props["list_id"]),
        "members": prints(members),
        "exclusive": _exclusive(props),
        "member_count": len(members),
        "contact_count": int(contact_count),
    }
    if props.get(IMPORT_PROPERTY):
        outs[IMPORT_PROPERTY] = props[IMPORT_PROPERTY]
    return with_account(outs, props.get("account"))


class ContactListMembers(DynamicResource, module="avosms", name="ContactListMembers"):
    """Every contact of one AvoSMS list, declared as one resource.

    ``members`` is a list of dicts with ``phone_number`` (required, international form) and
    the ``Contact`` fields. With ``exclusive=True`` (default) contacts of the list that are
    not declared are drift and are removed by ``pulumi up``; with ``exclusive=False`` they
    are left alone. Do not also manage the same list's contacts with ``Contact`` resources
    while exclusive: each would undo the other. Adopt a list's current contacts with
    ``opts=pulumi.ResourceOptions(import_="<list id>")``.
    """

    list_id: pulumi.Output[str]
    """The AvoSMS ID of the list."""
    # Any, not dict[...]: under mocks (tests) outputs echo the inputs, where members is a list.
    members: pulumi.Output[Any]
    """A fingerprint of each member's fields by E.164 number (``{number: "3f2a…"}``); the
    fields themselves are the ``members`` input, stored once."""
    exclusive: pulumi.Output[bool]
    """Whether contacts not declared are removed."""
    member_count: pulumi.Output[int]
    """How many members the state holds."""
    contact_count: pulumi.Output[int]
    """How many contacts the list holds, as of the last step."""
    account: pulumi.Output[str | None]
    """The named account of the list (None: the stack's default account)."""

    def __init__(
        self,
        resource_name: str,
        *,
        list_id: pulumi.Input[str],
        members: pulumi.Input[Sequence[pulumi.Input[Mapping[str, pulumi.Input[str]]]]],
        exclusive: pulumi.Input[bool] = True,
        account: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare the contacts of the list ``list_id`` (a ContactList's ``list_id`` output,
        or the ID of a list not managed by this program). ``account`` names the account of
        ``avosms:accounts`` the list is in (see docs/accounts.md; None: the default one)."""
        if _contains_output(members):
            # One Output for the whole list: secret when any field is, so the engine (which
            # marks a property secret by name) encrypts the stored member map, keyed by number.
            members = pulumi.Output.from_input(members)
        props: dict[str, Any] = {
            "list_id": list_id,
            "members": list(members) if isinstance(members, (list, tuple)) else members,
            "exclusive": exclusive,
            "account": account,
            "member_count": None,
            "contact_count": None,
        }
        opts = move_import_option(props, opts)
        super().__init__(ContactListMembersProvider(), resource_name, props, opts)
