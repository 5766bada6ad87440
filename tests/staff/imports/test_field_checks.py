"""The roster import checks each cell once, in its column's parser (staff/imports/fields.py), and does not run
the model's field checks again per row: these tests hold the parsers and the Official fields together, so a
value the import accepts always passes the field's checks, and one the field refuses is reported on its row
and column, in the words the model would have used."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Field

from staff.imports import fields as f
from staff.imports.people import roster_import
from staff.models import Category, Official, Rank
from tests.staff.import_files import as_lists, roster_row, write_xlsx

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)

# The checks each column's parser makes, by the name of the field validator it stands for. A validator added
# to one of these fields fails test_the_parsers_stand_for_every_check_of_the_fields_the_roster_writes until
# the parser makes that check too.
PARSER_CHECKS = {
    "personal_id": {"MaxLengthValidator", "validate_personal_id"},
    "email": {"EmailValidator", "MaxLengthValidator"},
}
CHOICE_COLUMNS = {"gender": f.GENDER_VALUES, "category": f.CATEGORY_VALUES, "status": f.STATUS_VALUES}
TEXT_COLUMNS = ("employee_code", "full_name", "ethnicity", "job_position", "leadership_position", "phone")


@pytest.fixture
def ranks(db):
    return Rank.objects.create(code="01.003", name="Chuyên viên", tier=3, category=Category.CIVIL_SERVANT)


def run(path, *, dry_run=False):
    with open(path, "rb") as stream:
        return roster_import(stream, path.name, dry_run=dry_run, today=TODAY)


def field(key: str) -> Field:
    model_field = Official._meta.get_field(key)
    assert isinstance(model_field, Field)
    return model_field


def model_messages(key: str, value: str) -> str:
    """What the model's own check of ``key`` says about ``value`` (what the import reported before)."""
    with pytest.raises(ValidationError) as caught:
        field(key).clean(value, Official())
    return " ".join(caught.value.messages)


def long_email(length: int) -> str:
    """A valid address of exactly ``length`` characters (domain labels stay under 64 characters)."""
    local, tld = "a" * 60, "example.invalid"
    room = length - len(local) - 1 - len(tld)  # for the labels "b…b." in front of the last two
    labels = []
    while room > 0:
        size = min(50, room)
        if room - size == 1:
            size -= 1  # a label needs a character before its dot
        labels.append("b" * (size - 1) + ".")
        room -= size
    address = f"{local}@{''.join(labels)}{tld}"
    assert len(address) == length
    return address


def test_the_parsers_stand_for_every_check_of_the_fields_the_roster_writes():
    for column in f.COLUMNS:
        if column.key in ("rank", "unit"):  # looked up by code among the ranks and units, not stored as text
            continue
        model_field = field(column.key)
        validators = {getattr(v, "__name__", type(v).__name__) for v in model_field.validators}
        assert validators <= PARSER_CHECKS.get(column.key, {"MaxLengthValidator"}), column.key
        assert bool(model_field.choices) == (column.key in CHOICE_COLUMNS), column.key


@pytest.mark.parametrize("key", sorted(CHOICE_COLUMNS))
def test_every_label_a_choice_column_accepts_is_one_of_the_fields_choices(key):
    parse = {"gender": f.parse_gender, "category": f.parse_category, "status": f.parse_status}[key]
    allowed = {choice for choice, _label in field(key).flatchoices}
    labels = [label for names in CHOICE_COLUMNS[key].values() for label in names]
    assert labels and all(parse(label) in allowed for label in labels)


@pytest.mark.parametrize("key", TEXT_COLUMNS)
def test_a_text_at_the_fields_length_imports_and_one_more_character_is_named_on_its_row(tmp_path, ward_a,
                                                                                         ranks, key):
    limit = field(key).max_length
    assert limit
    fits = [roster_row("FC-1", "Trần Văn Vừa", "P-A"), roster_row("FC-2", "Trần Văn Dài", "P-A")]
    fits[0][key] = "ắ" * limit if key != "employee_code" else "F" * limit
    fits[1][key] = "ắ" * (limit + 1) if key != "employee_code" else "F" * (limit + 1)

    report = run(write_xlsx(tmp_path / "lengths.xlsx", as_lists(fits)))

    header = f.COLUMN_BY_KEY[key].header
    assert [(error.row, error.column) for error in report.errors] == [(3, header)]
    assert str(limit) in report.errors[0].message and not Official.objects.exists()
    del fits[1]
    assert run(write_xlsx(tmp_path / "fits.xlsx", as_lists(fits))).ok
    Official.objects.get().clean_fields(exclude=["unit", "user", "rank"])


def test_an_email_too_long_for_its_column_is_named_on_its_row_in_the_models_words(tmp_path, ward_a, ranks):
    limit = field("email").max_length
    too_long = long_email(limit + 1)
    f.parse_email(long_email(limit))  # the longest that fits passes
    rows = [roster_row("FC-E1", "Phan Thị Thư", "P-A", email=long_email(limit)),
            roster_row("FC-E2", "Phan Thị Dài", "P-A", email=too_long)]

    report = run(write_xlsx(tmp_path / "email.xlsx", as_lists(rows)))

    assert [(error.row, error.column, error.message) for error in report.errors] == [
        (3, "Email", model_messages("email", too_long))]
    assert not Official.objects.exists()


def test_a_too_long_change_to_an_existing_official_is_named_and_nothing_changes(tmp_path, ward_a, ranks, official):
    before = Official.objects.values_list("job_position", "email").get(pk=official.pk)
    rows = [roster_row(official.employee_code, official.full_name, "P-A", job_position="x" * 201)]

    report = run(write_xlsx(tmp_path / "change.xlsx", as_lists(rows)))

    assert [(error.row, error.column) for error in report.errors] == [(2, "Vị trí việc làm")]
    assert not report.applied
    assert Official.objects.values_list("job_position", "email").get(pk=official.pk) == before


def test_an_imported_official_passes_every_field_check(tmp_path, ward_a, ranks):
    rows = [roster_row("FC-ALL", "Đỗ Thị Đủ", "P-A", personal_id="001188012345", date_of_birth="15/03/1988",
                       gender="Nữ", email="do.thi.du@example.invalid", phone="0912 345 678", status="Đang công tác",
                       leadership_position="Trưởng phòng", category="Viên chức")]

    assert run(write_xlsx(tmp_path / "all.xlsx", as_lists(rows))).ok

    Official.objects.get().clean_fields(exclude=["unit", "user", "rank"])
