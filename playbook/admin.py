from django.contrib import admin

from playbook.models import ReviewCycle, ReviewTask, Revision, Section, SectionVersion, TaskNotice


class ReadOnlyAdmin(admin.ModelAdmin):
    """Published versions and sent notices are records: never edited or deleted here. Quarterly
    tasks change only through the cycle page and the API, which audit each change and tell the owner."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["slug", "current", "owner", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["current", "owner"]
    search_fields = ["slug", "current__pattern"]
    autocomplete_fields = ["owner"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SectionVersion)
class SectionVersionAdmin(ReadOnlyAdmin):
    list_display = ["section", "number", "pattern", "published_at", "published_by"]
    list_select_related = ["section", "published_by"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "pattern", "section", "author", "state", "updated_at"]
    list_filter = ["state"]
    list_select_related = ["section", "author"]


@admin.register(ReviewCycle)
class ReviewCycleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_on", "ends_on", "opened_at"]


@admin.register(ReviewTask)
class ReviewTaskAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "section", "assignee", "due_on", "state"]
    list_filter = ["cycle", "state"]
    list_select_related = ["cycle", "section__current", "assignee"]


@admin.register(TaskNotice)
class TaskNoticeAdmin(ReadOnlyAdmin):
    list_display = ["task", "kind", "occasion", "recipient", "sent_at"]
