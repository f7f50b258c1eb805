"""Unit test of this program under ``pulumi_avosms.testing`` (see docs/testing.md).

The list to adopt is made in the in-memory emulator first, as it exists in AvoSMS before
the first ``pulumi up``; the program must take it over, not create another. No AvoSMS
account, no network. Run ``python -m pytest`` here, with pytest installed next to the
project's requirements.
"""

import runpy
from pathlib import Path

import pulumi
import pytest

from pulumi_avosms import ContactListError
from pulumi_avosms.testing import AvoSMSMocks

PROGRAM = Path(__file__).with_name("__main__.py")
PROJECT = "avosms-adopt-existing"


@pytest.fixture
def mocks():
    """The mocks, with the list 'Newsletter' (FR) already in the account and its ID as the
    stack's ``listId``."""
    with AvoSMSMocks() as mocks:
        list_id = mocks.backend.console_create_list("Newsletter", "FR")
        pulumi.runtime.set_config(f"{PROJECT}:listId", list_id)
        pulumi.runtime.set_config(f"{PROJECT}:listName", "Newsletter")
        pulumi.runtime.set_mocks(mocks, project=PROJECT, stack="test", preview=False)
        yield mocks


@pulumi.runtime.test
def deploy():
    """Run the program; its list's ID once known."""
    return runpy.run_path(str(PROGRAM))["newsletter"].list_id


def test_the_existing_list_is_adopted_not_created(mocks):
    (existing,) = mocks.backend.lists()
    deploy()
    assert mocks.backend.lists() == [existing]  # the same list, unchanged


def test_a_name_that_is_not_the_lists_stops_the_adoption(mocks):
    pulumi.runtime.set_config(f"{PROJECT}:listName", "Newsletters")
    with pytest.raises(ContactListError, match="Newsletters"):
        deploy()
    assert [lst["name"] for lst in mocks.backend.lists()] == ["Newsletter"]
