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
    refresh puts every contact of the list in the state (those not declared also in the
    ``undeclared`` output), so one added in the console is drift that ``pulumi up`` removes.
    ``exclusive=False``: only the declared numbers are managed; other contacts of the list
    are left alone and never read into the state. Which contacts a step may remove is
    decided in one place, :func:`pulumi_avosms._members_plan.removals`.

Calls
    Each step reads the list at most once (``contact/list/information``) and then makes one
    call per number that differs, at most ``avosms:maxConcurrency`` at once, each retried
    like every call. A step that fails part-way reports every failed number; a create, or
    an update of a membership whose state is additive, takes back the contacts it created
    (no state records them); an update of an exclusive one leaves its calls applied for the
    next refresh (which reads the whole list) to show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from ._accounts import ACCOUNT_PROPERTY
from ._engine import IMPORT_PROPERTY
from ._members_apply import (
    apply_plan,
    import_mismatch_text,
    refusal_text,
    warn_left_alone,
    warn_outside,
    warn_undeclared,
    warn_unreadable,
)
from ._members_plan import (
    MemberMap,
    Plan,
    differences,
    plan_changes,
    prints,
    removals,
)
from ._members_rules import CLEAR_PROPERTY, check_inputs, guard_view
from ._members_state import (
    declared_form,
    diff_state,
    held_of,
    is_exclusive,
    live_members,
    members_of,
    outputs_of,
    plan_update,
    stored_members,
)
from ._model import ContactInfo
from ._provider import AvoSMSProvider, move_import_option, with_account
from ._serialize import DynamicResource
from .config import DEFAULT_MAX_CONCURRENCY
from .errors import APIError, ContactListMembersError, NotFoundError

__all__ = ["ContactListMembers", "ContactListMembersError", "ContactListMembersProvider"]


