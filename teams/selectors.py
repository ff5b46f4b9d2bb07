from django.db.models import Count, Prefetch

from teams.models import Membership, Team


def teams_with_members():
    """Teams with their member count and members, in a constant number of queries."""
    return Team.objects.annotate(member_count=Count("memberships", distinct=True)).prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user").order_by("user__username"))
    )


def user_teams(user):
    return Team.objects.filter(memberships__user=user).order_by("name")
