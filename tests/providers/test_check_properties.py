"""``check`` (no network) property-tested with hypothesis: any text, any type, unknowns.

It never raises; it accepts and normalises, or fails naming the property. The same odd
values through the real plugin are in tests/plugin/test_hostile_input.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from typing import Any

import pycountry
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from pulumi_avosms import ContactListProvider, ContactProvider

# -- strategies -------------------------------------------------------------------------------

#: Characters people do not expect: controls (NUL, CR, LF, DEL, NEL), form-encoding syntax,
#: combining marks, zero-width and bidi characters, line/paragraph separators, emoji.
ODD_CHARACTERS = [
    "\x00", "\r", "\n", "\r\n", "\t", "\x7f", "\x85", "&", "=", "+", "%", "%20", "?", "#",
    ";", "/", "\\", "'", '"', "<", ">", "\u0301", "\u200b", "\u200e", "\u202e", "\ufeff",
    "\u2028", "\u2029", "\u00a0", "\u3000", "🙂", "👩‍👩‍👧", "名", " ",
]  # fmt: skip
#: Lone surrogates are valid in a Python str but are not text (they cannot be UTF-8 encoded).
SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])

#: Pieces of text, some longer than one character ("\r\n", "%20", a family emoji).
any_text = st.lists(
    st.one_of(st.characters(), SURROGATES, st.sampled_from(ODD_CHARACTERS)), max_size=40
).map("".join)
#: Long texts (up to 10,000 characters) built cheaply from a repeated piece.
long_text = st.builds(
    lambda piece, n: (piece * n)[:10_000], any_text.filter(bool), st.integers(1, 10_000)
)
#: Numbers as the engine can send them: protobuf carries doubles, so integers beyond 2**53
#: never arrive (see test_huge_integers_do_not_crash_check for what happens if they do).
numbers = st.one_of(st.integers(-(2**53), 2**53), st.floats(allow_nan=True, allow_infinity=True))
scalars = st.one_of(st.none(), st.booleans(), numbers, any_text)
unknowns = st.sampled_from([Unknown(), UNKNOWN])
structures = st.recursive(
    st.one_of(scalars, unknowns),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
#: Anything a property may hold, weighted towards strings and country-code-like strings.
any_value = st.one_of(
    any_text,
    long_text,
    st.sampled_from(["FR", "fr", " be ", "UK", "FRA", "250", "France", "XX", "", "  "]),
    scalars,
    unknowns,
    structures,
)


#: Input dicts: each property may be absent, or hold anything; strange extra keys too.
def inputs_of(props: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={**{prop: any_value for prop in props}, "unexpected": any_value},
    )


HYPOTHESIS = settings(
    max_examples=300,
    deadline=None,  # the first pycountry lookup loads its database
    suppress_health_check=[HealthCheck.too_slow],
)

LIST_PROPS = ["name", "country_code", "import_id"]
CONTACT_PROPS = [
    "list_id", "phone_number", "civility", "first_name", "last_name", "email", "birthday",
    "other", "import_id",
]  # fmt: skip


def _unknown(value: Any) -> bool:
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def assert_failures_name_their_property(failures: list[Any], props: list[str]) -> None:
    for failure in failures:
        assert failure.property in props, failure
        # import_id is set with the import_ resource option: that is the name users know.
        lead = "import_" if failure.property == "import_id" else failure.property
        assert failure.reason.startswith(lead), failure
        assert failure.reason.strip() != lead, failure  # and says something about it


def assert_clean_text(value: str) -> None:
    assert value == value.strip()
    assert not any(unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") for char in value)
    # Format characters (invisible, bidi) are refused; a joiner inside an emoji is kept.
    assert all(char == "\u200d" for char in value if unicodedata.category(char) == "Cf"), ascii(
        value
    )


# -- check: ContactList -------------------------------------------------------------------------


@HYPOTHESIS
@given(news=inputs_of(LIST_PROPS), olds=inputs_of(LIST_PROPS))
@example(news={"name": "a" * 10_000, "country_code": "fr"}, olds={})
@example(news={"name": "x\x00y", "country_code": "FR\n"}, olds={})
@example(news={"name": "\ud800", "country_code": "\udfff"}, olds={})
@example(news={"name": None, "country_code": 33}, olds={})
@example(news={"name": ["a"], "country_code": {"code": "FR"}, "import_id": 1.5}, olds={})
@example(news={"name": Unknown(), "country_code": UNKNOWN, "import_id": UNKNOWN}, olds={})
# Found in CI once: an empty country in state read as a country change, and the refusal
# for import_id began with "country_code".
@example(
    news={"name": "FR", "import_id": "FR", "country_code": "FR", "unexpected": None},
    olds={"name": None, "import_id": "", "country_code": "", "unexpected": None},
)
@example(news={"name": "Same", "country_code": "BE"}, olds={"name": "same", "country_code": 7})
def test_contact_list_check_never_raises(news: dict[str, Any], olds: dict[str, Any]) -> None:
    result = ContactListProvider().check(olds, news)
    failed = {failure.property for failure in result.failures}
    assert_failures_name_their_property(result.failures, LIST_PROPS)
    if not result.failures:
        # Everything required was given, and the checked inputs are the user's, normalised.
        assert set(result.inputs) >= {"name", "country_code"}
    assert "unexpected" not in result.inputs  # unknown keys are not carried into the state
    name = result.inputs.get("name")
    if name is not None and not _unknown(name):
        assert "name" not in failed
        assert isinstance(name, str) and name
        assert_clean_text(name)
        assert name == news["name"].strip()  # trimmed, otherwise exactly what was written
    code = result.inputs.get("country_code")
    if code is not None and not _unknown(code):
        assert isinstance(code, str) and len(code) == 2 and code.isupper() and code.isascii()
        assert pycountry.countries.get(alpha_2=code) is not None
    for prop in ("name", "country_code"):
        if prop in news and _unknown(news[prop]):
            assert _unknown(result.inputs[prop])  # passed through during preview
        elif prop not in result.inputs:
            assert prop in failed  # a missing or bad value is a failure, never silently dropped


@HYPOTHESIS
@given(news=inputs_of(CONTACT_PROPS))
@example(news={"list_id": "7", "phone_number": "+33612345678", "email": "a@b\r\nBcc: x@y"})
@example(news={"list_id": 7.0, "phone_number": 33612345678, "birthday": "1990-02-30"})
@example(news={"list_id": "7", "phone_number": "+33612345678", "import_id": "7/\ud800"})
@example(news={"list_id": UNKNOWN, "phone_number": "+33612345678", "other": "é" * 10_000})
def test_contact_check_never_raises(news: dict[str, Any]) -> None:
    result = ContactProvider().check({}, news)
    assert_failures_name_their_property(result.failures, CONTACT_PROPS)
    assert "unexpected" not in result.inputs
    failed = {failure.property for failure in result.failures}
    for prop in ("list_id", "phone_number"):
        if prop in news and _unknown(news[prop]):
            assert _unknown(result.inputs[prop])  # passed through during preview
        elif prop not in result.inputs:
            assert prop in failed  # a missing or bad value is a failure, never silently dropped
    number = result.inputs.get("phone_number")
    if isinstance(number, str) and not _unknown(number):
        assert re.fullmatch(r"\+[1-9]\d{6,14}", number), number  # E.164
    for prop in ("civility", "first_name", "last_name", "other", "email"):
        value = result.inputs.get(prop)
        if isinstance(value, str) and not _unknown(value):
            assert_clean_text(value)


def test_huge_integers_do_not_crash_check() -> None:
    result = ContactListProvider().check({}, {"name": 10**5000, "country_code": "FR"})
    assert [failure.property for failure in result.failures] == ["name"]


def test_ci_runs_hypothesis_derandomised() -> None:
    """Under CI=true the suite draws the same examples on every run (tests/conftest.py)."""
    probe = (
        "import tests.conftest; from hypothesis import settings; "
        "print(settings.default.derandomize, settings.default.database)"
    )
    env = {**os.environ, "CI": "true"}
    env.pop("HYPOTHESIS_PROFILE", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert done.stdout.split() == ["True", "None"]
    assert HYPOTHESIS.derandomize == settings.default.derandomize
