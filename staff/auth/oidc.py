"""Single sign-on through the city's OpenID Connect service (mozilla-django-oidc).

The service says who the person is; the roster says whether they may come in. The claim named by
``OIDC_OFFICIAL_CLAIM`` is matched with the official's ``OIDC_OFFICIAL_FIELD`` (the personal identification
number or the employee code). Nobody the roster does not know gets an account, and an official who retired
or was transferred out is refused, as at the password form. Each refusal leaves a message that the login
page (``?sso=refused``) shows above the form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from staff.auth.backends import official_may_sign_in
from staff.models import Official, OfficialStatus
from staff.services.accounts import accounts_ensure

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a development requirement: for typing only

# Unique fields of the roster, so that one claim value names at most one official.
MATCHABLE_FIELDS = ("personal_id", "employee_code")

NOT_IDENTIFIED = _("The sign-in service did not say who you are on the roster of officials. Sign in with your "
                   "password, or ask your unit's HR officer.")
NOT_ON_ROSTER = _("The sign-in service knows you, but the roster of officials does not. Ask your unit's HR "
                  "officer to add you to it.")
NOT_IN_SERVICE = _("The roster shows that you are no longer in service, so you cannot sign in. If that is "
                   "wrong, ask your unit's HR officer.")
ACCOUNT_CLOSED = _("Your account is closed. Ask your unit's HR officer.")
ACCOUNT_NOT_READY = _("Your sign-in account is not ready yet. Ask your unit's HR officer.")


class OfficialOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.claim: str = settings.OIDC_OFFICIAL_CLAIM
        self.field: str = settings.OIDC_OFFICIAL_FIELD
        if self.field not in MATCHABLE_FIELDS:
            raise ImproperlyConfigured(f"OIDC_OFFICIAL_FIELD must be one of {', '.join(MATCHABLE_FIELDS)}")

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        value = claims.get(self.claim)
        if isinstance(value, str) and value.strip():
            return True
        self._refuse(NOT_IDENTIFIED)
        return False

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        official = Official.objects.select_related("user").filter(**{self.field: claims[self.claim].strip()}).first()
        if official is None:
            return self._refuse(NOT_ON_ROSTER)
        if official.status != OfficialStatus.ACTIVE:
            return self._refuse(NOT_IN_SERVICE)
        user = self._account_of(official)
        if user is None:
            return self._refuse(ACCOUNT_NOT_READY)
        if not user.is_active:
            if user.has_usable_password() or user.last_login is not None:
                # Activated once (a password, or a sign-in through this service), closed since: by HR or by leaving.
                return self._refuse(ACCOUNT_CLOSED)
            # An account the roster import made and nobody activated yet: the city's service has just vouched
            # for the person, as the invitation's link would have. Opened, still without a password.
            User.objects.filter(pk=user.pk).update(is_active=True)
        return User.objects.filter(pk=user.pk)

    def create_user(self, claims: dict[str, Any]) -> User:
        # Accounts come from the roster, never from the provider: even with OIDC_CREATE_USER on by mistake.
        raise SuspiciousOperation("single sign-on never creates an account for someone the roster does not know")

    def get_user(self, user_id: Any) -> User | None:
        # As IdentifierBackend: a session opened before the official left ends at their next request.
        user = User.objects.select_related("official").filter(pk=user_id).first()
        return user if user is not None and user.is_active and official_may_sign_in(user) else None

    def _account_of(self, official: Official) -> User | None:
        """The official's account, created on their first sign-in if the roster has none for them yet; None when
        an account of that username exists but belongs to nobody on the roster (HR links it, not the provider)."""
        if official.user_id is not None:
            return official.user
        with transaction.atomic():
            # Locked so that two first sign-ins at once create one account.
            official = Official.objects.select_for_update().get(pk=official.pk)
            if official.user_id is not None:
                return official.user
            if User.objects.filter(username=official.employee_code).exists():
                return None
            accounts_ensure(officials=[official])  # as the roster import makes it: no password, not active yet
        return official.user

    def _refuse(self, reason: StrOrPromise) -> QuerySet[User]:
        request = getattr(self, "request", None)
        if request is not None:
            messages.error(request, reason, fail_silently=True)
        return User.objects.none()
