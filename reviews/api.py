"""The reviews API: the same services and rules as the pages."""

import django_filters
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from core.durations import format_duration
from core.errors import require
from core.fields import SlugRelatedField
from core.filters import IdFilter
from core.openapi import IF_MATCH
from core.versioning import ETagMixin, edited, precondition, with_if_match
from reviews import language, policy, selectors, services
from reviews.filters import ActionItemFilter, ReviewFilter
from reviews.models import (
    MAX_TEXT,
    ActionItem,
    ActionState,
    Dimension,
    Finding,
    Incident,
    RoleAssignment,
    TimelineEntry,
)
from teams.models import Team

User = get_user_model()


def _person(user):
    return {"id": user.pk, "username": user.get_username(), "name": user.get_full_name()}


class PersonField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(queryset=User.objects.filter(is_active=True), **kwargs)

    def to_representation(self, value):
        return value.pk


# Serializers ----------------------------------------------------------------


class IncidentSerializer(serializers.ModelSerializer):
    team = SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    version = serializers.IntegerField(required=False, help_text="The version you edited; required when updating.")

    class Meta:
        model = Incident
        # The fields the incident services take (one list), and what only reads show.
        fields = ["id", *services.INCIDENT_FIELDS, "playbook_version", "version"]
        read_only_fields = ["id", "playbook_version"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    person = PersonField()
    handover_note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)

    class Meta:
        model = RoleAssignment
        fields = ["id", "incident", "role", "person", "started_at", "ended_at", "handover_note"]
        read_only_fields = ["id"]


class TimelineEntrySerializer(serializers.ModelSerializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    what = serializers.CharField(max_length=MAX_TEXT)

    class Meta:
        model = TimelineEntry
        fields = ["id", "incident", "at", "kind", "who", "what", "version"]
        read_only_fields = ["id", "version"]


class TimelineEntryUpdateSerializer(serializers.ModelSerializer):
    """A correction: any of when, kind, who and what, with the ``version`` you edited."""

    what = serializers.CharField(max_length=MAX_TEXT, required=False)
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = TimelineEntry
        fields = ["at", "kind", "who", "what", "version"]


class FindingSerializer(serializers.ModelSerializer):
    text = serializers.CharField(max_length=MAX_TEXT)

    class Meta:
        model = Finding
        fields = ["id", "review", "text", "created_at", "version"]
        read_only_fields = ["id", "created_at", "version"]
        extra_kwargs = {"review": {"queryset": selectors.Review.objects.all()}}


class FindingUpdateSerializer(serializers.Serializer):
    """A rewording, with the ``version`` you edited."""

    text = serializers.CharField(max_length=MAX_TEXT)
    version = serializers.IntegerField(required=False, min_value=1)


class ActionItemSerializer(serializers.ModelSerializer):
    owner = PersonField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "review",
            "finding",
            "title",
            "owner",
            "due_on",
            "kind",
            "state",
            "dropped_reason",
            "completed_at",
            "is_overdue",
            "version",
        ]
        read_only_fields = ["id", "state", "dropped_reason", "completed_at", "is_overdue", "version"]
        extra_kwargs = {"review": {"queryset": selectors.Review.objects.all()}}


class ActionItemUpdateSerializer(serializers.ModelSerializer):
    """A change to an action item: any of title, owner, due date, kind and finding, with the
    ``version`` you edited. State changes go through ``state``."""

    owner = PersonField()
    version = serializers.IntegerField(required=False, min_value=1)

    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due_on", "kind", "finding", "version"]


class ActionStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ActionState.choices)
    dropped_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.SerializerMethodField()
    seconds = serializers.SerializerMethodField()
    target_seconds = serializers.SerializerMethodField()
    met = serializers.BooleanField(allow_null=True)

    def get_value(self, metric) -> str | None:
        if metric.value is None:
            return None
        return str(metric.value) if metric.key == "satisfaction" else format_duration(metric.value)

    def get_seconds(self, metric) -> int | None:
        return int(metric.value.total_seconds()) if hasattr(metric.value, "total_seconds") else None

    def get_target_seconds(self, metric) -> int | None:
        return int(metric.target.total_seconds()) if metric.target else None


