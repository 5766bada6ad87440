"""The columns of the roster file and how each cell becomes a value.

Headers and the accepted cell values (Nam/Nữ, Cán bộ/Công chức…) are part of the file format, written
in Vietnamese whatever the interface language: a template downloaded in English must still import.
They are therefore data here, not translations. Problems are reported through gettext.

A value a parser returns passes the checks of its Official field (length, choices, validators), so the
import does not run the model's field checks again on every row: tests/staff/imports/test_field_checks.py
holds each field's checks against the parsers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, validate_email
from django.db.models import Field
from django.utils.translation import gettext as _

from courses.text import fold
from staff.models import Category, Gender, Official, OfficialStatus
from staff.personal_id import normalise_personal_id, validate_personal_id


class CellError(ValueError):
    """One cell's problem, already in the user's language."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in the template
    aliases: tuple[str, ...] = ()
    required: bool = False  # the column must be present (and its cell filled)


# Order = the template's order. Keys are the Official field names, except rank and unit (codes).
COLUMNS: tuple[Column, ...] = (
    Column("employee_code", "Mã cán bộ", ("Mã CBCC", "Mã số cán bộ", "Mã nhân viên", "employee_code"), True),
    Column("full_name", "Họ và tên", ("Họ tên", "Họ và tên đệm", "full_name"), True),
    Column("personal_id", "Số định danh cá nhân", ("Số ĐDCN", "Số CCCD", "CCCD", "Căn cước", "personal_id")),
    Column("date_of_birth", "Ngày sinh", ("Ngày tháng năm sinh", "date_of_birth")),
    Column("gender", "Giới tính", ("Giới", "gender")),
    Column("ethnicity", "Dân tộc", ("ethnicity",)),
    Column("category", "Đối tượng", ("Loại cán bộ", "Loại", "category")),
    Column("rank", "Mã ngạch", ("Ngạch", "rank", "rank_code")),
    Column("job_position", "Vị trí việc làm", ("VTVL", "job_position")),
    Column("leadership_position", "Chức vụ lãnh đạo", ("Chức vụ", "leadership_position")),
    Column("unit", "Mã đơn vị", ("Đơn vị", "unit", "unit_code"), True),
    Column("email", "Email", ("Thư điện tử", "E-mail")),
    Column("phone", "Điện thoại", ("Số điện thoại", "SĐT", "phone")),
    Column("status", "Trạng thái", ("Tình trạng", "status")),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
ALIASES = {column.key: (column.header, *column.aliases) for column in COLUMNS}

# Empty cells in these columns clear the value (someone who steps down loses the leadership position);
# in the other optional columns an empty cell keeps what is on record.
CLEARABLE = ("job_position", "leadership_position", "email", "phone")

# Accepted cell values, first = the label the template shows.
GENDER_VALUES: dict[str, tuple[str, ...]] = {
    Gender.MALE: ("Nam", "male"),
    Gender.FEMALE: ("Nữ", "female"),
    Gender.OTHER: ("Khác", "other"),
}
CATEGORY_VALUES: dict[str, tuple[str, ...]] = {
    Category.CADRE: ("Cán bộ", "can_bo"),
    Category.CIVIL_SERVANT: ("Công chức", "cong_chuc"),
    Category.PUBLIC_EMPLOYEE: ("Viên chức", "vien_chuc"),
    Category.COMMUNE_PART_TIME: ("Người hoạt động không chuyên trách", "khong_chuyen_trach", "Không chuyên trách"),
}
STATUS_VALUES: dict[str, tuple[str, ...]] = {
    OfficialStatus.ACTIVE: ("Đang công tác", "active"),
    OfficialStatus.TRANSFERRED: ("Đã chuyển công tác", "transferred", "Chuyển công tác"),
    OfficialStatus.RETIRED: ("Đã nghỉ hưu", "retired", "Nghỉ hưu"),
}


def _lookup(values: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(alias): code for code, aliases in values.items() for alias in (code, *aliases)}


_GENDERS, _CATEGORIES, _STATUSES = _lookup(GENDER_VALUES), _lookup(CATEGORY_VALUES), _lookup(STATUS_VALUES)
DATE_TEXT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def text(value: Any) -> str:
    """A cell as text: a code typed as a number (123 or 123.0 from Excel) stays "123"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    """An Excel date cell, an Excel serial number, or text dd/mm/yyyy (also yyyy-mm-dd)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell saved without a date format arrives as its serial number.
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(_("“%(value)s” is not a date; write it as dd/mm/yyyy.") % {"value": value})
    raw = str(value).strip()
    match = DATE_TEXT.match(raw)
    day, month, year = (int(g) for g in match.groups()) if match else (0, 0, 0)
    if not match and (iso := ISO_DATE.match(raw)):
        year, month, day = (int(g) for g in iso.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("“%(value)s” is not a date; write it as dd/mm/yyyy.") % {"value": raw}) from exc


def parse_birth_date(value: Any, *, today: dt.date) -> dt.date | None:
    day = parse_date(value)
    if day is not None and not EARLIEST_BIRTH <= day < today:
        raise CellError(_("The date of birth %(date)s is not plausible.") % {"date": day.strftime("%d/%m/%Y")})
    return day


def _choice(value: Any, table: dict[str, str], labels: dict[str, tuple[str, ...]]) -> str | None:
    if value is None:
        return None
    code = table.get(fold(text(value)))
    if code is None:
        allowed = ", ".join(names[0] for names in labels.values())
        raise CellError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": text(value), "allowed": allowed})
    return code


def parse_gender(value: Any) -> str | None:
    return _choice(value, _GENDERS, GENDER_VALUES)


def parse_category(value: Any) -> str | None:
    return _choice(value, _CATEGORIES, CATEGORY_VALUES)


def parse_status(value: Any) -> str | None:
    return _choice(value, _STATUSES, STATUS_VALUES)


def parse_email(value: Any) -> str:
    address = text(value)
    if address:
        try:
            validate_email(address)
        except ValidationError as exc:
            raise CellError(_("“%(value)s” is not a valid e-mail address.") % {"value": address}) from exc
        # validate_email allows 320 characters, the column 254: said in the model field's own words.
        if len(address) > EMAIL_MAX_LENGTH:
            try:
                MaxLengthValidator(EMAIL_MAX_LENGTH)(address)
            except ValidationError as exc:
                raise CellError(" ".join(exc.messages)) from exc
    return address


EMAIL_MAX_LENGTH: int = getattr(Official._meta.get_field("email"), "max_length", None) or 254


def parse_personal_id(value: Any) -> str:
    """Twelve digits (spaces and dots between groups allowed); a number cell loses its leading zeros in
    Excel, so a number of 9 to 11 digits is padded back (province codes start with 0)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raw = text(value).zfill(12)
    else:
        raw = normalise_personal_id(text(value))
    if not raw:
        return ""
    try:
        validate_personal_id(raw)
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from exc
    return raw


def parse_text(value: Any, key: str) -> str:
    """Free text, within the model field's length."""
    return text_parser(key)(value)


def text_parser(key: str) -> Callable[[Any], str]:
    """parse_text for the column ``key``, its field's length looked up once (a parser runs on every row)."""
    field = Official._meta.get_field(key)
    # Only the official's own text columns come here, never a reverse relation (which has no length).
    limit = field.max_length if isinstance(field, Field) else None

    def parse(value: Any) -> str:
        result = "" if value is None else value.strip() if value.__class__ is str else text(value)
        if limit and len(result) > limit:
            raise CellError(_("The text is too long (%(length)s characters; at most %(limit)s).")
                            % {"length": len(result), "limit": limit})
        return result

    return parse
