"""The roster's bulk writes (staff.services.people, staff.services.accounts): what a city-scale import
relies on. On PostgreSQL they take the COPY / ``UPDATE … FROM (VALUES …)`` path, elsewhere Django's bulk
methods; either way the rows written must be exactly what save() would have written."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from staff.models import Category, Gender, Official, UnitAssignment
from staff.services.accounts import accounts_ensure, accounts_prepare
from staff.services.people import OfficialChange, bulk_insert, bulk_save_fields, officials_bulk_upsert
from tests import factories


def _new(code: str, **fields) -> Official:
    return Official(employee_code=code, full_name=fields.pop("full_name", f"Lê Thị {code}"), gender=Gender.FEMALE,
                    category=Category.CIVIL_SERVANT, **fields)


def test_bulk_insert_sets_the_primary_keys_and_stamps_auto_now(db):
    officials = [_new("BW-1", phone="0912 345 678"), _new("BW-2")]
    bulk_insert(officials)
    assert all(official.pk for official in officials)
    assert not officials[0]._state.adding
    stored = {official.pk: official for official in Official.objects.filter(pk__in=[o.pk for o in officials])}
    assert stored[officials[0].pk].employee_code == "BW-1"
    assert stored[officials[1].pk].employee_code == "BW-2"
    assert stored[officials[0].pk].created_at is not None
    assert stored[officials[0].pk].created_at == officials[0].created_at


def test_bulk_upsert_creates_with_history_and_saves_changed_fields(ward_a, ward_b):
    moving = factories.official(unit=ward_a, employee_code="BW-OLD")
    moving.full_name = "Phạm Văn Đổi"
    created, updated = officials_bulk_upsert(
        new=[(_new("BW-NEW", phone="0912.345.678"), ward_b)],
        changed=[OfficialChange(official=moving, fields=["full_name"], move_to=ward_b)],
        start=dt.date(2026, 1, 5), validated=True)
    assert (created, updated) == (1, 1)
    new = Official.objects.get(employee_code="BW-NEW")
    assert new.unit_id == ward_b.pk and new.phone_key == "0912345678"
    assert new.search_name  # folded as save() would
    assert list(UnitAssignment.objects.filter(official=new).values_list("unit_id", "start", "end")) == [
        (ward_b.pk, dt.date(2026, 1, 5), None)]
    moving.refresh_from_db()
    assert moving.full_name == "Phạm Văn Đổi" and moving.search_name == "pham van doi"
    assert moving.unit_id == ward_b.pk
    assert UnitAssignment.objects.get(official=moving, unit=ward_a).end == dt.date(2026, 1, 4)


def test_bulk_save_fields_writes_only_the_named_fields(ward_a):
    person = factories.official(unit=ward_a, employee_code="BW-S", job_position="Cũ")
    person.job_position, person.email = "Mới", "khong-luu@example.invalid"
    bulk_save_fields([person], ["job_position"])
    person.refresh_from_db()
    assert (person.job_position, person.email) == ("Mới", "")


def test_accounts_prepare_links_in_memory_and_names_the_reused_users(ward_a):
    existing = User.objects.create(username="BW-R", is_active=True)
    taken = factories.official(unit=ward_a, employee_code="BW-T")
    taken.user = User.objects.create(username="BW-X")
    taken.save(update_fields=["user"])
    fresh, reused, clash = _new("BW-F"), _new("BW-R"), _new("BW-X")
    counts, before = accounts_prepare(officials=[fresh, reused, clash])
    assert (counts.created, counts.linked) == (1, 1)
    assert before == [reused]
    assert reused.user_id == existing.pk and clash.user_id is None
    made = User.objects.get(username="BW-F")
    assert fresh.user_id == made.pk and not made.is_active and not made.has_usable_password()
    assert not Official.objects.filter(employee_code__in=["BW-F", "BW-R"]).exists()  # nothing saved


def test_accounts_ensure_saves_the_links(ward_a):
    person = factories.official(unit=ward_a, employee_code="BW-E")
    counts = accounts_ensure(officials=[person])
    assert counts.created == 1
    person.refresh_from_db()
    assert person.user is not None and person.user.username == "BW-E"
    assert accounts_ensure(officials=[person]).created == 0  # never a second account
