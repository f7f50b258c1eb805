"""README.md stays accurate: its commands run, its settings exist, its code runs.

The README's rule: every shell command in it is run by a test (here) or by ``.ci/run``, or
sits in a block whose first line says it needs the Pulumi CLI or an AvoSMS account.

* Quick start: exactly ``./scripts/demo`` and ``./scripts/test``, the commands .ci/run runs.
* The emulator section: the command-line block runs as a bash script in a temporary
  directory; the server block starts ``avosms-emulator`` (on port 0 instead of the
  documented 8765) and the curl call gets the documented reply.
* Every other bash block is marked as needing the CLI or an account.
* The settings table matches ``pulumi_avosms.config``; Python snippets run under mocks.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pulumi_avosms import config
from pulumi_avosms._runtime import DEFAULT_EMULATOR_STATE
from tests.support import harness as h
from tests.support.projects import REPO_ROOT, emulator_command, first_line

README = REPO_ROOT / "README.md"
#: What a block's first line says when its commands cannot run here.
MARKERS = ("needs the Pulumi CLI", "needs an AvoSMS account")
#: Sections whose bash blocks this module runs.
RUN_HERE = ("Editing its data from the command line", "As a server")


@dataclass
class Block:
    """One fenced code block of the README."""

    lang: str
    text: str
    heading: str  # the nearest heading above it, without the #s

    @property
    def marked(self) -> bool:
        """Whether its first line is a comment saying what it needs."""
        first = self.text.lstrip().splitlines()[0] if self.text.strip() else ""
        return first.startswith("#") and any(marker in first for marker in MARKERS)

    def commands(self) -> list[str]:
        """Its shell commands: continuation lines joined, comments and blank lines dropped."""
        joined = self.text.replace("\\\n", " ")
        found = []
        for line in joined.splitlines():
            words = shlex.split(line, comments=True)
            if words:
                found.append(shlex.join(words))
        return found


def blocks() -> list[Block]:
    """Every fenced block of the README, with the heading it is under."""
    found: list[Block] = []
    heading = ""
    lines = iter(README.read_text(encoding="utf-8").splitlines())
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
            found.append(Block(lang, "\n".join(body) + "\n", heading))
    return found


def under(heading: str, lang: str = "bash") -> list[Block]:
    return [b for b in blocks() if b.heading == heading and b.lang == lang]


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


# -- which commands the README shows -----------------------------------------------------------


def quick_start() -> Block:
    """The Quick start section's first block: the two commands."""
    return under("Quick start")[0]


def test_quick_start_is_the_two_commands_ci_runs() -> None:
    block = quick_start()
    assert block.commands() == ["./scripts/demo", "./scripts/test"]
    ci_run = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in block.commands():
        assert re.search(rf"^\s*{re.escape(command)}\s*$", ci_run, re.MULTILINE), command
        assert os.access(REPO_ROOT / command, os.X_OK), command


def test_every_command_is_run_somewhere_or_says_what_it_needs() -> None:
    unaccounted = [
        (block.heading, command)
        for block in blocks()
        if block.lang in ("bash", "sh", "shell", "console")
        and not block.marked
        and block != quick_start()
        and block.heading not in RUN_HERE
        for command in block.commands()
    ]
    assert unaccounted == [], "mark these blocks '# needs ...', or run them in a test"


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
    assert f"`{DEFAULT_EMULATOR_STATE}`" in rows[config.EMULATOR_STATE[0]]
    assert f"`{config.EMBEDDED_ENDPOINT}`" in rows[config.ENDPOINT[0]]
    # No other avosms:* key or AVOSMS_* variable is mentioned anywhere.
    assert set(re.findall(r"avosms:[a-zA-Z]+", text)) <= set(keys)
    assert set(re.findall(r"AVOSMS_[A-Z_]+", text)) <= set(keys.values())


# -- the emulator section, run --------------------------------------------------------------------


def test_command_line_block_runs(tmp_path: Path, emulator_on_path: dict[str, str]) -> None:
    (block,) = under("Editing its data from the command line")
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


def test_server_block_and_curl_give_the_documented_reply(
    tmp_path: Path, emulator_on_path: dict[str, str]
) -> None:
    serve_block, curl_block = [b for b in under("As a server") if not b.marked]
    (serve,) = serve_block.commands()
    printed = re.search(r"^# prints: (\S+)$", serve_block.text, re.MULTILINE)
    assert printed is not None
    documented_url = printed.group(1)
    port = re.search(r"--port (\d+)", serve)
    assert port is not None and documented_url.endswith(f":{port.group(1)}")

    # The same command on a free port (the documented one may be taken on this machine).
    proc = subprocess.Popen(
        ["bash", "-c", "exec " + serve.replace(port.group(0), "--port 0")],
        cwd=tmp_path,
        env=emulator_on_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = first_line(proc).strip()
        assert re.fullmatch(re.escape(documented_url).replace(port.group(1), r"\d+"), url), url

        (curl,) = curl_block.commands()
        reply = re.search(r"^# (\{.*\})$", curl_block.text, re.MULTILINE)
        assert reply is not None
        if shutil.which("curl") is None:
            pytest.skip("curl is not installed")
        done = subprocess.run(
            ["bash", "-c", curl.replace(documented_url, url)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == json.loads(reply.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == 0  # SIGTERM is a clean stop


# -- Python snippets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [b.text for b in blocks() if b.lang == "python"],
    ids=lambda text: text.strip().splitlines()[-1][:40],
)
def test_python_snippet_runs_under_mocks(snippet: str) -> None:
    def program() -> None:
        exec(compile(textwrap.dedent(snippet), "README.md", "exec"), {"__name__": "__main__"})

    resources = h.program_inputs(program)
    assert resources, "the snippet declares no resource"


def test_python_version_matches_pyproject() -> None:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    minimum = re.search(r'^requires-python = ">=(\d+\.\d+)"$', pyproject, re.MULTILINE)
    assert minimum is not None
    assert f"Python {minimum.group(1)} or newer" in README.read_text(encoding="utf-8")
