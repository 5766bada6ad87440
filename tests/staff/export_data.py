"""Synthetic data for the export and report tests: hostile texts, two wards, one ward merged in 2025."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

from openpyxl import load_workbook

from courses.models import CredentialType, ProgrammeType
from staff.models import Category, Gender
from tests import factories

# Texts a spreadsheet would evaluate if written as they are.
HOSTILE = ["=1+2", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"http://x.invalid\",\"x\")"]
GROUP_NAME = "Lý luận chính trị"
YEAR = 2026


def cells(data: bytes) -> Iterator:
    """Every cell of every sheet of an XLSX file."""
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_no_formula(data: bytes, *expected: str) -> None:
    values = set()
    for cell in cells(data):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            values.add(cell.value)
    for text in expected:
        assert text in values, text


def hostile_world(*, ward_a, training_centre, year: int = YEAR) -> dict:
    """Officials, a course and a content group named like formulas; each official completed one class."""
    group = factories.content_group("hostile", HOSTILE[3])
    course = factories.course(title=HOSTILE[2], organizer=training_centre, group=group, periods=8)
    session = factories.session(course=course, start=dt.date(year, 3, 2))
    people = []
    for number, name in enumerate(HOSTILE):
        person = factories.official(unit=ward_a, name=name, employee_code=f"H-{number}", job_position=HOSTILE[0],
                                    leadership_position=HOSTILE[1])
        enrollment = factories.completed_enrollment(official=person, session=session, periods_earned=8)
        factories.certificate(enrollment=enrollment)
        people.append(person)
    return {"group": group, "course": course, "session": session, "officials": people}


def report_world(*, city, ward_a, ward_b, training_centre, year: int = YEAR) -> dict:
    """Two content groups × two programme types, people of every kind in both wards, one exchange."""
    politics = factories.content_group("ly-luan", GROUP_NAME)
    digital = factories.content_group()
    update = factories.course(title="Cập nhật nghị quyết", organizer=training_centre, group=politics, periods=16,
                              programme_type=ProgrammeType.UPDATE)
    rank = factories.course(title="Bồi dưỡng ngạch chuyên viên", organizer=training_centre, group=digital,
                            periods=40, programme_type=ProgrammeType.RANK_STANDARD,
                            credential_type=CredentialType.CHUNG_CHI)
    exchange = factories.course(title="Chia sẻ: trả kết quả tại nhà", organizer=ward_a, group=politics, periods=4,
                                programme_type=ProgrammeType.EXCHANGE, credential_type=CredentialType.ATTENDANCE)
    s_update = factories.session(course=update, start=dt.date(year, 2, 3))
    s_update2 = factories.session(course=update, start=dt.date(year, 9, 7))
    s_rank = factories.session(course=rank, start=dt.date(year, 4, 6), days=5)
    s_exchange = factories.session(course=exchange, start=dt.date(year, 5, 11), days=1)
    s_last_year = factories.session(course=update, start=dt.date(year - 1, 10, 6))
    kinds = [
        dict(gender=Gender.FEMALE, category=Category.CIVIL_SERVANT, ethnicity="Tày"),
        dict(gender=Gender.MALE, category=Category.CADRE, leadership_position="Chủ tịch"),
        dict(gender=Gender.FEMALE, category=Category.PUBLIC_EMPLOYEE, ethnicity="kinh"),  # folded: Kinh
        dict(gender=Gender.MALE, category=Category.COMMUNE_PART_TIME),
    ]
    people = {"a": [], "b": []}
    for key, ward in (("a", ward_a), ("b", ward_b)):
        for number, fields in enumerate(kinds):
            person = factories.official(unit=ward, employee_code=f"R-{key}-{number}", **fields)
            people[key].append(person)
    enrollments = []
    for person in people["a"]:
        enrollments.append(factories.completed_enrollment(official=person, session=s_update, periods_earned=16))
        enrollments.append(factories.completed_enrollment(official=person, session=s_rank, periods_earned=40))
    for person in people["a"][:2]:
        enrollments.append(factories.completed_enrollment(official=person, session=s_exchange, periods_earned=4))
    for person in people["b"][:3]:
        enrollments.append(factories.completed_enrollment(official=person, session=s_update2, periods_earned=16))
    factories.completed_enrollment(official=people["b"][3], session=s_last_year, periods_earned=16)
    factories.enrollment(official=people["b"][3], session=s_rank)  # confirmed, not completed: not counted
    for enrollment in enrollments:
        if enrollment.session.course.credential_type != CredentialType.ATTENDANCE:
            factories.certificate(enrollment=enrollment)
    return {"people": people, "groups": (politics, digital), "sessions": (s_update, s_update2, s_rank, s_exchange),
            "enrollments": enrollments}


def stored_files(media) -> list:
    """The files under a test's MEDIA_ROOT (none when nothing was ever stored)."""
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []
