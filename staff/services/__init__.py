"""Writes. Views, forms, commands and tasks call these; nothing else changes state.

Split by subject: organisation (units, officials), enrollment (seats, waiting list, approval, status
history), attendance (days, check-in, completion), certificates (issue, revoke, reissue).
"""

from .attendance import attendance_mark, attendance_self_checkin, enrollment_set_result, session_complete
from .certificates import (
    CertificateError,
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
    certificates_remind_expiring,
)
from .enrollment import (
    EnrollmentError,
    enrollment_approve,
    enrollment_cancel,
    enrollment_create,
    enrollment_reject,
    enrollments_nominate,
    offer_accept,
    offer_decline,
    offers_expire,
    overlapping_enrollments,
    reservation_set,
    session_recount_seats,
)
from .organisation import official_assign_unit, official_create, unit_succession_record

__all__ = [
    "CertificateError",
    "attendance_mark",
    "attendance_self_checkin",
    "certificate_issue",
    "certificate_reissue",
    "certificate_revoke",
    "certificates_remind_expiring",
    "enrollment_set_result",
    "session_complete",
    "EnrollmentError",
    "enrollment_approve",
    "enrollment_cancel",
    "enrollment_create",
    "enrollment_reject",
    "enrollments_nominate",
    "offer_accept",
    "offer_decline",
    "offers_expire",
    "official_assign_unit",
    "official_create",
    "overlapping_enrollments",
    "reservation_set",
    "session_recount_seats",
    "unit_succession_record",
]
