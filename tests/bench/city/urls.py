"""The app's URLs plus the floor: a bare Django view answering a small page through the same gunicorn,
middleware and all, so that "ours / floor" measures what our pages add and not the machine."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from training_site.urls import urlpatterns as app_urlpatterns

FLOOR_BODY = b"<!doctype html><title>floor</title><p>floor</p>"


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FLOOR_BODY)


# First: Wagtail's catch-all page serving at the end of the app's list would answer it otherwise.
urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *app_urlpatterns]
