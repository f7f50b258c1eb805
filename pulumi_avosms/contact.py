"""``Contact``: a person in an AvoSMS contact list, declared in a Pulumi program; its provider.

The provider class's module path and name (``pulumi_avosms.contact.ContactProvider``) are
stored, by reference, in every Contact's state: renaming or moving it breaks existing stacks.

Identity
    A contact is identified by its list and its phone number: the resource ID is
    ``"<list_id>/<E.164 number>"`` (``"7/+33612345678"``). AvoSMS finds contacts by number
    (``contact/update`` and ``contact/delete`` take no other key), so a change of number or
    of list replaces the contact; every other field is updated in place.

Personal data in state
    A Contact stores in the Pulumi state exactly its inputs, normalised: ``list_id``,
    ``phone_number`` (E.164), ``civility``, ``first_name``, ``last_name``, ``email``,
    ``birthday`` (``YYYY-MM-DD``) and ``other`` — an optional field that is not set is stored
    as ``""`` — plus the ``import_id`` input when the contact was adopted with ``import_``,
    and the ``__provider`` reference (a class reference, no settings or credentials). Nothing
    else is read into state: a refresh reads the list's contacts from AvoSMS but keeps only
    this contact's fields; the other contacts of the list never reach the state, the
    program's outputs or the logs. Whoever can read the stack's state can read these
    fields. A field passed as a secret (``email=pulumi.Output.secret("...")``) is encrypted
    in state, input and output alike (the engine marks the output of a secret input secret).
    The phone number cannot be hidden that way: it is part of the resource ID, which is
    stored and shown in clear.

This file holds the type (:class:`Contact`) and the controller (:class:`ContactProvider`:
create, read, update, delete against AvoSMS, and the messages when they fail). The
behaviour, pure rules without API calls (check, diff, which changes replace the contact, the
outputs' shape), is in :mod:`pulumi_avosms.contact_rules`.
"""

from __future__ import annotations

from typing import Any

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
from ._live import clean_live_contact
from ._model import ContactInfo
from ._provider import AvoSMSProvider, move_import_option, with_account
from ._serialize import DynamicResource
from ._text import message
from .client.replies import tolerant_phone_number
from .contact_rules import (
    FIELD_PROPERTIES,
    OUTPUT_PROPERTIES,
    check_inputs,
    contact_of,
    diff_inputs,
    outputs_of,
)
from .contact_validation import (
    country_label,
    format_contact_id,
    parse_contact_id,
    phone_region,
    phone_type_label,
)
from .errors import APIError, ConflictError, ContactError, NotFoundError, ValidationError

__all__ = ["Contact", "ContactError", "ContactProvider"]

# -- the type: what a program declares ---------------------------------------------------


