from django.urls import reverse

from config.home import Panel
from teams.roles import is_governance


def panels(request):
    panels = [
        Panel(
            title="Your playbook review tasks",
            empty="No quarterly review task is assigned to you.",
            link=(reverse("playbook:index"), "Read the playbook"),
        )
    ]
    if is_governance(request.user):
        panels.insert(
            0,
            Panel(
                title="Revisions awaiting your approval",
                empty="No playbook revision is waiting for approval.",
                link=(reverse("playbook:index"), "Go to the playbook"),
            ),
        )
    return panels
