from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from core import runs
from core.models import AuditEvent, ChannelPost, Heartbeat, Notification, ScheduledJob, TaskRun


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    list_display = ["name", "task", "every_seconds", "enabled", "last_run_at"]
    list_editable = ["every_seconds", "enabled"]
    readonly_fields = ["last_run_at"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at", "worker"]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is read here, never written: no add, change or delete."""

    list_display = ["at", "actor_name", "action", "subject_label"]
    list_filter = ["subject_type"]
    search_fields = ["action", "actor_name", "subject_label"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _SendingAdmin(admin.ModelAdmin):
    """What was sent and what waits (attempts and the last error); read here, sent by core.delivery."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(_SendingAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "channel", "sent_at", "attempts", "read_at"]
    list_filter = ["channel", "kind"]
    search_fields = ["title", "recipient__username", "last_error"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(ChannelPost)
class ChannelPostAdmin(_SendingAdmin):
    list_display = ["created_at", "channel", "title", "sent_at", "attempts", "last_error"]


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    """Tasks running now, and parked ones (their workers kept dying): retried by hand from here."""

    list_display = ["name", "task_id", "starts", "last_started_at", "parked_at"]
    list_filter = [("parked_at", admin.EmptyFieldListFilter), "name"]
    readonly_fields = [f.name for f in TaskRun._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the selected parked tasks")
    def retry(self, request, queryset):
        done = 0
        for run in queryset:
            try:
                runs.parked_retry(request.user, run)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{run}: {' '.join(error.messages)}", messages.WARNING)
        if done:
            self.message_user(request, f"Sent {done} task{'s' if done != 1 else ''} again.", messages.SUCCESS)
