"""Drive the real Pulumi Python dynamic-provider plugin the way the Pulumi engine does.

The Pulumi CLI is not available to the test suite, so this module stands in for the engine:

* :class:`PluginProcess` starts ``python -u -m pulumi.dynamic`` (the very plugin the CLI runs as
  ``pulumi-resource-pulumi-python``), reads the port it prints, and speaks the
  ``pulumirpc.ResourceProvider`` gRPC protocol to it with plain-dict helpers
  (:meth:`~PluginProcess.configure`, :meth:`~PluginProcess.check`, :meth:`~PluginProcess.diff`,
  :meth:`~PluginProcess.create`, :meth:`~PluginProcess.read`, :meth:`~PluginProcess.update`,
  :meth:`~PluginProcess.delete`). Its stderr is captured continuously, because the CLI shows
  that text to users.
* :class:`Stack` models the engine's step sequences over a state dict
  (``up``/``preview``/``refresh``/``destroy``/``import_``).
* :func:`program_inputs` runs a Pulumi program under ``pulumi.runtime.set_mocks`` and returns
  what each resource registered, including the exact ``__provider`` string a real program
  would send.

Engine facts this module reproduces (from ``sdk/go/common/resource/plugin/provider_plugin.go``,
``pkg/resource/deploy/{target,step,step_generator}.go`` of pulumi/pulumi):

* Dynamic providers (package ``pulumi-python``) are configured with the *whole* stack config,
  keys kept namespaced (``avosms:apiKey``); ``ConfigureRequest.variables`` spells keys
  ``pulumi-python:config:avosms:apiKey``; ``ConfigureRequest.args`` keeps secrets as secret
  values. The Python plugin answers ``acceptSecrets=False`` and no ``supportsPreview``, so from
  then on the engine strips secrets before every call and never calls Create/Update during a
  preview (it fakes their result from the inputs).
* Check: ``olds`` = prior *inputs*, ``news`` = program inputs (with ``__provider``). Diff and
  Update: ``olds`` = prior *outputs*, ``news`` = checked inputs, ``old_inputs`` = prior inputs.
  Delete: ``properties`` = outputs. A replacement re-runs Check with empty ``olds``.
* Refresh: Read(id, properties=outputs, inputs=inputs); an empty returned id means "gone".
* Import (``opts.import_`` / ``pulumi import``): Read(import id) with *no* properties and *no*
  inputs, then Check and Diff against the program's inputs.
* Read step (``Resource.get(name, id)``, in previews too): Read(id) with the registered props,
  in one of the three forms engines have sent (:data:`READ_FORMS`); no outputs back (an empty
  id) fails with ``resource '<id>' does not exist``. Such a resource is *external*: refresh
  diffs only its outputs, and removing it from the program or destroying drops it without
  Delete.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import os
import queue
import subprocess
import sys
import threading
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pulumi
from google.protobuf import empty_pb2, struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from pulumi_avosms._limits import ENGINE_MESSAGE_BYTES

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The engine's marker for "not known until another resource exists" (a plain string on the wire).
UNKNOWN: str = rpc.UNKNOWN
#: The package name of Python dynamic providers, as the engine sees it.
DYNAMIC_PACKAGE = "pulumi-python"
#: ``ContactList``'s type token (``Resource`` subclass with ``module="avosms"``).
CONTACT_LIST_TYPE = "pulumi-python:dynamic/avosms:ContactList"
PROVIDER_KEY = "__provider"
#: The engine's message limits on its channel to a plugin (400 MiB each way), not gRPC's
#: default 4 MiB: a ContactListMembers of 50,000 members is a message of ~10 MB.
ENGINE_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", ENGINE_MESSAGE_BYTES),
    ("grpc.max_send_message_length", ENGINE_MESSAGE_BYTES),
]

_DIFF_NAMES = {
    provider_pb2.DiffResponse.DIFF_UNKNOWN: "DIFF_UNKNOWN",
    provider_pb2.DiffResponse.DIFF_NONE: "DIFF_NONE",
    provider_pb2.DiffResponse.DIFF_SOME: "DIFF_SOME",
}


def urn(type_token: str, name: str, *, project: str = "test", stack: str = "dev") -> str:
    """The URN the engine gives a top-level resource, e.g.
    ``urn:pulumi:dev::test::pulumi-python:dynamic/avosms:ContactList::a``."""
    return f"urn:pulumi:{stack}::{project}::{type_token}::{name}"


def _urn_parts(urn_: str) -> tuple[str, str]:
    # "urn:pulumi:<stack>::<project>::<type>::<name>"; the name may itself contain "::".
    parts = urn_.split("::")
    return parts[2], "::".join(parts[3:])


# --------------------------------------------------------------------------------------------
# Values: secrets and unknowns the way the engine handles them
# --------------------------------------------------------------------------------------------


def secret(value: Any) -> dict[str, Any]:
    """Mark ``value`` as a secret, in the wire form the SDK and the engine use."""
    return rpc.wrap_rpc_secret(value)  # type: ignore[no-any-return]


def is_secret(value: Any) -> bool:
    """Whether ``value`` is a secret-marked value (see :func:`secret`)."""
    return rpc.is_rpc_secret(value)


def strip_secrets(value: Any) -> Any:
    """``value`` with every secret mark removed, recursively: what the engine sends a provider
    that answered ``acceptSecrets=False`` (the Python dynamic plugin does)."""
    if rpc.is_rpc_secret(value):
        return strip_secrets(rpc.unwrap_rpc_secret(value))
    if isinstance(value, Mapping):
        return {k: strip_secrets(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strip_secrets(v) for v in value]
    return value


def contains_secrets(value: Any) -> bool:
    """Whether a secret mark appears anywhere in ``value``."""
    if rpc.is_rpc_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_secrets(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_secrets(v) for v in value)
    return False


def mark_secret_outputs(outs: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """Mark the outputs named by the ``additional_secret_outputs`` option secret (in place;
    returned too), as the engine does after every Create, Update and Read of the resource."""
    for key in names:
        if key in outs and not is_secret(outs[key]):
            outs[key] = secret(outs[key])
    return outs


def annotate_secrets(outs: dict[str, Any], ins: Mapping[str, Any]) -> dict[str, Any]:
    """Copy secretness from ``ins`` to same-named keys of ``outs`` (in place; returned too).

    This is the engine's ``annotateSecrets``: a provider that cannot take secrets gets plain
    values, so the engine re-marks results by property name. Objects are followed key by key;
    anything else is marked whole.
    """
    for key, in_value in ins.items():
        if key not in outs:
            continue
        out_value = outs[key]
        if (
            isinstance(out_value, dict)
            and not is_secret(out_value)
            and isinstance(in_value, Mapping)
            and not is_secret(in_value)
        ):
            annotate_secrets(out_value, in_value)
        elif not is_secret(out_value) and contains_secrets(in_value):
            outs[key] = secret(out_value)
    return outs


def _normalize(value: Any) -> Any:
    # deserialize_properties(keep_unknowns=True) yields pulumi.output.Unknown objects; tests
    # compare against the wire sentinel string instead.
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    return value


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Serialise a property dict the way the SDK does (``rpc.serialize_properties``).

    Runs on a fresh event loop, as the plugin itself does, so it works from plain test code.
    ``UNKNOWN`` strings and secret marks travel as-is, which is the engine's wire format.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """Deserialise a Struct into plain Python, keeping unknowns (as ``UNKNOWN``) and secret
    marks. Numbers come back as floats, as they do for a provider (protobuf has only doubles).
    """
    return _normalize(rpc.deserialize_properties(struct, keep_unknowns=True))  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class PluginStartError(RuntimeError):
    """The plugin process died or never printed its port; the message includes its stderr."""


#: How an engine's read step (``ReadStep.Apply``, ``pkg/resource/deploy/step.go``) sends the
#: props a ``Resource.get`` registered, newest first, as the gRPC ReadRequest the plugin gets:
#:
#: * ``inputs-only``: ``plugin.ReadRequest{Inputs: s.new.Inputs, State: nil}`` ("only refresh
#:   will send non-nil state"): properties empty, inputs = props. The engine change that
#:   pulumi 3.268.0's plugin answers (it then reads the props from ``request.inputs``; before,
#:   ``KeyError: '__provider'``), hence the package's floor; the sources read do not name the
#:   first CLI release that has it.
#: * ``double-send``: ``plugin.ReadRequest{Inputs: s.new.Inputs, State: s.new.Inputs}``
#:   ("this strange double send"): properties = inputs = props.
#: * ``properties-only``: ``prov.Read(urn, id, nil, s.new.Inputs)``, i.e. ``Read(urn, id,
#:   inputs, state)``, which ``provider_plugin.go`` sends as ``Properties: mstate, Inputs:
#:   minputs`` (nil): properties = props, inputs unset (engines before ``plugin.ReadRequest``).
READ_FORMS: tuple[str, ...] = ("inputs-only", "double-send", "properties-only")


class PluginError(Exception):
    """A gRPC call to the plugin failed.

    The Python plugin aborts with ``StatusCode.UNKNOWN`` and ``traceback.format_exc()`` (its
    ``_abort_with_traceback``, pulumi >= 3.260): ``details`` is the text the CLI shows the
    user. :attr:`message` is the final exception (``"module.ErrorType: what happened"``),
    :attr:`exception_message` the message alone.
    """

    def __init__(self, method: str, code: grpc.StatusCode, details: str) -> None:
        self.method = method
        self.code = code
        self.details = details or ""
        super().__init__(f"{method} failed ({code.name}): {self.message}")

    @property
    def tracebacks(self) -> int:
        """How many traceback blocks ``details`` holds (more than one: a chain)."""
        return sum(line.startswith("Traceback (") for line in self.details.splitlines())

    @property
    def message(self) -> str:
        """The final exception of the traceback in :attr:`details` (type, colon, message,
        and any further lines of the message or notes); all of it without a traceback."""
        lines = self.details.rstrip().splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (")]
        if not starts:
            return self.details.strip()
        body = lines[starts[-1] + 1 :]
        # Frames are indented ("  File ...", source lines, "^^^^" markers); the exception
        # starts at the first line that is not.
        for i, line in enumerate(body):
            if line and not line.startswith(" "):
                return "\n".join(body[i:]).strip()
        return self.details.strip()

    @property
    def exception_type(self) -> str:
        """The (qualified) class name of the final exception, e.g. ``KeyError``; ``""``
        without a traceback in :attr:`details`."""
        if not self.tracebacks:
            return ""
        head = self.message.split("\n", 1)[0]
        name = head.split(":", 1)[0]
        return name if name and " " not in name else ""

    @property
    def exception_message(self) -> str:
        """The final exception's message without its type prefix: what the user reads."""
        msg = self.message
        prefix = self.exception_type + ":"
        return msg[len(prefix) :].strip() if self.exception_type and msg.startswith(prefix) else msg

    def raised(self, type_name: str) -> bool:
        """Whether the plugin reported the final exception as ``type_name`` (a class name,
        matched at the end of the qualified name)."""
        qualified = self.exception_type
        return qualified == type_name or qualified.endswith("." + type_name)


