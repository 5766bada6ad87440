from django.conf import settings
from django.conf.urls.static import static
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from courses.api import api_router
from training_site.ops import health

urlpatterns = [
    # Probes for the load balancer and monitoring (training_site/ops/health.py), at the usual probe paths.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("staff.urls")),
]
if settings.OIDC_ENABLED:
    # Single sign-on: /oidc/authenticate/ sends the browser to the city's provider, /oidc/callback/ returns.
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it matches every remaining path.
urlpatterns += [path("", include(wagtail_urls))]

# A lock or statement timeout raised before the view (loading the session or the user, the page cache): the
# busy page, not a 500 (training_site/ops/busy.py).
handler500 = "training_site.ops.busy.server_error"
