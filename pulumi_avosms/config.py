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
    to this machine; no user info, query or odd characters, and no configured API key
    anywhere in it (any case, percent-encoded too). Requests to this machine never use a
    proxy; remote https ones honour ``HTTPS_PROXY`` and ``NO_PROXY``.
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
    API calls in flight to one account at once, shared by every step the plugin runs at
    once (ContactListMembers steps make many; each call retried like any call).
``avosms:emulatorState`` / ``AVOSMS_EMULATOR_STATE``
    The embedded emulator's SQLite file (``.avosms/emulator.sqlite3`` by default).
``avosms:accounts`` / ``AVOSMS_<NAME>_API_ID``, ``_API_KEY``, ``_ENDPOINT``
    Named accounts, which a resource selects with its ``account`` input (see
    :mod:`pulumi_avosms._accounts`): a map of name to ``apiId``, ``apiKey`` (secret) and
    optionally ``endpoint`` (else ``avosms:endpoint``). Every other setting is the stack's.

Stack config wins over the environment; an empty value counts as unset. A malformed number
fails with a :class:`ConfigurationError` naming both spellings.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._text import message, safe_join, safe_text, shorten
from .client.endpoints import DEFAULT_ENDPOINT, refuse_key_in_endpoint
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
#: Every setting above, for code that copies them from another source (the lookups).
SETTINGS = (
    API_ID,
    API_KEY,
    ENDPOINT,
    TIMEOUT,
    CONNECT_TIMEOUT,
    MAX_RETRIES,
    RETRY_TIMEOUT,
    EMULATOR_STATE,
    MAX_CONCURRENCY,
)

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


