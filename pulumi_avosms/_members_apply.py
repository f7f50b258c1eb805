"""How a ContactListMembers step runs its calls: concurrently, with progress and one report.

The plan (:mod:`._members_plan`) says which numbers to add, update and remove; this module
makes those calls, at most ``max_workers`` at once, prints the progress of a long step on
stderr, and raises one :class:`ContactListMembersError` naming every failed number. The
warnings about contacts this resource did not declare are printed from here too.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._members_plan import MemberMap, Plan, contact_of, shown
from .errors import APIError, ConflictError, ContactListMembersError, NotFoundError

if TYPE_CHECKING:
    # Only a type here: the client (and requests) load when a step first calls AvoSMS, so
    # that check and diff, which make no call, do not pay for them.
    from .client.api import AvoSMSClient

__all__ = [
    "MAX_LISTED_FAILURES",
    "apply_plan",
    "refusal_text",
    "say",
    "warn_left_alone",
    "warn_outside",
    "warn_undeclared",
    "warn_unreadable",
]

#: A step with at least this many calls prints its progress on stderr.
PROGRESS_MIN_CALLS = 100
#: Seconds between two progress lines of a long step.
PROGRESS_INTERVAL = 5.0
#: Failed numbers listed in an error; the rest are counted.
MAX_LISTED_FAILURES = 20

#: Progress word of a call -> its verb in a failure line.
_VERBS = {"added": "add", "updated": "update", "removed": "remove"}


@dataclass
class Progress:
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


def say(line: str) -> None:
    """Print ``line`` on stderr, which the CLI shows to the user."""
    print(line, file=sys.stderr, flush=True)


def warn_undeclared(list_id: str, numbers: Sequence[str], secrets: Sequence[str]) -> None:
    """Say on stderr, before the calls, which contacts a create removes because the program
    opted in (``remove_undeclared_on_create=True``): no preview could list them."""
    if not numbers:
        return
    say(
        f"warning: contact list {list_id}: removing {len(numbers)} contact(s) that members "
        f"does not declare, as remove_undeclared_on_create=True asks: {_listed(numbers, secrets)}."
    )


def warn_outside(list_id: str, numbers: Sequence[str], secrets: Sequence[str]) -> None:
    """Say on stderr which contacts a refresh found that this resource did not add: in
    exclusive mode the next ``pulumi up`` removes them, which undoes a Contact resource (or
    a console edit) every time unless the user is told."""
    if not numbers:
        return
    listed = ", ".join(shown(n, secrets) for n in numbers[:MAX_LISTED_FAILURES])
    more = len(numbers) - MAX_LISTED_FAILURES
    listed += f" and {more} more" if more > 0 else ""
    say(
        f"warning: contact list {list_id}: {len(numbers)} contact(s) were added outside this "
        f"ContactListMembers (in the console, by Contact resources or another stack): {listed}. "
        "With exclusive=True the next `pulumi up` removes them; declare them in members, or "
        "set exclusive=False, so that the two do not fight over the list."
    )


def warn_unreadable(list_id: str, numbers: Sequence[str], secrets: Sequence[str]) -> None:
    """Say on stderr which contacts of the list have a number the client cannot read as an
    international number: they are left alone (never removed, never in the state)."""
    if not numbers:
        return
    say(
        f"warning: contact list {list_id}: {len(numbers)} contact(s) cannot be read (a phone "
        "number that is not an international number, or a field that is not valid Unicode): "
        f"{_listed(numbers, secrets)}. "
        "ContactListMembers leaves them alone (it never removes a contact it cannot read); "
        "fix or remove them in the AvoSMS console."
    )


def warn_left_alone(
    list_id: str, numbers: Sequence[str], secrets: Sequence[str], *, why: str
) -> None:
    """Say on stderr which contacts of the list a step leaves in place although the
    program does not declare them (``why``: what happens to them next)."""
    if not numbers:
        return
    say(
        f"note: contact list {list_id}: {len(numbers)} contact(s) not declared in members are "
        f"left in the list: {_listed(numbers, secrets)}. {why}"
    )


def apply_plan(
    client: AvoSMSClient,
    list_id: str,
    declared: MemberMap,
    plan: Plan,
    *,
    live_count: int,
    step: str,
    max_workers: int,
    secrets: Sequence[str],
    undo_fresh_adds: bool = False,
) -> int:
    """Run the plan's calls concurrently; the list's contact count after them.

    Raises :class:`ContactListMembersError` listing every failed number once all calls
    are done. The engine keeps the old state after a failed step, so with
    ``undo_fresh_adds`` (a create, or an additive update: no later refresh would read a
    number the state lacks) the contacts this step created are removed again first, the
    one removal not planned by :func:`._members_plan.removals`; the other calls stay
    applied, and the state still names each of them.
    """
    if not len(plan):
        return live_count
    # Named by its list: a dynamic provider's steps get the properties, never the resource's
    # name, and the list ID is what the AvoSMS console shows.
    label = f"contact list {list_id}"
    progress = Progress(
        label,
        {"added": len(plan.adds), "updated": len(plan.updates), "removed": len(plan.removes)},
    )
    failures: dict[str, str] = {}
    codes: set[str | None] = set()
    lock = threading.Lock()
    delta = {"added": 0, "removed": 0}
    fresh: list[str] = []  # contacts this step created (none was there before)
    # Contacts added after an attempt whose outcome was unknown: there with the fields sent,
    # but maybe since before this step (added by hand). Never taken back.
    unsure: list[str] = []

    def add(number: str) -> None:
        try:
            created = client.add_contact(list_id, contact_of(number, declared[number]))
        except ConflictError:
            # Already there (added by hand, or by an earlier half-done step): update it.
            # Counted as added all the same: the count this step started from lacked it.
            client.update_contact(list_id, contact_of(number, declared[number]))
        else:
            with lock:
                (fresh if created else unsure).append(number)
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
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="avosms-members") as pool:
        pending = {pool.submit(run, *job) for job in jobs}
        while pending:
            done, pending = wait(pending, timeout=PROGRESS_INTERVAL, return_when=FIRST_EXCEPTION)
            for future in done:
                future.result()  # re-raise a bug (not an APIError) at once
            if loud and pending:
                say(progress.line())
    if loud:
        say(progress.line())
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
        undone: list[str] = []
        kept: dict[str, str] = {}
        if undo_fresh_adds:
            undone, kept = _undo_adds(client, list_id, sorted(fresh))
        raise ContactListMembersError(
            _failure_message(
                list_id, step, len(jobs), failures, secrets, undone, kept, unsure=sorted(unsure)
            ),
            list_id=list_id,
            failures=failures,
        )
    return count


def _undo_adds(
    client: AvoSMSClient, list_id: str, numbers: Sequence[str]
) -> tuple[list[str], dict[str, str]]:
    """Remove again the contacts a failed step created: the numbers removed, and the ones
    that could not be (with the error)."""
    undone: list[str] = []
    kept: dict[str, str] = {}
    for number in numbers:
        try:
            client.delete_contact(list_id, number)
        except NotFoundError:
            undone.append(number)
        except APIError as err:
            kept[number] = str(err)
        else:
            undone.append(number)
    return undone, kept


def _listed(numbers: Sequence[str], secrets: Sequence[str]) -> str:
    """Up to :data:`MAX_LISTED_FAILURES` numbers, shown safe, and how many more."""
    listed = ", ".join(shown(n, secrets) for n in numbers[:MAX_LISTED_FAILURES])
    more = len(numbers) - MAX_LISTED_FAILURES
    return listed + (f" and {more} more" if more > 0 else "")


def _failure_message(
    list_id: str,
    step: str,
    total: int,
    failures: Mapping[str, str],
    secrets: Sequence[str],
    undone: Sequence[str] = (),
    kept: Mapping[str, str] | None = None,
    *,
    unsure: Sequence[str] = (),
) -> str:
    numbers = sorted(failures)
    rows = "\n".join(f"  {shown(n, secrets)}: {failures[n]}" for n in numbers[:MAX_LISTED_FAILURES])
    more = len(numbers) - MAX_LISTED_FAILURES
    tail = f"\n  ... and {more} more" if more > 0 else ""
    settled = ""
    if undone:
        settled += (
            f"\nThe {len(undone)} contact(s) this step had added were removed again, as the "
            f"state cannot record them: {_listed(undone, secrets)}."
        )
    if kept:
        settled += (
            f"\nThe {len(kept)} contact(s) added by this step that could not be removed again "
            f"are in the list but not in the state: {_listed(sorted(kept), secrets)}. "
            "`pulumi up` again takes them over while the program declares them; remove the "
            "others in the AvoSMS console."
        )
    if unsure:
        settled += (
            f"\nThe {len(unsure)} contact(s) found in the list with the declared fields after an "
            "add whose answer was lost were left there, as they may have been there before this "
            f"step: {_listed(unsure, secrets)}. They are not in the state; `pulumi up` again "
            "takes them over while the program declares them."
        )
    return (
        f"Could not {step} the members of contact list {list_id}: {len(numbers)} of {total} "
        f"call(s) failed:\n{rows}{tail}{settled}\nThe other changes were applied and stay "
        "applied: `pulumi refresh` shows the list as it is, and `pulumi up` again makes only "
        "the calls still needed."
    )


def import_mismatch_text(list_id: str, lines: Sequence[str]) -> str:
    """Why an import (``import_``) stops: the program differs from the list for these
    numbers (``lines``, each shown safe already)."""
    shown = "\n".join(f"  {line}" for line in lines[:MAX_LISTED_FAILURES])
    more = len(lines) - MAX_LISTED_FAILURES
    tail = f"\n  ... and {more} more" if more > 0 else ""
    return (
        f"Cannot import the members of contact list {list_id}: the program differs from the "
        f"list in AvoSMS for {len(lines)} number(s):\n{shown}{tail}\nImport changes nothing: "
        "make the program match the list, then change it in a later `pulumi up`."
    )


def refusal_text(list_id: str, others: Sequence[str], secrets: Sequence[str]) -> str:
    """Why an exclusive create stops before any call: the list holds contacts the program
    does not declare, and no preview could have shown their removal."""
    shown_numbers = ", ".join(shown(n, secrets) for n in others[:5])
    more = f" and {len(others) - 5} more" if len(others) > 5 else ""
    return (
        f"Contact list {list_id} already holds {len(others)} contact(s) that members does not "
        f"declare: {shown_numbers}{more}. An exclusive ContactListMembers would remove them, "
        "and no preview can show that at a create, so nothing was changed. Either adopt the "
        f'list first with opts=pulumi.ResourceOptions(import_="{list_id}") (nothing is '
        "removed; the next `pulumi preview --refresh` lists each contact not declared as a "
        "removal, and `pulumi up --refresh` removes them), or remove them in this create with "
        "remove_undeclared_on_create=True. To keep them, declare them in members or set "
        "exclusive=False."
    )
