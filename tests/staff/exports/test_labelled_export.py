"""Every exportable admin list offers its XLSX export as a labelled header button, not inside the unlabeled
"…" menu where staff did not find it (training_site.admin_lists.LabelledExportMixin)."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/audit-log/", "/admin/units/", "/admin/unit-successions/",
                                  "/admin/officials/", "/admin/certificates/", "/admin/enrollments/"])
def test_the_xlsx_export_is_a_labelled_button(client, city_hr, path):
    factories.grant_all(city_hr)  # the permissions the city's HR group gives
    client.force_login(city_hr)

    page = client.get(path).content.decode()

    assert page.count('data-export="xlsx"') == 1, path
    assert "Xuất Excel (XLSX)" in page
