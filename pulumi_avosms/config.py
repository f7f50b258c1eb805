"""Provider settings, resolved inside the plugin from stack config, then the environment.

Nothing here runs in the user's program: the provider object that Pulumi pickles into state
carries no settings. The dynamic-provider plugin hands the stack's configuration to
``configure()``, which calls :func:`settings_from_config`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

DEFAULT_ENDPOINT = "https://api.avosms.com/v1"

#: The value of ``avosms:endpoint`` that runs the package's emulator inside the plugin.
EMBEDDED_ENDPOINT = "emulator"

# (stack config key, environment variable) for every setting, in one place so that error
# messages, the README and the code cannot drift apart.
API_ID = ("avosms:apiId", "AVOSMS_API_ID")
API_KEY = ("avosms:apiKey", "AVOSMS_API_KEY")
ENDPOINT = ("avosms:endpoint", "AVOSMS_ENDPOINT")
TIMEOUT = ("avosms:timeout", "AVOSMS_TIMEOUT")
MAX_RETRIES = ("avosms:maxRetries", "AVOSMS_MAX_RETRIES")
EMULATOR_STATE = ("avosms:emulatorState", "AVOSMS_EMULATOR_STATE")

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 4


class ConfigurationError(Exception):
    """The provider's settings are missing or malformed; the message says how to fix them."""


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

    @property
    def embedded(self) -> bool:
        """True when the endpoint selects the emulator started inside the plugin."""
        return self.endpoint == EMBEDDED_ENDPOINT

    def require_credentials(self) -> tuple[str, str]:
        """Return ``(api_id, api_key)`` or raise a :class:`ConfigurationError` naming both ways."""
        missing = [
            (cfg, env)
            for (cfg, env), value in ((API_ID, self.api_id), (API_KEY, self.api_key))
            if not value
        ]
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
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number of seconds"
        raise ConfigurationError(f"{keys[0]} (or {keys[1]}) must be {kind}, got {raw!r}.") from None
    if value < minimum:
        raise ConfigurationError(
            f"{keys[0]} (or {keys[1]}) must be at least {minimum}, got {raw!r}."
        )
    return value


def settings_from_config(
    config: _ConfigLike | Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
) -> ProviderSettings:
    """Resolve settings from the stack config (``avosms:*``), falling back to ``AVOSMS_*``."""
    env = os.environ if environ is None else environ
    endpoint = (_lookup(config, env, ENDPOINT) or DEFAULT_ENDPOINT).rstrip("/")
    if endpoint != EMBEDDED_ENDPOINT and not endpoint.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"{ENDPOINT[0]} (or {ENDPOINT[1]}) must be an http(s) URL such as "
            f"{DEFAULT_ENDPOINT!r}, or {EMBEDDED_ENDPOINT!r} for the built-in emulator; "
            f"got {endpoint!r}."
        )
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
    )
