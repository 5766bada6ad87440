"""Writes about sign-in accounts: one account per official from the roster, invitations that activate
them, and accounts closed when an official leaves.

An account made from the roster has the employee code as its username, no usable password and is not
active: nobody can sign in with it until the official follows an invitation and sets a password.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, UNUSABLE_PASSWORD_SUFFIX_LENGTH
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from django_tasks import task

from staff.channels import Channel as MessageChannel
from staff.channels import ChannelError, Message, get_channel
from staff.models import (
    AuditAction,
    BatchStatus,
    Channel,
    Invitation,
    InvitationBatch,
    InvitationStatus,
    Official,
    OfficialStatus,
)
from staff.services.audit import audit_record, audit_summary
from staff.services.people import bulk_insert, bulk_save_fields

BATCH = 500
ENSURE_BATCH = 1000  # officials per username lookup and per INSERT of accounts: under every parameter limit
SEND_CHUNK = 100  # invitations marked sent per UPDATE, and between two progress updates of the batch
TOKEN_SALT = "staff.invitation"
# Someone asking for a fresh link again and again gets one per this many minutes.
RESEND_COOLDOWN = dt.timedelta(minutes=10)
UNUSABLE = Q(password__startswith="!")  # what make_password(None) writes


# --- Accounts -------------------------------------------------------------------------------------


@dataclass
class AccountCounts:
    created: int = 0
    linked: int = 0
    deactivated: int = 0
    reactivated: int = 0


def accounts_ensure(*, officials: Iterable[Official]) -> AccountCounts:
    """Give every official in ``officials`` an account: link an existing user whose username is their
    employee code, or create one (no usable password, not active). Never a second account per official.

    Costs a few queries per 1,000 officials whatever their number; sets and saves ``official.user``.
    """
    counts, linked, _reused = _prepare(officials)
    bulk_save_fields(linked, ["user"])
    return counts


def accounts_prepare(*, officials: Iterable[Official]) -> tuple[AccountCounts, list[Official]]:
    """accounts_ensure without saving the officials, for a caller that inserts them next (the roster import
    puts new officials' accounts in the INSERT itself, not in an UPDATE of every row just created). Also
    returns those linked to a user that existed before: only they may have an account to close."""
    counts, _linked, reused = _prepare(officials)
    return counts, reused


def _prepare(officials: Iterable[Official]) -> tuple[AccountCounts, list[Official], list[Official]]:
    """Usernames decided a chunk at once: one query finds which employee codes are usernames already (and
    whether an official holds that account), one INSERT creates the rest. Returns the counts, the officials
    whose ``user`` was set, and those of them given a user that existed before."""
    counts = AccountCounts()
    linked: list[Official] = []
    reused: list[Official] = []
    pending = [official for official in officials if official.user_id is None]
    for start in range(0, len(pending), ENSURE_BATCH):
        chunk = pending[start:start + ENSURE_BATCH]
        existing: dict[str, int] = {}  # an unlinked user named after the code: theirs
        taken: set[str] = set()  # the username belongs to another official's account: HR resolves that by hand
        for pk, username, holder in User.objects.filter(username__in=[o.employee_code for o in chunk]).values_list(
                "pk", "username", "official"):
            if holder is None:
                existing[username] = pk
            else:
                taken.add(username)
        new_users = [_new_user(official) for official in chunk
                     if official.employee_code not in existing and official.employee_code not in taken]
        bulk_insert(new_users)
        if new_users and new_users[0].pk is None:  # a database that cannot return ids from a bulk insert
            ids = dict(User.objects.filter(username__in=[u.username for u in new_users]).values_list("username", "pk"))
            for user in new_users:
                user.pk = ids[user.username]
        created = {user.username: user for user in new_users}
        for official in chunk:
            if official.employee_code in created:
                official.user = created[official.employee_code]
            elif official.employee_code in existing:
                official.user_id = existing[official.employee_code]
                reused.append(official)
            else:
                continue
            linked.append(official)
        counts.created += len(created)
    counts.linked = len(reused)
    return counts, linked, reused


def _new_user(official: Official) -> User:
    return User(username=official.employee_code, email=official.email, first_name=official.full_name[:150],
                password=_unusable_password(), is_active=False)


def _unusable_password() -> str:
    """What make_password(None) writes, from one call to the random source instead of one per character."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(UNUSABLE_PASSWORD_SUFFIX_LENGTH // 2)


def accounts_follow_status(*, official_ids: Sequence[int]) -> AccountCounts:
    """Close the accounts of officials who retired or moved out; reopen an activated account of an
    official who is back in service. Records stay whatever happens to the account."""
    counts = AccountCounts()
    for start in range(0, len(official_ids), BATCH):
        ids = official_ids[start:start + BATCH]
        counts.deactivated += User.objects.filter(
            official__in=ids, is_active=True).exclude(official__status=OfficialStatus.ACTIVE).update(is_active=False)
        counts.reactivated += User.objects.filter(
            official__in=ids, official__status=OfficialStatus.ACTIVE, is_active=False).exclude(UNUSABLE).update(
            is_active=True)
    return counts


def accounts_for_import(*, officials: Sequence[Official]) -> AccountCounts:
    """After a roster import: accounts for everyone in the file, closed for those who left (the import's
    own audit line carries the counts)."""
    counts = accounts_ensure(officials=officials)
    status = accounts_follow_status(official_ids=[official.pk for official in officials])
    counts.deactivated, counts.reactivated = status.deactivated, status.reactivated
    return counts


def is_activated(user: User | None) -> bool:
    return user is not None and user.has_usable_password()


# --- Invitations ----------------------------------------------------------------------------------


def channel_address(official: Official, channel: str) -> str:
    """Where ``channel`` reaches the official, or "" when the roster has no such address."""
    return official.email if channel == Channel.EMAIL else official.phone_key


@transaction.atomic
def invitations_start(*, by: User | None, officials: QuerySet[Official], channel: str,
                      description: str = "") -> InvitationBatch:
    """Record who is to be invited and queue the task that invites them; returns at once, whatever the
    number (a city's roster is 100,000 people: the work is the worker's, HR watches its progress).

    The task skips (and counts) officials who left, already activated accounts, no address for the channel,
    and anyone invited within INVITATION_RESEND_WINDOW_HOURS — so starting the same batch twice never
    sends twice.
    """
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    selection = list(officials.order_by("pk").values_list("pk", flat=True))
    batch = InvitationBatch.objects.create(created_by=by, channel=channel, description=description[:300],
                                           status=BatchStatus.QUEUED, selection=selection)
    audit_record(user=by, action=AuditAction.INVITATION, obj=batch,
                 summary=audit_summary(gettext_noop("Invitations: %(selection)s"),
                                       selection=description),
                 channel=channel, selected=len(selection))
    batch_id = batch.pk
    transaction.on_commit(lambda: send_invitation_batch.enqueue(batch_id=batch_id))
    return batch


def _queue_invitations(batch: InvitationBatch) -> None:
    """One queued invitation per official of the selection who can be invited, chunk by chunk."""
    window = timezone.now() - dt.timedelta(hours=settings.INVITATION_RESEND_WINDOW_HOURS)
    ids: list[int] = list(batch.selection)
    total = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            chunk = list(Official.objects.filter(pk__in=ids[start:start + BATCH], status=OfficialStatus.ACTIVE)
                         .only("pk", "employee_code", "full_name", "email", "phone_key", "status", "user_id"))
            accounts_ensure(officials=chunk)
            chunk_ids = [official.pk for official in chunk]
            recently = set(Invitation.objects.filter(
                official_id__in=chunk_ids, created_at__gte=window,
                status__in=(InvitationStatus.QUEUED, InvitationStatus.SENT)).values_list("official_id", flat=True))
            activated = set(Official.objects.filter(pk__in=chunk_ids).exclude(user__password__startswith="!")
                            .values_list("pk", flat=True))
            invitations = [Invitation(official=official, batch=batch, channel=batch.channel) for official in chunk
                           if official.pk not in recently and official.pk not in activated
                           and channel_address(official, batch.channel)]
            Invitation.objects.bulk_create(invitations, batch_size=BATCH)
            total += len(invitations)
            InvitationBatch.objects.filter(pk=batch.pk).update(total=total)
    batch.total, batch.skipped = total, len(ids) - total
    InvitationBatch.objects.filter(pk=batch.pk).update(total=batch.total, skipped=batch.skipped)


@task()
def send_invitation_batch(batch_id: int) -> int:
    return invitation_batch_send(batch_id=batch_id)


def invitation_batch_send(*, batch_id: int) -> int:
    """Send a batch's queued invitations, paced at INVITATION_SEND_RATE per second; returns how many went.

    The batch is claimed with a conditional UPDATE, so a second worker (or the same task run twice) finds
    nothing to do; each chunk is marked sent as soon as it has gone, so a rerun sends only what is left.
    """
    claimed = InvitationBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(
        status=BatchStatus.RUNNING)
    if not claimed:
        return 0
    batch = InvitationBatch.objects.get(pk=batch_id)
    channel = get_channel(batch.channel)
    pace = Pacer(settings.INVITATION_SEND_RATE)
    sent = failed = 0
    # The renderer switches language per official; the worker's own language is restored afterwards.
    with translation.override(settings.LANGUAGE_CODE):
        renderer = InvitationRenderer()
        try:
            if not batch.invitations.exists():
                _queue_invitations(batch)
            # The ids once, then chunks by id: "the next 100 queued, oldest first" would sort the whole
            # remaining batch at every chunk.
            ids = list(Invitation.objects.filter(batch_id=batch_id, status=InvitationStatus.QUEUED)
                       .order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), SEND_CHUNK):
                chunk = list(Invitation.objects.filter(pk__in=ids[start:start + SEND_CHUNK],
                                                       status=InvitationStatus.QUEUED).select_related("official"))
                for invitation in chunk:
                    pace.wait()
                    _send_one(invitation, channel, renderer)
                sent += _record_outcomes(chunk)
                failed += sum(invitation.status == InvitationStatus.FAILED for invitation in chunk)
                InvitationBatch.objects.filter(pk=batch_id).update(sent=sent, failed=failed)
        except Exception:
            InvitationBatch.objects.filter(pk=batch_id).update(status=BatchStatus.FAILED, finished_at=timezone.now())
            raise
    InvitationBatch.objects.filter(pk=batch_id).update(status=BatchStatus.DONE, finished_at=timezone.now(),
                                                       sent=sent, failed=failed)
    return sent


