"""members_from_csv: a members list from a CSV file, and errors that say where."""

from __future__ import annotations

import ast
import pickle
import re
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


# -- spreadsheets as people save them ----------------------------------------------------------


def test_a_french_excel_file_is_read(tmp_path: Path) -> None:
    # Excel in French saves "CSV UTF-8" with a byte order mark, ';' and CRLF line endings.
    path = write(
        tmp_path,
        "Téléphone;Prénom;Nom;E-mail\r\n"
        "+33 6 12 34 56 78;Élodie;Martin, Jr;elodie@example.fr\r\n"
        "+33 7 98 76 54 32;Bruno;;\r\n",
        bom=True,
    )
    columns = {"Téléphone": "phone_number", "Prénom": "first_name", "Nom": "last_name"}
    members = members_from_csv(path, columns={**columns, "e-mail": "email"})
    assert members == [
        {
            "phone_number": "+33612345678",
            "first_name": "Élodie",
            "last_name": "Martin, Jr",
            "email": "elodie@example.fr",
        },
        {"phone_number": "+33798765432", "first_name": "Bruno", "last_name": "", "email": ""},
    ]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_the_headers(tmp_path: Path, delimiter: str) -> None:
    rows = [["phone_number", "first_name", "other"], ["+33612345678", "Al", "a, b; c"]]
    text = "".join(
        delimiter.join(f'"{c}"' if any(d in c for d in ",;") else c for c in row) + "\n"
        for row in rows
    )
    assert members_from_csv(write(tmp_path, text)) == [
        {"phone_number": "+33612345678", "first_name": "Al", "other": "a, b; c"}
    ]


def test_headers_match_without_case_and_surrounding_spaces(tmp_path: Path) -> None:
    path = write(tmp_path, " Phone_Number ;FIRST_NAME; mobile \n+33612345678;Al;x\n")
    members = members_from_csv(path, columns={"MOBILE": "other"})
    assert members == [{"phone_number": "+33612345678", "first_name": "Al", "other": "x"}]


def test_columns_ignores_a_column_mapped_to_none(tmp_path: Path) -> None:
    path = write(tmp_path, "phone_number,Department,first_name\n+33612345678,Sales,Al\n")
    members = members_from_csv(path, columns={"department": None})
    assert members == [{"phone_number": "+33612345678", "first_name": "Al"}]


def test_unknown_headers_are_all_named_with_the_columns_that_fix_them(tmp_path: Path) -> None:
    # A column the program would silently drop is a field that never reaches AvoSMS: refused,
    # with the `columns=` to paste (a near miss mapped to its field, the others ignored).
    path = write(tmp_path, "Phone Number,E-mail,Department\n+33612345678,a@b.fr,Sales\n")
    err = error_of(path)
    assert err.line == 1
    assert "unknown headers 'Phone Number', 'E-mail', 'Department'" in str(err)
    pasted = str(err).split("columns=", 1)[1]
    columns = ast.literal_eval(pasted)
    assert columns == {"Phone Number": "phone_number", "E-mail": "email", "Department": None}
    assert members_from_csv(path, columns=columns) == [
        {"phone_number": "+33612345678", "email": "a@b.fr"}
    ]


def test_a_header_is_quoted_bounded_and_escaped(tmp_path: Path) -> None:
    header = "\x1b[31mred\u202e" + "x" * 200
    err = error_of(write(tmp_path, f"phone_number,{header}\n+33612345678,v\n"))
    text = str(err)
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[31mred\\u202e" in text
    assert "x" * 60 not in text


def test_every_bad_row_is_reported_with_its_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "phone_number;email;birthday\n"
        "+33612345678;a@b.fr;\n"
        "0612345678;nope;\n"  # two bad fields on one row
        "+33798765432;;31/02/1990\n"
        "+33 6 12 34 56 78;;\n"  # line 2's number again
        "+33798765433;;;extra\n",
    )
    err = error_of(path)
    assert (err.line, err.field) == (3, "phone_number")  # the first bad row
    lines = str(err).splitlines()
    assert lines[0] == f"{path}: 4 rows cannot be used:"
    assert lines[1].startswith("  line 3: phone_number '0612345678' has no country calling code")
    assert "; email 'nope' is not an e-mail address" in lines[1]
    assert lines[2].startswith("  line 4: birthday")
    assert lines[3] == (
        "  line 5: phone_number +33612345678 is also on line 2; a number can be in a list only once"
    )
    assert lines[4] == "  line 6: has 4 values but the header (line 1) has 3 columns"


def test_many_bad_rows_list_twenty_and_count_the_rest(tmp_path: Path) -> None:
    rows = "".join(f"+33612345678,not-an-email-{i}\n" for i in range(25))
    err = error_of(write(tmp_path, "phone_number,email\n" + rows))
    listed = [line for line in str(err).splitlines() if line.startswith("  line ")]
    assert [line.split(":")[0] for line in listed] == [f"  line {n}" for n in range(2, 22)]
    assert str(err).splitlines()[0].endswith("25 rows cannot be used:")
    assert str(err).endswith("  ... and 5 more rows")


def test_a_column_without_header_may_only_hold_blanks(tmp_path: Path) -> None:
    # Spreadsheets save a stray empty column as a trailing delimiter.
    path = write(tmp_path, "phone_number;first_name;\r\n+33612345678;Al;\r\n")
    assert members_from_csv(path) == [{"phone_number": "+33612345678", "first_name": "Al"}]
    err = error_of(write(tmp_path, "phone_number;;\n+33612345678;;oops\n", name="b.csv"))
    assert (err.line, err.field) == (2, None)
    assert "column 3 has a value but no header" in str(err)


def test_columns_that_name_one_header_twice_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "Mobile\n+33612345678\n")
    err = error_of(path, columns={"Mobile": "phone_number", " mobile": "other"})
    assert "maps ' mobile' twice" in str(err)


def test_the_messages_docs_show_are_the_ones_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "contact-list-members.md"
    section = page.read_text(encoding="utf-8").split("## Members from a CSV file")[1]
    shown = re.findall(r"^```text\n(.*?)^```", section.split("\n## ")[0], flags=re.M | re.S)
    monkeypatch.chdir(tmp_path)
    files = [
        "phone_number,E-mail,Department\n+33612345678,a@b.fr,Sales\n",
        "phone_number\n+33612345678\n06 12 34 56 78\n+33600000001\n+33600000002\n"
        "+33600000003\n+33 6 12 34 56 78\n",
    ]
    assert len(shown) == len(files)
    for text, content in zip(shown, files, strict=True):
        write(tmp_path, content, name="customers.csv")
        message = str(error_of(Path("customers.csv")))
        if "\n  " in text:  # a list of rows, one per line; "..." ends what the page cuts
            for doc_line, line in zip(text.splitlines(), message.splitlines(), strict=True):
                assert line.startswith(doc_line.removesuffix("...")), (doc_line, line)
        else:  # one sentence, wrapped on the page
            assert " ".join(text.split()) == message
