"""Admin for sessions (classes): each organizer's own, and what a change of dates does."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet

from courses.models import (
    CourseSession,
    ExchangePage,
)
from staff.access import (
    AnyUser,
    AuthenticatedHttpRequest,
    courses_organized_by,
    enrollments_in_scope,
    sessions_organized_by,
)
from staff.admin.base import ScopedModelViewSet
from staff.models import AWAITING_APPROVAL, EnrollmentStatus
from staff.selectors.enrollment import course_suggestions, session_suggestions
from staff.services.enrollment import session_changes_apply
from staff.services.replication import exchange_reserve_seats
from training_site.admin_lists import ExportIndexView


class CourseSessionEditView(EditView):
    """Saving new dates, hours, place or a cancellation sends every participant the updated invitation."""

    def save_instance(self):
        # The form has written its values onto the instance but not saved it yet: compare with what was
        # loaded now, because save() bumps ``sequence`` and forgets the old values.
        calendar_changed = self.form.instance.calendar_changed
        instance = super().save_instance()
        session_changes_apply(session=instance, calendar_changed=calendar_changed, by=self.request.user)
        return instance


class CourseSessionViewSet(ModelViewSet):
    """The sessions' admin as configured here; staff registers it scoped to each organizer's courses."""

    model = CourseSession
    icon = "date"
    menu_label = gettext_lazy("Sessions")
    list_display = ["__str__", "start_date", "end_date", "mode", "venue", "capacity"]
    list_filter = ["mode", "cancelled", "start_date"]
    search_fields = ["code", "course__title", "venue"]
    search_backend_name = None
    form_fields = ["course", "code", "start_date", "end_date", "weekends", "daily_start", "daily_end",
                   "schedule_note", "mode", "venue", "online_url", "capacity", "enrollment_opens", "enrollment_closes",
                   "cancellation_closes", "self_checkin", "trainers", "cancelled"]
    list_export = ["course.title", "code", "start_date", "end_date", "get_mode_display", "venue", "capacity"]
    export_headings = {"course.title": gettext_lazy("Course"), "get_mode_display": gettext_lazy("Mode")}
    export_filename = "lop-hoc"
    ordering = ("-start_date", "pk")

    # Properties rather than class attributes because ScopedModelViewSet, which SessionViewSet puts before
    # this class, declares them so: the two bases must agree on what they are (the scoped ones win).
    @cached_property
    def index_view_class(self) -> type:
        return ExportIndexView

    @cached_property
    def edit_view_class(self) -> type:
        return CourseSessionEditView


class SessionAdminForm(WagtailAdminModelForm):
    """A session of one of the user's own courses only."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and "course" in self.fields:
            self.fields["course"].queryset = courses_organized_by(for_user)


class SessionCreateView(CreateView):
    """A new session of an exchange gets its seats reserved for every invited unit at once."""

    def save_instance(self):
        instance = super().save_instance()

        course = instance.course.specific
        if isinstance(course, ExchangePage):
            exchange_reserve_seats(page=course)
        return instance


class SessionViewSet(ScopedModelViewSet, CourseSessionViewSet):
    """Sessions in the admin, each organizer's own only: the list, and 404 for every other object."""

    base_edit_view_class = CourseSessionEditView
    add_view_class = SessionCreateView

    def scope(self, user: AnyUser) -> QuerySet[CourseSession]:
        return sessions_organized_by(user).select_related("course")

    def get_form_class(self, for_update=False):
        return type("CourseSessionForm", (SessionAdminForm,), {
            "Meta": type("Meta", (), {"model": CourseSession, "fields": self.form_fields}),
        })


def class_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The classes the user organizes, newest first, with seat counts from one aggregate."""
    sessions = (
        sessions_organized_by(request.user).select_related("course")
        .annotate(
            confirmed=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.CONFIRMED)),
            waiting=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED)),
            awaiting=Count("enrollments", filter=Q(enrollments__status__in=AWAITING_APPROVAL)),
        )
        .order_by("-start_date", "pk")[:200]
    )
    return render(request, "staff/admin/sessions/class_list.html", {"page_title": _("Classes"), "sessions": sessions})


def session_suggestions_view(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The enrollments list's class filter, as the user types: at most 20 classes of the user's scope."""
    found = session_suggestions(enrollments_in_scope(request.user), request.GET.get("q", "")[:100])
    return JsonResponse({"results": [{"value": value, "label": label} for value, label in found]})


def course_suggestions_view(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The enrollments list's course filter, as the user types: at most 20 courses of the user's scope."""
    found = course_suggestions(enrollments_in_scope(request.user), request.GET.get("q", "")[:100])
    return JsonResponse({"results": [{"value": value, "label": label} for value, label in found]})
