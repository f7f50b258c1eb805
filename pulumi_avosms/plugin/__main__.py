"""Serve the ``avosms`` provider plugin: ``python -m pulumi_avosms.plugin <engine address>``.

The Python language host runs a plugin directory as ``python <directory> <engine address>``
(``RunPlugin``), with the directory's ``__main__.py`` as the program; that file calls
:func:`main` (see docs/plugin.md). It prints the port it serves on, then serves until stopped.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path


def main() -> None:
    """Serve the plugin on a free local port (printed first on stdout) until stopped."""
    # Run as a directory, Python puts that directory first on sys.path: here, this package's
    # own directory, whose module names (schema, provider, fields) must not shadow others.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [entry for entry in sys.path if str(Path(entry or ".").resolve()) != here]

    from pulumi_avosms.plugin.provider import AvoSMSPlugin
    from pulumi_avosms.plugin.server import serve

    version = metadata.version("pulumi-avosms")
    serve(sys.argv[1:], version, AvoSMSPlugin(version))


if __name__ == "__main__":
    main()
