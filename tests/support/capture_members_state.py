"""Write ``tests/fixtures/members-state-<version>.json``: the ContactListMembers state this
checkout writes, for the upgrade test (tests/plugin/test_upgrade.py).

Run once, at the commit of a release, from the repository root:
``.venv/bin/python -m tests.support.capture_members_state``. It plays ``members_program()``
of the upgrade test through the plugin (:mod:`tests.support.harness`) against a fresh
emulator, then adds a contact by hand to the additive list, and stores the state and the
AvoSMS data. A stored fixture is never regenerated: later releases must read it as it is.
"""

from __future__ import annotations

import json
import subprocess
import sys

from pulumi_avosms.emulator import EmulatorServer
from tests.plugin import test_upgrade as upgrade
from tests.support import harness as h
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.state_fixtures import FIXTURES


def capture(version: str) -> str:
    """Play the program, return the fixture's text."""
    accounts = {DEMO_ID: DEMO_KEY, upgrade.AGENCY_ID: upgrade.AGENCY_KEY}
    server = EmulatorServer(host="127.0.0.1", port=0, accounts=accounts)
    server.start()
    try:
        stack = h.Stack(
            h.PluginProcess(unset_prefixes=["AVOSMS_"]),
            config=upgrade.members_config(server),
            secret_keys=["avosms:apiKey", "avosms:accounts"],
        )
        try:
            summary = stack.up(upgrade.members_registered({"oncall": "1", "partners": "2"}))
        finally:
            stack.plugin.close()
        assert summary.ops == dict.fromkeys(upgrade.MEMBERS_NAMES, "create"), summary.ops
        server.backend.console_add_contact("2", upgrade.HAND_ADDED, first_name="Hand")
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
        fixture = {
            "_comment": (
                f"Pulumi state written by pulumi-avosms {version} (commit {commit}) through the "
                "plugin: members_program() of tests/plugin/test_upgrade.py, then a contact added "
                "by hand to the additive list (tests/support/capture_members_state.py). Never "
                "regenerate it: it is the upgrade test's input."
            ),
            "emulator": server.backend.lists(),
            "release": version,
            "resources": stack.state,
        }
    finally:
        server.stop()
    return json.dumps(fixture, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    release = sys.argv[1] if len(sys.argv) > 1 else "0.2.0"
    target = FIXTURES / f"members-state-{release}.json"
    if target.exists():
        sys.exit(f"{target} exists: a stored state is never regenerated")
    target.write_text(capture(release), encoding="utf-8")
    print(f"wrote {target}")