class Contact(DynamicResource, module="avosms", name="Contact"):
    """A contact (a phone number and its details) in an AvoSMS contact list.

    ``phone_number`` is required in international form (``"+33 6 12 34 56 78"``) and is
    stored in E.164; a change of ``list_id`` or ``phone_number`` replaces the contact, any
    other field is updated in place. Optional fields left out are empty in AvoSMS and ``""``
    in outputs. Adopt a contact that already exists with
    ``opts=pulumi.ResourceOptions(import_="<list id>/<phone number>")``.

    The state holds exactly these inputs, normalised; see the module documentation on
    personal data.
    """

    list_id: pulumi.Output[str]
    """The AvoSMS ID of the contact's list."""
    phone_number: pulumi.Output[str]
    """The phone number in E.164 form (``+33612345678``)."""
    civility: pulumi.Output[str]
    """Civility / title, as given (AvoSMS documents no set of values)."""
    first_name: pulumi.Output[str]
    """First name."""
    last_name: pulumi.Output[str]
    """Last name (AvoSMS's ``contactName``)."""
    email: pulumi.Output[str]
    """E-mail address, domain in lower case."""
    birthday: pulumi.Output[str]
    """Birthday as ``YYYY-MM-DD``."""
    other: pulumi.Output[str]
    """Free-text field (AvoSMS's ``contactOther``)."""
    account: pulumi.Output[str | None]
    """The named account of the contact's list (None: the stack's default account)."""

    def __init__(
        self,
        resource_name: str,
        *,
        list_id: pulumi.Input[str | int],
        phone_number: pulumi.Input[str],
        civility: pulumi.Input[str] | None = None,
        first_name: pulumi.Input[str] | None = None,
        last_name: pulumi.Input[str] | None = None,
        email: pulumi.Input[str] | None = None,
        birthday: pulumi.Input[str] | None = None,
        other: pulumi.Input[str] | None = None,
        account: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare the contact ``phone_number`` in the list ``list_id`` (a ContactList's
        ``list_id`` output, or the ID of a list not managed by this program, as text or a whole
        number: ``"1234"`` or ``1234``).

        ``birthday`` accepts ``YYYY-MM-DD`` or ``DD/MM/YYYY``; ``email`` a plain
        ``local@domain.tld``. ``account`` names the account of ``avosms:accounts`` the
        list is in (see docs/accounts.md; None: the stack's default account).
        """
        props: dict[str, Any] = {
            "list_id": list_id,
            "phone_number": phone_number,
            "civility": civility,
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "birthday": birthday,
            "other": other,
            "account": account,
        }
        opts = move_import_option(props, opts)
        super().__init__(ContactProvider(), resource_name, props, opts)

    @classmethod
    def get(
        cls,
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        account: pulumi.Input[str] | None = None,
    ) -> Contact:
        """A read-only reference to the existing contact ``id``, ``"<list id>/<phone number>"``
        (the number in any international form): its fields are read from AvoSMS at every
        `pulumi up`, `preview` and `refresh`, and Pulumi never changes or removes it. A
        missing contact or list fails the deployment with ``resource '<id>' does not exist``.
        ``account`` names the account of ``avosms:accounts`` of the contact's list (None: the
        stack's default account).
        """
        if not isinstance(id, pulumi.Output):
            try:
                id = format_contact_id(*parse_contact_id(id))
            except ValidationError as err:
                from .lookups import refused_get_id  # the program's settings: on error only

                raise ValidationError(refused_get_id("Contact", resource_name, id, err)) from None
        props: dict[str, Any] = {**dict.fromkeys(OUTPUT_PROPERTIES), "account": account}
        return cls._reference(ContactProvider(), resource_name, id, props, opts)


# -- the controller: create, read, update and delete against AvoSMS ----------------------


class ContactProvider(AvoSMSProvider):
    """Dynamic provider for :class:`Contact`.

    Holds nothing when constructed, so it pickles by reference in a few dozen bytes; settings
    are read in :meth:`configure` inside the plugin and the API client is shared per process
    with :class:`~pulumi_avosms.contact_list.ContactListProvider` (so a contact written here
    drops every read the client has cached, the list provider's included).
    """

    # -- engine entry points -------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalise the inputs; no API call.

        Unknown values (outputs of resources not created yet, typically ``list_id`` during a
        first preview) pass through unchanged.
        """
        inputs, failures = check_inputs(self._olds_for_rules(olds, news), news)
        self._check_account(news, inputs, failures)
        return CheckResult(inputs, self._guard_api_key(news, failures))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the state with the checked inputs; no API call.

        ``olds`` are the outputs in state (already normalised), ``news`` the checked inputs.
        ``__provider`` and the adoption ID are never a change; an unknown value is one.
        """
        return self._account_replaces(diff_inputs(olds, news), olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Add the contact (``contact/add``), or adopt the one named by ``import_``."""
        list_id, number = str(props["list_id"]), str(props["phone_number"])
        outs = outputs_of(props)
        import_id = props.get(IMPORT_PROPERTY)
        account = props.get("account")
        if import_id:
            return self._adopt(str(import_id), outs, account)
        client = self._client(account)
        try:
            client.add_contact(list_id, contact_of(number, outs))
        except ConflictError as err:
            raise ContactError(
                f"Could not add {number} to contact list {list_id}: that number is already in "
                "the list (added in the AvoSMS console, or by another stack or resource). To "
                "manage the existing contact with Pulumi, adopt it: Contact(..., "
                f"opts=pulumi.ResourceOptions(import_='{format_contact_id(list_id, number)}')), "
                "with the program's fields equal to the contact's in AvoSMS. Otherwise remove "
                f"it from the list in the AvoSMS console, or drop it from the program. ({err})",
                list_id=list_id,
                phone_number=number,
            ) from err
        except APIError as err:
            raise ContactError(
                self._write_failure("add", list_id, number, err, account),
                list_id=list_id,
                phone_number=number,
            ) from err
        # No read-back: the outputs are the inputs, and reading the list back would fetch
        # every contact of it for each new one (quadratic for a list created in parallel).
        return CreateResult(format_contact_id(list_id, number), outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh from the list's contacts; a contact or list that is gone answers an empty ID."""
        list_id, number = _split_id(id_)
        account = props.get("account")
        found = self._find(list_id, number, step="refresh", account=account)
        if found is None:
            # Gone from the list, or the list is gone: the engine drops it from state and the
            # next `pulumi up` adds it again. outs must be a dict, never None (the plugin
            # writes `__provider` into it).
            return ReadResult("", {})
        # The live values become both outputs and inputs, so that a refreshed state diffs
        # cleanly and a console edit shows as a change back to the program's values.
        with_account(found, account)
        return ReadResult(id_, found, dict(found))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Edit the contact in place (``contact/update``, sending every field)."""
        list_id, number = str(news["list_id"]), str(news["phone_number"])
        if (list_id, number) != (olds.get("list_id"), olds.get("phone_number")):
            # diff() always asks for a replacement here; reaching this is a bug.
            raise ContactError(
                f"Contact {id_}: the list or phone number cannot change in place "
                f"({olds.get('list_id')}/{olds.get('phone_number')} -> {list_id}/{number}).",
                list_id=list_id,
                phone_number=number,
            )
        outs = outputs_of(news)
        try:
            # Every field, including unchanged and empty ones: contact/update clears any
            # field it is not given.
            self._client(news.get("account")).update_contact(list_id, contact_of(number, outs))
        except NotFoundError as err:
            what = (
                f"contact list {list_id} no longer exists in the AvoSMS account"
                if err.code == "ERR_103"
                else "the contact is no longer in the list"
            )
            raise ContactError(
                f"Could not update contact {number} in contact list {list_id}: {what} "
                "(removed in the AvoSMS console?). Run `pulumi refresh` to drop it from the "
                f"state, then `pulumi up` to add it again. ({err})",
                list_id=list_id,
                phone_number=number,
            ) from err
        except APIError as err:
            raise ContactError(
                self._write_failure("update", list_id, number, err, news.get("account")),
                list_id=list_id,
                phone_number=number,
            ) from err
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Remove the contact (``contact/delete``); one that is already gone is a success."""
        list_id, number = _split_id(id_)
        try:
            self._client(props.get("account")).delete_contact(list_id, number)
        except NotFoundError:
            # ERR_103 (list gone) or ERR_104 (contact gone): the goal is reached either way.
            return
        except APIError as err:
            raise ContactError(
                f"Could not remove {number} from contact list {list_id}: {err}",
                list_id=list_id,
                phone_number=number,
            ) from err

    # -- helpers -------------------------------------------------------------------------

    def _find(
        self, list_id: str, number: str, *, step: str, account: str | None
    ) -> dict[str, Any] | None:
        """This contact's live fields as outputs, or None when it (or its list) is gone."""
        return self._lookup(list_id, number, step=step, account=account)[1]

    def _lookup(
        self, list_id: str, number: str, *, step: str, account: str | None
    ) -> tuple[bool, dict[str, Any] | None]:
        """``(list exists, this contact's live fields as outputs or None)``.

        A refresh reads the list's contacts through the client's shared reads: the contacts
        of one list refreshed together cost one ``information`` call, not one each. Adoption
        reads fresh.
        """
        client = self._client(account)
        max_age = client.read_cache_ttl if step == "refresh" else 0.0
        try:
            detail = client.get_list(list_id, max_age=max_age)
        except NotFoundError:
            return False, None
        except APIError as err:
            # Anything but "no such list" must not make the engine forget the contact.
            raise ContactError(
                f"Could not {step} contact {number} of contact list {list_id}: {err}",
                list_id=list_id,
                phone_number=number,
            ) from err
        region = detail.country_code
        for contact in detail.contacts:
            # AvoSMS may return the number in another format than it was sent (national,
            # spaced...): compare E.164 forms, read with the list's country.
            if tolerant_phone_number(contact.phone_number, region) == number:
                unencodable = contact.unencodable_fields()
                if unencodable:
                    # The engine could not be sent these values: fail the step, keep the state.
                    raise ContactError(
                        f"Could not {step} contact {number} of contact list {list_id}: AvoSMS "
                        f"returned its {', '.join(unencodable)} as text that is not valid "
                        "Unicode (a lone surrogate). Correct it in the AvoSMS console, then "
                        "run the command again.",
                        list_id=list_id,
                        phone_number=number,
                    )
                return True, _live_outputs(list_id, number, contact)
        return True, None

    def _adopt(self, import_id: str, outs: dict[str, Any], account: str | None) -> CreateResult:
        list_id, number = outs["list_id"], outs["phone_number"]
        if import_id != format_contact_id(list_id, number):
            # check() refuses this when both are known; list_id may only be known now.
            raise ContactError(
                message(
                    "Cannot import contact {import_id!s}: the resource declares "
                    "list_id={list_id} and phone_number={number}; import_ must be {wanted}.",
                    import_id=import_id,
                    list_id=list_id,
                    number=number,
                    wanted=format_contact_id(list_id, number),
                ),
                list_id=list_id,
                phone_number=number,
            )
        list_exists, found = self._lookup(list_id, number, step="import", account=account)
        if found is None:
            where = (
                f"contact list {list_id} has no contact with the number {number}"
                if list_exists
                else f"there is no contact list {list_id} in the AvoSMS account"
            )
            raise ContactError(
                _adoption.not_found_text("contact", import_id, where, "'<list id>/<phone number>'"),
                list_id=list_id,
                phone_number=number,
            )
        wanted = {prop: outs[prop] for prop in FIELD_PROPERTIES}
        mismatch = _adoption.adoption_mismatch("contact", import_id, wanted, found, self._secrets())
        if mismatch is not None:
            raise ContactError(mismatch, list_id=list_id, phone_number=number)
        return CreateResult(import_id, with_account(found, account))

    def _write_failure(
        self, verb: str, list_id: str, number: str, err: APIError, account: str | None
    ) -> str:
        """The message for a failed contact/add or contact/update, by AvoSMS error code."""
        target = (
            f"{number} in contact list {list_id}"
            if verb == "update"
            else (f"{number} to contact list {list_id}")
        )
        head = f"Could not {verb} {target}"
        if err.code == "ERR_107":
            list_country = self._list_country(list_id, account)
            number_country = country_label(phone_region(number))
            where = f"{country_label(list_country)}" if list_country else "another country"
            return (
                f"{head}: the number is from {number_country} but the list is for {where}, "
                "and AvoSMS only accepts numbers of the list's country. Put this contact in a "
                f"list of {number_country}, or check the number. ({err})"
            )
        if err.code == "ERR_106":
            return (
                f"{head}: AvoSMS says the number is badly formatted, although it is a valid "
                f"number ({phone_type_label(number)}). Check it, or report this. ({err})"
            )
        if err.code == "ERR_108":
            return (
                f"{head}: AvoSMS does not accept this type of number "
                f"({phone_type_label(number)}) in a contact list; SMS needs a number that "
                f"can receive them, usually a mobile. ({err})"
            )
        if err.code == "ERR_103":
            return (
                f"{head}: contact list {list_id} does not exist in the AvoSMS account (deleted "
                "in the console?). Run `pulumi refresh` on the stack that manages the list so "
                f"that `pulumi up` creates it again. ({err})"
            )
        if err.outcome_unknown:
            advice = (
                "Run `pulumi up` again: it adds the contact, or finds it added."
                if verb == "add"
                else "Run `pulumi refresh` before trying again."
            )
            return f"{head}: {err}. {advice}"
        return f"{head}: {err}"

    def _list_country(self, list_id: str, account: str | None) -> str | None:
        # Only on the error path, to name the list's country in the message.
        try:
            return str(self._client(account).get_list(list_id).country_code).upper()
        except APIError:
            return None


def _split_id(id_: str) -> tuple[str, str]:
    # Not parse_contact_id: an ID in state was valid when written; re-validating its number
    # (phonenumbers' metadata changes between releases) could make a contact undeletable.
    list_id, sep, number = str(id_).partition("/")
    if not sep or not list_id or not number:
        raise ContactError(
            message(
                "{id} is not a Contact ID; Contact IDs are '<list id>/<E.164 number>', "
                "e.g. '1234/+33612345678'.",
                id=str(id_),
            )
        )
    return list_id, number


def _live_outputs(list_id: str, number: str, contact: ContactInfo) -> dict[str, Any]:
    """The outputs of a contact as AvoSMS holds it, normalised as inputs would be."""
    return {
        "list_id": list_id,
        "phone_number": number,
        **clean_live_contact(contact, number).fields(),
    }
