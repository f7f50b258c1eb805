"""The naive way, for comparison: a contact-list provider written like Pulumi's docs example.

Pulumi's dynamic-provider documentation shows a provider whose every method makes one
``requests.post`` (no session, so a new connection per call), reads credentials from the
environment, and reads a resource back with its "get one" endpoint. Written the same way for
AvoSMS, a refresh costs one ``contact/list/information`` call per list (whose reply carries
every contact of the list), and a create costs a create plus an ``information`` call.

It is deliberately plain: no retries, no validation, no caching. Only the benchmark uses it;
it stays importable as ``benchmarks.naive_provider`` because its class is stored by
reference in each resource's ``__provider``.
"""

from __future__ import annotations

import os
from typing import Any

import requests
from pulumi import Input, ResourceOptions
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)


def _url(path: str) -> str:
    return os.environ.get("AVOSMS_ENDPOINT", "https://api.avosms.com/v1").rstrip("/") + "/" + path


def _auth() -> dict[str, str]:
    return {"id": os.environ["AVOSMS_API_ID"], "key": os.environ["AVOSMS_API_KEY"]}


def _post(path: str, **params: str) -> dict[str, Any]:
    r = requests.post(_url(path), data={**_auth(), **params}, timeout=30)
    r.raise_for_status()
    body: dict[str, Any] = r.json()
    return body


def _outputs(list_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "list_id": list_id,
        "name": body["list_contact_name"],
        "country_code": str(body["list_contact_country_code"]).upper(),
        "country_name": body.get("list_contact_country_name", ""),
        "contact_count": int(body["nb_contact_list"]),
        "created_at": body.get("list_contact_creation_date"),
    }


class NaiveContactListProvider(ResourceProvider):
    """One ``requests.post`` per operation; ``information`` for every read."""

    def _info(self, list_id: str) -> dict[str, Any]:
        body = _post("contact/list/information", listContactId=list_id)
        if body.get("code") != "OK":
            raise Exception(f"AvoSMS error {body.get('code')} reading list {list_id}")
        return _outputs(list_id, body)

    def create(self, props: dict[str, Any]) -> CreateResult:
        body = _post(
            "contact/list/create",
            listContactName=props["name"],
            listContactCountryCode=props["country_code"],
        )
        if body.get("code") != "OK":
            raise Exception(f"AvoSMS error {body.get('code')} creating list {props['name']!r}")
        list_id = str(body["list_contact_id"])
        return CreateResult(list_id, self._info(list_id))

    def read(self, id: str, props: dict[str, Any]) -> ReadResult:
        body = _post("contact/list/information", listContactId=id)
        if body.get("code") == "ERR_101":  # no such list
            return ReadResult("", {})
        if body.get("code") != "OK":
            raise Exception(f"AvoSMS error {body.get('code')} reading list {id}")
        return ReadResult(id, _outputs(id, body))

    def diff(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = ["country_code"] if olds.get("country_code") != news.get("country_code") else []
        changes = bool(replaces) or olds.get("name") != news.get("name")
        return DiffResult(changes=changes, replaces=replaces, delete_before_replace=False)

    def update(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        body = _post("contact/list/rename", listContactId=id, listContactName=news["name"])
        if body.get("code") != "OK":
            raise Exception(f"AvoSMS error {body.get('code')} renaming list {id}")
        return UpdateResult(self._info(id))

    def delete(self, id: str, props: dict[str, Any]) -> None:
        pass  # AvoSMS cannot delete lists


class NaiveContactList(Resource, module="bench", name="NaiveContactList"):
    """The naive provider's resource: same inputs and outputs as ``ContactList``."""

    def __init__(
        self,
        resource_name: str,
        *,
        name: Input[str],
        country_code: Input[str],
        opts: ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": name,
            "country_code": country_code,
            "list_id": None,
            "country_name": None,
            "contact_count": None,
            "created_at": None,
        }
        super().__init__(NaiveContactListProvider(), resource_name, props, opts)
