"""What the Pulumi engine hands the providers, apart from the values themselves.

``pulumi.output`` and ``pulumi.runtime.rpc`` are loaded with ``pulumi`` anyway (the plugin
and every program import it); check and diff call :func:`is_unknown` for every property.
"""

from __future__ import annotations

from typing import Any

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

#: The input that carries ``opts.import_`` (see ``_provider.move_import_option``).
IMPORT_PROPERTY = "import_id"


def is_unknown(value: Any) -> bool:
    """True for a value the engine does not know yet (an output of a resource not yet created).

    Inside the plugin, Check and Diff receive ``pulumi.output.Unknown`` objects; values that
    went through a serialisation round trip arrive as the engine's sentinel string instead.
    """
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)
