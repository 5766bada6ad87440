"""staff's models, split by subject: the organisation and its people, enrollment, certificates."""

from .certificates import Certificate, CertificateReminder, CertificateSerial, CertificateStatus
from .enrollment import (
    ACTIVE_STATUSES,
    AWAITING_APPROVAL,
    CANCELLABLE_STATUSES,
    SEAT_HOLDING_STATUSES,
    Attendance,
    AttendanceMethod,
    CalendarFeed,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Result,
    SeatReservation,
)
from .exchange import Adoption, AdoptionEvent, AdoptionResult, AdoptionStatus, Feedback
from .hr import AuditAction, AuditEntry, ExportJob, ExportStatus, TrainingPlan, TrainingRequirement
from .organisation import (
    MAJORITY_ETHNICITY,
    UNIT_CODE_RE,
    Category,
    Gender,
    Official,
    OfficialStatus,
    Rank,
    Role,
    RoleAssignment,
    SuccessionKind,
    Unit,
    UnitAssignment,
    UnitKind,
    UnitSuccession,
)

__all__ = [
    "ACTIVE_STATUSES", "AWAITING_APPROVAL", "CANCELLABLE_STATUSES", "MAJORITY_ETHNICITY", "SEAT_HOLDING_STATUSES",
    "UNIT_CODE_RE", "Attendance", "AttendanceMethod", "CalendarFeed", "Category", "Certificate",
    "CertificateReminder", "CertificateSerial", "CertificateStatus", "Enrollment", "EnrollmentEvent",
    "EnrollmentStatus", "Gender",
    "Official", "OfficialStatus", "Rank", "Result", "Role", "RoleAssignment", "SeatReservation", "SuccessionKind",
    "Unit", "UnitAssignment", "UnitKind", "UnitSuccession",
    "Adoption", "AdoptionEvent", "AdoptionResult", "AdoptionStatus", "Feedback",
    "AuditAction", "AuditEntry", "ExportJob", "ExportStatus", "TrainingPlan", "TrainingRequirement",
]