class EngineError(Exception):
    """An error the engine itself would report (not the provider's), e.g. a failed import."""


class CheckFailedError(EngineError):
    """Check returned failures; the engine stops with "one or more inputs failed to validate"."""

    def __init__(self, name: str, failures: list[tuple[str, str]]) -> None:
        self.name = name
        self.failures = failures
        listed = "; ".join(f"{prop}: {reason}" for prop, reason in failures)
        super().__init__(f"{name}: one or more inputs failed to validate: {listed}")


# --------------------------------------------------------------------------------------------
# The plugin process
# --------------------------------------------------------------------------------------------


@dataclass
class DiffResult:
    """A Diff answer, engine-style."""

    changes: str  # "DIFF_NONE" | "DIFF_SOME" | "DIFF_UNKNOWN"
    replaces: list[str]
    delete_before_replace: bool
    stables: list[str]
    diffs: list[str]
    raw: provider_pb2.DiffResponse

    @property
    def replace(self) -> bool:
        """Whether the engine would replace (given changes): any replace keys."""
        return bool(self.replaces)


def _reap(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=5)


class PluginProcess:
    """``python -u -m pulumi.dynamic`` in a subprocess, with an engine-like gRPC client.

    :param env: variables to set for the plugin; a value of ``None`` removes that variable.
    :param inherit_env: start from this process's environment (the CLI passes its own).
    :param unset_prefixes: remove inherited variables with these prefixes (e.g. ``"AVOSMS_"``),
        so a test sees exactly the variables it sets.
    :param pythonpath: extra ``PYTHONPATH`` entries; the repository root always comes first so
        ``pulumi_avosms`` and ``tests.*`` modules named in ``__provider`` can be imported.
    :param project: ``PULUMI_PROJECT``, which the plugin uses as the default config namespace.
    :param pulumi_config: if given, ``PULUMI_CONFIG`` JSON (what ``pulumi.Config`` reads in the
        plugin process).
    :param args: the interpreter's arguments: by default the dynamic-provider plugin;
        ``tests.support.plugin_harness`` starts the ``avosms`` plugin instead.
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str | None] | None = None,
        inherit_env: bool = True,
        unset_prefixes: Sequence[str] = (),
        cwd: str | os.PathLike[str] | None = REPO_ROOT,
        pythonpath: Sequence[str | os.PathLike[str]] = (),
        project: str = "test",
        pulumi_config: Mapping[str, str] | None = None,
        python: str = sys.executable,
        startup_timeout: float = 30.0,
        call_timeout: float = 120.0,
        args: Sequence[str] = ("-u", "-m", "pulumi.dynamic"),
    ) -> None:
        self.project = project
        self.call_timeout = call_timeout
        self.accept_secrets = False
        self.supports_preview = False
        self.configured = False
        self._closed = False
        self._stderr_chunks: list[str] = []
        self._stdout_lines: list[str] = []
        self._cond = threading.Condition()

        child_env = dict(os.environ) if inherit_env else {}
        for prefix in unset_prefixes:
            for key in [k for k in child_env if k.startswith(prefix)]:
                del child_env[key]
        paths = [str(REPO_ROOT), *(str(p) for p in pythonpath)]
        if child_env.get("PYTHONPATH"):
            paths.append(child_env["PYTHONPATH"])
        child_env["PYTHONPATH"] = os.pathsep.join(paths)
        child_env["PULUMI_PROJECT"] = project
        if pulumi_config is not None:
            child_env["PULUMI_CONFIG"] = json.dumps(dict(pulumi_config))
        for key, value in (env or {}).items():
            if value is None:
                child_env.pop(key, None)
            else:
                child_env[key] = value
        self.env = child_env

        self.proc = subprocess.Popen(
            [python, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=None if cwd is None else str(cwd),
            env=child_env,
        )
        # A plugin left running would wait forever; make sure it goes with this object or,
        # at the latest, when the test process exits.
        self._finalizer = weakref.finalize(self, _reap, self.proc)
        self._port_q: queue.Queue[str | None] = queue.Queue()
        self._stdout_thread = threading.Thread(
            target=self._pump_stdout, name="plugin-stdout", daemon=True
        )
        self._stderr_thread = threading.Thread(
            target=self._pump_stderr, name="plugin-stderr", daemon=True
        )
        self._stdout_thread.start()
        self._stderr_thread.start()

        try:
            self.port = self._wait_for_port(startup_timeout)
            self.channel = grpc.insecure_channel(
                f"127.0.0.1:{self.port}", options=ENGINE_CHANNEL_OPTIONS
            )
            grpc.channel_ready_future(self.channel).result(timeout=startup_timeout)
            self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        except BaseException:
            self.close()
            raise

    # -- process plumbing ------------------------------------------------------------------

    def _pump_stdout(self) -> None:
        # The first line is the port (the plugin writes it unflushed, hence ``-u``); anything
        # after that is the provider's own print() output, kept for tests.
        assert self.proc.stdout is not None
        first = True
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            if first:
                self._port_q.put(line)
                first = False
            else:
                with self._cond:
                    self._stdout_lines.append(line)
                    self._cond.notify_all()
        if first:
            self._port_q.put(None)  # EOF before any line: the process died.

    def _pump_stderr(self) -> None:
        # Read in small chunks, not lines, so partial output is visible as soon as it is written.
        assert self.proc.stderr is not None
        fd = self.proc.stderr.fileno()
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            with self._cond:
                self._stderr_chunks.append(chunk.decode("utf-8", "replace"))
                self._cond.notify_all()

    def _wait_for_port(self, timeout: float) -> int:
        try:
            line = self._port_q.get(timeout=timeout)
        except queue.Empty:
            raise PluginStartError(
                f"plugin printed no port within {timeout}s; stderr:\n{self.stderr_text()}"
            ) from None
        if line is None or not line.strip().isdigit():
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
            self._stderr_thread.join(timeout=5)  # collect everything it wrote before dying
            raise PluginStartError(
                f"plugin exited (code {self.proc.returncode}) before printing its port"
                f" (first stdout line: {line!r}); stderr:\n{self.stderr_text()}"
            )
        return int(line.strip())

    def stderr_text(self, since: int = 0) -> str:
        """Everything the plugin has written to stderr so far (from offset ``since``)."""
        with self._cond:
            return "".join(self._stderr_chunks)[since:]

    def stderr_offset(self) -> int:
        """The current length of captured stderr; pass it to :meth:`stderr_text` /
        :meth:`wait_for_stderr` to look only at what comes next (useful with a shared plugin)."""
        return len(self.stderr_text())

    def wait_for_stderr(self, text: str, timeout: float = 5.0, since: int = 0) -> str:
        """Wait until ``text`` appears in stderr (the reader thread may trail an RPC's reply by
        a moment); returns the captured stderr, raises ``AssertionError`` on timeout."""
        with self._cond:
            ok = self._cond.wait_for(
                lambda: text in "".join(self._stderr_chunks)[since:], timeout=timeout
            )
            captured = "".join(self._stderr_chunks)[since:]
        if not ok:
            raise AssertionError(f"{text!r} not in plugin stderr within {timeout}s:\n{captured}")
        return captured

    def stdout_text(self) -> str:
        """What the plugin printed to stdout after its port line (provider ``print()`` calls)."""
        with self._cond:
            return "".join(self._stdout_lines)

    @property
    def alive(self) -> bool:
        """Whether the plugin process is still running."""
        return self.proc.poll() is None

    def close(self) -> None:
        """Close the channel, stop the process (terminate, then kill) and join the readers."""
        if self._closed:
            return
        self._closed = True
        channel = getattr(self, "channel", None)
        if channel is not None:
            channel.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._stdout_thread.join(timeout=5)
        self._stderr_thread.join(timeout=5)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> PluginProcess:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- gRPC ------------------------------------------------------------------------------

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=self.call_timeout)
        except grpc.RpcError as exc:
            code = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNKNOWN
            details = exc.details() if hasattr(exc, "details") else str(exc)
            raise PluginError(method, code, details or "") from None

    def _wire(self, props: Mapping[str, Any] | None) -> struct_pb2.Struct:
        # The engine marshals with KeepSecrets=acceptSecrets: secrets are stripped for this plugin.
        props = dict(props or {})
        return to_struct(props if self.accept_secrets else strip_secrets(props))

    def get_plugin_info(self) -> str:
        """The plugin's version string."""
        return str(self._call("GetPluginInfo", empty_pb2.Empty()).version)

    def configure(
        self, config: Mapping[str, Any], secret_keys: Iterable[str] = ()
    ) -> provider_pb2.ConfigureResponse:
        """Configure the plugin as the engine configures a dynamic provider.

        ``config`` is the stack config with namespaced keys (``{"avosms:apiKey": "..."}``);
        keys in ``secret_keys`` travel as secrets in ``args`` (the plugin unwraps them).
        Note the plugin only *stores* the config: each provider's ``configure`` runs lazily,
        once per plugin process and ``__provider`` string, on the first call that needs it.
        """
        secret_set = set(secret_keys)
        variables = {}
        for key, value in config.items():
            text = value if isinstance(value, str) else json.dumps(strip_secrets(value))
            variables[f"{DYNAMIC_PACKAGE}:config:{key}"] = text
        args = {k: (secret(v) if k in secret_set else v) for k, v in config.items()}
        return self.send_configure(variables, args)

    def send_configure(
        self, variables: Mapping[str, str], args: Mapping[str, Any]
    ) -> provider_pb2.ConfigureResponse:
        """The Configure request as the engine sends it (``args`` keep their secret marks);
        records what the plugin answers about secrets and previews."""
        resp = self._call(
            "Configure",
            provider_pb2.ConfigureRequest(
                variables=dict(variables),
                args=to_struct(args),
                acceptSecrets=True,
                acceptResources=True,
                sends_old_inputs=True,
                sends_old_inputs_to_delete=True,
            ),
        )
        self.accept_secrets = bool(resp.acceptSecrets)
        self.supports_preview = bool(resp.supportsPreview)
        self.configured = True
        return resp

    def check(
        self, urn_: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Check: returns (checked inputs, [(property, reason), ...])."""
        typ, name = _urn_parts(urn_)
        resp = self._call(
            "Check",
            provider_pb2.CheckRequest(
                urn=urn_,
                name=name,
                type=typ,
                olds=self._wire(olds),
                news=self._wire(news),
                randomSeed=os.urandom(32),
            ),
        )
        failures = [(f.property, f.reason) for f in resp.failures]
        return from_struct(resp.inputs), failures

    def diff(
        self,
        id_: str,
        urn_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
        ignore_changes: Sequence[str] = (),
    ) -> DiffResult:
        """Diff: ``olds`` are prior outputs, ``news`` checked inputs, ``old_inputs`` the prior
        inputs."""
        typ, name = _urn_parts(urn_)
        resp = self._call(
            "Diff",
            provider_pb2.DiffRequest(
                id=id_,
                urn=urn_,
                name=name,
                type=typ,
                olds=self._wire(olds),
                news=self._wire(news),
                old_inputs=self._wire(old_inputs),
                ignoreChanges=list(ignore_changes),
            ),
        )
        return DiffResult(
            changes=_DIFF_NAMES.get(resp.changes, str(resp.changes)),
            replaces=list(resp.replaces),
            delete_before_replace=bool(resp.deleteBeforeReplace),
            stables=list(resp.stables),
            diffs=list(resp.diffs),
            raw=resp,
        )

    def create(
        self, urn_: str, props: Mapping[str, Any], preview: bool = False, timeout: float = 0.0
    ) -> tuple[str, dict[str, Any]]:
        """Create: returns (id, outputs). (The engine never sends ``preview=True`` to this
        plugin, since it does not declare ``supportsPreview``; the flag is here to probe that.)"""
        typ, name = _urn_parts(urn_)
        resp = self._call(
            "Create",
            provider_pb2.CreateRequest(
                urn=urn_,
                name=name,
                type=typ,
                properties=self._wire(props),
                preview=preview,
                timeout=timeout,
            ),
        )
        return resp.id, from_struct(resp.properties)

    def read(
        self,
        id_: str,
        urn_: str,
        properties: Mapping[str, Any] | None = None,
        inputs: Mapping[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        """Read: returns (id, outputs, inputs or None when the provider gave none).

        Refresh passes state outputs as ``properties`` and state inputs as ``inputs``; import
        passes neither (``properties`` is then an empty Struct and ``inputs`` unset, as from
        the engine).
        """
        typ, name = _urn_parts(urn_)
        request = provider_pb2.ReadRequest(
            id=id_, urn=urn_, name=name, type=typ, properties=self._wire(properties)
        )
        if inputs is not None:
            request.inputs.CopyFrom(self._wire(inputs))
        resp = self._call("Read", request)
        new_inputs = from_struct(resp.inputs) if resp.HasField("inputs") else None
        return resp.id, from_struct(resp.properties), new_inputs

    def update(
        self,
        id_: str,
        urn_: str,
        olds: Mapping[str, Any],
        news: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
        preview: bool = False,
        timeout: float = 0.0,
    ) -> dict[str, Any]:
        """Update: ``olds`` are prior outputs, ``news`` checked inputs; returns new outputs."""
        typ, name = _urn_parts(urn_)
        resp = self._call(
            "Update",
            provider_pb2.UpdateRequest(
                id=id_,
                urn=urn_,
                name=name,
                type=typ,
                olds=self._wire(olds),
                news=self._wire(news),
                old_inputs=self._wire(old_inputs),
                preview=preview,
                timeout=timeout,
            ),
        )
        return from_struct(resp.properties)

    def delete(
        self,
        id_: str,
        urn_: str,
        props: Mapping[str, Any],
        old_inputs: Mapping[str, Any] | None = None,
        timeout: float = 0.0,
    ) -> None:
        """Delete: ``props`` are the state outputs."""
        typ, name = _urn_parts(urn_)
        self._call(
            "Delete",
            provider_pb2.DeleteRequest(
                id=id_,
                urn=urn_,
                name=name,
                type=typ,
                properties=self._wire(props),
                old_inputs=self._wire(old_inputs),
                timeout=timeout,
            ),
        )

    def cancel(self) -> None:
        """Cancel (the engine sends it on Ctrl-C); the plugin ignores it."""
        self._call("Cancel", empty_pb2.Empty())


# --------------------------------------------------------------------------------------------
# The engine's step sequences
# --------------------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a deployment did.

    ``ops`` maps resource name to the step the engine would display: ``create``, ``same``,
    ``update``, ``replace``, ``delete``, ``import``, ``read`` (a ``.get()`` resource),
    ``refresh`` (read, unchanged per the refresh diff) or ``refresh-update`` (read, drifted).
    ``calls`` lists every RPC in order as ``(method, resource name)``.
    """

    ops: dict[str, str] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    diffs: dict[str, DiffResult] = field(default_factory=dict)
    checked: dict[str, dict[str, Any]] = field(default_factory=dict)


def _changes(diff: DiffResult, old_inputs: Mapping[str, Any], new_inputs: Mapping[str, Any]) -> str:
    """DIFF_NONE or DIFF_SOME as the engine decides: for DIFF_UNKNOWN it falls back to
    comparing old and new inputs itself (modelled simply: any difference is a change)."""
    if diff.changes != "DIFF_UNKNOWN":
        return diff.changes
    same = strip_secrets(old_inputs) == strip_secrets(new_inputs)
    return "DIFF_NONE" if same else "DIFF_SOME"


def _entry(value: Mapping[str, Any], default_type: str) -> tuple[str, dict[str, Any], dict]:
    # Accept plain inputs ({"__provider": ..., ...}) or a program_inputs() entry
    # ({"type": ..., "inputs": {...}, "secret_keys": [...], ...}); returns (type, engine-view
    # inputs with secret marks, entry metadata).
    if PROVIDER_KEY not in value and "inputs" in value and "type" in value:
        inputs = dict(value["inputs"])
        for key in value.get("secret_keys", ()):
            if key in inputs and not is_secret(inputs[key]):
                inputs[key] = secret(inputs[key])
        return str(value["type"]), inputs, dict(value)
    return default_type, dict(value), {}


class Stack:
    """The engine's view of one stack: a state dict and the RPC sequences of each command.

    ``state`` is ``{urn: {"id", "inputs", "outputs", "type"}}`` as the engine would save it,
    secret values marked (see :func:`secret`); :meth:`outputs` / :meth:`inputs` give them
    plain. Resources passed to :meth:`up` / :meth:`preview` are ``{name: inputs}`` (type
    ``default_type``) or ``{name: program_inputs()[name]}``.

    If the plugin has not been configured yet, the first command configures it with
    ``config`` / ``secret_keys``, as the engine always configures a provider before using it.
    """

    def __init__(
        self,
        plugin: PluginProcess,
        *,
        project: str = "test",
        stack: str = "dev",
        default_type: str = CONTACT_LIST_TYPE,
        config: Mapping[str, Any] | None = None,
        secret_keys: Iterable[str] = (),
    ) -> None:
        self.plugin = plugin
        self.project = project
        self.stack = stack
        self.default_type = default_type
        self.config = dict(config or {})
        self.secret_keys = list(secret_keys)
        self.state: dict[str, dict[str, Any]] = {}
        self.last_summary: Summary | None = None

    # -- state access ----------------------------------------------------------------------

    def urn(self, name: str, type_token: str | None = None) -> str:
        """The URN of resource ``name`` (of ``type_token``, or of what state/default says)."""
        if type_token is None:
            for key in self.state:
                if _urn_parts(key)[1] == name:
                    return key
            type_token = self.default_type
        return urn(type_token, name, project=self.project, stack=self.stack)

    def _name(self, urn_: str) -> str:
        return _urn_parts(urn_)[1]

    def resource(self, name: str) -> dict[str, Any]:
        """The raw state entry of ``name`` (secret marks kept)."""
        return self.state[self.urn(name)]

    def id(self, name: str) -> str:
        """The stored id of ``name``."""
        return str(self.resource(name)["id"])

    def outputs(self, name: str) -> dict[str, Any]:
        """The stored outputs of ``name``, secret marks removed."""
        return strip_secrets(self.resource(name)["outputs"])  # type: ignore[no-any-return]

    def inputs(self, name: str) -> dict[str, Any]:
        """The stored inputs of ``name``, secret marks removed."""
        return strip_secrets(self.resource(name)["inputs"])  # type: ignore[no-any-return]

    def names(self) -> list[str]:
        """Resource names in state, in creation order."""
        return [self._name(u) for u in self.state]

    def _ensure_configured(self) -> None:
        if not self.plugin.configured:
            self.plugin.configure(self.config, self.secret_keys)

    # -- commands --------------------------------------------------------------------------

    def up(self, resources: Mapping[str, Mapping[str, Any]]) -> Summary:
        """``pulumi up``: Check → Diff → Create/Update/Replace per resource, then deletes.

        Replacements are create-before-delete unless Diff (or the program's
        ``delete_before_replace`` option) says otherwise; the replaced objects are deleted at
        the end of the deployment, after every create and update, as the engine does. Removed
        resources are deleted last, newest first. Entries with an ``import_id`` that are not
        yet in state go through :meth:`import_`'s steps. Errors propagate (a
        :class:`PluginError` or :class:`EngineError`); state keeps what completed, and
        :attr:`last_summary` what happened.
        """
        return self._deploy(resources, preview=False)

    def preview(self, resources: Mapping[str, Mapping[str, Any]]) -> Summary:
        """``pulumi preview``: Check and Diff only. The engine calls no Create/Update for this
        plugin during a preview (it lacks ``supportsPreview``); state is not changed."""
        return self._deploy(resources, preview=True)

    def _deploy(self, resources: Mapping[str, Mapping[str, Any]], *, preview: bool) -> Summary:
        self._ensure_configured()
        summary = Summary()
        self.last_summary = summary
        plugin = self.plugin
        pending_deletes: list[tuple[str, dict[str, Any]]] = []  # (urn, old state)
        seen: set[str] = set()

        def call(method: str, name: str) -> None:
            summary.calls.append((method, name))

        for name, value in resources.items():
            typ, news, meta = _entry(value, self.default_type)
            urn_ = urn(typ, name, project=self.project, stack=self.stack)
            seen.add(urn_)
            old = self.state.get(urn_)
            options = meta.get("options") or {}
            secret_outputs = list(options.get("additional_secret_outputs") or ())

            if meta.get("read_id") is not None:
                # The read step reads during a preview too, and on every deployment.
                self._read_step(name, typ, str(meta["read_id"]), news, summary, store=not preview)
                continue

            imported = False
            if old is None and meta.get("import_id"):
                # The import step reads during a preview too. Since the engine's eventual-state
                # imports (pulumi/pulumi#19339, Pulumi 3.172; continueStepsFromImport in
                # pkg/resource/deploy/step_generator.go), what it read is the old state that
                # the program's inputs are then checked and diffed against, as for any
                # resource: a difference is an update (or a replacement) after the import.
                call("Read", name)
                old = self._import_step(name, typ, str(meta["import_id"]))
                if not preview:
                    self.state[urn_] = old
                imported = True

            olds_in = old["inputs"] if old else {}
            call("Check", name)
            checked, failures = plugin.check(urn_, olds_in, news)
            if failures:
                raise CheckFailedError(name, failures)
            checked = annotate_secrets(checked, news)
            summary.checked[name] = checked

            if old is None:
                summary.ops[name] = "create"
                if preview:
                    continue
                call("Create", name)
                id_, outs = plugin.create(urn_, checked)
                self.state[urn_] = {
                    "id": id_,
                    "inputs": checked,
                    "outputs": mark_secret_outputs(annotate_secrets(outs, checked), secret_outputs),
                    "secret_outputs": secret_outputs,
                    "type": typ,
                }
                continue

            call("Diff", name)
            diff = plugin.diff(old["id"], urn_, old["outputs"], checked, old["inputs"])
            summary.diffs[name] = diff
            if _changes(diff, old["inputs"], checked) == "DIFF_NONE":
                summary.ops[name] = "import" if imported else "same"
                if imported and not preview:
                    # The same step after an import records the program's checked inputs.
                    self.state[urn_] = {**old, "inputs": checked}
                continue

            if not diff.replace:
                summary.ops[name] = "import, update" if imported else "update"
                if preview:
                    continue
                call("Update", name)
                outs = plugin.update(old["id"], urn_, old["outputs"], checked, old["inputs"])
                self.state[urn_] = {
                    **old,
                    "inputs": checked,
                    "outputs": mark_secret_outputs(annotate_secrets(outs, checked), secret_outputs),
                    "secret_outputs": secret_outputs,
                }
                continue

            # Replacement: the engine re-checks with no olds, since defaults carried over from
            # the old object no longer apply.
            summary.ops[name] = "import, replace" if imported else "replace"
            call("Check", name)
            checked, failures = plugin.check(urn_, {}, news)
            if failures:
                raise CheckFailedError(name, failures)
            checked = annotate_secrets(checked, news)
            summary.checked[name] = checked
            if preview:
                continue
            dbr = options.get("delete_before_replace")
            if dbr is None:
                dbr = diff.delete_before_replace
            if dbr:
                call("Delete", name)
                plugin.delete(old["id"], urn_, old["outputs"], old["inputs"])
                del self.state[urn_]
            call("Create", name)
            id_, outs = plugin.create(urn_, checked)
            self.state[urn_] = {
                "id": id_,
                "inputs": checked,
                "outputs": mark_secret_outputs(annotate_secrets(outs, checked), secret_outputs),
                "secret_outputs": secret_outputs,
                "type": typ,
            }
            if not dbr:
                pending_deletes.append((urn_, old))

        removed = [u for u in self.state if u not in seen]
        for u in removed:
            summary.ops[self._name(u)] = "delete"
        if preview:
            return summary

        for urn_, old in pending_deletes:
            call("Delete", self._name(urn_))
            plugin.delete(old["id"], urn_, old["outputs"], old["inputs"])
        for u in reversed(removed):
            old = self.state[u]
            if not old.get("external"):
                call("Delete", self._name(u))
                plugin.delete(old["id"], u, old["outputs"], old["inputs"])
            del self.state[u]
        return summary

    def refresh(self, *, diff: bool = True) -> Summary:
        """``pulumi refresh``: Read(id, properties=outputs, inputs=inputs) for every resource.

        An empty returned id drops the resource (op ``delete``). Returned inputs replace the
        stored inputs; otherwise they are kept. With ``diff`` (the engine's default since
        3.1xx), Diff(olds=new outputs, news=old inputs, old_inputs=new inputs) decides whether
        the resource is shown as drifted (``refresh-update``) or not (``refresh``).
        """
        self._ensure_configured()
        summary = Summary()
        self.last_summary = summary
        for u in list(self.state):
            old = self.state[u]
            name = self._name(u)
            summary.calls.append(("Read", name))
            new_id, outs, new_inputs = self.plugin.read(old["id"], u, old["outputs"], old["inputs"])
            if not new_id:
                summary.ops[name] = "delete"
                del self.state[u]
                continue
            inputs = (
                annotate_secrets(new_inputs, old["inputs"])
                if new_inputs is not None
                else old["inputs"]
            )
            new = {
                **old,
                "id": new_id,
                "inputs": inputs,
                "outputs": mark_secret_outputs(
                    annotate_secrets(outs, old["outputs"]), old.get("secret_outputs", ())
                ),
            }
            self.state[u] = new
            summary.ops[name] = "refresh"
            if old.get("external"):
                # The engine diffs an external resource's outputs only, without Diff.
                if strip_secrets(new["outputs"]) != strip_secrets(old["outputs"]):
                    summary.ops[name] = "refresh-update"
                continue
            if diff:
                summary.calls.append(("Diff", name))
                d = self.plugin.diff(new_id, u, new["outputs"], old["inputs"], new["inputs"])
                summary.diffs[name] = d
                # Inverted roles: the refreshed inputs play "old", the stored inputs "new".
                if _changes(d, new["inputs"], old["inputs"]) == "DIFF_SOME":
                    summary.ops[name] = "refresh-update"
        return summary

    def destroy(self) -> Summary:
        """``pulumi destroy``: Delete(id, outputs) for every resource, newest first."""
        self._ensure_configured()
        summary = Summary()
        self.last_summary = summary
        for u in reversed(list(self.state)):
            old = self.state[u]
            name = self._name(u)
            if not old.get("external"):  # a read resource is only dropped from state
                summary.calls.append(("Delete", name))
                self.plugin.delete(old["id"], u, old["outputs"], old["inputs"])
            summary.ops[name] = "delete"
            del self.state[u]
        return summary

    def read_resource(
        self,
        name: str,
        id_: str | None,
        inputs: Mapping[str, Any],
        *,
        type_token: str | None = None,
        form: str = "inputs-only",
    ) -> Summary:
        """A resource declared with ``Resource.get(name, id_)``: the engine's ReadStep.

        ``inputs`` are what the program registered (a :func:`program_inputs` entry, whose
        ``read_id`` is used when ``id_`` is None), sent in the read ``form`` of
        :data:`READ_FORMS` (by default ``inputs-only``, the newest engine's); an
        empty returned id raises ``resource '<id>' does not exist``. The resource is stored as
        external (op ``read``).
        """
        self._ensure_configured()
        summary = Summary()
        self.last_summary = summary
        typ, news, meta = _entry(inputs, type_token or self.default_type)
        read_id = id_ if id_ is not None else meta.get("read_id")
        if read_id is None:
            raise ValueError(f"{name}: no id given and the entry has no read_id")
        self._read_step(name, typ, str(read_id), news, summary, form=form)
        return summary

    def _read_step(
        self,
        name: str,
        typ: str,
        read_id: str,
        news: dict[str, Any],
        summary: Summary,
        *,
        store: bool = True,
        form: str = "inputs-only",
    ) -> None:
        if form not in READ_FORMS:
            raise ValueError(f"unknown read form {form!r}; one of {READ_FORMS}")
        urn_ = urn(typ, name, project=self.project, stack=self.stack)
        summary.calls.append(("Read", name))
        properties = None if form == "inputs-only" else news
        sent_inputs = None if form == "properties-only" else news
        new_id, outs, _inputs = self.plugin.read(read_id, urn_, properties, sent_inputs)
        if not new_id:
            raise EngineError(f"resource '{read_id}' does not exist")
        summary.ops[name] = "read"
        if store:
            # The engine keeps the registered props as inputs (Read's inputs are ignored).
            self.state[urn_] = {
                "id": new_id,
                "inputs": news,
                "outputs": annotate_secrets(outs, news),
                "type": typ,
                "external": True,
            }

    def import_(
        self,
        name: str,
        id_: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        type_token: str | None = None,
    ) -> Summary:
        """``pulumi import <type> <name> <id>``: the engine's planned ImportStep.

        Read(id) with no properties and no inputs — for a dynamic resource the plugin then has
        no ``__provider`` to unpickle, so this fails with ``KeyError: '__provider'`` — then
        Check(olds=news=the inputs read), whose failures the engine prints as warnings ("almost
        certainly a bug in the provider"; here they raise), and no Diff. ``inputs`` (an entry
        of :meth:`up`) gives the type, when it is not the stack's default. A resource option
        ``import`` goes through :meth:`up` (the import, then the program's Check and Diff).
        """
        self._ensure_configured()
        summary = Summary()
        self.last_summary = summary
        summary.calls.append(("Read", name))
        typ = _entry(inputs, self.default_type)[0] if inputs is not None else None
        typ = type_token or typ or self.default_type
        imported = self._import_step(name, typ, id_)
        urn_ = urn(typ, name, project=self.project, stack=self.stack)
        summary.calls.append(("Check", name))
        checked, failures = self.plugin.check(urn_, imported["inputs"], imported["inputs"])
        if failures:
            raise CheckFailedError(name, failures)
        summary.checked[name] = checked
        summary.ops[name] = "import"
        self.state[urn_] = imported
        return summary

    def _import_step(self, name: str, typ: str, import_id: str) -> dict[str, Any]:
        """The import step's Read (``ImportStep.Apply``): the state it records."""
        urn_ = urn(typ, name, project=self.project, stack=self.stack)
        read_id, outs, read_inputs = self.plugin.read(import_id, urn_)
        if not read_id:
            raise EngineError(f"resource '{import_id}' does not exist")
        if read_inputs is None:
            raise EngineError(
                "provider does not support importing resources; please try updating the "
                f"'{DYNAMIC_PACKAGE}' plugin"
            )
        return {"id": read_id, "inputs": read_inputs, "outputs": outs, "type": typ}


# --------------------------------------------------------------------------------------------
# Running a program under mocks
# --------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    # Engine-side values deserialised by the mock monitor -> plain Python: Unknown -> UNKNOWN.
    return _normalize(value)


class _RecordingMocks(pulumi.runtime.Mocks):
    """Echo mocks: every resource's outputs are its inputs, ids are ``<name>-id``."""

    def __init__(self, new_resource: Callable[[Any], tuple[str | None, dict]] | None) -> None:
        self._new_resource = new_resource

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if self._new_resource is not None:
            return self._new_resource(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        return {}, None


@contextlib.contextmanager
def _thread_loop() -> Iterator[None]:
    """Give a worker thread a loop for one call, then close it.

    The SDK runs monitor calls in executor threads, and the mock monitor creates a loop there
    (``_ensure_event_loop``) that nobody closes: ResourceWarnings when the threads go away.
    """
    local = getattr(asyncio.get_event_loop_policy(), "_local", None)
    if local is None or getattr(local, "_loop", None) is not None:
        yield
        return
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        asyncio.set_event_loop(None)
        loop.close()


class _RecordingMonitor(pulumi.runtime.mocks.MockMonitor):
    """A mock monitor that also records each registration's raw request: inputs exactly as
    serialised by the SDK (so ``__provider`` is the real pickled string) and the options."""

    def __init__(self, mocks: _RecordingMocks, project: str, stack: str) -> None:
        super().__init__(mocks)
        self.project = project
        self.stack = stack
        self.recorded: dict[str, dict[str, Any]] = {}

    def _record(self, request: Any, raw: dict[str, Any], urn_: str, *, read: bool) -> None:
        secret_keys = sorted(k for k, v in raw.items() if contains_secrets(v))
        if urn_.split("::")[2].startswith("pulumi:pulumi:Stack$"):
            # The mock monitor prefixes the root stack's type; the engine does not.
            urn_ = urn(request.type, request.name, project=self.project, stack=self.stack)
        entry: dict[str, Any] = {
            "type": request.type,
            "urn": urn_,
            "inputs": _plain(strip_secrets(raw)),
            "secret_keys": secret_keys,
            "provider_secret": PROVIDER_KEY in secret_keys,
            "import_id": None,
            "read_id": None,
            "options": {},
        }
        if read:
            entry["read_id"] = request.id
        else:
            entry["import_id"] = request.importId or None
            entry["options"] = {
                "protect": request.protect if request.HasField("protect") else None,
                "delete_before_replace": (
                    request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None
                ),
                "ignore_changes": list(request.ignoreChanges),
                "replace_on_changes": list(request.replaceOnChanges),
                "retain_on_delete": (
                    request.retainOnDelete if request.HasField("retainOnDelete") else None
                ),
                "additional_secret_outputs": list(request.additionalSecretOutputs),
                "parent": request.parent,
                "dependencies": list(request.dependencies),
                "provider": request.provider,
                "custom": request.custom,
            }
        self.recorded[request.name] = entry

    def RegisterResource(self, request: Any) -> Any:  # gRPC method name
        with _thread_loop():
            resp = super().RegisterResource(request)
            if request.type != "pulumi:pulumi:Stack":
                raw = rpc.deserialize_properties(request.object, keep_unknowns=True)
                self._record(request, raw, resp.urn, read=False)
        return resp

    def ReadResource(self, request: Any) -> Any:  # gRPC method name
        with _thread_loop():
            resp = super().ReadResource(request)
            raw = rpc.deserialize_properties(request.properties, keep_unknowns=True)
            self._record(request, raw, resp.urn, read=True)
        return resp

    def Invoke(self, request: Any) -> Any:  # gRPC method name
        with _thread_loop():
            return super().Invoke(request)


def program_inputs(
    program: Callable[[], Any],
    project: str = "test",
    stack: str = "dev",
    *,
    preview: bool = False,
    config: Mapping[str, str] | None = None,
    secret_config_keys: Iterable[str] = (),
    new_resource: Callable[[Any], tuple[str | None, dict]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Run a Pulumi program under mocks; return what each resource registered.

    ``{name: {"type", "urn", "inputs", "secret_keys", "provider_secret", "import_id",
    "read_id", "options"}}`` where ``inputs`` are plain values (secrets unwrapped; their keys
    listed in ``secret_keys``; ``provider_secret`` says whether ``__provider`` was one) with
    ``"__provider"`` exactly as ``pulumi.dynamic.Resource`` serialised it, and unknowns (only
    with ``preview=True``) as :data:`UNKNOWN`. ``import_id`` is ``opts.import_``; ``options``
    holds other resource options as sent to the engine. Resources read with ``.get()`` have a
    ``read_id``.

    The program runs in a copy of the current ``contextvars`` context on its own event loop
    (Pulumi keeps its runtime settings, root stack resource and config in context variables),
    so calls do not leak into each other or into the caller; it is awaited with
    ``run_pulumi_func``, which waits for every registration and output, as the language host
    does. Exceptions from the program propagate.
    """
    return contextvars.copy_context().run(
        _run_program,
        program,
        project,
        stack,
        preview,
        dict(config or {}),
        list(secret_config_keys),
        new_resource,
    )


def _run_program(
    program: Callable[[], Any],
    project: str,
    stack: str,
    preview: bool,
    config: dict[str, str],
    secret_config_keys: list[str],
    new_resource: Callable[[Any], tuple[str | None, dict]] | None,
) -> dict[str, dict[str, Any]]:
    from pulumi._utils import ContextProperty
    from pulumi.runtime import settings
    from pulumi.runtime.config import set_all_config
    from pulumi.runtime.stack import run_pulumi_func

    mocks = _RecordingMocks(new_resource)
    monitor = _RecordingMonitor(mocks, project, stack)
    # ContextProperty.fset also rewrites a property's *default* when the current value is None,
    # which would leak this run's monitor/dry_run into every other context; put them back.
    props = [p for p in vars(settings.Settings).values() if isinstance(p, ContextProperty)]
    defaults = [(p, p._ContextProperty__default) for p in props]  # type: ignore[attr-defined]
    # Remember the thread's current loop without creating one (get_event_loop() would).
    policy = asyncio.get_event_loop_policy()
    local = getattr(policy, "_local", None)
    previous_loop = getattr(local, "_loop", None)
    # Whether the thread's loop was ever set: once it is, get_event_loop() no longer makes one
    # (so a later plain set_mocks in this thread would fail); put that back too.
    previous_set_called = getattr(local, "_set_called", None)
    loop = asyncio.new_event_loop()
    # The SDK looks the loop up with get_event_loop() while constructing the root Stack.
    asyncio.set_event_loop(loop)
    try:
        # Fresh runtime state in this context: no root resource or outputs from an earlier run.
        settings.ROOT.set(None)
        settings.SETTINGS.outputs = type(settings.SETTINGS.outputs)()
        set_all_config(dict(config), secret_config_keys)
        pulumi.runtime.set_mocks(mocks, project, stack, preview=preview, monitor=monitor)
        loop.run_until_complete(run_pulumi_func(program))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(previous_loop)
        if previous_set_called is not None:
            local._set_called = previous_set_called  # type: ignore[union-attr]
        for prop, default in defaults:
            prop._ContextProperty__default = default  # type: ignore[attr-defined]
    return dict(monitor.recorded)


def provider_payload(provider_str: str) -> bytes:
    """The dill pickle inside a ``__provider`` string (base64-decoded)."""
    import base64

    return base64.b64decode(provider_str)


def new_id() -> str:
    """A random id, for tests that fabricate state."""
    return uuid.uuid4().hex
