from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from core.audit import register_subject_guard
        from reviews.policy import hidden_audit_events

        register_subject_guard(hidden_audit_events)

        from core import home
        from reviews.home import panels

        home.register(panels, order=10)
