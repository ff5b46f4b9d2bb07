"""The API root: every app registers its viewsets on this router."""

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from core.api import NotificationViewSet
from integrations.api import DeliveryViewSet, SourceViewSet
from playbook.api import CycleViewSet, RevisionViewSet, SectionViewSet, TaskViewSet
from recognition.api import RecognitionViewSet
from reviews.api import (
    ActionItemViewSet,
    FindingViewSet,
    IncidentViewSet,
    ReviewViewSet,
    RoleAssignmentViewSet,
    TimelineEntryViewSet,
)
from teams.api import TeamViewSet

router = DefaultRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("reviews", ReviewViewSet, basename="review")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("role-assignments", RoleAssignmentViewSet, basename="role-assignment")
router.register("timeline-entries", TimelineEntryViewSet, basename="timeline-entry")
router.register("findings", FindingViewSet, basename="finding")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("recognitions", RecognitionViewSet, basename="recognition")
router.register("playbook/sections", SectionViewSet, basename="playbook-section")
router.register("playbook/revisions", RevisionViewSet, basename="playbook-revision")
router.register("playbook/cycles", CycleViewSet, basename="playbook-cycle")
router.register("playbook/tasks", TaskViewSet, basename="playbook-task")
router.register("integrations/sources", SourceViewSet, basename="integration-source")
router.register("integrations/deliveries", DeliveryViewSet, basename="integration-delivery")
router.register("notifications", NotificationViewSet, basename="notification")


class APIDocsView(SpectacularSwaggerSplitView):
    """Interactive API docs. The page holds no data (the schema it loads needs
    a signed-in user); people who are not signed in are sent to sign-in."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
