"""Named accounts: ``avosms:accounts`` and ``AVOSMS_<NAME>_*``, resolved inside the plugin.

A resource (or lookup) that names an ``account`` gets that account's settings: the stack's
(:mod:`pulumi_avosms.config`) with the account's API ID, key and optional endpoint. Only the
name ever reaches the state; the credentials stay here and in the client built from them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping
from typing import Any

from ._text import Known, holds_secret, message, safe_join, safe_text
from .config import (
    API_ID,
    API_KEY,
    ENDPOINT,
    ConfigLike,
    ProviderSettings,
    read_setting,
    usable_endpoint,
)
from .errors import ConfigurationError

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
    """The ``NAME`` of ``AVOSMS_<NAME>_API_ID`` for ``account``: upper case, ``-`` as ``_``.

    It is also the one rule by which two account names are the same account (``Ops``,
    ``ops`` and ``OPS`` read the same variables, so they must mean the same everywhere:
    stack config, resources, lookups).
    """
    return account.upper().replace("-", "_")


def _spelling(account: str, keys: tuple[str, str]) -> tuple[str, str]:
    """The (stack config key, environment variable) of setting ``keys`` for ``account``."""
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
                message(
                    f"{ACCOUNTS} has an account named {{name}}: account names are up to "
                    "64 letters, digits, - and _, starting with a letter.",
                    name=str(name),
                )
            )
        if not isinstance(entry, Mapping):
            raise ConfigurationError(
                f"{ACCOUNTS}.{name} must be a map with apiId, apiKey and optionally endpoint."
            )
        odd = sorted(str(key) for key in entry if key not in _ACCOUNT_FIELDS)
        if odd:
            raise ConfigurationError(
                f"{ACCOUNTS}.{name} has unknown field(s) {safe_join(odd)}; "
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
        # One account per environment-variable name: `Ops` finds `ops` of avosms:accounts.
        self._configured_names: dict[str, str] = {}
        for name in configured:
            other = self._configured_names.setdefault(account_env_name(name), name)
            if other != name:
                # Both names passed ACCOUNT_NAME_RE (_configured_accounts): plain text.
                raise ConfigurationError(
                    f"{ACCOUNTS} names the accounts '{other}' and '{name}', which are the same "
                    f"account (names are compared like AVOSMS_{account_env_name(name)}_*, "
                    "ignoring case and - or _): keep one of them."
                )
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
        if account_env_name(name) in self._configured_names:
            return True
        try:
            return any(
                self._environ.get(_spelling(name, keys)[1]) for keys in _ACCOUNT_FIELDS.values()
            )
        except UnicodeEncodeError:  # a lone surrogate: no environment variable has that name
            return False

    def _field(self, name: str, field_name: str) -> tuple[str | None, str | None]:
        """``(value, the spelling it was read from)`` of one field of account ``name``."""
        configured_name = self._configured_names.get(account_env_name(name), name)
        keys = _spelling(configured_name, _ACCOUNT_FIELDS[field_name])
        configured = {keys[0]: self._configured.get(configured_name, {}).get(field_name)}
        return read_setting(configured, self._environ, keys)

    def identity(self, name: str | None) -> tuple[str, ...]:
        """What makes two account names the same AvoSMS account for a resource: the API ID
        and endpoint they resolve to (``None`` is the stack's default account); a name that
        cannot be resolved here is only the same as its own spellings."""
        if name is None or name == "":
            settings = self.default
        else:
            try:
                settings = self.settings(name)
            except ConfigurationError:
                return ("unresolved", account_env_name(name))
        return ("account", settings.api_id or "", settings.endpoint)

    def settings(self, name: str) -> ProviderSettings:
        """The settings of account ``name``; :class:`ConfigurationError` if it is not
        configured or its endpoint is refused (the message names accounts, never a key)."""
        cached = self._settings.get(account_env_name(name))
        if cached is not None:
            return cached
        if name not in self:
            raise ConfigurationError(self.unknown_message(name))
        endpoint = self._field(name, "endpoint")[0]
        if endpoint is None:
            endpoint = self.default.endpoint
        else:
            endpoint = self.usable_endpoint(endpoint, _spelling(name, ENDPOINT))
        api_id, api_id_from = self._field(name, "apiId")
        api_key, api_key_from = self._field(name, "apiKey")
        settings = dataclasses.replace(
            self.default,
            api_id=api_id,
            api_key=api_key,
            endpoint=endpoint,
            account=name,
            credentials_settings=(_spelling(name, API_ID), _spelling(name, API_KEY)),
            credentials_read_from=(api_id_from, api_key_from),
        )
        self._settings[account_env_name(name)] = settings
        return settings

    def usable_endpoint(self, endpoint: str, keys: tuple[str, str]) -> str:
        """``endpoint`` (read from ``keys``) checked as the stack's is, and refused when it
        holds any configured key; its refusal quotes no key (each is scrubbed)."""
        api_keys = self.api_keys()
        try:
            return usable_endpoint(endpoint, keys, api_keys)
        except ConfigurationError as exc:
            text = str(exc)
            raise ConfigurationError(
                safe_text(text, [key for _where, key in api_keys], len(text))
            ) from None

    def unknown_message(self, name: str) -> str:
        """Why ``name`` cannot be used: the configured names (names only) and how to add one."""
        names = self.names()
        known = (
            f"the accounts configured are {safe_join(names)}"
            if names
            else "no named account is configured"
        )
        secrets = [key for _where, key in self.api_keys()]
        # Only a lookup's argument can be malformed or hold a key (a resource's account is
        # checked first): then the name is quoted made safe, and spelled in no command.
        if ACCOUNT_NAME_RE.fullmatch(name) is None or any(holds_secret(name, k) for k in secrets):
            return message(
                "account {name} is not configured: {known}. Account names are up to 64 "
                "letters, digits, - and _, starting with a letter.",
                secrets=secrets,
                name=name,
                known=Known(known),
            )
        return (
            f"account '{name}' is not configured: {known}. Add it with `pulumi config set "
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
        self._api_keys = _key_settings(self.default.api_key, self._configured, self._environ)
        return self._api_keys


def _key_settings(
    default_key: str | None,
    configured: Mapping[str, Mapping[str, str]],
    environ: Mapping[str, str],
) -> list[tuple[str, str]]:
    """``(where it is set, key)`` for the default key, each configured account's and every
    ``AVOSMS_<NAME>_API_KEY``."""
    keys: list[tuple[str, str]] = []
    if default_key:
        keys.append((API_KEY[0], default_key))
    for name, fields in configured.items():
        if fields.get("apiKey"):
            keys.append((_spelling(name, API_KEY)[0], fields["apiKey"]))
    for variable, value in environ.items():
        match = ACCOUNT_ENV_RE.fullmatch(variable)
        if match is not None and match[2] == "API_KEY" and value:
            keys.append((variable, value))
    return keys


def configured_api_keys(
    config: ConfigLike | Mapping[str, Any], environ: Mapping[str, str]
) -> list[str]:
    """Every API key set in ``config`` or ``environ``, read without checking any other
    setting: what a refusal of a setting must not quote. Never raises."""
    try:
        configured = _configured_accounts(config.get(ACCOUNTS))
    except ConfigurationError:
        configured = {}
    default_key = read_setting(config, environ, API_KEY)[0]
    return [key for _where, key in _key_settings(default_key, configured, environ)]


def accounts_from_config(
    config: ConfigLike | Mapping[str, Any],
    default: ProviderSettings,
    environ: Mapping[str, str] | None = None,
) -> Accounts:
    """The named accounts of ``avosms:accounts`` and ``AVOSMS_<NAME>_*`` (see :class:`Accounts`)."""
    env = os.environ if environ is None else environ
    accounts = Accounts(default, _configured_accounts(config.get(ACCOUNTS)), env)
    # The stack's endpoint was checked against the stack's key; any account's key counts too.
    accounts.usable_endpoint(default.endpoint, ENDPOINT)
    return accounts
