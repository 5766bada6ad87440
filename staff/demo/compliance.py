"""The demo's yearly training rule and one ward's training plan, so the report has plan versus actual."""

from __future__ import annotations

import datetime as dt

from courses.models import ContentGroup, ProgrammeType
from staff.models import Category, TrainingPlan, TrainingRequirement, Unit

# Illustrative numbers: the 2025 decree leaves the yearly requirement to the city.
REQUIRED_PERIODS = 40
# programme type, planned classes, planned participants (for Khương Đình, in the first content group)
DEMO_PLAN = ((ProgrammeType.JOB_POSITION, 4, 60), (ProgrammeType.UPDATE, 2, 40))


def seed_requirements_and_plans(units: dict[str, Unit], today: dt.date) -> None:
    """This year's training rule per category and a plan for one ward."""
    for category in Category.values:
        TrainingRequirement.objects.get_or_create(year=today.year, category=category,
                                                  defaults={"required_periods": REQUIRED_PERIODS})
    group = ContentGroup.objects.order_by("sort_order", "pk").first()
    for programme_type, classes, participants in DEMO_PLAN:
        TrainingPlan.objects.get_or_create(year=today.year, unit=units["P-KHUONGDINH"], content_group=group,
                                           programme_type=programme_type,
                                           defaults={"classes": classes, "participants": participants})
