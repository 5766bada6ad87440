"""Sign-in with whatever an official remembers: the employee code, the e-mail or the phone number.

The login forms keep Django's one "username" field; this backend resolves it to the account, then checks
the password as Django's own backend does. An official who retired or was transferred out cannot sign in,
whatever their account says (their records stay).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest

from staff.models import Official, OfficialStatus
from staff.models.people import phone_key


def resolve_user(identifier: str | None) -> User | None:
    """The account that ``identifier`` names: a username (employee code), an official's e-mail or phone.

    An e-mail or phone number shared by two officials names nobody: guessing would sign in the wrong one.
    """
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User.objects.filter(username__iexact=identifier).select_related("official").first()
    if user is not None:
        return user
    official = Official.objects.filter(employee_code__iexact=identifier)
    if "@" in identifier:
        official = Official.objects.filter(email__iexact=identifier)
    elif (key := phone_key(identifier)) and len(key) >= 9 and key == "".join(c for c in key if c.isdigit()):
        official = Official.objects.filter(phone_key=key) | official
    matches = list(official.exclude(user=None).select_related("user")[:2])
    return matches[0].user if len(matches) == 1 else None


def official_may_sign_in(user: User) -> bool:
    """Accounts without an official (the city's administrators) follow ``is_active`` alone."""
    try:
        official = user.official  # the reverse one-to-one of Official.user
    except Official.DoesNotExist:
        return True
    return official.status == OfficialStatus.ACTIVE


class IdentifierBackend(ModelBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = resolve_user(username)
        if user is None:
            User().set_password(password)  # as ModelBackend: the same time whether the account exists or not
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and official_may_sign_in(user)

    def get_user(self, user_id: Any) -> User | None:
        # The official comes in the same query: every request asks whether they are still in service, and a
        # session opened before the official left ends at their next request.
        user = User.objects.select_related("official").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
