"""What every AvoSMS dynamic provider shares: pickling, settings, the client, adoption.

The concrete providers (``ContactListProvider``, ``ContactProvider``) are what Pulumi stores,
by reference, in each resource's state; this base class is never named there, so it may
move or change freely.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import pulumi
from pulumi.dynamic import CheckFailure, ConfigureRequest, DiffResult, ResourceProvider

from . import _runtime
from ._accounts import (
    ACCOUNT_NAME_RE,
    ACCOUNT_PROPERTY,
    ACCOUNTS,
    Accounts,
    accounts_from_config,
)
from ._engine import IMPORT_PROPERTY, is_unknown
from ._text import MIN_SECRET, describe, holds_secret, scrub, shorten, spellings
from .config import ConfigurationError, ProviderSettings, settings_from_config
from .errors import APIError, AvoSMSError

if TYPE_CHECKING:
    from .client import AvoSMSClient


class AvoSMSProvider(ResourceProvider):
    """Base of the AvoSMS dynamic providers.

    Holds nothing when constructed, so a provider pickles by reference in a few dozen bytes;
    settings are read in :meth:`configure` inside the plugin, and the API client is shared by
    every provider of the plugin process (see :mod:`pulumi_avosms._runtime`).
    """

    # Nothing secret is captured when a provider is pickled, so the ``__provider`` value in
    # state need not be encrypted on every resource.
    serialize_as_secret_always = False

    _settings: ProviderSettings | None = None
    _accounts: Accounts | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _ENGINE_METHODS:
            if name in cls.__dict__:
                setattr(cls, name, reads_once(cls.__dict__[name]))

    def __getstate__(self) -> dict[str, Any]:
        # Belt and braces: even a configured instance pickles as the bare class reference.
        return {}

    def configure(self, req: ConfigureRequest) -> None:
        """Resolve settings from ``avosms:*`` stack config with ``AVOSMS_*`` fallbacks."""
        self._settings = settings_from_config(req.config)
        self._accounts = accounts_from_config(req.config, self._settings)

    def _named_accounts(self) -> Accounts:
        if self._accounts is None:
            # Used outside the plugin (unit tests, scripts): environment only.
            self._accounts = accounts_from_config({}, self._default_settings())
        return self._accounts

    def _default_settings(self) -> ProviderSettings:
        if self._settings is None:
            self._settings = settings_from_config({})
        return self._settings

    def _check_account(
        self, news: dict[str, Any], inputs: dict[str, Any], failures: list[CheckFailure]
    ) -> None:
        """Check the ``account`` input (a name of ``avosms:accounts``) into ``inputs``.

        Only the name is an input: the account's credentials stay in the stack config or
        the environment, never in the state. An unknown name fails here, at preview.
        """
        account = news.get(ACCOUNT_PROPERTY)
        if account is None:
            inputs.pop(ACCOUNT_PROPERTY, None)
            return
        if is_unknown(account):
            inputs[ACCOUNT_PROPERTY] = account
            return
        if not isinstance(account, str) or ACCOUNT_NAME_RE.fullmatch(account) is None:
            shown = shorten(account) if isinstance(account, str) else describe(account)
            failures.append(
                CheckFailure(
                    ACCOUNT_PROPERTY,
                    f"account must name an account of {ACCOUNTS} (up to 64 letters, digits, "
                    f"- and _, starting with a letter), got {shown}",
                )
            )
            return
        try:
            self._named_accounts().settings(account)
        except ConfigurationError as err:
            failures.append(CheckFailure(ACCOUNT_PROPERTY, str(err)))
            return
        inputs[ACCOUNT_PROPERTY] = account

    def _same_account(self, old: Any, new: Any) -> bool:
        """Whether two ``account`` values name the same AvoSMS account: the same API ID and
        endpoint once resolved (names differing only in case read the same variables).
        The one rule every resource uses, so that such a change is never a replacement."""
        if is_unknown(old) or is_unknown(new):
            return False
        old, new = old or None, new or None
        if old == new:
            return True
        if not all(isinstance(name, (str, type(None))) for name in (old, new)):
            return False
        accounts = self._named_accounts()
        return accounts.identity(old) == accounts.identity(new)

    def _olds_for_rules(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        """``olds`` as the check rules see them: an account change that keeps the same
        AvoSMS account is no change (it replaces nothing, so ``import_`` may stay)."""
        new = news.get(ACCOUNT_PROPERTY)
        if (
            olds
            and olds.get(ACCOUNT_PROPERTY) != new
            and self._same_account(olds.get(ACCOUNT_PROPERTY), new)
        ):
            olds = {**olds, ACCOUNT_PROPERTY: new}
        return olds

    def _account_replaces(
        self, result: DiffResult, olds: dict[str, Any], news: dict[str, Any]
    ) -> DiffResult:
        """``result`` without the account in its replacements when the old and new names are
        the same AvoSMS account: an update then records the new name, nothing is re-created
        (a replacement's delete would remove what its create just took over)."""
        replaces = list(result.replaces or [])
        if ACCOUNT_PROPERTY not in replaces or not self._same_account(
            olds.get(ACCOUNT_PROPERTY), news.get(ACCOUNT_PROPERTY)
        ):
            return result
        replaces.remove(ACCOUNT_PROPERTY)
        return DiffResult(
            changes=result.changes,
            replaces=replaces,
            stables=result.stables,
            delete_before_replace=result.delete_before_replace,
        )

    def _guard_api_key(
        self, news: dict[str, Any], failures: list[CheckFailure]
    ) -> list[CheckFailure]:
        """``failures``, with any input carrying a configured API key refused instead.

        Inputs are stored in the Pulumi state and sent to AvoSMS as data, so a key pasted in
        the wrong place would leak there. The raw values are scanned (before normalising, in
        any case and spelling, inside lists and maps, their keys too). Any other failure about
        the same input (``members`` for ``members[3].email``) or that quotes a piece of the
        key (another property's message may quote the value that holds it, cut short or not)
        is withheld: the key is reported first, the rest once it is gone.
        """
        leaking: dict[str, str] = {}
        pieces: set[str] = set()
        keys = [(where, key) for where, key in self._api_keys() if len(key) >= MIN_SECRET]
        for where, key in keys:
            folded = key.casefold()
            found = [prop for prop, value in news.items() if _carries(value, key, folded)]
            for prop in found:
                leaking.setdefault(prop, where)
            if found:
                pieces |= _pieces(key)
        # Whatever else a message quotes, no spelling of a key survives in it.
        secrets = [key for _where, key in keys]
        kept = [
            CheckFailure(failure.property, scrub(failure.reason, secrets))
            for failure in failures
            if not any(_same_input(failure.property, prop) for prop in leaking)
            and not any(piece in failure.reason.casefold() for piece in pieces)
        ]
        return kept + [
            CheckFailure(
                prop,
                f"{prop} contains the AvoSMS API key configured for this stack ({where}); "
                "inputs are stored in the Pulumi state and sent to AvoSMS as data, so the key "
                "would leak there. Remove it from the program.",
            )
            for prop, where in leaking.items()
        ]

    def _api_keys(self) -> list[tuple[str, str]]:
        """Every API key configured (default and named accounts), with where it is set."""
        try:
            return self._named_accounts().api_keys()
        except ConfigurationError:
            settings = self._settings
            return [("avosms:apiKey", settings.api_key)] if settings and settings.api_key else []

    def _secrets(self) -> list[str]:
        """The API keys a message must never show."""
        return [key for _, key in self._api_keys()]

    def _client(self, account: str | None = None) -> AvoSMSClient:
        """The shared client of the default account, or of the named ``account``."""
        if account is None:
            return _runtime.get_client(self._default_settings())
        return _runtime.get_client(self._named_accounts().settings(account))


def with_account(outs: dict[str, Any], account: Any) -> dict[str, Any]:
    """``outs`` with the ``account`` output when the resource names one (else unchanged, so
    states written before accounts existed keep their exact outputs)."""
    if isinstance(account, str) and account:
        outs[ACCOUNT_PROPERTY] = account
    return outs


#: The provider methods the plugin calls for the engine; their errors reach the user.
_ENGINE_METHODS = ("check", "diff", "create", "read", "update", "delete")

_F = TypeVar("_F", bound=Callable[..., Any])


def reads_once(method: _F) -> _F:
    """``method``, with the package's errors leaving it as one message, not a traceback chain.

    The plugin (pulumi >= 3.260) shows the user ``traceback.format_exc()``: an
    :class:`~pulumi_avosms.errors.AvoSMSError` leaves with no ``__cause__``/``__context__``
    text and no frames below this wrapper (its AvoSMS call's error stays reachable as
    ``api_error``). Any other exception is a bug and keeps its full traceback.
    """

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except AvoSMSError as err:
            cause = err.__cause__
            if err.__dict__.get("_api_error") is None and isinstance(cause, APIError):
                err._api_error = cause  # keep what ``api_error`` found through the chain
            raise err.with_traceback(None) from None

    return wrapper  # type: ignore[return-value]


def move_import_option(
    props: dict[str, Any], opts: pulumi.ResourceOptions | None
) -> pulumi.ResourceOptions | None:
    """Carry ``opts.import_`` as the ``import_id`` input and clear it from the options.

    The engine's own import calls Read with no properties, so the dynamic-provider plugin
    cannot find ``__provider`` and fails. As an input, the ID reaches ``create()``, which
    adopts the object instead of creating one; ``diff()`` ignores the input, so keeping the
    option in the program, or removing it later, is no change.
    """
    if opts is None or not opts.import_:
        return opts
    props[IMPORT_PROPERTY] = opts.import_
    opts = copy.copy(opts)
    opts.import_ = None
    return opts


#: Length of the key fragments looked for in failure messages (the shortest key guarded).
_KEY_PIECE = MIN_SECRET


def _carries(value: Any, key: str, folded_key: str) -> bool:
    """True when ``value`` (or any string inside it, map keys included) contains the key, in
    any case or spelling (percent-encoded, JSON-escaped)."""
    if isinstance(value, str):
        if folded_key in value.casefold():
            return True
        # Another spelling needs an escape character: only such text pays for the full search.
        return any(c in value for c in "%\\+") and holds_secret(value, key)
    if isinstance(value, dict):
        return any(
            _carries(k, key, folded_key) or _carries(v, key, folded_key) for k, v in value.items()
        )
    if isinstance(value, (list, tuple)):
        return any(_carries(item, key, folded_key) for item in value)
    return False


def _same_input(failed: str, leaking: str) -> bool:
    """Whether a failure of property ``failed`` is about the input ``leaking`` or part of it
    (``members`` and ``members[3].email``): its message may quote the key."""
    return failed == leaking or leaking.startswith((failed + "[", failed + "."))


def _pieces(key: str) -> set[str]:
    """Every fragment of :data:`_KEY_PIECE` characters of every spelling of the key (as
    typed, quoted, escaped, every byte percent-encoded), case-folded: a message quoting a
    value cut to 40 characters may hold only part of the key."""
    encoded = "".join(f"%{byte:02x}" for byte in key.encode())
    return {
        spelling[i : i + _KEY_PIECE]
        for spelling in {s.casefold() for s in (*spellings(key), repr(key)[1:-1], encoded)}
        for i in range(len(spelling) - _KEY_PIECE + 1)
    }
