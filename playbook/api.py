"""The playbook API under /api/playbook/: the same services and rules as the pages."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import require
from core.fields import SlugRelatedField
from core.openapi import IF_MATCH
from core.versioning import ETagMixin, edited, precondition, with_if_match
from playbook import policy, selectors, services
from playbook.diff import compare
from playbook.filters import TaskFilter
from playbook.models import ReviewCycle, ReviewTask, Revision, Section, SectionContent, SectionVersion
from reviews.models import ActionItem

User = get_user_model()
MAX_TEXT = 50_000
MAX_NOTE = 2000
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
    """A revision, read through ``selectors.revisions``: what prompted it is named only to a
    reader who may open that review."""

    section = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="Null for a proposed new section."
    )
    new_slug = serializers.CharField(read_only=True, help_text="The slug a new section gets; blank for a change.")
    base = serializers.IntegerField(source="base.number", read_only=True, allow_null=True)
    author = serializers.CharField(source="author.get_username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.get_username", read_only=True, allow_null=True)
    restored_from = serializers.IntegerField(
        source="restored_from.number", read_only=True, allow_null=True, help_text="The version number it restores."
    )
    prompted_by_review_title = serializers.SerializerMethodField()
    prompted_by_action_title = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField()

    class Meta:
        model = Revision
        fields = [
            "id",
            "section",
            "new_slug",
            "base",
            "author",
            "rationale",
            "state",
            *CONTENT,
            "stale",
            "prompted_by_review",
            "prompted_by_review_title",
            "prompted_by_action",
            "prompted_by_action_title",
            "review_task",
            "restored_from",
            "decided_by",
            "decided_at",
            "decision_comment",
            "attested_regulatory",
            "attested_blameless",
            "submitted_at",
            "version",
        ]
        read_only_fields = fields

    def get_stale(self, revision) -> bool:
        return selectors.is_stale(revision)

    def to_representation(self, revision):
        """The prompting review and action item, ids too, only for a reader who may open that review."""
        data = super().to_representation(revision)
        if not revision.prompt_visible:
            data["prompted_by_review"] = data["prompted_by_action"] = None
        return data

    def get_prompted_by_review_title(self, revision) -> str | None:
        """The prompting review's title, for a reader who may open it."""
        review = revision.prompted_by_review
        return review.incident.title if review and revision.prompt_visible else None

    def get_prompted_by_action_title(self, revision) -> str | None:
        """The prompting action item's title, for a reader who may open its review."""
        item = revision.prompted_by_action
        return item.title if item and revision.prompt_visible else None


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
            fields[name] = serializers.CharField(max_length=services.PATTERN_LENGTH, required=False)
        elif name == "approvals_required":
            fields[name] = serializers.IntegerField(min_value=1, max_value=services.MAX_APPROVALS, required=False)
        elif model_field.get_internal_type() == "PositiveIntegerField":
            fields[name] = serializers.IntegerField(
                min_value=0, max_value=services.MAX_MINUTES, required=False, allow_null=True
            )
        else:
            fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TEXT)
    return fields


# A content field left out keeps the published version's value (services.revision_create), so none has a default.
RevisionContentSerializer = type("RevisionContentSerializer", (serializers.Serializer,), _content_fields())


class SectionField(SlugRelatedField):
    """A section named by its slug, as /api/playbook/sections/ shows it (never by its id)."""

    default_error_messages = {
        "does_not_exist": "No playbook section has the slug “{value}”.",
        "an_id": "No playbook section has the slug “{value}”: name the section by its slug, "
        "as /api/playbook/sections/ lists it, not by an id.",
        "invalid": "Name the section by its slug (a string), as /api/playbook/sections/ lists it.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            if data.isdigit():
                self.fail("an_id", value=data)
            raise


class RevisionCreateSerializer(RevisionContentSerializer):
    section = SectionField(
        slug_field="slug",
        queryset=Section.objects.all(),
        required=False,
        allow_null=True,
        help_text="The section's slug; omit it (and give new_slug, new_owner) to propose a new section.",
    )
    new_slug = serializers.SlugField(required=False, allow_blank=True, max_length=120)
    new_owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    rationale = serializers.CharField(max_length=MAX_TEXT)
    # An unknown id and one of a review the author cannot open get the same answer (the service's).
    prompted_by_action = serializers.PrimaryKeyRelatedField(
        queryset=ActionItem.objects.all(),
        required=False,
        error_messages={"does_not_exist": "You cannot refer to that action item."},
    )
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
    completed_by = serializers.CharField(
        source="completed_by.get_username",
        read_only=True,
        allow_null=True,
        help_text="Its assignee, or the governance owner who completed it on their behalf.",
    )

    class Meta:
        model = ReviewTask
        fields = [
            "id",
            "cycle",
            "section",
            "assignee",
            "due_on",
            "state",
            "note",
            "completed_at",
            "completed_by",
            "reassigned_at",
            "reminder_asked_at",
            "version",
        ]
        read_only_fields = fields


class CycleSerializer(serializers.ModelSerializer):
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewCycle
        fields = ["id", "year", "quarter", "starts_on", "ends_on", "tasks"]


class TaskVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The task's version you read (or If-Match)."
    )


class CompleteTaskSerializer(TaskVersionSerializer):
    note = serializers.CharField(max_length=MAX_TEXT)


class ReassignTaskSerializer(TaskVersionSerializer):
    # Every account, so that a deactivated one is refused with the service's reason, not as unknown.
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), help_text="The new owner's id.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_NOTE)


