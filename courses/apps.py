from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        # The public pages' cache forgets on publish, move, delete and seat changes (courses/cache.py).
        from courses.cache import connect_signals

        connect_signals()
