"""Deciding many enrollments at once on the approvals page, and nominating officials ticked on the officials
list: each through the one-by-one services, only within the HR officer's scope, with one message that counts."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from courses.models import ApprovalPolicy
from staff.models import Enrollment, EnrollmentEvent, EnrollmentStatus
from staff.services.enrollment import enrollment_approve, enrollment_create, enrollments_decide
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(training_centre):
    return factories.course(title="Bồi dưỡng ngạch chuyên viên", organizer=training_centre,
                            approval_policy=ApprovalPolicy.UNIT_HR)


@pytest.fixture
def session(course):
    return factories.session(course=course, capacity=3)


def _pending(session, unit, count: int, name: str = "Lê Thị Ánh") -> list[Enrollment]:
    return [enrollment_create(official=factories.official(unit=unit, name=f"{name} {i}"), session=session, by=None)
            for i in range(count)]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _status(enrollment: Enrollment) -> str:
    enrollment.refresh_from_db()
    return enrollment.status


def test_hr_approves_the_ticked_enrollments_with_one_reason_and_another_wards_id_is_not_decided(
        client, hr_a, ward_a, ward_b, session):
    mine = _pending(session, ward_a, 2)
    theirs = _pending(session, ward_b, 1, name="Trần Văn Bình")[0]
    client.force_login(hr_a)

    response = client.post(reverse("staff_approvals_decide"), {
        "enrollment": [str(e.pk) for e in mine] + [str(theirs.pk)], "bulk_action": "approve",
        "reason": "Đúng vị trí việc làm"})

    assert response.status_code == 302
    assert [_status(e) for e in mine] == [EnrollmentStatus.CONFIRMED] * 2
    assert _status(theirs) == EnrollmentStatus.PENDING  # another ward's id, posted by hand: left alone
    assert not EnrollmentEvent.objects.filter(enrollment=theirs, by=hr_a).exists()
    events = EnrollmentEvent.objects.filter(enrollment__in=mine, to_status=EnrollmentStatus.CONFIRMED)
    assert set(events.values_list("by", "reason")) == {(hr_a.pk, "Đúng vị trí việc làm")}
    assert _messages(response) == ["2 đã duyệt; 1 không thực hiện được: 1 không còn chờ bạn quyết định."]


def test_a_bulk_rejection_needs_a_reason_and_then_passes_the_seats_on(client, hr_a, ward_a, session):
    holding = _pending(session, ward_a, 3)
    waiting = enrollment_create(official=factories.official(unit=ward_a), session=session, by=None)
    assert waiting.status == EnrollmentStatus.WAITLISTED
    client.force_login(hr_a)
    url = reverse("staff_approvals_decide")

    refused = client.post(url, {"enrollment": [str(holding[0].pk)], "bulk_action": "reject", "reason": "  "})
    assert _status(holding[0]) == EnrollmentStatus.PENDING
    assert _messages(refused) == ["Vui lòng nêu lý do từ chối."]

    response = client.post(url, {"enrollment": [str(holding[0].pk), str(holding[1].pk)], "bulk_action": "reject",
                                 "reason": "Chưa đủ điều kiện"})
    assert [_status(e) for e in holding] == [EnrollmentStatus.REJECTED] * 2 + [EnrollmentStatus.PENDING]
    assert _status(waiting) == EnrollmentStatus.PENDING  # promoted into a freed seat, to be approved in turn
    assert _messages(response)[-1] == "2 đã từ chối."


def test_all_on_this_page_decides_every_listed_enrollment_without_javascript(client, hr_a, ward_a, session):
    listed = _pending(session, ward_a, 2)
    client.force_login(hr_a)
    page = client.get(reverse("staff_approvals")).content.decode()
    assert page.count('name="page_enrollment"') == 2 and 'name="all_on_page"' in page

    client.post(reverse("staff_approvals_decide"), {
        "all_on_page": "1", "page_enrollment": [str(e.pk) for e in listed], "bulk_action": "approve"})

    assert [_status(e) for e in listed] == [EnrollmentStatus.CONFIRMED] * 2


def test_one_that_changed_meanwhile_is_explained_and_the_others_are_decided(hr_a, ward_a, session):
    first, second = _pending(session, ward_a, 2)
    stale = Enrollment.objects.get(pk=second.pk)  # read before another tab approved it
    enrollment_approve(enrollment=Enrollment.objects.select_related("session__course").get(pk=second.pk), by=hr_a)

    done, refused = enrollments_decide(enrollments=[first, stale], approve=True, by=hr_a)

    assert done == [first] and [e.pk for e, _why in refused] == [second.pk]
    assert _status(first) == EnrollmentStatus.CONFIRMED


def test_deciding_with_nothing_ticked_says_so(client, hr_a, ward_a, session):
    _pending(session, ward_a, 1)
    client.force_login(hr_a)
    response = client.post(reverse("staff_approvals_decide"), {"bulk_action": "approve"})
    assert _messages(response) == ["Chưa đánh dấu ghi danh nào: hãy đánh dấu các ghi danh cần quyết định trước."]


def test_nominating_with_nobody_ticked_says_so(client, hr_a, session):
    client.force_login(hr_a)
    response = client.post(reverse("staff_nominate", args=[session.pk]), {})
    assert _messages(response) == ["Chưa đánh dấu cán bộ nào: hãy đánh dấu những người cần cử đi học trước."]


def test_nominating_from_the_officials_list_with_nobody_ticked_says_so(client, hr_a, official_b):
    client.force_login(hr_a)
    response = client.get(reverse("staff_nominate_chosen"), {"official": [str(official_b.pk)]})  # ward B's only
    assert response.status_code == 302 and response.url == reverse("officials:index")
    assert _messages(response) == ["Chưa đánh dấu cán bộ nào: hãy đánh dấu những người cần cử đi học trước."]


def test_hr_nominating_someone_already_enrolled_is_told_in_the_third_person(client, hr_a, official, session):
    enrollment_create(official=official, session=session, by=official.user)
    client.force_login(hr_a)
    response = client.post(reverse("staff_nominate", args=[session.pk]), {"official": [str(official.pk)]})
    assert _messages(response) == ["1 bỏ qua: Nguyễn Thị Hồng Hải: Cán bộ này đã ghi danh vào lớp học này."]


def test_hr_nominates_officials_ticked_on_the_officials_list(client, hr_a, ward_a, official, official_b, session):
    enrollment_create(official=official, session=session, by=official.user)  # already in: shown, then skipped
    others = [factories.official(unit=ward_a, name=f"Phạm Minh Đức {i}") for i in range(3)]
    client.force_login(hr_a)
    ticked = [str(o.pk) for o in [official, *others]] + [str(official_b.pk)]  # ward B's, forged
    url = reverse("staff_nominate_chosen")
    choose = client.get(url, {"official": ticked})
    assert choose.status_code == 200
    assert {o.pk for o in choose.context["chosen"]} == {o.pk for o in [official, *others]}  # not ward B's
    confirm = client.get(url, {"official": ticked, "session": session.pk})
    page = confirm.content.decode()
    assert "Đã ghi danh lớp này: bỏ qua." in page and official_b.full_name not in page
    assert confirm.context["to_enroll"] == 3 and confirm.context["free"] == 2 and confirm.context["waitlisted"] == 1

    response = client.post(url, {"official": ticked, "session": session.pk})

    assert response.status_code == 302 and response.url == reverse("officials:index")
    enrolled = Enrollment.objects.filter(session=session, nominated_by=hr_a)
    assert set(enrolled.values_list("official_id", flat=True)) == {o.pk for o in others}
    assert not Enrollment.objects.filter(official=official_b).exists()
    assert _messages(response) == [
        "Đã ghi danh 3 cán bộ; 1 người trong số đó vào danh sách chờ (hết chỗ).",
        "1 bỏ qua: Nguyễn Thị Hồng Hải: Cán bộ này đã ghi danh vào lớp học này.",
    ]
