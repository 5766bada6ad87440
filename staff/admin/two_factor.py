"""Admin for second factors (city HR only): which staff accounts have set up their authenticator app, and a
reset for someone who lost their phone and their recovery codes. Every reset goes to the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.access import AuthenticatedHttpRequest, require_city_hr
from staff.auth.two_factor import staff_users
from staff.models import RoleAssignment
from staff.services.two_factor import second_factors_reset

PER_PAGE = 50


def staff_second_factors(query: str = "") -> QuerySet[User]:
    """Staff accounts with their second factor's state, in one query (plus one for their roles)."""
    apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("pk")
    codes_left = (StaticToken.objects.filter(device__user=OuterRef("pk"), device__confirmed=True)
                  .order_by().values("device__user").annotate(n=Count("pk")).values("n"))
    users = staff_users().annotate(
        has_app=Exists(apps),
        app_since=Subquery(apps.values("created_at")[:1]),
        app_last_used=Subquery(apps.values("last_used_at")[:1]),
        wrong_codes=Coalesce(Subquery(apps.values("throttling_failure_count")[:1]), Value(0)),
        codes_left=Coalesce(Subquery(codes_left, output_field=IntegerField()), Value(0)),
    ).prefetch_related(Prefetch("staff_roles", queryset=RoleAssignment.objects.select_related("unit")))
    if query:
        users = users.filter(Q(username__icontains=query) | Q(first_name__icontains=query)
                             | Q(last_name__icontains=query) | Q(email__icontains=query))
    return users.order_by("has_app", "username")


def two_factor_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_city_hr(request.user)
    query = request.GET.get("q", "").strip()
    page = Paginator(staff_second_factors(query), PER_PAGE).get_page(request.GET.get("p"))
    return render(request, "staff/admin/two_factor/list.html", {
        "page": page, "users": page.object_list, "query": query, "may_reset_admins": request.user.is_superuser,
        "page_title": _("Second factors"), "header_icon": "key"})


@require_POST
def two_factor_reset(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    require_city_hr(request.user)
    account = get_object_or_404(staff_users(), pk=user_id)
    if account.is_superuser and not request.user.is_superuser:
        raise Http404  # an administrator's second factor is reset by another administrator only
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you checked who is asking, then reset again."))
        return redirect("staff_two_factor_list")
    second_factors_reset(user=account, by=request.user, reason=request.POST.get("reason", "").strip())
    messages.success(request, _("The second factor of %(name)s was removed. They set up a new app the next time "
                                "they open the administration.") % {"name": account.get_full_name() or
                                                                     account.username})
    return redirect("staff_two_factor_list")
