"""The participant's feedback on a session they attended: four ratings from 1 to 5 and a comment.

The enrollment is looked up through the signed-in official, so another person's enrollment answers 404.
The form is plain HTML radio buttons in fieldsets: it works without JavaScript and from the keyboard.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.access import AuthenticatedHttpRequest, own_official_or_404
from staff.models import Feedback
from staff.services.feedback import (
    FEEDBACK_WINDOW_DAYS,
    RATING_LABELS,
    RATING_NAMES,
    FeedbackError,
    feedback_submit,
    feedback_window,
)

SCALE = [(value, str(value)) for value in range(1, 6)]


class FeedbackForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RATING_NAMES:
            self.fields[name] = forms.TypedChoiceField(
                label=RATING_LABELS[name], choices=SCALE, coerce=int, widget=forms.RadioSelect)
        self.fields["comment"] = forms.CharField(label=gettext_lazy("Comment (optional)"), required=False,
                                                 max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))

    def ratings(self):
        return [self[name] for name in RATING_NAMES]


@login_required
def enrollment_feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    official = own_official_or_404(request, "unit")
    enrollment = get_object_or_404(official.enrollments.select_related("session__course"), pk=pk)
    existing = Feedback.objects.filter(enrollment=enrollment).first()
    allowed, why = feedback_window(enrollment)
    initial = {name: getattr(existing, name) for name in (*RATING_NAMES, "comment")} if existing else None
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and allowed and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_submit(enrollment=enrollment, **{name: data[name] for name in RATING_NAMES},
                            comment=data["comment"], by=request.user)
        except FeedbackError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you: your feedback is saved."))
            return redirect("my_training")
    status = 200 if allowed or request.method == "GET" else 400
    return render(request, "staff/feedback/feedback_form.html", {
        "form": form, "enrollment": enrollment, "session": enrollment.session, "course": enrollment.session.course,
        "existing": existing, "allowed": allowed, "why": why, "window_days": FEEDBACK_WINDOW_DAYS,
    }, status=status)
