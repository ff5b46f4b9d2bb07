from django.urls import reverse

from config.home import Panel
from teams.roles import is_facilitator


def panels(request):
    panels = [
        Panel(
            title="Reviews waiting for your scores",
            empty="Nothing to score. When a facilitator invites you to a review, it shows up here.",
            link=(reverse("reviews:index"), "All reviews"),
        ),
        Panel(
            title="Your open action items",
            empty="No action items are assigned to you.",
        ),
    ]
    if is_facilitator(request.user):
        panels.insert(
            0,
            Panel(
                title="Reviews you facilitate",
                empty="You are not running a review. After an escalation, start one from Reviews.",
                link=(reverse("reviews:index"), "Go to reviews"),
            ),
        )
    return panels
