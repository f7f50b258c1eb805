"""EmulatorBackend: validates and stores AvoSMS contact lists and contacts (SQLite).

This module is the only place holding the API rules (which error code for which input).
The HTTP layer (``api.py``) only maps form parameters to the ``api_*`` methods and
serialises what they return; the admin layer (``admin.py``) and the offline CLI call the
``console_*`` methods, which model edits made in the AvoSMS web console (out of band).

Where the API reference (``docs/avosms-api.md``) is silent, the emulator is *conservative*:
it rejects what the real AvoSMS might reject, so that a client passing against the emulator
does not rely on leniency the real service may not have. Each such choice has a comment at the spot.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import phonenumbers
import pycountry

__all__ = [
    "CONTACT_FIELDS",
    "DEFAULT_ACCOUNTS",
    "DEMO_ACCOUNT_ID",
    "DEMO_ACCOUNT_KEY",
    "ApiError",
    "EmulatorBackend",
    "country_name",
]

#: The documented demo account, accepted when no account is configured.
DEMO_ACCOUNT_ID = "demo@avosms.local"
DEMO_ACCOUNT_KEY = "demo-key"
DEFAULT_ACCOUNTS: dict[str, str] = {DEMO_ACCOUNT_ID: DEMO_ACCOUNT_KEY}

#: Optional contact fields, in the emulator's Python naming (``last_name`` is AvoSMS's
#: ``contactName``). Every one defaults to "" (the API clears omitted fields on update).
CONTACT_FIELDS: tuple[str, ...] = (
    "civility",
    "last_name",
    "first_name",
    "email",
    "birthday",
    "other",
)

# Number types that can receive an SMS. Undocumented which types AvoSMS refuses with
# ERR_108; conservative choice: only numbers that are (or may be) mobile are accepted.
# Fixed lines, toll-free, premium-rate, shared-cost, VoIP, pagers, UAN, voicemail... are
# refused with ERR_108. (US/CA numbers are FIXED_LINE_OR_MOBILE, so they are accepted.)
_SMS_CAPABLE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lists (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,  -- AUTOINCREMENT: ids never reused
    account      TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,                      -- see _name_key()
    country_code TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (account, name_key)                       -- also guards cross-process writers
);
CREATE TABLE IF NOT EXISTS contacts (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,  -- keeps insertion order
    list_id      INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    phone        TEXT NOT NULL,                      -- E.164
    civility     TEXT NOT NULL DEFAULT '',
    last_name    TEXT NOT NULL DEFAULT '',
    first_name   TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    birthday     TEXT NOT NULL DEFAULT '',
    other        TEXT NOT NULL DEFAULT '',
    UNIQUE (list_id, phone)
);
"""


class ApiError(Exception):
    """A request refused by the emulated AvoSMS, carrying the API error code.

    ``code`` is what the API puts in the reply's ``code`` field (``"ERR_104"``);
    ``not_found`` tells the admin layer to answer HTTP 404 rather than 400/409;
    ``conflict`` marks "already used/exists" refusals (admin answers HTTP 409).
    """

    def __init__(
        self, code: str, message: str, *, not_found: bool = False, conflict: bool = False
    ) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.not_found = not_found
        self.conflict = conflict


def country_name(code: str) -> str:
    """English name of an ISO 3166-1 alpha-2 code, as the emulator reports it.

    Undocumented: the language and form of ``list_contact_country_name``. Choice: English,
    pycountry's ``name`` (the ISO 3166 short name, e.g. "Bolivia, Plurinational State of"),
    not ``common_name`` — it is the standard's own spelling and exists for every country,
    and a client must treat this field as display-only anyway.
    """
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country is not None else code


def _name_key(name: str) -> str:
    """Key under which list names must be unique within an account.

    Undocumented whether uniqueness is case-insensitive. Conservative choice: names clash
    case-insensitively and ignoring surrounding blanks ("Customers" blocks " customers"),
    as a MySQL ``*_ci`` collation with trimmed input would. (Such collations would also
    fold accents; not modelled.)
    """
    return name.strip().casefold()


def _is_blank(value: str) -> bool:
    # Undocumented whether AvoSMS trims input. Conservative: a value made only of blanks
    # counts as empty (the real service may trim it and then refuse it).
    return value.strip() == ""


