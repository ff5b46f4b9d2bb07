"""A person's inbox: what Baton told them, newest first, and how they want to be told."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from core import notifications
from core.ids import parse_id
from core.paging import CappedPaginator

PAGE_SIZE = 30


@require_safe
def inbox(request):
    rows = notifications.inbox(request.user).only("title", "url", "created_at", "read_at", "kind", "channel")
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/inbox.html",
        {"page": page, "unread": notifications.unread_count(request.user), "query": ""},
    )


@require_safe
@never_cache
def unread(request):
    """The bell's count, fetched by the page's script."""
    return JsonResponse({"unread": notifications.unread_count(request.user)})


@require_safe
def follow(request, notification_id):
    """Mark one notification read and go where it points."""
    notification = notifications.notification_read(request.user, parse_id(notification_id))
    if notification is None:
        raise Http404("No such notification.")
    target = notification.url or "inbox"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "inbox"
    return redirect(target)


@require_POST
def mark_read(request):
    if request.POST.get("all"):
        count = notifications.notifications_read_all(request.user)
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    elif notifications.notification_read(request.user, parse_id(request.POST.get("id"))) is None:
        messages.error(request, "That notification is not in your inbox.")
    return redirect("inbox")


def settings_page(request):
    rows = notifications.choices_of(request.user)
    if request.method == "POST":
        choices = {kind: request.POST.get(kind, channel) for kind, _, channel in rows}
        try:
            notifications.choices_save(request.user, choices)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Saved how Baton tells you.")
            return redirect("notification-settings")
    groups = {}
    for kind, event, channel in rows:
        groups.setdefault(event.group, []).append((kind, event, channel))
    return render(
        request,
        "core/notification_settings.html",
        {"groups": groups, "channels": notifications.channels(), "slack": notifications.slack_enabled()},
    )
