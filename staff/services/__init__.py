"""Writes. Views, forms, commands and tasks call these; nothing else changes state.

Split by subject: organisation (units, officials), enrollment (seats, waiting list, approval, status
history), attendance (days, check-in, completion), certificates (issue, revoke, reissue).
"""

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
