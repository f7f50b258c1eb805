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
    "pycountry",
    "pulumi_avosms.client.api",
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


@pytest.mark.parametrize(
    "plan",
    [
        "from pulumi_avosms import ContactListProvider; "
        "r = ContactListProvider().check({}, {'name': 'A', 'country_code': 'fr'}); "
        "assert not r.failures",
        # A preview of a ContactListMembers: check then diff, no call to AvoSMS.
        "from pulumi_avosms.contact_list_members import ContactListMembersProvider as P; "
        "r = P().check({}, {'list_id': '7', 'members': [{'phone_number': '+33612345678'}]}); "
        "assert not r.failures; "
        "assert P().diff('7', {'list_id': '7', 'members': {}}, r.inputs).changes",
    ],
    ids=["ContactList", "ContactListMembers"],
)
def test_checking_and_diffing_still_need_no_http_stack(plan: str) -> None:
    probe = f"import sys; {plan}; " + (
        "print(' '.join(m for m in ('requests', 'urllib3') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == []


def _loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has loaded after running ``code``."""
    probe = f"import sys; {code}; print(' '.join(m for m in {modules!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.split()


@pytest.mark.parametrize(
    "code",
    [
        "import pulumi_avosms.emulator",
        "import pulumi_avosms.emulator.__main__",
        "import pulumi_avosms; pulumi_avosms.AvoSMSError; pulumi_avosms.__version__",
    ],
)
def test_the_emulator_and_the_error_classes_load_without_pulumi(code: str) -> None:
    assert _loaded_after(code, ("pulumi", "pulumi_avosms.contact_list")) == []


def test_public_names_load_on_first_use() -> None:
    from importlib.metadata import version

    import pulumi_avosms
    from pulumi_avosms.contact_list import ContactListProvider
    from pulumi_avosms.errors import AvoSMSError

    assert pulumi_avosms.ContactListProvider is ContactListProvider
    assert pulumi_avosms.AvoSMSError is AvoSMSError
    assert pulumi_avosms.__version__ == version("pulumi-avosms")
    assert set(pulumi_avosms.__all__) <= set(dir(pulumi_avosms))
    for name in pulumi_avosms.__all__:  # every advertised name resolves
        assert getattr(pulumi_avosms, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = pulumi_avosms.Nope  # type: ignore[attr-defined]
