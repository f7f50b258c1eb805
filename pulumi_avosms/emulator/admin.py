"""``/_emulator/`` routes: inspect and steer the emulator over HTTP (JSON in, JSON out).

These are NOT AvoSMS API routes. They mirror the Python objects of :class:`EmulatorServer`
so that a process without access to the server object (a Pulumi plugin, a shell script, a
test in another process) can do what an in-process test does:

=========================================================== ==================================
``POST /_emulator/reset``                                    ``backend.reset()``
``GET  /_emulator/lists``                                    ``backend.lists()``
``GET  /_emulator/lists/{id}``                               ``backend.get_list(id)`` (404)
``POST /_emulator/lists`` ``{"name","country_code"[,"account"]}`` ``console_create_list``
``POST /_emulator/lists/{id}/rename`` ``{"name"}``           ``console_rename_list``
``DELETE /_emulator/lists/{id}``, ``POST .../{id}/delete``   ``console_delete_list``
``POST /_emulator/lists/{id}/contacts`` ``{"phone_number",…}`` ``console_add_contact``
``POST /_emulator/lists/{id}/contacts/{phone}/update`` ``{…}`` ``console_update_contact``
``POST .../contacts/{phone}/remove``, ``DELETE .../{phone}`` ``console_remove_contact``
``GET  /_emulator/faults``                                   ``faults.pending()``
``POST /_emulator/faults`` ``{"kind","count","endpoint",…}`` ``faults.add(...)``
``DELETE /_emulator/faults``                                 ``faults.clear()``
``GET  /_emulator/stats``                                    ``stats.snapshot()``
``GET  /_emulator/requests``                                 ``request_log`` (``key`` hidden)
``GET|POST /_emulator/latency`` ``{"seconds"}``              ``server.latency``
=========================================================== ==================================

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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .backend import CONTACT_FIELDS, ApiError

if TYPE_CHECKING:
    from .server import EmulatorServer, RequestRecord

__all__ = ["ADMIN_PREFIX", "AdminError", "handle_admin"]

ADMIN_PREFIX = "/_emulator/"

Result = tuple[int, Any]
Route = Callable[["EmulatorServer", dict[str, Any], list[str]], Result]


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


def _reset(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    server.backend.reset()
    return 200, {"ok": True}


def _lists(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, {"lists": server.backend.lists()}


def _get_list(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    found = server.backend.get_list(args[0])
    if found is None:
        raise AdminError(404, f"no contact list {args[0]!r}")
    return 200, found


def _create_list(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    list_id = server.backend.console_create_list(
        _required(payload, "name"),
        _required(payload, "country_code"),
        account=payload.get("account"),
    )
    return 201, {"list_id": list_id}


def _rename_list(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    server.backend.console_rename_list(args[0], _required(payload, "name"))
    return 200, {"ok": True}


def _delete_list(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    server.backend.console_delete_list(args[0])
    return 200, {"ok": True}


def _add_contact(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    phone = server.backend.console_add_contact(
        args[0], _required(payload, "phone_number"), **_fields(payload)
    )
    return 201, {"phone_number": phone}


def _update_contact(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    phone = server.backend.console_update_contact(args[0], args[1], **_fields(payload))
    return 200, {"phone_number": phone}


def _remove_contact(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    server.backend.console_remove_contact(args[0], args[1])
    return 200, {"ok": True}


def _get_faults(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, {"faults": [f.to_dict() for f in server.faults.pending()]}


def _add_fault(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    opts = dict(payload)
    kind = str(opts.pop("kind", ""))
    count = opts.pop("count", 1)
    endpoint = opts.pop("endpoint", None)
    try:
        fault = server.faults.add(kind, count=count, endpoint=endpoint, **opts)
    except (ValueError, TypeError) as error:
        raise AdminError(400, str(error)) from error
    return 201, fault.to_dict()


def _clear_faults(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    server.faults.clear()
    return 200, {"ok": True}


def _stats(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, server.stats.snapshot()


#: What the API key is replaced with in ``GET /_emulator/requests``.
REDACTED = "***"

_QUERY_KEY = re.compile(r"(^|[&;])(key=)[^&;]*")


def _redacted(record: RequestRecord) -> dict[str, Any]:
    """``record`` as JSON, without the value of the ``key`` (API key) parameter.

    Anyone who can reach the port can read this route, so the API key is hidden — in the
    form and in the query string (where a misbehaving client might put it). The Python-side
    ``server.request_log`` keeps it: in-process tests use it to prove where it travelled.
    """
    data = dataclasses.asdict(record)
    if "key" in data["form"]:
        data["form"]["key"] = REDACTED
    data["query"] = _QUERY_KEY.sub(rf"\g<1>\g<2>{REDACTED}", data["query"])
    return data


def _requests(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, {"requests": [_redacted(r) for r in list(server.request_log)]}


def _get_latency(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    return 200, {"seconds": server.latency}


def _set_latency(server: EmulatorServer, payload: dict[str, Any], args: list[str]) -> Result:
    try:
        seconds = float(_required(payload, "seconds"))
    except ValueError as error:
        raise AdminError(400, "seconds must be a number") from error
    if seconds < 0:
        raise AdminError(400, "seconds must be >= 0")
    server.latency = seconds
    return 200, {"seconds": seconds}


_SEG = r"([^/]+)"

#: (method, path regex below /_emulator/) → handler; regex groups are percent-decoded.
ROUTES: list[tuple[str, re.Pattern[str], Route]] = [
    ("POST", re.compile(r"reset"), _reset),
    ("GET", re.compile(r"lists"), _lists),
    ("POST", re.compile(r"lists"), _create_list),
    ("GET", re.compile(rf"lists/{_SEG}"), _get_list),
    ("POST", re.compile(rf"lists/{_SEG}/rename"), _rename_list),
    ("POST", re.compile(rf"lists/{_SEG}/delete"), _delete_list),
    ("DELETE", re.compile(rf"lists/{_SEG}"), _delete_list),
    ("POST", re.compile(rf"lists/{_SEG}/contacts"), _add_contact),
    ("POST", re.compile(rf"lists/{_SEG}/contacts/{_SEG}/update"), _update_contact),
    ("POST", re.compile(rf"lists/{_SEG}/contacts/{_SEG}/remove"), _remove_contact),
    ("DELETE", re.compile(rf"lists/{_SEG}/contacts/{_SEG}"), _remove_contact),
    ("GET", re.compile(r"faults"), _get_faults),
    ("POST", re.compile(r"faults"), _add_fault),
    ("DELETE", re.compile(r"faults"), _clear_faults),
    ("GET", re.compile(r"stats"), _stats),
    ("GET", re.compile(r"requests"), _requests),
    ("GET", re.compile(r"latency"), _get_latency),
    ("POST", re.compile(r"latency"), _set_latency),
]


def handle_admin(server: EmulatorServer, method: str, path: str, body: bytes) -> Result:
    """Serve one admin request; ``path`` is below ``/_emulator/`` (no query string).

    Returns (HTTP status, JSON-ready reply).
    """
    rest = path[len(ADMIN_PREFIX) :].strip("/")
    try:
        matched_path = False
        for route_method, pattern, route in ROUTES:
            match = pattern.fullmatch(rest)
            if match is None:
                continue
            matched_path = True
            if route_method != method:
                continue
            payload = _payload(body)
            return route(server, payload, [unquote(g) for g in match.groups()])
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
