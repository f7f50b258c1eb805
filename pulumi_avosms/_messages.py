"""What the client's errors say: every text of the reply -> error mapping, in one place.

Each text says what happened and what to do about it. The meaning of an ``ERR_1xx`` number
depends on the endpoint (``docs/avosms-api.md``), hence one table per endpoint. Texts that
quote a reply are given only text already made safe (``_text.safe_text``).
"""

from __future__ import annotations

from .client.endpoints import DEFAULT_ENDPOINT

#: Whose credentials a client holds when its maker does not say (the plugin says: _runtime).
GIVEN_CREDENTIALS = "given to AvoSMSClient"


def credentials_rejected(source: str) -> str:
    """``source``: whose credentials and where they were read from (names, never a value)."""
    return f"AvoSMS did not recognise the API credentials {source}; check both values"


LIST_ID_EMPTY = (
    "the contact list id was empty; a list id is required (this is a bug in the caller, "
    "please report it)"
)
PHONE_EMPTY = "the phone number was empty; give the contact a phone number"
NO_LIST = (
    "no contact list exists with that id in this AvoSMS account; it may have been deleted in "
    "the AvoSMS console or belong to another account; run `pulumi refresh` or check the id"
)
NO_CONTACT = (
    "no contact with that phone number is in the list; it may have been removed in the AvoSMS "
    "console; run `pulumi refresh`"
)
CONTACT_EXISTS = (
    "that phone number is already in the list (a number can appear only once per list); "
    "import the existing contact or remove the duplicate"
)
BAD_PHONE = (
    "AvoSMS says the phone number is badly formatted; use the international format, "
    "e.g. +33612345678"
)
WRONG_COUNTRY = (
    "the phone number's country does not match the list's country; put the contact in a "
    "list of its own country"
)
NUMBER_TYPE = (
    "AvoSMS does not accept this type of phone number (for example premium-rate, toll-free "
    "or other numbers that cannot receive SMS) in contact lists; use a number that can "
    "receive SMS, usually a mobile"
)
LIST_NAME_EMPTY = "the list name was empty; give the contact list a non-empty name"
COUNTRY_EMPTY = (
    "the country code was empty; set the list's country to an ISO 3166-1 alpha-2 code such as FR"
)
NO_COUNTRY = (
    "AvoSMS knows no country with that ISO 3166-1 alpha-2 code; use a two-letter code "
    "such as FR, BE or CH"
)
LIST_NAME_TAKEN = (
    "a contact list with that name already exists in this AvoSMS account (names must "
    "be unique); choose another name, or import the existing list"
)
NEW_NAME_EMPTY = "the new list name was empty; give the contact list a non-empty name"
NEW_NAME_TAKEN = (
    "another contact list in this AvoSMS account already uses that name (names must be "
    "unique); choose a different name"
)


def internal_error(code: str) -> str:
    return (
        f"AvoSMS reported an internal error ({code}) on its side; this is usually "
        "temporary, so try again later, and contact AvoSMS support if it persists"
    )


def undocumented_code(code: str, endpoint: str) -> str:
    return (
        f"AvoSMS rejected the request with {code}, a code its documentation does not "
        f"describe for {endpoint}; check the inputs, and report this if they look right"
    )


def unknown_code(shown: str) -> str:
    return (
        f"AvoSMS answered with the undocumented code {shown}; check the inputs, and report "
        "this if they look right"
    )


def rate_limited(url: str) -> str:
    # The wait itself is the error's retry_after (and the retry loop's own note), not repeated.
    return (
        f"AvoSMS ({url}) is rate-limiting this account; wait and try again, or run Pulumi "
        "with lower parallelism (--parallel)"
    )


def http_server_error(status: int, url: str) -> str:
    return (
        f"AvoSMS answered HTTP {status}, a failure on its side or on the way ({url}); "
        "this is usually temporary, so try again later"
    )


def redirected(status: int, url: str) -> str:
    return (
        f"AvoSMS answered with a redirect (HTTP {status}) from {url}; requests to the API "
        "must not be redirected, so set avosms:endpoint to the final API URL"
    )


