"""seed_demo builds a usable demo and changes nothing when run again."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from courses.models import TrainingPage
from staff.demo import demo_counts
from staff.models import Enrollment, EnrollmentStatus, Official, Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_leaves_the_same_row_counts():
    call_command("seed_demo", officials=40, stdout=open("/dev/null", "w"))
    first = demo_counts()

    call_command("seed_demo", officials=40, stdout=open("/dev/null", "w"))

    assert demo_counts() == first
    assert first["staff.Official"] == 40
    assert first["courses.TrainingPage"] >= 12


def test_seed_demo_has_legacy_units_with_successors_and_training_under_them():
    call_command("seed_demo", officials=60, stdout=open("/dev/null", "w"))

    khuong_mai = Unit.objects.get(code="Q-THANHXUAN.KHUONGMAI")
    song_phuong = Unit.objects.get(code="H-HOAIDUC.SONGPHUONG")
    assert khuong_mai.valid_to is not None and khuong_mai.successions.get().successor.code == "P-KHUONGDINH"
    assert song_phuong.successions.get().successor.code == "X-ANKHANH"
    assert Unit.objects.filter(kind=UnitKind.DISTRICT, valid_to__isnull=True).count() == 0
    assert Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED, unit__valid_to__isnull=False).exists()
    assert TrainingPage.objects.live().filter(sessions__end_date__lt="2026-01-01").exists()
    assert Official.objects.filter(full_name="Nguyễn Thị Hồng Hải", user__username="canbo").exists()


def test_a_held_demo_class_shows_its_attendance_and_closed_on_its_last_day():
    from django.utils import timezone

    from courses.models import CourseSession
    from staff.models import Attendance
    from staff.services.attendance import class_closed_on

    call_command("seed_demo", officials=40, stdout=open("/dev/null", "w"))
    held = CourseSession.objects.filter(end_date__lt=timezone.localdate(), enrollments__isnull=False).first()

    assert held is not None
    assert class_closed_on(held) == held.end_date  # not the day the demo was loaded
    completed = Enrollment.objects.filter(session=held, status=EnrollmentStatus.COMPLETED)
    assert Attendance.objects.filter(enrollment__in=completed).count() == completed.count() * len(held.day_list)
