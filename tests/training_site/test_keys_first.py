"""A list's page read keys first (training_site.admin_lists.keys_first): the same rows in the same order as
the plain slice, on every page, with the joined rows and annotations still there; left alone where it
could not be the same (an order by annotation, a union)."""

from __future__ import annotations

import pytest
from django.db.models import Count, Value

from staff.models import Enrollment, Official
from tests import factories
from training_site.admin_lists import CappedPaginator, keys_first

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(ward_a, ward_b):
    for n in range(7):
        factories.official(unit=ward_a if n % 2 else ward_b, name=f"Nguyễn Văn {n % 3}", employee_code=f"K-{n}")


def test_each_page_is_the_plain_slice_with_its_joins(many):
    whole = Official.objects.select_related("unit").annotate(mark=Value(1)).order_by("full_name", "-employee_code")
    pages = CappedPaginator(whole, 3)
    seen = []
    for number in pages.page_range:
        page = pages.page(number)
        rows = list(page.object_list)
        plain = list(whole[(number - 1) * 3:number * 3])
        assert rows == plain and all(row.mark == 1 for row in rows)
        assert "IN (SELECT" in str(page.object_list.query)  # read keys first
        seen += rows
    assert seen == list(whole) and len(seen) == 7


def test_no_query_per_row_for_the_joined_unit(many, django_assert_num_queries):
    whole = Official.objects.select_related("unit").order_by("employee_code")
    plain = [row.unit.name for row in whole[2:5]]
    page = keys_first(whole, whole[2:5])
    with django_assert_num_queries(1):
        assert [row.unit.name for row in page] == plain


def test_an_order_by_annotation_or_a_plain_list_is_left_as_it_is(many, official):
    counted = Official.objects.select_related("unit").annotate(n=Count("enrollments")).order_by("-n", "pk")
    assert keys_first(counted, counted[0:3]).query.is_sliced
    plain = Enrollment.objects.order_by("pk")  # nothing joined: the slice is as narrow as the keys
    assert keys_first(plain, plain[0:3]).query.is_sliced
    assert keys_first(list(plain), list(plain)[0:3]) == []
