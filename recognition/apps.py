from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = "Recognition"

    def ready(self):
        from core import home
        from recognition.home import panels

        home.register(panels, order=30)
