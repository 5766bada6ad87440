"""Accounts from the roster: one per official, never two; sign-in with employee code, e-mail or phone;
closed when the official leaves; the personal identification number checked, unique and masked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from staff.imports.people import roster_import
from staff.models import AccountState, Category, Official, OfficialStatus, Rank
from staff.personal_id import mask_personal_id, validate_personal_id
from tests import factories
from tests.staff.import_files import as_lists, roster_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 26)
PASSWORD = "Mật-khẩu-thử-2026"


@pytest.fixture
def ranks(db):
    return Rank.objects.create(code="01.003", name="Chuyên viên", tier=3, category=Category.CIVIL_SERVANT)


def signs_in(client, identifier, password) -> bool:
    """Through the public form, as a person would (axes needs the request that client.login lacks)."""
    return client.post("/dang-nhap/", {"username": identifier, "password": password}).status_code == 302


def run(path, *, user=None, dry_run=False):
    with open(path, "rb") as stream:
        return roster_import(stream, path.name, user=user, dry_run=dry_run, today=TODAY)


def thousand_rows():
    return [roster_row(f"TK{n:04d}", f"Lê Thị Tài Khoản {n}", "P-A", email=f"tk{n}@example.invalid")
            for n in range(1000)]


def test_a_roster_of_1000_gives_exactly_1000_accounts_and_a_reimport_adds_none(tmp_path, ward_a, ranks):
    path = write_xlsx(tmp_path / "roster.xlsx", as_lists(thousand_rows()))
    before = User.objects.count()

    report = run(path)

    assert report.ok and report.created == 1000 and report.accounts_created == 1000
    assert User.objects.count() - before == 1000
    assert Official.objects.filter(user__isnull=True).count() == 0
    sample = Official.objects.select_related("user").get(employee_code="TK0042")
    assert sample.user.username == "TK0042" and sample.user.email == "tk42@example.invalid"
    assert not sample.user.has_usable_password() and not sample.user.is_active
    assert sample.account_state == AccountState.NOT_ACTIVATED

    again = run(path)

    assert again.ok and again.unchanged == 1000 and again.accounts_created == 0
    assert User.objects.count() - before == 1000


def test_the_web_import_gives_the_same_accounts_and_leads_to_inviting_them(client, tmp_path, settings, ward_a,
                                                                           ranks, hr_a):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(hr_a)
    path = write_csv(tmp_path / "web.csv", as_lists(thousand_rows()))
    before = User.objects.count()

    for _ in range(2):
        with open(path, "rb") as stream:
            dry = client.post("/admin/roster-import/", {"file": stream})
        confirmed = client.post("/admin/roster-import/", {"token": dry.context["token"]})
        assert confirmed.status_code == 302

    assert User.objects.count() - before == 1000
    assert Official.objects.filter(unit=ward_a, user__isnull=False).count() == 1000
    # The first import leads to inviting the officials it created; the second creates nobody.
    first = client.get(confirmed.url)
    assert first.status_code == 200


def test_an_existing_user_named_by_the_employee_code_is_linked_not_duplicated(tmp_path, ward_a, ranks):
    existing = factories.user("LK1")
    run(write_xlsx(tmp_path / "link.xlsx", as_lists([roster_row("LK1", "Phan Văn Liên", "P-A")])))

    assert Official.objects.get(employee_code="LK1").user == existing
    assert User.objects.filter(username="LK1").count() == 1


def test_a_failed_or_dry_run_import_creates_and_closes_no_account(tmp_path, ward_a, ward_b, ranks, official):
    official.user.set_password(PASSWORD)
    official.user.save()
    leaving = roster_row("CB-A-1", official.full_name, "P-A", status="Đã nghỉ hưu")
    bad = roster_row("NEW1", "Sai Đơn Vị", "NO-SUCH-UNIT")
    users = User.objects.count()

    run(write_xlsx(tmp_path / "dry.xlsx", as_lists([leaving])), dry_run=True)
    failed = run(write_xlsx(tmp_path / "bad.xlsx", as_lists([leaving, bad])))

    assert not failed.ok
    official.user.refresh_from_db()
    assert official.user.is_active and User.objects.count() == users


def test_retiring_in_an_import_closes_the_account_and_keeps_the_records(tmp_path, ward_a, ranks, official):
    official.user.set_password(PASSWORD)
    official.user.save()
    browser = Client()
    assert signs_in(browser, "CB-A-1", PASSWORD)

    report = run(write_xlsx(tmp_path / "retire.xlsx",
                            as_lists([roster_row("CB-A-1", official.full_name, "P-A", status="Đã nghỉ hưu")])))

    assert report.ok and report.accounts_closed == 1
    official.refresh_from_db()
    assert official.status == OfficialStatus.RETIRED and official.user is not None
    assert not User.objects.get(pk=official.user_id).is_active
    assert official.account_state == AccountState.CLOSED
    # The open session ends, and signing in again is refused.
    assert browser.get("/khoa-hoc-cua-toi/").status_code == 302
    assert not signs_in(Client(), "CB-A-1", PASSWORD)


def test_retiring_in_the_admin_closes_the_account(official):
    official.user.set_password(PASSWORD)
    official.user.save()
    official.status = OfficialStatus.TRANSFERRED
    official.save(update_fields=["status"])

    assert not User.objects.get(pk=official.user_id).is_active


# --- Signing in with what one remembers -----------------------------------------------------------------


@pytest.fixture
def signed_up(official):
    official.email, official.phone = "hong.hai@example.invalid", "0912 345 678"
    official.save(update_fields=["email", "phone"])
    official.user.set_password(PASSWORD)
    official.user.save()
    return official


@pytest.mark.parametrize("identifier", ["CB-A-1", "cb-a-1", "hong.hai@example.invalid", "HONG.HAI@example.invalid",
                                        "0912345678", "+84 912 345 678", "0912.345.678"])
def test_the_public_form_accepts_employee_code_email_or_phone(client, signed_up, identifier):
    response = client.post("/dang-nhap/", {"username": identifier, "password": PASSWORD})

    assert response.status_code == 302, response.content.decode()[:500]
    assert client.get("/khoa-hoc-cua-toi/").status_code == 200


def test_a_wrong_password_is_refused_in_vietnamese(client, signed_up):
    response = client.post("/dang-nhap/", {"username": "CB-A-1", "password": "sai"})

    assert response.status_code == 200
    assert "không đúng" in response.content.decode()


def test_an_email_shared_by_two_officials_signs_in_nobody(client, signed_up, ward_a):
    other = factories.official(unit=ward_a, employee_code="CB-A-2", email="hong.hai@example.invalid")
    other.user = factories.user("CB-A-2")
    other.save(update_fields=["user"])

    response = client.post("/dang-nhap/", {"username": "hong.hai@example.invalid", "password": PASSWORD})

    assert response.status_code == 200
    assert client.post("/dang-nhap/", {"username": "CB-A-1", "password": PASSWORD}).status_code == 302


def test_an_account_not_yet_activated_cannot_sign_in(client, tmp_path, ward_a, ranks):
    run(write_xlsx(tmp_path / "new.xlsx", as_lists([roster_row("NA1", "Chưa Kích Hoạt", "P-A")])))

    assert client.post("/dang-nhap/", {"username": "NA1", "password": ""}).status_code == 200
    assert not signs_in(client, "NA1", "!")


def test_the_admin_login_accepts_the_employee_code_too(client, ward_a, city):
    hr = factories.user("hr.code")
    person = factories.official(unit=ward_a, employee_code="NS-01")
    person.user = hr
    person.save(update_fields=["user"])
    hr.set_password(PASSWORD)
    hr.save()

    response = client.post("/admin/login/", {"username": "ns-01", "password": PASSWORD})

    assert response.status_code == 302


# --- HR sees who has an account ---------------------------------------------------------------------


def test_hr_sees_and_filters_officials_by_account_state(client, hr_a, ward_a, official, signed_up):
    from tests.factories import grant_all

    grant_all(hr_a)
    factories.official(unit=ward_a, employee_code="NOACC", name="Không Tài Khoản")
    client.force_login(hr_a)

    listing = client.get("/admin/officials/").content.decode()
    without = client.get("/admin/officials/?account=none").content.decode()
    active = client.get("/admin/officials/?account=active").content.decode()

    assert "Tài khoản đăng nhập" in listing or "Sign-in account" in listing
    assert "NOACC" in without and "CB-A-1" not in without
    assert "CB-A-1" in active and "NOACC" not in active


# --- The personal identification number -----------------------------------------------------------


@pytest.mark.parametrize("number", ["001188000123", "079203001234", "096095999999"])
def test_plausible_personal_ids_pass(number):
    validate_personal_id(number)


@pytest.mark.parametrize("number", ["00118800012", "0011880001234", "00118800012A", "003188000123", "001999000123"])
def test_implausible_personal_ids_are_refused(number):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_personal_id(number)


def test_an_invalid_personal_id_is_a_row_error_and_nothing_is_written(tmp_path, ward_a, ranks):
    rows = [roster_row("ID1", "Đúng Số", "P-A", personal_id="001188000123"),
            roster_row("ID2", "Sai Tỉnh", "P-A", personal_id="003188000124"),
            roster_row("ID3", "Sai Giới", "P-A", personal_id="001088000125", gender="Nữ"),
            roster_row("ID4", "Trùng Số", "P-A", personal_id="001188000123")]

    report = run(write_xlsx(tmp_path / "ids.xlsx", as_lists(rows)))

    assert [(error.row, error.column) for error in report.errors] == [
        (3, "Số định danh cá nhân"), (4, "Số định danh cá nhân"), (5, "Số định danh cá nhân")]
    assert "003" in report.errors[0].message and "mã tỉnh" in str(report.errors[0]).lower()
    assert "dòng 2" in report.errors[2].message.lower()
    assert not Official.objects.exists() and not User.objects.filter(username__startswith="ID").exists()


def test_a_personal_id_held_by_another_official_is_a_row_error(tmp_path, ward_a, ranks):
    factories.official(unit=ward_a, employee_code="HOLDER", personal_id="001188000123")

    report = run(write_xlsx(tmp_path / "taken.xlsx",
                            as_lists([roster_row("OTHER", "Người Khác", "P-A", personal_id="001188000123")])))

    assert [(error.row, error.column) for error in report.errors] == [(2, "Số định danh cá nhân")]


def test_a_personal_id_typed_as_a_number_keeps_its_leading_zeros(tmp_path, ward_a, ranks):
    report = run(write_xlsx(tmp_path / "num.xlsx",
                            as_lists([roster_row("NUM1", "Số Nguyên", "P-A", personal_id=1188000123)])))

    assert report.ok, report.errors
    assert Official.objects.get(employee_code="NUM1").personal_id == "001188000123"


def test_the_personal_id_is_masked_for_unit_hr_and_whole_for_city_hr(client, hr_a, city_hr, official):
    from tests.factories import grant_all

    official.personal_id = "001188000123"
    official.save(update_fields=["personal_id"])
    grant_all(hr_a)
    grant_all(city_hr)
    url = f"/admin/officials/edit/{official.pk}/"

    client.force_login(hr_a)
    unit_page = client.get(url).content.decode()
    client.force_login(city_hr)
    city_page = client.get(url).content.decode()

    assert "001188000123" not in unit_page and mask_personal_id("001188000123") in unit_page
    assert 'value="001188000123"' in city_page


def test_the_personal_id_never_appears_in_the_officials_export(client, city_hr, official):
    from tests.factories import grant_all

    official.personal_id = "001188000123"
    official.save(update_fields=["personal_id"])
    grant_all(city_hr)
    client.force_login(city_hr)

    response = client.get("/admin/officials/?export=csv")

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "Nguyễn Thị Hồng Hải".encode() in body and b"001188000123" not in body and b"0123" not in body
