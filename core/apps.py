from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


def _ensure_role_groups(sender, **kwargs):
    from core.roles import ensure_role_groups

    ensure_role_groups()


class BatonConfig(AppConfig):
    name = "core"
    label = "baton"
    verbose_name = "Baton"

    def ready(self):
        # App code is not importable when this module is imported (the app registry is not ready).
        from django.contrib.auth import get_user_model

        from core.audit import record_group_change
        from core.scheduler import ensure_scheduled_jobs

        post_migrate.connect(ensure_scheduled_jobs, sender=self)
        # teams' migration creates the role groups; this keeps them after a database flush
        # too (flush re-runs post_migrate, not migrations).
        post_migrate.connect(_ensure_role_groups, sender=self)
        m2m_changed.connect(record_group_change, sender=get_user_model().groups.through)
