"""A module imported on first attribute access: the seam that keeps start-up light.

The plugin imports the resource modules to unpickle a provider on its first call; ``check``
and ``diff`` of most resources never need phone-number metadata (~20 ms) or the country
database (~40 ms). Modules bind ``name = lazy_module("name")`` at the top, under an
``if TYPE_CHECKING: import name`` so that type checkers see the real module.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import Any


class _LazyModule:
    """Stands for a module until an attribute is read; then imports it and delegates."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None
        self._lock = threading.Lock()

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            with self._lock:  # the plugin serves several calls at once
                module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    """A stand-in for module ``name`` that imports it when first used."""
    return _LazyModule(name)
