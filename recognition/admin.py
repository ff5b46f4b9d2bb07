from django.contrib import admin

from recognition.models import Recognition, RecognitionNotice, Second


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):
    """The record, hidden recognitions included. Hiding is done on the board (with a reason)."""

    list_display = ["__str__", "author", "created_at", "hidden_at", "hidden_by"]
    list_filter = ["category", "hidden_at"]
    list_select_related = ["author", "team", "person", "hidden_by"]
    readonly_fields = [f.name for f in Recognition._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Second)
class SecondAdmin(admin.ModelAdmin):
    list_display = ["recognition", "user", "created_at"]
    list_select_related = ["recognition__team", "recognition__person", "user"]


@admin.register(RecognitionNotice)
class RecognitionNoticeAdmin(admin.ModelAdmin):
    list_display = ["recognition", "kind", "recipient", "sent_at"]

    def has_change_permission(self, request, obj=None):
        return False
