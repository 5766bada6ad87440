"""Fixed personas, as in every test here: an official, the HR officer of the same ward, the HR officer of
another ward, the city HR, an organizer. All data is synthetic."""

from __future__ import annotations

import datetime as dt

import pytest

from staff.models import Role, UnitKind

from . import factories


@pytest.fixture
def city(db):
    return factories.unit("HN", name="Thành phố Hà Nội", kind=UnitKind.CITY)


@pytest.fixture
def ward_a(city):
    return factories.unit("P-A", name="Phường Khương Đình", parent=city, valid_from=dt.date(2025, 7, 1))


@pytest.fixture
def ward_b(city):
    return factories.unit("P-B", name="Phường Thanh Xuân", parent=city, valid_from=dt.date(2025, 7, 1))


@pytest.fixture
def training_centre(city):
    return factories.unit("TTBD", name="Trung tâm Bồi dưỡng", parent=city, kind=UnitKind.TRAINING_CENTRE)


@pytest.fixture
def official(ward_a):
    person = factories.official(unit=ward_a, name="Nguyễn Thị Hồng Hải", employee_code="CB-A-1")
    person.user = factories.user("official")
    person.save(update_fields=["user"])
    return person


@pytest.fixture
def official_b(ward_b):
    return factories.official(unit=ward_b, name="Trần Văn Bình", employee_code="CB-B-1")


@pytest.fixture
def hr_a(ward_a):
    return factories.user("hr.a", role=Role.UNIT_HR, unit=ward_a)


@pytest.fixture
def hr_b(ward_b):
    return factories.user("hr.b", role=Role.UNIT_HR, unit=ward_b)


@pytest.fixture
def city_hr(city):
    return factories.user("hr.city", role=Role.CITY_HR, unit=city)


@pytest.fixture
def organizer(training_centre):
    return factories.user("organizer", role=Role.ORGANIZER, unit=training_centre)


@pytest.fixture
def admin_user(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("admin", "admin@example.invalid", "pw-for-tests-only")


def pytest_terminal_summary(terminalreporter) -> None:
    """The figures the fault tests measured (tests/figures.py), in CI's log without -s."""
    from tests.figures import recorded

    lines = recorded()
    if lines:
        terminalreporter.section("figures (measured, not asserted)")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _web_timeouts_after_worker_code(django_db_blocker):
    """Worker and scheduler code run in the test process raise the database limits for the whole process
    (training_site/ops/timeouts.py); the next test gets the web request's limits back (torn down after the
    test's own database fixtures, hence the unblock)."""
    yield
    from training_site.ops.timeouts import worker_timeouts_reset

    with django_db_blocker.unblock():
        worker_timeouts_reset()
