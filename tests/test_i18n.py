"""Vietnamese first, English on request; dates as dd/mm/yyyy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import formats, translation

from tests import factories

pytestmark = pytest.mark.django_db


def test_pages_are_vietnamese_even_for_an_english_browser(client, training_centre):
    factories.course(title="Kỹ năng số", organizer=training_centre)

    response = client.get("/khoa-hoc/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Nhóm nội dung" in html  # the "Content group" facet, translated


def test_the_language_switcher_turns_the_interface_to_english(client, training_centre):
    factories.course(title="Kỹ năng số", organizer=training_centre)

    client.post("/i18n/setlang/", {"language": "en", "next": "/khoa-hoc/"})
    html = client.get("/khoa-hoc/").content.decode()

    assert '<html lang="en">' in html
    assert "Content group" in html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_read_day_month_year(language):
    with translation.override(language):
        assert formats.date_format(dt.date(2025, 7, 1), "SHORT_DATE_FORMAT") == "01/07/2025"
