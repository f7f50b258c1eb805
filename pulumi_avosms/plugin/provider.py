"""The ``avosms`` provider plugin: engine requests in, the dynamic providers' methods out.

:class:`AvoSMSPlugin` is a ``pulumi.provider.experimental`` provider. It holds no rule about
AvoSMS: each resource request is translated (property values to plain Python, schema names to
Python names, :mod:`.fields`) and handed to the same method of the same class a Python program's
dynamic resource uses (``ContactListProvider.check`` ...); the result is translated back.
Settings go through the same resolution (``configure()`` of those classes, from the provider's
config variables spelled ``avosms:<name>``, then ``AVOSMS_*``), and the functions call the same
lookups as ``pulumi_avosms.get_contact_list(s)``.

Like the dynamic-provider plugin, it answers ``acceptSecrets=False`` and no
``supportsPreview``: the engine strips secrets before each call and marks the outputs of secret
inputs secret again, and a preview runs Check and Diff only. Unlike it, nothing is pickled and
the engine's calls run at once, up to :data:`WORKERS` in flight.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from pulumi.dynamic import ConfigureRequest as DynamicConfigureRequest
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime.rpc import UNKNOWN

from .._accounts import accounts_from_config
from .._engine import is_unknown
from .._text import message
from ..config import settings_from_config
from ..errors import AvoSMSError, ConfigurationError, ContactListLookupError, ValidationError
from .fields import (
    CONFIG_FIELDS,
    FUNCTIONS,
    GET_CONTACT_LIST,
    PACKAGE,
    RESOURCES,
    ResourceSpec,
    language_neutral,
    schema_name,
    to_python_names,
    to_schema_names,
)
from .schema import schema_json

if TYPE_CHECKING:
    from .._provider import AvoSMSProvider

#: Engine calls served at once (each one blocks a thread on AvoSMS); the engine's own
#: parallelism bounds what it sends.
WORKERS = 32

_T = TypeVar("_T")

#: The settings the provider's configuration may hold, by schema name (``apiKey``).
_SETTING_NAMES = tuple(row.name for row in CONFIG_FIELDS)


# -- values ------------------------------------------------------------------------------


def plain(value: PropertyValue) -> Any:
    """A property value as the dynamic providers see one: plain Python, secrets unwrapped,
    an unknown as the engine's sentinel string, numbers as floats (as over the wire)."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {key: plain(item) for key, item in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [plain(item) for item in inner]
    return inner


def plain_map(values: Mapping[str, PropertyValue] | None) -> dict[str, Any]:
    """A request's property map as plain Python with Python property names."""
    return to_python_names({key: plain(value) for key, value in (values or {}).items()})