class ReviewSerializer(serializers.ModelSerializer):
    incident = IncidentSerializer(read_only=True)
    facilitator = serializers.SerializerMethodField()
    clarity_score = serializers.SerializerMethodField(
        help_text="0–100; null until consolidated, and while scoring is blind to you (before your own submission)."
    )
    version = serializers.IntegerField(read_only=True)

    class Meta:
        model = selectors.Review
        fields = [
            "id",
            "incident",
            "facilitator",
            "state",
            "is_exercise",
            "narrative",
            "clarity_score",
            "published_at",
            "archived_at",
            "archive_reason",
            "version",
        ]
        read_only_fields = fields

    def get_facilitator(self, review) -> dict:
        return _person(review.facilitator)

    def get_clarity_score(self, review) -> float | None:
        return selectors.visible_clarity(review, self.context["request"].user)


class ReviewDetailSerializer(ReviewSerializer):
    metrics = serializers.SerializerMethodField()
    ownership = serializers.SerializerMethodField()
    consolidation = serializers.SerializerMethodField()
    language_hits = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "metrics", "ownership", "consolidation", "language_hits"]
        read_only_fields = fields

    def get_metrics(self, review) -> list[dict]:
        return MetricSerializer(selectors.metrics_for(review.incident), many=True).data

    def get_ownership(self, review) -> list[dict]:
        return [
            {
                "role": role.role,
                "label": role.label,
                "core": role.core,
                "gap": role.is_gap,
                "history": [
                    {
                        "id": a.pk,
                        "person": _person(a.person),
                        "started_at": a.started_at,
                        "ended_at": a.ended_at,
                        "held_until": a.until,
                        "handover_note": a.handover_note,
                    }
                    for a in role.history
                ],
            }
            for role in selectors.ownership(review.incident)
        ]

    def get_consolidation(self, review) -> dict | None:
        scoring = selectors.scoring(review, self.context["request"].user)
        if scoring["summaries"] is None:
            return None
        return {
            "overall": scoring["overall"],
            "submitted": len(scoring["submitted"]),
            "dimensions": [
                {
                    "dimension": s.dimension,
                    "label": s.label,
                    "median": s.median,
                    "spread": s.spread,
                    "count": s.count,
                    "wide": s.is_wide,
                }
                for s in scoring["summaries"]
            ],
        }

    def get_language_hits(self, review) -> list[dict]:
        if not policy.can_manage(self.context["request"].user, review):
            return []
        return [
            {"field": report.field, "label": report.label, "hits": [hit.as_dict() for hit in report.hits]}
            for report in selectors.language_report(review)
        ]


class ReviewCreateSerializer(IncidentSerializer):
    is_exercise = serializers.BooleanField(required=False, default=False)
    narrative = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)

    class Meta(IncidentSerializer.Meta):
        fields = [f for f in IncidentSerializer.Meta.fields if f != "version"] + ["is_exercise", "narrative"]


class ReviewUpdateSerializer(serializers.Serializer):
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    is_exercise = serializers.BooleanField(required=False)
    version = serializers.IntegerField(help_text="The review version you edited.")


class ArchiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why it is archived; others see it.")


class AmendSerializer(serializers.Serializer):
    narrative = serializers.CharField(max_length=MAX_TEXT)
    reason = serializers.CharField(max_length=2000)
    version = serializers.IntegerField(required=False, allow_null=True, default=None)


class InviteSerializer(serializers.Serializer):
    user = PersonField()


class ParticipantSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), help_text="A participant's id (a closed account too)."
    )


class ScoreItemSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    score = serializers.IntegerField(min_value=1, max_value=5)
    evidence = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)


class ScoresSerializer(serializers.Serializer):
    scores = ScoreItemSerializer(many=True, max_length=len(Dimension))
    submit = serializers.BooleanField(default=False, help_text="Submit (all six dimensions needed).")


