"""How the ``members`` input stores a member: one string, its set fields as compact JSON with
sorted keys (``""`` for a number alone), read back by the one parser of either stored form
(this release's text, 0.2.0's map)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pulumi_avosms._members_plan import fields_of, stored_form
from pulumi_avosms._members_state import members_of
from pulumi_avosms._model import CONTACT_FIELDS

FIELDS = st.dictionaries(st.sampled_from(CONTACT_FIELDS), st.text(min_size=1), max_size=6)


@given(FIELDS)
def test_a_member_stored_as_text_reads_back_as_its_fields(fields: dict[str, str]) -> None:
    text = stored_form(fields)
    assert isinstance(text, str)
    assert fields_of(text) == fields
    assert fields_of(dict(fields)) == fields  # as 0.2.0 stored it


def test_the_stored_text_is_compact_json_with_sorted_keys() -> None:
    assert stored_form({"last_name": "Martin", "first_name": "Élise"}) == (
        '{"first_name":"Élise","last_name":"Martin"}'
    )
    assert stored_form({}) == ""


def test_members_of_reads_either_form_and_ignores_what_is_neither() -> None:
    props = {
        "members": {
            "+33612345678": '{"first_name":"Alice"}',  # this release
            "+33698765432": {"first_name": "Bob"},  # 0.2.0
            "+33700000001": "",  # a number alone
            "+33700000002": "not json",  # a state edited by hand
            "+33700000003": 7,
        }
    }
    assert members_of(props) == {
        "+33612345678": {"first_name": "Alice"},
        "+33698765432": {"first_name": "Bob"},
        "+33700000001": {},
        "+33700000002": {},
        "+33700000003": {},
    }
