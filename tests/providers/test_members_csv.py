"""members_from_csv: a members list from a CSV file, and errors that say where."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from pulumi_avosms.errors import AvoSMSError
from pulumi_avosms.members_csv import MembersCSVError, members_from_csv
from pulumi_avosms.validation import ValidationError


def write(tmp_path: Path, text: str, *, name: str = "members.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def error_of(path: Path, **kwargs: Any) -> MembersCSVError:
    with pytest.raises(MembersCSVError) as caught:
        members_from_csv(path, **kwargs)
    return caught.value


def test_rows_become_members_normalised_like_contact_inputs(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "phone_number,first_name,last_name,email,birthday,civility,other\n"
        "+33 6 12 34 56 78, Alice ,Martin,Alice@Example.COM,14/07/1990,Mme,VIP\n"
        "+33 7 98 76 54 32,Bob,,,,,\n",
    )
    assert members_from_csv(path) == [
        {
            "phone_number": "+33612345678",
            "first_name": "Alice",
            "last_name": "Martin",
            "email": "Alice@example.com",
            "birthday": "1990-07-14",
            "civility": "Mme",
            "other": "VIP",
        },
        {
            "phone_number": "+33798765432",
            "first_name": "Bob",
            "last_name": "",
            "email": "",
            "birthday": "",
            "civility": "",
            "other": "",
        },
    ]


def test_only_the_files_columns_are_given(tmp_path: Path) -> None:
    path = write(tmp_path, "phone_number\n+33612345678\n")
    assert members_from_csv(str(path)) == [{"phone_number": "+33612345678"}]


def test_byte_order_mark_crlf_blank_lines_and_quoted_commas(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'phone_number,other\r\n+33612345678,"a, b"\r\n\r\n+33798765432,x\r\n',
        bom=True,
    )
    members = members_from_csv(path)
    assert [m["phone_number"] for m in members] == ["+33612345678", "+33798765432"]
    assert members[0]["other"] == "a, b"


def test_a_value_spanning_lines_is_refused_on_the_line_it_starts(tmp_path: Path) -> None:
    path = write(tmp_path, 'phone_number,other\n\n+33612345678,"a\nb"\n')
    err = error_of(path)
    assert (err.line, err.field) == (3, "other")
    assert "control character" in str(err)


def test_columns_maps_other_header_names(tmp_path: Path) -> None:
    path = write(tmp_path, "Mobile;Prénom\n+33612345678;Élodie\n".replace(";", ","))
    members = members_from_csv(path, columns={"Mobile": "phone_number", "Prénom": "first_name"})
    assert members == [{"phone_number": "+33612345678", "first_name": "Élodie"}]


def test_columns_must_map_to_member_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "Mobile\n+33612345678\n")
    err = error_of(path, columns={"Mobile": "mobile"})
    assert "'mobile', which is not a member field" in str(err)
    assert "phone_number, civility, first_name" in str(err)


def test_a_bad_value_names_the_file_the_line_and_the_field(tmp_path: Path) -> None:
    path = write(tmp_path, "phone_number,email\n+33612345678,a@b.fr\n+33798765432,not-an-email\n")
    err = error_of(path)
    assert (err.path, err.line, err.field) == (str(path), 3, "email")
    assert str(err).startswith(f"{path}, line 3: email 'not-an-email' is not an e-mail address")


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("06 12 34 56 78,", "phone_number", "has no country calling code"),
        (",Alice", "phone_number", "phone_number is empty"),
        ("+33612345678,31/02/1990", "birthday", "no such day"),
    ],
)
def test_bad_rows(tmp_path: Path, row: str, field: str, words: str) -> None:
    header = "phone_number,first_name" if field == "phone_number" else "phone_number,birthday"
    err = error_of(write(tmp_path, f"{header}\n{row}\n"))
    assert (err.line, err.field) == (2, field)
    assert words in str(err)


def test_a_number_twice_names_both_lines_even_written_differently(tmp_path: Path) -> None:
    path = write(tmp_path, "phone_number\n+33612345678\n+33798765432\n+33 6 12 34 56 78\n")
    err = error_of(path)
    assert err.line == 4
    assert "+33612345678 is also on line 2" in str(err)


def test_an_unknown_header_names_the_accepted_ones(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "phone_number,nickname\n+33612345678,Al\n"))
    assert err.line == 1
    assert "unknown header 'nickname'" in str(err)
    assert "phone_number, civility, first_name, last_name, email, birthday, other" in str(err)


def test_a_header_without_phone_number_is_refused(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "first_name\nAlice\n"))
    assert "no phone_number column" in str(err)


def test_a_row_with_a_value_too_many_is_refused(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "phone_number,first_name\n+33612345678,Al,extra\n"))
    assert err.line == 2
    assert "has 3 values but the header (line 1) has 2 columns" in str(err)


def test_an_empty_file_is_an_error_a_header_alone_is_no_members(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, ""))
    assert "is empty" in str(err)
    assert members_from_csv(write(tmp_path, "phone_number\r\n", name="header.csv")) == []


def test_not_utf8_and_missing_files_are_errors_naming_the_file(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("phone_number,first_name\n+33612345678,Hélène\n".encode("latin-1"))
    assert "is not UTF-8" in str(error_of(latin1))
    missing = tmp_path / "missing.csv"
    assert str(error_of(missing)).startswith(f"{missing}: cannot be read")


def test_the_error_is_a_validation_error_of_the_package_and_pickles(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "phone_number\nnope\n"))
    assert isinstance(err, ValidationError)
    if issubclass(ValidationError, AvoSMSError):  # once validation errors join the base
        assert isinstance(err, AvoSMSError)
    copy = pickle.loads(pickle.dumps(err))
    assert (str(copy), copy.line, copy.field) == (str(err), 2, "phone_number")
