"""Every URL that takes an object identifier answers 404 to ward A's HR officer for ward B's objects.

The test walks the whole URL configuration, so a new view is covered the day it is added: a pattern
with an identifier that is neither mapped to one of ward B's objects here nor exempted with a reason
fails the test until someone decides which it is. Ward A's HR officer holds *every* permission, so
what answers 404 is the scope, not a missing permission.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLResolver, get_resolver, reverse

from courses.models import BestPracticePage, CourseSession, Trainer
from staff.models import (
    Adoption,
    AuditAction,
    AuditEntry,
    Certificate,
    Enrollment,
    EnrollmentStatus,
    ExportJob,
    Official,
    Role,
    RoleAssignment,
    TrainingPlan,
    TrainingRequirement,
    Unit,
    UnitSuccession,
)
from staff.services.organisation import unit_succession_record
from tests import factories

pytestmark = pytest.mark.django_db

# Parameters that name an object (by id, code, token or serial).
IDENTIFIER = re.compile(r"^(pk|id|code|token|serial|.*_id|.*_pk)$")

# Patterns whose identifier is not a unit's record, with the reason. A name ending in "*" is a prefix
# (matched on the URL name with its namespace); any other name must match exactly.
EXEMPT = {
    "wagtail*": "Wagtail's own CMS objects (pages, images, documents, sites, users, workflows, settings): "
                "guarded by Wagtail's permissions, not unit records",
    "enroll": "a session of the public catalog: anyone may enroll in it",
    "staff_nominate": "a session of the public catalog; the officials offered are scoped (test_enrollment_flow)",
    "certificate_verify": "the secret verification code is the capability; the page is public by design",
    "calendar_feed": "the secret token is the capability (test_calendars)",
    "staff_invitation_batch": "a batch is its sender's own, not a unit's; another HR officer gets 404 "
                              "(test_invitations)",
    "staff_invitation_batch_status": "the batch's progress, its sender's own like the batch (test_invitations)",
    "staff_officials_import_job": "a roster import job is its uploader's own, not a unit's; any other HR officer "
                                  "gets 404 (tests/staff/imports/test_roster_job.py)",
    "staff_officials_import_job_status": "the import job's progress, its uploader's own like the job "
                                         "(tests/staff/imports/test_roster_job.py)",
    "staff_two_factor_reset": "the city's HR only (require_city_hr); a unit's HR officer gets 404 (test_two_factor)",
    "account_activate": "the signed, single-use activation token is the capability (test_invitations)",
    "password_reset_confirm": "Django's signed, single-use reset token is the capability (test_self_service)",
}


@pytest.fixture
def ward_b_world(city, ward_b, official_b, hr_b):
    """One object of each kind that belongs to ward B."""
    organizer_b = factories.user("organizer.b", role=Role.ORGANIZER, unit=ward_b)
    course = factories.course(title="Lớp của phường B", organizer=ward_b)
    start = dt.date(2026, 10, 5)  # a Monday
    session = factories.session(course=course, start=start, days=2)
    enrollment = factories.enrollment(official=official_b, session=session, status=EnrollmentStatus.COMPLETED,
                                      periods_earned=16, completed_on=session.end_date)
    certificate = factories.certificate(enrollment=enrollment)
    former = factories.unit("P-B-CU", parent=city, valid_to=dt.date(2025, 6, 30))
    unit_succession_record(predecessor=former, successor=ward_b, effective_date=dt.date(2025, 7, 1),
                           legal_basis="Nghị quyết (minh họa)")
    practice = factories.practice(title="Mô hình của phường B", originating_unit=ward_b)
    trainer = factories.trainer("Giảng viên lớp B")
    session.trainers.add(trainer)
    return {
        BestPracticePage: practice,
        Adoption: Adoption.objects.create(practice=practice, unit=ward_b, status="planned", since=start),
        Trainer: trainer,
        Official: official_b,
        Unit: ward_b,
        UnitSuccession: UnitSuccession.objects.get(successor=ward_b),
        CourseSession: session,
        Enrollment: enrollment,
        Certificate: certificate,
        TrainingRequirement: TrainingRequirement.objects.create(year=2026, category="cong_chuc"),
        TrainingPlan: TrainingPlan.objects.create(year=2026, unit=ward_b, content_group=factories.content_group(),
                                                  programme_type="update", classes=2, participants=40),
        RoleAssignment: RoleAssignment.objects.get(user=hr_b),
        AuditEntry: AuditEntry.objects.create(user=hr_b, action=AuditAction.RECORD_VIEW, summary="B"),
        ExportJob: ExportJob.objects.create(user=hr_b, kind="training_records", params={"unit": "P-B"}),
        "organizer": organizer_b,
    }


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), pattern


def _parameters(pattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


def _viewset_models() -> dict[str, type]:
    from wagtail.admin.viewsets import viewsets

    models = {}
    for viewset in viewsets.viewsets:
        name = getattr(viewset, "name", None)
        model = getattr(viewset, "model", None)
        if name and model is not None:
            models[viewset.url_namespace] = model
    return models


# Our own views (not viewsets): which of ward B's objects the identifier names.
NAMED = {
    "staff_class_": CourseSession,
    "staff_official_record": Official,
    "staff_export_job": ExportJob,
    "staff_export_job_": ExportJob,  # download, status, the class's certificates PDF
    "offer_answer": Enrollment,
    "enrollment_ics": Enrollment,
    "enrollment_cancel": Enrollment,
    "checkin": CourseSession,
    "certificate_download": Certificate,
    "staff_adoption_edit": Adoption,
    "staff_replication_practice": BestPracticePage,  # the dashboard's pages: city HR and organizers only
    "staff_trainer_feedback": Trainer,
    "enrollment_feedback": Enrollment,
}


def _target(name: str, viewset_models: dict[str, type]):
    namespace = name.split(":")[0] if ":" in name else None
    if namespace in viewset_models and not namespace.startswith("wagtail"):
        return viewset_models[namespace]
    for prefix, model in NAMED.items():
        if name == prefix or (prefix.endswith("_") and name.startswith(prefix)):
            return model
    return None


def _exempt(name: str) -> bool:
    return any(name.startswith(rule[:-1]) if rule.endswith("*") else name == rule for rule in EXEMPT)


def test_hr_of_ward_a_gets_404_for_every_object_of_ward_b(client, hr_a, ward_b_world):
    hr_a.user_permissions.add(*Permission.objects.all())
    client.force_login(hr_a)
    get_resolver().url_patterns  # noqa: B018 - loads Wagtail's hook-registered admin URLs
    viewset_models = _viewset_models()
    session = ward_b_world[CourseSession]
    other_values = {"day": session.day_list[0].isoformat(), "fmt": "pdf"}

    checked, unclassified, leaks = [], [], []
    for name, route, pattern in _walk(get_resolver().url_patterns):
        parameters = _parameters(pattern)
        identifiers = [p for p in parameters if IDENTIFIER.match(p)]
        if not identifiers or _exempt(name):
            continue
        model = _target(name, viewset_models)
        if model is None or model not in ward_b_world:
            unclassified.append(f"{name} ({route})")
            continue
        kwargs = {identifiers[0]: ward_b_world[model].pk}
        for extra in parameters[1:] if parameters[0] in identifiers else parameters:
            if extra not in kwargs:
                kwargs[extra] = other_values.get(extra, "x")
        url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        checked.append(name)
        if response.status_code != 404:
            leaks.append(f"{name} {url} → {response.status_code}")

    assert not unclassified, "map these patterns to an object of ward B, or exempt them with a reason: " + \
        ", ".join(unclassified)
    assert not leaks, leaks
    # The walk really walked: the officials', enrollments' and certificates' views and our own pages.
    for expected in ("officials:edit", "officials:inspect", "enrollments:inspect", "certificates:revoke",
                     "staff_class_participants", "certificate_download", "enrollment_cancel", "sessions:edit"):
        assert expected in checked, expected


def test_the_walk_would_catch_a_view_that_forgets_the_scope(client, hr_a, city, ward_b_world):
    """The same request against an unscoped lookup answers 200: the 404s above come from the scope."""
    hr_a.user_permissions.add(*Permission.objects.all())
    client.force_login(hr_a)
    hr_a.staff_roles.update(role=Role.CITY_HR, unit=city)  # widen the scope: now ward B is visible
    response = client.get(reverse("officials:edit", args=[ward_b_world[Official].pk]))
    assert response.status_code == 200
