"""The public read API (Wagtail API v2): the catalog's pages with their course fields.

Search goes through the folding backend like everywhere else, so ``?search=ky nang`` finds
"Kỹ năng". Only published pages are served; nothing about people is exposed here, and neither are
the image and document libraries (they may hold internal files).
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
