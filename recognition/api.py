"""/api/recognitions/: the same services and rules as the board."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.fields import SlugRelatedField
from recognition import policy, selectors, services
from recognition.filters import RecognitionFilter
from recognition.models import Category, Recognition
from reviews.models import Review
from teams.models import Team

User = get_user_model()


class RecognitionSerializer(serializers.ModelSerializer):
    team = SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True)
    person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    # An unknown id and one of a review the author cannot open get the same answer (the service's).
    review = serializers.PrimaryKeyRelatedField(
        queryset=Review.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "You cannot refer to that review."},
    )
    author = serializers.CharField(source="author.get_username", read_only=True)
    category = serializers.ChoiceField(choices=Category.choices)
    message = serializers.CharField(max_length=services.MAX_MESSAGE)
    seconded_by = serializers.SerializerMethodField()

    class Meta:
        model = Recognition
        fields = ["id", "team", "person", "category", "message", "review", "author", "created_at", "seconded_by"]
        read_only_fields = ["id", "author", "created_at", "seconded_by"]

    def get_seconded_by(self, recognition) -> list[str]:
        return [second.user.get_username() for second in recognition.seconds.all()]

    def to_representation(self, recognition):
        """``review`` is null for a reader who may not see that review."""
        data = super().to_representation(recognition)
        if not policy.can_see_review(self.context["request"].user, recognition):
            data["review"] = None
        return data


class HideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class RecognitionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The board: newest first; filter with ?team=<slug>, ?category=, ?quarter=2026-Q4."""

    lookup_value_regex = r"\d+"

    serializer_class = RecognitionSerializer
    queryset = Recognition.objects.none()
    filterset_class = RecognitionFilter

    def get_queryset(self):
        return selectors.board(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.recognition_give(
            self.request.user,
            category=data["category"],
            message=data["message"],
            team=data.get("team"),
            person=data.get("person"),
            review=data.get("review"),
        )

    @extend_schema(request=None, responses={201: RecognitionSerializer}, summary="Second a recognition (once)")
    @action(detail=True, methods=["post"])
    def second(self, request, pk=None):
        recognition = self.get_object()
        services.recognition_second(request.user, recognition)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=recognition.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=HideSerializer, responses={204: None}, summary="Hide with a reason (governance owners)")
    @action(detail=True, methods=["post"])
    def hide(self, request, pk=None):
        recognition = self.get_object()
        if not policy.can_hide(request.user):
            raise PermissionDenied("Only governance owners hide recognitions.")
        serializer = HideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.recognition_hide(request.user, recognition, reason=serializer.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)
