from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_role_groups(sender, **kwargs):
    from teams.roles import ensure_role_groups

    ensure_role_groups()


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams"

    def ready(self):
        # The data migration creates the role groups; this keeps them after a
        # database flush too (flush re-runs post_migrate, not migrations).
        post_migrate.connect(_ensure_role_groups, sender=self)
