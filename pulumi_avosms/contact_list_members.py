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

from ._engine import IMPORT_PROPERTY, is_unknown
from ._live import clean_live_contact, unchanged_member
from ._members_apply import MAX_LISTED_FAILURES, apply_plan, warn_outside, warn_undeclared
from ._members_plan import (
    Current,
    MemberMap,
    Plan,
    PrintMap,
    compact,
    differences,
    fingerprint,
    plan_changes,
    prints,
)
from ._members_rules import check_inputs, contains_unknown, flat_strings
from ._model import ContactInfo
from ._provider import AvoSMSProvider, move_import_option, with_account
from ._serialize import DynamicResource
from .client.replies import tolerant_phone_number
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
    ``avosms:maxConcurrency``, are read in :meth:`configure`.
    """

    # -- engine entry points -------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate every member and normalise the inputs; no API call."""
        inputs, failures = check_inputs(olds, news)
        self._check_account(news, inputs, failures)
        return CheckResult(inputs, self._guard_api_key(flat_strings(news), failures))

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
            or contains_unknown(new_members)
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
        warn_undeclared(list_id, plan.removes, self._secrets())
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
        live = _live_members(detail.contacts, detail.country_code, _previous(props))
        exclusive = _exclusive(props)
        if exclusive:
            members = live
            if "members" in props:  # a refresh (an import has no previous state)
                previous = _previous(props)
                warn_outside(list_id, [n for n in live if n not in previous], self._secrets())
        else:
            declared = _previous(props)
            members = {n: live[n] for n in sorted(declared) if n in live}
        inputs = {"list_id": list_id, "members": members, "exclusive": exclusive}
        with_account(inputs, account)
        if props.get(IMPORT_PROPERTY):
            inputs[IMPORT_PROPERTY] = props[IMPORT_PROPERTY]
        outs = _outputs(inputs, members, detail.contact_count)
        if "members" in props and outs["members"] == _previous(props):
            # No drift: the inputs in state say this already (every step writes the inputs'
            # members and their prints together), so the engine keeps them, and the plugin
            # does not send every member's fields back.
            return ReadResult(list_id, outs)
        return ReadResult(list_id, outs, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Calls only for the numbers that changed since the state (one read more when
        ``exclusive`` turns on, to find the contacts not declared)."""
        list_id = str(news["list_id"])
        declared = _members_of(news)
        printed = prints(declared)  # once: the plan and the outputs both need them
        previous = _previous(olds)
        count = olds.get("contact_count")
        live_count = int(count) if isinstance(count, (int, float)) else len(previous)
        if _exclusive(news) and not _exclusive(olds):
            live, live_count = self._live(list_id, step="update", account=news.get("account"))
            plan = plan_changes(declared, live, remove_others=True)
            warn_undeclared(
                list_id, tuple(n for n in plan.removes if n not in previous), self._secrets()
            )
        else:
            plan = plan_changes(printed, previous, remove_others=True)
        account = news.get("account")
        live_count = self._apply(
            list_id, declared, plan, live_count=live_count, step="update", account=account
        )
        return UpdateResult(_outputs(news, printed, live_count))

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
        )


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


def _live_members(
    contacts: Sequence[ContactInfo], region: str, known: Mapping[str, str] | None = None
) -> MemberMap:
    """A list's contacts as a member map, fields normalised as inputs would be. Those that
    are members of the state ``known`` (its print map) unchanged are taken as they are."""
    members: MemberMap = {}
    known = known or {}
    for contact in contacts:
        number = contact.phone_number
        if number in known:  # one of the state's E.164 numbers: parsed again, it is itself
            fields = unchanged_member(contact, known)
            if fields is not None:
                members[number] = fields
                continue
        else:
            # AvoSMS may return another format than was sent: key by E.164 read with the
            # list's country; a number that does not parse is kept as returned, so it shows.
            number = tolerant_phone_number(number, region) or str(number).strip()
        members[number] = compact(clean_live_contact(contact, number))
    return dict(sorted(members.items()))


def _outputs(props: Mapping[str, Any], members: Current, contact_count: int) -> dict[str, Any]:
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
