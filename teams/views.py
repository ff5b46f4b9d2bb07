from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from teams.pages import sections_for
from teams.selectors import teams_with_members


@require_safe
def team_list(request):
    return render(request, "teams/team_list.html", {"teams": teams_with_members()})


@require_safe
def team_detail(request, slug):
    team = get_object_or_404(teams_with_members(), slug=slug)
    return render(request, "teams/team_detail.html", {"team": team, "sections": sections_for(request, team)})