def _contains_output(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(_contains_output(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_contains_output(v) for v in value)
    return False


class ContactListMembersProvider(AvoSMSProvider):
    """Dynamic provider for :class:`ContactListMembers`.

    Holds nothing when constructed (it pickles by reference); settings, including
    ``avosms:maxConcurrency``, are read in :meth:`configure`. Every removal it makes is
    planned by :func:`~pulumi_avosms._members_plan.removals`.
    """

    # -- engine entry points -------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate every member and normalise the inputs; no API call."""
        inputs, failures = check_inputs(self._olds_for_rules(olds, news), news)
        self._check_account(news, inputs, failures)
        guarded = guard_view(news, lambda text: bool(self._guard_api_key({"members": text}, [])))
        return CheckResult(inputs, self._guard_api_key(guarded, failures))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the state with the checked inputs; no API call. A new ``list_id``, or an
        ``account`` that is another AvoSMS account, replaces."""
        same_account = self._same_account(olds.get(ACCOUNT_PROPERTY), news.get(ACCOUNT_PROPERTY))
        return diff_state(olds, news, same_account=same_account)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Read the list once, then add and update what differs. When exclusive, refuse a
        list that holds contacts the program does not declare, unless the program opted in
        to removing them (``remove_undeclared_on_create``).

        With ``import_``, take the declared contacts over instead, changing nothing.
        """
        list_id = str(props["list_id"])
        declared = members_of(props)
        exclusive = is_exclusive(props)
        account = props.get(ACCOUNT_PROPERTY)
        live, count = self._live(list_id, step="create", account=account)
        if props.get(IMPORT_PROPERTY):
            return self._adopt(props, live, count)
        others = [n for n in live if n not in declared]
        opted_in = props.get(CLEAR_PROPERTY) is True
        if exclusive and others and not opted_in:
            refusal = refusal_text(list_id, others, self._secrets())
            raise ContactListMembersError(refusal, list_id=list_id)
        removes = removals(
            declared, None, exclusive=exclusive, live=live, remove_undeclared_on_create=opted_in
        )
        plan = plan_changes(declared, live, removes=removes)
        warn_undeclared(list_id, plan.removes, self._secrets())
        count = self._apply(
            list_id, declared, plan, live_count=count, step="create", account=account, undo=True
        )
        return CreateResult(list_id, outputs_of(props, declared, count))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """One ``information`` call: exclusive, every contact; additive, the declared ones."""
        list_id = str(id_)
        account = props.get(ACCOUNT_PROPERTY)
        client = self._client(account)
        try:
            detail = client.get_list(list_id, max_age=client.read_cache_ttl)
        except NotFoundError:
            return ReadResult("", {})
        except APIError as err:
            raise ContactListMembersError(
                f"Could not refresh the members of contact list {list_id}: {err}", list_id=list_id
            ) from err
        refresh = "members" in props  # an import's read has no previous state
        held = held_of(props)
        live = self._readable(list_id, detail.contacts, detail.country_code, held.prints)
        exclusive = is_exclusive(props)
        if exclusive:
            members = live
            declared_before = held.prints.keys() - held.undeclared
            # An import's read (no state) declares nothing: what it reads is undeclared until
            # the program declares it, so an additive program removes none of it.
            undeclared = [n for n in live if n not in declared_before]
            if refresh:
                warn_outside(list_id, [n for n in live if n not in held.prints], self._secrets())
        else:
            members = {n: live[n] for n in sorted(held.prints) if n in live}
            undeclared = []
        inputs: dict[str, Any] = {"list_id": list_id, "exclusive": exclusive}
        with_account(inputs, account)
        if props.get(IMPORT_PROPERTY):
            inputs[IMPORT_PROPERTY] = props[IMPORT_PROPERTY]
        outs = outputs_of(inputs, members, detail.contact_count, undeclared=undeclared)
        if refresh and outs["members"] == held.prints:
            # No drift: the inputs in state say this already (every step writes the inputs'
            # members and their prints together, and the same numbers are undeclared), so
            # the engine keeps them and the plugin does not send every member back.
            return ReadResult(list_id, outs)
        # With no state (an import), the inputs a program would write, as check takes them.
        inputs["members"] = stored_members(members) if refresh else declared_form(members)
        return ReadResult(list_id, outs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Calls only for the numbers that changed since the state; removals as
        :func:`removals` allows (one read more when ``exclusive`` turns on, to report the
        contacts not declared: the next refresh lists them, the ``up`` after removes them)."""
        list_id = str(news["list_id"])
        account = news.get(ACCOUNT_PROPERTY)
        declared = members_of(news)
        printed = prints(declared)  # once: the plan and the outputs both need them
        held = held_of(olds)
        exclusive = is_exclusive(news)
        count = olds.get("contact_count")
        live_count = int(count) if isinstance(count, (int, float)) else len(held.prints)
        plan = plan_update(printed, held, exclusive=exclusive)
        secrets = self._secrets()
        if exclusive and not held.exclusive:
            live, live_count = self._live(list_id, step="update", account=account)
            warn_left_alone(
                list_id,
                [n for n in live if n not in declared and n not in held.prints],
                secrets,
                why="The next `pulumi refresh` (or `pulumi up --refresh`) lists each of them "
                "as a removal; the `pulumi up` after it removes them.",
            )
        warn_left_alone(
            list_id,
            [n for n in held.prints if n not in declared and n not in plan.removes],
            secrets,
            why="exclusive is now False: a contact only a refresh found is never removed "
            "by this resource.",
        )
        live_count = self._apply(
            list_id,
            declared,
            plan,
            live_count=live_count,
            step="update",
            account=account,
            # The engine keeps the old state after a failure: exclusive, its next refresh
            # reads the whole list, so it sees what this step added; additive, a refresh
            # reads only the numbers in the state, which lacks them, so the step takes
            # them back.
            undo=not held.exclusive,
        )
        return UpdateResult(outputs_of(news, printed, live_count))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Remove the members the program declared; a list or contact already gone is fine.
        Contacts only a refresh found (exclusive mode) stay: nothing declared them."""
        list_id = str(id_)
        held = held_of(props)
        numbers = removals({}, held, exclusive=False)
        self._apply(
            list_id,
            {},
            Plan(removes=numbers),  # removals() made them: a delete declares nothing
            live_count=len(held.prints),
            step="delete",
            account=props.get(ACCOUNT_PROPERTY),
        )

    # -- helpers -------------------------------------------------------------------------

    def _live(self, list_id: str, *, step: str, account: str | None) -> tuple[MemberMap, int]:
        """The list's readable contacts as a member map, and its contact count (one fresh
        read)."""
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
        return self._readable(list_id, detail.contacts, detail.country_code), detail.contact_count

    def _readable(
        self,
        list_id: str,
        contacts: Sequence[ContactInfo],
        region: str,
        known: Mapping[str, str] | None = None,
    ) -> MemberMap:
        """A list's contacts as a member map (those unchanged from the state's print map
        ``known`` taken as they are); those whose number cannot be read are left out (so no
        plan can remove them) and reported."""
        members, unreadable = live_members(contacts, region, known)
        warn_unreadable(list_id, unreadable, self._secrets())
        return members

    def _adopt(self, props: dict[str, Any], live: MemberMap, count: int) -> CreateResult:
        list_id = str(props["list_id"])
        declared = members_of(props)
        lines = differences(declared, live, secrets=self._secrets())
        if lines:
            raise ContactListMembersError(import_mismatch_text(list_id, lines), list_id=list_id)
        if is_exclusive(props):
            warn_left_alone(
                list_id,
                [n for n in live if n not in declared],
                self._secrets(),
                why="Import changes nothing: the next `pulumi refresh` (or `pulumi up "
                "--refresh`) lists each of them as a removal, and the `pulumi up` after it "
                "removes them.",
            )
        return CreateResult(list_id, outputs_of(props, declared, count))

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
        undo: bool = False,
    ) -> int:
        """Run the plan's calls (see :func:`apply_plan`); the list's contact count after."""
        return apply_plan(
            self._client(account),
            list_id,
            declared,
            plan,
            live_count=live_count,
            step=step,
            max_workers=self._max_concurrency(),
            secrets=self._secrets(),
            undo_fresh_adds=undo,
        )


class ContactListMembers(DynamicResource, module="avosms", name="ContactListMembers"):
    """Every contact of one AvoSMS list, declared as one resource.

    ``members`` is a list of dicts with ``phone_number`` (required, international form) and
    the ``Contact`` fields. With ``exclusive=True`` (default) contacts of the list that are
    not declared are drift: a refresh lists them and ``pulumi up`` removes them; with
    ``exclusive=False`` they are left alone. Do not also manage the same list's contacts
    with ``Contact`` resources while exclusive: each would undo the other. Adopt a list's
    current contacts with ``opts=pulumi.ResourceOptions(import_="<list id>")``.
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
    undeclared: pulumi.Output[list[str]]
    """Numbers a refresh found in the list that the program does not declare (exclusive
    mode): the next ``pulumi up`` removes them, as its preview lists."""

    def __init__(
        self,
        resource_name: str,
        *,
        list_id: pulumi.Input[str | int],
        members: pulumi.Input[Sequence[pulumi.Input[Mapping[str, pulumi.Input[str]]]]],
        exclusive: pulumi.Input[bool] = True,
        account: pulumi.Input[str] | None = None,
        remove_undeclared_on_create: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare the contacts of the list ``list_id`` (a ContactList's ``list_id`` output,
        or the ID of a list not managed by this program). ``account`` names the account of
        ``avosms:accounts`` the list is in (see docs/accounts.md; None: the default one).

        An exclusive create refuses a list that already holds contacts ``members`` does not
        declare, unless ``remove_undeclared_on_create=True`` (they are then removed by the
        create) or the list is adopted with ``import_`` (see docs/contact-list-members.md)."""
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
            "undeclared": None,
        }
        if remove_undeclared_on_create is not False:
            props[CLEAR_PROPERTY] = remove_undeclared_on_create
        opts = move_import_option(props, opts)
        super().__init__(ContactListMembersProvider(), resource_name, props, opts)
