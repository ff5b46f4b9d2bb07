from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self):
        # The SQLite percentile aggregate must exist on every connection, including
        # any opened before the figures module was first imported.
        from django.db import connections

        from insights import figures

        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                figures._register_sqlite_functions(None, connection)
