"""The user documentation stays accurate: its commands run, its settings exist, its code runs.

The rule for README.md, CONTRIBUTING.md and the pages of docs/ in :data:`DOCS`: every shell
command is run by a test (here) or by ``.ci/run``, or sits in a block whose first line says
what it needs (the Pulumi CLI, an AvoSMS account, network access).

* The README's quick start: exactly ``./scripts/demo`` and ``./scripts/test``, the commands
  .ci/run runs as written; the README links to CONTRIBUTING.
* The README's emulator block runs as a bash script in a temporary directory; the console
  blocks of docs/emulator.md (the server, its admin routes, the offline edits) run and print
  what the page shows.
* The README's settings table matches ``pulumi_avosms.config``; Python snippets of every page
  run under mocks; the README stays for users and short; relative links resolve.
* With the Pulumi CLI on PATH, the README's minimal program previews as the README shows.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import textwrap
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pulumi_avosms import _accounts, config
from pulumi_avosms._runtime import DEFAULT_EMULATOR_STATE
from pulumi_avosms.emulator import __main__ as emulator_cli
from pulumi_avosms.plugin.fields import FUNCTIONS
from tests.support import harness as h
from tests.support.projects import (
    REPO_ROOT,
    cli_env,
    copy_project,
    emulator_command,
    first_line,
    needs_cli,
    run_emulator_cli,
)
from tests.support.release import WheelVenv

README = REPO_ROOT / "README.md"
CONTRIBUTING = REPO_ROOT / "CONTRIBUTING.md"
EMULATOR_PAGE = REPO_ROOT / "docs" / "emulator.md"
#: The pages held to the rule.
DOCS = (
    README,
    CONTRIBUTING,
    *(
        REPO_ROOT / "docs" / name
        for name in (
            "accounts.md",
            "avosms-api.md",
            "contact-list.md",
            "contact-list-members.md",
            "contact.md",
            "drift.md",
            "emulator.md",
            "performance.md",
            "troubleshooting.md",
        )
    ),
)
#: What a block's first line says when its commands cannot run here.
MARKERS = ("needs the Pulumi CLI", "needs an AvoSMS account", "needs network access")
#: (page, section) whose shell blocks this module runs.
RUN_HERE = (
    (README, "Try it without an AvoSMS account"),
    (EMULATOR_PAGE, "As a server"),
    (EMULATOR_PAGE, "Admin routes"),
    (EMULATOR_PAGE, "Faults"),
    (EMULATOR_PAGE, "Offline edits of a state file"),
)
#: Environment variables the pages may name besides the provider's settings (the emulator's).
OTHER_VARIABLES = {emulator_cli.ACCOUNTS_VARIABLE}


@dataclass
class Block:
    """One fenced code block of a page."""

    lang: str
    text: str
    heading: str  # the nearest heading above it, without the #s
    page: Path

    @property
    def marked(self) -> bool:
        """Whether its first line is a comment saying what it needs."""
        first = self.text.lstrip().splitlines()[0] if self.text.strip() else ""
        return first.startswith("#") and any(marker in first for marker in MARKERS)

    def commands(self) -> list[str]:
        """Its shell commands: continuation lines joined, comments and blank lines dropped.

        In a ``console`` block only the lines after a ``$`` prompt are commands; the others
        are what they print (:meth:`output`).
        """
        joined = self.text.replace("\\\n", " ")
        found = []
        for line in joined.splitlines():
            if self.lang == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            words = shlex.split(line, comments=True)
            if words:
                found.append(shlex.join(words))
        return found

    def output(self) -> list[tuple[str, list[str]]]:
        """A ``console`` block as (command, the lines it prints) pairs."""
        pairs: list[tuple[str, list[str]]] = []
        for line in self.text.replace("\\\n", " ").splitlines():
            if line.startswith("$ "):
                pairs.append((line[2:].strip(), []))
            elif pairs:
                pairs[-1][1].append(line)
        return pairs


def blocks(page: Path) -> list[Block]:
    """Every fenced block of ``page``, with the heading it is under."""
    found: list[Block] = []
    heading = ""
    lines = iter(page.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif line.startswith("```"):
            lang = line[3:].strip()
            body: list[str] = []
            for inner in lines:
                if inner.startswith("```"):
                    break
                body.append(inner)
            found.append(Block(lang, "\n".join(body) + "\n", heading, page))
    return found


def all_blocks() -> list[Block]:
    return [block for page in DOCS for block in blocks(page)]


def under(page: Path, heading: str, lang: str = "bash") -> list[Block]:
    return [b for b in blocks(page) if b.heading == heading and b.lang == lang]


@pytest.fixture
def emulator_on_path(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH finds ``avosms-emulator`` as a user's shell would."""
    command = emulator_command()
    if len(command) == 1:
        bin_dir = str(Path(command[0]).parent)
    else:  # no console script next to this interpreter: a shim running the same module
        shim_dir = tmp_path / "bin"
        shim_dir.mkdir()
        shim = shim_dir / "avosms-emulator"
        shim.write_text(f'#!/bin/sh\nexec {shlex.join(command)} "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
        bin_dir = str(shim_dir)
    return {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}


# -- which commands the pages show --------------------------------------------------------------


def quick_start() -> Block:
    """The README's Quick start section's first block: the two commands."""
    return under(README, "Quick start")[0]


def test_quick_start_is_the_two_commands_ci_runs() -> None:
    block = quick_start()
    assert block.commands() == ["./scripts/demo", "./scripts/test"]
    ci_run = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in block.commands():
        # Run exactly as the README writes it.
        pattern = rf"^\s*{re.escape(command)}\s*$"
        assert re.search(pattern, ci_run, re.MULTILINE), command
        assert os.access(REPO_ROOT / command, os.X_OK), command
    # Named, not linked: the README is also the PyPI page (tests/packaging/test_metadata.py).
    assert '`CONTRIBUTING.md` ("Quick start")' in README.read_text(encoding="utf-8")


def test_every_command_is_run_somewhere_or_says_what_it_needs() -> None:
    unaccounted = [
        (block.page.name, block.heading, command)
        for block in all_blocks()
        if block.lang in ("bash", "sh", "shell", "console")
        and not block.marked
        and block != quick_start()
        and (block.page, block.heading) not in RUN_HERE
        for command in block.commands()
    ]
    assert unaccounted == [], "mark these blocks '# needs ...', or run them in a test"


def test_relative_links_resolve() -> None:
    broken = []
    for page in DOCS:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            path = target.split("#", 1)[0]
            if not path or re.match(r"^[a-z]+:", path):
                continue
            resolved = (page.parent / path).resolve()
            if not resolved.exists():
                broken.append(f"{page.relative_to(REPO_ROOT)}: {target}")
    assert broken == []


def test_the_readme_is_for_users_and_short() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 10_240
    # Which front end to choose: the dynamic resources for Python, the plugin for the rest.
    assert "Which to choose" in text and "docs/plugin.md" in text
    # What contributors need (test layout, harness) is in CONTRIBUTING.md; the README names
    # the scripts only in its quick start, the two commands a fresh clone starts with.
    scripts = [line.split()[0] for line in text.splitlines() if "./scripts/" in line]
    assert scripts == quick_start().commands()
    assert "tests/" not in text
    # The type a user sees in `pulumi preview` is the one the resource registers.
    assert "pulumi-python:dynamic/avosms:ContactList" in text


# -- settings ----------------------------------------------------------------------------------


def _settings() -> Iterator[tuple[str, str]]:
    for value in vars(config).values():
        if (
            isinstance(value, tuple)
            and len(value) == 2
            and all(isinstance(v, str) for v in value)
            and value[0].startswith("avosms:")
        ):
            yield value


def test_settings_table_matches_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    keys = dict(_settings())
    rows = {
        match.group(1): line
        for line in text.splitlines()
        if (match := re.match(r"^\| `(avosms:\w+)`", line))
    }
    assert set(rows) == set(keys)
    for cfg_key, env_var in keys.items():
        assert f"`{env_var}`" in rows[cfg_key], cfg_key
    assert f"`{config.DEFAULT_ENDPOINT}`" in rows[config.ENDPOINT[0]]
    assert f"`{config.DEFAULT_TIMEOUT:g}`" in rows[config.TIMEOUT[0]]
    assert f"`{config.DEFAULT_MAX_RETRIES}`" in rows[config.MAX_RETRIES[0]]
    assert f"`{config.DEFAULT_CONNECT_TIMEOUT:g}`" in rows[config.CONNECT_TIMEOUT[0]]
    assert f"`{config.DEFAULT_RETRY_TIMEOUT:g}`" in rows[config.RETRY_TIMEOUT[0]]
    assert f"`{config.DEFAULT_MAX_CONCURRENCY}`" in rows[config.MAX_CONCURRENCY[0]]
    assert f"`{DEFAULT_EMULATOR_STATE}`" in rows[config.EMULATOR_STATE[0]]
    assert f"`{config.EMBEDDED_ENDPOINT}`" in rows[config.ENDPOINT[0]]
    # No other avosms:* key or AVOSMS_* variable is mentioned on any page (named accounts:
    # avosms:accounts and AVOSMS_<NAME>_API_ID..., documented in docs/accounts.md).
    for page in DOCS:
        page_text = page.read_text(encoding="utf-8")
        # Type tokens (avosms:index:Contact) and the plugin's functions (in YAML,
        # avosms:getContactList) are not settings.
        cfg_keys = set(re.findall(r"avosms:[a-z][a-zA-Z]*\b(?!:)", page_text)) - {
            _accounts.ACCOUNTS,
            *(f"avosms:{function.token.rpartition(':')[2]}" for function in FUNCTIONS),
        }
        assert cfg_keys <= set(keys), page.name
        variables = {
            v
            for v in re.findall(r"AVOSMS_[A-Z_]+", page_text)
            if _accounts.ACCOUNT_ENV_RE.fullmatch(v) is None
        }
        assert variables <= set(keys.values()) | OTHER_VARIABLES, page.name


# -- the emulator block, run ------------------------------------------------------------------


def test_command_line_block_runs(tmp_path: Path, emulator_on_path: dict[str, str]) -> None:
    (block,) = [b for b in under(README, "Try it without an AvoSMS account") if not b.marked]
    script = "set -euo pipefail\n" + block.text
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=emulator_on_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # The listing, between the edits and the delete: the renamed list with its one contact.
    assert re.search(r"^\d+\tNewsletter \(old\)\tFR\t1$", done.stdout, re.MULTILINE), done.stdout
    assert (tmp_path / ".avosms" / "emulator.sqlite3").is_file()


# -- docs/emulator.md's console blocks, run ----------------------------------------------------


def _console(heading: str) -> Block:
    (block,) = [b for b in under(EMULATOR_PAGE, heading, "console") if not b.marked]
    return block


def _as_pattern(line: str, port: str) -> str:
    """A printed line as a regex in which the page's port number stands for any port."""
    return re.escape(line).replace(re.escape(port), r"\d+")


def test_emulator_server_and_its_curl_calls_print_what_the_page_shows(
    tmp_path: Path, emulator_on_path: dict[str, str]
) -> None:
    ((serve, shown),) = _console("As a server").output()
    documented_port = re.search(r":(\d+)$", shown[0])
    assert documented_port is not None
    proc = subprocess.Popen(
        ["bash", "-c", "exec " + serve],
        cwd=tmp_path,  # no .avosms/ here: the state is in memory, as the page shows
        env=emulator_on_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = first_line(proc).strip()
        assert re.fullmatch(_as_pattern(shown[0], documented_port.group(1)), url), url
        port = url.rsplit(":", 1)[1]
        # The admin and fault examples use the default port, 8765: run them on this one.
        calls = [*_console("Admin routes").output(), *_console("Faults").output()]
        assert len(calls) == 2
        for command, printed in calls:
            assert "127.0.0.1:8765" in command, command
            done = subprocess.run(
                ["bash", "-c", command.replace("127.0.0.1:8765", f"127.0.0.1:{port}")],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            assert done.returncode == 0, (command, done.stderr)
            assert "error" not in json.loads(done.stdout), (command, done.stdout)
            if printed:
                assert json.loads(done.stdout) == json.loads("\n".join(printed)), command
        # The fault the page queues is there.
        with urllib.request.urlopen(f"{url}/_emulator/faults", timeout=10) as reply:
            assert [f["kind"] for f in json.load(reply)["faults"]] == ["http503"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    # Read through the text streams: first_line() may have buffered the lines after the first
    # (communicate() would read past that buffer).
    assert proc.stdout is not None and proc.stderr is not None
    with proc.stdout, proc.stderr:
        out, err = proc.stdout.read(), proc.stderr.read()
    assert proc.returncode == 0  # SIGTERM is a clean stop
    for line in shown[1:]:
        assert re.search(_as_pattern(line, documented_port.group(1)), out + err), (line, err)


def test_offline_edit_commands_print_what_the_page_shows(
    tmp_path: Path, emulator_on_path: dict[str, str]
) -> None:
    # The page's project: the embedded emulator's file with one list and one contact.
    state = str(DEFAULT_EMULATOR_STATE)
    run_emulator_cli("create-list", "--state", state, "Customers", "FR", cwd=tmp_path)
    run_emulator_cli(
        "add-contact", "--state", state, "1", "+33612345678", "--first-name", "Ann", cwd=tmp_path
    )
    calls = _console("Offline edits of a state file").output()
    assert [command.split()[1] for command, _ in calls] == ["lists", "contacts"]
    for command, printed in calls:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,  # --state left out: the project's .avosms/emulator.sqlite3
            env=emulator_on_path,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, (command, done.stderr)
        # A page cannot show trailing tabs (the contact's empty last fields).
        assert [line.rstrip() for line in done.stdout.splitlines()] == printed, command


# -- Python snippets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [b.text for b in all_blocks() if b.lang == "python"],
    ids=lambda text: text.strip().splitlines()[-1][:40],
)
def test_python_snippet_runs_under_mocks(snippet: str) -> None:
    def program() -> None:
        exec(compile(textwrap.dedent(snippet), "docs", "exec"), {"__name__": "__main__"})

    resources = h.program_inputs(program)
    assert resources, "the snippet declares no resource"


def test_python_version_matches_pyproject() -> None:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    minimum = re.search(r'^requires-python = ">=(\d+\.\d+)"$', pyproject, re.MULTILINE)
    assert minimum is not None
    assert f"Python {minimum.group(1)} or newer" in README.read_text(encoding="utf-8")


# -- the preview the README shows, with the real CLI -------------------------------------------


@pytest.mark.cli
@needs_cli
def test_minimal_program_previews_as_the_readme_shows(
    tmp_path: Path, wheel_venv: WheelVenv
) -> None:
    from pulumi import automation as auto

    (program,) = under(README, "A minimal program", "python")
    (shown,) = under(README, "Try it without an AvoSMS account", "text")
    source = tmp_path / "source"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(
        "name: avosms-try\nruntime:\n  name: python\n  options:\n    toolchain: pip\n",
        encoding="utf-8",
    )
    (source / "__main__.py").write_text(program.text, encoding="utf-8")
    work_dir = copy_project(source, tmp_path / "avosms-try", wheel_venv)
    stack = auto.create_or_select_stack(
        stack_name="dev",
        work_dir=str(work_dir),
        opts=auto.LocalWorkspaceOptions(env_vars=cli_env(tmp_path, wheel_venv)),
    )
    stack.set_config("avosms:endpoint", auto.ConfigValue(value="emulator"))
    printed = stack.preview(color="never").stdout
    # Each resource row of the README's output, as the CLI prints it (columns may differ).
    # Run without a terminal, the CLI prints one line per row, without the tree's glyphs
    # (its display's messageRenderer draws the tree only when interactive).
    rows = [
        [cell for cell in line.split() if cell.strip("└├│─")]
        for line in shown.text.splitlines()
        if line.startswith(" + ")
    ]
    assert len(rows) == 2
    for row in rows:
        assert re.search(r"\s+".join(map(re.escape, row)), printed), (row, printed)
    assert "+ 2 to create" in printed
