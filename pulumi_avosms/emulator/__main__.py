"""Command line: ``avosms-emulator`` / ``python -m pulumi_avosms.emulator``.

``avosms-emulator [serve] [--host H] [--port P] [--state FILE] [--account EMAIL:KEY]...
[--latency S]`` serves the API (``serve`` is the default when no subcommand is given),
prints one line — the base URL — once it accepts connections, and runs until SIGINT or
SIGTERM.

Offline subcommands act on a state file directly (SQLite serialises them with a running
server on the same file):

- ``lists --state FILE``                      one line per list: id, name, country, count
- ``create-list --state FILE NAME COUNTRY``   prints the new list's id
- ``rename-list --state FILE LIST_ID NEW_NAME``
- ``delete-list --state FILE LIST_ID``
- ``add-contact --state FILE LIST_ID PHONE [--first-name ..] [--last-name ..] ...``

New subcommands: add a ``_cmd_*`` function and register it in :func:`build_parser`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType

from .backend import DEFAULT_ACCOUNTS, ApiError, EmulatorBackend
from .server import EmulatorServer

__all__ = ["build_parser", "main"]

DEFAULT_PORT = 8765


def _account(text: str) -> tuple[str, str]:
    email, sep, key = text.partition(":")  # the key may contain ':'; an e-mail does not
    if not sep or not email or not key:
        raise argparse.ArgumentTypeError(f"expected EMAIL:KEY, got {text!r}")
    return email, key


def _add_serve_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # In the `serve` subparser the defaults are SUPPRESSed so that options given before
    # the subcommand (`avosms-emulator --port 0 serve`) are not overwritten by defaults.
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument("--host", default=default("127.0.0.1"), help="address to listen on")
    parser.add_argument(
        "--port",
        type=int,
        default=default(DEFAULT_PORT),
        help=f"TCP port (0 picks a free one; default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--state",
        metavar="FILE",
        default=default(None),
        help="SQLite file keeping the data across restarts (default: in memory)",
    )
    parser.add_argument(
        "--account",
        metavar="EMAIL:KEY",
        type=_account,
        action="append",
        default=default(None),
        help="accepted credentials (repeatable; default demo@avosms.local:demo-key)",
    )
    parser.add_argument(
        "--latency",
        metavar="SECONDS",
        type=float,
        default=default(0.0),
        help="delay added to every API call",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: serve options at top level, plus subcommands."""
    parser = argparse.ArgumentParser(
        prog="avosms-emulator",
        description="Local emulator of the AvoSMS contact-list API (not the real service).",
    )
    _add_serve_options(parser, suppress=False)
    parser.set_defaults(func=_cmd_serve)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API (the default)")
    _add_serve_options(serve, suppress=True)
    serve.set_defaults(func=_cmd_serve)

    def offline(
        name: str, help_text: str, func: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--state", metavar="FILE", required=True, help="SQLite state file")
        sub.set_defaults(func=func)
        return sub

    offline("lists", "print id, name, country, contact count of every list", _cmd_lists)

    create = offline("create-list", "create a list; prints its id", _cmd_create_list)
    create.add_argument("name")
    create.add_argument("country_code", metavar="COUNTRY")
    create.add_argument("--account", metavar="EMAIL", default=None, help="owner account")

    rename = offline("rename-list", "rename a list", _cmd_rename_list)
    rename.add_argument("list_id", metavar="LIST_ID")
    rename.add_argument("name", metavar="NEW_NAME")

    delete = offline("delete-list", "delete a list and its contacts", _cmd_delete_list)
    delete.add_argument("list_id", metavar="LIST_ID")

    add = offline("add-contact", "add a contact to a list", _cmd_add_contact)
    add.add_argument("list_id", metavar="LIST_ID")
    add.add_argument("phone_number", metavar="PHONE")
    for option in ("civility", "last-name", "first-name", "email", "birthday", "other"):
        add.add_argument(f"--{option}", default="")
    return parser


def _cmd_serve(args: argparse.Namespace) -> int:
    _prepare_state(args.state, create=True)
    accounts = dict(args.account) if args.account else dict(DEFAULT_ACCOUNTS)
    server = EmulatorServer(
        host=args.host,
        port=args.port,
        state_path=args.state,
        accounts=accounts,
        latency=args.latency,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.start()
        # The socket listens before this line: whoever reads the URL may connect at once.
        print(server.url, flush=True)
        stop.wait()  # lock waits are interrupted by signals on POSIX
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


class _StateFileError(Exception):
    """The --state file cannot be used; the message says why."""


def _prepare_state(path: str | None, *, create: bool) -> None:
    # A mistyped --state must not silently show an empty account: only commands that create
    # data may start a new file, and they make its directory (`.avosms/` on a fresh clone).
    if path is None:
        return
    if os.path.exists(path):
        return
    if not create:
        raise _StateFileError(
            f"no state file at {path!r}; check --state (the embedded emulator's file is "
            ".avosms/emulator.sqlite3 in the Pulumi project directory)"
        )
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)


@contextlib.contextmanager
def _backend(args: argparse.Namespace, *, create: bool = False) -> Iterator[EmulatorBackend]:
    _prepare_state(args.state, create=create)
    backend = EmulatorBackend(args.state)
    try:
        yield backend
    finally:
        backend.close()


def _cmd_lists(args: argparse.Namespace) -> int:
    with _backend(args) as backend:
        for info in backend.lists():
            print(
                f"{info['list_id']}\t{info['name']}\t{info['country_code']}\t"
                f"{info['contact_count']}"
            )
    return 0


def _cmd_create_list(args: argparse.Namespace) -> int:
    with _backend(args, create=True) as backend:
        print(backend.console_create_list(args.name, args.country_code, account=args.account))
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
    with _backend(args) as backend:
        print(
            backend.console_add_contact(
                args.list_id,
                args.phone_number,
                civility=args.civility,
                last_name=args.last_name,
                first_name=args.first_name,
                email=args.email,
                birthday=args.birthday,
                other=args.other,
            )
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``avosms-emulator``; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (ApiError, _StateFileError) as error:
        print(f"avosms-emulator: {error}", file=sys.stderr)
        return 1
    except sqlite3.Error as error:
        print(
            f"avosms-emulator: cannot use the state file {args.state!r}: {error}", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
