"""Every message built from a reply, a CSV file or the program is safe to show.

Hostile text (the configured key embedded in any case, control and bidi characters, very
long text) is fed to every path that quotes such text in an error or on stderr: lookups
(names from the reply, the name and account asked for), adoption and ``import_`` checks,
``ContactList``'s name-taken error (the existing list comes from the reply), a refused
member's position, ``members_from_csv`` (headers, cells, column maps, the path), settings
(numbers, endpoints, account names) and the ``.get()`` / ID parsers. Each message must hold
no spelling of the key, no raw control, bidi or line-separator character beyond its own
line breaks, and stay bounded however long the input.

The unsafe path is hard to write: a lint below fails on any ``!r`` in an f-string of the
package (Python's ``repr`` bounds nothing and scrubs nothing); values are quoted with
``_text.message`` (or ``shorten`` / ``describe``), which make them safe.
"""

from __future__ import annotations

import ast
import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pulumi_avosms import _adoption, lookups
from pulumi_avosms._model import ContactListInfo
from pulumi_avosms._text import Known, message
from pulumi_avosms.contact import Contact, ContactProvider
from pulumi_avosms.contact_list import ContactList, ContactListProvider, _name_taken_message
from pulumi_avosms.contact_list_members import ContactListMembersProvider
from pulumi_avosms.errors import AvoSMSError, NotFoundError, ServerError
from pulumi_avosms.members_csv import members_from_csv
from tests.support.projects import REPO_ROOT

KEY = "Zq7-Secr3tKey_4f9Lm2pX"
AGENCY_KEY = "Agency+Key/0123456789"
KEYS = (KEY, AGENCY_KEY)
ENV = {
    "AVOSMS_API_ID": "me@example.com",
    "AVOSMS_API_KEY": KEY,
    "AVOSMS_AGENCY_API_ID": "a@example.com",
    "AVOSMS_AGENCY_API_KEY": AGENCY_KEY,
}
#: The longest message any path may build from one hostile value.
MAX_MESSAGE = 3000
UNSAFE_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")

# -- hostile text ---------------------------------------------------------------------------

HOSTILE_CHARS = "\x00\x07\x1b[2J\r\n\t\u202e\u2066\u200b\u2028\u2029\ufeff\ud800\x85'\"\\{}"


def key_spellings(key: str) -> list[str]:
    return [key, key.upper(), key.lower(), key.swapcase()]


plain = st.text(max_size=30)
nasty = st.text(alphabet=st.sampled_from(HOSTILE_CHARS) | st.characters(), max_size=30)
embedded_key = st.builds(
    lambda a, k, b: a + k + b,
    nasty,
    st.sampled_from([s for k in KEYS for s in key_spellings(k)]),
    nasty,
)
very_long = st.builds(lambda a, n: a * n, st.text(min_size=1, max_size=5), st.integers(2000, 20000))
hostile = st.one_of(nasty, embedded_key, very_long, st.builds(str.__add__, very_long, embedded_key))


def assert_safe(text: str, *, line_breaks: int = 0) -> None:
    """No key (any case), nothing that rewrites a terminal or reorders text, bounded."""
    folded = text.casefold()
    for key in KEYS:
        assert key.casefold() not in folded, text
    unsafe = [c for c in text if unicodedata.category(c) in UNSAFE_CATEGORIES and c != "\n"]
    assert unsafe == [], text
    assert text.count("\n") <= line_breaks, text
    assert len(text) <= MAX_MESSAGE, len(text)


@contextmanager
def configured_keys() -> Iterator[None]:
    """The program's settings hold both keys (the stack's and an account's)."""
    with mock.patch.dict(os.environ, ENV):
        yield


