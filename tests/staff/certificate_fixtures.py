"""Shared fixtures of the certificate tests: a finished class of a course with a Vietnamese title."""

from __future__ import annotations

import datetime as dt

import pytest

from courses.models import CredentialType
from tests import factories

TITLE = "Kỹ năng số cho cán bộ, công chức cấp xã – Đất đai"
NAME = "Nguyễn Thị Hồng Hải"


@pytest.fixture
def course(training_centre):
    return factories.course(title=TITLE, organizer=training_centre, periods=16,
                            credential_type=CredentialType.CHUNG_CHI, certificate_validity_months=24)


@pytest.fixture
def past_session(course):
    return factories.session(course=course, start=dt.date(2026, 10, 5), days=2, code="KNS-T1")


@pytest.fixture
def completed(official, past_session):
    official.date_of_birth = dt.date(1985, 3, 14)
    official.email = "hai.nguyen@example.invalid"
    official.phone = "0912 345 678"
    official.save(update_fields=["date_of_birth", "email", "phone"])
    return factories.completed_enrollment(official=official, session=past_session, periods_earned=14)


@pytest.fixture
def certificate(completed, organizer):
    return factories.issued_certificate(enrollment=completed, by=organizer, issued_on=dt.date(2026, 10, 6))


# Test modules take the fixtures with ``from tests.staff.certificate_fixtures import *``.
__all__ = ["certificate", "completed", "course", "past_session"]
