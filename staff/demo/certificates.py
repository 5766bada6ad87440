"""Demo certificates: issued for the completed classes, and the role groups' permissions to see them."""

from __future__ import annotations

from django.contrib.auth.models import Group

from courses.models import CredentialType
from staff.demo.organisation import GROUP_NAMES, permission_named
from staff.models import Certificate, CertificateStatus, Enrollment, EnrollmentStatus, Role
from staff.services.certificates import certificate_issue

# The role groups also see certificates; organizers and the city's HR may revoke and reissue them.
CERTIFICATE_PERMISSIONS = {
    Role.CITY_HR: ["staff.view_certificate", "staff.change_certificate"],
    Role.UNIT_HR: ["staff.view_certificate"],
    Role.ORGANIZER: ["staff.view_certificate", "staff.change_certificate"],
}


def seed_certificates() -> None:
    """Certificates for the completed enrollments, issued on the last day of their class, and the
    permissions to see them. ``certificate_issue`` returns an existing valid certificate, so a second
    run adds nothing; nobody is mailed for this back-filled history."""
    for role, dotted_names in CERTIFICATE_PERMISSIONS.items():
        group = Group.objects.get(name=GROUP_NAMES[role])
        group.permissions.add(*(permission_named(dotted) for dotted in dotted_names))
    pending = (
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED)
        .exclude(session__course__credential_type=CredentialType.ATTENDANCE)
        .exclude(pk__in=Certificate.objects.filter(status=CertificateStatus.VALID).values("enrollment"))
        .select_related("session").order_by("session__end_date", "pk")
    )
    for enrollment in pending:
        issued_on = enrollment.completed_on or enrollment.session.end_date
        certificate_issue(enrollment=enrollment, by=None, issued_on=issued_on, send_notification=False)
