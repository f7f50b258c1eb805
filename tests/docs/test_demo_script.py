"""./scripts/demo finds, or downloads and checks, its Pulumi CLI without touching the user's own.

Run on a copy of the script in a temporary "checkout", with a PATH that has no ``pulumi``, and
Pulumi's two release hosts (get.pulumi.com for archives, the GitHub release for the checksums
file) played by a local server through ``PULUMI_ARCHIVE_BASE_URL`` and
``PULUMI_CHECKSUMS_BASE_URL``:

* an archive matching its SHA-256 in the checksums file installs into ``.pulumi-cli/bin`` of
  the checkout, the demo goes on, and a next run downloads nothing;
* an archive that does not match, or that the checksums file does not list, is refused in one
  line, exit non-zero, nothing installed;
* an HTTP error, or no network at all (a port that refuses connections), is one line, exit
  non-zero, nothing installed.
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import re
import shutil
import socket
import stat
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.projects import REPO_ROOT, load_yaml

DEMO = REPO_ROOT / "scripts" / "demo"

#: What the fake virtualenv's python prints: the demo got past its CLI step.
VENV_PYTHON_RAN = "venv python ran:"


def _pinned_version() -> str:
    found = re.search(r'PULUMI_CLI_VERSION="\$\{PULUMI_CLI_VERSION:-([\d.]+)\}"', DEMO.read_text())
    assert found is not None
    return found.group(1)


VERSION = _pinned_version()
#: The checksums file's name in Pulumi's releases: the version without its "v".
CHECKSUMS = f"pulumi-{VERSION}-checksums.txt"


def _archive_name() -> str:
    """This machine's archive in Pulumi's releases: ``pulumi-v<version>-<os>-<arch>.tar.gz``."""
    system = {"Linux": "linux", "Darwin": "darwin"}.get(platform.system())
    arch = {"x86_64": "x64", "amd64": "x64", "arm64": "arm64", "aarch64": "arm64"}.get(
        platform.machine().lower()
    )
    if system is None or arch is None:
        pytest.skip(f"Pulumi publishes no CLI for {platform.system()} {platform.machine()}")
    return f"pulumi-v{VERSION}-{system}-{arch}.tar.gz"


def _release_archive(reported_version: str) -> bytes:
    """A release archive laid out as Pulumi's: ``pulumi/`` holding the CLI (here a script
    reporting ``reported_version``) and a bundled language host."""
    members = {
        "pulumi/pulumi": f"#!/bin/sh\necho v{reported_version}\n",
        "pulumi/pulumi-language-python": "#!/bin/sh\nexit 0\n",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _checksums(entries: dict[str, bytes]) -> bytes:
    """A checksums file as Pulumi publishes it: ``<sha256>  <asset>`` per line."""
    lines = [f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in entries.items()]
    return "".join(lines).encode()


@dataclass
class ReleaseServer:
    """Serves ``/archives/<name>`` and ``/checksums/<name>``; 404 for anything else."""

    url: str
    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            "PULUMI_ARCHIVE_BASE_URL": f"{self.url}/archives",
            "PULUMI_CHECKSUMS_BASE_URL": f"{self.url}/checksums",
        }

    def publish(self, archive: bytes, checksums: bytes) -> None:
        self.files[f"/archives/{_archive_name()}"] = archive
        self.files[f"/checksums/{CHECKSUMS}"] = checksums


@pytest.fixture
def release() -> Iterator[ReleaseServer]:
    server_state: list[ReleaseServer] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served = server_state[0]
            served.requests.append(self.path)
            body = served.files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.append(ReleaseServer(url=f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state[0]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(DEMO, root / "scripts" / "demo")
    return root


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No pulumi on PATH, an empty HOME, and a virtualenv whose python only says it ran (so
    the demo stops right after its CLI step, creating nothing)."""
    path = os.pathsep.join(d for d in ("/usr/bin", "/bin") if Path(d).is_dir())
    if shutil.which("pulumi", path=path) or not shutil.which("curl", path=path):
        pytest.skip("needs curl, and no pulumi, in /usr/bin:/bin")
    home = tmp_path / "home"
    home.mkdir()
    venv_python = tmp_path / "venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text(f'#!/bin/sh\necho "{VENV_PYTHON_RAN} $*"\nexit 3\n')
    venv_python.chmod(0o755)
    return {"PATH": path, "HOME": str(home), "VENV": str(venv_python.parent.parent)}


