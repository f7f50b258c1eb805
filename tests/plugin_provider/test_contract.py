"""The shared engine contract (tests/support/contract.py) on both front ends.

Every scenario runs twice: through the dynamic-provider plugin a Python program uses, and
through the ``avosms`` plugin every other language uses, started as the language host's
RunPlugin starts it. The same assertions hold for both: one set of rules behind two doors.
The model of the removal rule (tests/plugin/test_members_model.py) runs on both front ends too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support import harness as h
from tests.support.contract import FRONT_ENDS, SCENARIOS, FrontEnd, Run


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
@pytest.mark.parametrize("front", FRONT_ENDS, ids=str)
def test_contract(
    front: FrontEnd,
    scenario: Callable[[Run], None],
    avosms_config: dict[str, str],
    emulator: Any,
) -> None:
    plugin = front.start()
    stack = h.Stack(plugin, config=avosms_config, secret_keys=["avosms:apiKey"])
    run = Run(front, stack, emulator, [plugin])
    try:
        scenario(run)
    finally:
        for started in run.plugins:
            started.close()
