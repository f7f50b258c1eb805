"""Unit test of this program under ``pulumi_avosms.testing`` (see docs/testing.md).

The lists are checked by the provider's own rules and created in an in-memory emulator: no
AvoSMS account, no network, no CI secrets. Run ``python -m pytest`` here, with pytest
installed next to the project's requirements.
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
        pulumi.runtime.set_mocks(mocks, project="avosms-ci-drift", stack="test", preview=False)
        yield mocks


@pulumi.runtime.test
def test_every_declared_list_is_created_with_its_name_and_country(mocks):
    program = runpy.run_path(str(PROGRAM))
    declared = program["LISTS"]
    lists = program["lists"]

    def check(list_ids):
        live = {lst["list_id"]: (lst["name"], lst["country_code"]) for lst in mocks.backend.lists()}
        assert sorted(live) == sorted(list_ids)
        for key, list_id in zip(declared, list_ids, strict=True):
            assert live[list_id] == declared[key]

    return pulumi.Output.all(*(lists[key].list_id for key in declared)).apply(check)


@pulumi.runtime.test
def test_a_preview_creates_nothing(mocks):
    # What the nightly `pulumi preview` does first: check every list, change nothing.
    pulumi.runtime.set_mocks(mocks, project="avosms-ci-drift", stack="test", preview=True)
    program = runpy.run_path(str(PROGRAM))

    def check(names):
        assert names == [name for name, _country in program["LISTS"].values()]
        assert mocks.backend.lists() == []

    return pulumi.Output.all(*(lst.name for lst in program["lists"].values())).apply(check)
