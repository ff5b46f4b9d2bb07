from django.urls import reverse

from core.home import Panel
from teams.selectors import user_teams


def panels(request):
    teams = list(user_teams(request.user))
    return [
        Panel(
            title="Your teams",
            items=[(team.name, team.get_absolute_url(), "") for team in teams],
            empty="You are not in a team yet. An administrator adds people to teams in the admin.",
            link=(reverse("teams:list"), "All teams"),
        )
    ]
