"""The officials list as HR works with it: tick officials to nominate them, and a labelled XLSX export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.staff.people.test_admin import HR_PERMISSIONS, grant

pytestmark = pytest.mark.django_db


def test_hr_ticks_officials_in_a_plain_form_to_nominate_them(client, hr_a, official):
    grant(hr_a, *HR_PERMISSIONS)
    client.force_login(hr_a)
    page = client.get(reverse("officials:index")).content.decode()
    assert f'<form method="get" action="{reverse("staff_nominate_chosen")}"' in page
    assert f'name="official" value="{official.pk}"' in page and 'name="all_on_page"' in page
    assert "Cử đi học" in page


def test_the_xlsx_export_is_a_labelled_header_button_not_in_the_more_menu(client, hr_a, official):
    grant(hr_a, *HR_PERMISSIONS)
    client.force_login(hr_a)
    response = client.get(reverse("officials:index"))
    page = response.content.decode()
    assert "Xuất Excel (XLSX)" in page and 'data-export="xlsx"' in page
    view = response.context["view"]
    assert all("export=xlsx" not in button.url for button in view.header_more_buttons)
    assert any("export=csv" in button.url for button in view.header_more_buttons)  # CSV stays in the menu


def test_organizers_see_officials_but_get_no_nomination_boxes(client, organizer, official):
    grant(organizer, *HR_PERMISSIONS)
    client.force_login(organizer)
    page = client.get(reverse("officials:index")).content.decode()
    assert "Xuất Excel (XLSX)" in page and 'name="official"' not in page
