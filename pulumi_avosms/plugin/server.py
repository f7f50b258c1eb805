"""Serve :class:`~.provider.AvoSMSPlugin` over gRPC, reporting this package's errors kindly.

``pulumi.provider.experimental.server.main`` would serve it too, but its servicer turns every
exception into ``Exception(message + Python stack)``, which gRPC reports as ``Unexpected <class
'Exception'>: ...`` followed by the stack: what a TypeScript or YAML user would read for a
refused name or an unreachable AvoSMS. Here an error of this package reaches the engine as its
message alone, spelled for any language (:func:`~.fields.language_neutral`); anything else
(a bug) keeps the SDK's report with its stack. The serving itself is the SDK's ``main``, line
for line (API identical from pulumi 3.268 to 3.272, tested on both).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from pulumi.provider.experimental.provider import Provider
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc

from ..errors import AvoSMSError
from .fields import language_neutral

#: The calls whose failures a user reads: every one the engine makes of a resource,
#: a function or the provider's configuration.
REPORTED_CALLS = (
    "CheckConfig",
    "Configure",
    "Check",
    "Diff",
    "Create",
    "Read",
    "Update",
    "Delete",
    "Invoke",
)

_Call = Callable[[Any, Any, Any], Awaitable[Any]]


def package_error(error: BaseException) -> AvoSMSError | None:
    """The error of this package that ``error`` reports (the SDK re-raises each one as a plain
    ``Exception`` while handling it), or ``None``."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, AvoSMSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _reported(call: _Call) -> _Call:
    async def reported(self: Any, request: Any, context: Any) -> Any:
        try:
            return await call(self, request, context)
        except Exception as err:
            error = package_error(err)
            if error is None:
                raise
            await context.abort(grpc.StatusCode.UNKNOWN, language_neutral(str(error)))

    return reported


class KindServicer(ProviderServicer):
    """The SDK's servicer, with this package's errors reported as their message alone."""


for _name in REPORTED_CALLS:
    setattr(KindServicer, _name, _reported(getattr(ProviderServicer, _name)))


def serve(args: list[str], version: str, provider: Provider) -> None:
    """Serve ``provider`` on a free local port (printed first on stdout) until stopped."""
    parser = argparse.ArgumentParser(description="Pulumi provider plugin (gRPC server)")
    parser.add_argument("engine", help="Pulumi engine address")
    parser.add_argument("--logflow", action="store_true", help="Currently ignored")
    parser.add_argument("--logtostderr", action="store_true", help="Currently ignored")
    engine_address: str = parser.parse_known_args(args)[0].engine

    async def run() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        servicer = KindServicer(args, version, provider, engine_address=engine_address)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in a terminal: stop quietly
        asyncio.run(run())
