#!/usr/bin/env python3
"""Check that a release tag may be published, and write its notes from CHANGELOG.md.

    python scripts/release_notes.py --tag v0.2.0 --out release-notes.md

A tag is releasable when it is ``vX.Y.Z``, ``X.Y.Z`` is the version in pyproject.toml, and
CHANGELOG.md has a section ``## [X.Y.Z] - YYYY-MM-DD`` with a real date (not "unreleased")
and some text. The section's text, without its heading, is written to ``--out``: the GitHub
release's notes. Any mismatch exits 1 with one line saying what to fix; nothing is written.
The release workflow (.github/workflows/release.yml) runs this before building anything.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(r"v(\d+\.\d+\.\d+)")
HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>.+?))?\s*$", re.MULTILINE)


class ReleaseError(Exception):
    """The tag, the version and the changelog do not agree; the message says what to fix."""


@dataclass(frozen=True)
class Release:
    """A releasable version: its date in the changelog and its notes."""

    version: str
    date: datetime.date
    notes: str


def project_version(pyproject: str) -> str:
    """``version`` of the ``[project]`` table (by pattern: Python 3.10 has no tomllib)."""
    project = re.search(r"^\[project\]$(.*?)(?=^\[|\Z)", pyproject, re.MULTILINE | re.DOTALL)
    found = re.search(r'^version = "([^"]+)"$', project.group(1) if project else "", re.MULTILINE)
    if found is None:
        raise ReleaseError("pyproject.toml: no version in [project]")
    return found.group(1)


def changelog_section(changelog: str, version: str) -> tuple[str | None, str]:
    """The date text (None if absent) and the body of ``## [version]`` in ``changelog``."""
    headings = list(HEADING.finditer(changelog))
    for index, heading in enumerate(headings):
        if heading.group("version") == version:
            end = headings[index + 1].start() if index + 1 < len(headings) else len(changelog)
            body = changelog[heading.end() : end]
            # Link definitions at the end of the file ("[0.1.0]: ...") are not notes.
            body = re.sub(r"^\[[^\]]+\]: \S+\s*$", "", body, flags=re.MULTILINE)
            return heading.group("date"), body.strip() + "\n"
    raise ReleaseError(f"CHANGELOG.md has no section '## [{version}] - YYYY-MM-DD'")


def check_release(tag: str, pyproject: str, changelog: str) -> Release:
    """The release ``tag`` names, or :class:`ReleaseError` saying what disagrees."""
    match = TAG.fullmatch(tag)
    if match is None:
        raise ReleaseError(f"tag {tag!r} is not vX.Y.Z (e.g. v1.2.3)")
    version = project_version(pyproject)
    if match.group(1) != version:
        raise ReleaseError(
            f"tag {tag} does not match the version in pyproject.toml ({version}); "
            f"tag the commit that sets version = {match.group(1)!r}"
        )
    date_text, notes = changelog_section(changelog, version)
    try:
        date = datetime.date.fromisoformat(date_text or "")
    except ValueError:
        raise ReleaseError(
            f"CHANGELOG.md: the section of {version} is not dated "
            f"({date_text or 'no date'}); write '## [{version}] - YYYY-MM-DD' before tagging"
        ) from None
    if not notes.strip():
        raise ReleaseError(f"CHANGELOG.md: the section of {version} is empty")
    return Release(version, date, notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", required=True, help="the release tag, vX.Y.Z")
    parser.add_argument("--out", type=Path, help="where to write the notes (default: stdout)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        release = check_release(
            args.tag,
            (args.root / "pyproject.toml").read_text(encoding="utf-8"),
            (args.root / "CHANGELOG.md").read_text(encoding="utf-8"),
        )
    except ReleaseError as err:
        print(f"release_notes: {err}", file=sys.stderr)
        return 1
    if args.out is None:
        sys.stdout.write(release.notes)
    else:
        args.out.write_text(release.notes, encoding="utf-8")
    print(f"release_notes: {args.tag} is releasable ({release.date})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
