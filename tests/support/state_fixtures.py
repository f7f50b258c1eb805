"""The stored states of older releases (``tests/fixtures/state-<release>.json``), read-only.

Captured once through the plugin and never regenerated (see tests/plugin/test_upgrade.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["FIXTURES", "RELEASES", "load"]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: Every release whose state is stored, oldest first.
RELEASES = sorted(p.stem.removeprefix("state-") for p in FIXTURES.glob("state-*.json"))


def load(release: str) -> dict[str, Any]:
    """The stored state of ``release`` (as parsed JSON)."""
    return json.loads((FIXTURES / f"state-{release}.json").read_text(encoding="utf-8"))
