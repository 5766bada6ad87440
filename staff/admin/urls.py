"""Every admin URL of ours, in one list by subject: what lives under ``/admin/classes/<pk>/`` is
registered here and nowhere else. Wagtail viewsets (officials, units, enrollments, certificates, …)
register their own URLs through ``staff.admin.menu``."""

from __future__ import annotations

from django.urls import path
from wagtail import hooks

from staff.admin import lockout, two_factor
from staff.admin.accounts import invitation_batch, invitation_batches, invitations_new
from staff.admin.attendance import (
    class_attendance,
    class_checkin_live,
    class_checkin_screen,
    class_complete,
    class_results,
    class_sign_in_sheet,
)
from staff.admin.certificates import class_certificates_download, class_certificates_print, print_job_status
from staff.admin.enrollment import (
    approvals,
    approvals_decide,
    class_participants,
    enrollment_decide_row,
    nominate,
    nominate_chosen,
    nominate_sessions,
)
from staff.admin.exports import export_job_download, export_jobs, official_record_download, training_records
from staff.admin.feedback import session_feedback, trainer_feedback
from staff.admin.imports import (
    class_attendance_import,
    class_attendance_sheet,
    officials_import,
    officials_import_job,
    officials_template,
)
from staff.admin.progress import export_job_status, import_job_status, invitation_batch_status
from staff.admin.replication import adoption_edit, adoption_list, replication_dashboard_view, replication_practice
from staff.admin.reporting import reform_report
from staff.admin.sessions import class_list, course_suggestions_view, session_suggestions_view


@hooks.register("register_admin_urls")
def register_urls() -> list:
    return [
        # Sessions (classes), their participants, approvals and nomination; attendance and completion
        path("classes/", class_list, name="staff_class_list"),
        path("classes/<int:pk>/", class_participants, name="staff_class_participants"),
        path("classes/<int:pk>/results/", class_results, name="staff_class_results"),
        path("classes/<int:pk>/complete/", class_complete, name="staff_class_complete"),
        path("classes/<int:pk>/attendance/<str:day>/", class_attendance, name="staff_class_attendance"),
        path("classes/<int:pk>/sign-in/<str:day>/", class_sign_in_sheet, name="staff_class_sign_in"),
        path("classes/<int:pk>/checkin/<str:day>/", class_checkin_screen, name="staff_class_checkin_screen"),
        path("classes/<int:pk>/checkin/<str:day>/live/", class_checkin_live, name="staff_class_checkin_live"),
        path("classes/<int:pk>/certificates/print/", class_certificates_print, name="staff_class_certificates_print"),
        path("enrollments/decide/", enrollment_decide_row, name="staff_enrollment_decide_row"),
        path("approvals/", approvals, name="staff_approvals"),
        # The enrollments list's searchable class and course filters (JSON, scoped, 20 at most)
        path("suggest/sessions/", session_suggestions_view, name="staff_session_suggestions"),
        path("suggest/courses/", course_suggestions_view, name="staff_course_suggestions"),
        path("approvals/decide/", approvals_decide, name="staff_approvals_decide"),
        path("nominate/", nominate_sessions, name="staff_nominate_sessions"),
        path("nominate/<int:pk>/", nominate, name="staff_nominate"),
        path("nominate/officials/", nominate_chosen, name="staff_nominate_chosen"),
        # Replication and feedback
        path("adoptions/", adoption_list, name="staff_adoption_list"),
        path("adoptions/new/", adoption_edit, name="staff_adoption_new"),
        path("adoptions/<int:pk>/", adoption_edit, name="staff_adoption_edit"),
        path("replication/", replication_dashboard_view, name="staff_replication"),
        path("replication/<int:pk>/", replication_practice, name="staff_replication_practice"),
        path("classes/<int:pk>/feedback/", session_feedback, name="staff_class_feedback"),
        path("trainers/<int:pk>/feedback/", trainer_feedback, name="staff_trainer_feedback"),
        # Exports and the yearly report
        path("officials/<int:pk>/record.<str:fmt>", official_record_download, name="staff_official_record"),
        path("exports/training-records/", training_records, name="staff_export_training_records"),
        path("exports/reform-report/", reform_report, name="staff_reform_report"),
        path("exports/mine/", export_jobs, name="staff_export_jobs"),
        path("exports/mine/<int:pk>/download/", export_job_download, name="staff_export_job_download"),
        path("exports/mine/<int:pk>/", print_job_status, name="staff_export_job"),
        path("exports/mine/<int:pk>/status/", export_job_status, name="staff_export_job_status"),
        path("exports/mine/<int:pk>/certificates.pdf", class_certificates_download, name="staff_export_job_pdf"),
        # Accounts: invitations, lockouts, second factors
        path("invitations/", invitation_batches, name="staff_invitation_batches"),
        path("invitations/new/", invitations_new, name="staff_invitations_new"),
        path("invitations/<int:pk>/", invitation_batch, name="staff_invitation_batch"),
        path("invitations/<int:pk>/status/", invitation_batch_status, name="staff_invitation_batch_status"),
        path("security/lockouts/", lockout.lockouts, name="staff_lockouts"),
        path("security/lockouts/unlock/", lockout.lockout_unlock, name="staff_lockout_unlock"),
        path("security/two-factor/", two_factor.two_factor_list, name="staff_two_factor_list"),
        path("security/two-factor/<int:user_id>/reset/", two_factor.two_factor_reset, name="staff_two_factor_reset"),
        # Imports
        path("roster-import/", officials_import, name="staff_officials_import"),
        path("roster-import/template/", officials_template, name="staff_officials_template"),
        path("roster-import/jobs/<int:pk>/", officials_import_job, name="staff_officials_import_job"),
        path("roster-import/jobs/<int:pk>/status/", import_job_status, name="staff_officials_import_job_status"),
        path("classes/<int:pk>/import-attendance/", class_attendance_import, name="staff_class_attendance_import"),
        path("classes/<int:pk>/attendance-sheet/", class_attendance_sheet, name="staff_class_attendance_sheet"),
    ]
