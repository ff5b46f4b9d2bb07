from django.urls import reverse

from config.home import Panel


def panels(request):
    return [
        Panel(
            title="Recent recognition",
            empty="No recognitions yet. Saw a team own an escalation well? Say so on the board.",
            link=(reverse("recognition:index"), "Recognition board"),
        )
    ]
