"""Unit test of this program under ``pulumi_avosms.testing`` (see docs/testing.md).

Each list is checked by the provider's own rules and created in an in-memory emulator: no
AvoSMS account, no network. Run ``python -m pytest`` here, with pytest installed next to the
project's requirements.
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
        pulumi.runtime.set_mocks(mocks, project="avosms-basic", stack="test", preview=False)
        yield mocks


@pulumi.runtime.test
def test_each_entry_becomes_a_list_in_its_country(mocks):
    program = runpy.run_path(str(PROGRAM))
    wanted = program["CUSTOMER_LISTS"]
    lists = program["lists"]

    def check(values):
        ids = dict(zip(wanted, values[: len(wanted)], strict=True))
        counts = values[len(wanted) :]
        live = {lst["list_id"]: lst for lst in mocks.backend.lists()}
        assert set(ids.values()) == set(live)  # one list each, no other
        for country, list_id in ids.items():
            assert (live[list_id]["country_code"], live[list_id]["name"]) == (
                country,
                wanted[country],
            )
        assert counts == [0] * len(wanted)

    return pulumi.Output.all(
        *(lists[c].list_id for c in wanted), *(lists[c].contact_count for c in wanted)
    ).apply(check)
