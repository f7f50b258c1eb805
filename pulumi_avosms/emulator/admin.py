"""``/_emulator/`` routes: inspect and steer the emulator over HTTP (JSON in, JSON out).

These are NOT AvoSMS API routes. They act on an :class:`EmulatorControls` (never on the
server), so that a process without access to the Python objects (a Pulumi plugin, a shell
script, a test in another process) can do what an in-process test does. :data:`ROUTES` is
the one table of them; ``docs/emulator.md`` documents each (a test keeps the two in step).

``{phone}`` is percent-encoded (``%2B33612345678``). Contact fields use the Python names
(``civility``, ``last_name``, ``first_name``, ``email``, ``birthday``, ``other``).
Errors: ``{"error": message, "code": "ERR_1xx"}`` with 400 (bad input), 404 (unknown
list/contact/route), 409 (name or number already used). Admin calls are not counted, not
logged and never faulted.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .backend import CONTACT_FIELDS, ApiError
from .controls import EmulatorControls, RequestRecord
from .faults import check_seconds

__all__ = ["ADMIN_PREFIX", "ROUTES", "AdminError", "AdminRoute", "handle_admin", "refusal"]

ADMIN_PREFIX = "/_emulator/"

Result = tuple[int, Any]
Handler = Callable[[EmulatorControls, dict[str, Any], list[str]], Result]


class AdminError(Exception):
    """An admin request that cannot be served: HTTP ``status`` and a message."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def _fields(payload: dict[str, Any]) -> dict[str, str]:
    unknown = set(payload) - set(CONTACT_FIELDS) - {"phone_number"}
    if unknown:
        raise AdminError(400, f"unknown contact field(s) {sorted(unknown)}")
    return {k: str(v) for k, v in payload.items() if k in CONTACT_FIELDS}


def _required(payload: dict[str, Any], key: str) -> str:
    if key not in payload:
        raise AdminError(400, f"missing {key!r}")
    return str(payload[key])


