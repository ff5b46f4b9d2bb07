from django.contrib import admin

from config.models import Heartbeat, ScheduledJob


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