def http_status_without_code(status: int, url: str) -> str:
    hint = " (check avosms:endpoint)" if status == 404 else ""
    return f"AvoSMS answered HTTP {status} without an error code from {url}{hint}"


def not_json(status: int, size: int, excerpt: str) -> str:
    return (
        f"AvoSMS answered HTTP {status} with a reply that is not valid JSON (cut off, or an "
        f"HTML page from a proxy; {size} bytes, starting {excerpt}); this is usually "
        "temporary, so try again"
    )


def not_an_object(kind: str) -> str:
    return (
        f"AvoSMS answered with JSON {kind} where an object was expected; the API may have "
        "changed, please report this"
    )


def bad_code_field(what: str) -> str:
    return (
        f'AvoSMS answered with {what} (expected "OK" or an ERR_ code); the API may have '
        "changed, please report this"
    )


def malformed_success(problem: str) -> str:
    return (
        f"AvoSMS answered successfully but {problem}; the API may have changed, please report this"
    )


def reply_too_large(limit: int) -> str:
    return (
        f"AvoSMS sent a reply larger than {limit} bytes; it was not read (the API may have "
        "changed or a proxy misbehaves), please report this"
    )


def reply_too_slow(seconds: float, url: str) -> str:
    return (
        f"AvoSMS ({url}) took more than {seconds:.3g} s to send its reply (read timeout); raise "
        "avosms:timeout if this persists"
    )


def reply_stalled(seconds: float, url: str) -> str:
    return (
        f"AvoSMS ({url}) stopped sending its reply for {seconds:g} s (read timeout); raise "
        "avosms:timeout if this persists"
    )


def reply_cut_off(status: int, size: int, reason: str) -> str:
    return (
        f"AvoSMS's reply (HTTP {status}) was cut off after {size} bytes ({reason}); this is "
        "usually temporary, so try again"
    )


def connect_timeout(seconds: float, url: str) -> str:
    return (
        f"could not connect to AvoSMS ({url}) within {seconds:g} s; check the network and "
        "avosms:endpoint"
    )


def read_timeout(seconds: float, url: str) -> str:
    return (
        f"AvoSMS ({url}) did not answer within {seconds:g} s (read timeout); raise avosms:timeout "
        "if this persists"
    )


def tls_failed(url: str, reason: str) -> str:
    return (
        f"the TLS connection to AvoSMS ({url}) failed ({reason}); check avosms:endpoint and the "
        "system's CA certificates"
    )


def unusable_url(url: str, reason: str) -> str:
    return (
        f"the API endpoint URL {url} is not usable ({reason}); set avosms:endpoint to a URL "
        f"such as {DEFAULT_ENDPOINT}"
    )


def connect_failed(url: str, reason: str) -> str:
    return f"could not connect to AvoSMS at {url} ({reason}); check the network and avosms:endpoint"


def connection_broke(url: str, reason: str) -> str:
    return f"the connection to AvoSMS broke before its reply arrived from {url} ({reason})"


def wait_exceeds_budget(seconds: float) -> str:
    return (
        f"AvoSMS asked to wait {seconds:g} s, longer than the retry budget left "
        "(avosms:retryTimeout)"
    )


def check_failed(endpoint: str) -> str:
    return (
        f"checking whether the earlier {endpoint} attempt was applied failed, so it may or "
        "may not have been"
    )


OUTCOME_UNKNOWN = "the change may or may not have been applied"


def gave_up(attempts: int, elapsed: float) -> str:
    return f"gave up after {attempts} attempts in {elapsed:.1f} s"


def budget_spent(url: str) -> str:
    return (
        f"the time budget of this call (avosms:retryTimeout) was spent before a request to "
        f"AvoSMS ({url}) could be sent"
    )


def reply_too_complex(limit: int) -> str:
    return (
        f"AvoSMS sent a reply of more than {limit} values; it was not parsed (the API may "
        "have changed or a proxy misbehaves), please report this"
    )
