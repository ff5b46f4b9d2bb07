from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


class BatonConfig(AppConfig):
    name = "config"
    label = "baton"
    verbose_name = "Baton"

    def ready(self):
        from config.scheduler import ensure_scheduled_jobs

        post_migrate.connect(ensure_scheduled_jobs, sender=self)

        from django.contrib.auth import get_user_model

        from config.audit import record_group_change

        m2m_changed.connect(record_group_change, sender=get_user_model().groups.through)
