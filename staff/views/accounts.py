"""Placeholder: being written (sign-in, activation, password reset and change, profile)."""

from django.contrib.auth import views as auth_views
from django.http import Http404


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"


PasswordResetView = auth_views.PasswordResetView
PasswordResetDoneView = auth_views.PasswordResetDoneView
PasswordResetConfirmView = auth_views.PasswordResetConfirmView
PasswordResetCompleteView = auth_views.PasswordResetCompleteView
PasswordChangeView = auth_views.PasswordChangeView
PasswordChangeDoneView = auth_views.PasswordChangeDoneView


def activate(request, token):
    raise Http404


def activation_resend(request):
    raise Http404


def profile(request):
    raise Http404
