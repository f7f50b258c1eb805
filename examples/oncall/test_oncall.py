"""Unit test of this program under ``pulumi_avosms.testing`` (see docs/testing.md).

Every person on call is checked by the provider's own rules (a number without its +33, a
bad e-mail or a number listed twice fails here as ``pulumi preview`` would) and added to a
list in an in-memory emulator: no AvoSMS account, no network. Run ``python -m pytest`` here,
with pytest installed next to the project's requirements.
"""

import runpy
from pathlib import Path

import pulumi
import pytest

from pulumi_avosms.testing import AvoSMSMocks

PROGRAM = Path(__file__).with_name("__main__.py")


@pytest.fixture
def mocks():
    with AvoSMSMocks() as mocks:
        pulumi.runtime.set_mocks(mocks, project="avosms-oncall", stack="test", preview=False)
        yield mocks


@pulumi.runtime.test
def test_everyone_on_call_is_in_the_list(mocks):
    program = runpy.run_path(str(PROGRAM))
    people = program["ON_CALL"]
    members = program["members"]

    def check(values):
        list_id, numbers, member_count, contact_count = values
        # Stored in E.164, one entry each.
        assert sorted(numbers) == sorted(p["phone_number"].replace(" ", "") for p in people)
        assert member_count == contact_count == len(people)
        contacts = mocks.backend.get_list(list_id)["contacts"]
        assert sorted(c["first_name"] for c in contacts) == sorted(p["first_name"] for p in people)

    return pulumi.Output.all(
        program["oncall"].list_id, members.members, members.member_count, members.contact_count
    ).apply(check)
