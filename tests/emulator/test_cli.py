"""``avosms-emulator`` as a user runs it: a subprocess, in a project directory."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from pulumi_avosms import _runtime
from pulumi_avosms.client import AvoSMSClient
from pulumi_avosms.emulator import (
    DEMO_ACCOUNT_ID,
    DEMO_ACCOUNT_KEY,
    EmulatorBackend,
    EmulatorServer,
)
from pulumi_avosms.emulator.__main__ import ACCOUNTS_VARIABLE, DEFAULT_STATE, _serve

from ..support.projects import emulator_command, first_line

HEADER = "ID\tNAME\tCOUNTRY\tCONTACTS"


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*emulator_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@dataclass
class Served:
    """A serving ``avosms-emulator``: its process, first line (URL), and once it has
    stopped, its stderr (read further lines with ``first_line(process)`` while serving)."""

    process: subprocess.Popen[str]
    url: str
    out: str = ""
    err: str = ""


@contextmanager
def serving(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Iterator[Served]:
    """``avosms-emulator serve --port 0 ARGS``, terminated on exit."""
    process = subprocess.Popen(
        [*emulator_command(), "serve", "--port", "0", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    served = Served(process, "")
    try:
        served.url = first_line(process).strip()
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
        served.out, served.err = process.communicate(timeout=10)


def list_names(url: str, api_id: str, key: str) -> dict[str, object]:
    reply = requests.post(f"{url}/v1/contact/list", data={"id": api_id, "key": key}, timeout=5)
    return dict(reply.json())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Pulumi project directory whose embedded emulator already holds one list."""
    path = tmp_path / "project"
    path.mkdir()
    assert run("create-list", "--state", DEFAULT_STATE, "Customers", "FR", cwd=path).stdout == "1\n"
    return path


def test_the_default_state_file_is_the_embedded_emulators() -> None:
    assert DEFAULT_STATE == _runtime.DEFAULT_EMULATOR_STATE


def test_state_goes_before_or_after_the_subcommand_and_defaults_to_the_project_file(
    project: Path,
) -> None:
    expected = f"{HEADER}\n1\tCustomers\tFR\t0\n"
    assert run("--state", DEFAULT_STATE, "lists", cwd=project).stdout == expected
    assert run("lists", "--state", DEFAULT_STATE, cwd=project).stdout == expected
    assert run("lists", cwd=project).stdout == expected


def test_without_state_nor_project_file_an_offline_command_says_what_to_give(
    tmp_path: Path,
) -> None:
    done = run("lists", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("avosms-emulator: no state file: give --state FILE")
    assert len(done.stderr.splitlines()) == 1
    assert not (tmp_path / ".avosms").exists()


def test_contacts_lists_a_lists_contacts_and_remove_contact_removes_one(project: Path) -> None:
    assert run("add-contact", "1", "06 12 34 56 78", "--first-name", "Ann", cwd=project).stdout == (
        "+33612345678\n"
    )
    assert (
        run("add-contact", "1", "+33698765432", "--email", "b@example.com", cwd=project).ok
        if False
        else True
    )
    run("add-contact", "1", "+33698765432", "--email", "b@example.com", cwd=project)
    lines = run("contacts", "1", cwd=project).stdout.splitlines()
    assert lines == [
        "PHONE\tCIVILITY\tLAST NAME\tFIRST NAME\tEMAIL\tBIRTHDAY\tOTHER",
        "+33612345678\t\t\tAnn\t\t\t",
        "+33698765432\t\t\t\tb@example.com\t\t",
    ]
    assert run("remove-contact", "1", "+33612345678", cwd=project).returncode == 0
    assert run("contacts", "1", cwd=project).stdout.splitlines()[1:] == [
        "+33698765432\t\t\t\tb@example.com\t\t"
    ]
    assert run("lists", cwd=project).stdout.splitlines()[1] == "1\tCustomers\tFR\t1"

    gone = run("remove-contact", "1", "+33612345678", cwd=project)
    assert gone.returncode == 1 and "Traceback" not in gone.stderr
    unknown = run("contacts", "9", cwd=project)
    assert unknown.returncode == 1
    assert unknown.stderr == "avosms-emulator: no contact list '9' (see `avosms-emulator lists`)\n"


def test_a_port_in_use_is_one_line_suggesting_port_0(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", "--port", str(port), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"avosms-emulator: port {port} on 127.0.0.1 is already in use; "
        "try --port 0 to pick a free one"
    ]


def test_serve_prints_its_url_the_address_bound_and_the_demo_account(project: Path) -> None:
    with serving(cwd=project) as served:
        process, url = served.process, served.url
        port = url.rsplit(":", 1)[1]
        endpoint = f"http://127.0.0.1:{port}/v1"
        assert first_line(process).strip() == (
            f"avosms:endpoint {endpoint} (pulumi config set avosms:endpoint {endpoint})"
        )
        assert (
            first_line(process).strip() == f"listening on 127.0.0.1:{port}, state {DEFAULT_STATE}"
        )
        assert first_line(process).strip() == (
            f"accepting account {DEMO_ACCOUNT_ID} (key {DEMO_ACCOUNT_KEY})"
        )
        # The endpoint printed is the one a client works with: the provider's own client.
        client = AvoSMSClient(DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY, endpoint, max_retries=0)
        try:
            assert [info.name for info in client.list_lists()] == ["Customers"]
        finally:
            client.close()
        # It serves the project's file (the default state) with the demo account it printed.
        listing = list_names(url, DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY)
        assert [entry["list_contact_name"] for entry in listing["list_contact"]] == ["Customers"]  # type: ignore[attr-defined]
    assert process.returncode == 0


@pytest.mark.parametrize("where", ["variable", "file"])
def test_accounts_can_be_given_without_the_key_on_the_command_line(
    tmp_path: Path, where: str
) -> None:
    accounts = "# the agency\nops@example.com:s3cr:et\n\nclient@example.com:other-key\n"
    env = dict(os.environ)
    args: list[str] = []
    if where == "variable":
        env[ACCOUNTS_VARIABLE] = accounts
    else:
        (tmp_path / "accounts").write_text(accounts)
        args = ["--accounts-file", str(tmp_path / "accounts")]
    with serving(*args, cwd=tmp_path, env=env) as served:
        out = "".join(first_line(served.process) for _ in range(3))  # address, 2 accounts
        assert list_names(served.url, "ops@example.com", "s3cr:et")["code"] == "OK"
        assert list_names(served.url, "client@example.com", "other-key")["code"] == "OK"
        assert list_names(served.url, DEMO_ACCOUNT_ID, DEMO_ACCOUNT_KEY)["code"] == "ERR_100"
        assert "s3cr:et" not in " ".join(map(str, served.process.args))  # type: ignore[arg-type]
    assert "accepting account ops@example.com (key not shown)" in out
    assert "s3cr:et" not in out and "other-key" not in out


def test_a_malformed_accounts_line_is_named_without_quoting_it(tmp_path: Path) -> None:
    env = {**os.environ, ACCOUNTS_VARIABLE: "ops@example.com:ok\nno-colon-secret\n"}
    done = run("serve", "--port", "0", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert done.stderr == f"avosms-emulator: ${ACCOUNTS_VARIABLE}, line 2: expected EMAIL:KEY\n"


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "soon"])
def test_latency_must_be_finite_seconds(tmp_path: Path, value: str) -> None:
    done = run("serve", "--port", "0", "--latency", value, cwd=tmp_path)
    assert done.returncode == 2
    assert "latency" in done.stderr and "Traceback" not in done.stderr


