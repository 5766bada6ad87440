"""staff's models, one module per subject; import them from here (``from staff.models import Enrollment``).

accounts.py      sign-in invitations of officials and their batches
organisation.py  units with validity dates and successions, roles users hold in them
people.py        officials, their ranks and dated unit assignments
enrollment.py    enrollments, seats reserved per unit, the status history
attendance.py    attendance per class day
certificates.py  certificates and their per-organizer serial counters, expiry reminders
calendars.py     each official's calendar feed token
replication.py   adoptions of best practices, their history and results
feedback.py      participants' feedback on a session
compliance.py    the yearly training rule, units' training plans
audit.py         the audit log
exports.py       background export jobs
imports.py       background roster import jobs
"""

from courses.models import AdoptionStatus  # the adoption stages are the practice's vocabulary

from .accounts import BatchStatus, Channel, Invitation, InvitationBatch, InvitationStatus
from .attendance import Attendance, AttendanceMethod
from .audit import AuditAction, AuditEntry
from .calendars import CalendarFeed
from .certificates import Certificate, CertificateReminder, CertificateSerial, CertificateStatus
from .compliance import TrainingPlan, TrainingRequirement
from .enrollment import (
    ACTIVE_STATUSES,
    AWAITING_APPROVAL,
    CANCELLABLE_STATUSES,
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Result,
    SeatReservation,
)
from .exports import ExportJob, ExportStatus
from .feedback import Feedback
from .imports import ImportJob, ImportStage, ImportStatus
from .organisation import UNIT_CODE_RE, Role, RoleAssignment, SuccessionKind, Unit, UnitKind, UnitSuccession
from .people import MAJORITY_ETHNICITY, AccountState, Category, Gender, Official, OfficialStatus, Rank, UnitAssignment
from .replication import Adoption, AdoptionEvent, AdoptionResult

__all__ = [
    "ACTIVE_STATUSES", "AWAITING_APPROVAL", "AccountState", "CANCELLABLE_STATUSES", "MAJORITY_ETHNICITY",
    "SEAT_HOLDING_STATUSES",
    "UNIT_CODE_RE", "Adoption", "AdoptionEvent", "AdoptionResult", "AdoptionStatus", "Attendance",
    "AttendanceMethod", "AuditAction", "BatchStatus", "Channel", "Invitation", "InvitationBatch", "InvitationStatus",
    "AuditEntry", "CalendarFeed", "Category", "Certificate",
    "CertificateReminder", "CertificateSerial", "CertificateStatus", "Enrollment", "EnrollmentEvent",
    "EnrollmentStatus", "ExportJob", "ExportStatus", "Feedback", "Gender", "ImportJob", "ImportStage",
    "ImportStatus", "Official", "OfficialStatus", "Rank",
    "Result", "Role", "RoleAssignment", "SeatReservation", "SuccessionKind", "TrainingPlan", "TrainingRequirement",
    "Unit", "UnitAssignment", "UnitKind", "UnitSuccession",
]
