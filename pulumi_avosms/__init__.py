"""Declare AvoSMS contact lists (and their contacts) as code with Pulumi.

```python
from pulumi_avosms import ContactList

customers = ContactList("customers-fr", name="Customers FR", country_code="FR")
```

Every public name loads on first use: ``import pulumi_avosms.emulator`` (or the emulator's
CLI) does not import Pulumi, and the plugin pays only for what a call needs. The provider
classes are importable from here and from their modules; their module paths are stored by
reference in every resource's state, so they never move.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._lazy import lazy_module

if TYPE_CHECKING:
    from . import testing as testing
    from ._model import ContactListInfo
    from .contact import Contact, ContactProvider
    from .contact_list import ContactList, ContactListProvider
    from .contact_list_members import ContactListMembers, ContactListMembersProvider
    from .errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AuthenticationError,
        AvoSMSError,
        ConfigurationError,
        ConflictError,
        ContactError,
        ContactListError,
        ContactListLookupError,
        ContactListMembersError,
        InvalidRequestError,
        NotFoundError,
        RateLimitError,
        ServerError,
        UnexpectedResponseError,
        ValidationError,
    )
    from .lookups import get_contact_list, get_contact_list_output, get_contact_lists
    from .members_csv import MembersCSVError, members_from_csv

    __version__: str
    import importlib.metadata as _metadata
else:
    # The installed distribution's version; importlib.metadata costs ~10 ms: only when asked.
    _metadata = lazy_module("importlib.metadata")

_ERRORS = (
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "AvoSMSError",
    "ConfigurationError",
    "ConflictError",
    "ContactError",
    "ContactListError",
    "ContactListLookupError",
    "ContactListMembersError",
    "InvalidRequestError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
)

#: Each public name and the module that defines it, imported when the name is first used.
_EXPORTS = {
    "Contact": ".contact",
    "ContactProvider": ".contact",
    "ContactList": ".contact_list",
    "ContactListInfo": "._model",
    "ContactListProvider": ".contact_list",
    "ContactListMembers": ".contact_list_members",
    "ContactListMembersProvider": ".contact_list_members",
    "MembersCSVError": ".members_csv",
    "members_from_csv": ".members_csv",
    "get_contact_list": ".lookups",
    "get_contact_list_output": ".lookups",
    "get_contact_lists": ".lookups",
    **dict.fromkeys(_ERRORS, ".errors"),
}
#: Public modules reachable as attributes (``pulumi_avosms.testing``), imported on first use.
_SUBMODULES = ("testing",)

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "AvoSMSError",
    "ConfigurationError",
    "ConflictError",
    "Contact",
    "ContactError",
    "ContactList",
    "ContactListError",
    "ContactListInfo",
    "ContactListLookupError",
    "ContactListMembers",
    "ContactListMembersError",
    "ContactListMembersProvider",
    "ContactListProvider",
    "ContactProvider",
    "InvalidRequestError",
    "MembersCSVError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "ValidationError",
    "__version__",
    "get_contact_list",
    "get_contact_list_output",
    "get_contact_lists",
    "members_from_csv",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _metadata.version("pulumi-avosms")
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
