from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and scale data: `seed_demo` (make run) and `seed_scale` (make bench). Nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
