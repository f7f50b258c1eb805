"""Per-plugin-process shared state: one API client per settings.

The plugin deserialises one provider object per distinct ``__provider`` string, so a
``ContactList`` and a ``Contact`` get different provider instances. They must still share a
client: one connection pool, and one account-listing cache that a write by either provider
invalidates (a contact added by Pulumi must show in the list's ``contact_count`` at the next
refresh). Hence this module-level registry instead of a client on each provider.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
from typing import TYPE_CHECKING

from ._text import safe_text
from .config import EMULATOR_STATE, ConfigurationError, ProviderSettings

if TYPE_CHECKING:
    from .client import AvoSMSClient
    from .emulator.server import EmulatorServer

#: Where the embedded emulator keeps its lists when ``avosms:emulatorState`` is not set;
#: relative to the plugin's working directory, which the Pulumi CLI sets to the project.
DEFAULT_EMULATOR_STATE = os.path.join(".avosms", "emulator.sqlite3")

_lock = threading.Lock()
_clients: dict[ProviderSettings, AvoSMSClient] = {}
_embedded: dict[str, EmulatorServer] = {}


def _embedded_endpoint(settings: ProviderSettings) -> tuple[str, str, str]:
    """Start (once per state file) the emulator inside this process; return its URL and creds."""
    from .emulator.server import DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY, EmulatorServer

    state = os.path.abspath(settings.emulator_state or DEFAULT_EMULATOR_STATE)
    server = _embedded.get(state)
    if server is None:
        _check_state_path(state)
        try:
            os.makedirs(os.path.dirname(state), exist_ok=True)
            server = EmulatorServer(
                host="127.0.0.1",
                port=0,
                state_path=state,
                accounts={DEMO_ACCOUNT_ID: DEMO_ACCOUNT_KEY},
            )
        except (OSError, sqlite3.Error) as error:
            raise _state_error(state, f"it cannot be used ({error})") from None
        server.start()
        _embedded[state] = server
    # The embedded emulator is a demo: it answers to the documented demo account only, so
    # real credentials configured alongside it are never sent anywhere. A named account gets
    # an emulator account of its own, so that its lists stay apart as in AvoSMS.
    if settings.account is None:
        return server.api_url, DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY
    account_id = f"{settings.account.lower()}.{DEMO_ACCOUNT_ID}"
    server.controls.backend.accounts.setdefault(account_id, DEMO_ACCOUNT_KEY)
    return server.api_url, account_id, DEMO_ACCOUNT_KEY


def _state_error(state: str, why: str) -> ConfigurationError:
    setting, variable = EMULATOR_STATE
    return ConfigurationError(
        f"the embedded emulator's state file {state} ({setting} / {variable}): {why}; "
        "point the setting at a writable SQLite file, or remove the file to start afresh"
    )


def _check_state_path(state: str) -> None:
    """Refuse, before SQLite is opened, a state path that cannot hold the emulator's data."""
    if os.path.isdir(state):
        raise _state_error(state, "this is a directory, not a file")
    if os.path.exists(state) and not os.access(state, os.R_OK | os.W_OK):
        raise _state_error(state, "the file is not readable and writable by this user")
    parent = os.path.dirname(state)
    if os.path.isdir(parent) and not os.access(parent, os.W_OK | os.X_OK):
        # SQLite writes its journal beside the file.
        raise _state_error(state, f"the directory {parent} is not writable by this user")


def get_client(settings: ProviderSettings) -> AvoSMSClient:
    """Return the process-wide client for these settings, creating it on first use.

    Raises :class:`ConfigurationError` when credentials are missing (except in embedded mode).
    """
    with _lock:
        client = _clients.get(settings)
        if client is not None:
            return client
        # Imported here: requests is the heaviest import of the package and check/diff never
        # need it, so a plan with no change does not pay for it.
        from .client import AvoSMSClient

        if settings.embedded:
            try:
                endpoint, api_id, api_key = _embedded_endpoint(settings)
            except ConfigurationError as exc:
                # The refusal quotes the state path: the key may be in it (pasted by mistake).
                text = str(exc)
                raise ConfigurationError(
                    safe_text(text, (settings.api_key or "",), len(text))
                ) from None
        else:
            api_id, api_key = settings.require_credentials()
            endpoint = settings.endpoint
        client = AvoSMSClient(
            api_id,
            api_key,
            endpoint,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.timeout,
            max_retries=settings.max_retries,
            max_retry_time=settings.retry_timeout,
            # The plugin's 4 workers may each run a ContactListMembers step at once: they
            # share the account's maxConcurrency calls in flight, in order of arrival.
            pool_size=settings.max_concurrency,
            max_in_flight=settings.max_concurrency,
            credentials_source=settings.credentials_source(),
        )
        _clients[settings] = client
        return client


def close_clients(endpoint: str) -> None:
    """Close the clients of ``endpoint`` (an emulator about to stop); the next
    :func:`get_client` for it makes a new one."""
    with _lock:
        ours = [settings for settings in _clients if settings.endpoint == endpoint]
        clients = [_clients.pop(settings) for settings in ours]
    for client in clients:
        client.close()


def reset() -> None:
    """Close every client and embedded emulator (tests, and interpreter exit)."""
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
        for server in _embedded.values():
            server.stop()
        _embedded.clear()


atexit.register(reset)

__all__ = ["DEFAULT_EMULATOR_STATE", "close_clients", "get_client", "reset"]