def _record_outcomes(chunk: list[Invitation]) -> int:
    """One UPDATE for the plain "sent" rows (most of them), one per row that carries a provider id or an
    error. Returns how many were sent."""
    plain = [i for i in chunk if i.status == InvitationStatus.SENT and not i.provider_message_id]
    if plain:
        Invitation.objects.filter(pk__in=[i.pk for i in plain]).update(status=InvitationStatus.SENT,
                                                                        sent_at=plain[0].sent_at)
    rest = [i for i in chunk if i not in plain]
    if rest:
        Invitation.objects.bulk_update(rest, ["status", "sent_at", "provider_message_id", "error"])
    return sum(invitation.status == InvitationStatus.SENT for invitation in chunk)


def _send_one(invitation: Invitation, channel: MessageChannel, renderer: InvitationRenderer | None = None) -> None:
    message = (renderer or InvitationRenderer()).message(invitation)
    try:
        invitation.provider_message_id = channel.send(message)[:100]
        invitation.status, invitation.sent_at, invitation.error = InvitationStatus.SENT, timezone.now(), ""
    except ChannelError as exc:
        invitation.status, invitation.error = InvitationStatus.FAILED, str(exc)[:300]


class Pacer:
    """At most ``rate`` calls of ``wait()`` per second (0: no limit)."""

    def __init__(self, rate: int):
        self.interval = 1 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=TOKEN_SALT)