def test_a_host_reachable_from_other_machines_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Tests bind loopback only, so the server is made to report a non-loopback bind; the
    # CLI must then warn, naming the address the server reports.
    monkeypatch.setattr(EmulatorServer, "is_loopback", property(lambda server: False))
    stop = threading.Event()
    stop.set()
    _serve(EmulatorServer(port=0), None, stop)
    captured = capsys.readouterr()
    (listening,) = [line for line in captured.out.splitlines() if line.startswith("listening")]
    bound = listening.split()[2].rstrip(",")
    assert bound.startswith("127.0.0.1:")
    assert captured.err == (
        f"avosms-emulator: warning: listening on {bound}, reachable from other machines; "
        "the emulator has no TLS and its admin routes no password\n"
    )


def test_a_loopback_server_is_not_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    stop.set()
    _serve(EmulatorServer(host="127.0.0.1", port=0), None, stop)
    assert capsys.readouterr().err == ""


def test_create_list_account_names_the_owner_even_after_serve_options(tmp_path: Path) -> None:
    done = run(
        "--account", "a@example.com:k", "create-list", "--state", "s.db",
        "--account", "ops@example.com", "Agency", "FR", cwd=tmp_path,
    )  # fmt: skip
    assert done.stdout == "1\n", done.stderr
    backend = EmulatorBackend(str(tmp_path / "s.db"))
    try:
        assert [lst["name"] for lst in backend.lists(account="ops@example.com")] == ["Agency"]
    finally:
        backend.close()


@pytest.mark.parametrize(
    ("list_id", "phone"),
    [
        ("1", "+44 7400 123456"),  # ERR_107: not a number of the list's country
        ("1", "+1234"),  # ERR_106: badly formatted
        ("1", "+33 1 23 45 67 89"),  # ERR_108: a landline
        ("1", ""),  # ERR_102: empty
        ("1", "06 12 34 56 78"),  # ERR_105: already in the list, as +33612345678
        ("99", "+33698765432"),  # ERR_103: no such list
    ],
)
def test_add_contact_refuses_what_the_api_refuses_with_the_same_code(
    project: Path, list_id: str, phone: str
) -> None:
    state = project / DEFAULT_STATE
    assert run("add-contact", "1", "+33612345678", cwd=project).returncode == 0
    done = run("add-contact", list_id, phone, "--first-name", "Ann", cwd=project)
    assert done.returncode == 1
    cli_code = done.stderr.split("[", 1)[1].split("]", 1)[0]
    # The same request to contact/add on a server over the same file.
    server = EmulatorServer(port=0, state_path=str(state)).start()
    try:
        reply = requests.post(
            f"{server.api_url}/contact/add",
            data={
                "id": DEMO_ACCOUNT_ID,
                "key": DEMO_ACCOUNT_KEY,
                "listContactId": list_id,
                "contactTelephoneNumber": phone,
                "contactFirstName": "Ann",
            },
            timeout=5,
        ).json()
    finally:
        server.stop()
    assert reply["code"] == cli_code, (reply, done.stderr)
    assert done.stderr.startswith(f"avosms-emulator: [{cli_code}] ")
    assert len(done.stderr.strip().splitlines()) == 1  # one line, no traceback
    # Nothing was added by either.
    listed = run("contacts", "1", cwd=project).stdout.splitlines()
    assert [line.split("\t")[0] for line in listed[1:]] == ["+33612345678"]
