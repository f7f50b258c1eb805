"""``ContactList``: an AvoSMS contact list declared in a Pulumi program, and its provider.

The provider class's module path and name (``pulumi_avosms.contact_list.ContactListProvider``)
are stored, by reference, in every ContactList's state: renaming or moving it breaks existing
stacks.

This file holds the type (:class:`ContactList`: inputs and outputs) and the controller
(:class:`ContactListProvider`: create, read, update, delete against AvoSMS, and the messages
when they fail). The behaviour, pure rules without API calls (check, diff, which changes
replace the list, the outputs' shape), is in :mod:`pulumi_avosms.contact_list_rules`.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    UpdateResult,
)

from . import _adoption
from ._engine import IMPORT_PROPERTY
from ._model import ContactListDetail, ContactListInfo
from ._provider import AvoSMSProvider, move_import_option, with_account
from ._serialize import DynamicResource
from ._text import MAX_QUOTED, Known, message, safe_text
from .contact_list_rules import OUTPUT_PROPERTIES, check_inputs, diff_inputs, outputs_of
from .errors import (
    APIError,
    ConflictError,
    ContactListError,
    NotFoundError,
    UnexpectedResponseError,
    ValidationError,
)
from .validation import normalize_list_id

if TYPE_CHECKING:  # requests (under .client) stays off the plugin's start-up path
    from .client import AvoSMSClient


# -- the type: what a program declares ---------------------------------------------------


class ContactList(DynamicResource, module="avosms", name="ContactList"):
    """An AvoSMS contact list.

    ``name`` updates in place; a ``country_code`` change replaces the list (AvoSMS cannot
    change a list's country). ``pulumi destroy`` leaves the list in the account (AvoSMS has no
    delete API) and says so. Adopt an existing list with
    ``opts=pulumi.ResourceOptions(import_="<list id>")``.
    """

    list_id: pulumi.Output[str]
    """The AvoSMS ID of the list (also the resource's ID)."""
    name: pulumi.Output[str]
    """The list's name, as in AvoSMS."""
    country_code: pulumi.Output[str]
    """ISO 3166-1 alpha-2 code of the list's country, upper case."""
    country_name: pulumi.Output[str]
    """The country's name as AvoSMS reports it."""
    contact_count: pulumi.Output[int]
    """Number of contacts in the list at the last create, update or refresh."""
    created_at: pulumi.Output[str]
    """Creation time as AvoSMS reports it (``YYYY-MM-DD HH:MM:SS``)."""
    account: pulumi.Output[str | None]
    """The named account the list is in (None: the stack's default account)."""

    def __init__(
        self,
        resource_name: str,
        *,
        name: pulumi.Input[str],
        country_code: pulumi.Input[str],
        account: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare a contact list named ``name`` in country ``country_code`` (e.g. ``"FR"``).

        ``account`` names an account of ``avosms:accounts`` (see docs/accounts.md); without
        it the list is in the stack's default account. A change of account replaces the list.
        """
        props: dict[str, Any] = {
            "name": name,
            "country_code": country_code,
            "account": account,
            **{prop: None for prop in OUTPUT_PROPERTIES if prop not in ("name", "country_code")},
        }
        opts = move_import_option(props, opts)
        if isinstance(country_code, pulumi.Output):
            # The engine keeps an output secret only when the input of the same name was;
            # country_name is derived from country_code, so a secret country would leak
            # through it. Whether an Output is secret is not known yet, so any Output counts.
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=["country_name"])
            )
        super().__init__(ContactListProvider(), resource_name, props, opts)

    @classmethod
    def get(
        cls,
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        account: pulumi.Input[str] | None = None,
    ) -> ContactList:
        """A read-only reference to the existing list ``id`` (made in the console, another
        stack...): its outputs are read from AvoSMS at every `pulumi up`, `preview` and
        `refresh`, and Pulumi never changes or deletes it. A missing list fails the
        deployment with ``resource '<id>' does not exist``. ``account`` names the account of
        ``avosms:accounts`` the list is in (None: the stack's default account).
        """
        if not isinstance(id, pulumi.Output):
            try:
                id = normalize_list_id(id)
            except ValidationError as err:
                from .lookups import refused_get_id  # the program's settings: on error only

                raise ValidationError(
                    refused_get_id("ContactList", resource_name, id, err)
                ) from None
        props: dict[str, Any] = {**dict.fromkeys(OUTPUT_PROPERTIES), "account": account}
        return cls._reference(ContactListProvider(), resource_name, id, props, opts)


# -- the controller: create, read, update and delete against AvoSMS ----------------------


class ContactListProvider(AvoSMSProvider):
    """Dynamic provider for :class:`ContactList`.

    Holds nothing when constructed, so it pickles by reference in a few dozen bytes; settings
    are read in :meth:`configure` inside the plugin and the API client is shared per process.
    """

    # -- engine entry points -------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalise the inputs; no API call.

        ``olds`` are the inputs in state (empty for a new list); they only serve to refuse a
        replacement that cannot work (see :mod:`pulumi_avosms.contact_list_rules`).
        """
        inputs, failures = check_inputs(self._olds_for_rules(olds, news), news)
        self._check_account(news, inputs, failures)
        return CheckResult(inputs, self._guard_api_key(news, failures))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the state with the checked inputs; no API call.

        ``olds`` are the outputs in state (already normalised), ``news`` the checked inputs.
        ``__provider``, outputs and the adoption ID are never a change.
        """
        return self._account_replaces(diff_inputs(olds, news), olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the list, or adopt the one named by ``import_``; return every output."""
        name, country, account = props["name"], props["country_code"], props.get("account")
        client = self._client(account)
        import_id = props.get(IMPORT_PROPERTY)
        if import_id:
            return self._adopt(str(import_id), name, country, account)
        try:
            list_id = client.create_list(name, country)
        except ConflictError as err:
            raise ContactListError(_name_taken_message(client, name, self._secrets())) from err
        except APIError as err:
            hint = (
                ". Run `pulumi up` again: if AvoSMS did create it after all, that stops on the "
                "name being taken and shows the import_ that adopts that list."
                if err.outcome_unknown
                else ""
            )
            raise ContactListError(
                message(
                    "Could not create contact list {name} (country {country!s}): {err}{hint}",
                    secrets=self._secrets(),
                    name=name,
                    country=country,
                    err=Known(str(err)),  # the client's message: made safe where it was built
                    hint=Known(hint),
                )
            ) from err
        try:
            outs = with_account(outputs_of(client.get_list(list_id)), account)
        except Exception as err:  # whatever failed, the list exists and must be recorded
            # The list exists now. Failing here would make the engine forget it (an orphan
            # whose name blocks the next create), so record it with what is known; the next
            # refresh fills in the rest.
            sys.stderr.write(
                message(
                    "warning: contact list {label} was created, but reading it back failed "
                    "({err!s}); its country_name and created_at stay empty until the next "
                    "`pulumi refresh`.\n",
                    secrets=self._secrets(),
                    label=_label(list_id, name),
                    err=safe_text(str(err), self._secrets(), MAX_QUOTED),
                )
            )
            sys.stderr.flush()
            outs = {
                "list_id": list_id,
                "name": name,
                "country_code": country,
                "country_name": None,
                "contact_count": 0,
                "created_at": None,
            }
            with_account(outs, account)
        return CreateResult(list_id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh from AvoSMS; a list that no longer exists answers an empty ID.

        Served from the account listing shared by every read in flight (see
        :meth:`_live_list`), so refreshing N lists costs about one API call, not N.
        """
        account = props.get("account")
        try:
            info = self._live_list(id_, account)
        except NotFoundError:
            # Gone from the account (deleted in the console): the engine drops it from state
            # and the next `pulumi up` creates it again. The plugin writes into the outputs,
            # so they must be a dict, never None.
            return ReadResult("", {})
        except APIError as err:
            # Anything but "no such list" must not make the engine forget the list.
            raise ContactListError(
                message(
                    "Could not refresh contact list {label}; it stays in the state as it was: "
                    "{err}",
                    label=_label(id_, props.get("name")),
                    err=Known(str(err)),
                )
            ) from err
        outs = with_account(outputs_of(info), account)
        inputs = with_account({"name": outs["name"], "country_code": outs["country_code"]}, account)
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Rename the list in place; return every output."""
        if news.get("country_code") != olds.get("country_code"):
            # diff() always asks for a replacement here; reaching this is a bug, not a rename.
            raise ContactListError(
                f"Contact list {id_}: the country cannot change in place "
                f"({olds.get('country_code')} -> {news.get('country_code')})."
            )
        name, account = news["name"], news.get("account")
        renamed = name != olds.get("name")
        if not renamed:
            # An update that keeps the name (another name for the same account) still leaves
            # the list with the program's name: one renamed in the console is renamed back.
            live = self._live_or_none(id_, account)
            if live is not None and live.name == name:
                return UpdateResult(with_account(outputs_of(live), account))
            renamed = live is not None
        if renamed:
            try:
                self._client(account).rename_list(id_, name)
            except ConflictError as err:
                live = self._live_or_none(id_, account)
                if live is not None and live.name == name:
                    # An earlier rename landed unseen (its read-back failed); nothing to do.
                    return UpdateResult(with_account(outputs_of(live), account))
                old_name = olds.get("name")
                if isinstance(old_name, str) and old_name.casefold() == name.casefold():
                    raise ContactListError(
                        message(
                            "Could not rename contact list {id!s} from {old} to {name}: AvoSMS "
                            "refuses a name that differs from the list's own only by case (it "
                            "compares names without case). Rename it in two steps, through a "
                            "temporary name, or in the AvoSMS console. ({err})",
                            id=id_,
                            old=old_name,
                            name=name,
                            err=Known(str(err)),
                        )
                    ) from err
                raise ContactListError(
                    message(
                        "Could not rename contact list {id!s} to {name}: another list of the "
                        "account already uses that name. Pick another name, or rename or delete "
                        "the other list in the AvoSMS console. ({err})",
                        id=id_,
                        name=name,
                        err=Known(str(err)),
                    )
                ) from err
            except NotFoundError as err:
                raise ContactListError(
                    f"Could not rename contact list {id_}: it no longer exists in the AvoSMS "
                    "account. Run `pulumi refresh` to drop it from the state, then "
                    "`pulumi up` to create it again."
                ) from err
            except APIError as err:
                advice = (
                    ". Run `pulumi refresh` before trying again." if err.outcome_unknown else ""
                )
                raise ContactListError(
                    message(
                        "Could not rename contact list {id!s} from {old} to {name}: {err}{advice}",
                        id=id_,
                        old=olds.get("name"),
                        name=name,
                        err=Known(str(err)),
                        advice=Known(advice),
                    )
                ) from err
        return UpdateResult(with_account(self._read_back(id_, name, account), account))

    def _live_or_none(self, list_id: str, account: str | None) -> ContactListDetail | None:
        """The list as AvoSMS has it, or None when it cannot be read (only to explain an error)."""
        try:
            return self._client(account).get_list(list_id)
        except APIError:
            return None

    def _read_back(self, list_id: str, name: str, account: str | None) -> dict[str, Any]:
        try:
            info = self._client(account).get_list(list_id)
        except APIError as err:
            # Failing keeps the old name in the state: the next refresh sees the rename.
            raise ContactListError(
                message(
                    "Contact list {id!s} was renamed to {name}, but reading it back failed; "
                    "run `pulumi refresh` to record the new name: {err}",
                    id=list_id,
                    name=name,
                    err=Known(str(err)),
                )
            ) from err
        return outputs_of(info)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """AvoSMS cannot delete lists: leave it, and tell the user it still exists."""
        sys.stderr.write(
            f"warning: AvoSMS has no API to delete contact lists; contact list "
            f"{_label(id_, props.get('name'))} still "
            "exists in the AvoSMS account and is no longer managed by Pulumi. Delete it in "
            "the AvoSMS console if you no longer need it.\n"
        )
        sys.stderr.flush()

    # -- helpers -------------------------------------------------------------------------

    def _live_list(self, list_id: str, account: str | None) -> ContactListInfo:
        """The list as AvoSMS has it now; ``NotFoundError`` if gone.

        Looked up in the account listing (``contact/list``: every list with its count, none of
        the contacts), which the client shares between all reads: concurrent reads wait on
        the one request in flight (single-flight) and later reads reuse its answer for
        ``client.read_cache_ttl`` seconds (2 s). Any write through this process's client drops
        it, and each `pulumi` command starts a fresh plugin, so a listing never outlives the
        command. The accepted staleness: a console edit made during a refresh, after the
        listing was fetched, may go unseen by reads in the next 2 s -- the same race a
        list-by-list refresh has with edits landing while it runs.
        """
        client = self._client(account)
        wanted = str(list_id)
        try:
            listing = client.list_lists(max_age=client.read_cache_ttl)
        except UnexpectedResponseError:
            # One malformed entry (of any list) spoils the whole listing; reading this list
            # on its own keeps the other lists refreshable, as they were before the listing.
            listing = []
        for info in listing:
            if info.list_id == wanted:
                return info
        # Not in the listing: deleted, or created after the listing was fetched (out of band
        # within the TTL, or a listing lagging behind). Only `information` can tell the two
        # apart; its NotFoundError is the proof that the list is gone.
        return client.get_list(wanted)

    def _adopt(self, list_id: str, name: str, country: str, account: str | None) -> CreateResult:
        try:
            info = self._client(account).get_list(list_id)
        except NotFoundError as err:
            raise ContactListError(
                _adoption.not_found_text(
                    "contact list", list_id, "no such list in the AvoSMS account", "'<list id>'"
                )
            ) from err
        except APIError as err:
            raise ContactListError(
                message(
                    "Cannot import contact list {id!s} (as {name}): {err}",
                    id=list_id,
                    name=name,
                    err=Known(str(err)),
                )
            ) from err
        outs = outputs_of(info)
        wanted = {"name": name, "country_code": country}
        mismatch = _adoption.adoption_mismatch(
            "contact list", list_id, wanted, outs, self._secrets()
        )
        if mismatch is not None:
            raise ContactListError(mismatch)
        return CreateResult(list_id, with_account(outputs_of(info), account))


def _name_taken_message(client: AvoSMSClient, name: str, secrets: list[str]) -> str:
    try:
        existing = client.find_list_by_name(name)
    except APIError:
        existing = None
    if existing is None:
        return message(
            "Could not create contact list {name}: AvoSMS says the name is already used in "
            "the account. Pick another name, or import the existing list with "
            "opts=pulumi.ResourceOptions(import_='<list id>').",
            secrets=secrets,
            name=name,
        )
    # The existing list's values come from the reply: each is made safe.
    return message(
        "Could not create contact list {name}: the account already has a list with that "
        "name (ID {id!s}, country {country!s}). To manage that list with Pulumi, adopt it: "
        "ContactList(..., name={existing}, country_code={country}, "
        "opts=pulumi.ResourceOptions(import_={id})). Otherwise pick another name. (If another "
        "ContactList of this program has the same name, rename one of them instead: adopting "
        "would make both manage one list.)",
        secrets=secrets,
        name=name,
        id=str(existing.list_id),
        country=existing.country_code,
        existing=existing.name,
    )


def _label(list_id: str, name: Any) -> Known:
    """How messages name a list: its ID, and its name when known."""
    if isinstance(name, str) and name:
        return message("{id!s} ({name})", id=str(list_id), name=name)
    return message("{id!s}", id=str(list_id))
