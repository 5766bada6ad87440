"""Text typed decomposed (NFD: macOS, some Vietnamese input methods) is stored and searched composed
(NFC): through an admin form, a list's search box, and the data migration for rows stored before."""

from __future__ import annotations

import importlib
import unicodedata

import pytest
from django.apps import apps
from django.http import HttpResponse
from django.test import RequestFactory

from courses.text import NFCInputMiddleware, nfc, nfc_stored_rows
from staff.models import Official, Unit

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Hường"
NFD_NAME = unicodedata.normalize("NFD", NAME)


def test_the_two_forms_differ_and_nfc_composes():
    assert NFD_NAME != NAME and len(NFD_NAME) > len(NAME)
    assert nfc(NFD_NAME) == NAME and nfc(NAME) is NAME


def _form_data(form) -> dict:
    """What the browser would post back for an unchanged edit form."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def test_a_name_typed_decomposed_in_the_admin_form_is_stored_composed(client, admin_user, official):
    client.force_login(admin_user)
    url = f"/admin/officials/edit/{official.pk}/"
    data = _form_data(client.get(url).context["form"])
    data["full_name"] = NFD_NAME
    data["job_position"] = unicodedata.normalize("NFD", "Chuyên viên một cửa")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    official.refresh_from_db()
    assert official.full_name == NAME and official.job_position == "Chuyên viên một cửa"
    assert Official.objects.filter(full_name=NAME).count() == 1


def test_a_search_typed_decomposed_finds_the_composed_text(client, admin_user, official):
    official.job_position = "Chuyên viên địa chính"
    official.save(update_fields=["job_position"])
    client.force_login(admin_user)

    # job_position is an "icontains" filter: byte forms would not match without composing the query.
    response = client.get("/admin/officials/", {"job_position": unicodedata.normalize("NFD", "địa chính")})

    assert response.status_code == 200
    assert official.employee_code.encode() in response.content


def test_the_middleware_composes_query_and_form_but_leaves_secrets_as_typed():
    seen = {}

    def view(request):
        seen["get"], seen["post"] = request.GET.copy(), request.POST.copy()
        return HttpResponse()

    secret = unicodedata.normalize("NFD", "mật-khẩu")
    request = RequestFactory().post(f"/?q={NFD_NAME}", {"full_name": NFD_NAME, "password": secret})
    NFCInputMiddleware(view)(request)

    assert seen["get"]["q"] == NAME and seen["post"]["full_name"] == NAME
    assert seen["post"]["password"] == secret


def test_the_migration_composes_a_stored_decomposed_name_and_writes_only_that_row(official, ward_a,
                                                                                 django_assert_max_num_queries):
    Official.objects.filter(pk=official.pk).update(full_name=NFD_NAME)  # as stored before this change
    Unit.objects.filter(pk=ward_a.pk).update(name=unicodedata.normalize("NFD", "Phường Khương Đình"))
    migration = importlib.import_module("staff.migrations.0004_nfc_text")

    migration.compose(apps, None)

    official.refresh_from_db()
    ward_a.refresh_from_db()
    assert official.full_name == NAME and ward_a.name == "Phường Khương Đình"
    # Composed rows are read, never written again.
    assert nfc_stored_rows(Official, ("full_name", "job_position"), batch_size=2) == 0


def test_the_migration_pages_through_many_rows(ward_a):
    from tests import factories

    people = [factories.official(unit=ward_a, name=f"Lê Văn Thử {n}", employee_code=f"M{n}") for n in range(5)]
    Official.objects.filter(pk__in=[people[1].pk, people[4].pk]).update(full_name=NFD_NAME)

    assert nfc_stored_rows(Official, ("full_name",), batch_size=2) == 2
    assert not Official.objects.filter(full_name=NFD_NAME).exists()
