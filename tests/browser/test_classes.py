"""A class day on a phone (390 px wide): the organizer marks everyone present, unticks the one who is absent
and saves; an official checks in with the rotating code of the organizer's screen, read from the QR as a
phone's camera reads it (zxing-cpp), and the organizer's screen lists them without a reload."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/classes")
ME = "Nguyễn Thị Hồng Hải"  # the demo official behind the login "canbo"


@pytest.fixture
def class_today(demo_data):
    """A two-day class of the demo's training centre that begins today, with self check-in all day long."""
    from courses.models import CatalogPage, CoursePage, CourseSession, CredentialType
    from staff.demo.people import DEMO_OFFICIAL_CODE
    from staff.models import EnrollmentStatus, Official, Unit
    from tests import factories

    catalog = CatalogPage.objects.get()
    course = CoursePage(
        title="Điểm danh trên điện thoại", slug="diem-danh-tren-dien-thoai", summary="Lớp minh họa cho kiểm thử.",
        periods=8, organizer=Unit.objects.get(code="TTBD"), credential_type=CredentialType.GIAY_CHUNG_NHAN,
        content_group=catalog.get_children().specific()[0].content_group,
    )
    catalog.add_child(instance=course)
    today = timezone.localdate()
    session = CourseSession.objects.create(course=course, code="DD-01", start_date=today,
                                           end_date=today + dt.timedelta(days=1), capacity=10, weekends=True,
                                           self_checkin=True, daily_start=dt.time(0, 0), daily_end=dt.time(23, 59))
    me = Official.objects.get(employee_code=DEMO_OFFICIAL_CODE)
    others = list(Official.objects.exclude(pk=me.pk).order_by("employee_code")[:3])
    for official in (me, *others):
        factories.enrollment(official=official, session=session, status=EnrollmentStatus.CONFIRMED)
    return session, me, others


def _on_phone(tab: Page) -> Page:
    tab.set_viewport_size(PHONE)
    return tab


def test_the_organizer_marks_today_on_a_phone(browser: Browser, live_server, page: Page, class_today):
    from staff.models import Attendance

    session, me, others = class_today
    absent = others[1]
    organizer = _on_phone(sign_in(browser, live_server, "tochuc"))
    organizer.goto(f"/admin/classes/{session.pk}/attendance/{session.start_date.isoformat()}/")

    organizer.get_by_role("button", name="Đánh dấu tất cả có mặt").click()
    boxes = organizer.locator("input[name=present]")
    expect(boxes).to_have_count(4)
    for index in range(4):
        expect(boxes.nth(index)).to_be_checked()
    organizer.get_by_label(absent.full_name).uncheck()
    organizer.screenshot(path=str(SHOTS / "attendance-390-ticked.png"), full_page=True)
    organizer.get_by_role("button", name="Lưu điểm danh").click()

    expect(organizer.locator(".messages, .w-messages").first).to_contain_text("3")
    organizer.screenshot(path=str(SHOTS / "attendance-390-saved.png"), full_page=True)
    marks = dict(Attendance.objects.filter(day=session.start_date).values_list("enrollment__official_id", "present"))
    assert marks == {me.pk: True, others[0].pk: True, absent.pk: False, others[2].pk: True}
    assert organizer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1  # nothing overflows


