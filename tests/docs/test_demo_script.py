"""./scripts/demo finds or installs its Pulumi CLI without touching the user's own.

Run on a copy of the script in a temporary "checkout", with a PATH that has no ``pulumi``:

* without network (the installer's URL refuses connections), it says so in one line and exits
  non-zero, installing nothing;
* with an installer served from this machine (standing in for get.pulumi.com/install.sh), it
  runs it with the pinned version, into ``.pulumi-cli/`` of the checkout, without editing any
  profile and with a HOME that is not the user's.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.projects import REPO_ROOT

DEMO = REPO_ROOT / "scripts" / "demo"

#: An installer honouring the official one's options: it records how it was called and
#: writes a `pulumi` that reports the requested version.
FAKE_INSTALLER = r"""#!/bin/sh
set -e
version="" root=""
while [ $# -gt 0 ]; do
    case "$1" in
        --version) version="$2"; shift ;;
        --install-root) root="$2"; shift ;;
    esac
    shift
done
mkdir -p "$root/bin"
printf '%s\n' "$version" > "$root/installed-version"
printf '%s\n' "$HOME" > "$root/installer-home"
printf '#!/bin/sh\necho v%s\n' "$version" > "$root/bin/pulumi"
chmod +x "$root/bin/pulumi"
"""


def _pinned_version() -> str:
    found = re.search(r'PULUMI_CLI_VERSION="\$\{PULUMI_CLI_VERSION:-([\d.]+)\}"', DEMO.read_text())
    assert found is not None
    return found.group(1)


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(DEMO, root / "scripts" / "demo")
    return root


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    path = os.pathsep.join(d for d in ("/usr/bin", "/bin") if Path(d).is_dir())
    if shutil.which("pulumi", path=path) or not shutil.which("curl", path=path):
        pytest.skip("needs curl, and no pulumi, in /usr/bin:/bin")
    home = tmp_path / "home"
    home.mkdir()
    return {"PATH": path, "HOME": str(home), "VENV": str(tmp_path / "no-venv")}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(checkout: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(checkout / "scripts" / "demo")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_network_it_says_so_in_one_line_and_installs_nothing(
    checkout: Path, env: dict[str, str]
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/install.sh"
    done = _run(checkout, {**env, "PULUMI_INSTALLER_URL": url})
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "no network access" in lines[0] and url in lines[0]
    assert not (checkout / ".pulumi-cli").exists()
    assert not (checkout / ".venv").exists() and not Path(env["VENV"]).exists()
    assert list(Path(env["HOME"]).iterdir()) == []


@pytest.fixture
def installer_url() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = FAKE_INSTALLER.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/install.sh"
    finally:
        server.shutdown()
        server.server_close()


def test_without_a_cli_it_installs_the_pinned_one_into_the_checkout(
    checkout: Path, env: dict[str, str], installer_url: str
) -> None:
    done = _run(checkout, {**env, "PULUMI_INSTALLER_URL": installer_url})
    local = checkout / ".pulumi-cli"
    assert (local / "installed-version").read_text().strip() == _pinned_version()
    assert (local / "bin" / "pulumi").stat().st_mode & stat.S_IXUSR
    # The installer ran with a throw-away HOME: the user's home is left as it was.
    assert (local / "installer-home").read_text().strip() != env["HOME"]
    assert list(Path(env["HOME"]).iterdir()) == []
    assert "installing Pulumi CLI v" + _pinned_version() in done.stdout
    # The demo then went on (and stopped at the Python environment: this copy has no
    # requirements.txt), so the CLI was accepted.
    assert "Python environment" in done.stdout, done.stderr


def test_the_workflow_runs_the_demo_with_no_cli_on_path() -> None:
    workflow = (REPO_ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    job = workflow[workflow.index("  demo-without-cli:") :]
    assert "pulumi/actions" not in job  # nothing installs a CLI for it
    assert 'PATH="$clean_path" ./scripts/demo' in job
    assert "test -x .pulumi-cli/bin/pulumi" in job
