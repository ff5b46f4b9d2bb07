from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        # The review page shows where each imported fact came from (reviews/provenance.py).
        from integrations import provenance
        from reviews import provenance as review_provenance

        review_provenance.register(provenance.for_incident)
