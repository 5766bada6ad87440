"""The catalog's models, split by subject; import them from here (``from courses.models import CoursePage``).

reference.py  the data editors keep (legal documents, content groups, fields, skills, trainers) and the
              vocabularies of courses (credential and programme types, approval policies, modes)
pages.py      HomePage, CatalogPage, TrainingPage → CoursePage / WorkshopPage / ExchangePage
sessions.py   CourseSession, a plain model with a foreign key to its page
practices.py  best practices: the index, practice pages with indicators and tags, adoption stages
"""

from .pages import CatalogPage, CoursePage, ExchangePage, HomePage, TrainingPage, WorkshopPage
from .practices import AdoptionStatus, BestPracticePage, PracticeIndexPage, PracticeIndicator, PracticeTag
from .reference import (
    CATEGORY_CHOICES,
    ApprovalPolicy,
    ContentGroup,
    CredentialType,
    FieldOfWork,
    LegalDocument,
    MultipleChoiceJSONField,
    ProgrammeType,
    SessionMode,
    Skill,
    Trainer,
    WorkshopKind,
)
from .sessions import CourseSession

__all__ = [
    "AdoptionStatus",
    "ApprovalPolicy",
    "BestPracticePage",
    "CATEGORY_CHOICES",
    "CatalogPage",
    "ContentGroup",
    "CoursePage",
    "CourseSession",
    "CredentialType",
    "ExchangePage",
    "FieldOfWork",
    "HomePage",
    "LegalDocument",
    "MultipleChoiceJSONField",
    "PracticeIndexPage",
    "PracticeIndicator",
    "PracticeTag",
    "ProgrammeType",
    "SessionMode",
    "Skill",
    "Trainer",
    "TrainingPage",
    "WorkshopKind",
    "WorkshopPage",
]
