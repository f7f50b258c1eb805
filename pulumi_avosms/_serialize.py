"""A ``pulumi.dynamic.Resource`` that leaves :mod:`pickle` as it found it.

Pulumi's ``serialize_provider`` (``pulumi/dynamic/dynamic.py``, unfixed as of pulumi 3.272.0)
makes dill's output deterministic by wrapping ``pickle._Pickler._batch_setitems`` in a
function that sorts the items and calls the previous one, and replacing
``pickle._Pickler.save_dict``; it never puts them back. Every dynamic resource of a program
therefore adds one wrapper, and one stack frame to every dict pickled after it: about 1,000
resources and the next one fails with ``RecursionError`` (and each pickled dict is sorted
once per resource declared so far).

:class:`DynamicResource` restores both attributes (and ``pickle.Pickler``) after the
provider is serialised. Inside the call the wrapper chain is the one found on entry plus
Pulumi's own single wrapper, so what is pickled, and the ``__provider`` value, are unchanged.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterator
from typing import Any, TypeVar

import pulumi
from pulumi.dynamic import Resource, ResourceProvider

__all__ = ["DynamicResource", "pickler_restored"]

#: The attributes of ``pickle._Pickler`` that ``serialize_provider`` replaces.
_PATCHED = ("_batch_setitems", "save_dict")
_ABSENT = object()
_R = TypeVar("_R", bound="DynamicResource")


@contextlib.contextmanager
def pickler_restored() -> Iterator[None]:
    """Undo, on exit, what ``serialize_provider`` changes in :mod:`pickle` during the block."""
    stock = pickle._Pickler
    saved = {name: vars(stock).get(name, _ABSENT) for name in _PATCHED}
    pickler = pickle.Pickler
    try:
        yield
    finally:
        pickle.Pickler = pickler  # type: ignore[misc]
        for name, value in saved.items():
            if value is _ABSENT:
                if name in vars(stock):
                    delattr(stock, name)
            else:
                setattr(stock, name, value)


class DynamicResource(Resource):
    """Base of this package's resource classes: ``pulumi.dynamic.Resource``, scaling past 1,000.

    Subclass it exactly like ``pulumi.dynamic.Resource`` (``module=``/``name=`` keywords give
    the type token); see the module documentation for what it works around.
    """

    def __init__(
        self,
        provider: ResourceProvider,
        name: str,
        props: pulumi.Inputs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        with pickler_restored():
            super().__init__(provider, name, props, opts)

    @classmethod
    def _reference(
        cls: type[_R],
        provider: ResourceProvider,
        resource_name: str,
        id: pulumi.Input[str],
        props: dict[str, Any],
        opts: pulumi.ResourceOptions | None,
    ) -> _R:
        """What ``get`` registers: a read of the existing object ``id``, never written to.

        The engine's read step sends ``props`` as the Read request; only ``__provider``
        (added here) matters to the plugin, the None outputs declare the attributes.
        """
        resource = cls.__new__(cls)
        DynamicResource.__init__(
            resource,
            provider,
            resource_name,
            props,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id)),
        )
        return resource
