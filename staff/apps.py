from django.apps import AppConfig

from staff.imports.limits import ensure_defusedxml


class StaffConfig(AppConfig):
    name = "staff"

    def ready(self) -> None:
        # Uploaded rosters are XML inside a zip: without defusedxml openpyxl would expand XML entity
        # bombs. Refuse to start rather than discover it on the first malicious upload.
        ensure_defusedxml()
        # Signal receivers: lockouts and second-factor events go to the audit log; the admin sidebar built
        # once per user (staff/admin/sidebar.py).
        from staff.admin import sidebar
        from staff.auth import lockout, two_factor  # noqa: F401
        from staff.exports import tasks  # noqa: F401  (a task given up fails its export job: task_finished)

        sidebar.install()
