"""Demo feedback: the answers of a held class's first participants, with varied ratings and comments."""

from __future__ import annotations

from courses.models import CourseSession
from staff.models import Enrollment, EnrollmentStatus, Feedback

# content, trainer, organisation, usefulness; given in turn, with the comment of the same place
RATINGS = [(5, 5, 4, 5), (4, 5, 4, 4), (5, 4, 5, 5), (3, 4, 3, 4), (4, 4, 4, 5), (5, 5, 5, 5)]
COMMENTS = ["Cách làm rất thiết thực, phường tôi muốn áp dụng ngay.", "Cần thêm mẫu biểu để tham khảo.",
            "Buổi đi thực tế rất bổ ích.", "Thời gian hơi ngắn.", "", "Báo cáo viên nhiệt tình, dễ hiểu."]
RESPONSES = 12  # how many of the completed participants answered


def seed_feedback(session: CourseSession) -> None:
    """The first completed participants of ``session`` (by enrollment) answer, those who have not yet."""
    completed = list(Enrollment.objects.filter(session=session, status=EnrollmentStatus.COMPLETED).order_by("pk"))
    answered = set(Feedback.objects.filter(enrollment__session=session).values_list("enrollment_id", flat=True))
    Feedback.objects.bulk_create(
        _answer(row, n) for n, row in enumerate(completed[:RESPONSES]) if row.pk not in answered)


def _answer(enrollment: Enrollment, n: int) -> Feedback:
    content, trainer, organisation, usefulness = RATINGS[n % len(RATINGS)]
    return Feedback(enrollment=enrollment, content=content, trainer=trainer, organisation=organisation,
                    usefulness=usefulness, comment=COMMENTS[n % len(COMMENTS)])
