"""A list's contacts (``contact/list/information``) at sizes past the old 16 MiB cliff.

Replies come from a raw loopback server (the emulator would take minutes to hold 200,000
contacts); memory is measured with tracemalloc, never time.
"""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable

import pytest

from pulumi_avosms._limits import MAX_INFORMATION_BYTES
from pulumi_avosms.client import AvoSMSClient
from pulumi_avosms.client.replies import MAX_REPLY_BYTES
from pulumi_avosms.emulator.api import _contact_entry
from pulumi_avosms.errors import UnexpectedResponseError
from tests.support.emulator_fixtures import DEMO_ID, DEMO_KEY
from tests.support.raw_server import Handler, RawServer, raw_json


def contact(i: int) -> dict[str, str]:
    """The i-th contact with every field set, as the emulator stores it."""
    return {
        "phone_number": f"+336{10_000_000 + i:08d}",
        "civility": "Mme",
        "first_name": f"Firstname{i}",
        "last_name": f"Lastname{i}",
        "email": f"person{i}@example.com",
        "birthday": "1980-01-02",
        "other": f"customer #{i} since 2019",
    }


def information(n: int) -> bytes:
    """The emulator's ``information`` reply for a list of ``n`` such contacts."""
    reply = {
        "status": "success",
        "code": "OK",
        "list_contact_name": "Customers",
        "list_contact_country_name": "France",
        "list_contact_country_code": "FR",
        "nb_contact_list": n,
        "list_contact_creation_date": "2026-01-01 00:00:00",
        "list_contact": [_contact_entry(contact(i)) for i in range(n)],
    }
    return json.dumps(reply).encode()


def test_a_list_of_200000_contacts_with_every_field_set_is_read(
    raw_server: Callable[[Handler], RawServer],
) -> None:
    n = 200_000
    payload = information(n)
    assert MAX_REPLY_BYTES < len(payload) <= MAX_INFORMATION_BYTES  # past the old cliff
    server = raw_server(raw_json(payload))
    with AvoSMSClient(DEMO_ID, DEMO_KEY, server.url, max_retries=0, read_timeout=60) as client:
        detail = client.get_list("7")
    assert detail.contact_count == n and len(detail.contacts) == n
    last = detail.contacts[-1]
    assert last.phone_number == contact(n - 1)["phone_number"]
    assert last.fields() == {k: v for k, v in contact(n - 1).items() if k != "phone_number"}


def test_reading_a_list_costs_memory_in_proportion_to_its_contacts(
    raw_server: Callable[[Handler], RawServer],
) -> None:
    # 20,000 contacts with every field set: a 5.4 MB reply. Everything the call allocates
    # (the body as received, its text, the parsed reply, the contacts kept) peaks under 6
    # bytes per reply byte (4.7 on Python 3.11+, 5.0 on 3.10, whose objects are bigger):
    # under 160 MB at 100,000 such contacts, 320 MB at 200,000.
    payload = information(20_000)
    server = raw_server(raw_json(payload))
    with AvoSMSClient(DEMO_ID, DEMO_KEY, server.url, max_retries=0, read_timeout=60) as client:
        tracemalloc.start()
        try:
            detail = client.get_list("7")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(detail.contacts) == 20_000
    assert peak < 6 * len(payload), (peak, len(payload))


def test_a_contact_reply_of_tiny_items_past_the_old_cap_is_refused_before_it_is_parsed(
    raw_server: Callable[[Handler], RawServer],
) -> None:
    # ~11 million empty objects in 17 MiB: json.loads would build gigabytes of dicts.
    items = (MAX_REPLY_BYTES + (1 << 20)) // 3
    payload = b'{"code": "OK", "list_contact": [' + b",".join([b"{}"] * items) + b"]}"
    server = raw_server(raw_json(payload))
    with AvoSMSClient(DEMO_ID, DEMO_KEY, server.url, max_retries=0, read_timeout=60) as client:
        tracemalloc.start()
        try:
            with pytest.raises(UnexpectedResponseError, match="values; it was not parsed"):
                client.get_list("7")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 4 * len(payload), (peak, len(payload))
