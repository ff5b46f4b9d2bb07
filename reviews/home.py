from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from core.home import Panel
from core.roles import is_facilitator
from reviews.models import ActionItem, Participant, Review, ReviewState


def panels(request):
    user = request.user
    today = timezone.localdate()
    to_score = (
        Participant.objects.filter(user=user, review__state=ReviewState.IN_REVIEW, submitted_at__isnull=True)
        .select_related("review__incident")
        .order_by("invited_at")
    )
    actions = ActionItem.objects.open().filter(owner=user).select_related("review__incident").order_by("due_on")
    action_items = [
        (
            item.title,
            item.review.get_absolute_url() + "#actions",
            ("Overdue since " if item.due_on < today else "Due ") + item.due_on.strftime("%-d %b"),
        )
        for item in actions[:8]
    ]
    panels = [
        Panel(
            title="Reviews waiting for your scores",
            items=[(p.review.incident.title, p.review.get_absolute_url() + "#scores", "") for p in to_score[:8]],
            empty="Nothing to score. When a facilitator invites you to a review, it shows up here.",
            link=(reverse("reviews:index"), "All reviews"),
            tone="attention" if to_score else "",
        ),
        Panel(
            title="Your open action items",
            items=action_items,
            empty="No action items are assigned to you.",
            tone="attention" if any(item.due_on < today for item in actions[:8]) else "",
        ),
    ]
    if is_facilitator(user):
        running = (
            Review.objects.filter(facilitator=user)
            .filter(Q(state=ReviewState.DRAFT) | Q(state=ReviewState.IN_REVIEW))
            .select_related("incident")
            .annotate(
                invited=Count("participants"),
                scored=Count("participants", filter=Q(participants__submitted_at__isnull=False)),
            )
            .order_by("-incident__escalated_at")
        )
        panels.insert(
            0,
            Panel(
                title="Reviews you facilitate",
                items=[
                    (
                        r.incident.title,
                        r.get_absolute_url(),
                        r.get_state_display() + (" · exercise" if r.is_exercise else "") + _progress(r),
                    )
                    for r in running[:8]
                ],
                empty="You are not running a review. After an escalation, start one from Reviews.",
                link=(reverse("reviews:create"), "Start a review"),
            ),
        )
    return panels


def _progress(review):
    """Where a running review stands, in a few words: who has scored, or who is invited."""
    if review.state == ReviewState.IN_REVIEW:
        return f" · {review.scored} of {review.invited} scored"
    return f" · {review.invited} invited" if review.invited else " · nobody invited yet"
