"""The floor of a ContactListMembers step: a dynamic provider that does nothing.

Its methods return what they are given (``check`` the new inputs, ``read`` and ``update``
the outputs in the state, ``diff`` no work), so what a step costs it is the plugin's own:
the Pulumi SDK's gRPC and (de)serialisation of the same properties, on the same plugin,
fed the same inputs. ``benchmarks.members`` measures each step of ``ContactListMembers``
against this floor. It stays importable as ``benchmarks.floor_provider`` because its class
is stored by reference in the resource's ``__provider``.
"""

from __future__ import annotations

from typing import Any

from pulumi import ResourceOptions
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)


class FloorProvider(ResourceProvider):
    """Answers every step without looking at the members."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        # The answer the measured step gives is not this provider's work: "maybe changed".
        return DiffResult(changes=None)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(props.get("list_id", "floor")), {})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def update(self, _id: str, olds: dict[str, Any], _news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(olds)


class FloorMembers(Resource):
    """A resource with ContactListMembers's inputs, managed by :class:`FloorProvider`."""

    def __init__(
        self, name: str, props: dict[str, Any], opts: ResourceOptions | None = None
    ) -> None:
        super().__init__(FloorProvider(), name, props, opts)
