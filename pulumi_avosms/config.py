"""Provider settings, resolved inside the plugin from stack config, then the environment.

Nothing here runs in the user's program: the provider object that Pulumi pickles into state
carries no settings. The dynamic-provider plugin hands the stack's configuration to
``configure()``, which calls :func:`settings_from_config`.

Settings (stack config key, environment fallback, default):

``avosms:apiId`` / ``AVOSMS_API_ID``
    The AvoSMS account identifier (its e-mail address). Required.
``avosms:apiKey`` / ``AVOSMS_API_KEY``
    The API key. Required; set it with ``pulumi config set --secret``. It lives only in the
    stack config (encrypted), the environment and the plugin's memory, and is sent only in
    the body of POST requests, never in a URL, a log line, an error or the state.
``avosms:endpoint`` / ``AVOSMS_ENDPOINT`` — ``https://api.avosms.com/v1``
    The API base URL, or ``emulator`` for the emulator built into the plugin. Plain http only
    to this machine; no user info, query or odd characters. Requests to this machine never
    use a proxy; remote https ones honour ``HTTPS_PROXY`` and ``NO_PROXY``.
``avosms:timeout`` / ``AVOSMS_TIMEOUT`` — 30 seconds
    Read timeout of one HTTP attempt: how long AvoSMS may stay silent before the attempt
    counts as failed (and is retried, or reconciled for writes). One attempt as a whole
    (connecting, status line, headers, body) ends after ``connectTimeout + timeout``.
``avosms:connectTimeout`` / ``AVOSMS_CONNECT_TIMEOUT`` — 5 seconds
    How long opening the connection to AvoSMS may take. A connection that could not be
    opened surely carried no request, so it is always retried.
``avosms:maxRetries`` / ``AVOSMS_MAX_RETRIES`` — 4
    Resends after a transient failure (ERR_9xx, HTTP 429/5xx, network errors, unreadable
    replies), per API call; 0 disables retrying. Rejections (ERR_1xx) are never retried.
``avosms:retryTimeout`` / ``AVOSMS_RETRY_TIMEOUT`` — 60 seconds
    A hard bound on one API call: every attempt, backoff and ``Retry-After`` wait, and the
    reads that check whether a write with an unknown outcome was applied. The first attempt
    always gets its own full bound, so the worst case is the larger of this budget and one
    attempt (``connectTimeout + timeout``).
``avosms:maxConcurrency`` / ``AVOSMS_MAX_CONCURRENCY`` — 8
    API calls one ContactListMembers step makes at once (each retried like any call).
``avosms:emulatorState`` / ``AVOSMS_EMULATOR_STATE``
    The embedded emulator's SQLite file (``.avosms/emulator.sqlite3`` by default).
``avosms:accounts`` / ``AVOSMS_<NAME>_API_ID``, ``_API_KEY``, ``_ENDPOINT``
    Named accounts, which a resource selects with its ``account`` input (see
    :class:`Accounts`): a map of name to ``apiId``, ``apiKey`` (secret) and optionally
    ``endpoint`` (else ``avosms:endpoint``). Every other setting is the stack's.

Stack config wins over the environment; an empty value counts as unset. A malformed number
fails with a :class:`ConfigurationError` naming both spellings.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .client.endpoints import DEFAULT_ENDPOINT
from .errors import ConfigurationError

#: The value of ``avosms:endpoint`` that runs the package's emulator inside the plugin.
EMBEDDED_ENDPOINT = "emulator"

# (stack config key, environment variable) for every setting, in one place so that error
# messages, the README and the code cannot drift apart.
API_ID = ("avosms:apiId", "AVOSMS_API_ID")
API_KEY = ("avosms:apiKey", "AVOSMS_API_KEY")
ENDPOINT = ("avosms:endpoint", "AVOSMS_ENDPOINT")
TIMEOUT = ("avosms:timeout", "AVOSMS_TIMEOUT")
CONNECT_TIMEOUT = ("avosms:connectTimeout", "AVOSMS_CONNECT_TIMEOUT")
MAX_RETRIES = ("avosms:maxRetries", "AVOSMS_MAX_RETRIES")
RETRY_TIMEOUT = ("avosms:retryTimeout", "AVOSMS_RETRY_TIMEOUT")
EMULATOR_STATE = ("avosms:emulatorState", "AVOSMS_EMULATOR_STATE")
MAX_CONCURRENCY = ("avosms:maxConcurrency", "AVOSMS_MAX_CONCURRENCY")

DEFAULT_TIMEOUT = 30.0
# Opening a TCP+TLS connection takes well under a second on a working network; 5 s rides out
# a lost SYN (retransmitted after 1 s, then 3 s) without leaving a dead network unnoticed.
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_MAX_RETRIES = 4
# Long enough for backoff to outlast a short AvoSMS hiccup or a rate-limit window, short
# enough that a real outage fails the deployment within about a minute per resource.
DEFAULT_RETRY_TIMEOUT = 60.0
# Enough to hide most of each call's latency without looking like a flood to AvoSMS.
DEFAULT_MAX_CONCURRENCY = 8


class _ConfigLike(Protocol):
    def get(self, key: str) -> Any: ...


@dataclass(frozen=True)
class ProviderSettings:
    """Everything the provider needs to reach AvoSMS. The key is kept out of ``repr``."""

    api_id: str | None
    api_key: str | None = field(repr=False)
    endpoint: str = DEFAULT_ENDPOINT
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    emulator_state: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    retry_timeout: float = DEFAULT_RETRY_TIMEOUT
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    #: The named account these settings belong to (None: the stack's default account).
    account: str | None = None

    @property
    def embedded(self) -> bool:
        """True when the endpoint selects the emulator started inside the plugin."""
        return self.endpoint == EMBEDDED_ENDPOINT

    def require_credentials(self) -> tuple[str, str]:
        """Return ``(api_id, api_key)`` or raise a :class:`ConfigurationError` naming both ways."""
        api_id_keys = _spelling(self.account, API_ID)
        api_key_keys = _spelling(self.account, API_KEY)
        missing = [
            (cfg, env)
            for (cfg, env), value in ((api_id_keys, self.api_id), (api_key_keys, self.api_key))
            if not value
        ]
        if missing and self.account is not None:
            what = " and ".join(f"{cfg} (or {env})" for cfg, env in missing)
            raise ConfigurationError(
                f"AvoSMS credentials of account {self.account!r} are missing: {what}. Set them "
                f"with `pulumi config set --path '{api_id_keys[0]}' you@example.com` and "
                f"`pulumi config set --secret --path '{api_key_keys[0]}' <key>`, or export "
                f"{api_id_keys[1]} and {api_key_keys[1]} in the environment that runs pulumi."
            )
        if missing:
            what = " and ".join(f"{cfg} (or {env})" for cfg, env in missing)
            raise ConfigurationError(
                f"AvoSMS credentials are missing: {what}. Set them in the stack, e.g. "
                f"`pulumi config set avosms:apiId you@example.com` and "
                f"`pulumi config set --secret avosms:apiKey <key>`, or export "
                f"{API_ID[1]} and {API_KEY[1]} in the environment that runs pulumi."
            )
        assert self.api_id is not None and self.api_key is not None
        return self.api_id, self.api_key


def _lookup(
    config: _ConfigLike | Mapping[str, Any], environ: Mapping[str, str], keys: tuple[str, str]
) -> str | None:
    """Stack config wins over the environment; empty strings count as unset."""
    cfg_key, env_key = keys
    value = config.get(cfg_key)
    if value is None or value == "":
        value = environ.get(env_key)
    if value is None or value == "":
        return None
    return str(value)


def _number(
    raw: str | None, keys: tuple[str, str], default: float, *, minimum: float, integer: bool = False
) -> float:
    if raw is None:
        return default
    try:
        value = float(raw)
        if integer:
            # "3.0" is a whole number too (the engine may hand over typed config as floats).
            if not value.is_integer():
                raise ValueError(raw)
            value = int(value)
    except ValueError:
        kind = "a whole number" if integer else "a number of seconds"
        raise ConfigurationError(f"{keys[0]} (or {keys[1]}) must be {kind}, got {raw!r}.") from None
    # float() accepts "nan" and "inf": NaN would slip past the minimum check below and make
    # every request fail obscurely, and an infinite timeout or budget could hang a deployment.
    if not math.isfinite(value):
        raise ConfigurationError(f"{keys[0]} (or {keys[1]}) must be a finite number, got {raw!r}.")
    if value < minimum:
        raise ConfigurationError(
            f"{keys[0]} (or {keys[1]}) must be at least {minimum}, got {raw!r}."
        )
    return value


# The one grammar an endpoint may have: scheme, host (name, IPv4 or [IPv6]), optional port,
# optional path of plain characters. Every URL parser reads such a URL the same way, so the
# host checked here is the host requests connects to (the client checks again with its parser).
_ENDPOINT_RE = re.compile(
    r"(?P<scheme>https?)://(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<path>(?:/[A-Za-z0-9._~!$&'()*+,;=:%-]*)*)",
    re.ASCII,
)


def _check_endpoint(endpoint: str, keys: tuple[str, str] = ENDPOINT) -> None:
    """Refuse endpoints that are not plain URLs, and plain http to anything but this machine.

    The API key travels in every request body: over http it would cross the network in
    clear. Loopback stays allowed for a local emulator (`avosms-emulator`). Spellings that URL
    parsers read differently (user info, backslashes, spaces, other odd characters) are
    refused, so that the host checked is the host the request goes to.
    """
    where = f"{keys[0]} (or {keys[1]})"
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or "://" not in endpoint:
        raise ConfigurationError(
            f"{where} must be an http(s) URL such as {DEFAULT_ENDPOINT!r}, or "
            f"{EMBEDDED_ENDPOINT!r} for the built-in emulator; got {endpoint!r}."
        )
    match = _ENDPOINT_RE.fullmatch(endpoint)
    if match is None or (match["port"] is not None and not 0 < int(match["port"]) < 65536):
        odd = sorted(
            {c for c in endpoint if not c.isascii() or c in "@\\ ?#" or not c.isprintable()}
        )
        detail = f" (it contains {', '.join(repr(c) for c in odd)})" if odd else ""
        raise ConfigurationError(
            f"{where} must be an http(s) URL such as {DEFAULT_ENDPOINT!r}, or "
            f"{EMBEDDED_ENDPOINT!r} for the built-in emulator; got {endpoint!r}{detail}. "
            "User info (user@host), backslashes, spaces, query strings and characters other "
            "than letters, digits and -._~!$&'()*+,;=:% are refused, since URL parsers read "
            "them differently."
        )
    if match["scheme"] == "http" and not is_loopback_host(match["host"]):
        raise ConfigurationError(
            f"{where} is {endpoint!r}: plain http to another machine would send the API key in "
            "clear. Use https://, or http:// only for an emulator on this machine (localhost, "
            "127.0.0.1, ::1)."
        )


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a URL's host, IPv6 in brackets or not) is this machine."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def settings_from_config(
    config: _ConfigLike | Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
) -> ProviderSettings:
    """Resolve settings from the stack config (``avosms:*``), falling back to ``AVOSMS_*``."""
    env = os.environ if environ is None else environ
    endpoint = (_lookup(config, env, ENDPOINT) or DEFAULT_ENDPOINT).rstrip("/")
    if endpoint != EMBEDDED_ENDPOINT:
        _check_endpoint(endpoint)
    return ProviderSettings(
        api_id=_lookup(config, env, API_ID),
        api_key=_lookup(config, env, API_KEY),
        endpoint=endpoint,
        timeout=_number(_lookup(config, env, TIMEOUT), TIMEOUT, DEFAULT_TIMEOUT, minimum=0.1),
        max_retries=int(
            _number(
                _lookup(config, env, MAX_RETRIES),
                MAX_RETRIES,
                DEFAULT_MAX_RETRIES,
                minimum=0,
                integer=True,
            )
        ),
        emulator_state=_lookup(config, env, EMULATOR_STATE),
        connect_timeout=_number(
            _lookup(config, env, CONNECT_TIMEOUT),
            CONNECT_TIMEOUT,
            DEFAULT_CONNECT_TIMEOUT,
            minimum=0.1,
        ),
        # 0 is allowed: no waiting between attempts, so effectively no retries.
        retry_timeout=_number(
            _lookup(config, env, RETRY_TIMEOUT), RETRY_TIMEOUT, DEFAULT_RETRY_TIMEOUT, minimum=0
        ),
        max_concurrency=int(
            _number(
                _lookup(config, env, MAX_CONCURRENCY),
                MAX_CONCURRENCY,
                DEFAULT_MAX_CONCURRENCY,
                minimum=1,
                integer=True,
            )
        ),
    )


# -- named accounts ------------------------------------------------------------------------

#: The stack config key holding the named accounts (a map: name -> apiId, apiKey, endpoint).
ACCOUNTS = "avosms:accounts"
#: The input (and output) of every resource that names its account (absent: the default).
ACCOUNT_PROPERTY = "account"
#: What an account name may be: it is also part of environment variable names.
ACCOUNT_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}", re.ASCII)
#: An account's fields in ``avosms:accounts``, and the setting each stands for.
_ACCOUNT_FIELDS = {"apiId": API_ID, "apiKey": API_KEY, "endpoint": ENDPOINT}
#: The environment variables of a named account (``AVOSMS_<NAME>_API_ID`` ...).
ACCOUNT_ENV_RE = re.compile(r"AVOSMS_([A-Z0-9_]+)_(API_ID|API_KEY|ENDPOINT)", re.ASCII)


def account_env_name(account: str) -> str:
    """The ``NAME`` of ``AVOSMS_<NAME>_API_ID`` for ``account``: upper case, ``-`` as ``_``."""
    return account.upper().replace("-", "_")


def _spelling(account: str | None, keys: tuple[str, str]) -> tuple[str, str]:
    """The (stack config key, environment variable) of a setting for ``account``."""
    if account is None:
        return keys
    field_name = next(name for name, setting in _ACCOUNT_FIELDS.items() if setting == keys)
    suffix = keys[1].removeprefix("AVOSMS_")
    return f"{ACCOUNTS}.{account}.{field_name}", f"AVOSMS_{account_env_name(account)}_{suffix}"


def _unwrap_secrets(value: Any) -> Any:
    """``value`` with every secret marker removed, at any depth (the plugin unwraps only the
    top level of each config value)."""
    from pulumi.runtime import rpc

    if rpc.is_rpc_secret(value):
        return _unwrap_secrets(rpc.unwrap_rpc_secret(value))
    if isinstance(value, Mapping):
        return {k: _unwrap_secrets(v) for k, v in value.items()}
    return value


def _configured_accounts(raw: Any) -> dict[str, dict[str, str]]:
    """``avosms:accounts`` as ``{name: {field: value}}``, checked; never quotes a value.

    The engine hands a structured config value to a dynamic provider as JSON text (its
    config map holds strings); a map is accepted as well.
    """
    import json

    raw = _unwrap_secrets(raw)
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = _unwrap_secrets(json.loads(raw))
        except ValueError:
            raw = None
    if not isinstance(raw, Mapping):
        raise ConfigurationError(
            f"{ACCOUNTS} must be a map of account names to their settings, set with e.g. "
            f"`pulumi config set --path '{ACCOUNTS}.agency.apiId' you@example.com`."
        )
    accounts: dict[str, dict[str, str]] = {}
    for name, entry in raw.items():
        if not isinstance(name, str) or ACCOUNT_NAME_RE.fullmatch(name) is None:
            raise ConfigurationError(
                f"{ACCOUNTS} has an account named {str(name)[:70]!r}: account names are up to "
                "64 letters, digits, - and _, starting with a letter."
            )
        if not isinstance(entry, Mapping):
            raise ConfigurationError(
                f"{ACCOUNTS}.{name} must be a map with apiId, apiKey and optionally endpoint."
            )
        odd = sorted(str(key) for key in entry if key not in _ACCOUNT_FIELDS)
        if odd:
            raise ConfigurationError(
                f"{ACCOUNTS}.{name} has unknown field(s) {', '.join(repr(k[:40]) for k in odd)}; "
                f"an account takes {', '.join(_ACCOUNT_FIELDS)}."
            )
        fields: dict[str, str] = {}
        for key, value in entry.items():
            if value is None or value == "":
                continue
            if not isinstance(value, str):
                # Never quote it: it may be the key, typed as a number.
                raise ConfigurationError(f"{ACCOUNTS}.{name}.{key} must be a string.")
            fields[key] = value
        accounts[name] = fields
    return accounts


class Accounts:
    """The stack's named accounts, which a resource selects with its ``account`` input.

    An account ``agency`` is configured in the stack (``avosms:accounts.agency.apiId``,
    ``...apiKey``, optionally ``...endpoint``) or in the environment
    (``AVOSMS_AGENCY_API_ID``, ``AVOSMS_AGENCY_API_KEY``, ``AVOSMS_AGENCY_ENDPOINT``), stack
    config winning field by field. Its endpoint defaults to the stack's (``avosms:endpoint``);
    every other setting (timeouts, retries, concurrency, emulator state) is the stack's.
    """

    def __init__(
        self,
        default: ProviderSettings,
        configured: Mapping[str, Mapping[str, str]],
        environ: Mapping[str, str],
    ) -> None:
        self.default = default
        self._configured = configured
        self._environ = environ
        self._settings: dict[str, ProviderSettings] = {}
        self._api_keys: list[tuple[str, str]] | None = None

    def names(self) -> list[str]:
        """Every configured account name, sorted (environment-only ones in lower case)."""
        names = set(self._configured)
        covered = {account_env_name(name) for name in names}
        for variable, value in self._environ.items():
            match = ACCOUNT_ENV_RE.fullmatch(variable)
            if match is not None and value and match[1] not in covered:
                names.add(match[1].lower())
        return sorted(names)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if name in self._configured:
            return True
        return any(self._environ.get(_spelling(name, keys)[1]) for keys in _ACCOUNT_FIELDS.values())

    def _field(self, name: str, field_name: str) -> str | None:
        value: str | None = self._configured.get(name, {}).get(field_name)
        if not value:
            value = self._environ.get(_spelling(name, _ACCOUNT_FIELDS[field_name])[1])
        return value or None

    def settings(self, name: str) -> ProviderSettings:
        """The settings of account ``name``; :class:`ConfigurationError` if it is not
        configured or its endpoint is refused (the message names accounts, never a key)."""
        cached = self._settings.get(name)
        if cached is not None:
            return cached
        if name not in self:
            raise ConfigurationError(self.unknown_message(name))
        endpoint = self._field(name, "endpoint")
        if endpoint is None:
            endpoint = self.default.endpoint
        else:
            endpoint = endpoint.rstrip("/")
            if endpoint != EMBEDDED_ENDPOINT:
                _check_endpoint(endpoint, _spelling(name, ENDPOINT))
        settings = dataclasses.replace(
            self.default,
            api_id=self._field(name, "apiId"),
            api_key=self._field(name, "apiKey"),
            endpoint=endpoint,
            account=name,
        )
        self._settings[name] = settings
        return settings

    def unknown_message(self, name: str) -> str:
        """Why ``name`` cannot be used: the configured names (names only) and how to add one."""
        names = self.names()
        known = (
            f"the accounts configured are {', '.join(repr(n) for n in names)}"
            if names
            else "no named account is configured"
        )
        return (
            f"account {name!r} is not configured: {known}. Add it with `pulumi config set "
            f"--path '{ACCOUNTS}.{name}.apiId' you@example.com` and `pulumi config set --secret "
            f"--path '{ACCOUNTS}.{name}.apiKey' <key>`, or export "
            f"AVOSMS_{account_env_name(name)}_API_ID and AVOSMS_{account_env_name(name)}_API_KEY."
        )

    def api_keys(self) -> list[tuple[str, str]]:
        """``(where it is set, key)`` for every API key configured: the stack's default one,
        each named account's, and every ``AVOSMS_<NAME>_API_KEY`` (the input guard refuses
        them all)."""
        if self._api_keys is not None:  # every check asks: scan the environment once
            return self._api_keys
        keys: list[tuple[str, str]] = []
        if self.default.api_key:
            keys.append((API_KEY[0], self.default.api_key))
        for name, fields in self._configured.items():
            if fields.get("apiKey"):
                keys.append((_spelling(name, API_KEY)[0], fields["apiKey"]))
        for variable, value in self._environ.items():
            match = ACCOUNT_ENV_RE.fullmatch(variable)
            if match is not None and match[2] == "API_KEY" and value:
                keys.append((variable, value))
        self._api_keys = keys
        return keys


def accounts_from_config(
    config: _ConfigLike | Mapping[str, Any],
    default: ProviderSettings,
    environ: Mapping[str, str] | None = None,
) -> Accounts:
    """The named accounts of ``avosms:accounts`` and ``AVOSMS_<NAME>_*`` (see :class:`Accounts`)."""
    env = os.environ if environ is None else environ
    return Accounts(default, _configured_accounts(config.get(ACCOUNTS)), env)