def _reset(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    controls.reset()
    return 200, {"ok": True}


def _lists(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, {"lists": controls.backend.lists()}


def _get_list(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    found = controls.backend.get_list(args[0])
    if found is None:
        raise AdminError(404, f"no contact list {args[0]!r}")
    return 200, found


def _create_list(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    list_id = controls.backend.console_create_list(
        _required(payload, "name"),
        _required(payload, "country_code"),
        account=payload.get("account"),
    )
    return 201, {"list_id": list_id}


def _rename_list(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    controls.backend.console_rename_list(args[0], _required(payload, "name"))
    return 200, {"ok": True}


def _delete_list(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    controls.backend.console_delete_list(args[0])
    return 200, {"ok": True}


def _add_contact(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    phone = controls.backend.console_add_contact(
        args[0], _required(payload, "phone_number"), **_fields(payload)
    )
    return 201, {"phone_number": phone}


def _update_contact(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    phone = controls.backend.console_update_contact(args[0], args[1], **_fields(payload))
    return 200, {"phone_number": phone}


def _remove_contact(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    controls.backend.console_remove_contact(args[0], args[1])
    return 200, {"ok": True}


def _get_faults(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, {"faults": [f.to_dict() for f in controls.faults.pending()]}


def _add_fault(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    opts = dict(payload)
    kind = str(opts.pop("kind", ""))
    count = opts.pop("count", 1)
    endpoint = opts.pop("endpoint", None)
    unknown = set(opts) - {"code", "retry_after", "seconds"}
    if unknown:
        raise AdminError(400, f"fault {kind!r} takes no option(s) {sorted(unknown)}")
    try:
        fault = controls.faults.add(kind, count=count, endpoint=endpoint, **opts)
    except (ValueError, TypeError) as error:
        raise AdminError(400, str(error)) from error
    return 201, fault.to_dict()


def _clear_faults(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    controls.faults.clear()
    return 200, {"ok": True}


def _stats(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, controls.stats.snapshot()


#: What the API key is replaced with in ``GET /_emulator/requests``.
REDACTED = "***"

_QUERY_KEY = re.compile(r"(^|[&;])(key=)[^&;]*")


def _redacted(record: RequestRecord) -> dict[str, Any]:
    """``record`` as JSON, without the value of the ``key`` (API key) parameter.

    Anyone who can reach the port can read this route, so the API key is hidden — in the
    form and in the query string (where a misbehaving client might put it). The Python-side
    ``controls.request_log`` keeps it: in-process tests use it to prove where it travelled.
    """
    data = dataclasses.asdict(record)
    if "key" in data["form"]:
        data["form"]["key"] = REDACTED
    data["query"] = _QUERY_KEY.sub(rf"\g<1>\g<2>{REDACTED}", data["query"])
    return data


def _requests(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, {"requests": [_redacted(r) for r in controls.request_log.snapshot()]}


def _get_latency(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, {"seconds": controls.latency}


def _set_latency(controls: EmulatorControls, payload: dict[str, Any], args: list[str]) -> Result:
    if "seconds" not in payload:
        raise AdminError(400, "missing 'seconds'")
    try:
        seconds = check_seconds(payload["seconds"], "seconds")
    except ValueError as error:
        raise AdminError(400, str(error)) from error
    controls.latency = seconds
    return 200, {"seconds": seconds}


_SEG = r"([^/]+)"


@dataclass(frozen=True)
class AdminRoute:
    """One admin route: ``method`` and ``path`` (below ``/_emulator/``, ``{x}`` a segment)."""

    method: str
    path: str
    handler: Handler
    summary: str

    @property
    def pattern(self) -> re.Pattern[str]:
        """The path as a regex; each ``{x}`` is one percent-encoded segment."""
        return re.compile(re.sub(r"\{[a-z_]+\}", _SEG, self.path))


#: Every admin route, once: the dispatcher matches them in this order.
ROUTES: tuple[AdminRoute, ...] = (
    AdminRoute("POST", "reset", _reset, "forget data, faults, counters, log, latency"),
    AdminRoute("GET", "lists", _lists, "every list with its contacts"),
    AdminRoute("POST", "lists", _create_list, 'create a list: {"name", "country_code"}'),
    AdminRoute("GET", "lists/{id}", _get_list, "one list with its contacts (404 if none)"),
    AdminRoute("POST", "lists/{id}/rename", _rename_list, 'rename a list: {"name"}'),
    AdminRoute("POST", "lists/{id}/delete", _delete_list, "delete a list and its contacts"),
    AdminRoute("DELETE", "lists/{id}", _delete_list, "delete a list and its contacts"),
    AdminRoute("POST", "lists/{id}/contacts", _add_contact, "add a contact: {phone_number,…}"),
    AdminRoute(
        "POST", "lists/{id}/contacts/{phone}/update", _update_contact, "change contact fields"
    ),
    AdminRoute("POST", "lists/{id}/contacts/{phone}/remove", _remove_contact, "remove a contact"),
    AdminRoute("DELETE", "lists/{id}/contacts/{phone}", _remove_contact, "remove a contact"),
    AdminRoute("GET", "faults", _get_faults, "faults not yet used up"),
    AdminRoute("POST", "faults", _add_fault, 'queue a fault: {"kind", "count", "endpoint", …}'),
    AdminRoute("DELETE", "faults", _clear_faults, "drop every queued fault"),
    AdminRoute("GET", "stats", _stats, "traffic counters"),
    AdminRoute("GET", "requests", _requests, "the request log, API key hidden"),
    AdminRoute("GET", "latency", _get_latency, "seconds waited before every API call"),
    AdminRoute("POST", "latency", _set_latency, 'set that wait: {"seconds"}'),
)

_COMPILED = [(route, route.pattern) for route in ROUTES]


def refusal(
    method: str, headers: Mapping[str, str], hosts: frozenset[str], origins: frozenset[str]
) -> Result | None:
    """Why an admin request is refused (status, reply), or None to serve it.

    A web page in the user's browser can send requests to this port: a rebound DNS name
    (wrong ``Host``), a cross-site fetch (``Origin``, ``Sec-Fetch-Site``) or a plain form
    post (not JSON; JSON needs a CORS preflight this server never grants) are refused.
    ``headers`` has lower-case names.
    """
    host = (headers.get("host") or "").strip().lower()
    if host not in hosts:
        return 403, {"error": f"admin routes answer Host {sorted(hosts)} only, not {host!r}"}
    origin = headers.get("origin")
    if origin is not None and origin.strip().lower() not in origins:
        return 403, {"error": "admin routes refuse cross-origin requests"}
    if (headers.get("sec-fetch-site") or "none").lower() not in ("none", "same-origin"):
        return 403, {"error": "admin routes refuse cross-site requests"}
    media_type = (headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if method not in ("GET", "HEAD") and media_type != "application/json":
        return 415, {"error": "admin requests other than GET must be application/json"}
    return None


def handle_admin(controls: EmulatorControls, method: str, path: str, body: bytes) -> Result:
    """Serve one admin request; ``path`` is below ``/_emulator/`` (no query string).

    Returns (HTTP status, JSON-ready reply).
    """
    rest = path[len(ADMIN_PREFIX) :].strip("/")
    try:
        matched_path = False
        for route, pattern in _COMPILED:
            match = pattern.fullmatch(rest)
            if match is None:
                continue
            matched_path = True
            if route.method != method:
                continue
            payload = _payload(body)
            return route.handler(controls, payload, [unquote(g) for g in match.groups()])
        if matched_path:
            raise AdminError(405, f"{method} not allowed on {path}")
        raise AdminError(404, f"no emulator admin route {path}")
    except AdminError as error:
        reply: dict[str, Any] = {"error": error.message}
        if error.code:
            reply["code"] = error.code
        return error.status, reply
    except ApiError as error:
        status = 404 if error.not_found else 409 if error.conflict else 400
        return status, {"error": error.message, "code": error.code}


def _payload(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except ValueError as error:
        raise AdminError(400, f"body is not JSON: {error}") from error
    if not isinstance(payload, dict):
        raise AdminError(400, "body must be a JSON object")
    return payload
