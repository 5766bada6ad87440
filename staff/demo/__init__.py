"""Synthetic demo data for a Hanoi-like city: units with their 2025 lineage, officials, courses, logins.

Every name, code and number here is invented (no real personal data). The lineage of units is
illustrative of the 1 July 2025 reorganisation, not an authoritative copy of it.
Idempotent: everything is found by a natural key before it is created, so a second run adds nothing.

One module per subject; ``seed_demo`` runs them in order, each step reading what the earlier ones made.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from courses.models import ContentGroup, CourseSession, FieldOfWork, LegalDocument, Skill, Trainer, TrainingPage
from staff.demo.certificates import seed_certificates
from staff.demo.compliance import seed_requirements_and_plans
from staff.demo.courses import seed_catalog_pages, seed_courses, seed_reference
from staff.demo.enrollment import seed_enrollment_rules, seed_enrollments
from staff.demo.organisation import seed_logins, seed_units
from staff.demo.people import link_demo_official_login, seed_officials, seed_ranks
from staff.demo.replication import seed_replication
from staff.demo.two_factor import seed_two_factor
from staff.models import Certificate, Enrollment, Official, Rank, RoleAssignment, Unit, UnitAssignment


def seed_demo(*, officials: int = 200, today: dt.date | None = None) -> dict[str, int]:
    """Create the demo data if it is missing; return the row counts afterwards."""
    today = today or timezone.localdate()
    with transaction.atomic():
        units = seed_units()
        ranks = seed_ranks()
        reference = seed_reference()
        catalog = seed_catalog_pages()
        seed_courses(catalog, units, ranks, reference, today)
        people = seed_officials(units, ranks, officials)
        seed_enrollments(people, today)
        seed_enrollment_rules(units)
        seed_requirements_and_plans(units, today)
        seed_logins(units)
        seed_two_factor()
        link_demo_official_login()
        seed_certificates()
        seed_replication(units, today)
    return demo_counts()


def demo_counts() -> dict[str, int]:
    models = [Unit, Official, UnitAssignment, Rank, ContentGroup, FieldOfWork, Skill, LegalDocument, Trainer,
              TrainingPage, CourseSession, Enrollment, Certificate, User, Group, RoleAssignment, Page]
    return {model._meta.label: model.objects.count() for model in models}
