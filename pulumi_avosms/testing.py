"""Unit tests of a Pulumi program that declares AvoSMS resources: mocks, no engine, no network.

```python
import pulumi
from pulumi_avosms.testing import AvoSMSMocks

mocks = AvoSMSMocks()
pulumi.runtime.set_mocks(mocks, preview=False)
```

:class:`AvoSMSMocks` answers every AvoSMS resource the program declares as the plugin would:
it runs the provider's own ``check`` (a bad country, phone number or member fails the test
with the text ``pulumi preview`` prints), then its ``create`` (or ``read``, for ``.get()``)
against an emulator that lives in the test process, in memory, on the loopback interface.
The outputs are therefore the provider's: list IDs, counts, member fingerprints. Lookups
(``get_contact_list``, ``get_contact_lists`` and ``get_contact_list_output``) read the same
emulator, through the program's ``avosms:*`` config, which the mocks set. No credentials are
needed and nothing leaves the machine. See docs/testing.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING

import pulumi
from pulumi.dynamic import CheckFailure, ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime import set_config

from . import _runtime
from ._accounts import ACCOUNTS
from ._provider import AvoSMSProvider
from ._text import message
from .config import API_ID, API_KEY, ENDPOINT, MAX_RETRIES
from .contact import Contact, ContactProvider
from .contact_list import ContactList, ContactListProvider
from .contact_list_members import ContactListMembers, ContactListMembersProvider
from .emulator import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY, EmulatorServer
from .errors import ValidationError

if TYPE_CHECKING:
    from .emulator import EmulatorBackend

__all__ = ["AvoSMSMocks"]

#: Each resource class of the package and the provider that serves it in the plugin.
_RESOURCES: tuple[tuple[type[pulumi.dynamic.Resource], type[AvoSMSProvider]], ...] = (
    (ContactList, ContactListProvider),
    (Contact, ContactProvider),
    (ContactListMembers, ContactListMembersProvider),
)
#: Type token (as the engine sees it) -> provider class.
_PROVIDERS: dict[str, type[AvoSMSProvider]] = {
    f"pulumi-python:{resource._resource_type_name}": provider for resource, provider in _RESOURCES
}


class AvoSMSMocks(pulumi.runtime.Mocks):
    """``pulumi.runtime.Mocks`` that run the AvoSMS providers against an in-memory emulator.

    ``accounts`` names the accounts of ``avosms:accounts`` the program's resources and lookups
    use (each gets an account of its own in the emulator); ``config`` sets other config keys
    of the program (``{"myproject:listId": "1"}``). The mocks set the ``avosms:*`` keys of the
    program's config when constructed: set your own with ``pulumi.runtime.set_config``, or pass
    them here (``set_all_config`` replaces the whole config, these keys included).

    :attr:`backend` is the emulator's data: seed it before the program runs (a list to
    adopt or look up: ``mocks.backend.console_create_list("Newsletter", "FR")``), read it
    after. Resources of other packages get their inputs back as outputs (an ID
    ``<name>_id``), as with the SDK's simplest mocks. :meth:`close` (or a ``with`` block)
    stops the emulator.
    """

    def __init__(
        self,
        *,
        accounts: Iterable[str] = (),
        config: Mapping[str, str] | None = None,
    ) -> None:
        names = list(accounts)
        emulator_accounts = {DEMO_ACCOUNT_ID: DEMO_ACCOUNT_KEY}
        emulator_accounts.update({_account_id(name): DEMO_ACCOUNT_KEY for name in names})
        self.emulator = EmulatorServer(host="127.0.0.1", port=0, accounts=emulator_accounts)
        self.emulator.start()
        settings: dict[str, str] = {
            API_ID[0]: DEMO_ACCOUNT_ID,
            API_KEY[0]: DEMO_ACCOUNT_KEY,
            ENDPOINT[0]: self.emulator.api_url,
            # Nothing here fails transiently; a fault a test injects should show at once.
            MAX_RETRIES[0]: "0",
        }
        if names:
            settings[ACCOUNTS] = json.dumps(
                {name: {"apiId": _account_id(name), "apiKey": DEMO_ACCOUNT_KEY} for name in names}
            )
        #: The program's config as the mocks set it (``avosms:*`` and ``config``).
        self.config: dict[str, str] = {**settings, **dict(config or {})}
        for key, value in self.config.items():
            set_config(key, value)
        # One configured provider per resource type, as the plugin keeps one per provider
        # class; the keys are namespaced, so the project name is not needed.
        request = ConfigureRequest(Config(dict(self.config), ""))
        self._providers: dict[str, AvoSMSProvider] = {}
        for token, provider_class in _PROVIDERS.items():
            provider = self._providers[token] = provider_class()
            provider.configure(request)

    def account_id(self, account: str | None = None) -> str:
        """The emulator account behind the named ``account`` (None: the default one), for
        ``backend`` calls that take one (``backend.console_create_list(..., account=...)``)."""
        return DEMO_ACCOUNT_ID if account is None else _account_id(account)

    @property
    def backend(self) -> EmulatorBackend:
        """The emulator's data and its ``console_*`` edits (see pulumi_avosms.emulator)."""
        return self.emulator.backend

    # -- pulumi.runtime.Mocks --------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        """Check, then create (or read, for ``.get()``), as the engine and plugin would."""
        provider = self._providers.get(args.typ)
        if provider is None:
            return f"{args.name}_id", dict(args.inputs)
        news = dict(args.inputs)
        if args.resource_id:
            # A read step (``.get()``): our resources carry ``import_`` as an input, so an ID
            # here is never an import.
            read = provider.read(args.resource_id, news)
            if not read.id:
                raise ValidationError(
                    message("resource {id} does not exist", id=str(args.resource_id))
                )
            return read.id, dict(read.outs or {})
        checked = provider.check({}, news)
        if checked.failures:
            raise ValidationError(_check_failed(args.typ, args.name, checked.failures))
        inputs = dict(checked.inputs or {})
        if pulumi.runtime.is_dry_run():
            # A preview creates nothing: the checked inputs, every other output unknown.
            return "", inputs
        inputs[PROVIDER_KEY] = news.get(PROVIDER_KEY)
        created = provider.create(inputs)
        return created.id, dict(created.outs or {})

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        """Dynamic providers have no functions; any other package's call answers nothing."""
        return {}, None

    # -- life cycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the emulator and close the clients that reached it (lookups fail from then on)."""
        _runtime.close_clients(self.emulator.api_url)
        self.emulator.stop()

    def __enter__(self) -> AvoSMSMocks:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _account_id(name: str) -> str:
    """The emulator account of named account ``name`` (as the embedded emulator names it)."""
    return f"{name.lower()}.{DEMO_ACCOUNT_ID}"


def _check_failed(resource_type: str, name: str, failures: Iterable[CheckFailure]) -> str:
    """The engine's lines for a failed check (``pulumi preview`` prints one per failure,
    then the property's value, left out here: it may be a long member list)."""
    shown = message("{name}", name=name)
    return "\n".join(
        f"{resource_type} resource {shown}: property {failure.property} has a problem: "
        f"{failure.reason}"
        if failure.property
        else f"{resource_type} resource {shown} has a problem: {failure.reason}"
        for failure in failures
    )
