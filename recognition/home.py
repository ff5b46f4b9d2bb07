from django.urls import reverse

from core.home import Panel
from recognition.models import Recognition


def panels(request):
    latest = list(Recognition.objects.visible().select_related("team", "person")[:5])
    return [
        Panel(
            title="Recent recognition",
            items=[(f"{r.recipient_name}: {r.get_category_display()}", r.get_absolute_url(), "") for r in latest],
            empty="No recognitions yet. Saw a team own an escalation well? Say so on the board.",
            link=(reverse("recognition:index"), "Recognition board"),
        )
    ]
