"""Sources and deliveries in the API: facilitators and admins read them and retry a delivery.
No secret or token is ever part of an answer (``has_api_token`` says whether one is set)."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.filters import IdFilter
from integrations import policy, services
from integrations.models import Delivery, DeliveryStatus, Fact, Source


class CanManageIntegrations(BasePermission):
    message = "Only facilitators and admins see integrations."
    role_restricted = True  # reads answer 403 too (core/openapi.py documents it)

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and policy.can_manage(request.user))


class SourceSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    webhook_url = serializers.SerializerMethodField()
    has_api_token = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = [
            "id",
            "kind",
            "name",
            "team",
            "team_map",
            "rule_tags",
            "rule_priorities",
            "base_url",
            "api_url",
            "enabled",
            "webhook_url",
            "has_api_token",
            "previous_secret_until",
            "created_at",
        ]
        read_only_fields = fields

    def get_webhook_url(self, source) -> str:
        request = self.context.get("request")
        path = source.webhook_path()
        return request.build_absolute_uri(path) if request else path

    def get_has_api_token(self, source) -> bool:
        return bool(source.api_token)


class FactSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Fact
        fields = ["field", "label", "at", "shown", "value", "applied", "note", "entry", "assignment"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    record = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    incident = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = [
            "id",
            "source",
            "event_id",
            "event_type",
            "received_at",
            "status",
            "reason",
            "attempts",
            "applied_at",
            "imported",
            "record",
            "incident",
        ]
        read_only_fields = fields

    def get_incident(self, delivery) -> int | None:
        return delivery.record.incident_id if delivery.record_id else None


class DeliveryDetailSerializer(DeliverySerializer):
    facts = FactSerializer(many=True, read_only=True)

    class Meta(DeliverySerializer.Meta):
        fields = [*DeliverySerializer.Meta.fields, "content_type", "headers", "body", "facts"]
        read_only_fields = fields


class DeliveryFilter(django_filters.FilterSet):
    source = IdFilter(field_name="source_id")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)

    class Meta:
        model = Delivery
        fields = ["source", "status"]


class DeliveryPagination(CursorPagination):
    """Deliveries are a log: pages follow a cursor, newest first, with no count of every row."""

    ordering = ("-received_at", "-id")
    page_size_query_param = None


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    """Connected tools (sources are connected on the integrations page, which shows the secret once)."""

    lookup_value_regex = r"\d+"
    permission_classes = [CanManageIntegrations]
    serializer_class = SourceSerializer
    queryset = Source.objects.select_related("team").order_by("name")


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What the tools sent, newest first (``?status=failed``, ``?source=<id>``); a delivery's
    detail has its body and what each fact became."""

    lookup_value_regex = r"\d+"
    permission_classes = [CanManageIntegrations]
    pagination_class = DeliveryPagination
    filterset_class = DeliveryFilter
    queryset = Delivery.objects.select_related("record")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset.defer("body", "headers", "content_type")
        return queryset.prefetch_related("facts")

    def get_serializer_class(self):
        return DeliverySerializer if self.action == "list" else DeliveryDetailSerializer

    @extend_schema(request=None, responses=DeliveryDetailSerializer, summary="Apply a failed or ignored delivery again")
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        delivery = services.delivery_retry(request.user, self.get_object())
        return Response(DeliveryDetailSerializer(delivery, context=self.get_serializer_context()).data)
