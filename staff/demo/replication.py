"""Demo replication of best practices: the practices (Khương Mai, Song Phương), the exchange where
Khương Đình shows the first to three wards, and the wards replicating it. Illustrative content only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from modelsearch.index import remove_object
from wagtail.models import Page

from courses.models import (
    BestPracticePage,
    CourseSession,
    ExchangePage,
    FieldOfWork,
    HomePage,
    PracticeIndexPage,
    PracticeIndicator,
    TrainingPage,
    WorkshopPage,
)
from staff.demo.attendance import seed_attendance
from staff.demo.enrollment import enrollment_with_history
from staff.demo.feedback import seed_feedback
from staff.demo.organisation import organizers_may_publish
from staff.models import (
    Adoption,
    AdoptionEvent,
    AdoptionResult,
    AdoptionStatus,
    Enrollment,
    EnrollmentStatus,
    Official,
    Unit,
)
from staff.services.enrollment import session_recount_seats
from staff.services.replication import exchange_reserve_seats


@dataclass(frozen=True)
class DemoPractice:
    slug: str
    title: str
    unit: str
    field: str
    since: dt.date
    summary: str
    problem: str
    body: list[tuple[str, dict[str, Any]]]
    # name, unit of measure, before, after
    indicators: list[tuple[str, str, float, float]]
    tags: list[str]


PRACTICES = [
    DemoPractice(
        "tra-ket-qua-tai-nha-khuong-mai", "Trả kết quả thủ tục hành chính tại nhà – mô hình Khương Mai",
        "P-KHUONGDINH", "tu-phap-ho-tich", dt.date(2023, 3, 1),
        "Phường Khương Mai (nay thuộc phường Khương Đình) trả kết quả giải quyết thủ tục hành chính tại nhà "
        "cho 7 lĩnh vực tư pháp, miễn phí.",
        "<p>Người dân phải quay lại bộ phận một cửa để nhận kết quả, nhiều người cao tuổi đi lại khó khăn.</p>",
        [("step", {"title": "Tiếp nhận và hỏi nhu cầu", "description": "<p>Khi nhận hồ sơ, công chức hỏi người "
                   "dân có muốn nhận kết quả tại nhà không và ghi địa chỉ.</p>"}),
         ("step", {"title": "Lập lịch trả kết quả", "description": "<p>Mỗi chiều, văn phòng lập danh sách kết "
                   "quả cần trả và phân công theo tổ dân phố.</p>"}),
         ("step", {"title": "Trả tận nhà, ký nhận", "description": "<p>Công chức mang kết quả đến nhà, người dân "
                   "ký nhận; không thu phí.</p>"}),
         ("contact", {"name": "Văn phòng HĐND và UBND phường Khương Đình (minh họa)", "role": "Bộ phận một cửa",
                      "phone": "024 0000 0000", "email": "motcua.khuongdinh@example.invalid"})],
        [("Hồ sơ trả đúng hạn", "%", 91, 99.5), ("Lượt đi lại tiết kiệm mỗi tháng", "lượt", 0, 320),
         ("Mức độ hài lòng của người dân", "%", 85, 98)], ["trả kết quả tại nhà", "tư pháp", "miễn phí"]),
    DemoPractice(
        "chinh-quyen-gan-dan-song-phuong", "Chính quyền gần dân – mô hình Song Phương", "X-ANKHANH", "mot-cua",
        dt.date(2024, 5, 1),
        "Xã Song Phương (nay thuộc xã An Khánh) đưa cán bộ về thôn tiếp dân định kỳ và hướng dẫn dịch vụ công "
        "trực tuyến (nội dung minh họa).",
        "<p>Người dân ở thôn xa ít dùng dịch vụ công trực tuyến và ngại lên trụ sở xã.</p>",
        [("step", {"title": "Lịch tiếp dân tại thôn", "description": "<p>Mỗi thứ Bảy, một tổ công tác ngồi tại "
                   "nhà văn hóa thôn.</p>"}),
         ("step", {"title": "Hướng dẫn nộp hồ sơ trực tuyến", "description": "<p>Đoàn viên thanh niên hướng "
                   "dẫn người dân nộp hồ sơ ngay trên điện thoại.</p>"})],
        [("Hồ sơ nộp trực tuyến", "%", 35, 72), ("Mức độ hài lòng của người dân", "%", 80, 93)],
        ["chính quyền gần dân", "dịch vụ công trực tuyến"]),
]
SHOWN_PRACTICE = "tra-ket-qua-tai-nha-khuong-mai"  # the practice the exchange shows
SHARING_WORKSHOP = "chia-se-tra-ket-qua-tai-nha"  # the demo course that becomes the exchange
INVITED_UNITS = ("P-THANHXUAN", "P-CAUGIAY", "X-ANKHANH")
PARTICIPANTS_PER_INVITED_UNIT = 3  # in the exchange already held
ADOPTION_STAGES = (AdoptionStatus.PLANNED, AdoptionStatus.PILOT, AdoptionStatus.ADOPTED)
# ward, where it stands, days after the exchange of each step so far (planned, pilot, adopted)
ADOPTIONS: tuple[tuple[str, AdoptionStatus, tuple[int, ...]], ...] = (
    ("P-THANHXUAN", AdoptionStatus.ADOPTED, (7, 20, 45)),
    ("P-CAUGIAY", AdoptionStatus.PILOT, (10, 25)),
    ("X-ANKHANH", AdoptionStatus.PLANNED, (14,)),
)
# indicator, before, after: measured where the practice was adopted
ADOPTION_RESULTS = (("Hồ sơ trả đúng hạn", 88, 97), ("Mức độ hài lòng của người dân", 82, 95))


def seed_replication(units: dict[str, Unit], today: dt.date) -> None:
    """The practices, the exchange (a past session with attendance and feedback, an upcoming one with seats
    reserved per invited unit) and the wards replicating it. Idempotent: natural keys throughout.

    The exchange is the demo's sharing workshop "chia-se-tra-ket-qua-tai-nha" turned into an exchange in
    place: its sessions hold enrollments (PROTECTed), and a new page's sessions would get random officials
    from ``seed_enrollments`` on the next run."""
    index = _practice_index()
    # Organizers write and publish practices as they do courses.
    organizers_may_publish(index)
    practices = _publish_practices(index, units)
    shown = practices[SHOWN_PRACTICE]
    exchange = _exchange_from_sharing_workshop(units, shown)
    past = exchange.sessions.filter(end_date__lt=today).order_by("start_date").first()
    if past is not None:
        _invited_units_took_part(exchange, past)
        seed_attendance(past)
        seed_feedback(past)
    exchange_reserve_seats(page=exchange)  # the upcoming session keeps 5 seats per invited ward
    _wards_replicate(shown, exchange, units, held=past.end_date if past else today, today=today)


def _practice_index() -> PracticeIndexPage:
    return PracticeIndexPage.objects.first() or HomePage.objects.first().add_child(instance=PracticeIndexPage(
        title="Mô hình hay, cách làm hiệu quả", slug="mo-hinh-hay",
        intro="<p>Cách làm của các phường, xã đã giúp người dân; nội dung minh họa.</p>"))


def _publish_practices(index: PracticeIndexPage, units: dict[str, Unit]) -> dict[str, BestPracticePage]:
    fields = {field.code: field for field in FieldOfWork.objects.all()}
    practices = {}
    for spec in PRACTICES:
        page = BestPracticePage.objects.filter(slug=spec.slug).first()
        if page is None:
            page = BestPracticePage(title=spec.title, slug=spec.slug, summary=spec.summary, problem=spec.problem,
                                    body=spec.body, originating_unit=units[spec.unit],
                                    field_of_work=fields[spec.field], started_on=spec.since)
            page.indicators = [PracticeIndicator(name=name, unit_of_measure=measure, before=before, after=after)
                               for name, measure, before, after in spec.indicators]
            page.tags.add(*spec.tags)
            index.add_child(instance=page)
            page.save_revision().publish()
        practices[spec.slug] = page
    return practices


def _exchange_from_sharing_workshop(units: dict[str, Unit], practice: BestPracticePage) -> ExchangePage:
    training = TrainingPage.objects.get(slug=SHARING_WORKSHOP)
    if not isinstance(training.specific, ExchangePage):
        # Change the page's type in place: add the exchange row, drop the workshop row (only that table),
        # point the page at its new type. The workshop's search entry goes first: it is filed by type.
        remove_object(training.specific)
        ExchangePage(trainingpage_ptr_id=training.pk).save_base(raw=True)
        WorkshopPage.objects.filter(pk=training.pk)._raw_delete(WorkshopPage.objects.db)
        Page.objects.filter(pk=training.pk).update(content_type=ContentType.objects.get_for_model(ExchangePage))
        exchange = ExchangePage.objects.get(pk=training.pk)
        exchange.title = "Chia sẻ mô hình trả kết quả tại nhà của Khương Mai"
        exchange.host_unit = units["P-KHUONGDINH"]
        exchange.seats_per_invited_unit = 5
        exchange.field_visit = "Tham quan bộ phận một cửa và đi cùng tổ trả kết quả tại nhà (buổi chiều)."
        exchange.practices = [practice]
        exchange.invited_units = [units[code] for code in INVITED_UNITS]
        exchange.save_revision().publish()
    return ExchangePage.objects.get(pk=training.pk)


def _invited_units_took_part(exchange: ExchangePage, past: CourseSession) -> None:
    """A few officials of each invited unit completed the exchange already held."""
    for unit in exchange.invited_units.order_by("code"):
        present = Enrollment.objects.filter(session=past, official__unit__path__startswith=unit.path).count()
        for official in (Official.objects.filter(unit__path__startswith=unit.path)
                         .exclude(enrollments__session=past).order_by("employee_code")
                         [:max(PARTICIPANTS_PER_INVITED_UNIT - present, 0)]):
            enrollment_with_history(official=official, session=past, status=EnrollmentStatus.COMPLETED,
                                    periods_earned=exchange.periods, completed_on=past.end_date)
    session_recount_seats(sessions=CourseSession.objects.filter(pk=past.pk))


def _wards_replicate(practice: BestPracticePage, exchange: ExchangePage, units: dict[str, Unit], *,
                     held: dt.date, today: dt.date) -> None:
    """Each ward's adoption of ``practice``, its steps so far counted from the exchange ``held`` on a day, and
    the results where it is adopted."""
    for code, status, steps in ADOPTIONS:
        history = zip(ADOPTION_STAGES[:len(steps)], steps, strict=True)
        adoption, _ = Adoption.objects.get_or_create(
            practice=practice, unit=units[code],
            defaults={"status": status, "since": min(held + dt.timedelta(days=steps[-1]), today),
                      "via_exchange": exchange, "changes": "Áp dụng cho 4 lĩnh vực tư pháp trước (minh họa)."})
        for step_status, days in history:
            AdoptionEvent.objects.get_or_create(adoption=adoption, status=step_status,
                                                defaults={"on": min(held + dt.timedelta(days=days), today)})
        if status == AdoptionStatus.ADOPTED:
            for indicator, before, after in ADOPTION_RESULTS:
                AdoptionResult.objects.get_or_create(adoption=adoption, indicator=indicator,
                                                     defaults={"before": before, "after": after, "measured_on": today})