class ConfigLike(Protocol):
    """What settings are read from: the plugin's config map, or a plain mapping."""

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
    #: (stack config key, environment variable) of the API ID and of the key: the default
    #: account's, or a named account's (``avosms:accounts.<name>.apiId`` ...).
    credentials_settings: tuple[tuple[str, str], tuple[str, str]] = (API_ID, API_KEY)
    #: The spelling the API ID and the key were each read from (None: not set).
    credentials_read_from: tuple[str | None, str | None] = (None, None)

    @property
    def embedded(self) -> bool:
        """True when the endpoint selects the emulator started inside the plugin."""
        return self.endpoint == EMBEDDED_ENDPOINT

    def credentials_source(self) -> str:
        """Whose credentials these are and where they were read from (names, never a value),
        for the error AvoSMS's refusal of them becomes."""
        whose = (
            "the demo account"
            if self.account is None
            else message("account {account}", account=self.account)
        )
        if self.embedded:  # it answers to its own demo credentials, never to the settings
            return f"of {whose} in the embedded emulator"
        api_id_from, api_key_from = (
            where or f"{cfg} (or {env})"
            for where, (cfg, env) in zip(
                self.credentials_read_from, self.credentials_settings, strict=True
            )
        )
        read = f"read from {api_id_from} and {api_key_from}"
        return read if self.account is None else f"of {whose}, {read}"

    def require_credentials(self) -> tuple[str, str]:
        """Return ``(api_id, api_key)`` or raise a :class:`ConfigurationError` naming both ways."""
        api_id_keys, api_key_keys = self.credentials_settings
        missing = [
            (cfg, env)
            for (cfg, env), value in ((api_id_keys, self.api_id), (api_key_keys, self.api_key))
            if not value
        ]
        if missing and self.account is not None:
            what = " and ".join(f"{cfg} (or {env})" for cfg, env in missing)
            raise ConfigurationError(
                message("AvoSMS credentials of account {account}", account=self.account)
                + f" are missing: {what}. Set them "
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


def read_setting(
    config: ConfigLike | Mapping[str, Any], environ: Mapping[str, str], keys: tuple[str, str]
) -> tuple[str | None, str | None]:
    """``(value, the spelling it was read from)`` of one setting, ``(None, None)`` if unset.

    Stack config wins over the environment; empty strings count as unset.
    """
    for where, value in ((keys[0], config.get(keys[0])), (keys[1], environ.get(keys[1]))):
        if value is not None and value != "":
            return str(value), where
    return None, None


def _lookup(
    config: ConfigLike | Mapping[str, Any], environ: Mapping[str, str], keys: tuple[str, str]
) -> str | None:
    return read_setting(config, environ, keys)[0]


def _number(
    raw: str | None, keys: tuple[str, str], default: float, *, minimum: float, integer: bool = False
) -> float:
    if raw is None:
        return default
    kind = "a whole number" if integer else "a number of seconds"
    where = f"{keys[0]} (or {keys[1]})"
    refused = ConfigurationError(message(f"{where} must be {kind}, got {{raw}}.", raw=raw))
    try:
        value = float(raw)
    except ValueError:
        raise refused from None
    if integer:
        # "3.0" is a whole number too (the engine may hand over typed config as floats).
        if not value.is_integer():
            raise refused
        value = int(value)
    # float() accepts "nan" and "inf": NaN would slip past the minimum check below and make
    # every request fail obscurely, and an infinite timeout or budget could hang a deployment.
    if not math.isfinite(value):
        raise ConfigurationError(message(f"{where} must be a finite number, got {{raw}}.", raw=raw))
    if value < minimum:
        raise ConfigurationError(
            message(f"{where} must be at least {minimum}, got {{raw}}.", raw=raw)
        )
    return value


#: How much of a refused endpoint a message shows.
_SHOWN_URL = 200

# The one grammar an endpoint may have: scheme, host (name, IPv4 or [IPv6]), optional port,
# optional path of plain characters. Every URL parser reads such a URL the same way, so the
# host checked here is the host requests connects to (the client checks again with its parser).
_ENDPOINT_RE = re.compile(
    r"(?P<scheme>https?)://(?P<host>[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<path>(?:/[A-Za-z0-9._~!$&'()*+,;=:%-]*)*)",
    re.ASCII,
)


def quotable_endpoint(endpoint: str) -> str:
    """``endpoint`` as an error may quote it: any user info (``user:key@``) replaced by ``***``.

    Everything between ``://`` (or the start) and the last ``@`` is hidden, so whichever way
    a parser splits the URL, no part of the user info is shown.
    """
    if "@" not in endpoint:
        return endpoint
    start = endpoint.find("://")
    start = 0 if start < 0 else start + 3
    return endpoint[:start] + "***" + endpoint[endpoint.rindex("@") :]


def usable_endpoint(
    endpoint: str, keys: tuple[str, str] = ENDPOINT, api_keys: Iterable[tuple[str, str]] = ()
) -> str:
    """``endpoint`` without a trailing ``/``, checked by :func:`check_endpoint` unless it
    selects the embedded emulator; ``keys`` name the setting it was read from. An endpoint
    holding one of ``api_keys`` (``(where it is set, key)``) is refused first, unquoted."""
    endpoint = endpoint.rstrip("/")
    if endpoint != EMBEDDED_ENDPOINT:
        refuse_key_in_endpoint(endpoint, f"{keys[0]} (or {keys[1]})", api_keys)
        check_endpoint(endpoint, keys)
    return endpoint


def check_endpoint(endpoint: str, keys: tuple[str, str] = ENDPOINT) -> None:
    """Refuse endpoints that are not plain URLs, and plain http to anything but this machine.

    The API key travels in every request body: over http it would cross the network in
    clear. Loopback stays allowed for a local emulator (`avosms-emulator`). Spellings that URL
    parsers read differently (user info, backslashes, spaces, other odd characters) are
    refused, so that the host checked is the host the request goes to.
    """
    where = f"{keys[0]} (or {keys[1]})"
    # The URL is the user's text: quoted made safe, user info hidden whatever it holds.
    shown = shorten(quotable_endpoint(endpoint), _SHOWN_URL)
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or "://" not in endpoint:
        raise ConfigurationError(
            f"{where} must be an http(s) URL such as '{DEFAULT_ENDPOINT}', or "
            f"'{EMBEDDED_ENDPOINT}' for the built-in emulator; got {shown}."
        )
    match = _ENDPOINT_RE.fullmatch(endpoint)
    if match is None or (match["port"] is not None and not 0 < int(match["port"]) < 65536):
        odd = sorted(
            {c for c in endpoint if not c.isascii() or c in "@\\ ?#" or not c.isprintable()}
        )
        detail = f" (it contains {safe_join(odd)})" if odd else ""
        raise ConfigurationError(
            f"{where} must be an http(s) URL such as '{DEFAULT_ENDPOINT}', or "
            f"'{EMBEDDED_ENDPOINT}' for the built-in emulator; got {shown}{detail}. "
            "User info (user@host), backslashes, spaces, query strings and characters other "
            "than letters, digits and -._~!$&'()*+,;=:% are refused, since URL parsers read "
            "them differently."
        )
    if match["scheme"] == "http" and not is_loopback_host(match["host"]):
        raise ConfigurationError(
            f"{where} is {shown}: plain http to another machine would send the API key in "
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
    config: ConfigLike | Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
) -> ProviderSettings:
    """Resolve settings from the stack config (``avosms:*``), falling back to ``AVOSMS_*``."""
    env = os.environ if environ is None else environ
    api_key = read_setting(config, env, API_KEY)
    try:
        return _resolve(config, env, api_key)
    except ConfigurationError as exc:
        # A refusal quotes the setting it refuses: a key may be in it (pasted by mistake).
        from ._accounts import configured_api_keys  # imports this module

        text = str(exc)
        raise ConfigurationError(
            safe_text(text, configured_api_keys(config, env), len(text))
        ) from None


def _resolve(
    config: ConfigLike | Mapping[str, Any],
    env: Mapping[str, str],
    api_key: tuple[str | None, str | None],
) -> ProviderSettings:
    key_set_in = [(api_key[1] or API_KEY[0], api_key[0])] if api_key[0] else []
    endpoint = usable_endpoint(
        _lookup(config, env, ENDPOINT) or DEFAULT_ENDPOINT, ENDPOINT, key_set_in
    )
    api_id, api_id_from = read_setting(config, env, API_ID)
    return ProviderSettings(
        api_id=api_id,
        api_key=api_key[0],
        credentials_read_from=(api_id_from, api_key[1]),
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