def invitation_url(invitation: Invitation) -> str:
    return InvitationRenderer().url(invitation)


class InvitationRenderer:
    """Renders invitations one after another: the templates, the link's prefix and the expiry date are
    worked out once per batch (a city's roster is 100,000 messages), the language switched only on change."""

    def __init__(self) -> None:
        marker = "TOKEN"
        path = reverse("account_activate", kwargs={"token": marker})
        self.prefix, self.suffix = (settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path).split(marker)
        self.expires = timezone.localdate() + dt.timedelta(days=settings.INVITATION_VALID_DAYS)
        self.templates = {name: get_template(f"emails/{name}.txt")
                          for name in ("invitation_subject", "invitation", "invitation_sms")}

    def url(self, invitation: Invitation) -> str:
        return f"{self.prefix}{invitation_token(invitation)}{self.suffix}"

    def message(self, invitation: Invitation) -> Message:
        """The invitation in the official's language, for any channel: text for e-mail and SMS, named values
        for Zalo's pre-approved template."""
        official = invitation.official
        link = self.url(invitation)
        context = {"name": official.full_name, "employee_code": official.employee_code, "link": link,
                   "expires": self.expires, "site_name": settings.WAGTAIL_SITE_NAME,
                   "site_url": settings.WAGTAILADMIN_BASE_URL, "days": settings.INVITATION_VALID_DAYS}
        language = official.preferred_language or settings.LANGUAGE_CODE
        if translation.get_language() != language:
            translation.activate(language)
        subject = self.templates["invitation_subject"].render(context).strip()
        body = "invitation" if invitation.channel == Channel.EMAIL else "invitation_sms"
        text = self.templates[body].render(context).strip()
        return Message(subject=subject, text=text, email=official.email, phone=official.phone,
                       template="invitation", tracking_id=f"inv-{invitation.pk}",
                       template_data={"name": official.full_name, "employee_code": official.employee_code,
                                      "link": link, "expires": self.expires.strftime("%d/%m/%Y")})


