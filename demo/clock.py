"""The demo's clock: the services run as if it were a moment in the demo organisation's past.

The demo is a year of one organisation's escalations: each reviewed days after it happened,
its action items done weeks later, the playbook revised when a review asked for it. Every step
goes through the same services as a page or the API, inside :func:`at`, which makes
``django.utils.timezone.now`` read the story's moment. So the timestamps the services write
(created, submitted, published, decided, completed), the rules they check against "now" (nothing
in the future, no due date in the past) and the audit trail all say when the step happened.
Demo data only: nothing outside ``demo/`` uses it.
"""

from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from core.models import AuditEvent
from reviews.models import ReviewText

real_now = timezone.now  # the wall clock, kept before any step patches it


def _last_pk(model):
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@contextmanager
def at(moment):
    """Run the block as if it were ``moment``, which must not be in the future."""
    if moment > real_now():
        raise ValueError(f"The demo story reaches {moment:%Y-%m-%d %H:%M}, which is in the future.")
    last_event, last_text = _last_pk(AuditEvent), _last_pk(ReviewText)
    with mock.patch.object(timezone, "now", lambda: moment):
        yield moment
    # These two fields default to the function they were given, the unpatched clock.
    AuditEvent.objects.filter(pk__gt=last_event).update(at=moment)
    ReviewText.objects.filter(pk__gt=last_text).update(created_at=moment)
