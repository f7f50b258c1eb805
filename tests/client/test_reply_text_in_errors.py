"""Reply text quoted in an error: the key is gone in every spelling, the excerpt is bounded,
and no character of it can rewrite the line the user reads.

A proxy or an error page may echo the request as it travelled: the key form-encoded, or
JSON-escaped (``\\/``, ``\\"``, ``\\u00e9``), in any case. The replies come from a fake
transport (a ``requests`` adapter) that answers every call with one body.
"""

from __future__ import annotations

import io
import json
import urllib.parse
from typing import Any

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from pulumi_avosms.client import AvoSMSClient
from pulumi_avosms.errors import APIError, InvalidRequestError, UnexpectedResponseError

#: A key with every character that has its own spelling once encoded: a space (``+`` or
#: ``%20``), quotes and a slash (JSON-escaped as ``\\"`` and maybe ``\\/``), a non-ASCII
#: letter (``%C3%A9``, ``\\u00e9``). Its two ends, ``qz9`` and ``wv7``, appear in every spelling.
KEY = 'Qz9 "Kéy"/Wv7'
SPELLINGS = {
    "as sent": KEY,
    "upper case": KEY.upper(),
    "form-encoded": urllib.parse.quote_plus(KEY),
    "percent-encoded": urllib.parse.quote(KEY, safe=""),
    "JSON-escaped": json.dumps(KEY)[1:-1],
    "JSON-escaped with \\/": json.dumps(KEY)[1:-1].replace("/", "\\/"),
    "JSON-escaped, upper case": json.dumps(KEY)[1:-1].replace("/", "\\/").upper(),
}


class _Reply(BaseAdapter):
    """Answers every request with ``status`` and ``body``."""

    def __init__(self) -> None:
        super().__init__()
        self.status, self.body = 200, b""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = requests.Response()
        response.status_code = self.status
        response.headers = CaseInsensitiveDict({"Content-Type": "text/html"})
        response.raw = io.BytesIO(self.body)
        response.request = request
        return response

    def close(self) -> None:
        pass


def _error_for(status: int, body: str | bytes, key: str = KEY) -> APIError:
    adapter = _Reply()
    adapter.status = status
    adapter.body = body.encode("utf-8") if isinstance(body, str) else body
    session = requests.Session()
    session.mount("https://fake.test/", adapter)
    client = AvoSMSClient(
        "me@example.com", key, "https://fake.test/v1", session=session, max_retries=0
    )
    with pytest.raises(APIError) as caught:
        client.list_lists()
    return caught.value


def _leaks(message: str) -> list[str]:
    lowered = message.lower()
    return [part for part in ("qz9", "wv7") if part in lowered]


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=list(SPELLINGS))
def test_a_reply_echoing_the_key_in_any_spelling_is_quoted_without_it(spelling: str) -> None:
    error = _error_for(200, f"<html>request: api_key={spelling}&x=1</html>")
    assert isinstance(error, UnexpectedResponseError)
    assert _leaks(str(error)) == []
    assert "request: api_key=***&x=1" in str(error)  # the rest of the excerpt is still shown


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=list(SPELLINGS))
def test_a_key_straddling_the_excerpts_end_is_not_shown_in_part(spelling: str) -> None:
    # The excerpt shows 160 characters: the key starts 5 before the cut.
    error = _error_for(200, "x" * 155 + spelling + "y" * 50)
    assert _leaks(str(error)) == []
    assert "x" * 155 + "***" in str(error)


def test_an_excerpt_is_cut_at_160_characters_and_says_so() -> None:
    whole = _error_for(200, "<" + "z" * 159)
    assert "<" + "z" * 159 + "'" in str(whole)  # 160 characters: all of it, no ellipsis
    assert "…" not in str(whole)
    cut = _error_for(200, "<" + "z" * 200)
    assert "<" + "z" * 159 + "…'" in str(cut)
    assert "z" * 160 not in str(cut)


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\x1b", "\\x1b"),  # an escape sequence could recolour or rewrite the terminal line
        ("\x85", "\\x85"),  # NEL, a C1 control
        ("\u202e", "\\u202e"),  # right-to-left override: reorders what the user reads
        ("\u2028", "\\u2028"),  # line separator
        ("\u2029", "\\u2029"),  # paragraph separator
        ("\ud800", "\\ud800"),  # a lone surrogate (JSON may carry one as \\ud800)
    ],
)
def test_an_unknown_code_cannot_rewrite_the_line_it_is_quoted_on(char: str, shown: str) -> None:
    body = json.dumps({"code": f"OOPS{char}X"})  # an undocumented code, not ERR_xxx
    error = _error_for(200, body)
    assert isinstance(error, InvalidRequestError)
    assert char not in str(error)
    assert f"OOPS{shown}X" in str(error)


def test_letters_of_any_script_are_quoted_as_they_are() -> None:
    error = _error_for(200, json.dumps({"code": "Ünïcødé-Ω"}))
    assert "Ünïcødé-Ω".upper() in str(error)  # the code is read upper case; nothing escaped


def test_an_encoded_key_is_replaced_whole_leaving_no_fragment_of_its_encoding() -> None:
    # This key as sent is the start of its percent-encoded spelling (``%`` -> ``%25``): the
    # echo must lose the whole spelling, not the key's length of it.
    key = "Qz9-Wv7%"
    error = _error_for(200, f"<html>api_key={urllib.parse.quote(key, safe='')}&x=1</html>", key)
    assert "api_key=***&x=1" in str(error)
