"""One error family: ``except AvoSMSError`` catches whatever the package raises."""

from __future__ import annotations

import pickle

import pytest

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
    NotFoundError,
    ValidationError,
)
from pulumi_avosms.validation import normalize_list_name


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


def test_an_api_error_is_its_own_api_error() -> None:
    api = NotFoundError("ERR_103", "no such list", "contact/list/rename", 200)
    assert api.api_error is api


def test_every_contact_field_has_its_avosms_names() -> None:
    assert tuple(CONTACT_FIELD_NAMES) == CONTACT_FIELDS