def raised(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(AvoSMSError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


fuzz = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the builder ----------------------------------------------------------------------------


@fuzz
@given(value=hostile, other=hostile)
def test_message_makes_every_value_safe(value: str, other: str) -> None:
    text = message(
        "a {value} b {other!s} c {count}", secrets=KEYS, value=value, other=other, count=3
    )
    assert_safe(text)
    assert text.startswith("a ") and " c 3" in text


def test_message_inserts_known_text_unchanged_and_quotes_the_rest() -> None:
    assert message("{a} {b!s} {c} {d}", a="x", b="y", c=Known("z"), d=[1]) == "'x' y z an array"
    assert message("{a!r}", a="\u202e") == "'\\u202e'"  # !r is quoting made safe, not repr
    assert message("{n} {m}", n=10**5000, m=12) == "a number too large to show 12"


# -- lookups: names from the reply, the name and account asked for --------------------------


class ListingClient:
    """A client whose listing is ``names`` (as AvoSMS could return them)."""

    def __init__(self, names: list[str], *, failing: bool = False) -> None:
        self.names = names
        self.failing = failing

    def get_list(self, list_id: str, max_age: float = 0.0) -> Any:
        raise NotFoundError("ERR_104", "no such list", "contact/list/information")

    def list_lists(self, max_age: float = 0.0) -> list[ContactListInfo]:
        if self.failing:
            raise ServerError("ERR_900", "AvoSMS is down", "contact/list")
        return [
            ContactListInfo(str(i), name, "FR", "France", 0, datetime(2024, 1, 1))
            for i, name in enumerate(self.names, start=1)
        ]


@fuzz
@given(listed=st.lists(hostile, min_size=1, max_size=7), asked=hostile)
def test_a_lookup_that_finds_no_list_quotes_names_safely(listed: list[str], asked: str) -> None:
    listed = [n for n in listed if n.strip().casefold() != asked.strip().casefold()]
    with (
        configured_keys(),
        mock.patch.object(lookups._runtime, "get_client", return_value=ListingClient(listed)),
    ):
        if not asked.strip():
            assert_safe(raised(lookups.get_contact_list, name=asked))
            return
        assert_safe(raised(lookups.get_contact_list, name=asked))


@fuzz
@given(name=hostile)
def test_a_lookup_of_a_name_matching_several_lists_quotes_it_safely(name: str) -> None:
    named = name.strip() or "x"
    with (
        configured_keys(),
        mock.patch.object(
            lookups._runtime, "get_client", return_value=ListingClient([named, named.upper() + " "])
        ),
    ):
        try:
            lookups.get_contact_list(name=named.upper() + " ")
        except AvoSMSError as err:
            assert_safe(str(err))


@fuzz
@given(account=hostile, list_id=hostile)
@example(account="\ud800", list_id="")  # no environment variable can have that name
def test_a_lookup_with_a_bad_account_or_id_quotes_it_safely(account: str, list_id: str) -> None:
    for client in (ListingClient([]), ListingClient([], failing=True)):
        with (
            configured_keys(),
            mock.patch.object(lookups._runtime, "get_client", return_value=client),
        ):
            assert_safe(raised(lookups.get_contact_list, name="x", account=account or "?"))
            assert_safe(raised(lookups.get_contact_list, list_id=list_id or "?"))
            assert_safe(raised(lookups.get_contact_list, list_id="0" * len(list_id) + "1"))
            if client.failing:
                assert_safe(raised(lookups.get_contact_list, name=list_id or "?"))


# -- adoption and import_ -------------------------------------------------------------------


@fuzz
@given(wanted=hostile, live=hostile, live_country=hostile)
def test_an_adoption_mismatch_shows_both_sides_safely(
    wanted: str, live: str, live_country: str
) -> None:
    text = _adoption.adoption_mismatch(
        "contact list",
        "7",
        {"name": wanted, "country_code": "FR"},
        {"name": live + "!", "country_code": live_country + "?"},
        KEYS,
    )
    assert text is not None
    assert_safe(text, line_breaks=3)  # the header, one row per property, the advice


@fuzz
@given(declared=hostile, name=hostile)
def test_import_checks_quote_the_declared_values_safely(declared: str, name: str) -> None:
    """Through each provider's check (keys configured): the import_ mismatch quotes list_id
    and phone_number, the country-change refusal quotes the name."""
    cases = [
        (ContactListMembersProvider, {}, {"list_id": declared, "members": [], "import_id": "8"}),
        (
            ContactProvider,
            {},
            {"list_id": "7", "phone_number": declared, "import_id": "7/+33612345678"},
        ),
        (
            ContactListProvider,
            {"name": name, "country_code": "FR"},
            {"name": name, "country_code": "DE"},
        ),
    ]
    with configured_keys():
        for provider, olds, news in cases:
            for failure in provider().check(olds, news).failures:
                assert_safe(f"{failure.property}: {failure.reason}")


# -- ContactList's name-taken error: the existing list comes from the reply ------------------


class FindingClient:
    def __init__(self, existing: ContactListInfo) -> None:
        self.existing = existing

    def find_list_by_name(self, name: str, max_age: float = 0.0) -> ContactListInfo:
        return self.existing


@fuzz
@given(name=hostile, live_name=hostile, country=hostile, list_id=hostile)
def test_the_name_taken_error_quotes_the_replys_list_safely(
    name: str, live_name: str, country: str, list_id: str
) -> None:
    existing = ContactListInfo(list_id, live_name, country, "", 0, None)
    text = _name_taken_message(FindingClient(existing), name, list(KEYS))  # type: ignore[arg-type]
    assert_safe(text)


# -- a refused member's position, through the provider's check ------------------------------


@fuzz
@given(number=hostile)
def test_a_refused_members_position_shows_its_number_safely(number: str) -> None:
    with configured_keys():
        provider = ContactListMembersProvider()
        news = {"list_id": "7", "members": [{"phone_number": number, "email": "bad"}]}
        failures = provider.check({}, news).failures
    assert failures
    for failure in failures:
        assert_safe(f"{failure.property}: {failure.reason}")


# -- members_from_csv: headers, cells, column maps, the path --------------------------------

csv_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@fuzz
@given(header=st.one_of(csv_text, embedded_key.map(lambda t: t.replace("\x00", ""))), cell=hostile)
def test_a_bad_csv_quotes_its_header_and_cells_safely(
    tmp_path_factory: pytest.TempPathFactory, header: str, cell: str
) -> None:
    cell = cell.replace("\x00", "").encode("utf-8", "replace").decode()
    header = header.encode("utf-8", "replace").decode()
    folder = tmp_path_factory.mktemp("csv")
    files = {
        "header": f"phone_number,{csv_cell(header)}\n+33612345678,x\n",
        "number": f"phone_number\n{csv_cell(cell)}\n",
        "email": f"phone_number,email\n+33612345678,{csv_cell(cell)}\n",
    }
    with configured_keys():
        for what, content in files.items():
            path = folder / f"{what}.csv"
            path.write_text(content, encoding="utf-8")
            try:
                members_from_csv(path)
            except AvoSMSError as err:
                assert_safe(str(err))
        assert_safe(raised(members_from_csv, folder / "header.csv", columns={cell: cell + "?"}))


def test_a_csv_path_holding_the_key_and_odd_characters_is_shown_safely(tmp_path: Path) -> None:
    with configured_keys():
        text = raised(members_from_csv, tmp_path / f"no-such-{KEY.lower()}\u202e\x1b.csv")
    assert_safe(text)
    assert "cannot be read" in text


# -- settings, IDs and resource names -------------------------------------------------------


@fuzz
@given(value=hostile)
def test_settings_quote_a_refused_value_safely(value: str) -> None:
    value = value.replace("\x00", "") or "?"
    for variable in ("AVOSMS_TIMEOUT", "AVOSMS_MAX_RETRIES", "AVOSMS_ENDPOINT"):
        with configured_keys(), mock.patch.dict(os.environ, {variable: value}):
            try:
                lookups.program_settings()
            except AvoSMSError as err:
                assert_safe(str(err))


@fuzz
@given(resource_name=hostile, resource_id=hostile, state_id=nasty | very_long)
def test_get_and_id_parsers_quote_the_programs_text_safely(
    resource_name: str, resource_id: str, state_id: str
) -> None:
    with configured_keys():
        for resource in (Contact, ContactList):
            assert_safe(raised(resource.get, resource_name, resource_id + "/x!"))
    # An ID in the state (no key: the state never holds one) that is not a Contact ID.
    assert_safe(raised(ContactProvider().delete, state_id.replace("/", ""), {}))


# -- the lint: no repr in a message ---------------------------------------------------------

#: Functions whose f-strings may use ``!r``: a ``__repr__`` shows Python values to a
#: developer, and an f-string given to ``safe_text`` is made safe as a whole.
REPR_ALLOWED = {"__repr__", "__getattr__", "_extra_repr_fields"}


def repr_in_fstrings(path: Path) -> Iterator[int]:
    """Lines of ``path`` where an f-string uses ``!r`` outside the allowed places."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def visit(node: ast.AST, allowed: bool) -> Iterator[int]:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            allowed = allowed or node.name in REPR_ALLOWED
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "safe_text":
            allowed = True
        if isinstance(node, ast.FormattedValue) and node.conversion == ord("r") and not allowed:
            yield node.lineno
        for child in ast.iter_child_nodes(node):
            yield from visit(child, allowed)

    yield from visit(tree, False)


def test_no_message_of_the_package_quotes_a_value_with_repr() -> None:
    package = REPO_ROOT / "pulumi_avosms"
    found = [
        f"{path.relative_to(REPO_ROOT)}:{line}"
        for path in sorted(package.rglob("*.py"))
        if "emulator" not in path.parts
        for line in repr_in_fstrings(path)
    ]
    assert found == [], "quote values with _text.message() (or shorten/describe), not !r"


def test_the_lint_finds_a_repr_in_a_message(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f(x):\n    raise ValueError(f'bad {x!r}')\n\n"
        "def __repr__(self):\n    return f'{self!r}'\n\n"
        "def g(x):\n    return safe_text(f'{x!r}', ())\n"
    )
    assert list(repr_in_fstrings(module)) == [2]
