from django.apps import AppConfig


class TrainingSiteConfig(AppConfig):
    """The project package as an app: what running the service on several hosts needs (training_site/ops).

    Listed first in INSTALLED_APPS, so that its ``db_worker`` (with leases: training_site/ops/workers.py)
    replaces django-tasks-db's command of the same name.
    """

    name = "training_site"
    verbose_name = "Vận hành"
