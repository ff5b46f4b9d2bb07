from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams"

    def ready(self):
        from core import home
        from teams.home import panels

        home.register(panels, order=40)
