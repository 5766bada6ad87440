"""The "below this year's requirement" filter: one grouped aggregate (staff.selectors.compliance
``officials_below_requirement``) that must answer as the list's own per-official figures do."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from courses.models import ProgrammeType
from staff.models import Category, EnrollmentStatus, Official, TrainingRequirement
from staff.selectors.compliance import officials_below_requirement, officials_with_compliance
from tests import factories

pytestmark = pytest.mark.django_db


def _done(official, session, periods, *, completed_on=None, status=EnrollmentStatus.COMPLETED):
    factories.enrollment(official=official, session=session, status=status, periods_earned=periods,
                         completed_on=completed_on or session.end_date)


@pytest.fixture
def year():
    return timezone.localdate().year


def test_exactly_at_the_requirement_is_not_below_and_one_period_short_is(client, hr_a, ward_a, training_centre,
                                                                         year):
    TrainingRequirement.objects.create(year=year, category=Category.CIVIL_SERVANT, required_periods=40)
    course = factories.course(title="Bồi dưỡng", organizer=training_centre, periods=20)
    first = factories.session(course=course, start=dt.date(year, 2, 2), days=1)
    second = factories.session(course=course, start=dt.date(year, 3, 2), days=1)
    exactly = factories.official(unit=ward_a, name="Lê Đủ Bốn Mươi", category=Category.CIVIL_SERVANT)
    _done(exactly, first, 20)
    _done(exactly, second, 20)  # 20 + 20 = 40 of 40
    short = factories.official(unit=ward_a, name="Lê Thiếu Một", category=Category.CIVIL_SERVANT)
    _done(short, first, 20)
    _done(short, second, 19)  # 39 of 40

    people = Official.objects.filter(pk__in=[exactly.pk, short.pk])
    assert set(officials_below_requirement(people, year=year)) == {short}
    assert set(officials_below_requirement(people, year=year, below=False)) == {exactly}

    factories.grant_all(hr_a)
    client.force_login(hr_a)
    below = {o.pk for o in client.get("/admin/officials/?below_requirement=true").context["object_list"]}
    met = {o.pk for o in client.get("/admin/officials/?below_requirement=false").context["object_list"]}
    assert short.pk in below and exactly.pk not in below
    assert exactly.pk in met and short.pk not in met


def test_the_grouped_answer_is_the_per_official_answer(ward_a, training_centre, year):
    """A mix the rule reads differently: other years, unfinished classes, no periods recorded, courses of a
    kind a category's rule does not count, a category that owes nothing, nobody enrolled at all."""
    TrainingRequirement.objects.create(year=year, category=Category.CIVIL_SERVANT, required_periods=30,
                                       counted_programme_types=[ProgrammeType.JOB_POSITION])
    TrainingRequirement.objects.create(year=year, category=Category.PUBLIC_EMPLOYEE, required_periods=0)
    job = factories.course(title="Vị trí việc làm", organizer=training_centre, periods=30,
                           programme_type=ProgrammeType.JOB_POSITION)
    rank = factories.course(title="Ngạch", organizer=training_centre, periods=30,
                            programme_type=ProgrammeType.RANK_STANDARD)
    job_now = factories.session(course=job, start=dt.date(year, 4, 1), days=1)
    rank_now = factories.session(course=rank, start=dt.date(year, 4, 8), days=1)
    job_before = factories.session(course=job, start=dt.date(year - 1, 4, 1), days=1)
    people = {}
    for key, category in [("job", Category.CIVIL_SERVANT), ("rank_only", Category.CIVIL_SERVANT),
                          ("last_year", Category.CIVIL_SERVANT), ("confirmed", Category.CIVIL_SERVANT),
                          ("no_periods", Category.CIVIL_SERVANT), ("nobody", Category.CIVIL_SERVANT),
                          ("owes_nothing", Category.PUBLIC_EMPLOYEE), ("default_rule", Category.CADRE),
                          ("default_short", Category.CADRE)]:
        people[key] = factories.official(unit=ward_a, name=f"Phạm {key}", category=category)
    _done(people["job"], job_now, 30)
    _done(people["rank_only"], rank_now, 30)  # a kind the civil servants' rule does not count
    _done(people["last_year"], job_before, 30)
    _done(people["confirmed"], job_now, None, status=EnrollmentStatus.CONFIRMED)
    _done(people["no_periods"], job_now, None)
    _done(people["default_rule"], job_now, 100)  # the default requirement, every kind counts
    _done(people["default_short"], rank_now, 1)

    everyone = Official.objects.filter(pk__in=[p.pk for p in people.values()])
    annotated = officials_with_compliance(everyone, year=year)
    expected_below = set(annotated.filter(periods_done__lt=F("periods_required")))
    expected_met = set(annotated.filter(periods_done__gte=F("periods_required")))

    assert set(officials_below_requirement(everyone, year=year)) == expected_below
    assert set(officials_below_requirement(everyone, year=year, below=False)) == expected_met
    # And the mix is the one meant: the rule is read, not every official put on one side.
    assert {people["job"], people["owes_nothing"], people["default_rule"]} == expected_met
