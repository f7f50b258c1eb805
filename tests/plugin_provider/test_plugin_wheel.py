"""The plugin directory runs the released package: the wheel in a fresh virtualenv (what the
language host installs from requirements.txt), no checkout on the path."""

from __future__ import annotations

from pathlib import Path

from tests.support import harness as h
from tests.support.plugin_harness import ProviderPlugin
from tests.support.release import WheelVenv


def test_the_plugin_serves_from_the_wheel_on_the_embedded_emulator(
    wheel_venv: WheelVenv, tmp_path: Path
) -> None:
    plugin = ProviderPlugin(python=str(wheel_venv.python), cwd=tmp_path, env={"PYTHONPATH": None})
    stack = h.Stack(
        plugin, default_type="avosms:index:ContactList", config={"avosms:endpoint": "emulator"}
    )
    try:
        summary = stack.up({"customers": {"name": "Customers FR", "countryCode": "fr"}})
        schema = plugin.get_schema()
    finally:
        plugin.close()
    assert summary.ops == {"customers": "create"}
    assert stack.outputs("customers")["countryCode"] == "FR"
    assert (tmp_path / ".avosms" / "emulator.sqlite3").exists()
    assert schema["language"]["python"]["packageName"] == "pulumi_avosms_sdk"
