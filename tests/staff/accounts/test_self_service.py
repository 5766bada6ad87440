"""Self-service: "forgot password" (a Vietnamese mail, no hint whether the account exists), change password,
and the profile where the official edits their contact details only."""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db
PASSWORD = "Mật-khẩu-thử-2026"
NEW_PASSWORD = "Mật-khẩu-mới-2027"


@pytest.fixture
def member(official):
    official.email, official.phone = "hong.hai@example.invalid", "0912 345 678"
    official.save(update_fields=["email", "phone"])
    official.user.email = ""  # the roster's address is the one that counts
    official.user.set_password(PASSWORD)
    official.user.save()
    return official


def signs_in(client, identifier, password) -> bool:
    return client.post("/dang-nhap/", {"username": identifier, "password": password}).status_code == 302


def test_the_login_page_links_to_forgot_password(client):
    assert 'href="/quen-mat-khau/"' in client.get("/dang-nhap/").content.decode()


@pytest.mark.parametrize("identifier", ["CB-A-1", "hong.hai@example.invalid", "0912345678"])
def test_forgot_password_mails_a_link_that_sets_a_new_password(client, member, identifier):
    done = client.post("/quen-mat-khau/", {"email": identifier})

    assert done.status_code == 302 and done.url == "/quen-mat-khau/da-gui/"
    assert [m.to for m in mail.outbox] == [["hong.hai@example.invalid"]]
    message = mail.outbox[0]
    assert "mật khẩu" in message.subject.lower() and member.full_name in message.body
    link = re.search(r"https?://[^/\s]+(/dat-lai-mat-khau/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    saved = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert saved.status_code == 302
    assert signs_in(client, "CB-A-1", NEW_PASSWORD)
    # The link works once.
    assert client.get(link, follow=True).context["validlink"] is False


@pytest.mark.parametrize("identifier", ["NO-SUCH-CODE", "nobody@example.invalid"])
def test_forgot_password_answers_the_same_for_an_unknown_account(client, member, identifier):
    known = client.post("/quen-mat-khau/", {"email": "CB-A-1"}, follow=True)
    unknown = client.post("/quen-mat-khau/", {"email": identifier}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    def page(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert page(unknown) == page(known)
    assert len(mail.outbox) == 1


def test_forgot_password_sends_nothing_for_an_account_not_activated_or_closed(client, member, ward_a):
    from staff.models import OfficialStatus

    member.status = OfficialStatus.RETIRED
    member.save(update_fields=["status"])

    client.post("/quen-mat-khau/", {"email": "CB-A-1"})

    assert mail.outbox == []


def test_change_password(client, member):
    assert signs_in(client, "CB-A-1", PASSWORD)

    response = client.post("/doi-mat-khau/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                              "new_password2": NEW_PASSWORD})

    assert response.status_code == 302
    client.post("/dang-xuat/")
    assert not signs_in(client, "CB-A-1", PASSWORD)
    assert signs_in(client, "CB-A-1", NEW_PASSWORD)


def test_the_profile_edits_contact_details_and_nothing_else(client, member):
    assert signs_in(client, "CB-A-1", PASSWORD)

    page = client.get("/ho-so-ca-nhan/")
    client.post("/ho-so-ca-nhan/", {"email": "moi@example.invalid", "phone": "0987 654 321",
                                    "preferred_language": "vi", "full_name": "Tên Khác", "employee_code": "X"})

    assert page.status_code == 200 and member.full_name in page.content.decode()
    member.refresh_from_db()
    assert (member.email, member.phone, member.phone_key) == ("moi@example.invalid", "0987 654 321", "0987654321")
    assert member.full_name == "Nguyễn Thị Hồng Hải" and member.employee_code == "CB-A-1"
    member.user.refresh_from_db()
    assert member.user.email == "moi@example.invalid"
    assert signs_in(client, "0987654321", PASSWORD)


def test_the_profile_of_an_account_without_an_official_is_404(client, hr_a):
    client.force_login(hr_a)

    assert client.get("/ho-so-ca-nhan/").status_code == 404


def test_the_profile_needs_sign_in(client):
    response = client.get("/ho-so-ca-nhan/")

    assert response.status_code == 302 and response.url.startswith("/dang-nhap/")
