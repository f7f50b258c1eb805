"""docs/troubleshooting.md quotes only messages the package really writes.

The page quotes each message in a ```` ```text ```` block; ``<...>`` marks a part that varies
(a value, or another message) and ``...`` text left out. Each quote is cut at those marks;
every piece, trimmed of the punctuation that joins it to a varying part, must occur in one
string of the package's source. Source strings are read with :mod:`ast`: an f-string's holes
that name module constants (``{ENDPOINT[0]}``) are filled in, the others (``{name!r}``) cut
the string into pieces, as ``{}``/``%s`` placeholders do in plain strings. Whitespace counts
as one space on both sides, so rewrapping a message changes nothing.

When a message is reworded in the code, the failure names the page's line and the piece no
longer found: update the quote there.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tests.support.projects import REPO_ROOT

PAGE = REPO_ROOT / "docs" / "troubleshooting.md"
PACKAGE = REPO_ROOT / "pulumi_avosms"
#: Where a quote varies or leaves text out.
QUOTE_GAP = re.compile(r"<[^<>\n]*>|\.\.\.|…")
#: Where a source string varies: str.format fields and printf conversions.
SOURCE_GAP = re.compile(r"\{[^{}]*\}|%[-+ #0]*\d*(?:\.\d+)?[sdrifg]")
#: Punctuation that joins a quoted piece to a varying part; trimmed before matching.
GLUE = " .,;:()[]'\"`"
HOLE = "\x00"


@dataclass(frozen=True)
class Quote:
    """One quoted message of the page."""

    line: int  # where its block starts
    text: str  # whitespace collapsed

    def pieces(self) -> list[str]:
        """Its fixed parts, each trimmed of glue; empty ones dropped."""
        return [p.strip(GLUE) for p in QUOTE_GAP.split(self.text) if p.strip(GLUE)]


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def quotes(page: Path = PAGE) -> list[Quote]:
    """Every ```text block of ``page``, as one message each."""
    found: list[Quote] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```text":
            start = index + 1
            end = start
            while not lines[end].startswith("```"):
                end += 1
            found.append(Quote(start + 1, _collapse(" ".join(lines[start:end]))))
            index = end
        index += 1
    return found


def _module_globals(path: Path) -> dict[str, Any]:
    name = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return vars(importlib.import_module(name))


def _render(node: ast.JoinedStr, namespace: dict[str, Any]) -> str:
    """The f-string with holes that evaluate from module constants filled, others HOLE."""
    parts: list[str] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
            continue
        assert isinstance(value, ast.FormattedValue)
        try:
            spec = "" if value.format_spec is None else _render(value.format_spec, namespace)
            if HOLE in spec:
                raise ValueError(spec)
            # Only names of the module resolve; a local or attribute raises and stays a hole.
            result = eval(compile(ast.Expression(value.value), "<hole>", "eval"), dict(namespace))
            if value.conversion == ord("r"):
                result = repr(result)
            elif value.conversion == ord("s"):
                result = str(result)
            elif value.conversion == ord("a"):
                result = ascii(result)
            parts.append(format(result, spec))
        except Exception:
            parts.append(HOLE)
    return "".join(parts)


@cache
def source_pieces() -> tuple[str, ...]:
    """Every string of the package's source, cut at its varying parts, whitespace collapsed."""
    pieces: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        namespace = _module_globals(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = _render(node, namespace)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            pieces.extend(_collapse(p) for p in SOURCE_GAP.sub(HOLE, text).split(HOLE))
    return tuple(p for p in pieces if p)


def missing_pieces(quote: Quote) -> list[str]:
    """The pieces of ``quote`` found in no source string."""
    return [piece for piece in quote.pieces() if not any(piece in s for s in source_pieces())]


def test_the_page_quotes_messages() -> None:
    found = quotes()
    assert len(found) >= 15, [q.text for q in found]
    assert all(q.pieces() for q in found), "a quote made only of <...> checks nothing"


def test_every_quoted_message_is_in_the_code() -> None:
    problems = [
        f"docs/troubleshooting.md:{quote.line}: {piece!r} is in no string of pulumi_avosms"
        for quote in quotes()
        for piece in missing_pieces(quote)
    ]
    assert problems == [], "\n".join(["reword these quotes to match the code:", *problems])


def test_a_reworded_quote_is_reported_with_its_piece(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Intro\n\n```text\ncould not connect to AvoSMS (<url>) within <seconds> s; "
        "check the cable\n```\n",
        encoding="utf-8",
    )
    (quote,) = quotes(page)
    assert quote.line == 4
    assert missing_pieces(quote) == ["s; check the cable"]
    # The same message as the code writes it (_messages.connect_timeout) passes, however it
    # is wrapped.
    good = (
        "could not connect to AvoSMS (<url>)\n  within <s> s; check the network and avosms:endpoint"
    )
    assert missing_pieces(Quote(1, _collapse(good))) == []


def test_module_constants_in_f_strings_are_read_as_their_values() -> None:
    # config.py writes f"... such as {DEFAULT_ENDPOINT!r}, or {EMBEDDED_ENDPOINT!r} for ...":
    # the constants are read with their conversion, ...
    pieces = source_pieces()
    assert any(
        "must be an http(s) URL such as 'https://api.avosms.com/v1', or 'emulator' for the "
        "built-in emulator; got" in piece
        for piece in pieces
    )
    # ... a constant's subscript too (config.py: f"... export {API_ID[1]} and {API_KEY[1]} in
    # the environment that runs pulumi."), ...
    assert any(
        "export AVOSMS_API_ID and AVOSMS_API_KEY in the environment that runs pulumi." in piece
        for piece in pieces
    )
    # ... while a local name cuts the string: f"{where} must be ... got {endpoint!r}." is
    # exactly the piece between its two holes.
    assert (
        "must be an http(s) URL such as 'https://api.avosms.com/v1', or 'emulator' for the "
        "built-in emulator; got" in pieces
    )
