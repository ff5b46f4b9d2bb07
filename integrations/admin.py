"""Sources and deliveries in the admin: read-only (changes go through the integrations page and its
services), and never a secret or a token."""

from django.contrib import admin

from integrations.models import Delivery, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "team", "enabled", "created_at"]
    list_filter = ["kind", "enabled"]
    # secret, previous_secret and api_token are not editable fields: the admin never shows them.
    fields = ["kind", "name", "team", "team_map", "rule_tags", "rule_priorities", "base_url", "api_url", "enabled"]

    def has_add_permission(self, request):
        return False  # connected on the integrations page, which makes the account it acts as

    def has_change_permission(self, request, obj=None):
        return False  # changed on the integrations page, through the service and its rules (audit, token)

    def has_delete_permission(self, request, obj=None):
        return False  # a source is disabled, not deleted: its deliveries are where facts came from


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["received_at", "source", "event_type", "status"]
    list_filter = ["status", "source"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
