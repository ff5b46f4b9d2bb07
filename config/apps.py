from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BatonConfig(AppConfig):
    name = "config"
    label = "baton"
    verbose_name = "Baton"

    def ready(self):
        from config.scheduler import ensure_scheduled_jobs

        post_migrate.connect(ensure_scheduled_jobs, sender=self)