def property_value(value: Any) -> PropertyValue:
    """The reverse of :func:`plain`: a plain Python value as a property value."""
    if is_unknown(value):
        # The engine's wire form of an unknown; PropertyValue.computed() cannot be marshalled
        # (pulumi 3.268 to 3.272 raise "Unsupported value type"), and an unknown arrives as
        # this same string.
        return PropertyValue(UNKNOWN)
    if value is None or isinstance(value, (bool, str)):
        return PropertyValue(value)
    if isinstance(value, (int, float)):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        return PropertyValue({str(key): property_value(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return PropertyValue([property_value(item) for item in value])
    # A provider returned a value no property can hold: a bug of this package.
    raise AvoSMSError(f"cannot send a {type(value).__name__} to the engine")


def property_map(values: Mapping[str, Any] | None) -> dict[str, PropertyValue]:
    """A dynamic provider's result (Python names) as the engine's property map."""
    renamed = to_schema_names(dict(values or {}))
    return {key: property_value(value) for key, value in renamed.items()}


def resource_type(qualified: str) -> str:
    """The resource's own type token: a URN's type is qualified by its parents' types
    (``parent$avosms:index:Contact``)."""
    return qualified.rsplit("$", 1)[-1]


def stack_config(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The provider's configuration as the settings code reads it: ``avosms:<name>`` keys.

    A value not known yet (an explicit provider's argument from another resource, at
    preview) is left out: a preview only checks and diffs, which call no API.
    """
    return {
        f"{PACKAGE}:{name}": variables[name]
        for name in _SETTING_NAMES
        if variables.get(name) not in (None, "") and not is_unknown(variables[name])
    }


_SETTING_IN_TEXT = re.compile(r"\b" + PACKAGE + r":(\w+)")


def config_failure(error: ConfigurationError) -> CheckFailure:
    """A refused setting as a check failure on the setting the message names first."""
    text = str(error)
    named = _SETTING_IN_TEXT.search(text)
    return CheckFailure(named.group(1) if named else "", text)


# -- the plugin --------------------------------------------------------------------------


class AvoSMSPlugin(Provider):
    """The ``avosms`` resource provider (one instance per plugin process, so per provider
    instance of the program: its configuration is that provider's)."""

    def __init__(self, version: str) -> None:
        self.version = version
        self._config: dict[str, Any] = {}
        self._providers: dict[str, AvoSMSProvider] = {}
        self._executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="avosms")
        self._resources = {spec.token: spec for spec in RESOURCES}

    async def _run(self, call: Callable[..., _T], *args: Any) -> _T:
        # The providers' methods block on AvoSMS; the gRPC server's loop must not.
        return await asyncio.get_running_loop().run_in_executor(self._executor, call, *args)

    def _spec(self, type_: str) -> ResourceSpec:
        token = resource_type(type_)
        spec = self._resources.get(token)
        if spec is None:
            raise AvoSMSError(
                message("unknown resource type {token}; this provider serves ", token=token)
                + ", ".join(sorted(self._resources))
            )
        return spec

    def _provider(self, spec: ResourceSpec) -> AvoSMSProvider:
        provider = self._providers.get(spec.token)
        if provider is None:
            module_name, _, class_name = spec.provider.partition(":")
            cls = getattr(importlib.import_module(module_name), class_name)
            provider = cls()
            provider.configure(DynamicConfigureRequest(self._config))  # type: ignore[arg-type]
            self._providers[spec.token] = provider
        return provider

    # -- configuration ----------------------------------------------------------------------

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        """The package schema (built from the field tables)."""
        return GetSchemaResponse(schema=schema_json(self.version))

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """Refuse, at preview, settings the provider could not use (the same checks as
        ``configure``, which reads the environment too); the inputs are kept as given."""
        config = stack_config({k: plain(v) for k, v in request.new_inputs.items()})
        try:
            settings = await self._run(settings_from_config, config)
            await self._run(accounts_from_config, config, settings)
        except ConfigurationError as err:
            return CheckResponse(inputs=request.new_inputs, failures=[config_failure(err)])
        return CheckResponse(inputs=request.new_inputs)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Keep the provider's settings; each resource class is configured with them."""
        if request.args:
            variables = {key: plain(value) for key, value in request.args.items()}
        else:  # engines before config args: "avosms:config:apiKey" -> text
            prefix = f"{PACKAGE}:config:"
            variables = {
                key.removeprefix(prefix): value
                for key, value in request.variables.items()
                if key.startswith(prefix)
            }
        self._config = stack_config(variables)
        self._providers.clear()
        return ConfigureResponse(accept_secrets=False, supports_preview=False)

    # -- resources --------------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        """The dynamic provider's ``check``; failures name the schema's properties."""
        provider = self._provider(self._spec(request.type))
        olds, news = plain_map(request.old_inputs), plain_map(request.new_inputs)
        result = await self._run(provider.check, olds, news)
        failures = [
            CheckFailure(schema_name(failure.property), language_neutral(failure.reason))
            for failure in result.failures or ()
        ]
        return CheckResponse(inputs=property_map(result.inputs), failures=failures)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        """The dynamic provider's ``diff`` (old state against new inputs)."""
        provider = self._provider(self._spec(request.type))
        olds, news = plain_map(request.old_state), plain_map(request.new_inputs)
        result = await self._run(provider.diff, request.resource_id, olds, news)
        replaces = [schema_name(name) for name in result.replaces or ()]
        changed = _changed(olds, news) if result.changes else []
        diffs = sorted({*replaces, *changed})
        detailed = {
            name: PropertyDiff(
                PropertyDiffKind.UPDATE_REPLACE if name in replaces else PropertyDiffKind.UPDATE,
                input_diff=True,
            )
            for name in diffs
        }
        return DiffResponse(
            changes=result.changes,
            replaces=replaces,
            stables=[schema_name(name) for name in result.stables or ()],
            delete_before_replace=bool(result.delete_before_replace),
            diffs=diffs,
            detailed_diff=detailed,
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        """The dynamic provider's ``create``."""
        provider = self._provider(self._spec(request.type))
        result = await self._run(provider.create, plain_map(request.properties))
        return CreateResponse(resource_id=str(result.id), properties=property_map(result.outs))

    async def read(self, request: ReadRequest) -> ReadResponse:
        """The dynamic provider's ``read``: a refresh sends the state, a ``.get()`` its inputs,
        ``pulumi import`` only the ID."""
        provider = self._provider(self._spec(request.type))
        props = plain_map(request.properties) or plain_map(request.inputs)
        result = await self._run(provider.read, request.resource_id, props)
        if not result.id:
            return ReadResponse(resource_id="")
        # No inputs from the provider means "as in the state" (a refresh without drift); the
        # SDK's server sends None as an empty map, which the engine would store as the inputs.
        inputs = property_map(result.inputs) if result.inputs is not None else request.inputs
        return ReadResponse(
            resource_id=str(result.id), properties=property_map(result.outs), inputs=inputs
        )

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        """The dynamic provider's ``update`` (old state, new inputs)."""
        provider = self._provider(self._spec(request.type))
        olds, news = plain_map(request.olds), plain_map(request.news)
        result = await self._run(provider.update, request.resource_id, olds, news)
        return UpdateResponse(properties=property_map(result.outs))

    async def delete(self, request: DeleteRequest) -> None:
        """The dynamic provider's ``delete`` (the state's outputs)."""
        provider = self._provider(self._spec(request.type))
        await self._run(provider.delete, request.resource_id, plain_map(request.properties))

    # -- functions --------------------------------------------------------------------------

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        """``getContactList`` / ``getContactLists``: the lookups of ``pulumi_avosms``, with
        this provider's settings. A lookup that finds nothing fails with its message."""
        if request.tok not in {function.token for function in FUNCTIONS}:
            raise AvoSMSError(message("unknown function {token}", token=request.tok))
        args = plain_map(request.args)
        try:
            result = await self._run(self._look_up, request.tok, args)
        except (ContactListLookupError, ValidationError, ConfigurationError) as err:
            return InvokeResponse(failures=[CheckFailure("", language_neutral(str(err)))])
        return InvokeResponse(return_value=property_map(result))

    def _look_up(self, token: str, args: dict[str, Any]) -> dict[str, Any]:
        from pulumi.runtime.config import set_all_config

        from ..contact_list_rules import outputs_of
        from ..lookups import get_contact_list, get_contact_lists

        # The lookups read the settings as a program does (pulumi.Config("avosms")); in this
        # worker thread, that config is this provider's.
        set_all_config(
            {
                key: value if isinstance(value, str) else json.dumps(value)
                for key, value in self._config.items()
            },
            [],
        )
        account = args.get("account")
        if token == GET_CONTACT_LIST.token:
            return outputs_of(
                get_contact_list(
                    name=args.get("name"), list_id=args.get("list_id"), account=account
                )
            )
        return {"lists": [outputs_of(info) for info in get_contact_lists(account)]}


def _changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """The inputs whose value differs from the state's same-named output (schema names), for
    the engine's display; which change replaces is the provider's answer."""
    return [schema_name(key) for key, value in news.items() if olds.get(key) != value]
