from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from recognition.selectors import board
from teams.selectors import teams_with_members


@require_safe
def team_list(request):
    return render(request, "teams/team_list.html", {"teams": teams_with_members()})


@require_safe
def team_detail(request, slug):
    team = get_object_or_404(teams_with_members(), slug=slug)
    recognitions = board(request.user, {"team": team.slug})[:50]
    return render(request, "teams/team_detail.html", {"team": team, "recognitions": recognitions})
