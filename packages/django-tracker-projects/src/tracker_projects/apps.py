from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackerProjectsConfig(AppConfig):
    name = "tracker_projects"
    label = "tracker_projects"
    verbose_name = "Tracker projects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registration)
        from .schedules import install_job_schedules

        post_migrate.connect(install_job_schedules, sender=self, dispatch_uid="tracker_projects.schedules")
