"""Plain factory functions for tests: explicit arguments, synthetic data, no extra dependency."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import User
from django.utils import timezone

from courses.models import CatalogPage, ContentGroup, CoursePage, CourseSession, FieldOfWork, HomePage, SessionMode
from staff.models import (
    Category,
    Enrollment,
    EnrollmentStatus,
    Gender,
    Official,
    Role,
    RoleAssignment,
    Unit,
    UnitKind,
)
from staff.services.enrollment import session_recount_seats
from staff.services.people import official_assign_unit

_seq = itertools.count(1)


def unit(code: str, *, name: str | None = None, parent: Unit | None = None, kind: str = UnitKind.WARD,
         valid_from: dt.date | None = None, valid_to: dt.date | None = None) -> Unit:
    return Unit.objects.create(code=code, name=name or f"Đơn vị {code}", kind=kind, parent=parent,
                               valid_from=valid_from, valid_to=valid_to)


def official(*, unit: Unit, name: str | None = None, since: dt.date = dt.date(2020, 1, 1), **fields) -> Official:
    number = next(_seq)
    person = Official.objects.create(
        employee_code=fields.pop("employee_code", f"T{number:06d}"),
        full_name=name or f"Nguyễn Văn Thử {number}",
        gender=fields.pop("gender", Gender.MALE),
        category=fields.pop("category", Category.CIVIL_SERVANT),
        **fields,
    )
    official_assign_unit(official=person, unit=unit, start=since)
    person.refresh_from_db()
    return person


def user(username: str, *, role: str | None = None, unit: Unit | None = None, **fields) -> User:
    account = User.objects.create_user(username=username, password="pw-for-tests-only", **fields)
    if role:
        account.is_staff = True
        account.save(update_fields=["is_staff"])
        RoleAssignment.objects.create(user=account, role=role, unit=unit)
        # Every staff role works in the Wagtail admin; further permissions are up to each test.
        from django.contrib.auth.models import Permission

        account.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin",
                                                            codename="access_admin"))
    return account


def content_group(code: str = "khcn-so", name: str = "Khoa học, công nghệ, đổi mới sáng tạo và kỹ năng số"):
    return ContentGroup.objects.get_or_create(code=code, defaults={"name": name})[0]


def field_of_work(code: str = "dat-dai", name: str = "Đất đai"):
    return FieldOfWork.objects.get_or_create(code=code, defaults={"name": name})[0]


def catalog() -> CatalogPage:
    from wagtail.models import Site

    from courses.services import site_root_ensure

    existing = CatalogPage.objects.first()
    if existing:
        return existing
    root = site_root_ensure()
    home = root.add_child(instance=HomePage(title="Trang chủ", slug="trang-chu-test"))
    Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "localhost", "root_page": home})
    return home.add_child(instance=CatalogPage(title="Danh mục khóa học", slug="khoa-hoc"))


def course(*, title: str, organizer: Unit, group: ContentGroup | None = None, periods: int = 16,
           field=None, parent: CatalogPage | None = None, **fields) -> CoursePage:
    page = CoursePage(title=title, summary=fields.pop("summary", f"Tóm tắt: {title}"), periods=periods,
                      content_group=group or content_group(), organizer=organizer, field_of_work=field, **fields)
    (parent or catalog()).add_child(instance=page)
    return page


def session(*, course: CoursePage, start: dt.date | None = None, days: int = 2, capacity: int = 30,
            mode: str = SessionMode.IN_PERSON, **fields) -> CourseSession:
    start = start or timezone.localdate() + dt.timedelta(days=10)
    online = {"online_url": "https://hop.example.invalid/x"} if mode != SessionMode.IN_PERSON else {}
    return CourseSession.objects.create(course=course, start_date=start, end_date=start + dt.timedelta(days=days - 1),
                                        capacity=capacity, mode=mode, **online, **fields)


def enrollment(*, official: Official, session: CourseSession, status: str = EnrollmentStatus.CONFIRMED,
               unit: Unit | None = None, **fields) -> Enrollment:
    row = Enrollment.objects.create(official=official, session=session, unit=unit or official.unit, status=status,
                                    **fields)
    # Rows written directly, not through the services: keep the session's seat counters true as they would be.
    session_recount_seats(sessions=CourseSession.objects.filter(pk=session.pk))
    return row


def certificate(*, enrollment: Enrollment, expires_on: dt.date | None = None, **fields):
    """A valid certificate for ``enrollment``, with a synthetic serial and verification code."""
    from staff.models import Certificate

    number = next(_seq)
    session = enrollment.session
    course = session.course
    return Certificate.objects.create(
        enrollment=enrollment, official=enrollment.official, organizer=fields.pop("organizer", course.organizer),
        year=fields.pop("year", session.end_date.year), number=number,
        serial=fields.pop("serial", f"{number:05d}/{session.end_date.year}/TEST"),
        verification_code=fields.pop("verification_code", f"code{number:08d}"),
        credential_type=fields.pop("credential_type", course.credential_type), course_title=course.title,
        periods=course.periods, start_date=session.start_date, end_date=session.end_date,
        issued_on=fields.pop("issued_on", session.end_date), expires_on=expires_on, **fields,
    )


def completed_enrollment(*, official: Official, session: CourseSession, periods_earned: int | None = None,
                         **fields) -> Enrollment:
    return enrollment(official=official, session=session, status=EnrollmentStatus.COMPLETED,
                      periods_earned=periods_earned, completed_on=session.end_date, **fields)


def issued_certificate(*, enrollment: Enrollment, issued_on: dt.date | None = None, by: User | None = None):
    """A certificate issued through the service, as in real use: numbered, coded, copied from the course."""
    from staff.services.certificates import certificate_issue

    return certificate_issue(enrollment=enrollment, by=by, issued_on=issued_on)


__all__ = ["unit", "official", "user", "course", "session", "enrollment", "catalog", "content_group",
           "field_of_work", "certificate", "completed_enrollment", "issued_certificate", "Role"]


# --- Best practices and exchanges (tests/courses/test_practices.py) ---------------------------------


def practice_index():
    """The best-practice index under the test home page (slug "mo-hinh-hay", as in the demo)."""
    from courses.models import PracticeIndexPage

    existing = PracticeIndexPage.objects.first()
    if existing:
        return existing
    home = catalog().get_parent()
    return home.add_child(instance=PracticeIndexPage(title="Mô hình hay", slug="mo-hinh-hay"))


def best_practice(*, title: str, unit: Unit, field=None, tags: tuple[str, ...] = (),
             indicators: tuple[tuple[str, float, float], ...] = (), **fields):
    """A published best practice; ``indicators`` are (name, before, after)."""
    from courses.models import BestPracticePage, PracticeIndicator

    page = BestPracticePage(title=title, summary=fields.pop("summary", f"Tóm tắt: {title}"), originating_unit=unit,
                            field_of_work=field,
                            problem=fields.pop("problem", "<p>Người dân phải đi lại nhiều lần.</p>"), **fields)
    page.indicators = [PracticeIndicator(name=name, before=before, after=after, unit_of_measure="%")
                       for name, before, after in indicators]
    page.tags.add(*tags)
    practice_index().add_child(instance=page)
    return page


def exchange_page(*, title: str, host: Unit, practices=(), invited=(), seats_per_unit: int = 0, **fields):
    """A published exchange page in the catalog, showing ``practices`` to ``invited`` units."""
    from courses.models import ExchangePage

    page = ExchangePage(title=title, summary=fields.pop("summary", f"Tóm tắt: {title}"), periods=4,
                        content_group=content_group(), organizer=host, host_unit=host,
                        seats_per_invited_unit=seats_per_unit, **fields)
    page.practices = list(practices)
    page.invited_units = list(invited)
    catalog().add_child(instance=page)
    return page


def adoption(*, practice, unit: Unit, status: str, since: dt.date | None = None, **fields):
    from staff.models import Adoption

    return Adoption.objects.create(practice=practice, unit=unit, status=status,
                                   since=since or timezone.localdate(), **fields)


# --- Best practices, exchanges, trainers (replication and feedback tests) ------------------------------


def practice(*, title: str, originating_unit: Unit, field=None, **fields):
    """A live best-practice page (``best_practice`` under the name the replication tests use)."""
    return best_practice(title=title, unit=originating_unit, field=field, **fields)


def exchange(*, title: str, organizer: Unit, host_unit: Unit | None = None, practices=(), periods: int = 4,
             **fields):
    """A live exchange page (sharing session) in the catalog, showing ``practices``."""
    from courses.models import CredentialType, ExchangePage, ProgrammeType

    page = ExchangePage(title=title, summary=f"Tóm tắt: {title}", periods=periods, content_group=content_group(),
                        organizer=organizer, host_unit=host_unit or organizer,
                        programme_type=fields.pop("programme_type", ProgrammeType.EXCHANGE),
                        credential_type=fields.pop("credential_type", CredentialType.ATTENDANCE), **fields)
    catalog().add_child(instance=page)
    if practices:
        page.practices.set(practices)
        page.save()
    return page


def trainer(name: str, **fields):
    from courses.models import Trainer

    return Trainer.objects.create(name=name, **fields)


def grant_all(user: User) -> None:
    """Every permission of the project's apps and the admin: scope alone must then keep the user out."""
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["staff", "courses",
                                                                                       "wagtailadmin"]))
