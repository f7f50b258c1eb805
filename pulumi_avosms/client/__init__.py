"""HTTP client for the AvoSMS contact API (``docs/avosms-api.md``), by layer:

* :mod:`.endpoints` — endpoint names, the default URL, contact field names;
* :mod:`.transport` — the ``requests`` session, timeouts, bounded replies, transport errors;
* :mod:`.retry_policy` — which failures are retried, backoff, ``Retry-After``, the budget;
* :mod:`.calls` — one call: attempts, retries, settling a write whose outcome is unknown;
* :mod:`.read_cache` — the shared, single-flight cache of read replies;
* :mod:`.replies` — typed values from success replies;
* :mod:`.reply_errors` — the error a reply means;
* :mod:`.api` — :class:`AvoSMSClient`, one method per endpoint.

Names load on first use, so ``pulumi_avosms.client.endpoints`` (imported by the settings)
does not load ``requests``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .._model import ContactInfo, ContactListDetail, ContactListInfo
from .endpoints import DEFAULT_ENDPOINT

if TYPE_CHECKING:
    from .api import AvoSMSClient

__all__ = [
    "DEFAULT_ENDPOINT",
    "AvoSMSClient",
    "ContactInfo",
    "ContactListDetail",
    "ContactListInfo",
]


def __getattr__(name: str) -> Any:
    if name == "AvoSMSClient":
        return importlib.import_module(".api", __name__).AvoSMSClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
