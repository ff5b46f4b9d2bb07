"""The playbook API under /api/playbook/: the same services and rules as the pages."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.fields import SlugRelatedField
from config.versioning import ETagMixin, precondition, with_if_match
from playbook import policy, services
from playbook.diff import compare
from playbook.models import ReviewCycle, ReviewTask, Revision, Section, SectionContent, SectionVersion
from reviews.models import ActionItem

User = get_user_model()
MAX_TEXT = 50_000
CONTENT = SectionContent.CONTENT_FIELDS


class VersionSerializer(serializers.ModelSerializer):
    published_by = serializers.CharField(source="published_by.get_username", read_only=True)

    class Meta:
        model = SectionVersion
        fields = ["number", *CONTENT, "published_at", "published_by", "revision"]


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = SectionVersion
        fields = ["number", "pattern", "published_at", "revision"]


class SectionSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    current = VersionSerializer(read_only=True)

    class Meta:
        model = Section
        fields = ["slug", "owner", "is_active", "current"]


class SectionDetailSerializer(SectionSerializer):
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta(SectionSerializer.Meta):
        fields = [*SectionSerializer.Meta.fields, "versions"]


class RevisionSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    new_slug = serializers.CharField(read_only=True, help_text="The slug a new section gets; blank for a change.")
    base = serializers.IntegerField(source="base.number", read_only=True, allow_null=True)
    author = serializers.CharField(source="author.get_username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, allow_null=True)
    stale = serializers.SerializerMethodField()

    class Meta:
        model = Revision
        fields = [
            "id", "section", "new_slug", "base", "author", "rationale", "state", *CONTENT, "stale",
            "prompted_by_review", "prompted_by_action", "review_task", "restored_from", "decided_by", "decided_at",
            "decision_comment", "attested_regulatory", "attested_blameless", "submitted_at", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_stale(self, revision) -> bool:
        return services.is_stale(revision)


class RevisionDetailSerializer(RevisionSerializer):
    changes = serializers.SerializerMethodField()

    class Meta(RevisionSerializer.Meta):
        fields = [*RevisionSerializer.Meta.fields, "changes"]
        read_only_fields = fields

    def get_changes(self, revision) -> list[dict]:
        rows = compare(revision.base.content() if revision.base else {}, revision.content())
        return [{"field": r["field"], "label": str(r["label"])} for r in rows if r["changed"]]


def _content_fields():
    fields = {}
    for name in CONTENT:
        model_field = SectionContent._meta.get_field(name)
        if name == "ownership_map":
            fields[name] = serializers.JSONField(
                required=False, help_text='{"decision_owner": {"team": 3, "person": 7}}'
            )
        elif name == "pattern":
            fields[name] = serializers.CharField(max_length=200)
        elif name == "approvals_required":
            fields[name] = serializers.IntegerField(min_value=1, max_value=10, required=False, default=1)
        elif model_field.get_internal_type() == "PositiveIntegerField":
            fields[name] = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True)
        else:
            fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    return fields


RevisionContentSerializer = type("RevisionContentSerializer", (serializers.Serializer,), _content_fields())


class RevisionCreateSerializer(RevisionContentSerializer):
    section = SlugRelatedField(
        slug_field="slug", queryset=Section.objects.all(), required=False, allow_null=True,
        help_text="The section to change; omit it (and give new_slug, new_owner) to propose a new section.",
    )  # fmt: skip
    new_slug = serializers.SlugField(required=False, allow_blank=True, max_length=120)
    new_owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    rationale = serializers.CharField(max_length=MAX_TEXT)
    prompted_by_action = serializers.PrimaryKeyRelatedField(queryset=ActionItem.objects.all(), required=False)
    review_task = serializers.PrimaryKeyRelatedField(queryset=ReviewTask.objects.all(), required=False)
    submit = serializers.BooleanField(default=False)


class RevisionUpdateSerializer(RevisionContentSerializer):
    rationale = serializers.CharField(max_length=MAX_TEXT)
    version = serializers.IntegerField()


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)
    attest_regulatory = serializers.BooleanField(default=False)
    attest_blameless = serializers.BooleanField(default=False)


class TaskSerializer(serializers.ModelSerializer):
    section = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    assignee = serializers.CharField(source="assignee.get_username", read_only=True)
    cycle = serializers.CharField(source="cycle.label", read_only=True)

    class Meta:
        model = ReviewTask
        fields = ["id", "cycle", "section", "assignee", "due_on", "state", "note", "completed_at"]
        read_only_fields = fields


class CycleSerializer(serializers.ModelSerializer):
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewCycle
        fields = ["id", "year", "quarter", "starts_on", "ends_on", "tasks"]


class CompleteTaskSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_TEXT)


# Views --------------------------------------------------------------------------


class SectionViewSet(viewsets.ReadOnlyModelViewSet):
    """The published playbook: each section's current content and its version history."""

    lookup_field = "slug"
    queryset = Section.objects.filter(current__isnull=False).select_related("current__published_by", "owner")
    search_fields = ["current__pattern", "current__recognise", "current__script_acknowledge"]
    filterset_fields = ["is_active"]

    def get_queryset(self):
        queryset = super().get_queryset().order_by("slug")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("versions")
        return queryset

    def get_serializer_class(self):
        return SectionDetailSerializer if self.action == "retrieve" else SectionSerializer

    @extend_schema(responses=VersionSerializer, summary="One published version of the section")
    @action(detail=True, url_path=r"versions/(?P<number>\d+)")
    def version(self, request, slug=None, number=None):
        version = get_object_or_404(
            SectionVersion.objects.select_related("published_by"), section__slug=slug, number=number
        )
        return Response(VersionSerializer(version).data)