def _parse_list_id(raw: str | int) -> int | None:
    """The list id as an int, or None when it cannot name any list.

    Conservative: only the canonical decimal form is accepted ("7", not " 7", "07", "7.0").
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if raw > 0 else None
    text = str(raw)
    if not text.isascii() or not text.isdigit() or text != str(int(text)):
        return None
    return int(text)


def _now_text() -> str:
    # Undocumented time zone of list_contact_creation_date; the emulator uses UTC.
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class EmulatorBackend:
    """Validates and stores the data of the emulated AvoSMS accounts.

    ``state_path`` is a SQLite file (data survives restarts) or ``":memory:"``/None.
    ``accounts`` maps account id (e-mail) to API key. ``clock`` returns the creation time
    text (``YYYY-MM-DD HH:MM:SS``); tests may inject one. All methods are thread-safe.

    ``api_*`` methods implement the HTTP endpoints for an authenticated account and raise
    :class:`ApiError` with the endpoint's error code. ``console_*`` methods model edits
    made in the AvoSMS web console: the same rules apply (raising :class:`ApiError`), but
    they act on any account's list, by id.
    """

    def __init__(
        self,
        state_path: str | None = None,
        accounts: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], str] | None = None,
    ) -> None:
        self.state_path = state_path or ":memory:"
        self.accounts: dict[str, str] = dict(accounts if accounts is not None else DEFAULT_ACCOUNTS)
        self.clock: Callable[[], str] = clock or _now_text
        self._lock = threading.Lock()
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves so that a write
        # transaction takes the file lock up front (another process — the offline CLI —
        # waits on the busy timeout instead of failing half-way).
        self._db = sqlite3.connect(
            self.state_path, timeout=10.0, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA busy_timeout = 10000")
        # executescript manages its own transaction, so it runs outside _transaction().
        with self._lock:
            self._db.executescript(_SCHEMA)

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _transaction(self, begin: str = "BEGIN IMMEDIATE") -> Iterator[sqlite3.Connection]:
        """One serialised transaction (thread lock + SQLite file lock); writes by default."""
        with self._lock:
            self._db.execute(begin)
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _snapshot(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One consistent read: every SELECT inside sees the same state of the file.

        With ``isolation_level=None`` sqlite3 starts no transaction for SELECTs, so two
        SELECTs in a row could straddle a write by another process (the offline CLI). An
        explicit (deferred) BEGIN makes them one read transaction: the shared lock taken by
        the first SELECT is held until COMMIT, so a writer waits (busy timeout) meanwhile.
        """
        return self._transaction("BEGIN")

    def close(self) -> None:
        """Close the SQLite connection (an in-memory state is lost)."""
        with self._lock:
            self._db.close()

    def reset(self) -> None:
        """Forget all data and restart the id sequence (the data only: transport state such
        as faults and counters belongs to :class:`~.controls.EmulatorControls`)."""
        with self._transaction() as db:
            db.execute("DELETE FROM contacts")
            db.execute("DELETE FROM lists")
            db.execute("DELETE FROM sqlite_sequence")

    def authenticate(self, api_id: str, api_key: str) -> str:
        """Return the account for these credentials, or raise ApiError ERR_100.

        Conservative: exact, case-sensitive match of both the id and the key.
        """
        if api_id and api_key and self.accounts.get(api_id) == api_key:
            return api_id
        raise ApiError("ERR_100", "API credentials not recognised")

    def _default_account(self) -> str:
        if not self.accounts:
            raise ApiError("ERR_100", "no account configured")
        return next(iter(self.accounts))

    # ------------------------------------------------------------------ reads

    def _contacts(self, db: sqlite3.Connection, list_id: int) -> list[dict[str, str]]:
        rows = db.execute(
            "SELECT phone, civility, last_name, first_name, email, birthday, other "
            "FROM contacts WHERE list_id = ? ORDER BY seq",
            (list_id,),
        ).fetchall()
        return [
            {"phone_number": r["phone"], **{field: r[field] for field in CONTACT_FIELDS}}
            for r in rows
        ]

    def _list_dict(self, db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
        contacts = self._contacts(db, row["id"])
        return {
            "list_id": str(row["id"]),
            "account": row["account"],
            "name": row["name"],
            "country_code": row["country_code"],
            "country_name": country_name(row["country_code"]),
            "created_at": row["created_at"],
            "contact_count": len(contacts),
            "contacts": contacts,
        }

    def lists(self, account: str | None = None) -> list[dict[str, Any]]:
        """Every list (of one account, or of all when None), by id, with its contacts.

        Each: {"list_id", "account", "name", "country_code", "country_name", "created_at",
        "contact_count", "contacts": [{"phone_number", "civility", "last_name",
        "first_name", "email", "birthday", "other"}]}.
        """
        with self._snapshot() as db:  # the lists and their contacts from one state
            if account is None:
                rows = db.execute("SELECT * FROM lists ORDER BY id").fetchall()
            else:
                rows = db.execute(
                    "SELECT * FROM lists WHERE account = ? ORDER BY id", (account,)
                ).fetchall()
            return [self._list_dict(db, row) for row in rows]

    def get_list(self, list_id: str | int) -> dict[str, Any] | None:
        """One list as in :meth:`lists`, or None when no list has that id."""
        lid = _parse_list_id(list_id)
        if lid is None:
            return None
        with self._snapshot() as db:
            row = db.execute("SELECT * FROM lists WHERE id = ?", (lid,)).fetchone()
            return None if row is None else self._list_dict(db, row)

    # ------------------------------------------------------------------ rules

    @staticmethod
    def _check_country(code: str) -> str:
        if code == "":
            raise ApiError("ERR_102", "country code empty")
        # Undocumented whether lower case is accepted. pycountry's lookup is
        # case-insensitive, so check explicitly: conservative choice, only the canonical
        # upper-case ISO 3166-1 alpha-2 form is a known country ("fr" -> ERR_103).
        if not (len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()):
            raise ApiError("ERR_103", f"no country exists for ISO2 code {code!r}")
        if pycountry.countries.get(alpha_2=code) is None:
            raise ApiError("ERR_103", f"no country exists for ISO2 code {code!r}")
        return code

    @staticmethod
    def _name_taken(db: sqlite3.Connection, account: str, name: str) -> bool:
        """Whether any list of ``account`` (the one being renamed included) uses ``name``."""
        row = db.execute(
            "SELECT id FROM lists WHERE account = ? AND name_key = ?",
            (account, _name_key(name)),
        ).fetchone()
        return row is not None

    @staticmethod
    def _find_list(
        db: sqlite3.Connection, account: str | None, list_id: int | None
    ) -> sqlite3.Row | None:
        if list_id is None:
            return None
        if account is None:  # console: any account
            return db.execute("SELECT * FROM lists WHERE id = ?", (list_id,)).fetchone()
        # Lists of other accounts are invisible: same code as a list that does not exist.
        return db.execute(
            "SELECT * FROM lists WHERE id = ? AND account = ?", (list_id, account)
        ).fetchone()

    @staticmethod
    def _normalize_phone(raw: str, country: str, *, for_lookup: bool) -> str | None:
        """E.164 form of ``raw`` read with the list's country as region.

        Raises ERR_106 (badly formatted / not a valid number), ERR_107 (valid number of
        another country), ERR_108 (type that cannot receive SMS). With ``for_lookup``
        (delete: whose documented codes have none of these) returns None instead.
        """
        try:
            number = phonenumbers.parse(raw, country)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            if for_lookup:
                return None
            raise ApiError("ERR_106", f"phone number {raw!r} badly formatted")
        # Countries sharing a calling code (+1 US/CA, +44 GB/JE/GG/IM...) are told apart
        # by region: a Canadian number in a US list is another country (ERR_107).
        if phonenumbers.region_code_for_number(number) != country:
            if for_lookup:
                return None
            raise ApiError("ERR_107", f"phone number {raw!r} is not a {country} number")
        if phonenumbers.number_type(number) not in _SMS_CAPABLE_TYPES:
            if for_lookup:
                return None
            raise ApiError("ERR_108", f"phone number {raw!r}: that type of number is not allowed")
        # Contacts are stored — and returned as contact_telephone_number — in E.164
        # ("+33612345678"); undocumented which format AvoSMS returns, so a client must
        # compare numbers after normalising them, not as typed.
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))

    @staticmethod
    def _clean_fields(fields: Mapping[str, str]) -> dict[str, str]:
        unknown = set(fields) - set(CONTACT_FIELDS)
        if unknown:
            raise TypeError(f"unknown contact fields: {sorted(unknown)}")
        # Undocumented validation of e-mail/birthday/etc.: none is invented; stored verbatim.
        return {field: str(fields.get(field, "")) for field in CONTACT_FIELDS}

    # ------------------------------------------------------------------ lists

    def _create_list(self, account: str, name: str, country_code: str) -> int:
        if _is_blank(name):
            raise ApiError("ERR_101", "list name empty")
        code = self._check_country(country_code)
        # Undocumented maximum name length: no limit invented, any length is accepted.
        with self._transaction() as db:
            if self._name_taken(db, account, name):
                raise ApiError("ERR_104", f"list name {name!r} not available", conflict=True)
            cursor = db.execute(
                "INSERT INTO lists (account, name, name_key, country_code, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (account, name, _name_key(name), code, self.clock()),
            )
            assert cursor.lastrowid is not None
            return int(cursor.lastrowid)

    def _rename_list(self, account: str | None, list_id: str | int, name: str) -> None:
        if str(list_id) == "":
            raise ApiError("ERR_101", "list ID empty")
        if _is_blank(name):
            raise ApiError("ERR_102", "list name empty")
        with self._transaction() as db:
            row = self._find_list(db, account, _parse_list_id(list_id))
            if row is None:
                raise ApiError("ERR_103", f"no contact list {list_id!r}", not_found=True)
            # Undocumented whether a list's OWN current name counts as "not available".
            # Conservative (stricter) choice: it does, like any other list's name — renaming
            # a list to its current name, or to a case/blank variant of it, is ERR_104.
            # A client must therefore not send a no-op rename, and must read the list back
            # when a resend after an unknown outcome (its first rename did land) answers
            # ERR_104; this rule exercises that path. The console rename (out of band, a
            # person in the web UI) follows the same rule: the web UI presumably goes
            # through the same server-side check, and being lenient there would only hide
            # the case from tests.
            if self._name_taken(db, row["account"], name):
                raise ApiError("ERR_104", f"list name {name!r} not available", conflict=True)
            db.execute(
                "UPDATE lists SET name = ?, name_key = ? WHERE id = ?",
                (name, _name_key(name), row["id"]),
            )

    # ------------------------------------------------------------------ contacts

    def _contact_target(
        self, db: sqlite3.Connection, account: str | None, list_id: str | int, phone: str
    ) -> sqlite3.Row:
        """Common checks of contact/add, update, delete, in their documented order."""
        if str(list_id) == "":
            raise ApiError("ERR_101", "list ID empty")
        if _is_blank(phone):
            raise ApiError("ERR_102", "phone number empty")
        row = self._find_list(db, account, _parse_list_id(list_id))
        if row is None:
            raise ApiError("ERR_103", f"no contact list {list_id!r}", not_found=True)
        return row

    def _add_contact(
        self, account: str | None, list_id: str | int, phone: str, fields: Mapping[str, str]
    ) -> str:
        values = self._clean_fields(fields)
        with self._transaction() as db:
            row = self._contact_target(db, account, list_id, phone)
            e164 = self._normalize_phone(phone, row["country_code"], for_lookup=False)
            # Identity of a contact is its E.164 number: "06 12 34 56 78" and
            # "+33612345678" are the same contact in an FR list (ERR_105).
            if db.execute(
                "SELECT 1 FROM contacts WHERE list_id = ? AND phone = ?", (row["id"], e164)
            ).fetchone():
                raise ApiError("ERR_105", f"{e164} already exists in the list", conflict=True)
            db.execute(
                "INSERT INTO contacts (list_id, phone, civility, last_name, first_name, "
                "email, birthday, other) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (row["id"], e164, *(values[f] for f in CONTACT_FIELDS)),
            )
            assert e164 is not None
            return e164

    def _update_contact(
        self,
        account: str | None,
        list_id: str | int,
        phone: str,
        fields: Mapping[str, str],
        *,
        clear_omitted: bool,
    ) -> str:
        if clear_omitted:
            values = self._clean_fields(fields)
        else:
            self._clean_fields(fields)  # only to refuse unknown names
            values = {k: str(v) for k, v in fields.items()}
        with self._transaction() as db:
            row = self._contact_target(db, account, list_id, phone)
            # Validation of the number comes before the lookup, so a malformed number
            # answers ERR_106 (more useful than ERR_104). ERR_105 is documented for update
            # but cannot arise: contact/update has no parameter that changes the number.
            e164 = self._normalize_phone(phone, row["country_code"], for_lookup=False)
            assert e164 is not None
            if not db.execute(
                "SELECT 1 FROM contacts WHERE list_id = ? AND phone = ?", (row["id"], e164)
            ).fetchone():
                raise ApiError("ERR_104", f"no contact {e164} in the list", not_found=True)
            if values:
                assignments = ", ".join(f"{field} = ?" for field in values)
                db.execute(
                    f"UPDATE contacts SET {assignments} WHERE list_id = ? AND phone = ?",
                    (*values.values(), row["id"], e164),
                )
            return e164

    def _delete_contact(self, account: str | None, list_id: str | int, phone: str) -> None:
        with self._transaction() as db:
            row = self._contact_target(db, account, list_id, phone)
            # contact/delete documents no ERR_106/107/108: a number that cannot be in the
            # list is simply not found (ERR_104).
            e164 = self._normalize_phone(phone, row["country_code"], for_lookup=True)
            cursor = db.execute(
                "DELETE FROM contacts WHERE list_id = ? AND phone = ?", (row["id"], e164)
            )
            if cursor.rowcount == 0:
                raise ApiError("ERR_104", f"no contact {phone!r} in the list", not_found=True)

    # ------------------------------------------------------------------ API endpoints

    def api_create_list(self, account: str, name: str, country_code: str) -> int:
        """contact/list/create: the new list's id. ERR_101/102/103/104."""
        return self._create_list(account, name, country_code)

    def api_list_information(self, account: str, list_id: str) -> dict[str, Any]:
        """contact/list/information: the list as in :meth:`lists`. ERR_101 when unknown."""
        with self._snapshot() as db:  # the list and its contacts from one state
            row = self._find_list(db, account, _parse_list_id(list_id))
            if row is None:
                raise ApiError("ERR_101", f"no contact list {list_id!r}", not_found=True)
            return self._list_dict(db, row)

    def api_list_lists(self, account: str) -> list[dict[str, Any]]:
        """contact/list: every list of the account, by id."""
        return self.lists(account)

    def api_rename_list(self, account: str, list_id: str, name: str) -> None:
        """contact/list/rename. ERR_101 id empty, 102 name empty, 103 unknown, 104 taken."""
        self._rename_list(account, list_id, name)

    def api_add_contact(
        self, account: str, list_id: str, phone: str, fields: Mapping[str, str]
    ) -> None:
        """contact/add: omitted fields are empty. ERR_101/102/103/105/106/107/108."""
        self._add_contact(account, list_id, phone, fields)

    def api_update_contact(
        self, account: str, list_id: str, phone: str, fields: Mapping[str, str]
    ) -> None:
        """contact/update: every field not given is cleared. ERR_101/102/103/104/106/107/108."""
        self._update_contact(account, list_id, phone, fields, clear_omitted=True)

    def api_delete_contact(self, account: str, list_id: str, phone: str) -> None:
        """contact/delete. ERR_101 id empty, 102 phone empty, 103 unknown list, 104 no contact."""
        self._delete_contact(account, list_id, phone)

    # ------------------------------------------------------------------ web console

    def console_create_list(self, name: str, country_code: str, account: str | None = None) -> str:
        """Create a list out of band (default: the first configured account); its id."""
        return str(self._create_list(account or self._default_account(), name, country_code))

    def console_rename_list(self, list_id: str | int, name: str) -> None:
        """Rename a list out of band (same rules as contact/list/rename: its own current
        name, in any case, is not available either — ERR_104)."""
        self._rename_list(None, list_id, name)

    def console_delete_list(self, list_id: str | int) -> None:
        """Delete a list and its contacts out of band (the API has no such endpoint)."""
        with self._transaction() as db:
            row = self._find_list(db, None, _parse_list_id(list_id))
            if row is None:
                raise ApiError("ERR_103", f"no contact list {list_id!r}", not_found=True)
            db.execute("DELETE FROM contacts WHERE list_id = ?", (row["id"],))
            db.execute("DELETE FROM lists WHERE id = ?", (row["id"],))

    def console_add_contact(self, list_id: str | int, phone_number: str, **fields: str) -> str:
        """Add a contact out of band (same rules as contact/add); its E.164 number."""
        return self._add_contact(None, list_id, phone_number, fields)

    def console_update_contact(self, list_id: str | int, phone_number: str, **fields: str) -> str:
        """Edit a contact out of band; unlike contact/update, fields not given are KEPT
        (an edit of one field in the web console). Returns its E.164 number."""
        return self._update_contact(None, list_id, phone_number, fields, clear_omitted=False)

    def console_remove_contact(self, list_id: str | int, phone_number: str) -> None:
        """Remove a contact out of band (same rules as contact/delete)."""
        self._delete_contact(None, list_id, phone_number)
