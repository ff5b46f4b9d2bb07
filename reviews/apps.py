from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        # The SQLite percentile aggregate must exist on every connection, including
        # any opened before the insights module was first imported.
        from django.db import connections

        from reviews import insights

        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                insights._register_sqlite_functions(None, connection)

        from core.audit import register_subject_guard
        from reviews.policy import hidden_audit_events

        register_subject_guard(hidden_audit_events)

        from core import home
        from reviews.home import panels

        home.register(panels, order=10)
