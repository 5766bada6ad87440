"""The yearly reform report: its numbers, their agreement with the record export and the ORM, the 2025
mapping, the files it writes, and its scope."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from courses.models import CredentialType, ProgrammeType
from staff.exports.reporting import write_reform_xlsx
from staff.models import AuditAction, AuditEntry, Category, Enrollment, EnrollmentStatus, TrainingPlan
from staff.pdf.reporting import reform_report_pdf
from staff.selectors.reporting import build_reform_report
from staff.services.organisation import unit_succession_record
from tests import factories
from tests.pdf_text import pdf_text
from tests.staff.export_data import GROUP_NAME, YEAR, report_world


@pytest.fixture
def world(city, ward_a, ward_b, training_centre):
    return report_world(city=city, ward_a=ward_a, ward_b=ward_b, training_centre=training_centre)


def _completed(year: int, **lookup):
    return Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED, completed_on__year=year, **lookup)


def _line(report, group, programme):
    return next(line for line in report.lines if line.group == group.name and line.programme_type == programme)


def test_ward_numbers_by_group_and_type(world, ward_a):
    politics, digital = world["groups"]
    report = build_reform_report(year=YEAR, unit=ward_a)
    update = _line(report, politics, ProgrammeType.UPDATE)
    assert (update.classes, update.participants, update.periods) == (1, 4, 64)
    assert (update.female, update.minority, update.leaders) == (2, 1, 1)  # "kinh" is Kinh, folded
    assert update.by_category == dict.fromkeys(Category.values, 1)
    assert update.certificates[CredentialType.GIAY_CHUNG_NHAN] == 4
    rank = _line(report, digital, ProgrammeType.RANK_STANDARD)
    assert (rank.classes, rank.participants, rank.periods) == (1, 4, 160)
    assert rank.certificates[CredentialType.CHUNG_CHI] == 4
    exchange = _line(report, politics, ProgrammeType.EXCHANGE)
    assert (exchange.participants, exchange.female, exchange.leaders) == (2, 1, 1)
    assert report.exchange_sessions == 1 and report.exchanges[0]["participants"] == 2
    assert (report.total.classes, report.total.participants, report.total.periods) == (3, 10, 232)
    # Everyone in ward A did 56 periods or more: all four meet the default 40.
    assert (report.officials, report.meeting, report.share) == (4, 4, 1.0)


def test_totals_agree_with_records_export_and_orm(world, ward_a, tmp_path):
    for unit, lookup in ((ward_a, {"unit__path__startswith": ward_a.path}), (None, {})):
        report = build_reform_report(year=YEAR, unit=unit)
        orm = _completed(YEAR, **lookup)
        assert report.total.participants == orm.count()
        assert report.total.periods == orm.aggregate(total=Sum("periods_earned"))["total"]
        assert report.total.classes == orm.values("session").distinct().count()
        target = tmp_path / f"records-{unit.code if unit else 'city'}.xlsx"
        call_command("export_training_records", year=YEAR, unit=unit.code if unit else None, output=str(target),
                     language="en", stdout=io.StringIO())
        rows = list(load_workbook(target, read_only=True).active.iter_rows(values_only=True))
        header, data = rows[0], rows[1:]
        assert len(data) == report.total.participants
        assert sum(row[header.index("Periods")] for row in data) == report.total.periods
    city = build_reform_report(year=YEAR)
    assert city.total.participants == 13 and city.total.classes == 4
    assert (city.officials, city.meeting) == (8, 4)


def test_plan_versus_actual(world, ward_a):
    politics, _digital = world["groups"]
    TrainingPlan.objects.create(year=YEAR, unit=ward_a, content_group=politics,
                                programme_type=ProgrammeType.UPDATE, classes=2, participants=10)
    report = build_reform_report(year=YEAR, unit=ward_a)
    update = _line(report, politics, ProgrammeType.UPDATE)
    assert (update.planned_classes, update.planned_participants, update.classes, update.participants) == (2, 10, 1, 4)
    buffer = io.BytesIO()
    write_reform_xlsx(report, buffer)
    workbook = load_workbook(buffer)
    assert len(workbook.worksheets) == 5
    plan = list(workbook.worksheets[2].iter_rows(min_row=5, values_only=True))
    assert plan[0][2:] == (2, 1, 10, 4)
    summary = workbook.worksheets[0]
    assert summary.freeze_panes == "C5" and summary.print_title_rows == "$4:$4"
    assert summary.page_setup.orientation == "landscape" and summary.page_setup.fitToWidth == 1


def test_exchanges_and_adoptions_sheet_and_pdf_section(city, ward_a, ward_b, training_centre, city_hr, tmp_path):
    from staff.models import AdoptionStatus
    from staff.services.replication import adoption_record

    practice = factories.practice(title="Trả kết quả tại nhà", originating_unit=ward_a)
    visit = factories.exchange(title="Trao đổi mô hình Khương Đình", organizer=training_centre, host_unit=ward_a,
                               practices=[practice])
    held = factories.session(course=visit, start=dt.date(YEAR, 5, 11), days=1, code="TD-01")
    earlier = factories.session(course=visit, start=dt.date(YEAR - 1, 5, 11), days=1, code="TD-00")
    for number, unit in enumerate((ward_a, ward_a, ward_b)):
        person = factories.official(unit=unit, employee_code=f"TD-{number}")
        factories.completed_enrollment(official=person, session=held, periods_earned=4)
    factories.completed_enrollment(official=factories.official(unit=ward_a), session=earlier, periods_earned=4)
    # Ward A: planned last year, adopted this year; ward B: piloting this year then dropped this year.
    adoption_record(practice=practice, unit=ward_a, status=AdoptionStatus.PLANNED, since=dt.date(YEAR - 1, 12, 1),
                    by=city_hr)
    adoption_record(practice=practice, unit=ward_a, status=AdoptionStatus.ADOPTED, since=dt.date(YEAR, 6, 1),
                    via_exchange=visit, by=city_hr)
    adoption_record(practice=practice, unit=ward_b, status=AdoptionStatus.PILOT, since=dt.date(YEAR, 6, 1), by=city_hr)
    adoption_record(practice=practice, unit=ward_b, status=AdoptionStatus.DROPPED, since=dt.date(YEAR, 9, 1),
                    by=city_hr)

    city_report = build_reform_report(year=YEAR)
    section = city_report.replication
    assert [row["session__code"] for row in section.sessions] == ["TD-01"]
    assert (section.participants, section.adoptions) == (3, {"planned": 0, "pilot": 1, "adopted": 1, "dropped": 1})
    ward = build_reform_report(year=YEAR, unit=ward_a).replication
    assert (ward.participants, ward.adoptions["adopted"], ward.adoptions["pilot"]) == (2, 1, 0)

    buffer = io.BytesIO()
    write_reform_xlsx(city_report, buffer)
    sheet = load_workbook(buffer).worksheets[4]
    assert sheet.title in ("Exchanges and replication", "Trao đổi, nhân rộng")
    rows = [row for row in sheet.iter_rows(min_row=5, values_only=True) if any(value is not None for value in row)]
    assert rows[0][0] == "TD-01" and rows[0][1] == "Trao đổi mô hình Khương Đình" and rows[0][5] == 3
    assert rows[1][5] == 3  # the total line
    assert [row[1] for row in rows[-4:]] == [0, 1, 1, 1]  # planned, piloting, adopted, dropped
    text = pdf_text(reform_report_pdf(city_report), tmp_path)
    assert "TD-01" in text and "Trao đổi mô hình Khương Đình" in text


def test_as_it_was_and_mapped_differ_for_a_merged_ward(city, ward_a, training_centre):
    old = factories.unit("P-CU", name="Phường Khương Mai (cũ)", parent=city)
    person = factories.official(unit=old, employee_code="OLD-1")
    course = factories.course(title="Nghiệp vụ hộ tịch", organizer=training_centre)
    session = factories.session(course=course, start=dt.date(2025, 3, 3))
    factories.completed_enrollment(official=person, session=session, periods_earned=16)
    unit_succession_record(predecessor=old, successor=ward_a, effective_date=dt.date(2025, 7, 1),
                           legal_basis="Nghị quyết minh họa")
    old.refresh_from_db()

    def participants(unit, mapped):
        return build_reform_report(year=2025, unit=unit, mapped=mapped).total.participants

    assert (participants(ward_a, False), participants(ward_a, True)) == (0, 1)
    assert (participants(old, False), participants(old, True)) == (1, 0)
    assert participants(None, False) == participants(None, True) == 1
    mapped = build_reform_report(year=2025, mapped=True)
    assert [line.code for line in mapped.units if line.participants] == [ward_a.code]
    as_it_was = build_reform_report(year=2025)
    assert [line.code for line in as_it_was.units if line.participants] == [old.code]


def test_pdf_reads_vietnamese(world, ward_a, tmp_path):
    text = pdf_text(reform_report_pdf(build_reform_report(year=YEAR)), tmp_path)
    assert GROUP_NAME in text
    assert "Phường Khương Đình" in text


# --- Admin page: scope and audit ---------------------------------------------------------------------


def test_ward_hr_gets_own_report_and_404_for_another_ward(client, hr_a, world, ward_a, ward_b):
    client.force_login(hr_a)
    url = reverse("staff_reform_report")
    assert client.get(url).status_code == 200
    other = client.get(url, {"year": YEAR, "unit": ward_b.code, "mode": "as_it_was", "format": "xlsx"})
    assert other.status_code == 404
    own = client.get(url, {"year": YEAR, "unit": ward_a.code, "mode": "mapped", "format": "pdf"})
    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"%PDF-")
    entry = AuditEntry.objects.get(user=hr_a, action=AuditAction.EXPORT)
    assert entry.detail["filters"] == {"year": YEAR, "unit": ward_a.code, "mapped": True, "format": "pdf"}
    assert entry.detail["participants"] == 10


def test_city_hr_gets_the_whole_city(client, city_hr, world):
    client.force_login(city_hr)
    response = client.get(reverse("staff_reform_report"),
                          {"year": YEAR, "unit": "", "mode": "as_it_was", "format": "xlsx"})
    assert response.status_code == 200
    load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_official_without_hr_role_gets_404(client, official):
    client.force_login(official.user)
    assert client.get(reverse("staff_reform_report")).status_code in (302, 404)


def _units_ending_in(ward):
    from staff.models import Unit, UnitSuccession

    best = {}
    for link in UnitSuccession.objects.order_by("share"):
        best[link.predecessor_id] = link.successor_id  # the largest share wins (ordered last)
    inside = set(Unit.objects.filter(path__startswith=ward.path).values_list("pk", flat=True))
    found = []
    for unit in Unit.objects.all():
        current = unit.pk
        while current in best:
            current = best[current]
        if current in inside:
            found.append(unit.pk)
    return found


# --- On the demo data --------------------------------------------------------------------------------


@pytest.mark.parametrize("year,mapped", [(2026, False), (2025, True)])
def test_commands_on_seed_demo(db, tmp_path, year, mapped):
    from staff.demo import seed_demo
    from staff.models import Unit

    seed_demo(officials=40)
    ward = Unit.objects.get(code="P-KHUONGDINH")
    for unit in (None, ward):
        report = build_reform_report(year=year, unit=unit, mapped=mapped)
        options = {"year": year, "mapped": mapped, "language": "en", "stdout": io.StringIO()}
        if unit:
            options["unit"] = unit.code
        records, xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "b.xlsx", tmp_path / "b.pdf"
        call_command("export_training_records", output=str(records), **options)
        call_command("reform_report", format="xlsx", output=str(xlsx), **options)
        call_command("reform_report", format="pdf", output=str(pdf), **options)

        orm = _completed(year)
        if unit and not mapped:
            orm = orm.filter(unit__path__startswith=unit.path)
        elif unit:
            # Mapped by hand: every unit whose successor chain (followed here link by link) ends in the ward.
            orm = orm.filter(unit__in=_units_ending_in(unit))
        assert report.total.participants == orm.count() > 0
        rows = list(load_workbook(records, read_only=True).active.iter_rows(values_only=True))
        assert len(rows) - 1 == report.total.participants
        summary = load_workbook(xlsx).worksheets[0]
        total = next(row for row in summary.iter_rows(values_only=True) if row[0] == "Total")
        assert total[2:4] == (report.total.classes, report.total.participants)
        assert len(pypdf.PdfReader(pdf).pages) >= 1
