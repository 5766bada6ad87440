"""Writes. Views, forms, commands and tasks call these; nothing else changes state.

Split by subject: organisation (units, officials), enrollment (seats, waiting list, status history).
"""

from .enrollment import (
    EnrollmentError,
    enrollment_cancel,
    enrollment_create,
    session_recount_seats,
)
from .organisation import official_assign_unit, official_create, unit_succession_record

__all__ = [
    "EnrollmentError",
    "enrollment_cancel",
    "enrollment_create",
    "official_assign_unit",
    "official_create",
    "session_recount_seats",
    "unit_succession_record",
]
