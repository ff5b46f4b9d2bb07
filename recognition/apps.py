from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = "Recognition"

    def ready(self):
        from core import home
        from recognition.home import panels
        from recognition.selectors import team_section
        from teams import pages

        home.register(panels, order=30)
        pages.register("recognition/team_section.html", team_section, order=10)