class ExtendTaskSerializer(TaskVersionSerializer):
    due_on = serializers.DateField(help_text="The new due date: later than the current one.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_NOTE)


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
        return selectors.revisions(self.request.user).order_by("-updated_at")

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
        revision = services.revision_create(
            request.user,
            section=data.get("section"),
            content={k: v for k, v in data.items() if k in CONTENT},
            rationale=data["rationale"],
            new_slug=data.get("new_slug", ""),
            new_owner=data.get("new_owner"),
            prompted_by_action=data.get("prompted_by_action"),
            review_task=data.get("review_task"),
            submit=data["submit"],
        )
        return self._detail(revision, status.HTTP_201_CREATED)

    @extend_schema(request=RevisionUpdateSerializer, responses=RevisionDetailSerializer, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        revision = self.get_object()
        if not policy.can_edit_revision(request.user, revision):
            raise PermissionDenied("Only the author edits a revision.")
        data, version, conditional = edited(request, RevisionUpdateSerializer)
        content = revision.content() | {k: v for k, v in data.items() if k in CONTENT}
        with precondition(conditional):
            services.revision_update(
                request.user,
                revision,
                version=version,
                content=content,
                rationale=data.get("rationale", revision.rationale),
            )
        return self._detail(revision)

    @extend_schema(request=None, responses=RevisionDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._detail(services.revision_submit(request.user, self.get_object()))

    @extend_schema(request=None, responses=RevisionDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._detail(services.revision_withdraw(request.user, self.get_object()))

    @extend_schema(
        request=DecisionSerializer, responses=RevisionDetailSerializer, summary="Approve and publish (governance)"
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        revision, decision = self._decision(request)
        services.revision_approve(request.user, revision, **decision)
        return self._detail(revision)

    @extend_schema(
        request=DecisionSerializer, responses=RevisionDetailSerializer, summary="Reject with a comment (governance)"
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        revision, decision = self._decision(request)
        services.revision_reject(request.user, revision, comment=decision["comment"])
        return self._detail(revision)

    def _decision(self, request):
        """The revision (else 404), then the role (else 403), then the decision's body."""
        revision = self.get_object()
        require(policy.can_decide(request.user), "Only governance owners approve or reject revisions.")
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return revision, serializer.validated_data

    @extend_schema(
        request=None,
        responses=RevisionDetailSerializer,
        summary="Carry the change over to the current published version",
    )
    @action(detail=True, methods=["post"])
    def rebase(self, request, pk=None):
        revision = self.get_object()
        conflicts = services.revision_rebase(request.user, revision)
        response = self._detail(revision)
        response.data["conflicts"] = conflicts
        return response


class CycleViewSet(viewsets.ReadOnlyModelViewSet):
    """Quarterly review cycles and their tasks."""

    lookup_value_regex = r"\d+"

    serializer_class = CycleSerializer
    queryset = ReviewCycle.objects.prefetch_related(
        "tasks__section", "tasks__assignee", "tasks__cycle", "tasks__completed_by"
    )


class TaskViewSet(ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quarterly review tasks (``?mine=true`` for your own); a governance owner runs them:
    reassign, remind the owner now, extend the due date, complete on the owner's behalf."""

    lookup_value_regex = r"\d+"

    serializer_class = TaskSerializer
    queryset = ReviewTask.objects.select_related("section", "assignee", "cycle", "completed_by")
    filterset_class = TaskFilter

    def get_queryset(self):
        return super().get_queryset().order_by("due_on", "pk")

    def _act(self, request, task, serializer_class, service):
        """Parse the body (the version from it or If-Match) and run ``service`` on ``task`` with it."""
        body, conditional = with_if_match(request)
        serializer = serializer_class(data=body)
        serializer.is_valid(raise_exception=True)
        with precondition(conditional):
            task = service(request.user, task, **serializer.validated_data)
        return Response(TaskSerializer(self.get_queryset().get(pk=task.pk)).data)

    def _run(self, request):
        """The task (else 404), then the role (else 403)."""
        task = self.get_object()
        require(policy.can_run_cycle(request.user), "Only governance owners run the quarterly review.")
        return task

    @extend_schema(
        request=CompleteTaskSerializer,
        responses=TaskSerializer,
        parameters=[IF_MATCH],
        summary="Reviewed, no change needed (by its owner, or a governance owner on their behalf)",
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        task = self.get_object()
        if not policy.can_complete_task(request.user, task):
            raise PermissionDenied("Only the section owner or a governance owner completes this review.")
        return self._act(request, task, CompleteTaskSerializer, services.task_complete)

    @extend_schema(
        request=ReassignTaskSerializer,
        responses=TaskSerializer,
        parameters=[IF_MATCH],
        summary="Give this quarter's task to someone else (governance)",
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        return self._act(request, self._run(request), ReassignTaskSerializer, services.task_reassign)

    @extend_schema(
        request=ExtendTaskSerializer,
        responses=TaskSerializer,
        parameters=[IF_MATCH],
        summary="Move the due date later (governance)",
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._act(request, self._run(request), ExtendTaskSerializer, services.task_extend)

    @extend_schema(
        request=TaskVersionSerializer,
        responses=TaskSerializer,
        parameters=[IF_MATCH],
        summary="Remind the owner now, at most once a day (governance)",
    )
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        return self._act(request, self._run(request), TaskVersionSerializer, services.task_remind)
