from django.apps import AppConfig


class PlaybookConfig(AppConfig):
    name = "playbook"
    verbose_name = "Playbook"

    def ready(self):
        from core import home
        from playbook.home import panels

        home.register(panels, order=20)
