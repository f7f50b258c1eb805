"""No tracked file sends a reader to a placeholder or to a host nobody controls.

pulumi-avosms is distributed on PyPI and has no public repository URL: an ``OWNER``
placeholder, an ``example.com`` URL or a GitHub URL of a repository that does not exist
would be a dead end for whoever follows it. Every URL in a tracked text file must name a
host on :data:`REAL_HOSTS` (real, and documented by its owner), a name reserved for tests
and documentation by RFC 2606 / RFC 6761 (``localhost``, ``*.test``, ``*.example``,
``*.invalid``), a loopback address, or be a template (``{host}``, ``$PWD``).
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

from tests.support.projects import REPO_ROOT, tracked_files

#: Real hosts the files may point at, each with the path prefixes allowed there ("" = any).
REAL_HOSTS: dict[str, tuple[str, ...]] = {
    "api.avosms.com": ("",),  # the AvoSMS API (docs/avosms-api.md)
    "www.avosms.com": ("",),
    "pypi.org": ("/project/pulumi-avosms", "/p/pulumi-avosms"),  # where this package lives
    "docs.pypi.org": ("/trusted-publishers/",),
    "www.pulumi.com": ("/docs/",),
    "get.pulumi.com": ("/releases/sdk",),  # the demo's pinned CLI archive
    "github.com": ("/pulumi/pulumi/",),  # Pulumi's own repository: its release checksums
    "www.apache.org": ("/licenses/",),
    "semver.org": ("/",),
    "keepachangelog.com": ("/",),
    "json-schema.org": ("/draft/",),  # the $schema of Pulumi's vendored metaschema
}
#: Top-level names that never resolve on the internet (RFC 2606, RFC 6761).
RESERVED_TLDS = ("test", "example", "invalid", "localhost")
#: Placeholders for something that was to be filled in later (built so this file passes).
PLACEHOLDERS = re.compile("|".join([r"\bOW" + r"NER\b", r"\bYOUR[_-]?ORG\b", r"<your-org>"]))

URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://([^\s\"'<>()`,]*)")
BARE_GITHUB = re.compile(r"(?<![/\w.@-])github\.com/[^\s\"'<>()`,]*")


def _host_and_path(rest: str) -> tuple[str, str]:
    """The host (user info and port dropped, lower case) and the path of a URL's remainder."""
    authority, _, path = rest.partition("/")
    authority = re.split(r"[?#]", authority, maxsplit=1)[0]
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host[1:]
    else:
        host = host.split(":", 1)[0]
    return host.lower().rstrip("."), "/" + path


def url_problem(rest: str) -> str | None:
    """Why the URL whose text after ``scheme://`` is ``rest`` may not be written, or None."""
    host, path = _host_and_path(rest)
    if host == "" or host[0] in "{$" or "{" in host:
        return None  # a template, or no host at all (file:///...)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        return None if address.is_loopback or address.is_unspecified else "a public address"
    labels = host.split(".")
    if labels[-1] in RESERVED_TLDS or host == "localhost":
        return None
    if len(labels) == 1 or not labels[-1].isascii() or not labels[-1].isalpha():
        return None  # not a name on the internet: a test's malformed input
    prefixes = REAL_HOSTS.get(host)
    if prefixes is None:
        return f"{host} is not a host on the allow-list"
    if not any(path.startswith(prefix) for prefix in prefixes):
        return f"{host}{path}: only {', '.join(prefixes)} there"
    return None


def problems(text: str) -> list[str]:
    """Every placeholder and every URL :func:`url_problem` refuses in ``text``."""
    found = [f"placeholder {m.group(0)!r}" for m in PLACEHOLDERS.finditer(text)]
    for match in URL.finditer(text):
        why = url_problem(match.group(1))
        if why is not None:
            found.append(f"{match.group(0)}: {why}")
    for match in BARE_GITHUB.finditer(text):
        why = url_problem(match.group(0))
        if why is not None:
            found.append(f"{match.group(0)}: {why}")
    return found


def test_no_tracked_file_holds_a_placeholder_or_a_url_of_a_host_we_do_not_control() -> None:
    found = []
    for name in tracked_files():
        path = REPO_ROOT / name
        if not path.is_file() or path == Path(__file__).resolve():
            continue  # this file shows what is refused, on purpose
        raw = path.read_bytes()
        if b"\0" in raw:
            continue  # binary
        text = raw.decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            found.extend(f"{name}:{number}: {why}" for why in problems(line))
    assert found == [], "name the file in the source distribution, or a real documented host"


def test_the_scan_catches_what_a_new_user_tripped_on() -> None:
    # The install lines of 0.2.0's first drafts, and the kinds of URL the allow-list refuses.
    owner = "OW" + "NER"
    assert problems(f"pulumi-avosms @ git+https://github.com/{owner}/pulumi-avosms@v0.2.0")
    assert problems("Homepage = 'https://github.com/acme/pulumi-avosms'")
    assert problems("see https://example.com/docs for more")
    assert problems("clone github.com/acme/pulumi-avosms")
    assert problems("https://pypi.org/project/other-package/")
    assert problems("http://203.0.113.9:8080/v1")
    # What may be written.
    assert problems("https://api.avosms.com/v1 and https://pypi.org/project/pulumi-avosms/") == []
    assert problems("http://127.0.0.1:{port}/v1, http://[::1]:8765, http://evil.example/") == []
    assert problems("you@example.com, file:///tmp/x, s3://bucket/path") == []
    assert problems("https://github.com/pulumi/pulumi/releases/download/v3.0.0/x.txt") == []
