"""A few hundred course, workshop and exchange pages (through Wagtail's page tree: they are few) and their
6,022 sessions over 2024–2026; one course page holds 120 sessions (the runner's "course page (most sessions)")."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.utils.text import slugify

from courses.text import fold

from .units import City

TOPICS = ["Kỹ năng số", "Quản lý văn bản điện tử", "Cải cách hành chính", "Tiếp công dân", "Quản lý đất đai",
          "Hộ tịch và chứng thực", "An toàn thông tin", "Dịch vụ công trực tuyến", "Phòng, chống tham nhũng",
          "Quản lý tài chính công", "Bình đẳng giới", "Xây dựng chính quyền số", "Kỹ năng lãnh đạo",
          "Soạn thảo văn bản hành chính", "Quản lý trật tự đô thị", "Bảo vệ môi trường", "Dân vận khéo",
          "Phòng cháy, chữa cháy", "Kiến thức quốc phòng và an ninh", "Ngoại ngữ giao tiếp"]
AUDIENCES = ["cho công chức cấp xã", "cho lãnh đạo cấp phòng", "cho viên chức", "cho cán bộ phường",
             "nâng cao", "cơ bản", "theo vị trí việc làm", "cập nhật 2025"]
# Class days of a page (1 day = 8 periods): a mean near three days gives ~2.25M attendance rows at scale 1.
DAYS, DAY_WEIGHTS = (1, 2, 3, 4, 5, 10), (20, 30, 20, 12, 13, 5)
FIRST_DAY, LAST_DAY = dt.date(2024, 1, 2), dt.date(2026, 12, 28)


@dataclass(frozen=True)
class PageInfo:
    pk: int
    title: str
    organizer: int
    organizer_code: str
    credential: str
    periods: int
    days: int
    months: int | None
    policy: str
    offer_hours: int | None
    requires_result: bool


@dataclass(frozen=True)
class SessionInfo:
    pk: int
    page: PageInfo
    start: dt.date
    end: dt.date
    cancelled: bool
    self_checkin: bool


def _class_end(start: dt.date, days: int) -> dt.date:
    """The last of ``days`` weekdays from ``start`` (a weekday): day_list then has exactly ``days`` days."""
    day, left = start, days - 1
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _weekday(rng: random.Random, today: dt.date) -> dt.date:
    # One class in twenty runs around today or is still to come: upcoming classes have places that wait.
    first = min(today - dt.timedelta(days=7), LAST_DAY - dt.timedelta(days=14)) if rng.random() < 0.05 else FIRST_DAY
    day = first + dt.timedelta(days=rng.randrange(max(1, (LAST_DAY - first).days)))
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def build_pages(scale: float, city: City, rng: random.Random) -> list[PageInfo]:
    from courses.models import (
        ApprovalPolicy,
        CatalogPage,
        ContentGroup,
        CoursePage,
        CredentialType,
        ExchangePage,
        FieldOfWork,
        LegalDocument,
        ProgrammeType,
        WorkshopKind,
        WorkshopPage,
    )
    from staff.models import Unit

    catalog = CatalogPage.objects.get()
    groups = list(ContentGroup.objects.order_by("pk"))
    fields = list(FieldOfWork.objects.order_by("pk"))
    law = LegalDocument.objects.order_by("pk").first()
    codes = dict(Unit.objects.filter(pk__in=city.organizers).values_list("pk", "code"))
    pages = []
    for i in range(max(3, round(300 * scale))):
        # Mostly courses (they give certificates); a workshop or an exchange in seven.
        kind = "course" if i == 0 or i % 20 < 17 else "workshop" if i % 20 < 19 else "exchange"
        title = f"{TOPICS[i % len(TOPICS)]} {AUDIENCES[(i // len(TOPICS)) % len(AUDIENCES)]}"
        title += f" (khóa {i // (len(TOPICS) * len(AUDIENCES)) + 1})" if i >= len(TOPICS) * len(AUDIENCES) else ""
        days = 5 if i == 0 else rng.choices(DAYS, DAY_WEIGHTS)[0] if kind == "course" else 1
        organizer = city.organizers[0] if i == 0 or rng.random() < 0.4 else rng.choice(city.organizers)
        common = dict(
            title=title, slug=f"{slugify(fold(title))[:60]}-{i:03d}", summary=f"{title}: chương trình bồi dưỡng "
            "theo Nghị định 171/2025/NĐ-CP.", content_group=groups[i % len(groups)],
            field_of_work=fields[i % len(fields)] if i % 3 else None, legal_basis=law,
            periods=8 * days if kind == "course" else 4, organizer_id=organizer,
            target_categories=["cong_chuc", "vien_chuc"] if i % 3 else ["can_bo", "cong_chuc"],
            approval_policy=(ApprovalPolicy.NONE, ApprovalPolicy.NONE, ApprovalPolicy.UNIT_HR,
                             ApprovalPolicy.UNIT_HR_THEN_ORGANIZER)[i % 4] if kind == "course" else ApprovalPolicy.NONE,
            offer_hours=48 if i % 5 == 1 else None,
        )
        if kind == "course":
            credential = CredentialType.CHUNG_CHI if i % 4 == 3 else CredentialType.GIAY_CHUNG_NHAN
            page = CoursePage(**common, programme_type=ProgrammeType.JOB_POSITION if i % 2 else ProgrammeType.UPDATE,
                              credential_type=credential,
                              certificate_validity_months=(None, 12, None, 24, 36)[i % 5],
                              requires_result=i % 10 == 3)
        elif kind == "workshop":
            page = WorkshopPage(**common, programme_type=ProgrammeType.EXCHANGE,
                                credential_type=CredentialType.ATTENDANCE,
                                workshop_kind=WorkshopKind.SHARING if i % 2 else WorkshopKind.WORKSHOP,
                                speakers="Trần Minh Đức\nLê Thu Hằng")
        else:
            page = ExchangePage(**common, programme_type=ProgrammeType.EXCHANGE,
                                credential_type=CredentialType.ATTENDANCE, host_unit_id=organizer,
                                field_visit="Tham quan bộ phận một cửa của đơn vị chủ trì.")
        catalog.add_child(instance=page)
        pages.append(PageInfo(page.pk, page.title, organizer, codes[organizer], page.credential_type, page.periods,
                              days, page.certificate_validity_months, page.approval_policy, page.offer_hours,
                              page.requires_result))
    return pages


def build_sessions(scale: float, pages: list[PageInfo], rng: random.Random, today: dt.date) -> list[SessionInfo]:
    from django.utils import timezone

    from courses.models import CourseSession, SessionMode, Trainer

    total = max(len(pages) + 2, round(6022 * scale) - CourseSession.objects.count())
    others = len(pages) - 1
    per_other = math.ceil((total - round(120 * scale)) / others)
    big = max(round(120 * scale), per_other + 1, 2)
    plan = [pages[0]] * big + [pages[1 + n % others] for n in range(max(0, total - big))]
    rows = []
    for n, page in enumerate(plan):
        start = _weekday(rng, today)
        mode = (SessionMode.IN_PERSON, SessionMode.IN_PERSON, SessionMode.ONLINE, SessionMode.HYBRID)[n % 4]
        opens = timezone.make_aware(dt.datetime.combine(start - dt.timedelta(days=30), dt.time(8, 0)))
        rows.append(CourseSession(
            course_id=page.pk, code=f"TP-{page.pk}-{n:05d}", start_date=start, end_date=_class_end(start, page.days),
            daily_end=dt.time(16, 30) if page.periods >= 8 else dt.time(11, 30), mode=mode,
            venue="" if mode == SessionMode.ONLINE else f"Hội trường {1 + n % 12}, Trung tâm Bồi dưỡng",
            online_url="https://hop.example.invalid/lop" if mode != SessionMode.IN_PERSON else "",
            capacity=1,  # set from the enrollments the class ends up with (training.build_training)
            enrollment_opens=opens, enrollment_closes=opens + dt.timedelta(days=28, hours=9),
            cancelled=start > today and n % 97 == 5, self_checkin=n % 3 == 0,
        ))
    made = CourseSession.objects.bulk_create(rows, batch_size=2000)
    trainers = list(Trainer.objects.values_list("pk", flat=True))
    through = CourseSession.trainers.through
    through.objects.bulk_create([through(coursesession_id=s.pk, trainer_id=trainers[i % len(trainers)])
                                 for i, s in enumerate(made)], batch_size=5000)
    return [SessionInfo(s.pk, page, s.start_date, s.end_date, s.cancelled, s.self_checkin)
            for s, page in zip(made, plan, strict=True)]
