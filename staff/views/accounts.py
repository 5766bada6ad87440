"""An official's own account: sign in with what they remember, activate from an invitation, reset a
forgotten password (without saying whether the account exists), change it, and edit their contact details.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from staff.access import AuthenticatedHttpRequest, own_official_or_404
from staff.auth.backends import official_may_sign_in, resolve_user
from staff.models import Official
from staff.services import accounts
from staff.services.people import official_update_contact

IDENTIFIER_LABEL = gettext_lazy("Employee code, e-mail or phone number")


class SignInForm(AuthenticationForm):
    """Django's form, with the one field officials can fill from memory and a message for closed accounts."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("The sign-in details are not right. Check them and try again; after "
                                      "repeated failures the account is locked for a while."),
    }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = IDENTIFIER_LABEL
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["username"].max_length = 254  # type: ignore[attr-defined]  # a CharField


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = getattr(settings, "OIDC_ENABLED", False)
        context["sso_name"] = getattr(settings, "OIDC_PROVIDER_NAME", "")
        context["sso_refused"] = self.request.GET.get("sso") == "refused"
        return context


# --- Activation from an invitation ------------------------------------------------------------------


class ActivationForm(SetPasswordForm):
    """Choose a password: Django's checks (length, not too common, not like the name)."""


def activate(request: HttpRequest, token: str) -> HttpResponse:
    check = accounts.invitation_check(token)
    if not check.ok or check.invitation is None:
        return render(request, "registration/activation_problem.html",
                      {"problem": check.problem, "token": token, "may_renew": check.problem == accounts.EXPIRED},
                      status=410 if check.problem in (accounts.EXPIRED, accounts.USED) else 404)
    official = check.invitation.official
    user = official.user or User(username=official.employee_code)
    form = ActivationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = accounts.account_activate(invitation=check.invitation, password=form.cleaned_data["new_password1"])
        login(request, user, backend="staff.auth.backends.IdentifierBackend")
        messages.success(request, _("Your account is active. Welcome!"))
        return redirect("my_training")
    return render(request, "registration/activate.html", {"form": form, "official": official})


@require_POST
def activation_resend(request: HttpRequest) -> HttpResponse:
    """A new link for an expired one, sent where the old one went; the page never says more than that."""
    check = accounts.invitation_check(request.POST.get("token", ""))
    fresh = None
    if check.problem == accounts.EXPIRED and check.invitation is not None:
        fresh = accounts.invitation_renew(invitation=check.invitation)
    return render(request, "registration/activation_resent.html",
                  {"sent": fresh is not None and fresh.status == "sent",
                   "channel": fresh.get_channel_display() if fresh else ""})


# --- Forgotten and changed passwords ------------------------------------------------------------------


class IdentifierPasswordResetForm(PasswordResetForm):
    """"Forgot password" by employee code, e-mail or phone. The mail goes to the address on record; the
    page after it reads the same whether or not an account was found."""

    email = forms.CharField(label=IDENTIFIER_LABEL, max_length=254,
                            widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))

    def get_users(self, email: str) -> Iterator[User]:
        user = resolve_user(email)
        if user is None or not user.is_active or not user.has_usable_password() or not official_may_sign_in(user):
            return
        address = user.email or getattr(_official(user), "email", "")
        if address and not user.email:
            # The reset token hashes the account's e-mail: it must be the stored one.
            user.email = address
            user.save(update_fields=["email"])
        if address:
            yield user


def _official(user: User) -> Official | None:
    return Official.objects.filter(user=user).first()


class PasswordResetView(auth_views.PasswordResetView):
    form_class = IdentifierPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")
    extra_email_context = {"site_name": settings.WAGTAIL_SITE_NAME}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


# --- Profile ----------------------------------------------------------------------------------------


class ContactForm(forms.ModelForm):
    class Meta:
        model = Official
        fields = ["email", "phone", "preferred_language"]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The official's contact details, which they keep; the rest is the roster's, kept by their HR officer."""
    official = own_official_or_404(request, "unit", "rank")
    form = ContactForm(request.POST or None, instance=official)
    if request.method == "POST" and form.is_valid():
        official_update_contact(official=official, email=form.cleaned_data["email"],
                                phone=form.cleaned_data["phone"], language=form.cleaned_data["preferred_language"])
        messages.success(request, _("Your contact details were saved."))
        return redirect("profile")
    return render(request, "registration/profile.html", {"form": form, "official": official})
