"""The best-practice exchange in a browser: an organizer publishes a practice and an exchange, officials of
two invited wards register within their units' reserved seats, attendance is marked, one ward records
an adoption, and the city's dashboard shows it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "demo-2026"
PRACTICE = "Một cửa số tại nhà – Cầu Giấy (thử nghiệm)"
EXCHANGE = "Trao đổi: một cửa số tại nhà của Cầu Giấy"


def publish(tab: Page, page_id: int) -> None:
    """Open the page in Wagtail's editor and use its Publish action (it sits in the save button's menu)."""
    tab.goto(f"/admin/pages/{page_id}/edit/")
    with tab.expect_navigation():
        tab.locator('button[name="action-publish"]').evaluate("button => button.click()")
    errors = tab.locator(".error-message, .help-critical, .w-field__errors").all_inner_texts()
    assert not [e for e in errors if e.strip()], errors


@pytest.fixture
def drafts(demo_data):
    """A practice and an exchange written by the organizer but not published yet, and the exchange's class."""
    from courses.models import (
        BestPracticePage,
        CatalogPage,
        ContentGroup,
        CourseSession,
        CredentialType,
        ExchangePage,
        PracticeIndexPage,
        ProgrammeType,
    )
    from staff.models import Official, Unit

    units = {unit.code: unit for unit in Unit.objects.all()}
    practice = BestPracticePage(title=PRACTICE, slug="mot-cua-so-tai-nha-cau-giay", live=False,
                                summary="Tiếp nhận hồ sơ tại nhà bằng máy tính bảng (minh họa).",
                                originating_unit=units["P-CAUGIAY"], problem="<p>Người cao tuổi khó đến trụ sở.</p>")
    PracticeIndexPage.objects.get().add_child(instance=practice)
    practice.save_revision()
    exchange = ExchangePage(title=EXCHANGE, slug="trao-doi-mot-cua-so-cau-giay", live=False,
                            summary="Cầu Giấy chia sẻ cách làm với các phường, xã được mời (minh họa).",
                            content_group=ContentGroup.objects.order_by("pk").first(),
                            programme_type=ProgrammeType.EXCHANGE, credential_type=CredentialType.ATTENDANCE,
                            periods=4, organizer=units["TTBD"], host_unit=units["P-CAUGIAY"],
                            seats_per_invited_unit=2)
    CatalogPage.objects.get().add_child(instance=exchange)
    exchange.practices.set([practice])
    exchange.invited_units.set([units["P-THANHXUAN"], units["X-ANKHANH"]])
    exchange.save_revision()
    today = timezone.localdate()
    session = CourseSession.objects.create(course=exchange, code="TD-01", start_date=today, end_date=today,
                                           capacity=4, weekends=True, daily_start=dt.time(0, 0),
                                           daily_end=dt.time(23, 59), venue="UBND phường Cầu Giấy")
    guests = {}
    for code in ("P-THANHXUAN", "X-ANKHANH"):
        # The demo gives every official an account that is not activated yet (as the roster import does):
        # the guest activates theirs, as an invitation would let them.
        official = (Official.objects.filter(unit=units[code], user__is_active=False)
                    .select_related("user").order_by("employee_code").first())
        official.user.set_password(PASSWORD)
        official.user.is_active = True
        official.user.save(update_fields=["password", "is_active"])
        guests[code] = official
    return practice, exchange, session, guests


def test_publish_register_attend_adopt_dashboard(browser: Browser, live_server, page: Page, drafts):
    from courses.models import BestPracticePage, ExchangePage
    from staff.models import Enrollment, EnrollmentStatus, SeatReservation

    practice, exchange, session, guests = drafts

    # 1. The organizer publishes the practice and the exchange; publishing reserves 2 seats per invited ward.
    organizer = sign_in(browser, live_server, "tochuc")
    publish(organizer, practice.pk)
    publish(organizer, exchange.pk)
    assert BestPracticePage.objects.get(pk=practice.pk).live and ExchangePage.objects.get(pk=exchange.pk).live
    assert sorted(SeatReservation.objects.filter(session=session).values_list("unit__code", "seats")) == [
        ("P-THANHXUAN", 2), ("X-ANKHANH", 2)]

    # 2. An official of each invited ward registers from the exchange page, within their ward's seats.
    for code, official in guests.items():
        tab = sign_in(browser, live_server, official.user.username)
        tab.goto(exchange.url)
        expect(tab.locator("main")).to_contain_text(PRACTICE)
        tab.locator(f'a[href="/dang-ky/{session.pk}/"]').click()
        tab.get_by_role("button", name="Xác nhận ghi danh").click()
        tab.wait_for_url("**/khoa-hoc-cua-toi/")
        enrollment = Enrollment.objects.get(official=official, session=session)
        assert enrollment.status == EnrollmentStatus.CONFIRMED and enrollment.reservation.unit.code == code

    # 3. The organizer marks both present.
    organizer.goto(f"/admin/classes/{session.pk}/attendance/{session.start_date.isoformat()}/")
    for official in guests.values():
        organizer.get_by_label(official.full_name).check()
    organizer.get_by_role("button", name="Lưu điểm danh").click()
    expect(organizer.locator(".messages, .w-messages, [role=status]").first).to_contain_text("2")

    # 4. An Khánh's HR records that the commune adopted the practice after the exchange.
    hr = sign_in(browser, live_server, "hr.ankhanh")
    hr.goto("/admin/adoptions/new/")
    hr.locator("select[name=practice]").select_option(label=PRACTICE)
    hr.locator("select[name=unit]").select_option(index=1)
    hr.locator("select[name=status]").select_option("adopted")
    hr.locator("input[name=since]").fill(timezone.localdate().isoformat())
    hr.locator("textarea[name=changes]").fill("Áp dụng cho 3 thủ tục tư pháp.")
    hr.locator("select[name=via_exchange]").select_option(label=EXCHANGE)
    hr.locator("main form [type=submit]").last.click()
    hr.wait_for_url(re.compile(r"/admin/adoptions/"))

    # 5. The city's dashboard shows the adoption.
    city = sign_in(browser, live_server, "hr.thanhpho")
    city.goto("/admin/replication/")
    row = city.locator("tr", has_text=PRACTICE)
    expect(row).to_have_count(1)
    city.goto(f"/admin/replication/{practice.pk}/")
    expect(city.locator("main")).to_contain_text("An Khánh")
    expect(city.locator("main")).to_contain_text(EXCHANGE)