def _run(checkout: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(checkout / "scripts" / "demo")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _assert_refused_in_one_line(
    done: subprocess.CompletedProcess[str], checkout: Path, env: dict[str, str], *words: str
) -> str:
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert not (checkout / ".pulumi-cli").exists()
    assert VENV_PYTHON_RAN not in done.stdout
    assert list(Path(env["HOME"]).iterdir()) == []
    return lines[0]


def test_a_checked_release_installs_into_the_checkout_and_the_demo_goes_on(
    checkout: Path, env: dict[str, str], release: ReleaseServer
) -> None:
    archive = _release_archive(VERSION)
    release.publish(
        archive, _checksums({"pulumi-v0.0.1-linux-x64.tar.gz": b"other", _archive_name(): archive})
    )

    done = _run(checkout, {**env, **release.env()})

    assert release.requests == [f"/archives/{_archive_name()}", f"/checksums/{CHECKSUMS}"]
    bin_dir = checkout / ".pulumi-cli" / "bin"
    cli = bin_dir / "pulumi"
    assert cli.stat().st_mode & stat.S_IXUSR
    version = subprocess.run([cli, "version"], capture_output=True, text=True, check=True)
    assert version.stdout == f"v{VERSION}\n"
    # The bundled language host sits next to it, and nothing else is left behind.
    assert (bin_dir / "pulumi-language-python").is_file()
    assert sorted(p.name for p in (checkout / ".pulumi-cli").iterdir()) == ["bin"]
    assert f"matches its SHA-256 in {release.url}/checksums/{CHECKSUMS}" in done.stdout
    assert list(Path(env["HOME"]).iterdir()) == []
    # The demo went on with that CLI, to its Python environment step.
    assert f"{VENV_PYTHON_RAN} -m pip install" in done.stdout, done.stderr
    assert done.returncode == 3

    # A next run uses the installed CLI: nothing is downloaded again.
    release.requests.clear()
    again = _run(checkout, {**env, **release.env()})
    assert release.requests == []
    assert f"{VENV_PYTHON_RAN} -m pip install" in again.stdout, again.stderr


@pytest.mark.parametrize("case", ["tampered archive", "archive not listed"])
def test_an_archive_that_fails_its_checksum_is_refused_in_one_line(
    case: str, checkout: Path, env: dict[str, str], release: ReleaseServer
) -> None:
    archive = _release_archive(VERSION)
    if case == "tampered archive":
        checksums = _checksums({_archive_name(): archive + b"\0"})
    else:
        checksums = _checksums({"pulumi-v0.0.1-linux-x64.tar.gz": archive})
    release.publish(archive, checksums)

    done = _run(checkout, {**env, **release.env()})

    line = _assert_refused_in_one_line(done, checkout, env, "refusing", "nothing was installed")
    assert f"{release.url}/archives/{_archive_name()}" in line
    if case == "tampered archive":
        assert hashlib.sha256(archive).hexdigest() in line


def test_an_archive_whose_cli_reports_another_version_is_refused(
    checkout: Path, env: dict[str, str], release: ReleaseServer
) -> None:
    archive = _release_archive("0.0.1")
    release.publish(archive, _checksums({_archive_name(): archive}))
    done = _run(checkout, {**env, **release.env()})
    _assert_refused_in_one_line(done, checkout, env, "'v0.0.1'", "nothing was installed")


def test_a_release_not_published_is_an_http_error_in_one_line(
    checkout: Path, env: dict[str, str], release: ReleaseServer
) -> None:
    done = _run(checkout, {**env, **release.env()})
    _assert_refused_in_one_line(
        done, checkout, env, f"{release.url}/archives/{_archive_name()}", "HTTP error"
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_without_network_it_says_so_in_one_line_and_installs_nothing(
    checkout: Path, env: dict[str, str]
) -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    urls = {"PULUMI_ARCHIVE_BASE_URL": base, "PULUMI_CHECKSUMS_BASE_URL": base}
    done = _run(checkout, {**env, **urls})
    line = _assert_refused_in_one_line(
        done, checkout, env, "no network access", f"{base}/{_archive_name()}"
    )
    # It says what to do: install the CLI another way and point the demo at it.
    assert "https://www.pulumi.com/docs/install/" in line
    assert "PULUMI=/path/to/pulumi ./scripts/demo" in line


def test_the_advice_works_a_cli_given_with_pulumi_is_used_without_network(
    checkout: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # Following the line above: a CLI installed elsewhere, named by PULUMI=, no network.
    cli = tmp_path / "elsewhere" / "pulumi"
    cli.parent.mkdir()
    cli.write_text('#!/bin/sh\necho pulumi-elsewhere "$@"\n', encoding="utf-8")
    cli.chmod(0o755)
    base = f"http://127.0.0.1:{_closed_port()}"
    urls = {"PULUMI_ARCHIVE_BASE_URL": base, "PULUMI_CHECKSUMS_BASE_URL": base}
    done = _run(checkout, {**env, **urls, "PULUMI": str(cli)})
    # Past the CLI step, on to the Python environment; nothing downloaded or installed.
    assert VENV_PYTHON_RAN in done.stdout, done.stderr
    assert "no network access" not in done.stderr
    assert not (checkout / ".pulumi-cli").exists()


def test_the_workflow_runs_the_demo_with_no_cli_on_path() -> None:
    workflow = load_yaml(REPO_ROOT / ".github" / "workflows" / "ci.yml")
    job = workflow["jobs"]["demo-without-cli"]
    assert not any("pulumi/actions" in str(step.get("uses", "")) for step in job["steps"])
    run = next(step["run"] for step in job["steps"] if "./scripts/demo" in step.get("run", ""))
    # The demo runs on a PATH shown to have no pulumi, and leaves the CLI it installed.
    assert 'if PATH="$clean_path" command -v pulumi; then' in run
    assert 'PATH="$clean_path" ./scripts/demo' in run
    assert "test -x .pulumi-cli/bin/pulumi" in run
