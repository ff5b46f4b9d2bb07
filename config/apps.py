from django.apps import AppConfig


class BatonConfig(AppConfig):
    name = "config"
    label = "baton"
    verbose_name = "Baton"
