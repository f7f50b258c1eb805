"""What the plugin's first call pays: importing the package must not import the heavy parts.

The dynamic-provider plugin unpickles a provider (importing ``pulumi_avosms``) on its first
call; ``check`` and ``diff`` need neither the HTTP stack nor phone-number metadata, so those
load only when a call needs them (see benchmarks/ for the measured cold start).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "requests",
    "urllib3",
    "phonenumbers",
    "pulumi_avosms.client.transport",
    "pulumi_avosms.emulator",
)


@pytest.mark.parametrize("module", ["pulumi_avosms", "pulumi_avosms.contact_list"])
def test_importing_the_package_loads_no_heavy_module(module: str) -> None:
    probe = f"import sys, {module}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == []


def test_checking_a_contact_list_still_needs_no_http_stack() -> None:
    probe = (
        "import sys; from pulumi_avosms import ContactListProvider; "
        "r = ContactListProvider().check({}, {'name': 'A', 'country_code': 'fr'}); "
        "assert not r.failures; "
        "print(' '.join(m for m in ('requests', 'urllib3') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == []
