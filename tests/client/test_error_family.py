"""One error family: ``except AvoSMSError`` catches whatever the package raises."""

from __future__ import annotations

import ast
import importlib
import inspect
import pickle
import pkgutil
from pathlib import Path

import pytest

import pulumi_avosms
from pulumi_avosms import errors
from pulumi_avosms._model import CONTACT_FIELDS
from pulumi_avosms.client.endpoints import CONTACT_FIELD_NAMES
from pulumi_avosms.config import settings_from_config
from pulumi_avosms.contact import ContactError
from pulumi_avosms.contact_list import ContactListError
from pulumi_avosms.errors import (
    APIError,
    AvoSMSError,
    ConfigurationError,
    ContactListMembersError,
    InvalidContactError,
    MembersCSVError,
    NotFoundError,
    ValidationError,
)
from pulumi_avosms.validation import normalize_list_name

PACKAGE = Path(pulumi_avosms.__file__).parent
#: The emulator is a separate server standing in for AvoSMS: it imports nothing of the
#: package, and the ValueError/TypeError its controls raise for bad fault or account
#: arguments are what its admin routes and CLI turn into a 400 reply or a usage error.
EMULATOR = PACKAGE / "emulator"
BARE = {"ValueError", "TypeError", "RuntimeError", "KeyError"}


def _package_modules() -> list[str]:
    return [pulumi_avosms.__name__] + [
        info.name
        for info in pkgutil.walk_packages(pulumi_avosms.__path__, f"{pulumi_avosms.__name__}.")
        if not info.name.endswith(".__main__")  # entry points: run, not imported
    ]


def test_no_module_of_the_package_defines_an_exception_outside_the_family() -> None:
    modules = _package_modules()
    assert "pulumi_avosms.client.transport" in modules and "pulumi_avosms.emulator" in modules
    defined = {
        (cls.__module__, cls.__qualname__): cls
        for name in modules
        for _, cls in inspect.getmembers(importlib.import_module(name), inspect.isclass)
        if issubclass(cls, BaseException)
        and cls.__module__.startswith("pulumi_avosms")
        and not cls.__module__.startswith("pulumi_avosms.emulator")
    }
    assert ("pulumi_avosms.errors", "MembersCSVError") in defined
    outside = sorted(key for key, cls in defined.items() if not issubclass(cls, AvoSMSError))
    assert outside == []
    assert {module for module, _ in defined} == {"pulumi_avosms.errors"}


def test_the_emulator_imports_nothing_of_the_provider_so_its_own_errors_stay_inside() -> None:
    # Its error classes (an AvoSMS error reply to send, a refused admin request) and bare
    # ValueErrors are the server's own; they can only reach a user as an HTTP reply.
    outside = []
    for path in EMULATOR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                outside.append(f"{path.name}: from ..{node.module}")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += (
                    [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                )
                outside += [
                    f"{path.name}: {n}"
                    for n in names
                    if n.startswith("pulumi_avosms") and not n.startswith("pulumi_avosms.emulator")
                ]
    assert outside == []


def _bare_raises(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id in BARE:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} raise {target.id}")
    return found


def test_the_package_raises_no_bare_builtin_error_outside_the_emulator() -> None:
    sources = [p for p in PACKAGE.rglob("*.py") if EMULATOR not in p.parents]
    assert PACKAGE / "client" / "api.py" in sources
    assert [hit for path in sources for hit in _bare_raises(path)] == []


def test_the_client_refuses_bad_arguments_with_a_configuration_error() -> None:
    from pulumi_avosms.client.api import AvoSMSClient
    from pulumi_avosms.client.retry_policy import RetryPolicy

    with pytest.raises(ConfigurationError, match="endpoint must be a URL"):
        AvoSMSClient("id", "key", "  ")
    with pytest.raises(ConfigurationError, match="pool_size"):
        AvoSMSClient("id", "key", "https://api.avosms.com/v1", pool_size=0)
    with pytest.raises(ConfigurationError, match="max_retries"):
        AvoSMSClient("id", "key", "https://api.avosms.com/v1", max_retries=-1)
    with pytest.raises(ConfigurationError, match="max_retries"):
        RetryPolicy(max_retries=-1, max_retry_time=60, backoff_base=0.5, backoff_max=10)


def test_the_moved_error_classes_stay_importable_from_their_old_modules() -> None:
    from pulumi_avosms.contact_validation import InvalidContactError as old_invalid
    from pulumi_avosms.members_csv import MembersCSVError as old_csv

    assert old_invalid is InvalidContactError and old_csv is MembersCSVError
    assert pulumi_avosms.MembersCSVError is MembersCSVError


def test_every_exception_class_of_the_package_derives_from_the_one_base() -> None:
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, BaseException)
    ]
    assert len(classes) >= 15
    assert all(issubclass(cls, AvoSMSError) for cls in classes)


def test_the_resource_errors_are_the_ones_of_the_family() -> None:
    assert ContactError is errors.ContactError
    assert ContactListError is errors.ContactListError


def test_a_configuration_error_is_caught_as_the_base() -> None:
    with pytest.raises(AvoSMSError, match="avosms:timeout"):
        settings_from_config({"avosms:timeout": "soon"}, environ={})
    with pytest.raises(ConfigurationError):
        settings_from_config({"avosms:timeout": "soon"}, environ={})


def test_a_validation_error_is_both_the_base_and_a_value_error() -> None:
    with pytest.raises(AvoSMSError) as caught:
        normalize_list_name("   ")
    assert isinstance(caught.value, ValidationError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code is None


def test_a_resource_error_names_the_api_code_and_endpoint_behind_it() -> None:
    api = NotFoundError("ERR_103", "no such list", "contact/add", 200)
    try:
        try:
            raise api
        except APIError as exc:
            raise ContactError("Cannot add +33612345678 to list 7", list_id="7") from exc
    except AvoSMSError as caught:
        assert caught.api_error is api
        assert (caught.code, caught.endpoint) == ("ERR_103", "contact/add")


def test_a_resource_error_given_its_api_error_keeps_it_through_pickling() -> None:
    api = NotFoundError("ERR_103", "no such list", "contact/list/rename", 200)
    error = ContactListError("Cannot rename list 7", api_error=api)
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == "Cannot rename list 7"
    assert (copy.code, copy.endpoint) == ("ERR_103", "contact/list/rename")


@pytest.mark.parametrize(
    "make",
    [
        lambda api: ContactError("Cannot add +33612345678", list_id="7", api_error=api),
        lambda api: ContactListMembersError("Cannot add 2 members", list_id="7", api_error=api),
    ],
)
def test_a_contact_or_members_error_keeps_its_given_api_error_through_pickling(make) -> None:  # type: ignore[no-untyped-def]
    api = NotFoundError("ERR_103", "no such list", "contact/add", 200)
    copy = pickle.loads(pickle.dumps(make(api)))
    assert (copy.code, copy.endpoint) == ("ERR_103", "contact/add")
    assert copy.list_id == "7"


def test_the_input_errors_pickle_with_their_details() -> None:
    invalid = pickle.loads(pickle.dumps(InvalidContactError({"email": "email is not valid"})))
    assert invalid.reasons == {"email": "email is not valid"}
    csv = pickle.loads(pickle.dumps(MembersCSVError("bad", path="m.csv", line=3, field="email")))
    assert (str(csv), csv.path, csv.line, csv.field) == ("m.csv, line 3: bad", "m.csv", 3, "email")


def test_an_api_error_is_its_own_api_error() -> None:
    api = NotFoundError("ERR_103", "no such list", "contact/list/rename", 200)
    assert api.api_error is api


def test_every_contact_field_has_its_avosms_names() -> None:
    assert tuple(CONTACT_FIELD_NAMES) == CONTACT_FIELDS
