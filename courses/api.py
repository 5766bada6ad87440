"""The public read API (Wagtail API v2): the catalog's pages with their course fields.

Search goes through the folding backend like everywhere else, so ``?search=ky nang`` finds
"Kỹ năng". Only published pages are served; nothing about people is exposed here, and neither are
the image and document libraries (they may hold internal files).

A listing of one page type that asks for fields (``?type=courses.CoursePage&fields=*``) reads the
relations its API fields show in the listing's own queries (``courses.selectors.api.api_pages``):
30 pages cost what one costs.
"""

from django.db.models import QuerySet
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from courses.selectors.api import api_pages


class CatalogPagesAPIViewSet(PagesAPIViewSet):
    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        # Only a listing that asks for fields shows relations; the default one (title, meta) needs none.
        return api_pages(queryset) if self.request.GET.get("fields") else queryset


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", CatalogPagesAPIViewSet)
