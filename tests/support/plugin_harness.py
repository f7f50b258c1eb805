"""Drive the ``avosms`` provider plugin the way the Pulumi engine does (beside ``harness.py``).

:class:`ProviderPlugin` starts the plugin as the Python language host's ``RunPlugin`` does
(``sdk/python/cmd/pulumi-language-python/main.go``): ``python <plugin directory> <engine
address>``, the working directory being the program's, the first stdout line the port. The
plugin directory is ``examples/avosms-plugin``, the one docs/plugin.md has users create; the
interpreter is this test environment's, where ``pulumi-avosms`` is installed (the language
host would use the directory's ``venv``). The gRPC helpers are those of
:class:`~tests.support.harness.PluginProcess`, plus the calls only a real provider gets:
``CheckConfig``, ``Invoke``, ``GetSchema``.

Engine facts reproduced (``sdk/go/common/resource/plugin/provider_plugin.go``): a provider of
package ``avosms`` is configured with its own config keys only, ``variables`` spelled
``avosms:config:<name>`` and ``args`` keyed ``<name>`` with secrets kept as secrets;
``CheckConfig`` comes first, with the same ``args`` as ``news``. Like the dynamic plugin, this one
answers ``acceptSecrets=False`` and no ``supportsPreview``, so :class:`~tests.support.harness.Stack`
drives both the same way.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi.runtime.proto import provider_pb2

from tests.support import harness as h

PACKAGE = "avosms"
#: The plugin directory a user creates (PulumiPlugin.yaml, __main__.py, requirements.txt).
PLUGIN_DIR = h.REPO_ROOT / "examples" / "avosms-plugin"
#: What RunPlugin passes first: the engine's address. The plugin dials it only to serve
#: Construct and Call (component resources), which it has none of.
ENGINE_ADDRESS = "127.0.0.1:1"


def provider_config_name(key: str) -> str:
    """``avosms:apiKey`` -> ``apiKey``: a stack config key as the provider's own key."""
    package, _, name = key.partition(":")
    assert package == PACKAGE, key
    return name


#: How gRPC reports an exception a servicer did not handle (the SDK's servicer re-raises
#: every one as ``Exception(f"{error}:\n{stack}")``): what the plugin sends for a bug.
_UNHANDLED = re.compile(r"\AUnexpected <class '[^']+'>: ")


def package_error_message(err: h.PluginError) -> str | None:
    """The message with which the ``avosms`` plugin failed a call, when it is an error of the
    package (:mod:`pulumi_avosms.plugin.server` sends those as their message alone), or None
    when the plugin failed otherwise (a crash, reported by gRPC with the Python stack)."""
    return None if _UNHANDLED.match(err.details) else err.details


class ProviderPlugin(h.PluginProcess):
    """The ``avosms`` plugin in a subprocess, started as RunPlugin starts it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("unset_prefixes", ["AVOSMS_"])
        super().__init__(args=[str(PLUGIN_DIR), ENGINE_ADDRESS], **kwargs)

    def configure(
        self, config: Mapping[str, Any], secret_keys: Iterable[str] = ()
    ) -> provider_pb2.ConfigureResponse:
        """CheckConfig then Configure, as the engine does for a default provider whose stack
        config is ``config`` (``{"avosms:apiKey": ...}``; keys in ``secret_keys`` are secrets).
        A failed CheckConfig raises :class:`~tests.support.harness.CheckFailedError`."""
        secret_set = set(secret_keys)
        args = {
            provider_config_name(key): (h.secret(value) if key in secret_set else value)
            for key, value in config.items()
        }
        checked, failures = self.check_config(args)
        if failures:
            raise h.CheckFailedError("default provider", failures)
        variables = {
            f"{PACKAGE}:config:{name}": value if isinstance(value, str) else json.dumps(value)
            for name, value in h.strip_secrets(checked).items()
        }
        return self.send_configure(variables, checked)

    def check_config(
        self, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """CheckConfig: (checked provider inputs, [(property, reason), ...]). Secrets travel
        as secrets (the engine has not configured the plugin yet)."""
        resp = self._call(
            "CheckConfig",
            provider_pb2.CheckRequest(
                urn=h.urn(f"pulumi:providers:{PACKAGE}", "default"),
                name="default",
                type=f"pulumi:providers:{PACKAGE}",
                olds=h.to_struct(dict(olds or {})),
                news=h.to_struct(dict(news)),
                randomSeed=os.urandom(32),
            ),
        )
        return h.from_struct(resp.inputs), [(f.property, f.reason) for f in resp.failures]

    def invoke(
        self, token: str, args: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Invoke a function: (its result, [(property, reason), ...])."""
        resp = self._call("Invoke", provider_pb2.InvokeRequest(tok=token, args=self._wire(args)))
        result = getattr(resp, "return")
        return h.from_struct(result), [(f.property, f.reason) for f in resp.failures]

    def get_schema(self) -> dict[str, Any]:
        """GetSchema (version 0), parsed."""
        resp = self._call("GetSchema", provider_pb2.GetSchemaRequest(version=0))
        return json.loads(resp.schema)  # type: ignore[no-any-return]
