"""Calendars: the personal iCal feed behind a secret token, one enrollment's invitation, and the token reset.

The feed is fetched by calendar programs that cannot sign in, so the secret in its address is the only
key: an unknown token answers 404, and resetting the token cuts off every old subscription.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from staff.access import AuthenticatedHttpRequest
from staff.calendars import cancellation_ics, feed_ics, invitation_ics
from staff.models import CalendarFeed, Enrollment, EnrollmentStatus, Official
from staff.services.calendars import calendar_feed_reset

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The feed is personal: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("official"), token=token)
    return _calendar_response(feed_ics(feed.official), "lich-hoc.ics")


@login_required
@require_GET
def enrollment_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Looked up through the signed-in official: someone else's enrollment is 404, not 403.
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("official", "session__course__organizer"),
        pk=pk, official__user=request.user,
    )
    ended = enrollment.status in (EnrollmentStatus.CANCELLED, EnrollmentStatus.REJECTED)
    content = cancellation_ics(enrollment) if ended or enrollment.session.cancelled else invitation_ics(enrollment)
    return _calendar_response(content, f"lop-hoc-{enrollment.session_id}.ics")


@login_required
@require_POST
def calendar_feed_reset_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    official = Official.objects.filter(user=request.user).first()
    if official is None:
        raise Http404(_("This account is not linked to an official."))
    calendar_feed_reset(official=official)
    messages.success(request, _("Your calendar address has been changed; subscribe again with the new one."))
    return redirect("my_training")
