"""Reads for feedback: aggregates per session, course and trainer, comments above a threshold."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Aggregate, Avg, Count, Q, QuerySet

from staff.models import Feedback
from staff.services.feedback import RATING_LABELS, RATING_NAMES

# Trainers see comments only from this many responses up, so that a single comment cannot be attributed.
MIN_RESPONSES_FOR_COMMENTS = 3


def _feedback_aggregates() -> dict[str, Aggregate]:
    aggregates: dict[str, Aggregate] = {"responses": Count("pk")}
    for name in RATING_NAMES:
        aggregates[f"{name}_avg"] = Avg(name)
        for value in range(1, 6):
            aggregates[f"{name}_{value}"] = Count("pk", filter=Q(**{name: value}))
    return aggregates


@dataclass
class RatingSummary:
    name: str
    label: str
    average: float | None
    distribution: list[int]  # responses giving 1, 2, 3, 4, 5


@dataclass
class FeedbackSummary:
    """Averages, response count and distribution for one course, session or trainer: no identity."""

    key: int | None
    label: str
    responses: int
    ratings: list[RatingSummary]


def _summary(row: dict, key: int | None, label: str) -> FeedbackSummary:
    ratings = [RatingSummary(name=name, label=str(RATING_LABELS[name]), average=(round(float(row[f"{name}_avg"]), 2)
                                                 if row[f"{name}_avg"] is not None else None),
                             distribution=[row[f"{name}_{value}"] for value in range(1, 6)])
               for name in RATING_NAMES]
    return FeedbackSummary(key=key, label=label, responses=row["responses"], ratings=ratings)


def feedback_summary(feedback: QuerySet[Feedback]) -> FeedbackSummary:
    return _summary(feedback.aggregate(**_feedback_aggregates()), None, "")


def feedback_by(feedback: QuerySet[Feedback], *, key: str, label: str) -> list[FeedbackSummary]:
    """One summary per value of ``key`` (a session, a course, a trainer), from one GROUP BY query."""
    rows = feedback.values(key, label).annotate(**_feedback_aggregates()).order_by(label, key)
    return [_summary(row, row[key], row[label] or "") for row in rows if row[key] is not None]


def feedback_by_session(feedback: QuerySet[Feedback]) -> list[FeedbackSummary]:
    return feedback_by(feedback, key="enrollment__session_id", label="enrollment__session__code")


def feedback_by_course(feedback: QuerySet[Feedback]) -> list[FeedbackSummary]:
    return feedback_by(feedback, key="enrollment__session__course_id", label="enrollment__session__course__title")


def feedback_by_trainer(feedback: QuerySet[Feedback]) -> list[FeedbackSummary]:
    """Per trainer across their sessions: a response counts for every trainer of its session."""
    return feedback_by(feedback, key="enrollment__session__trainers", label="enrollment__session__trainers__name")


def feedback_comments(feedback: QuerySet[Feedback], *, minimum: int = 0) -> list[str]:
    """The non-empty comments as bare text, ordered by their text (never by time or enrollment, which could
    be matched against a roster); none at all below ``minimum`` responses."""
    if minimum and feedback.count() < minimum:
        return []
    return list(feedback.exclude(comment="").order_by("comment").values_list("comment", flat=True))