class DismissSerializer(serializers.Serializer):
    phrase = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=500)


class LanguageCheckSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=MAX_TEXT, trim_whitespace=False)
    review = serializers.IntegerField(
        required=False, allow_null=True, help_text="Use the names of this review's people."
    )


# Views ----------------------------------------------------------------------


def _managed_review_or_404(request, pk):
    """A review the user may see (else 404) and change (else 403)."""
    review = selectors.review_or_404(request.user, pk)
    require(policy.can_manage(request.user, review), "Only facilitators change a review.")
    return review


def _visible_incident_or_404(request, pk):
    return get_object_or_404(Incident.objects.filter(review__in=policy.visible_reviews(request.user)), pk=pk)


def _detail(request, review):
    review = selectors.review_for_page(review.pk)
    return Response(ReviewDetailSerializer(review, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(summary="Reviews you may see, newest escalation first; filter and search them."),
    retrieve=extend_schema(summary="A review with its metrics, ownership, consolidation and language hints."),
)
class ReviewViewSet(ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reviews: create (facilitators), read, update narrative, and move between states."""

    lookup_value_regex = r"\d+"

    queryset = selectors.Review.objects.none()  # for the schema; get_queryset() filters per user

    filterset_class = ReviewFilter
    search_fields = None
    ordering_fields = ["incident__escalated_at", "shown_clarity"]

    def get_queryset(self):
        return selectors.review_list(self.request.user)

    def get_serializer_class(self):
        return ReviewDetailSerializer if self.action == "retrieve" else ReviewSerializer

    def get_object(self):
        review = selectors.review_or_404(self.request.user, self.kwargs["pk"])
        return selectors.review_for_page(review.pk)

    @extend_schema(
        request=ReviewCreateSerializer,
        responses={201: ReviewDetailSerializer},
        examples=[
            OpenApiExample(
                "A payment outage",
                value={
                    "title": "Card payments failing for Acme",
                    "customer": "Acme Corp",
                    "severity": "sev1",
                    "escalated_at": "2026-11-02T09:14:00Z",
                    "pattern_name": "Payment outage reported by an enterprise customer",
                    "is_exercise": False,
                },
                request_only=True,
            )
        ],
    )
    def create(self, request):
        require(policy.can_create(request.user), "Only facilitators create reviews.")
        serializer = ReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        review = services.review_create(
            request.user, is_exercise=data.pop("is_exercise"), narrative=data.pop("narrative"), **data
        )
        response = _detail(request, review)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=ReviewUpdateSerializer, responses={200: ReviewDetailSerializer}, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        review = _managed_review_or_404(request, pk)
        data, conditional = with_if_match(request)
        serializer = ReviewUpdateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        with precondition(conditional):
            services.review_update(request.user, review, **serializer.validated_data)
        return _detail(request, review)

    def _state_action(self, request, pk, service):
        review = selectors.review_or_404(request.user, pk)
        service(request.user, review)
        return _detail(request, review)

    @extend_schema(request=None, responses={200: ReviewDetailSerializer}, summary="draft → in review")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._state_action(request, pk, services.review_start)

    @extend_schema(request=None, responses={200: ReviewDetailSerializer}, summary="in review → draft")
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request, pk=None):
        return self._state_action(request, pk, services.review_return_to_draft)

    @extend_schema(request=None, responses={200: ReviewDetailSerializer}, summary="in review → published")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._state_action(request, pk, services.review_publish)

    @extend_schema(request=None, responses={200: ReviewDetailSerializer}, summary="Store the consolidated scores")
    @action(detail=True, methods=["post"])
    def consolidate(self, request, pk=None):
        return self._state_action(request, pk, services.scores_consolidate)

    @extend_schema(
        request=ArchiveSerializer, responses={200: ReviewDetailSerializer}, summary="Archive (leaves lists and figures)"
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        review = _managed_review_or_404(request, pk)
        serializer = ArchiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.review_archive(request.user, review, reason=serializer.validated_data["reason"])
        return _detail(request, review)

    @extend_schema(request=None, responses={200: ReviewDetailSerializer}, summary="Restore an archived review")
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._state_action(request, pk, services.review_restore)

    @extend_schema(request=AmendSerializer, responses={200: ReviewDetailSerializer}, summary="Amend a published review")
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        review = _managed_review_or_404(request, pk)
        serializer = AmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.review_amend(request.user, review, **serializer.validated_data)
        return _detail(request, review)

    @extend_schema(request=InviteSerializer, responses={201: None}, summary="Invite a participant")
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        review = _managed_review_or_404(request, pk)
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participant = services.participant_invite(request.user, review, invitee=serializer.validated_data["user"])
        return Response({"user": _person(participant.user), "invited_at": participant.invited_at}, status=201)

    @extend_schema(
        request=ParticipantSerializer,
        responses={204: None},
        summary="Take back an invitation (scores the person submitted leave with them)",
    )
    @action(detail=True, methods=["post"], url_path="remove-participant")
    def remove_participant(self, request, pk=None):
        review = _managed_review_or_404(request, pk)
        serializer = ParticipantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participant = review.participants.filter(user=serializer.validated_data["user"]).first()
        if participant is None:
            raise serializers.ValidationError({"user": ["This person is not a participant of this review."]})
        services.participant_remove(request.user, participant)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["get"], request=None, responses={200: ScoresSerializer}, summary="Your own scores on this review"
    )
    @extend_schema(
        methods=["post"],
        request=ScoresSerializer,
        responses={200: ScoresSerializer},
        summary="Save (and optionally submit) your own scores",
        examples=[
            OpenApiExample(
                "Submit all six",
                value={"scores": [{"dimension": d, "score": 4, "evidence": "…"} for d in range(1, 7)], "submit": True},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["get", "post"])
    def scores(self, request, pk=None):
        review = selectors.review_or_404(request.user, pk)
        if request.method == "POST":
            require(policy.is_participant(request.user, review), "Only the review's participants score it.")
            serializer = ScoresSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            items = {
                item["dimension"]: (item["score"], item["evidence"]) for item in serializer.validated_data["scores"]
            }
            services.scores_save(request.user, review, scores=items, submit=serializer.validated_data["submit"])
        participant = review.participants.filter(user=request.user).prefetch_related("scores").first()
        if participant is None:
            return Response({"detail": "You are not a participant of this review."}, status=status.HTTP_404_NOT_FOUND)
        return Response(
            {
                "scores": [
                    {"dimension": s.dimension, "score": s.score, "evidence": s.evidence}
                    for s in participant.scores.all()
                ],
                "submit": participant.submitted_at is not None,
            }
        )

    @extend_schema(
        request=DismissSerializer, responses={200: ReviewDetailSerializer}, summary="Dismiss a language hint"
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        review = _managed_review_or_404(request, pk)
        serializer = DismissSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.language_hit_dismiss(request.user, review, **serializer.validated_data)
        return _detail(request, review)


class IncidentViewSet(ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents (created with their review through /api/reviews/); update with the version you edited."""

    lookup_value_regex = r"\d+"

    queryset = Incident.objects.none()

    serializer_class = IncidentSerializer
    filterset_fields = {"severity": ["exact"], "team__slug": ["exact"], "escalated_at": ["gte", "lte"]}
    search_fields = ["title", "customer", "summary"]

    def get_queryset(self):
        if policy.sees_every_review(self.request.user):
            incidents = Incident.objects.all()  # every incident has its review; no join to keep them all
        else:
            incidents = Incident.objects.filter(review__in=policy.visible_reviews(self.request.user))
        return incidents.select_related("team").order_by("-escalated_at", "-pk")

    @extend_schema(request=IncidentSerializer, responses={200: IncidentSerializer}, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        incident = self.get_object()
        require(policy.can_manage(request.user), "Only facilitators edit the incident.")
        values, version, conditional = edited(request, IncidentSerializer, incident)
        with precondition(conditional):
            incident = services.incident_update(request.user, incident, version=version, **values)
        return Response(IncidentSerializer(incident).data)


def _id_filters(model, **fields):
    """A FilterSet of plain id filters: a hidden parent and a missing one both give an empty list."""
    attrs = {name: IdFilter(field_name=f"{name}_id") for name in fields.get("ids", ())}
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": list(fields.get("plain", ()))})
    return type(f"{model.__name__}Filter", (django_filters.FilterSet,), attrs)


class _ReviewChildViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
    review_path = "incident__review"

    def visible(self, queryset):
        if policy.sees_every_review(self.request.user):
            return queryset  # no join through every review just to keep them all
        return queryset.filter(**{f"{self.review_path}__in": policy.visible_reviews(self.request.user)})

    def check_permissions(self, request):
        super().check_permissions(request)
        # The role before the body: someone who may not create learns nothing from field errors.
        if self.action == "create":
            require(policy.can_manage(request.user), "Only facilitators change a review's records.")


class RoleCorrectionSerializer(serializers.Serializer):
    person = PersonField(required=False)
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    handover_note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)


class RoleEndSerializer(serializers.Serializer):
    ended_at = serializers.DateTimeField(help_text="When the holder gave the role up, with no successor.")


@extend_schema_view(
    partial_update=extend_schema(
        request=RoleCorrectionSerializer, summary="Correct an assignment (fields left out keep their value)"
    ),
    destroy=extend_schema(summary="Remove an assignment recorded by mistake"),
)
class RoleAssignmentViewSet(mixins.CreateModelMixin, _ReviewChildViewSet):
    """Who held which ownership role, from when to when; creating one hands the role over.
    Facilitators correct (PATCH), end with no successor (``end``) or remove (DELETE) one while
    the review is open; time-to-ownership follows."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = RoleAssignment.objects.none()

    serializer_class = RoleAssignmentSerializer
    filterset_class = _id_filters(RoleAssignment, ids=("incident", "person"), plain=("role",))

    def get_queryset(self):
        return self.visible(RoleAssignment.objects.select_related("person")).order_by("started_at", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        incident = _visible_incident_or_404(self.request, data.pop("incident").pk)
        serializer.instance = services.role_assign(self.request.user, incident, **data)

    def _managed_assignment(self):
        """The assignment if visible (else 404), then the role (else 403), before the body is read."""
        assignment = self.get_object()
        require(policy.can_manage(self.request.user), "Only facilitators change a review's records.")
        return assignment

    def partial_update(self, request, pk=None):
        assignment = self._managed_assignment()
        serializer = RoleCorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.role_correct(request.user, assignment, **serializer.validated_data)
        return Response(RoleAssignmentSerializer(assignment).data)

    def destroy(self, request, pk=None):
        services.role_remove(request.user, self._managed_assignment())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RoleEndSerializer, responses={200: RoleAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self._managed_assignment()
        serializer = RoleEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.role_end(request.user, assignment, ended_at=serializer.validated_data["ended_at"])
        return Response(RoleAssignmentSerializer(assignment).data)


class TimelinePagination(CursorPagination):
    """Timeline entries are a log (about 20 per incident, millions in all): pages follow a
    cursor on (at, id) instead of counting every entry and skipping to an offset."""

    ordering = ("at", "id")
    page_size_query_param = None


class TimelineEntryViewSet(ETagMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, _ReviewChildViewSet):
    """Typed timeline entries (milestones and role changes are on the review, not repeated here).
    Pages follow a cursor (``next``/``previous`` links), oldest entry first."""

    pagination_class = TimelinePagination

    queryset = TimelineEntry.objects.none()

    serializer_class = TimelineEntrySerializer
    filterset_class = _id_filters(TimelineEntry, ids=("incident",), plain=("kind",))

    def get_queryset(self):
        return self.visible(TimelineEntry.objects.all()).order_by("at", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        incident = _visible_incident_or_404(self.request, data.pop("incident").pk)
        serializer.instance = services.timeline_entry_add(self.request.user, incident, **data)

    def perform_destroy(self, instance):
        services.timeline_entry_delete(self.request.user, instance)

    @extend_schema(
        request=TimelineEntryUpdateSerializer, responses={200: TimelineEntrySerializer}, parameters=[IF_MATCH]
    )
    def partial_update(self, request, pk=None):
        entry = self.get_object()
        require(policy.can_manage(request.user), "Only facilitators edit the timeline.")
        values, version, conditional = edited(request, TimelineEntryUpdateSerializer, entry)
        with precondition(conditional):
            entry = services.timeline_entry_edit(request.user, entry, version=version, **values)
        return Response(TimelineEntrySerializer(entry).data)


class FindingViewSet(ETagMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, _ReviewChildViewSet):
    """Findings of a review. Facilitators reword (PATCH, with the version edited) or remove
    (DELETE) one while the review is open; its action items stay, no longer tied to it."""

    queryset = Finding.objects.none()
    serializer_class = FindingSerializer
    filterset_class = _id_filters(Finding, ids=("review",))
    review_path = "review"

    def get_queryset(self):
        return self.visible(Finding.objects.all()).order_by("created_at", "pk")

    def perform_create(self, serializer):
        review = selectors.review_or_404(self.request.user, serializer.validated_data["review"].pk)
        serializer.instance = services.finding_add(self.request.user, review, text=serializer.validated_data["text"])

    def perform_destroy(self, instance):
        services.finding_delete(self.request.user, instance)

    @extend_schema(request=FindingUpdateSerializer, responses={200: FindingSerializer}, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        finding = self.get_object()
        require(policy.can_manage(request.user), "Only facilitators record findings.")
        values, version, conditional = edited(request, FindingUpdateSerializer)
        with precondition(conditional):
            finding = services.finding_edit(request.user, finding, version=version, **values)
        return Response(FindingSerializer(finding).data)


class ActionItemViewSet(ETagMixin, mixins.CreateModelMixin, _ReviewChildViewSet):
    """Action items: one owner, a due date, a kind and a state."""

    queryset = ActionItem.objects.none()

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due_on"]
    review_path = "review"

    def get_queryset(self):
        return self.visible(ActionItem.objects.select_related("owner")).order_by("due_on", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        review = selectors.review_or_404(self.request.user, data.pop("review").pk)
        serializer.instance = services.action_item_add(self.request.user, review, **data)

    @extend_schema(request=ActionItemUpdateSerializer, responses={200: ActionItemSerializer}, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        item = self.get_object()
        require(policy.can_manage(request.user), "Only facilitators change action items.")
        values, version, conditional = edited(request, ActionItemUpdateSerializer)
        with precondition(conditional):
            item = services.action_item_edit(request.user, item, version=version, **values)
        return Response(ActionItemSerializer(item).data)

    @extend_schema(
        request=ActionStateSerializer,
        responses={200: ActionItemSerializer},
        parameters=[IF_MATCH],
        summary="Mark done, dropped or open",
    )
    @action(detail=True, methods=["post"])
    def state(self, request, pk=None):
        item = self.get_object()
        require(policy.can_update_action(request.user, item), "Only the owner or a facilitator updates this item.")
        body, conditional = with_if_match(request)
        serializer = ActionStateSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with precondition(conditional):
            item = services.action_item_set_state(
                request.user, item, state=data["state"], reason=data["dropped_reason"], version=data["version"]
            )
        return Response(ActionItemSerializer(item).data)


class LanguageCheckView(APIView):
    """Check text for blaming wording; used by the pages as you write."""

    @extend_schema(
        request=LanguageCheckSerializer,
        responses={
            200: inline_serializer(
                "LanguageCheckResult",
                {"hits": serializers.ListField(child=serializers.DictField())},
            )
        },
    )
    def post(self, request):
        serializer = LanguageCheckSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        names = ()
        review_id = serializer.validated_data.get("review")
        if review_id:
            review = policy.visible_reviews(request.user).filter(pk=review_id).first()
            if review is not None:
                names = selectors.people_names(selectors.review_for_page(review.pk))
        hits = language.check(serializer.validated_data["text"], names)
        return Response({"hits": [hit.as_dict() for hit in hits]})
