"""The whole journey in a browser: an official enrolls, their ward's HR approves, the organizer marks
attendance on every day and closes the class, the official downloads the certificate, the URL carried
in the PDF's QR says it is valid; the organizer revokes it and the same page says so."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import sign_in
from tests.qr import qr_urls_in_pdf

pytestmark = pytest.mark.browser

COURSE_TITLE = "Tiếp nhận và trả kết quả thủ tục hành chính tại nhà"


@pytest.fixture
def journey_course(demo_data):
    """A two-day class of a course that needs the unit HR's approval, organized by the demo's training centre."""
    from courses.models import ApprovalPolicy, CatalogPage, CoursePage, CourseSession, CredentialType
    from staff.models import Unit

    catalog = CatalogPage.objects.get()
    course = CoursePage(
        title=COURSE_TITLE, slug="hanh-trinh-tra-ket-qua-tai-nha", summary="Lớp minh họa cho kiểm thử hành trình.",
        periods=16, organizer=Unit.objects.get(code="TTBD"), credential_type=CredentialType.GIAY_CHUNG_NHAN,
        approval_policy=ApprovalPolicy.UNIT_HR, content_group=catalog.get_children().specific()[0].content_group,
    )
    catalog.add_child(instance=course)
    start = timezone.localdate() + dt.timedelta(days=200)  # clear of every demo class: no overlap warning
    session = CourseSession.objects.create(course=course, code="HT-01", start_date=start,
                                           end_date=start + dt.timedelta(days=1), capacity=20, venue="Hội trường A",
                                           weekends=True)
    return course, session


def test_enroll_approve_attend_certify_verify_revoke(browser: Browser, live_server, page: Page, journey_course):
    course, session = journey_course

    # 1. The official enrolls from the course page; the course needs their ward HR's approval.
    official = sign_in(browser, live_server, "canbo")
    official.goto(course.url)
    official.locator(f'a[href="/dang-ky/{session.pk}/"]').click()
    official.get_by_role("button", name="Xác nhận ghi danh").click()
    official.wait_for_url("**/khoa-hoc-cua-toi/")
    expect(official.locator('.enrollment[data-status="pending"]', has_text=COURSE_TITLE)).to_have_count(1)

    # 2. The HR officer of Khương Đình approves it in the admin.
    hr = sign_in(browser, live_server, "hr.khuongdinh")
    hr.goto("/admin/approvals/")
    row = hr.locator("tr", has_text="Nguyễn Thị Hồng Hải").filter(has_text=COURSE_TITLE)
    row.get_by_role("textbox", name="Lý do").fill("Đúng vị trí việc làm")  # the row's own reason box
    row.get_by_role("button", name="Duyệt").click()
    expect(hr.locator("tr", has_text=COURSE_TITLE)).to_have_count(0)
    official.reload()
    expect(official.locator('.enrollment[data-status="confirmed"]', has_text=COURSE_TITLE)).to_have_count(1)

    # The class takes place: a test cannot wait a week, so its two days move to yesterday and today.
    from courses.models import CourseSession

    today = timezone.localdate()
    CourseSession.objects.filter(pk=session.pk).update(start_date=today - dt.timedelta(days=1), end_date=today)

    # 3. The organizer marks attendance on every day, then closes the class.
    organizer = sign_in(browser, live_server, "tochuc")
    organizer.goto(f"/admin/classes/{session.pk}/")
    for day in (today - dt.timedelta(days=1), today):
        organizer.goto(f"/admin/classes/{session.pk}/attendance/{day.isoformat()}/")
        organizer.get_by_label("Nguyễn Thị Hồng Hải").check()
        organizer.get_by_role("button", name="Lưu điểm danh").click()
        expect(organizer.locator(".messages, .w-messages, [role=status]").first).to_contain_text("1")
    organizer.goto(f"/admin/classes/{session.pk}/")
    organizer.get_by_role("button", name="Kết thúc lớp và cấp chứng chỉ").click()
    expect(organizer.locator('tr[data-status="completed"]')).to_contain_text("Nguyễn Thị Hồng Hải")

    # 4. The official downloads the certificate from "My training".
    official.goto("/khoa-hoc-cua-toi/")
    with official.expect_download() as download_info:
        official.locator("section", has_text="Chứng chỉ").get_by_role("link", name="Tải PDF").first.click()
    pdf = download_info.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Nguyễn Thị Hồng Hải" in text and COURSE_TITLE in text

    # 5. The URL in the PDF's QR code opens the public verification page: valid.
    (url,) = qr_urls_in_pdf(pdf)
    assert url.startswith("http") and "/xac-minh/" in url
    verifier = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
    # The QR carries the configured public address (SITE_URL); the test server listens elsewhere.
    verifier.goto(url.replace(url.split("/xac-minh/")[0], live_server.url))
    expect(verifier.locator("[data-state]")).to_have_attribute("data-state", "valid")
    expect(verifier.locator("main")).to_contain_text("Nguyễn Thị Hồng Hải")

    # 6. The organizer revokes it with a reason; the same page now says revoked.
    from staff.models import Certificate

    certificate = Certificate.objects.get(enrollment__session=session)
    organizer.goto(f"/admin/certificates/revoke/{certificate.pk}/")
    organizer.locator("[name=reason]").fill("Cấp nhầm, học viên vắng mặt")
    organizer.locator("form [type=submit]").last.click()
    verifier.reload()
    expect(verifier.locator("[data-state]")).to_have_attribute("data-state", "revoked")
