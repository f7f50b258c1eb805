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
"""

from __future__ import annotations

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

from ._model import CONTACT_FIELDS, ContactInfo
from ._provider import IMPORT_PROPERTY, AvoSMSProvider, move_import_option
from ._serialize import DynamicResource
from .contact_validation import (
    country_label,
    format_contact_id,
    normalize_birthday,
    normalize_civility,
    normalize_email,
    normalize_optional_text,
    normalize_phone_number,
    parse_contact_id,
    phone_region,
    phone_type_label,
    tolerant_birthday,
    tolerant_email,
    tolerant_phone_number,
)
from .errors import AvoSMSError, ConflictError, NotFoundError
from .validation import ValidationError, is_unknown, normalize_list_id

__all__ = ["Contact", "ContactError", "ContactProvider"]

#: Inputs whose change needs a new contact: AvoSMS finds a contact by its number in a list
#: and has no call that changes either.
REPLACE_PROPERTIES = ("list_id", "phone_number")
#: Optional fields, updated in place by ``contact/update`` (which must receive all of them).
FIELD_PROPERTIES = CONTACT_FIELDS
#: Everything the provider returns as outputs: the inputs, normalised, and nothing else.
OUTPUT_PROPERTIES = (*REPLACE_PROPERTIES, *FIELD_PROPERTIES)

_NORMALISERS = {
    "civility": normalize_civility,
    "first_name": normalize_optional_text,
    "last_name": normalize_optional_text,
    "email": normalize_email,
    "birthday": normalize_birthday,
    "other": normalize_optional_text,
}


class ContactError(Exception):
    """An operation on one contact failed; the message says which contact, why and what to do.

    ``list_id`` and ``phone_number`` (E.164) name the contact. The AvoSMS error it comes from,
    with its code and endpoint, is kept as ``__cause__``.
    """

    def __init__(
        self, message: str, *, list_id: str | None = None, phone_number: str | None = None
    ) -> None:
        super().__init__(message)
        self.list_id = list_id
        self.phone_number = phone_number

    def __reduce__(self) -> Any:
        # Keyword-only arguments are not in ``args``: rebuild explicitly so it pickles.
        return (_rebuild_error, (str(self), self.list_id, self.phone_number))


def _rebuild_error(message: str, list_id: str | None, phone_number: str | None) -> ContactError:
    return ContactError(message, list_id=list_id, phone_number=phone_number)


class ContactProvider(AvoSMSProvider):
    """Dynamic provider for :class:`Contact`.

    Holds nothing when constructed, so it pickles by reference in a few dozen bytes; settings
    are read in :meth:`configure` inside the plugin and the API client is shared per process
    with :class:`~pulumi_avosms.contact_list.ContactListProvider` (so a contact written here
    invalidates the account listing that the list provider may have cached).
    """

    # -- engine entry points -------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalise the inputs; no API call.

        Unknown values (outputs of resources not created yet, typically ``list_id`` during a
        first preview) pass through unchanged.
        """
        inputs: dict[str, Any] = {}
        failures: list[CheckFailure] = []

        def run(prop: str, normalise: Any, value: Any) -> None:
            if is_unknown(value):
                inputs[prop] = value
                return
            try:
                inputs[prop] = normalise(value)
            except ValidationError as err:
                failures.append(CheckFailure(prop, f"{prop} {err}"))

        for prop, normalise in (
            ("list_id", normalize_list_id),
            ("phone_number", normalize_phone_number),
        ):
            value = news.get(prop)
            if value is None:
                failures.append(CheckFailure(prop, f"{prop} is required"))
            else:
                run(prop, normalise, value)
        for prop in FIELD_PROPERTIES:
            # Absent and None become "": what AvoSMS holds (and returns) for a field that
            # was not given, so state and a refresh agree.
            run(prop, _NORMALISERS[prop], news.get(prop))

        import_id = news.get(IMPORT_PROPERTY)
        if import_id is not None:
            if is_unknown(import_id):
                inputs[IMPORT_PROPERTY] = import_id
            else:
                try:
                    list_id, number = parse_contact_id(import_id)
                except ValidationError as err:
                    failures.append(CheckFailure(IMPORT_PROPERTY, f"import_ {err}"))
                else:
                    inputs[IMPORT_PROPERTY] = format_contact_id(list_id, number)
                    failure = _replacement_with_import(olds, inputs) or _import_mismatch(
                        list_id, number, inputs
                    )
                    if failure is not None:
                        failures.append(CheckFailure(IMPORT_PROPERTY, failure))
        return CheckResult(inputs, self._guard_api_key(news, failures))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the state with the checked inputs; no API call.

        ``olds`` are the outputs in state (already normalised), ``news`` the checked inputs.
        ``__provider`` and the adoption ID are never a change; an unknown value is one.
        """
        changed: list[str] = []
        replaces: list[str] = []
        for prop in REPLACE_PROPERTIES:
            new = news.get(prop)
            if is_unknown(new):
                # During a preview, every output of a ContactList being updated is unknown
                # (the plugin cannot preview, so the engine knows only its inputs): treating
                # that as a new list would show every contact of a renamed list as replaced.
                # The real diff in `pulumi up` sees the known value and replaces if it moved.
                changed.append(prop)
            elif new != olds.get(prop):
                changed.append(prop)
                replaces.append(prop)
        for prop in FIELD_PROPERTIES:
            new = news.get(prop)
            # `or ""`: a state written before a field existed, or by a read that lacked it,
            # holds no key; that means the same as "" (AvoSMS's empty value).
            if is_unknown(new) or (new or "") != (olds.get(prop) or ""):
                changed.append(prop)
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            # Create-then-delete is safe: the new contact differs in list or number, so it
            # never collides with the old one in AvoSMS.
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Add the contact (``contact/add``), or adopt the one named by ``import_``."""
        list_id, number = str(props["list_id"]), str(props["phone_number"])
        outs = _outputs_of(props)
        import_id = props.get(IMPORT_PROPERTY)
        if import_id:
            return self._adopt(str(import_id), outs)
        client = self._client()
        try:
            client.add_contact(list_id, _contact_of(number, outs))
        except ConflictError as err:
            raise ContactError(
                f"Could not add {number} to contact list {list_id}: that number is already in "
                "the list (added in the AvoSMS console, or by another stack or resource). To "
                "manage the existing contact with Pulumi, adopt it: Contact(..., "
                f"opts=pulumi.ResourceOptions(import_={format_contact_id(list_id, number)!r})), "
                "with the program's fields equal to the contact's in AvoSMS. Otherwise remove "
                f"it from the list in the AvoSMS console, or drop it from the program. ({err})",
                list_id=list_id,
                phone_number=number,
            ) from err
        except AvoSMSError as err:
            raise ContactError(
                self._write_failure("add", list_id, number, err),
                list_id=list_id,
                phone_number=number,
            ) from err
        # No read-back: the outputs are the inputs, and reading the list back would fetch
        # every contact of it for each new one (quadratic for a list created in parallel).
        return CreateResult(format_contact_id(list_id, number), outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh from the list's contacts; a contact or list that is gone answers an empty ID."""
        list_id, number = _split_id(id_)
        found = self._find(list_id, number, step="refresh")
        if found is None:
            # Gone from the list, or the list is gone: the engine drops it from state and the
            # next `pulumi up` adds it again. outs must be a dict, never None (the plugin
            # writes `__provider` into it).
            return ReadResult("", {})
        # The live values become both outputs and inputs, so that a refreshed state diffs
        # cleanly and a console edit shows as a change back to the program's values.
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
        outs = _outputs_of(news)
        try:
            # Every field, including unchanged and empty ones: contact/update clears any
            # field it is not given.
            self._client().update_contact(list_id, _contact_of(number, outs))
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
        except AvoSMSError as err:
            raise ContactError(
                self._write_failure("update", list_id, number, err),
                list_id=list_id,
                phone_number=number,
            ) from err
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Remove the contact (``contact/delete``); one that is already gone is a success."""
        list_id, number = _split_id(id_)
        try:
            self._client().delete_contact(list_id, number)
        except NotFoundError:
            # ERR_103 (list gone) or ERR_104 (contact gone): the goal is reached either way.
            return
        except AvoSMSError as err:
            raise ContactError(
                f"Could not remove {number} from contact list {list_id}: {err}",
                list_id=list_id,
                phone_number=number,
            ) from err

    # -- helpers -------------------------------------------------------------------------

    def _find(self, list_id: str, number: str, *, step: str) -> dict[str, Any] | None:
        """This contact's live fields as outputs, or None when it (or its list) is gone."""
        return self._lookup(list_id, number, step=step)[1]

    def _lookup(
        self, list_id: str, number: str, *, step: str
    ) -> tuple[bool, dict[str, Any] | None]:
        """``(list exists, this contact's live fields as outputs or None)``.

        A refresh reads the list's contacts through the client's shared reads: the contacts
        of one list refreshed together cost one ``information`` call, not one each. Adoption
        reads fresh.
        """
        client = self._client()
        max_age = client.listing_ttl if step == "refresh" else 0.0
        try:
            detail = client.get_list(list_id, max_age=max_age)
        except NotFoundError:
            return False, None
        except AvoSMSError as err:
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
                return True, _live_outputs(list_id, number, contact)
        return True, None

    def _adopt(self, import_id: str, outs: dict[str, Any]) -> CreateResult:
        list_id, number = outs["list_id"], outs["phone_number"]
        if import_id != format_contact_id(list_id, number):
            # check() refuses this when both are known; list_id may only be known now.
            raise ContactError(
                f"Cannot import contact {import_id}: the resource declares "
                f"list_id={list_id!r} and phone_number={number!r}; import_ must be "
                f"{format_contact_id(list_id, number)!r}.",
                list_id=list_id,
                phone_number=number,
            )
        list_exists, found = self._lookup(list_id, number, step="import")
        if found is None:
            where = (
                f"contact list {list_id} has no contact with the number {number}"
                if list_exists
                else f"there is no contact list {list_id} in the AvoSMS account"
            )
            raise ContactError(
                f"Cannot import contact {import_id}: {where}. Check the ID given to import_ "
                "(ResourceOptions(import_='<list id>/<phone number>')). If this contact was "
                "imported before and has since been removed in AvoSMS, remove import_ from "
                "the program so that `pulumi up` adds it again.",
                list_id=list_id,
                phone_number=number,
            )
        mismatches = [
            (prop, outs[prop], found[prop])
            for prop in FIELD_PROPERTIES
            if outs[prop] != found[prop]
        ]
        if mismatches:
            rows = "\n".join(
                f"  {prop:<10} program: {wanted!r:<30} AvoSMS: {live!r}"
                for prop, wanted, live in mismatches
            )
            raise ContactError(
                f"Cannot import contact {import_id}: the program does not match the contact "
                f"in AvoSMS.\n{rows}\nChange the program to the AvoSMS values to import it as "
                "it is; you can change them in a later update once it is managed.",
                list_id=list_id,
                phone_number=number,
            )
        return CreateResult(import_id, found)

    def _write_failure(self, verb: str, list_id: str, number: str, err: AvoSMSError) -> str:
        """The message for a failed contact/add or contact/update, by AvoSMS error code."""
        target = (
            f"{number} in contact list {list_id}"
            if verb == "update"
            else (f"{number} to contact list {list_id}")
        )
        head = f"Could not {verb} {target}"
        if err.code == "ERR_107":
            list_country = self._list_country(list_id)
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

    def _list_country(self, list_id: str) -> str | None:
        # Only on the error path, to name the list's country in the message.
        try:
            return str(self._client().get_list(list_id).country_code).upper()
        except AvoSMSError:
            return None


def _replacement_with_import(olds: dict[str, Any], inputs: dict[str, Any]) -> str | None:
    """A managed contact moving to another list or number while ``import_`` is still there:
    the replacement's create would adopt the old contact again, so say to remove it."""
    moved = [
        prop
        for prop in REPLACE_PROPERTIES
        if isinstance(olds.get(prop), str)
        and isinstance(inputs.get(prop), str)
        and not is_unknown(inputs[prop])
        and inputs[prop] != olds[prop]
    ]
    if not moved:
        return None
    return (
        f"{' and '.join(moved)} changed, which replaces the contact, but import_ still names "
        f"{inputs[IMPORT_PROPERTY]}: the replacement would adopt that contact again. Remove "
        "import_ from the program in this change (it is only needed for the first `pulumi up`)."
    )


def _split_id(id_: str) -> tuple[str, str]:
    # Not parse_contact_id: an ID in state was valid when written; re-validating its number
    # (phonenumbers' metadata changes between releases) could make a contact undeletable.
    list_id, sep, number = str(id_).partition("/")
    if not sep or not list_id or not number:
        raise ContactError(
            f"{id_!r} is not a Contact ID; Contact IDs are '<list id>/<E.164 number>', "
            "e.g. '1234/+33612345678'."
        )
    return list_id, number


def _outputs_of(props: dict[str, Any]) -> dict[str, Any]:
    # Checked inputs are already normalised; `or ""` only guards an input dropped on the way.
    outs: dict[str, Any] = {
        "list_id": str(props["list_id"]),
        "phone_number": str(props["phone_number"]),
    }
    for prop in FIELD_PROPERTIES:
        outs[prop] = props.get(prop) or ""
    return outs


def _contact_of(number: str, outs: dict[str, Any]) -> ContactInfo:
    return ContactInfo(number, **{prop: str(outs.get(prop) or "") for prop in FIELD_PROPERTIES})


def _live_outputs(list_id: str, number: str, contact: Any) -> dict[str, Any]:
    """The outputs of a contact as AvoSMS holds it, normalised as inputs would be."""

    def text(value: Any) -> str:
        return "" if value is None else str(value).strip()

    return {
        "list_id": list_id,
        "phone_number": number,
        "civility": text(contact.civility),
        "first_name": text(contact.first_name),
        "last_name": text(contact.last_name),
        "email": tolerant_email(contact.email),
        "birthday": tolerant_birthday(contact.birthday),
        "other": text(contact.other),
    }


def _import_mismatch(list_id: str, number: str, inputs: dict[str, Any]) -> str | None:
    """Refuse at preview an ``import_`` ID naming another contact than the inputs declare."""
    declared_list, declared_number = inputs.get("list_id"), inputs.get("phone_number")
    problems = []
    if (
        isinstance(declared_list, str)
        and not is_unknown(declared_list)
        and (declared_list != list_id)
    ):
        problems.append(f"list {list_id} but list_id is {declared_list!r}")
    if (
        isinstance(declared_number, str)
        and not is_unknown(declared_number)
        and (declared_number != number)
    ):
        problems.append(f"number {number} but phone_number is {declared_number!r}")
    if not problems:
        return None
    return (
        f"import_ names {' and '.join(problems)}; import_ must be "
        "'<list_id>/<phone_number>' of this same contact"
    )


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

    def __init__(
        self,
        resource_name: str,
        *,
        list_id: pulumi.Input[str],
        phone_number: pulumi.Input[str],
        civility: pulumi.Input[str] | None = None,
        first_name: pulumi.Input[str] | None = None,
        last_name: pulumi.Input[str] | None = None,
        email: pulumi.Input[str] | None = None,
        birthday: pulumi.Input[str] | None = None,
        other: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare the contact ``phone_number`` in the list ``list_id`` (a ContactList's
        ``list_id`` output, or the ID of a list not managed by this program).

        ``birthday`` accepts ``YYYY-MM-DD`` or ``DD/MM/YYYY``; ``email`` a plain
        ``local@domain.tld``.
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
        }
        opts = move_import_option(props, opts)
        super().__init__(ContactProvider(), resource_name, props, opts)
