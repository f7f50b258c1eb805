"""Command line: ``avosms-emulator`` / ``python -m pulumi_avosms.emulator``.

``avosms-emulator [serve] [--host H] [--port P] [--state FILE] [--account EMAIL:KEY]...
[--accounts-file FILE] [--latency S]`` serves the API (``serve`` is the default), prints
the base URL on its first line once it accepts connections, then the ``avosms:endpoint`` to
give the provider (the base URL + ``/v1``), the address bound and the accounts it accepts,
and runs until SIGINT or SIGTERM.

Offline subcommands act on a state file directly (SQLite serialises them with a running
server on the same file): ``lists``, ``contacts``, ``create-list``, ``rename-list``,
``delete-list``, ``add-contact``, ``remove-contact``. ``--state`` goes before or after the
subcommand and defaults to :data:`DEFAULT_STATE` when that file exists. ``docs/emulator.md``
documents every command.

New subcommands: add a ``_cmd_*`` function and register it in :func:`build_parser`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType

from .backend import CONTACT_FIELDS, DEFAULT_ACCOUNTS, DEMO_ACCOUNT_ID, ApiError, EmulatorBackend
from .faults import check_seconds
from .server import EmulatorServer

__all__ = ["ACCOUNTS_VARIABLE", "DEFAULT_PORT", "DEFAULT_STATE", "build_parser", "main"]

DEFAULT_PORT = 8765

#: The embedded emulator's file in a Pulumi project (``_runtime.DEFAULT_EMULATOR_STATE``).
DEFAULT_STATE = os.path.join(".avosms", "emulator.sqlite3")

#: Accounts accepted by ``serve``, one ``EMAIL:KEY`` a line, kept off the command line
#: (argv is visible to every user of the machine).
ACCOUNTS_VARIABLE = "AVOSMS_EMULATOR_ACCOUNTS"


class _CliError(Exception):
    """A command that cannot run; the message (one line) says why and what to do."""


def _account(text: str) -> tuple[str, str]:
    email, sep, key = text.strip().partition(":")  # the key may contain ':'; an e-mail not
    if not sep or not email or not key:
        raise ValueError("expected EMAIL:KEY")
    return email, key


def _account_arg(text: str) -> tuple[str, str]:
    try:
        return _account(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected EMAIL:KEY, got {text!r}") from None


def _seconds_arg(text: str) -> float:
    try:
        return check_seconds(text, "latency")
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _accounts_in(text: str, source: str) -> list[tuple[str, str]]:
    """``EMAIL:KEY`` lines (blank lines and ``#`` comments skipped); never quotes a key."""
    accounts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            accounts.append(_account(line))
        except ValueError:
            raise _CliError(f"{source}, line {number}: expected EMAIL:KEY") from None
    return accounts


def _option(parser: argparse.ArgumentParser, suppress: bool, *flags: str, **kw: object) -> None:
    # In subparsers defaults are SUPPRESSed so that an option given before the subcommand
    # (`avosms-emulator --state F lists`) is not overwritten by the subparser's default.
    if suppress:
        kw["default"] = argparse.SUPPRESS
    parser.add_argument(*flags, **kw)  # type: ignore[arg-type]


def _add_state_option(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    _option(
        parser,
        suppress,
        "--state",
        metavar="FILE",
        default=None,
        help=f"SQLite state file (default: {DEFAULT_STATE} when it exists; serve: else memory)",
    )


def _add_serve_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    _option(parser, suppress, "--host", default="127.0.0.1", help="address to listen on")
    _option(
        parser,
        suppress,
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"TCP port (0 picks a free one; default {DEFAULT_PORT})",
    )
    _option(
        parser,
        suppress,
        "--account",
        metavar="EMAIL:KEY",
        type=_account_arg,
        action="append",
        default=None,
        help="accepted credentials (repeatable; visible to other users: prefer "
        f"--accounts-file or ${ACCOUNTS_VARIABLE}); default demo@avosms.local:demo-key",
    )
    _option(
        parser,
        suppress,
        "--accounts-file",
        metavar="FILE",
        default=None,
        help="accepted credentials, one EMAIL:KEY a line",
    )
    _option(
        parser,
        suppress,
        "--latency",
        metavar="SECONDS",
        type=_seconds_arg,
        default=0.0,
        help="delay added to every API call",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: serve options and ``--state`` at top level, plus subcommands."""
    parser = argparse.ArgumentParser(
        prog="avosms-emulator",
        description="Local emulator of the AvoSMS contact-list API (not the real service).",
    )
    _add_serve_options(parser, suppress=False)
    _add_state_option(parser, suppress=False)
    parser.set_defaults(func=_cmd_serve)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API (the default)")
    _add_serve_options(serve, suppress=True)
    _add_state_option(serve, suppress=True)
    serve.set_defaults(func=_cmd_serve)

    def offline(
        name: str, help_text: str, func: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        _add_state_option(sub, suppress=True)
        sub.set_defaults(func=func)
        return sub

    offline("lists", "print id, name, country, contact count of every list", _cmd_lists)

    contacts = offline("contacts", "print the contacts of one list", _cmd_contacts)
    contacts.add_argument("list_id", metavar="LIST_ID")

    create = offline("create-list", "create a list; prints its id", _cmd_create_list)
    create.add_argument("name")
    create.add_argument("country_code", metavar="COUNTRY")
    create.add_argument(
        "--account", dest="owner", metavar="EMAIL", default=None, help="owner account"
    )

    rename = offline("rename-list", "rename a list", _cmd_rename_list)
    rename.add_argument("list_id", metavar="LIST_ID")
    rename.add_argument("name", metavar="NEW_NAME")

    delete = offline("delete-list", "delete a list and its contacts", _cmd_delete_list)
    delete.add_argument("list_id", metavar="LIST_ID")

    add = offline("add-contact", "add a contact to a list; prints its number", _cmd_add_contact)
    add.add_argument("list_id", metavar="LIST_ID")
    add.add_argument("phone_number", metavar="PHONE")
    for field in CONTACT_FIELDS:
        add.add_argument(f"--{field.replace('_', '-')}", default="")

    remove = offline("remove-contact", "remove a contact from a list", _cmd_remove_contact)
    remove.add_argument("list_id", metavar="LIST_ID")
    remove.add_argument("phone_number", metavar="PHONE")
    return parser


# ------------------------------------------------------------------------------- serve


def _serve_accounts(args: argparse.Namespace) -> dict[str, str]:
    accounts: list[tuple[str, str]] = list(args.account or [])
    if args.accounts_file:
        try:
            with open(args.accounts_file, encoding="utf-8") as stream:
                text = stream.read()
        except OSError as error:
            raise _CliError(f"cannot read --accounts-file: {error}") from None
        accounts += _accounts_in(text, args.accounts_file)
    if os.environ.get(ACCOUNTS_VARIABLE, "").strip():
        accounts += _accounts_in(os.environ[ACCOUNTS_VARIABLE], f"${ACCOUNTS_VARIABLE}")
    return dict(accounts) if accounts else dict(DEFAULT_ACCOUNTS)


def _start_server(args: argparse.Namespace, state: str | None) -> EmulatorServer:
    try:
        return EmulatorServer(
            host=args.host,
            port=args.port,
            state_path=state,
            accounts=_serve_accounts(args),
            latency=args.latency,
        )
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise _CliError(
                f"port {args.port} on {args.host} is already in use; "
                "try --port 0 to pick a free one"
            ) from None
        raise _CliError(f"cannot listen on {args.host} port {args.port}: {error}") from None


def _cmd_serve(args: argparse.Namespace) -> int:
    state = _state_path(args, serving=True)
    _prepare_state(state, create=True)
    server = _start_server(args, state)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _serve(server, state, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _serve(server: EmulatorServer, state: str | None, stop: threading.Event) -> None:
    """Serve until ``stop`` is set, saying first where and to whom; then stop the server."""
    try:
        server.start()
        # The socket listens before this line: whoever reads the URL may connect at once.
        print(server.url, flush=True)
        # What a user pastes: the base URL alone would miss the API's /v1 (HTTP 404).
        print(
            f"avosms:endpoint {server.api_url} (pulumi config set avosms:endpoint {server.api_url})"
        )
        print(f"listening on {server.bound_address}, state {state or 'in memory'}")
        for account, key in server.backend.accounts.items():
            shown = f"key {key}" if account == DEMO_ACCOUNT_ID else "key not shown"
            print(f"accepting account {account} ({shown})")
        sys.stdout.flush()
        if not server.is_loopback:
            print(
                f"avosms-emulator: warning: listening on {server.bound_address}, reachable "
                "from other machines; the emulator has no TLS and its admin routes no password",
                file=sys.stderr,
                flush=True,
            )
        stop.wait()  # lock waits are interrupted by signals on POSIX
    finally:
        server.stop()


# ------------------------------------------------------------------------------- offline


def _state_path(args: argparse.Namespace, *, serving: bool = False) -> str | None:
    """The --state file, else DEFAULT_STATE if it exists; None (memory) only for serve."""
    if args.state is not None:
        return str(args.state)
    if os.path.exists(DEFAULT_STATE):
        return DEFAULT_STATE
    if serving:
        return None
    raise _CliError(
        f"no state file: give --state FILE (the default, {DEFAULT_STATE}, is not here; "
        "run this in the Pulumi project directory to use the embedded emulator's file)"
    )


def _prepare_state(path: str | None, *, create: bool) -> None:
    # A mistyped --state must not silently show an empty account: only commands that create
    # data may start a new file, and they make its directory (`.avosms/` on a fresh clone).
    if path is None or os.path.exists(path):
        return
    if not create:
        raise _CliError(
            f"no state file at {path!r}; check --state (the embedded emulator's file is "
            f"{DEFAULT_STATE} in the Pulumi project directory)"
        )
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)


@contextlib.contextmanager
def _backend(args: argparse.Namespace, *, create: bool = False) -> Iterator[EmulatorBackend]:
    path = _state_path(args)
    _prepare_state(path, create=create)
    args.state = path  # named in a SQLite error's message
    backend = EmulatorBackend(path)
    try:
        yield backend
    finally:
        backend.close()


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Tab-separated, with a header row (``cut -f`` and ``column -t`` read it)."""
    for row in (header, *rows):
        print("\t".join(str(cell) for cell in row))


def _cmd_lists(args: argparse.Namespace) -> int:
    with _backend(args) as backend:
        rows = [
            (i["list_id"], i["name"], i["country_code"], i["contact_count"])
            for i in backend.lists()
        ]
    _table(("ID", "NAME", "COUNTRY", "CONTACTS"), rows)
    return 0


def _cmd_contacts(args: argparse.Namespace) -> int:
    with _backend(args) as backend:
        found = backend.get_list(args.list_id)
    if found is None:
        raise _CliError(f"no contact list {args.list_id!r} (see `avosms-emulator lists`)")
    rows = [(c["phone_number"], *(c[f] for f in CONTACT_FIELDS)) for c in found["contacts"]]
    _table(("PHONE", *(f.upper().replace("_", " ") for f in CONTACT_FIELDS)), rows)
    return 0


def _cmd_create_list(args: argparse.Namespace) -> int:
    with _backend(args, create=True) as backend:
        print(backend.console_create_list(args.name, args.country_code, account=args.owner))
    return 0


def _cmd_rename_list(args: argparse.Namespace) -> int:
    with _backend(args) as backend:
        backend.console_rename_list(args.list_id, args.name)
    return 0


def _cmd_delete_list(args: argparse.Namespace) -> int:
    with _backend(args) as backend:
        backend.console_delete_list(args.list_id)
    return 0


def _cmd_add_contact(args: argparse.Namespace) -> int:
    fields = {field: getattr(args, field) for field in CONTACT_FIELDS}
    with _backend(args) as backend:
        print(backend.console_add_contact(args.list_id, args.phone_number, **fields))
    return 0


def _cmd_remove_contact(args: argparse.Namespace) -> int:
    with _backend(args) as backend:
        backend.console_remove_contact(args.list_id, args.phone_number)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``avosms-emulator``; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ApiError, _CliError) as error:
        print(f"avosms-emulator: {error}", file=sys.stderr)
        return 1
    except sqlite3.Error as error:
        print(
            f"avosms-emulator: cannot use the state file {args.state!r}: {error}", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