def test_an_official_checks_in_with_the_rotating_code_on_a_phone(browser: Browser, live_server, page: Page,
                                                                  class_today):
    from staff.models import Attendance

    session, me, _others = class_today
    organizer = _on_phone(sign_in(browser, live_server, "tochuc"))
    organizer.goto(f"/admin/classes/{session.pk}/checkin/{session.start_date.isoformat()}/")
    expect(organizer.get_by_text("Chưa có ai điểm danh.")).to_be_visible()
    organizer.screenshot(path=str(SHOTS / "checkin-screen-390.png"), full_page=True)

    # The official's phone camera reads the QR off the organizer's screen.
    picture = Image.open(io.BytesIO(organizer.locator("[data-qr] svg").screenshot()))
    (url,) = [found.text for found in zxingcpp.read_barcodes(picture.convert("L"))]
    assert urlsplit(url).path == f"/diem-danh/{session.pk}/"

    official = _on_phone(sign_in(browser, live_server, "canbo"))
    official.goto(url)
    expect(official.get_by_label("Mã hiển thị tại lớp")).not_to_have_value("")
    official.screenshot(path=str(SHOTS / "checkin-official-390.png"), full_page=True)
    official.get_by_role("button", name="Điểm danh").click()

    expect(official.get_by_text("Bạn đã điểm danh ngày")).to_be_visible()
    assert Attendance.objects.get(enrollment__official=me, day=session.start_date).method == "self"
    # The organizer's screen lists them at its next poll, without a reload.
    expect(organizer.locator("[data-present]")).to_contain_text(ME, timeout=10_000)
    expect(organizer.locator("[data-count]")).to_have_text("1")
    organizer.screenshot(path=str(SHOTS / "checkin-screen-390-after.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_organizer_reviews_a_closed_class_prints_it_and_opens_a_certificate(browser: Browser, live_server,
                                                                               page: Page, class_today, width):
    """The class above, held yesterday and today, closed: its record, a correction, the print and a certificate."""
    from courses.models import CourseSession
    from staff.models import Certificate
    from staff.services.attendance import attendance_mark, session_complete

    session, me, others = class_today
    today = timezone.localdate()
    CourseSession.objects.filter(pk=session.pk).update(start_date=today - dt.timedelta(days=1), end_date=today)
    session.refresh_from_db()
    people = list(session.enrollments.order_by("pk"))
    for day in session.day_list:
        attendance_mark(session=session, day=day, present_ids={e.pk for e in people}, by=None)
    session_complete(session=session, by=None)

    organizer = sign_in(browser, live_server, "tochuc")
    organizer.set_viewport_size({"width": width, "height": 900})
    organizer.goto(f"/admin/classes/{session.pk}/attendance/{session.start_date.isoformat()}/")
    expect(organizer.locator(".attendance-grid")).to_contain_text(ME)
    organizer.screenshot(path=str(SHOTS / f"closed-class-{width}.png"), full_page=True)

    # A correction without a reason is refused, with the ticks kept; with one it revokes the certificate.
    organizer.get_by_label(others[0].full_name).uncheck()
    organizer.get_by_role("button", name="Lưu nội dung sửa").click()
    expect(organizer.get_by_role("alert")).to_contain_text("lý do")
    expect(organizer.get_by_label(others[0].full_name)).not_to_be_checked()
    organizer.get_by_label("Lý do sửa (bắt buộc)").fill("Ghi nhầm người có mặt")
    organizer.get_by_role("button", name="Lưu nội dung sửa").click()
    expect(organizer.locator(".messages, .w-messages").first).to_contain_text(others[0].full_name)
    organizer.screenshot(path=str(SHOTS / f"closed-class-corrected-{width}.png"), full_page=True)

    organizer.get_by_role("link", name="In chứng chỉ của lớp").click()
    organizer.get_by_role("button", name="Tạo tệp PDF của mọi chứng chỉ").click()
    expect(organizer.locator("[data-progress-label]")).to_have_text("Sẵn sàng")  # ExportStatus.DONE
    expect(organizer.get_by_role("link", name="Tải về")).to_be_visible()
    organizer.screenshot(path=str(SHOTS / f"print-job-{width}.png"), full_page=True)

    certificate = Certificate.objects.filter(enrollment__session=session, status="valid").order_by("pk").first()
    organizer.goto(f"/admin/certificates/inspect/{certificate.pk}/")
    expect(organizer.get_by_role("link", name="Thu hồi")).to_be_visible()
    assert "None" not in organizer.locator("main").inner_text()
    organizer.screenshot(path=str(SHOTS / f"certificate-detail-{width}.png"), full_page=True)
    assert organizer.evaluate("document.documentElement.scrollWidth") <= width + 1