def invitation_message(invitation: Invitation) -> Message:
    with translation.override(translation.get_language()):
        return InvitationRenderer().message(invitation)


# --- Activation -----------------------------------------------------------------------------------

VALID, INVALID, EXPIRED, USED, LEFT = "valid", "invalid", "expired", "used", "left"


@dataclass
class TokenCheck:
    problem: str  # VALID or what is wrong
    invitation: Invitation | None = None

    @property
    def ok(self) -> bool:
        return self.problem == VALID


def invitation_check(token: str) -> TokenCheck:
    """What the activation link is worth: the invitation, or why it cannot be used (and, when it is only
    out of date or used, the invitation still, so that a new one can be offered)."""
    max_age = dt.timedelta(days=settings.INVITATION_VALID_DAYS)
    expired = False
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired:
        pk, expired = signing.loads(token, salt=TOKEN_SALT), True
    except signing.BadSignature:
        return TokenCheck(INVALID)
    invitation = Invitation.objects.select_related("official", "official__user").filter(pk=pk).first()
    if invitation is None:
        return TokenCheck(INVALID)
    if invitation.official.status != OfficialStatus.ACTIVE:
        return TokenCheck(LEFT, invitation)
    if invitation.used_at is not None or is_activated(invitation.official.user):
        return TokenCheck(USED, invitation)
    return TokenCheck(EXPIRED if expired else VALID, invitation)


@transaction.atomic
def account_activate(*, invitation: Invitation, password: str) -> User:
    """Set the official's password and open their account; every link they were sent is used up."""
    official = Official.objects.select_for_update().get(pk=invitation.official_id)
    if official.user_id is None:
        accounts_ensure(officials=[official])
    if official.user is None:  # the username belongs to another official's account: nothing to activate
        raise ValueError("This official has no account to activate.")
    user = User.objects.select_for_update().get(pk=official.user.pk)
    if is_activated(user):
        raise ValueError("This account is already activated.")
    user.set_password(password)
    user.is_active = True
    user.email = user.email or official.email
    user.save(update_fields=["password", "is_active", "email"])
    now = timezone.now()
    Invitation.objects.filter(official=official, used_at__isnull=True).update(used_at=now,
                                                                               status=InvitationStatus.USED)
    audit_record(user=user, action=AuditAction.ACCOUNT, obj=official,
                 summary=audit_summary(gettext_noop("Account activated from an invitation")))
    return user


def invitation_renew(*, invitation: Invitation) -> Invitation | None:
    """A fresh link for someone whose link ran out, by the channel of the old one; None when one was
    sent a moment ago (a form pressed again and again must not flood anyone's phone)."""
    official = invitation.official
    recent = Invitation.objects.filter(official=official, created_at__gte=timezone.now() - RESEND_COOLDOWN,
                                       batch__isnull=True).exists()
    if recent or official.status != OfficialStatus.ACTIVE or is_activated(official.user):
        return None
    fresh = Invitation.objects.create(official=official, channel=invitation.channel)
    fresh.official = official
    _send_one(fresh, get_channel(fresh.channel))
    fresh.save(update_fields=["status", "sent_at", "provider_message_id", "error"])
    audit_record(user=None, action=AuditAction.INVITATION, obj=official,
                 summary=audit_summary(gettext_noop("New activation link on request")),
                 channel=fresh.channel, status=fresh.status)
    return fresh
