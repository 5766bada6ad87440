"""Invitations: HR sends them to a filtered list or to everyone an import created; each is a signed link,
valid 7 days and used once; sending is a task, idempotent within a window, paced, and HR watches it."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings

from staff.models import BatchStatus, Invitation, InvitationBatch, InvitationStatus, Official, OfficialStatus
from staff.services import accounts
from tests import factories

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+/kich-hoat/(\S+)/")
PASSWORD = "Mật-khẩu-thử-2026"


@pytest.fixture(autouse=True)
def commits(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the sending task) when the block ends, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def officials(unit, count, **fields):
    return [factories.official(unit=unit, employee_code=f"INV{unit.code}{n}",
                               email=f"inv{unit.code}{n}@example.invalid", **fields) for n in range(count)]


def link_of(message) -> str:
    return LINK.search(message.body).group(0)


def test_a_batch_mails_each_official_a_personal_link_and_finishes(hr_a, ward_a, commits):
    people = officials(ward_a, 3)

    with commits():
        batch = accounts.invitations_start(by=hr_a, officials=Official.objects.filter(unit=ward_a), channel="email")

    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.sent, batch.failed) == (BatchStatus.DONE, 3, 3, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert len({link_of(m) for m in mail.outbox}) == 3
    assert "Kích hoạt" in mail.outbox[0].subject or "Activate" in mail.outbox[0].subject
    assert all(p.full_name in m.body for p, m in zip(sorted(people, key=lambda p: p.email),
                                                     sorted(mail.outbox, key=lambda m: m.to[0]), strict=True))


def test_starting_the_same_batch_twice_never_sends_twice(hr_a, ward_a, commits):
    officials(ward_a, 2)
    selection = Official.objects.filter(unit=ward_a)

    with commits():
        accounts.invitations_start(by=hr_a, officials=selection, channel="email")
    with commits():
        second = accounts.invitations_start(by=hr_a, officials=selection, channel="email")

    assert len(mail.outbox) == 2
    second.refresh_from_db()
    assert (second.total, second.skipped, second.status) == (0, 2, BatchStatus.DONE)


def test_the_task_run_twice_sends_a_batch_once(hr_a, ward_a, commits):
    officials(ward_a, 2)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        with commits():
            batch = accounts.invitations_start(by=hr_a, officials=Official.objects.filter(unit=ward_a), channel="email")

    assert accounts.invitation_batch_send(batch_id=batch.pk) == 2
    assert accounts.invitation_batch_send(batch_id=batch.pk) == 0
    assert len(mail.outbox) == 2


def test_those_who_left_are_active_or_unreachable_are_skipped(hr_a, ward_a, official, commits):
    officials(ward_a, 1)
    factories.official(unit=ward_a, employee_code="NOMAIL")
    factories.official(unit=ward_a, employee_code="GONE", email="gone@example.invalid", status=OfficialStatus.RETIRED)
    official.email = "active@example.invalid"
    official.save(update_fields=["email"])
    official.user.set_password(PASSWORD)
    official.user.save()

    with commits():
        batch = accounts.invitations_start(by=hr_a, officials=Official.objects.filter(unit=ward_a), channel="email")

    batch.refresh_from_db()
    assert (batch.total, batch.skipped) == (1, 3)
    assert [m.to for m in mail.outbox] == [[f"inv{ward_a.code}0@example.invalid"]]


def test_sending_is_paced_at_the_configured_rate(hr_a, ward_a, settings, commits):
    officials(ward_a, 5)
    settings.INVITATION_SEND_RATE = 10
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        with commits():
            batch = accounts.invitations_start(by=hr_a, officials=Official.objects.filter(unit=ward_a), channel="email")
    clock = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        clock[0] += seconds

    with mock.patch("staff.services.accounts.time.monotonic", side_effect=lambda: clock[0]), \
            mock.patch("staff.services.accounts.time.sleep", side_effect=sleep):
        accounts.invitation_batch_send(batch_id=batch.pk)

    assert len(sleeps) == 4 and all(abs(s - 0.1) < 1e-9 for s in sleeps)


def test_a_provider_refusal_is_recorded_and_the_rest_go_on(hr_a, ward_a, settings, commits):
    officials(ward_a, 2)
    factories.official(unit=ward_a, employee_code="SMS1", phone="0243 123 456")  # a landline: no SMS
    factories.official(unit=ward_a, employee_code="SMS2", phone="0912 000 111")
    settings.MESSAGE_CHANNELS = {**settings.MESSAGE_CHANNELS,
                                 "sms": {"BACKEND": "staff.channels.console.ConsoleChannel"}}

    with commits():
        batch = accounts.invitations_start(by=hr_a, officials=Official.objects.filter(unit=ward_a), channel="sms")

    batch.refresh_from_db()
    assert (batch.total, batch.sent, batch.failed, batch.skipped) == (2, 1, 1, 2)
    failed = Invitation.objects.get(status=InvitationStatus.FAILED)
    assert failed.official.employee_code == "SMS1" and failed.error


# --- Activation -------------------------------------------------------------------------------------


@pytest.fixture
def invited(hr_a, ward_a, commits):
    person = officials(ward_a, 1)[0]
    with commits():
        accounts.invitations_start(by=hr_a, officials=Official.objects.filter(pk=person.pk), channel="email")
    return person, link_of(mail.outbox[-1])


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_link_sets_a_password_and_lands_on_my_training(client, invited, commits):
    person, link = invited

    form = client.get(path_of(link))
    done = client.post(path_of(link), {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert form.status_code == 200 and person.employee_code in form.content.decode()
    assert done.status_code == 302 and done.url == "/khoa-hoc-cua-toi/"
    assert client.get("/khoa-hoc-cua-toi/").status_code == 200
    person.refresh_from_db()
    assert person.user.is_active and person.user.check_password(PASSWORD)
    assert Invitation.objects.get(official=person).status == InvitationStatus.USED


def test_a_weak_password_is_refused_on_the_form(client, invited, commits):
    _person, link = invited

    response = client.post(path_of(link), {"new_password1": "123", "new_password2": "123"})

    assert response.status_code == 200 and response.context["form"].errors


def test_a_used_link_says_so_and_offers_sign_in(client, invited, commits):
    _person, link = invited
    client.post(path_of(link), {"new_password1": PASSWORD, "new_password2": PASSWORD})

    again = client.get(path_of(link))

    assert again.status_code == 410 and again.context["problem"] == accounts.USED
    html = again.content.decode()
    assert "đã được sử dụng" in html
    assert 'href="/dang-nhap/"' in html and 'href="/quen-mat-khau/"' in html  # sign in, or a new link by mail


def test_an_expired_link_says_so_and_sends_a_new_one_on_request(client, hr_a, ward_a, commits):
    person = officials(ward_a, 1)[0]
    eight_days_ago = dt.datetime.now().timestamp() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        with commits():
            accounts.invitations_start(by=hr_a, officials=Official.objects.filter(pk=person.pk), channel="email")
    old = link_of(mail.outbox[-1])
    token = LINK.search(old).group(1)

    page = client.get(path_of(old))
    with commits():
        resent = client.post("/kich-hoat/gui-lai/", {"token": token})

    assert page.status_code == 410 and page.context["problem"] == accounts.EXPIRED
    assert 'action="/kich-hoat/gui-lai/"' in page.content.decode()
    assert resent.status_code == 200 and resent.context["sent"]
    fresh = link_of(mail.outbox[-1])
    assert fresh != old and client.get(path_of(fresh)).status_code == 200
    # Pressing the button again at once sends nothing more.
    with commits():
        client.post("/kich-hoat/gui-lai/", {"token": token})
    assert len(mail.outbox) == 2


def test_a_tampered_link_is_not_valid(client, invited, commits):
    _person, link = invited

    response = client.get(path_of(link)[:-3] + "xx/")

    assert response.status_code == 404 and response.context["problem"] == accounts.INVALID


def test_an_official_who_left_cannot_activate(client, invited, commits):
    person, link = invited
    person.status = OfficialStatus.RETIRED
    person.save(update_fields=["status"])

    response = client.get(path_of(link))

    assert response.context["problem"] == accounts.LEFT


# --- HR's screens -----------------------------------------------------------------------------------


def test_hr_invites_a_filtered_list_and_watches_the_batch(client, hr_a, ward_a, commits):
    officials(ward_a, 2)
    factories.official(unit=ward_a, employee_code="OTHERCAT", email="x@example.invalid", category="vien_chuc")
    client.force_login(hr_a)

    confirm = client.get("/admin/invitations/new/?category=cong_chuc")
    with commits():
        sent = client.post("/admin/invitations/new/", {"category": "cong_chuc", "channel": "email"})

    assert confirm.status_code == 200 and confirm.context["counts"]["selected"] == 2
    assert sent.status_code == 302
    batch = InvitationBatch.objects.get()
    assert sent.url == f"/admin/invitations/{batch.pk}/" and batch.total == 2
    page = client.get(sent.url)
    assert page.status_code == 200 and 'data-status="done"' in page.content.decode()


def test_the_batch_describes_its_selection_in_words(client, hr_a, ward_a, commits):
    officials(ward_a, 1)
    client.force_login(hr_a)
    selection = {"unit": ward_a.pk, "category": "cong_chuc", "q": "INV"}

    confirm = client.get("/admin/invitations/new/", selection)
    with commits():
        client.post("/admin/invitations/new/", {**selection, "channel": "email"})

    words = f"Đơn vị (gồm cả đơn vị trực thuộc): {ward_a.name}; Đối tượng: Công chức; Tìm kiếm: “INV”"
    assert confirm.context["description"] == words
    assert InvitationBatch.objects.get().description == words


def test_hr_of_another_ward_neither_invites_nor_sees_the_batch(client, hr_a, hr_b, ward_a, commits):
    officials(ward_a, 2)
    client.force_login(hr_b)
    with commits():
        client.post("/admin/invitations/new/", {"channel": "email"})
    client.force_login(hr_a)
    with commits():
        client.post("/admin/invitations/new/", {"channel": "email"})
    mine = InvitationBatch.objects.get(created_by=hr_a)
    client.force_login(hr_b)

    assert InvitationBatch.objects.get(created_by=hr_b).total == 0
    assert client.get(f"/admin/invitations/{mine.pk}/").status_code == 404
    assert len(mail.outbox) == 2


def test_an_import_leads_to_inviting_exactly_the_officials_it_created(client, tmp_path, settings, hr_a, ward_a,
                                                                     commits):
    from staff.models import Category, Rank
    from tests.staff.import_files import as_lists, roster_row, write_xlsx

    Rank.objects.create(code="01.003", name="Chuyên viên", tier=3, category=Category.CIVIL_SERVANT)
    officials(ward_a, 1)  # already on the roster: not part of this import
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = [roster_row(f"IMP{n}", f"Mới Nhập {n}", "P-A", email=f"imp{n}@example.invalid") for n in range(3)]
    client.force_login(hr_a)
    with open(write_xlsx(tmp_path / "r.xlsx", as_lists(rows)), "rb") as stream:
        dry = client.post("/admin/roster-import/", {"file": stream})
    done = client.post("/admin/roster-import/", {"token": dry.context["token"]})

    confirm = client.get(done.url)
    query = done.url.split("?", 1)[1]
    with commits():
        client.post("/admin/invitations/new/", {"import": query.split("=")[1], "channel": "email"})

    assert confirm.context["counts"]["selected"] == 3
    assert sorted(m.to[0] for m in mail.outbox) == ["imp0@example.invalid", "imp1@example.invalid",
                                                    "imp2@example.invalid"]
