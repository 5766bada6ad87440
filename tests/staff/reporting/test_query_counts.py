"""Building the yearly reform report takes a fixed number of queries, the same for 1 class and for 30
(STYLE.md, 7): every number is a GROUP BY, never a query per class, participant or unit."""

from __future__ import annotations

import datetime as dt

import pytest

from courses.models import ProgrammeType
from staff.models import AdoptionStatus, TrainingPlan
from staff.selectors.reporting import build_reform_report
from staff.services.organisation import unit_succession_record
from staff.services.replication import adoption_record
from tests import factories
from tests.queries import build_queries
from tests.staff.export_data import YEAR

pytestmark = pytest.mark.django_db


def _classes(first: int, count: int, *, wards, training_centre, by) -> None:
    """Per number: a class of its own content group with one participant (certified), an exchange with one
    participant of ward A, ward A's plan for the group, and a practice ward A adopted after the exchange.
    Participants take turns between the wards given (a former ward among them)."""
    ward_a = wards[0]
    for number in range(first, first + count):
        group = factories.content_group(f"nhom-{number}", f"Nhóm nội dung {number:02d}")
        course = factories.course(title=f"Cập nhật kiến thức {number:02d}", organizer=training_centre, group=group,
                                  periods=8, programme_type=ProgrammeType.UPDATE)
        session = factories.session(course=course, start=dt.date(YEAR, 3, 2))
        ward = wards[number % len(wards)]
        enrollment = factories.completed_enrollment(official=factories.official(unit=ward_a), session=session,
                                                    periods_earned=8, unit=ward)
        factories.certificate(enrollment=enrollment)
        visit = factories.exchange(title=f"Trao đổi {number:02d}", organizer=training_centre, host_unit=ward_a)
        held = factories.session(course=visit, start=dt.date(YEAR, 5, 11), days=1)
        factories.completed_enrollment(official=factories.official(unit=ward_a), session=held, periods_earned=4)
        TrainingPlan.objects.create(year=YEAR, unit=ward_a, content_group=group,
                                    programme_type=ProgrammeType.UPDATE, classes=1, participants=1)
        practice = factories.practice(title=f"Mô hình {number:02d}", originating_unit=ward_a)
        adoption_record(practice=practice, unit=ward_a, status=AdoptionStatus.ADOPTED, since=dt.date(YEAR, 6, 1),
                        via_exchange=visit, by=by)


# Each report starts with the spellings of the majority ethnicity (1) and the content groups (1); then, over
# the year's completed enrollments of the scope: by content group × programme type with the valid
# certificates by credential (1), the plan lines (1), by unit (1), this year's training rules and today's
# compliance by unit (2), the units' names (1), the exchange sessions (1), and the replication section's
# exchange pages and adoption events by status (2).
@pytest.mark.parametrize(("where", "expected"), [
    ("city", 11),  # no unit: no query over units before the counts
    ("ward", 12),  # the ward's subtree first (1)
    ("ward_mapped", 14),  # today's units and the succession links (2), then the ward's subtree (1)
])
def test_the_reform_report_takes_the_same_queries_for_1_and_30_classes(city, ward_a, ward_b, training_centre,
                                                                       city_hr, where, expected):
    former = factories.unit("P-CU", name="Phường cũ", parent=city, valid_from=dt.date(2020, 1, 1))
    unit_succession_record(predecessor=former, successor=ward_a, effective_date=dt.date(2025, 7, 1),
                           legal_basis="Nghị quyết minh họa")
    wards = (ward_a, ward_b, former)
    arguments = {"city": {}, "ward": {"unit": ward_a}, "ward_mapped": {"unit": ward_a, "mapped": True}}[where]

    def build():
        return build_reform_report(year=YEAR, today=dt.date(YEAR, 12, 1), **arguments)

    _classes(0, 1, wards=wards, training_centre=training_centre, by=city_hr)
    one, report = build_queries(build)
    assert len(report.lines) == 2 and report.replication.adoptions[AdoptionStatus.ADOPTED] == 1
    _classes(1, 29, wards=wards, training_centre=training_centre, by=city_hr)
    thirty, report = build_queries(build)
    # A line per content group and one for the exchanges; 30 exchange sessions; 30 adoptions.
    assert len(report.lines) == 31 and len(report.exchanges) == 30
    assert report.replication.adoptions[AdoptionStatus.ADOPTED] == 30
    if where == "city":
        assert report.total.participants == 60 and len(report.units) == 3
    assert one == thirty == expected, (where, one, thirty)
