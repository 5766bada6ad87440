"""The organisation tree and its 2025 lineage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from staff.models import EnrollmentStatus, Unit, UnitKind
from staff.selectors.organisation import successor_map, unit_subtree
from staff.selectors.reporting import completed_periods_by_unit
from staff.services.organisation import unit_succession_record
from staff.services.people import official_assign_unit
from tests import factories

pytestmark = pytest.mark.django_db

MERGER = dt.date(2025, 7, 1)
BASIS = "Nghị quyết 1656/NQ-UBTVQH15"


def test_subtree_is_one_query_and_includes_the_unit_itself(django_assert_num_queries, city, ward_a, ward_b):
    division = factories.unit("P-A.VP", parent=ward_a, kind=UnitKind.DIVISION)
    factories.unit("P-A.VP.1", parent=division, kind=UnitKind.DIVISION)

    with django_assert_num_queries(1):
        codes = [unit.code for unit in unit_subtree(ward_a)]

    assert codes == ["P-A", "P-A.VP", "P-A.VP.1"]


def test_moving_a_unit_moves_everything_under_it(city, ward_a, ward_b):
    division = factories.unit("P-A.VP", parent=ward_a, kind=UnitKind.DIVISION)
    team = factories.unit("P-A.VP.1", parent=division, kind=UnitKind.DIVISION)

    division.parent = ward_b
    division.save()

    team.refresh_from_db()
    assert team.path == "HN/P-B/P-A.VP/P-A.VP.1/"
    assert set(unit_subtree(ward_b).values_list("code", flat=True)) == {"P-B", "P-A.VP", "P-A.VP.1"}
    assert list(unit_subtree(ward_a).values_list("code", flat=True)) == ["P-A"]


@pytest.fixture
def lineage(city, ward_a, ward_b):
    district = factories.unit("Q-TX", name="Quận Thanh Xuân (cũ)", parent=city, kind=UnitKind.DISTRICT)
    khuong_mai = factories.unit("Q-TX.KM", name="Phường Khương Mai (cũ)", parent=district)
    khuong_trung = factories.unit("Q-TX.KT", name="Phường Khương Trung (cũ)", parent=district)
    older = factories.unit("Q-TX.OLD", name="Phường sáp nhập năm 2019 (cũ)", parent=district)
    unit_succession_record(predecessor=older, successor=khuong_mai, effective_date=dt.date(2019, 1, 1),
                           legal_basis="Nghị quyết 2019 (minh họa)")
    unit_succession_record(predecessor=khuong_mai, successor=ward_a, effective_date=MERGER, legal_basis=BASIS)
    unit_succession_record(predecessor=khuong_trung, successor=ward_a, effective_date=MERGER, legal_basis=BASIS,
                           kind="split", share=70)
    unit_succession_record(predecessor=khuong_trung, successor=ward_b, effective_date=MERGER, legal_basis=BASIS,
                           kind="split", share=30)
    return {"district": district, "khuong_mai": khuong_mai, "khuong_trung": khuong_trung, "older": older}


def test_recording_a_succession_closes_the_former_unit(lineage):
    lineage["khuong_mai"].refresh_from_db()
    assert lineage["khuong_mai"].valid_to == dt.date(2025, 6, 30)
    assert not lineage["khuong_mai"].is_current(dt.date(2025, 7, 1))
    assert lineage["khuong_mai"].is_current(dt.date(2025, 6, 30))


def test_successor_map_follows_links_and_splits_go_to_the_largest_share(lineage, ward_a):
    mapping = successor_map(on=dt.date(2026, 1, 1))

    assert mapping[lineage["khuong_mai"].pk] == ward_a.pk
    assert mapping[lineage["older"].pk] == ward_a.pk  # 2019 merger, then 2025 merger
    assert mapping[lineage["khuong_trung"].pk] == ward_a.pk  # 70 % went to ward A
    assert ward_a.pk not in mapping  # today's units map to themselves


def test_successor_map_as_of_a_date_before_the_merger_keeps_the_old_wards(lineage):
    mapping = successor_map(on=dt.date(2025, 6, 30))

    assert lineage["khuong_mai"].pk not in mapping
    assert mapping[lineage["older"].pk] == lineage["khuong_mai"].pk


def test_training_under_a_legacy_unit_counts_under_its_successor(lineage, ward_a, ward_b, training_centre):
    person = factories.official(unit=lineage["khuong_mai"], since=dt.date(2018, 1, 1), name="Lê Thị Mai")
    official_assign_unit(official=person, unit=ward_a, start=MERGER)
    course = factories.course(title="Nghiệp vụ hộ tịch", organizer=training_centre, periods=24)
    before = factories.session(course=course, start=dt.date(2025, 5, 19), days=3)
    factories.enrollment(official=person, session=before, unit=lineage["khuong_mai"],
                         status=EnrollmentStatus.COMPLETED, periods_earned=24, completed_on=dt.date(2025, 5, 21))
    after = factories.session(course=course, start=dt.date(2025, 9, 8), days=1)
    factories.enrollment(official=person, session=after, unit=ward_a, status=EnrollmentStatus.COMPLETED,
                         periods_earned=8, completed_on=dt.date(2025, 9, 8))

    as_it_was = completed_periods_by_unit(year=2025)
    mapped = completed_periods_by_unit(year=2025, mapped_to=dt.date(2026, 1, 1))

    assert as_it_was == {lineage["khuong_mai"].pk: 24, ward_a.pk: 8}
    assert mapped == {ward_a.pk: 32}
    assert ward_b.pk not in mapped


def test_an_official_keeps_a_dated_history_and_one_current_unit(ward_a, ward_b):
    person = factories.official(unit=ward_a, since=dt.date(2020, 1, 1))

    official_assign_unit(official=person, unit=ward_b, start=dt.date(2025, 7, 1))

    history = list(person.assignments.values_list("unit__code", "start", "end"))
    assert history == [("P-A", dt.date(2020, 1, 1), dt.date(2025, 6, 30)), ("P-B", dt.date(2025, 7, 1), None)]
    person.refresh_from_db()
    assert person.unit == ward_b


def test_unit_codes_are_validated(city):
    unit = Unit(code="P A/1", name="Sai mã", kind=UnitKind.WARD, parent=city)
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "code" in error.value.message_dict
