from rest_framework import serializers, viewsets

from teams.models import Membership, Team
from teams.selectors import teams_with_members


class MemberSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="user.id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "name", "is_lead"]


class TeamSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)
    members = MemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "slug", "description", "member_count", "members"]


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """Teams and their members (read-only; teams are managed in the admin)."""

    serializer_class = TeamSerializer
    queryset = teams_with_members().order_by("name")
    filterset_fields = ["slug"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "member_count"]
    lookup_field = "slug"