class RevisionViewSet(ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proposed revisions: draft → submitted → approved | rejected | withdrawn."""

    lookup_value_regex = r"\d+"

    queryset = Revision.objects.none()
    filterset_fields = ["state", "section__slug", "author"]

    def get_queryset(self):
        user = self.request.user
        revisions = Revision.objects.select_related("section__current", "base", "author", "decided_by")
        if policy.can_decide(user):
            return revisions.order_by("-updated_at")
        # Others see their own, and what was submitted or decided (it is about the shared playbook).
        return revisions.filter(Q(author=user) | ~Q(state="draft")).order_by("-updated_at")

    def get_serializer_class(self):
        return RevisionDetailSerializer if self.action == "retrieve" else RevisionSerializer

    def _detail(self, revision, code=status.HTTP_200_OK):
        revision = self.get_queryset().get(pk=revision.pk)
        return Response(RevisionDetailSerializer(revision).data, status=code)

    @extend_schema(
        request=RevisionCreateSerializer,
        responses={201: RevisionDetailSerializer},
        examples=[
            OpenApiExample(
                "Faster first update",
                value={
                    "section": "payment-outage-enterprise",
                    "pattern": "Payment outage reported by an enterprise customer",
                    "target_first_update_minutes": 20,
                    "rationale": "Customers asked within 20 minutes.",
                    "submit": True,
                },
                request_only=True,
            )
        ],
    )
    def create(self, request):
        serializer = RevisionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        section = data.pop("section", None)
        content = services.initial_content(section) | {k: v for k, v in data.items() if k in CONTENT}
        revision = services.create_revision(
            request.user, section=section, content=content, rationale=data["rationale"],
            new_slug=data.get("new_slug", ""), new_owner=data.get("new_owner"),
            prompted_by_action=data.get("prompted_by_action"), review_task=data.get("review_task"),
            submit=data["submit"],
        )  # fmt: skip
        return self._detail(revision, status.HTTP_201_CREATED)

    @extend_schema(request=RevisionUpdateSerializer, responses=RevisionDetailSerializer)
    def partial_update(self, request, pk=None):
        revision = self.get_object()
        if not policy.can_edit_revision(request.user, revision):
            raise PermissionDenied("Only the author edits a revision.")
        body, conditional = with_if_match(request)
        serializer = RevisionUpdateSerializer(data=body, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "version" not in data:
            raise serializers.ValidationError({"version": ['Send the version you edited (or If-Match: "<version>").']})
        content = revision.content() | {k: v for k, v in data.items() if k in CONTENT}
        with precondition(conditional):
            services.update_revision(
                request.user, revision, version=data["version"], content=content,
                rationale=data.get("rationale", revision.rationale),
            )  # fmt: skip
        return self._detail(revision)

    @extend_schema(request=None, responses=RevisionDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._detail(services.submit(request.user, self.get_object()))

    @extend_schema(request=None, responses=RevisionDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._detail(services.withdraw(request.user, self.get_object()))

    @extend_schema(
        request=DecisionSerializer, responses=RevisionDetailSerializer, summary="Approve and publish (governance)"
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        revision = self.get_object()
        if not policy.can_decide(request.user):
            raise PermissionDenied("Only governance owners approve or reject revisions.")
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.approve(request.user, revision, **serializer.validated_data)
        return self._detail(revision)

    @extend_schema(
        request=DecisionSerializer, responses=RevisionDetailSerializer, summary="Reject with a comment (governance)"
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        revision = self.get_object()
        if not policy.can_decide(request.user):
            raise PermissionDenied("Only governance owners approve or reject revisions.")
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reject(request.user, revision, comment=serializer.validated_data["comment"])
        return self._detail(revision)

    @extend_schema(
        request=None,
        responses=RevisionDetailSerializer,
        summary="Carry the change over to the current published version",
    )
    @action(detail=True, methods=["post"])
    def rebase(self, request, pk=None):
        revision = self.get_object()
        conflicts = services.rebase(request.user, revision)
        response = self._detail(revision)
        response.data["conflicts"] = conflicts
        return response


class CycleViewSet(viewsets.ReadOnlyModelViewSet):
    """Quarterly review cycles and their tasks."""

    lookup_value_regex = r"\d+"

    serializer_class = CycleSerializer
    queryset = ReviewCycle.objects.prefetch_related("tasks__section", "tasks__assignee", "tasks__cycle")


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quarterly review tasks (``?mine=true`` for your own)."""

    lookup_value_regex = r"\d+"

    serializer_class = TaskSerializer
    queryset = ReviewTask.objects.select_related("section", "assignee", "cycle")
    filterset_fields = ["state", "cycle", "assignee"]

    def get_queryset(self):
        queryset = super().get_queryset().order_by("due_on", "pk")
        if self.request.query_params.get("mine") in ("true", "1"):
            queryset = queryset.filter(assignee=self.request.user)
        return queryset

    @extend_schema(request=CompleteTaskSerializer, responses=TaskSerializer, summary="Reviewed, no change needed")
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = self.get_object()
        if not policy.can_complete_task(request.user, task):
            raise PermissionDenied("Only the section owner or a governance owner completes this review.")
        serializer = CompleteTaskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.complete_task(request.user, task, note=serializer.validated_data["note"])
        return Response(TaskSerializer(task).data)
